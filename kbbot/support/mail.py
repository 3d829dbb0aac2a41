"""Agent replies by email, so a customer who left the chat still gets the answer.

Configured with `KBBOT_SMTP_URL` (`smtp://user:password@host:587` upgrades
with STARTTLS, `smtps://...:465` is TLS from the start, `smtp+plain://` a
local relay without TLS) and `KBBOT_MAIL_FROM`. Without them kbbot sends no
email and the handoff form says the reply comes in the chat. Composing is
pure; `send` is the one side effect.

Each reply to email is queued in the reply's own transaction (an
`OutboundEmail`), tried at once, and tried again with growing delays while the
mail server cannot take it (by a thread of each serving process, started on
its first request); a server that refuses the address for good, or is still
failing after about 21 hours, ends the tries. A mail server that is down never
loses a reply or an email, and never makes an agent's reply fail.
"""

import logging
import os
import smtplib
import ssl
import threading
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from urllib.parse import unquote

from flask import current_app, request_started
from sqlalchemy import select, update

from .. import db, events
from ..models import OutboundEmail, utcnow
from ..text import url_parts

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 10
# After the first try fails, the next ones come after these delays; when the last fails, kbbot gives up.
RETRY_DELAYS = tuple(timedelta(minutes=minutes) for minutes in (1, 5, 30, 120, 360, 720))
RETRY_HOURS = round(sum(RETRY_DELAYS, timedelta()) / timedelta(hours=1))  # how long kbbot keeps trying
# How long one try may take before another process may try the same email (the SMTP timeouts, with room).
CLAIM = timedelta(minutes=2)
RETRY_INTERVAL_SECONDS = 30  # how often each serving process looks for emails due to be tried again
RETRY_BATCH = 20
_SCHEMES = {"smtp": ("starttls", 587), "smtps": ("tls", 465), "smtp+plain": ("none", 25)}


@dataclass(frozen=True)
class MailSettings:
    host: str
    port: int
    security: str  # "starttls" | "tls" | "none"
    username: str | None
    password: str | None
    sender: str  # the From header, e.g. "Ledgerly Support <support@ledgerly.example>"
    domain: str  # the sender address's domain, for Message-IDs

    def __repr__(self):  # never print the password
        return f"MailSettings({self.host}:{self.port}, {self.security}, from {self.sender!r})"


def settings_from_config(config):
    """`MailSettings` from the app config, or None when no SMTP server is set; ValueError names the bad setting."""
    url, sender = config.get("SMTP_URL"), config.get("MAIL_FROM")
    if not url:
        return None
    parts = url_parts(url)
    try:
        port = parts.port if parts is not None else -1
    except ValueError:
        port = -1
    if parts is None or parts.scheme not in _SCHEMES or not parts.hostname or port == -1:
        raise ValueError(
            "KBBOT_SMTP_URL must be smtp://[user:password@]host[:port] (STARTTLS), smtps://... (TLS) "
            "or smtp+plain://... (no TLS, a local relay only)"
        )  # the value itself is not repeated: it may hold a password
    sender = (sender or "").strip()
    address = parseaddr(sender)[1]
    if "@" not in address or "\n" in sender or "\r" in sender:
        raise ValueError(
            f"KBBOT_MAIL_FROM must be an address such as 'Support <support@example.com>'; got {sender!r}"
        )
    security, default_port = _SCHEMES[parts.scheme]
    return MailSettings(
        host=parts.hostname,
        port=port or default_port,
        security=security,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        sender=sender,
        domain=address.rsplit("@", 1)[1],
    )


def init_app(app):
    app.extensions["kbbot.mail"] = settings_from_config(app.config)
    if app.extensions["kbbot.mail"] is not None:
        request_started.connect(_start_retries, app)


def thread_id(handoff, domain):
    """The Message-ID every reply on one handoff refers to, so mail programs show them as one thread."""
    return f"<handoff-{handoff.id}.{handoff.conversation.public_id}@{domain}>"


def reply_email(settings, handoff, reply, product_name):
    """The email carrying agent `reply` (a Message) to the handoff's customer."""
    email = EmailMessage()
    domain = settings.domain
    email["Subject"] = f"Re: your question to {product_name}"
    email["From"] = settings.sender
    try:
        email["To"] = Address(display_name=handoff.name or "", addr_spec=handoff.email)
    except (ValueError, IndexError):  # a display name no header can carry: the address alone
        email["To"] = handoff.email
    email["Date"] = formatdate(localtime=False)
    email["Message-ID"] = make_msgid(domain=domain)
    email["In-Reply-To"] = email["References"] = thread_id(handoff, domain)
    author = reply.author.name if reply.author is not None and reply.author.name else "Support team"
    lines = [reply.text, "", f"{author}, {product_name}"]
    if handoff.page_url:
        lines += ["", f"To answer, continue the chat on the page where you started it: {handoff.page_url}"]
    email.set_content("\n".join(lines) + "\n")
    return email


def send(settings, email):
    """Hand `email` to the SMTP server (raises smtplib.SMTPException or OSError when it cannot)."""
    if settings.security == "tls":
        client = smtplib.SMTP_SSL(
            settings.host, settings.port, timeout=TIMEOUT_SECONDS, context=ssl.create_default_context()
        )
    else:
        client = smtplib.SMTP(settings.host, settings.port, timeout=TIMEOUT_SECONDS)
    with client:
        if settings.security == "starttls":
            client.starttls(context=ssl.create_default_context())
        if settings.username:
            client.login(settings.username, settings.password or "")
        client.send_message(email)


