"""The process designer's work on deployed versions: who may see and change what, edits, checks, deploys.

Access (the web's designer area and comparison dashboard):

* a ``designer`` works in the regions of their account: they see those regions'
  versions and may deploy, roll back and migrate cases there;
* a ``beheerder`` sees the regions of their account too, but changes nothing
  here (the CLI lets a beheerder of the region roll back, see
  ``engine.modeling.versions.may_design``; the web leaves changes to the region's own
  designers);
* anyone else has no access (403); a version of a region one cannot see is a 404.

An edit is a bundle: the stored files of a version with some files replaced or
added (from the modeller or an upload). Checking it runs every deploy check
(``engine.modeling.registry.parse_bundle``) and stores nothing; deploying it stores the
next version of that region's variant through ``deploy_bundle``, which checks
everything again and changes nothing when a check fails.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from pathlib import Path, PurePosixPath

from sqlalchemy.orm import Session

from engine.base.clock import Clock
from engine.base.errors import DeployRefused, Finding, Forbidden, InvalidInput, NotFound
from engine.base.vocabulary import REGION_CODES
from engine.design import case_migration, model_diff
from engine.design.read_models import (
    ComparedVersion,
    Comparison,
    DeployedEdit,
    MigrationResult,
    RegionVersions,
    SideMarkers,
    VariantVersions,
    VersionDetail,
    VersionFile,
    VersionRef,
    VersionWithCases,
)
from engine.modeling import versions
from engine.modeling.bpmn_xml import BPMN_NS
from engine.modeling.bundle import MODEL_SUFFIXES
from engine.modeling.forms import FORM_SUFFIX, FORMS_PREFIX
from engine.modeling.registry import ModelRegistry, deploy_bundle, list_versions, parse_bundle
from engine.modeling.versions import VersionRow
from engine.modeling.xml_safety import parse_model_xml
from engine.storage.tables import ModelVersion, User
from engine.workflow.parking import parked_cases

MAX_FILE_NAME = 120


# --- who may do what ------------------------------------------------------------


def may_view(user: User, region: str) -> bool:
    return bool({versions.ADMIN_ROLE, versions.DESIGNER_ROLE} & user.roles) and region in user.regions


def may_change(user: User, region: str) -> bool:
    return versions.DESIGNER_ROLE in user.roles and region in user.regions


def viewable_regions(user: User) -> list[str]:
    """The regions whose versions (and figures) the user may see, sorted."""
    return sorted(r for r in REGION_CODES if may_view(user, r))


def require_area(user: User) -> list[str]:
    regions = viewable_regions(user)
    if not regions:
        raise Forbidden("alleen procesontwerpers en beheerders hebben toegang tot procesontwerp en het dashboard")
    return regions


def require_change(user: User, region: str) -> None:
    if not may_change(user, region):
        raise Forbidden(
            f"alleen een procesontwerper van regio '{region}' mag hier uitrollen, terugdraaien of zaken migreren"
        )


def _version(session: Session, user: User, version_id: int) -> ModelVersion:
    require_area(user)
    version = session.get(ModelVersion, version_id)
    if version is None or not may_view(user, version.region):
        raise NotFound(f"modelversie {version_id} bestaat niet")
    return version


# --- reading versions -----------------------------------------------------------


def _with_cases(session: Session, region: str) -> list[VersionWithCases]:
    """The region's versions (oldest first), each with the cases on it."""
    counts = {row["model_version_id"]: row for row in versions.cases_per_version(session, region)}
    result = []
    for row in list_versions(session, region):
        cases = counts.get(row["id"])
        result.append(
            VersionWithCases(
                id=row["id"],
                region=row["region"],
                variant=row["variant"],
                version=row["version"],
                sha256=row["sha256"],
                main_process=row["main_process"],
                created_at=row["created_at"],
                created_by=row["created_by"],
                live=row["live"],
                region_default=row["region_default"],
                files=tuple(row["files"]),
                by_status=cases["by_status"] if cases else {},
                total=cases["total"] if cases else 0,
                active_case_ids=tuple(cases.get("active_case_ids", [])) if cases else (),
            )
        )
    return result


def _newest_first(rows: list[VersionWithCases]) -> tuple[VersionWithCases, ...]:
    return tuple(sorted(rows, key=lambda r: -r.version))


