"""Agent replies by email, so a customer who left the chat still gets the answer.

Configured with `KBBOT_SMTP_URL` (`smtp://user:password@host:587` upgrades
with STARTTLS, `smtps://...:465` is TLS from the start, `smtp+plain://` a
local relay without TLS) and `KBBOT_MAIL_FROM`. Without them kbbot sends no
email and the handoff form says the reply comes in the chat. Composing is
pure; `send` is the one side effect. The settings (`MailSettings`, None when
no mail is sent) are an argument; the web layer keeps the app's. With
`KBBOT_MAIL_REPLY_TO`, each email's Reply-To is the conversation's own reply
address (kbbot/support/reply_address.py), so that the customer's answer comes
back to the conversation (kbbot/support/inbound_mail.py).

Each reply to email is queued in the reply's own transaction (an
`OutboundEmail`), tried at once, and tried again with growing delays while the
mail server cannot take it (by a thread of each serving process, started on
its first request: `RetryWorker`); a server that refuses the address for good, or is still
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
from enum import StrEnum

from sqlalchemy import select, update

from .. import events
from ..models import EmailStatus, OutboundEmail, utcnow
from ..text import server_url
from . import reply_address

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 10
# After the first try fails, the next ones come after these delays; when the last fails, kbbot gives up.
RETRY_DELAYS = tuple(timedelta(minutes=minutes) for minutes in (1, 5, 30, 120, 360, 720))
RETRY_HOURS = round(sum(RETRY_DELAYS, timedelta()) / timedelta(hours=1))  # how long kbbot keeps trying
# How long one try may take before another process may try the same email (the SMTP timeouts, with room).
CLAIM = timedelta(minutes=2)
RETRY_INTERVAL_SECONDS = 30  # how often each serving process looks for emails due to be tried again
RETRY_BATCH = 20
# The URL schemes: {scheme: (security, default port)}.
_SCHEMES = {"smtp": ("starttls", 587), "smtps": ("tls", 465), "smtp+plain": ("none", 25)}


class Delivery(StrEnum):
    """What one try to email a queued reply came to."""

    SENT = "sent"
    RETRYING = "retrying"  # it is tried again later
    FAILED = "failed"  # given up


@dataclass(frozen=True)
class MailSettings:
    host: str
    port: int
    security: str  # "starttls" | "tls" | "none"
    username: str | None
    password: str | None
    sender: str  # the From header, e.g. "Ledgerly Support <support@ledgerly.example>"
    domain: str  # the sender address's domain, for Message-IDs
    product_name: str = "Help Center"  # in the subject line: "Re: your question to <product_name>"
    reply_addresses: reply_address.ReplyAddresses | None = None  # KBBOT_MAIL_REPLY_TO's, if set

    def __repr__(self):  # never print the password
        return f"MailSettings({self.host}:{self.port}, {self.security}, from {self.sender!r})"


def settings_from_config(config):
    """`MailSettings` from the app config, or None when no SMTP server is set; ValueError names the bad
    setting."""
    url, sender = config.get("SMTP_URL"), config.get("MAIL_FROM")
    if not url:
        return None
    server = server_url(url, _SCHEMES)
    if server is None:
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
    return MailSettings(
        host=server.host,
        port=server.port,
        security=server.security,
        username=server.username,
        password=server.password,
        sender=sender,
        domain=address.rsplit("@", 1)[1],
        product_name=config.get("PRODUCT_NAME") or MailSettings.product_name,
        reply_addresses=reply_address.from_config(config),
    )


def thread_id(handoff, domain):
    """The Message-ID every reply on one handoff refers to, so mail programs show them as one thread."""
    return f"<handoff-{handoff.id}.{handoff.conversation.public_id}@{domain}>"


def reply_email(settings, handoff, reply, message_id):
    """The email carrying agent `reply` (a Message) to the handoff's customer, with the Message-ID
    `message_id` (kept with the queued email: answers refer to it)."""
    email = EmailMessage()
    domain = settings.domain
    email["Subject"] = f"Re: your question to {settings.product_name}"
    email["From"] = settings.sender
    try:
        email["To"] = Address(display_name=handoff.name or "", addr_spec=handoff.email)
    except (ValueError, IndexError):  # a display name no header can carry: the address alone
        email["To"] = handoff.email
    email["Date"] = formatdate(localtime=False)
    email["Message-ID"] = message_id
    if settings.reply_addresses is not None:
        email["Reply-To"] = settings.reply_addresses.address(handoff.conversation_id)
    email["In-Reply-To"] = email["References"] = thread_id(handoff, domain)
    author = reply.author.name if reply.author is not None and reply.author.name else "Support team"
    lines = [reply.text, "", f"{author}, {settings.product_name}"]
    by_email = "reply to this email" if settings.reply_addresses is not None else None
    in_chat = (
        f"continue the chat on the page where you started it: {handoff.page_url}"
        if handoff.page_url
        else None
    )
    if by_email or in_chat:
        lines += ["", "To answer, " + " or ".join(way for way in (by_email, in_chat) if way)]
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
    commits)."""
    outbound = OutboundEmail(message=reply)
    session.add(outbound)
    return outbound


