"""The example proxy (deploy/nginx/thv.conf) in a real nginx in front of a real ``thv serve`` (gunicorn, production).

The shipped file is used as it is, with only its addresses, ports and certificate paths pointed at the test's own
(each replacement must match, so a changed file fails here instead of going untested). Checked: plain HTTP goes to
HTTPS; the app believes the client address and https that the proxy passes on (the login limit counts per client,
not per proxy); the request id is the same in the proxy's log and the app's answer; no personal data in the
proxy's log; too large a request and a stopped app get a Dutch answer.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import PROJECT_ROOT
from tests.local_servers import free_port, wait_for_line
from tests.tls_certs import TestCa, make_ca

CONFIG = PROJECT_ROOT / "deploy" / "nginx" / "thv.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


@dataclass(frozen=True)
class Proxy:
    http_port: int
    https_port: int
    ca: TestCa
    access_log: Path

    def request(
        self,
        method: str,
        path: str,
        *,
        source: str = "127.0.0.1",
        headers: dict[str, str] | None = None,
        body: bytes | None = None,
    ) -> tuple[http.client.HTTPResponse, bytes]:
        """One HTTPS request from client address ``source`` (any 127.x address is this machine)."""
        context = ssl.create_default_context(cafile=str(self.ca.ca_file))
        connection = http.client.HTTPSConnection(
            "127.0.0.1", self.https_port, context=context, source_address=(source, 0), timeout=30
        )
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return response, response.read()
        finally:
            connection.close()


def _rendered(ca: TestCa, upstream: int, http_port: int, https_port: int, log: Path) -> str:
    """The shipped configuration, pointed at this test's addresses: each line replaced must be there."""
    text = CONFIG.read_text(encoding="utf-8")
    replacements = [
        ("server 127.0.0.1:5000;", f"server 127.0.0.1:{upstream};", 1),
        ("    listen 80;\n", f"    listen 127.0.0.1:{http_port};\n", 1),
        ("    listen [::]:80;\n", "", 1),
        ("    listen 443 ssl http2;\n", f"    listen 127.0.0.1:{https_port} ssl http2;\n", 1),
        ("    listen [::]:443 ssl http2;\n", "", 1),
        ("/etc/ssl/thv/fullchain.pem", str(ca.server.cert_file), 1),
        ("/etc/ssl/thv/privkey.pem", str(ca.server.key_file), 1),
        ("/var/log/nginx/thv-access.log", str(log), 2),
    ]
    for old, new, count in replacements:
        assert text.count(old) == count, f"deploy/nginx/thv.conf changed: {old!r} expected {count} time(s)"
        text = text.replace(old, new)
    return text


@contextmanager
def _nginx(folder: Path, ca: TestCa, upstream: int) -> Iterator[Proxy]:
    folder.mkdir()
    http_port, https_port = free_port(), free_port()
    log = folder / "access.log"
    (folder / "thv.conf").write_text(_rendered(ca, upstream, http_port, https_port, log), encoding="utf-8")
    temp = "\n".join(
        f"    {kind}_temp_path {folder / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    # What the distribution's nginx.conf gives around conf.d: here one master in the foreground, as this user.
    (folder / "nginx.conf").write_text(
        f"""daemon off;
{"user root root;" if os.geteuid() == 0 else ""}
worker_processes 1;
pid {folder / "nginx.pid"};
error_log stderr notice;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
{temp}
    include {folder / "thv.conf"};
}}
""",
        encoding="utf-8",
    )
    command = [NGINX, "-p", str(folder), "-c", str(folder / "nginx.conf")]
    checked = subprocess.run([*command, "-t"], capture_output=True, text=True, timeout=60)
    assert checked.returncode == 0, checked.stderr
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    try:
        wait_for_line(process, "start worker process", time.monotonic() + 30)  # the ports are bound before
        yield Proxy(http_port, https_port, ca, log)
    finally:
        process.terminate()
        process.wait(timeout=30)
        process.stderr.close()


@pytest.fixture(scope="module")
def ca(tmp_path_factory) -> TestCa:
    return make_ca(tmp_path_factory.mktemp("ca"))


@pytest.fixture(scope="module")
def app_port(tmp_path_factory) -> Iterator[int]:
    """``thv serve`` in production mode (gunicorn, one worker on SQLite) that trusts one proxy."""
    folder = tmp_path_factory.mktemp("app")
    env = {name: value for name, value in os.environ.items() if not name.startswith("THV_")}
    env.update(
        THV_MODE="production",
        THV_DATABASE_URL=f"sqlite:///{folder / 'thv.sqlite'}",
        THV_SECRET_KEY="een-lang-geheim-voor-de-proxytest",
        THV_TRUSTED_PROXIES="1",
    )
    init = subprocess.run([sys.executable, "-m", "cli.main", "init-db"], cwd=PROJECT_ROOT, env=env, timeout=120)
    assert init.returncode == 0
    port = free_port()
    command = [sys.executable, "-m", "cli.main", "serve", "--host", "127.0.0.1", "--port", str(port)]
    process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stderr=subprocess.PIPE, text=True)
    try:
        wait_for_line(process, "Booting worker", time.monotonic() + 60)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=60)
        process.stderr.close()


