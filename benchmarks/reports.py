"""The tables and the PASS/MISS lines of `make bench`: one function per measurement, with its targets.

benchmarks/__main__.py runs the measurements in order and hands each result here.
"""

from __future__ import annotations

from benchmarks import breakdown, cluster_load, long_case, worklist_page
from benchmarks.common import (
    STEPS,
    Progress,
    Report,
    Target,
    drive_case,
    machine_load,
    median_ms,
    pass_miss,
    print_table,
)
from benchmarks.complete_task import (
    Backend,
    NaiveRoundTrip,
    StepResult,
)
from benchmarks.http_load import percentile
from benchmarks.scale import QUERIES, ScalePoint

COMPLETE_TARGET = 1.0
SCALE_TARGET = 1.5
LONG_TARGET = 1.5
THROUGHPUT_TARGET = 100.0
TIMER_LAG_TARGET = 2.0
BYTES_TARGET_KB = 50.0


def report_complete_task(
    results: list[StepResult], backends: list[Backend], floors: dict[str, list[float]], report: Report
) -> None:
    names = [b.name for b in backends]
    rows = []
    for r in results:
        naive = median_ms(r.naive)
        engine = {n: median_ms(r.engine[n]) for n in names}
        rows.append(
            [
                r.element,
                *(f"{engine[n]:.2f}" for n in names),
                f"{naive:.2f}",
                *(f"{engine[n] / naive:.2f}x" for n in names),
                f"{r.json_sizes[0] / 1000:.1f} / {r.json_sizes[1] / 1000:.1f}",
            ]
        )
        report.targets.append(
            Target(
                f"complete {r.element}: engine ({names[0]}) / naive",
                engine[names[0]] / naive,
                COMPLETE_TARGET,
                note=f"{engine[names[0]]:.2f} ms vs {naive:.2f} ms",
            )
        )
    pooled = {n: median_ms([s for r in results for s in r.engine[n]]) for n in names}
    naive_all = median_ms([s for r in results for s in r.naive])
    rows.append(
        [
            "all steps",
            *(f"{pooled[n]:.2f}" for n in names),
            f"{naive_all:.2f}",
            *(f"{pooled[n] / naive_all:.2f}x" for n in names),
            "",
        ]
    )
    print_table(
        f"1. Complete one task, median ms of {len(results[0].naive)} samples per step "
        "(engine: load+run+save+commit+worklist+audit; naive: deserialize_json+run+serialize_json)",
        ["step", *(f"engine {n}" for n in names), "naive", *(f"{n}/naive" for n in names), "JSON kB engine/full"],
        rows,
    )
    base = names[0]
    print_table(
        f"   Process CPU time, median ms ({base} only: it leaves out waiting for the disk and for other processes)",
        ["step", f"engine {base}", "naive", f"{base}/naive"],
        [
            [
                r.element,
                f"{median_ms(r.engine_cpu[base]):.2f}",
                f"{median_ms(r.naive_cpu):.2f}",
                f"{median_ms(r.engine_cpu[base]) / median_ms(r.naive_cpu):.2f}x",
            ]
            for r in results
        ],
    )
    cpu_engine = median_ms([s for r in results for s in r.engine_cpu[base]])
    cpu_naive = median_ms([s for r in results for s in r.naive_cpu])
    report.notes.append(
        f"complete task, all steps, process CPU only: engine ({base}) {cpu_engine:.2f} ms vs naive "
        f"{cpu_naive:.2f} ms ({cpu_engine / cpu_naive:.2f}x); wall-time ratios above this "
        "are waiting (disk, database server, other processes)"
    )
    print_table(
        "   Storage floor: one-row UPDATE + COMMIT in a fresh session (median ms)",
        ["backend", "commit"],
        [[n, f"{median_ms(floors[n]):.2f}"] for n in names],
    )
    if len(names) > 1:
        base, other = names
        rows = [
            [
                r.element,
                f"{median_ms(r.engine[base]):.2f}",
                f"{median_ms(r.engine[other]):.2f}",
                f"{median_ms(r.engine[other]) / median_ms(r.engine[base]):.2f}x",
            ]
            for r in results
        ]
        rows.append(
            ["all steps", f"{pooled[base]:.2f}", f"{pooled[other]:.2f}", f"{pooled[other] / pooled[base]:.2f}x"]
        )
        print_table(
            f"3. {base} vs {other}: complete-task median ms (same run, interleaved)",
            ["step", base, other, f"{other}/{base}"],
            rows,
        )
        report.notes.append(
            f"complete task, all steps: {other} {pooled[other]:.2f} ms vs {base} "
            f"{pooled[base]:.2f} ms ({pooled[other] / pooled[base]:.2f}x); the test server "
            "runs with fsync=off, so its commits are not durable"
        )