def deliver(session, settings, outbound_id, due_by=None):
    """Try to email one queued reply: its `Delivery`, or None when it is not due by `due_by` (default:
    now), no mail is sent (`settings` None), or another process is trying it.

    The email is claimed first, in one UPDATE, so two processes never send it twice. Commits.
    """
    if settings is None:
        return None
    claimed = session.execute(
        update(OutboundEmail)
        .where(
            OutboundEmail.id == outbound_id,
            OutboundEmail.status == EmailStatus.PENDING,
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
    if outbound.email_message_id is None:  # the first try: the retries send the same Message-ID
        outbound.email_message_id = make_msgid(domain=settings.domain)
    try:
        send(settings, reply_email(settings, handoff, reply, outbound.email_message_id))
    except (smtplib.SMTPException, OSError) as e:
        outbound.last_error = _error_kind(e)
        if _refused_for_good(e) or outbound.attempts > len(RETRY_DELAYS):
            outbound.status = EmailStatus.FAILED
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
        return Delivery.FAILED if outbound.status == EmailStatus.FAILED else Delivery.RETRYING
    outbound.status, outbound.sent_at, outbound.last_error = EmailStatus.SENT, utcnow(), None
    session.commit()
    events.record_in(handoff.conversation, "reply_emailed", handoff_id=handoff.id, message_id=reply.id)
    return Delivery.SENT


def deliver_due(session, settings, due_by=None, limit=RETRY_BATCH):
    """Try the queued replies due by `due_by` (default: now), oldest first, at most `limit`
    (`deliver`): {outcome: count}."""
    due_by = due_by or utcnow()
    due = session.scalars(
        select(OutboundEmail.id)
        .where(OutboundEmail.status == EmailStatus.PENDING, OutboundEmail.next_attempt_at <= due_by)
        .order_by(OutboundEmail.next_attempt_at, OutboundEmail.id)
        .limit(limit)
    ).all()
    outcomes = (deliver(session, settings, outbound_id, due_by) for outbound_id in due)
    return Counter(outcome for outcome in outcomes if outcome)


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
    """Tries the queued replies again every `interval` seconds until `stop`, each round in a session
    of its own from `sessionmaker`; `on_failed_events` gets the number of events it could not write."""

    def __init__(self, sessionmaker, settings, interval=RETRY_INTERVAL_SECONDS, on_failed_events=None):
        super().__init__(name="kbbot-mail-retries", daemon=True)
        self.sessionmaker, self.settings, self.interval = sessionmaker, settings, interval
        self.on_failed_events, self.pid = on_failed_events, os.getpid()
        self._stopping = threading.Event()

    def run(self):
        while not self._stopping.wait(self.interval):
            with self.sessionmaker() as session:
                try:
                    deliver_due(session, self.settings)
                except Exception:  # a database that is away for a while must not end the retries
                    log.exception("queued reply emails could not be tried")
                finally:
                    failed = events.flush(session)
                    if failed and self.on_failed_events is not None:
                        self.on_failed_events(failed)

    def stop(self):
        self._stopping.set()
        self.join()


def email_reply(session, settings, reply):
    """Try to email agent `reply`, queued with it (`queue_reply`), now: `deliver`'s outcome, or None
    when no mail is sent (`settings` None: no KBBOT_SMTP_URL)."""
    outbound_id = session.scalar(select(OutboundEmail.id).where(OutboundEmail.message_id == reply.id))
    return None if outbound_id is None else deliver(session, settings, outbound_id)