def queue_reply(session, reply):
    """Queue agent `reply` to be emailed to the customer, in the caller's transaction (the caller
    commits); None when this app sends no mail."""
    if current_app.extensions["kbbot.mail"] is None:
        return None
    outbound = OutboundEmail(message=reply)
    session.add(outbound)
    return outbound


def deliver(session, outbound_id, due_by=None):
    """Try to email one queued reply: "sent", "retrying" (it is tried again later), "failed" (given
    up), or None when it is not due by `due_by` (default: now), this app sends no mail, or another
    process is trying it.

    The email is claimed first, in one UPDATE, so two processes never send it twice. Commits.
    """
    settings = current_app.extensions["kbbot.mail"]
    if settings is None:
        return None
    claimed = session.execute(
        update(OutboundEmail)
        .where(
            OutboundEmail.id == outbound_id,
            OutboundEmail.status == "pending",
            OutboundEmail.next_attempt_at <= (due_by or utcnow()),
        )
        .values(next_attempt_at=utcnow() + CLAIM, attempts=OutboundEmail.attempts + 1)
    ).rowcount
    session.commit()
    if not claimed:
        return None
    outbound = session.execute(
        select(OutboundEmail).where(OutboundEmail.id == outbound_id).execution_options(populate_existing=True)
    ).scalar_one()
    reply = outbound.message
    handoff = reply.conversation.handoff
    try:
        send(settings, reply_email(settings, handoff, reply, current_app.config["PRODUCT_NAME"]))
    except (smtplib.SMTPException, OSError) as e:
        outbound.last_error = _error_kind(e)
        if _refused_for_good(e) or outbound.attempts > len(RETRY_DELAYS):
            outbound.status = "failed"
            log.error(
                "handoff %s: the reply could not be emailed; gave up after %d tries (%s)",
                handoff.id,
                outbound.attempts,
                outbound.last_error,
            )  # never the address or the text
            events.record_in(
                handoff.conversation, "reply_email_failed", handoff_id=handoff.id, message_id=reply.id
            )
        else:
            delay = RETRY_DELAYS[outbound.attempts - 1]
            outbound.next_attempt_at = utcnow() + delay
            log.warning(
                "handoff %s: the reply could not be emailed (%s); trying again in %s",
                handoff.id,
                outbound.last_error,
                delay,
            )
        session.commit()
        return "failed" if outbound.status == "failed" else "retrying"
    outbound.status, outbound.sent_at, outbound.last_error = "sent", utcnow(), None
    session.commit()
    events.record_in(handoff.conversation, "reply_emailed", handoff_id=handoff.id, message_id=reply.id)
    return "sent"


def deliver_due(session, due_by=None, limit=RETRY_BATCH):
    """Try the queued replies due by `due_by` (default: now), oldest first, at most `limit`
    (`deliver`): {outcome: count}."""
    due_by = due_by or utcnow()
    due = session.scalars(
        select(OutboundEmail.id)
        .where(OutboundEmail.status == "pending", OutboundEmail.next_attempt_at <= due_by)
        .order_by(OutboundEmail.next_attempt_at, OutboundEmail.id)
        .limit(limit)
    ).all()
    return Counter(outcome for outbound_id in due if (outcome := deliver(session, outbound_id, due_by)))


def _error_kind(error):
    """What went wrong, fit for a log: the exception's name and SMTP code, never an address."""
    code = getattr(error, "smtp_code", None)
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code = min(code for code, _ in error.recipients.values())
    return f"{type(error).__name__} {code}" if code else type(error).__name__


def _refused_for_good(error):
    """Whether the server refused the address or the message with a permanent (5xx) answer: trying
    again would get the same one."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    return isinstance(error, smtplib.SMTPDataError) and error.smtp_code >= 500


class RetryWorker(threading.Thread):
    """Tries the app's queued replies again every `interval` seconds until `stop`."""

    def __init__(self, app, interval=RETRY_INTERVAL_SECONDS):
        super().__init__(name="kbbot-mail-retries", daemon=True)
        self.app, self.interval, self.pid = app, interval, os.getpid()
        self._stopping = threading.Event()

    def run(self):
        while not self._stopping.wait(self.interval):
            with self.app.app_context():
                try:
                    deliver_due(db.get_session())
                except Exception:  # a database that is away for a while must not end the retries
                    log.exception("queued reply emails could not be tried")
                finally:
                    events.flush()

    def stop(self):
        self._stopping.set()
        self.join()


_retries_lock = threading.Lock()


def _start_retries(app, **_extra):
    """On a request: start this process's `RetryWorker`, unless it runs (a forked worker process
    inherits none: threads do not survive a fork)."""
    worker = app.extensions.get("kbbot.mail_retries")
    if worker is not None and worker.pid == os.getpid():
        return
    with _retries_lock:
        worker = app.extensions.get("kbbot.mail_retries")
        if worker is None or worker.pid != os.getpid():
            app.extensions["kbbot.mail_retries"] = worker = RetryWorker(app)
            worker.start()


def stop_retries(app):
    """Stop the app's `RetryWorker`, if this process runs one (the tests do; otherwise the daemon
    thread ends with its process)."""
    worker = app.extensions.pop("kbbot.mail_retries", None)
    if worker is not None and worker.pid == os.getpid():
        worker.stop()


def email_reply(session, reply):
    """Try to email agent `reply`, queued with it (`queue_reply`), now: `deliver`'s outcome, or None
    when this app sends no mail (no KBBOT_SMTP_URL)."""
    outbound_id = session.scalar(select(OutboundEmail.id).where(OutboundEmail.message_id == reply.id))
    return None if outbound_id is None else deliver(session, outbound_id)
