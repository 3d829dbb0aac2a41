"""Agent replies by email, so a customer who left the chat still gets the answer.

Configured with `KBBOT_SMTP_URL` (`smtp://user:password@host:587` upgrades
with STARTTLS, `smtps://...:465` is TLS from the start, `smtp+plain://` a
local relay without TLS) and `KBBOT_MAIL_FROM`. Without them kbbot sends no
email and the handoff form says the reply comes in the chat. Composing is
pure; `send` is the one side effect. Sending happens after the reply is
committed: a mail server that is down loses no reply, and is logged.
"""

import logging
import smtplib
import ssl
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from urllib.parse import unquote

from flask import current_app

from . import events
from .text import url_parts

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 10
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


def email_reply(handoff, reply):
    """Send agent `reply` to the handoff's customer by email: "sent", "failed", or None when this app
    sends no mail (no KBBOT_SMTP_URL).

    A failure is logged (no address, no text) and recorded in the event log; the reply stays in the chat.
    """
    settings = current_app.extensions["kbbot.mail"]
    if settings is None:
        return None
    try:
        send(settings, reply_email(settings, handoff, reply, current_app.config["PRODUCT_NAME"]))
    except (smtplib.SMTPException, OSError) as e:
        log.error("handoff %s: the reply could not be emailed (%s)", handoff.id, type(e).__name__)
        events.record_in(
            handoff.conversation, "reply_email_failed", handoff_id=handoff.id, message_id=reply.id
        )
        return "failed"
    events.record_in(handoff.conversation, "reply_emailed", handoff_id=handoff.id, message_id=reply.id)
    return "sent"