def overview(session: Session, user: User) -> list[RegionVersions]:
    """Per viewable region: its variants, each with its versions (newest first) and the cases on them."""
    result = []
    for region in require_area(user):
        variants: dict[str, list[VersionWithCases]] = {}
        for row in _with_cases(session, region):
            variants.setdefault(row.variant, []).append(row)
        result.append(
            RegionVersions(
                region=region,
                may_change=may_change(user, region),
                variants=tuple(
                    VariantVersions(
                        variant=name,
                        versions=_newest_first(rows),
                        live=next((r.version for r in rows if r.live), None),
                        default=any(r.region_default for r in rows),
                    )
                    for name, rows in sorted(variants.items())
                ),
                history=tuple(versions.live_history(session, region)[:20]),
            )
        )
    return result


def all_versions(session: Session, user: User) -> list[VersionRow]:
    """Every version the user may see (for choosing what to compare)."""
    return [row for region in require_area(user) for row in list_versions(session, region)]


def _main_file(files: dict[str, bytes], main_process: str) -> str | None:
    for name, content in sorted(files.items()):
        if not name.endswith(".bpmn"):
            continue
        root, finding = parse_model_xml(name, content)
        if (
            finding is None
            and root is not None
            and any(p.get("id") == main_process for p in root.iter(f"{{{BPMN_NS}}}process"))
        ):
            return name
    return None


def version_files(session: Session, user: User, version_id: int) -> dict[str, bytes]:
    version = _version(session, user, version_id)
    return {f.path: f.content.encode("utf-8") for f in version.files}


def version_file(session: Session, user: User, version_id: int, path: str) -> bytes:
    files = version_files(session, user, version_id)
    if path not in files:
        raise NotFound(f"versie {version_id} heeft geen bestand '{path[:MAX_FILE_NAME]}'")
    return files[path]


def version_detail(session: Session, user: User, version_id: int) -> VersionDetail:
    """A version with its files, its siblings (the variant's other versions) and the cases on each."""
    version = _version(session, user, version_id)
    files = {f.path: f.content.encode("utf-8") for f in version.files}
    siblings = [row for row in _with_cases(session, version.region) if row.variant == version.variant]
    this = next(row for row in siblings if row.id == version.id)
    main = _main_file(files, version.main_process)
    kinds = {".bpmn": "bpmn", ".dmn": "dmn"}
    return VersionDetail(
        version=this,
        main_file=main,
        may_change=may_change(user, version.region),
        files=tuple(
            VersionFile(
                path=path,
                kind="form" if path.startswith(FORMS_PREFIX) else kinds.get(PurePosixPath(path).suffix, "other"),
                size=len(content),
                main=path == main,
            )
            for path, content in sorted(files.items(), key=lambda item: (item[0] != main, item[0]))
        ),
        siblings=_newest_first(siblings),
        older_active=tuple(
            case_id for row in siblings if row.version < this.version for case_id in row.active_case_ids
        ),
        history=tuple(versions.live_history(session, version.region, version.variant)[:20]),
        parked=tuple(parked_cases(session, version.id)),
    )


def _compared(ref: VersionRef, files: dict[str, bytes], markers: SideMarkers) -> ComparedVersion:
    return ComparedVersion(**ref, main_file=_main_file(files, ref["main_process"]), files=files, markers=markers)


def compare(session: Session, user: User, version_a: int, version_b: int) -> Comparison:
    """``engine.design.model_diff.diff_versions`` of two versions the user may see, with both versions' files."""
    files_a, files_b = version_files(session, user, version_a), version_files(session, user, version_b)
    result = model_diff.diff_versions(session, version_a, version_b)
    return Comparison(
        a=_compared(result["a"], files_a, result["markers"]["a"]),
        b=_compared(result["b"], files_b, result["markers"]["b"]),
        summary=result["summary"],
        processes=result["processes"],
        changes=result["changes"],
        forms=result["forms"],
    )


# --- edits: check and deploy ----------------------------------------------------


def _clean_name(name: str) -> str:
    name = (name or "").replace("\\", "/").strip()
    parts = PurePosixPath(name).parts
    if (
        not name
        or len(name) > MAX_FILE_NAME
        or name.startswith("/")
        or ".." in parts
        or any(not all(c.isalnum() or c in "-_. " for c in part) for part in parts)
    ):
        raise InvalidInput(f"bestandsnaam '{name[:MAX_FILE_NAME]}' is ongeldig (letters, cijfers, - _ .)")
    if name.endswith(FORM_SUFFIX):
        # A form travels with the model (issue 17): it is stored as forms/<name> and checked at deploy.
        return name if name.startswith(FORMS_PREFIX) and name.count("/") == 1 else FORMS_PREFIX + parts[-1]
    if not name.endswith(MODEL_SUFFIXES) or name.startswith(FORMS_PREFIX):
        raise InvalidInput(
            f"'{name}': alleen .bpmn- en .dmn-bestanden en formulieren (.schema.json) kunnen worden geüpload"
        )
    return name


