"""A real OpenID provider for the single sign-on tests: panva/oidc-provider on 127.0.0.1 (tools/oidc-provider).

The test chooses the provider's signing key (so it can also forge tokens signed with it), its
client and its accounts; :meth:`OidcProvider.login` plays the browser at the provider.
"""

from __future__ import annotations

import json
import selectors
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import requests
from joserfc.jwk import RSAKey

from tests.conftest import PROJECT_ROOT
from tests.local_servers import free_port

SERVER = PROJECT_ROOT / "tools" / "oidc-provider" / "server.mjs"
CLIENT_ID = "thv-test"
CLIENT_SECRET = "een-geheim-van-de-testclient-0123456789"
REDIRECT_URI = "http://localhost/inloggen/sso/terug"  # the Flask test client's host
CLAIMS = {
    "openid": ["sub"],
    "profile": ["preferred_username", "name"],
    "email": ["email", "email_verified"],
    "thv": ["thv_rollen", "thv_regio"],
}
START_SECONDS = 20


@dataclass
class OidcProvider:
    issuer: str
    process: subprocess.Popen[str]
    signing_key: dict[str, Any]
    accounts: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def start(
        cls, folder: Path, accounts: dict[str, dict[str, Any]], redirect_uris: tuple[str, ...] = (REDIRECT_URI,)
    ) -> OidcProvider:
        node = shutil.which("node")
        if node is None or not (SERVER.parent / "node_modules" / "oidc-provider").is_dir():
            raise RuntimeError("node or tools/oidc-provider/node_modules is missing: run `make oidc-provider`")
        key = RSAKey.generate_key(2048, parameters={"kid": "thv-test-1", "use": "sig", "alg": "RS256"}, private=True)
        signing_key = key.as_dict(private=True)
        port = free_port()
        config = folder / "oidc-provider.json"
        config.write_text(
            json.dumps(
                {
                    "port": port,
                    "clients": [
                        {
                            "client_id": CLIENT_ID,
                            "client_secret": CLIENT_SECRET,
                            "redirect_uris": list(redirect_uris),
                            "grant_types": ["authorization_code"],
                            "response_types": ["code"],
                        }
                    ],
                    "accounts": accounts,
                    "claims": CLAIMS,
                    "jwks": {"keys": [signing_key]},
                }
            ),
            encoding="utf-8",
        )
        log = folder / "oidc-provider.log"
        with log.open("w", encoding="utf-8") as errors:  # its warnings (in-memory adapter, Node version)
            process = subprocess.Popen(
                [node, str(SERVER), str(config)], cwd=SERVER.parent, stdout=subprocess.PIPE, stderr=errors, text=True
            )
        assert process.stdout is not None
        with selectors.DefaultSelector() as selector:
            selector.register(process.stdout, selectors.EVENT_READ)
            ready = selector.select(timeout=START_SECONDS)
        line = process.stdout.readline() if ready else ""
        if not line.startswith("listening "):
            process.kill()
            process.wait()
            process.stdout.close()
            raise RuntimeError(f"the OpenID provider did not start: {line}{log.read_text(encoding='utf-8')}")
        return cls(line.split()[1], process, signing_key, accounts)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()

    def forge_next_token(self, claims: dict[str, Any] | None = None, *, foreign_key: bool = False) -> None:
        """The next token response carries an ID token with ``claims`` changed (None removes one)."""
        answer = requests.post(
            f"{self.issuer}/__test/forge", json={"claims": claims or {}, "foreign_key": foreign_key}, timeout=10
        )
        answer.raise_for_status()

    def login(self, authorize_url: str, account: str) -> str:
        """Play the browser at the provider: log in as ``account``; returns the redirect back to the app."""
        browser = requests.Session()
        url = authorize_url
        for _ in range(10):
            answer = browser.get(url, allow_redirects=False, timeout=10)
            if answer.status_code in (302, 303):
                url = urljoin(url, answer.headers["Location"])
                if url.startswith(REDIRECT_URI):
                    return url
                continue
            assert answer.status_code == 200, (answer.status_code, answer.text[:500])
            assert "/interaction/" in url, url
            posted = browser.post(f"{url}/login", data={"login": account}, allow_redirects=False, timeout=10)
            assert posted.status_code == 303, (posted.status_code, posted.text[:500])
            url = urljoin(url, posted.headers["Location"])
        raise AssertionError(f"no redirect back to the app from {authorize_url}")


def sso_config_text(issuer_url: str, **overrides: str) -> str:
    """A THV_OIDC_CONFIG file for the test provider; ``overrides`` replace whole lines by key."""
    lines = {
        "issuer": f'issuer = "{issuer_url}"',
        "client_id": f'client_id = "{CLIENT_ID}"',
        "label": 'label = "Test-IdP"',
        "scopes": 'scopes = ["openid", "profile", "email", "thv"]',
        "role_claim": 'role_claim = "thv_rollen"',
        "region_claim": 'region_claim = "thv_regio"',
    }
    lines.update(overrides)
    tables = overrides.get(
        "tables",
        '[roles]\n"THV-Hulpofficier" = "hulpofficier"\n"THV-Politie" = "politie"\n'
        '[regions]\n"Regio-Basis" = "basis"\n"Regio-Pilot1" = "pilot1"\n',
    )
    lines.pop("tables", None)
    return "\n".join(lines.values()) + "\n" + tables
