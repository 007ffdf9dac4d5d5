"""SMTP delivery with retries: what a reply means decides what happens next.

    with SmtpMailer.from_settings(settings, RetryPolicy()) as mailer:
        result = mailer.send(message, "ada@example.com")

| what happened | raised after retries | the delivery becomes |
|---|---|---|
| 250 accepted | (returns `Sent`) | sent |
| 4xx on RCPT / DATA / MAIL (greylisting, mailbox busy, 421) | `TransientFailure` | pending: the next run tries again |
| connection refused, dropped, timed out | `MailerUnavailable` | pending, and the run stops: the rest wait too |
| 5xx on RCPT (no such user, mailbox disabled) | `PermanentFailure(bounce=True)` at once | failed, counted as a hard bounce |
| 5xx on DATA (message refused) | `PermanentFailure(bounce=False)` at once | failed |
| 5xx on MAIL FROM, failed login, no STARTTLS | `MailerConfigError` at once | pending, and the run stops: our settings are wrong |

Transient errors are retried within the run by tenacity (`RetryPolicy`: attempts and an
exponential wait); a dropped connection is re-opened before the next try. Security is
`none`, `starttls` (the server must offer it) or `ssl` (implicit TLS, usually port 465),
with the system's certificate store; user and password come from BRIEFING_SMTP_USER and
BRIEFING_SMTP_PASSWORD.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import parseaddr
from types import TracebackType

from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from briefing.config import Settings
from briefing.errors import BriefingError, ConfigError

SECURITY = ("none", "starttls", "ssl")


@dataclass(frozen=True)
class RetryPolicy:
    """How hard one run tries one message: `attempts` in all, waiting `wait`·2^n s (≤ `wait_max`)."""

    attempts: int = 3
    wait: float = 1.0
    wait_max: float = 30.0


@dataclass(frozen=True)
class Sent:
    attempts: int
    reply: str


class MailError(BriefingError):
    """A message was not delivered; `code` and `reply` are the server's last answer."""

    def __init__(self, message: str, *, code: int | None = None, reply: str = "", attempts: int = 1):
        super().__init__(message)
        self.code = code
        self.reply = reply
        self.attempts = attempts


class TransientFailure(MailError):
    """4xx replies until the retries ran out: try again in a later run."""


class PermanentFailure(MailError):
    """A 5xx reply: never retry this message. `bounce`: the recipient itself was refused."""

    def __init__(self, message: str, *, bounce: bool, **kwargs: object):
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        self.bounce = bounce


class MailerUnavailable(MailError):
    """The server could not be reached (or kept dropping the connection)."""


class MailerConfigError(MailError):
    """The server refuses us, not the recipient (sender, login, TLS): fix the settings."""


class _Retry(Exception):
    """Internal: a transient problem tenacity should retry."""

    def __init__(self, code: int | None, reply: str, *, unreachable: bool = False):
        super().__init__(reply)
        self.code = code
        self.reply = reply
        self.unreachable = unreachable


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


def _describe(code: int | None, reply: str) -> str:
    return f"{code} {reply}".strip() if code else reply