def place_files(existing: Collection[str], uploads: dict[str, bytes]) -> dict[str, bytes]:
    """Where uploaded files go: onto the stored file of the same name (also in common/), else alongside."""
    by_base: dict[str, list[str]] = {}
    for path in existing:
        by_base.setdefault(PurePosixPath(path).name, []).append(path)
    placed: dict[str, bytes] = {}
    for name, content in uploads.items():
        clean = _clean_name(name)
        targets = [clean] if clean in existing else by_base.get(PurePosixPath(clean).name, [clean])
        if len(targets) > 1:
            raise InvalidInput(f"'{clean}' past op meer dan één bestand van de versie: {', '.join(targets)}")
        placed[targets[0]] = content
    return placed


def validate_bundle(files: dict[str, bytes], forms_dir: Path | None) -> list[Finding]:
    """Every deploy check on a bundle, storing nothing: the findings, errors and warnings alike.

    It would deploy when they do not :func:`engine.base.errors.refuses` it.
    """
    try:
        model = parse_bundle(files, forms_dir=forms_dir)
    except DeployRefused as refused:
        return list(refused.findings)
    return list(model.warnings)


def edited_bundle(
    session: Session, user: User, version_id: int, replacements: dict[str, bytes]
) -> tuple[ModelVersion, dict[str, bytes]]:
    """The version's stored files with ``replacements`` (path -> content) put in."""
    version = _version(session, user, version_id)
    files = {f.path: f.content.encode("utf-8") for f in version.files}
    for path in replacements:
        _clean_name(path)
    return version, {**files, **replacements}


def check_edit(
    session: Session, registry: ModelRegistry, user: User, version_id: int, replacements: dict[str, bytes]
) -> list[Finding]:
    _, files = edited_bundle(session, user, version_id, replacements)
    return validate_bundle(files, registry.forms_dir)


def deploy_edit(
    session: Session,
    registry: ModelRegistry,
    user: User,
    version_id: int,
    replacements: dict[str, bytes],
    now: datetime,
) -> DeployedEdit:
    """Deploy the edited bundle as the next version of the version's own region and variant."""
    base, files = edited_bundle(session, user, version_id, replacements)
    require_change(user, base.region)
    region, variant = base.region, base.variant
    result = deploy_bundle(session, registry, files, region=region, variant=variant, actor=user.name, now=now)
    return DeployedEdit(
        id=result.version.id,
        version=result.version.version,
        created=result.created,
        region=region,
        variant=variant,
        warnings=list(result.warnings),
    )


# --- live version and migration -------------------------------------------------


def make_live(session: Session, user: User, version_id: int, now: datetime) -> versions.LiveVersionSet:
    version = _version(session, user, version_id)
    require_change(user, version.region)
    return versions.rollback_live_version(
        session, user=user, region=version.region, variant=version.variant, version=version.version, now=now
    )


def migration_preview(
    session: Session, registry: ModelRegistry, clock: Clock, user: User, version_id: int
) -> list[MigrationResult]:
    """Dry run for every active case on an older version of this variant: could it move here?"""
    version = _version(session, user, version_id)
    require_change(user, version.region)
    return case_migration.migration_preview(
        session, registry, clock, region=version.region, variant=version.variant, to_version=version.version, user=user
    )


def migrate(
    session: Session, registry: ModelRegistry, clock: Clock, user: User, version_id: int, case_ids: list[int]
) -> list[MigrationResult]:
    """Move the chosen cases (active, this variant, older versions) to this version; a result per case."""
    detail = version_detail(session, user, version_id)
    version = detail.version
    require_change(user, version.region)
    if not case_ids:
        raise InvalidInput("kies minstens één zaak om te migreren")
    allowed = set(detail.older_active)
    eligible = [c for c in dict.fromkeys(case_ids) if c in allowed]
    results = (
        {
            r["case_id"]: r
            for r in case_migration.migrate_cases(
                session, registry, clock, case_ids=eligible, to_version=version.version, user=user
            )
        }
        if eligible
        else {}
    )
    reason = f"geen actieve zaak van variant '{version.variant}' in regio '{version.region}' op een eerdere versie"
    return [
        results.get(c)
        or {
            "case_id": c,
            "to_version": version.version,
            "from_version": None,
            "status": case_migration.REFUSED,
            "reason": reason,
        }
        for c in dict.fromkeys(case_ids)
    ]