@pytest.fixture(scope="module")
def proxy(tmp_path_factory, ca, app_port) -> Iterator[Proxy]:
    with _nginx(tmp_path_factory.mktemp("nginx") / "proxy", ca, app_port) as running:
        yield running


def test_plain_http_is_sent_to_https_with_its_path(proxy):
    connection = http.client.HTTPConnection("127.0.0.1", proxy.http_port, timeout=30)
    try:
        connection.request("GET", "/werkbak?pagina=2")
        response = connection.getresponse()
        response.read()
    finally:
        connection.close()
    assert response.status == 301
    assert response.headers["Location"] == "https://127.0.0.1/werkbak?pagina=2"


def test_the_app_answers_over_https_with_its_own_security_headers_and_no_versions(proxy):
    response, body = proxy.request("GET", "/health")
    assert response.status == 200 and json.loads(body)["mode"] == "production"
    assert response.headers["Server"] == "nginx"  # neither nginx's version nor gunicorn's name
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    login, _ = proxy.request("GET", "/inloggen")
    cookie = login.headers["Set-Cookie"]
    assert cookie.startswith("thv_sessie=") and "Secure" in cookie and "HttpOnly" in cookie


def test_the_proxy_and_the_app_log_the_same_request_id_and_the_proxy_no_query_or_address(proxy):
    response, _ = proxy.request("GET", "/health/live?naam=Jansen", source="127.0.0.9")
    request_id = response.headers["X-Request-Id"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)  # nginx's $request_id, kept by the app
    # nginx writes the log line just after the response leaves; its one worker answers the next request
    # only after that, so once this one is answered the line is there (no waiting on the clock).
    proxy.request("GET", "/health/live")
    lines = proxy.access_log.read_text(encoding="utf-8").splitlines()
    [line] = [line for line in lines if request_id in line]
    assert " GET /health/live 200 " in line
    assert "Jansen" not in line and "127.0.0.9" not in line


def _login_form(proxy: Proxy, source: str) -> dict[str, str]:
    """Headers for a POST of the login form from ``source``: its session cookie, and the page as referrer."""
    response, body = proxy.request("GET", "/inloggen", source=source)
    token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', body)
    assert token is not None
    return {
        "Cookie": response.headers["Set-Cookie"].split(";")[0],
        "Referer": f"https://127.0.0.1:{proxy.https_port}/inloggen",  # checked by CSRF on HTTPS
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Csrf": token.group(1).decode(),
    }


def _failed_login(proxy: Proxy, source: str, form: dict[str, str], *, forged_for: str | None = None) -> int:
    headers = {key: value for key, value in form.items() if key != "X-Csrf"}
    if forged_for:
        headers["X-Forwarded-For"] = forged_for
    body = f"csrf_token={form['X-Csrf']}&name=&password=".encode()  # empty: refused before any password check
    response, _ = proxy.request("POST", "/inloggen", source=source, headers=headers, body=body)
    return response.status


def test_the_login_limit_counts_per_client_address_behind_the_proxy(proxy):
    """30 failed logins a minute per address (web/views/auth.py): the address is the client's, not the proxy's."""
    first = _login_form(proxy, "127.0.0.2")
    statuses = [_failed_login(proxy, "127.0.0.2", first) for _ in range(30)]
    assert statuses == [400] * 30  # refused as an empty form: so the CSRF check on HTTPS passed
    assert _failed_login(proxy, "127.0.0.2", first) == 429
    other = _login_form(proxy, "127.0.0.3")
    assert _failed_login(proxy, "127.0.0.3", other) == 400  # another client, through the same proxy
    # A client cannot pass for another one by sending the header itself: the proxy replaces it.
    assert _failed_login(proxy, "127.0.0.2", first, forged_for="127.0.0.4") == 429


def test_a_request_over_the_apps_limit_gets_the_apps_dutch_answer_and_over_the_proxys_its_own(proxy):
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    response, body = proxy.request("POST", "/inloggen", headers=headers, body=b"x" * (1024 * 1024 + 1))
    assert response.status == 413 and "Het verzoek is te groot" in body.decode()  # the app's own page
    assert response.headers["Content-Type"].startswith("text/html")
    response, body = proxy.request("POST", "/inloggen", headers=headers, body=b"x" * (2 * 1024 * 1024 + 1))
    assert response.status == 413 and response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert body.decode() == "Het verzoek is te groot; er is niets gewijzigd.\n"


def test_a_stopped_app_gets_a_dutch_answer_to_come_back_later(tmp_path, ca):
    with _nginx(tmp_path / "proxy", ca, upstream=free_port()) as stopped:  # nothing listens there
        response, body = stopped.request("GET", "/werkbak")
    assert response.status == 503 and response.headers["Retry-After"] == "30"
    assert body.decode().startswith("Het zaaksysteem is even niet bereikbaar.")