def report_breakdown(backends: list[Backend], samples: int, progress: Progress) -> None:
    step = 1  # Task_besluit: form, boundary timer cancelled, call activity entered
    naive = NaiveRoundTrip(backends[0], step)
    tables = {}
    for backend in backends:
        with backend.rt.sessions() as session:
            prepared = [drive_case(backend.rt, session, backend.users, step) for _ in range(samples)]
        tables[backend.name] = breakdown.engine_phases(backend, step, prepared)
    progress(f"phase breakdown measured on {STEPS[step].element}")
    labels = [label for label, _ in tables[backends[0].name][0]]
    rows = [[label, *(f"{dict(tables[b.name][0])[label]:.3f}" for b in backends)] for label in labels]
    rows.append(["SQL statements per call", *(f"{tables[b.name][1]:.1f}" for b in backends)])
    print_table(
        f"   Where engine time goes on {STEPS[step].element} (median ms per phase, timers wrapped in)",
        ["phase", *(b.name for b in backends)],
        rows,
    )
    print_table(
        "   Naive round trip phases (median ms)",
        ["phase", "ms"],
        [[label, f"{ms:.3f}"] for label, ms in breakdown.naive_phases(naive, samples)],
    )


def report_scale(points: list[ScalePoint], report: Report) -> None:
    small, large = points
    print(
        f"\n2. Scale: on-disk SQLite at {small.cases:,} and {large.cases:,} stored cases "
        f"({small.task_rows:,} / {large.task_rows:,} human_task rows, {small.db_mb:,.0f} / {large.db_mb:,.0f} MB)"
    )
    print("   Open tasks in basis..pilot3 held constant (10 per region and role); history and timers grow.")
    rows = []
    for key, (label, is_target) in QUERIES.items():
        a, b = median_ms(small.samples[key]), median_ms(large.samples[key])
        ratio = b / a
        rows.append(
            [
                label,
                f"{a:.3f}",
                f"{b:.3f}",
                f"{ratio:.2f}",
                f"{small.rows_returned[key]} / {large.rows_returned[key]}",
                len(large.samples[key]),
                pass_miss(ratio <= SCALE_TARGET) if is_target else "info",
            ]
        )
        if is_target:
            report.targets.append(
                Target(
                    f"{label}: {large.cases // 1000}k / {small.cases // 1000}k",
                    ratio,
                    SCALE_TARGET,
                    note=f"{a:.3f} ms -> {b:.3f} ms",
                )
            )
    print_table(
        "   median ms",
        [
            "query",
            f"{small.cases // 1000}k",
            f"{large.cases // 1000}k",
            "ratio",
            "rows/fired",
            "samples",
            "target <=1.5",
        ],
        rows,
    )
    print(
        "   info rows have no target. 'nothing due' is the sweep's index lookup alone. The pilot4 page asks for\n"
        f"   20 rows while the open tasks matching it grow from {small.growing_open:,} to {large.growing_open:,}: "
        "its cost follows the open\n   worklist, not the stored cases.\n",
        flush=True,
    )


def report_long_case(results: list[long_case.LongResult], stored: long_case.StoredBytes, report: Report) -> None:
    rows = []
    for r in results:
        warm, cold, naive = median_ms(r.warm), median_ms(r.cold), median_ms(r.naive)
        rows.append(
            [
                f"{r.step} ({r.element})",
                f"{warm:.2f}",
                f"{cold:.2f}",
                f"{naive:.2f}",
                f"{warm / naive:.2f}x",
                f"{cold / naive:.2f}x",
                f"{r.hot_bytes / 1000:.1f} / {r.whole_bytes / 1000:.1f}",
                r.hot_tasks,
            ]
        )
        for name, value in (("warm", warm), ("cold", cold)):
            report.targets.append(
                Target(
                    f"long case completion {r.step}: engine {name} / naive (CPU)",
                    value / naive,
                    COMPLETE_TARGET,
                    note=f"{value:.2f} ms vs {naive:.2f} ms",
                )
            )
    print_table(
        "4. Long baseline case (wth-basis): completion early and late, process CPU median ms "
        "(warm: workflow kept in this process; cold: loaded from the database)",
        [
            "completion",
            "engine warm",
            "engine cold",
            "naive",
            "warm/naive",
            "cold/naive",
            "JSON kB hot/whole+spec",
            "tasks hot",
        ],
        rows,
    )
    print(
        "   Completion 1 and completion 30 load different live structures (the tasks hot column: a new case, and a\n"
        "   running ban with its live subprocesses); completion 14 and 30 are the same task with more history."
    )
    first, same_task, last = results[0], results[1], results[-1]
    for name, pick in (("warm", lambda r: r.warm), ("cold", lambda r: r.cold)):
        for early, note in ((first, ""), (same_task, " (same task, more history)")):
            report.targets.append(
                Target(
                    f"long case: completion {last.step} / completion {early.step}{note}, engine {name}",
                    median_ms(pick(last)) / median_ms(pick(early)),
                    LONG_TARGET,
                    note=f"{median_ms(pick(last)):.2f} ms vs {median_ms(pick(early)):.2f} ms",
                )
            )
    print_table(
        f"   Stored per case after {last.step} completions (bytes, mean of {stored.cases} cases)",
        ["workflow", "replay base", "archive", "events", "case state", "documents (PDF, HTML)"],
        [[stored.workflow, stored.replay, stored.archive, stored.events, stored.case_state, stored.documents]],
    )
    report.targets.append(
        Target(
            f"stored case state per case after {last.step} completions",
            stored.case_state / 1000,
            BYTES_TARGET_KB,
            unit=" kB",
            note="workflow + replay base + archive + events; documents not counted",
        )
    )


