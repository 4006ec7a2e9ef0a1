"""A real SMTP server for the tests (aiosmtpd, in a thread) on 127.0.0.1: it receives what the application sends.

It can be told to answer like a server in trouble: refuse recipients for good (550), refuse the data for now
(451), or ask for a login; ``stop`` closes the port so connecting is refused, ``start`` opens it again (same port).
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.local_servers import free_port
from tests.tls_certs import ServerCert


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: EmailMessage
    encrypted: bool = False  # the message came over TLS (STARTTLS or TLS from the first byte)

    @property
    def text(self) -> str:
        body = self.message.get_body(preferencelist=("plain",))
        assert body is not None
        return str(body.get_content()).replace("\r\n", "\n")

    @property
    def whole(self) -> str:
        """Headers and body as one text: what must not contain case content."""
        return "\n".join(f"{k}: {v}" for k, v in self.message.items()) + "\n" + self.text


@dataclass
class _Handler:
    received: list[Received] = field(default_factory=list)
    mode: str = "accept"  # accept, refuse_recipient (550), defer (451 on data)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if self.mode == "refuse_recipient":
            return "550 5.1.1 onbekende ontvanger"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.mode == "defer":
            return "451 4.3.0 probeer het later opnieuw"
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message, _encrypted(server)))
        return "250 OK"


def _encrypted(server: Any) -> bool:
    # The transport the message came over: after STARTTLS the TLS one, with TLS from the first byte the only one.
    return server.transport.get_extra_info("ssl_object") is not None


class SmtpServer:
    host = "127.0.0.1"

    def __init__(
        self, *, login: tuple[str, str] | None = None, tls: str | None = None, cert: ServerCert | None = None
    ) -> None:
        """``tls``: None (plain), "starttls" (offered and required) or "tls" (from the first byte), with ``cert``."""
        assert (tls is None) == (cert is None)
        self.port = free_port()
        self.handler = _Handler()
        self.login = login
        self.tls = tls
        self.cert = cert
        self.logins: list[str] = []
        self._controller: Controller | None = None

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    @property
    def url(self) -> str:
        return f"smtp://{self.host}:{self.port}"

    def mode(self, mode: str) -> None:
        self.handler.mode = mode

    def start(self) -> SmtpServer:
        kwargs: dict[str, Any] = {}
        if self.login is not None:
            kwargs = {
                "authenticator": self._authenticate,
                # Over plain SMTP only on 127.0.0.1. aiosmtpd counts only STARTTLS as TLS for this, so a
                # server with TLS from the first byte offers the login without asking.
                "auth_require_tls": self.tls == "starttls",
            }
        if self.cert is not None:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(self.cert.cert_file, self.cert.key_file)
            if self.tls == "starttls":
                kwargs.update(tls_context=context, require_starttls=True)
            else:
                kwargs.update(ssl_context=context)
        self._controller = Controller(self.handler, hostname=self.host, port=self.port, **kwargs)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def _authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        if isinstance(data, LoginPassword) and self.login is not None:
            user, password = data.login.decode(), data.password.decode()
            if (user, password) == self.login:
                self.logins.append(user)
                return AuthResult(success=True)
        return AuthResult(success=False, handled=False)