class SmtpMailer:
    """One SMTP connection per run, re-opened when it drops; one recipient per message."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        security: str = "none",
        user: str | None = None,
        password: str | None = None,
        sender: str = "briefing@localhost",
        policy: RetryPolicy = RetryPolicy(),
        timeout: float = 30.0,
    ) -> None:
        if security not in SECURITY:
            raise ConfigError(f"BRIEFING_SMTP_SECURITY must be one of {', '.join(SECURITY)}, not {security!r}")
        self.host, self.port, self.security = host, port, security
        self.user, self.password = user, password
        self.sender = parseaddr(sender)[1] or sender
        self.policy = policy
        self.timeout = timeout
        self._smtp: smtplib.SMTP | None = None

    @classmethod
    def from_settings(cls, settings: Settings, policy: RetryPolicy = RetryPolicy()) -> SmtpMailer:
        return cls(
            settings.smtp_host,
            settings.smtp_port,
            security=settings.smtp_security.strip().lower(),
            user=settings.smtp_user,
            password=settings.smtp_password,
            sender=settings.mail_from,
            policy=policy,
        )

    def __enter__(self) -> SmtpMailer:
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.close()

    # ------------------------------------------------------------ connection

    def _connect(self) -> smtplib.SMTP:
        if self._smtp is not None:
            return self._smtp
        context = ssl.create_default_context()
        try:
            if self.security == "ssl":
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
            else:
                smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            smtp.ehlo()
            if self.security == "starttls":
                smtp.starttls(context=context)
                smtp.ehlo()
            if self.user:
                smtp.login(self.user, self.password or "")
        except smtplib.SMTPAuthenticationError as exc:
            raise MailerConfigError(
                f"SMTP login as {self.user!r} refused: {_describe(exc.smtp_code, _text(exc.smtp_error))}",
                code=exc.smtp_code, reply=_text(exc.smtp_error),
            ) from exc
        except smtplib.SMTPNotSupportedError as exc:
            raise MailerConfigError(f"{self.host}:{self.port} does not support {exc}") from exc
        except smtplib.SMTPResponseException as exc:
            reply = _text(exc.smtp_error)
            if 400 <= exc.smtp_code < 500:
                raise _Retry(exc.smtp_code, reply, unreachable=True) from exc
            raise MailerConfigError(
                f"{self.host}:{self.port} refused the session: {_describe(exc.smtp_code, reply)}",
                code=exc.smtp_code, reply=reply,
            ) from exc
        except ssl.SSLError as exc:
            raise MailerConfigError(f"TLS with {self.host}:{self.port} failed: {exc}") from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise _Retry(None, f"cannot reach {self.host}:{self.port}: {exc}", unreachable=True) from exc
        self._smtp = smtp
        return smtp

    def _drop(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            try:
                smtp.close()
            except OSError:
                pass

    def close(self) -> None:
        """Say QUIT if the connection is still up, then close it."""
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (OSError, smtplib.SMTPException):
                pass
        self._drop()

    # ------------------------------------------------------------ sending

    def _send_once(self, msg: EmailMessage, to: str) -> str:
        smtp = self._connect()
        try:
            refused = smtp.send_message(msg, from_addr=self.sender, to_addrs=[to])
        except smtplib.SMTPRecipientsRefused as exc:
            code, reply = exc.recipients.get(to, next(iter(exc.recipients.values()), (None, b"")))
            text = _text(reply)
            if code is not None and 400 <= code < 500:
                if code == 421:
                    self._drop()
                raise _Retry(code, text) from exc
            raise PermanentFailure(
                f"recipient refused: {_describe(code, text)}", bounce=True, code=code, reply=text
            ) from exc
        except smtplib.SMTPSenderRefused as exc:
            text = _text(exc.smtp_error)
            if 400 <= exc.smtp_code < 500:
                if exc.smtp_code == 421:  # the server is closing the connection
                    self._drop()
                raise _Retry(exc.smtp_code, text) from exc
            raise MailerConfigError(
                f"sender {self.sender} refused: {_describe(exc.smtp_code, text)}", code=exc.smtp_code, reply=text
            ) from exc
        except smtplib.SMTPDataError as exc:
            text = _text(exc.smtp_error)
            if 400 <= exc.smtp_code < 500:
                raise _Retry(exc.smtp_code, text) from exc
            raise PermanentFailure(
                f"message refused: {_describe(exc.smtp_code, text)}", bounce=False, code=exc.smtp_code, reply=text
            ) from exc
        except smtplib.SMTPResponseException as exc:
            text = _text(exc.smtp_error)
            self._drop()
            if 400 <= exc.smtp_code < 500:
                raise _Retry(exc.smtp_code, text, unreachable=exc.smtp_code == 421) from exc
            raise MailerConfigError(f"server error: {_describe(exc.smtp_code, text)}", code=exc.smtp_code, reply=text) from exc
        except (OSError, smtplib.SMTPServerDisconnected) as exc:
            self._drop()
            raise _Retry(None, f"connection to {self.host}:{self.port} lost: {exc}", unreachable=True) from exc
        if refused:  # cannot happen with one recipient; kept for safety
            raise _Retry(None, f"recipient deferred: {refused}")
        return "250 accepted"

    def send(self, msg: EmailMessage, to: str) -> Sent:
        """Deliver `msg` to `to`, retrying transient failures; raises a MailError otherwise."""
        tries = 0
        retrying = Retrying(
            stop=stop_after_attempt(max(1, self.policy.attempts)),
            wait=wait_exponential(multiplier=self.policy.wait, max=self.policy.wait_max),
            retry=retry_if_exception_type(_Retry),
            reraise=True,
        )
        try:
            for attempt in retrying:
                with attempt:
                    tries += 1
                    reply = self._send_once(msg, to)
        except _Retry as exc:
            kind = MailerUnavailable if exc.unreachable else TransientFailure
            raise kind(
                f"gave up after {tries} attempts: {_describe(exc.code, exc.reply)}",
                code=exc.code, reply=exc.reply, attempts=tries,
            ) from exc
        except MailError as exc:
            exc.attempts = tries
            raise
        return Sent(attempts=tries, reply=reply)