def report_worklist_pages(points: list[worklist_page.PagePoint], report: Report) -> None:
    small, large = points[0], points[-1]
    print_table(
        "5. Worklist through the web app: a page of 20 rows (HTML, API) and the default page of 50, median wall ms",
        ["open tasks", "HTML 20 rows", "API 20 rows", "HTML default (50)", "HTML bytes (20 rows)"],
        [
            [
                f"{p.open_tasks:,}",
                f"{p.html_ms:.2f}",
                f"{p.api_ms:.2f}",
                f"{p.html_default_ms:.2f}",
                f"{p.html_bytes:,}",
            ]
            for p in points
        ],
    )
    for name, pick in (("HTML", lambda p: p.html_ms), ("API", lambda p: p.api_ms)):
        report.targets.append(
            Target(
                f"worklist {name} page: {large.open_tasks:,} / {small.open_tasks:,} open tasks",
                pick(large) / pick(small),
                SCALE_TARGET,
                note=f"{pick(large):.2f} ms vs {pick(small):.2f} ms",
            )
        )


def report_cluster_load(result: cluster_load.LoadResult, report: Report) -> None:
    lag_p99 = percentile(result.timer_lags, 0.99)
    print_table(
        "6. Through gunicorn (2 workers) on PostgreSQL with 8 API clients, 1 timer worker\n"
        "   Each client starts a case and completes the tasks each answer names (next_tasks); the server CPU of\n"
        "   the starts is counted too. CPU s: web / timers / database.",
        [
            "completions",
            "requests",
            "server CPU s",
            "web/timers/db",
            "per CPU-s",
            "p50 ms",
            "p99 ms",
            "deadlines fired",
            "timer lag p99 s",
            "409",
        ],
        [
            [
                result.completions,
                result.requests,
                f"{result.cpu_seconds:.1f}",
                "/".join(f"{result.cpu_by_part[p]:.1f}" for p in ("web", "timers", "database")),
                f"{result.per_cpu_second:.0f}",
                f"{result.p50_ms:.1f}",
                f"{result.p99_ms:.1f}",
                len(result.timer_lags),
                f"{lag_p99:.2f}",
                result.conflicts,
            ]
        ],
    )
    report.targets.append(
        Target(
            "API completions per server CPU-second (gunicorn, PostgreSQL, 8 clients)",
            result.per_cpu_second,
            THROUGHPUT_TARGET,
            unit="/s",
            at_least=True,
            note=f"p50 {result.p50_ms:.1f} ms, p99 {result.p99_ms:.1f} ms; CPU: gunicorn, timer worker, PostgreSQL",
        )
    )
    report.targets.append(
        Target(
            "timer lag p99 under that load",
            lag_p99,
            TIMER_LAG_TARGET,
            unit=" s",
            note=f"{len(result.timer_lags)} deadlines",
        )
    )


def report_summary(report: Report, progress: Progress) -> None:
    rows = [
        [
            t.name,
            f"{t.measured:.2f}{t.unit}",
            f"{'>=' if t.at_least else '<='} {t.limit:.1f}{t.unit}",
            pass_miss(t.met),
            t.note,
        ]
        for t in report.targets
    ]
    print_table("SUMMARY", ["target", "measured", "limit", "result", "detail"], rows)
    print(f"at end: {machine_load()}")
    for note in report.notes:
        print(f"note: {note}")
    missed = sum(not t.met for t in report.targets)
    print(
        f"{len(report.targets) - missed} of {len(report.targets)} targets met; total time {progress.elapsed():.0f} s"
        " (a MISS is reported, not an error)",
        flush=True,
    )
