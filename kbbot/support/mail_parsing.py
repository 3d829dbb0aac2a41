"""Reading one email from the support mailbox: pure functions of its bytes, whatever they hold.

Mail is hostile input: any header may be missing, malformed or enormous, a declared charset may be
wrong or unknown, the text may come as HTML only, with attachments. `parse` never raises on such a
mail. It reads it with the standard library (`email.policy.default`); picks the text/plain part,
else turns the HTML part into text (inscriptis: text only, no script is run or kept); decodes the
declared charset, falling back to UTF-8 and then Windows-1252; notes attachments by name (they are
not kept); tells auto-replies and bounces (`automatic`, `looks_automatic`); and keeps the new text
(`quoted_text.new_text`), capped at `MAX_REPLY_CHARS`.
"""

import hashlib
import re
from dataclasses import dataclass
from email import message_from_bytes
from email.errors import MessageError
from email.policy import default
from email.utils import getaddresses

import inscriptis
from lxml.etree import LxmlError

from ..text import clean_text, one_line
from . import quoted_text

MAX_REPLY_CHARS = 10_000  # the most of one mail added to a conversation; the rest is noted
MAX_KEPT_CHARS = 100_000  # the most of a mail's text kept for triage
MAX_HTML_CHARS = 1_000_000  # HTML past this is not read
MAX_ID_CHARS = 255
MAX_REFERENCES = 50  # the latest ids of References are read
RECIPIENT_HEADERS = ("To", "Cc", "Delivered-To", "X-Original-To", "Envelope-To", "X-Envelope-To")
AUTO_PRECEDENCE = {"bulk", "junk", "list", "auto_reply"}
BOUNCE_SENDERS = {"mailer-daemon", "postmaster"}
# The weak hint: subjects of out-of-office and automatic replies, in a few languages.
AUTOMATIC_SUBJECT = re.compile(
    r"^\s*(out of (the )?office|automatic reply|auto[- ]?reply|autoreply|abwesenheitsnotiz|"
    r"automatische antwort|r[ée]ponse automatique|absence|respuesta autom[áa]tica|risposta automatica|"
    r"afwezig|automatisch antwoord)",
    re.IGNORECASE,
)
_MESSAGE_ID = re.compile(r"<[^<>\s]{1,253}>")
_HEADER_PROBLEMS = (MessageError, ValueError, IndexError, TypeError, AttributeError, LookupError)


@dataclass(frozen=True)
class ParsedMail:
    message_id: str  # the Message-ID header, or one made from the mail's bytes when it has none
    sender: str  # the From address ("" when there is none that reads)
    sender_name: str
    recipients: tuple[str, ...]  # every address in RECIPIENT_HEADERS
    subject: str
    refers_to: tuple[str, ...]  # the Message-IDs in In-Reply-To and References
    text: str  # the whole readable text, quoted mail included (capped at MAX_KEPT_CHARS)
    reply: str  # the new text, attachments noted ("" when there is none)
    automatic: str | None  # why it is an auto-reply or a bounce, None for a person's mail
    looks_automatic: bool  # the subject of an automatic reply, with no header saying so


def parse(raw: bytes) -> ParsedMail:
    """Read one mail (its bytes as the mailbox holds them; headers alone for a mail too large)."""
    mail = message_from_bytes(raw, policy=default)
    sender_name, sender = _first_address(mail, "From")
    body = _body_text(mail)
    attachments = _attachment_names(mail)
    notes = "\n".join(f"[attachment {name} not included]" for name in attachments)
    reply = _capped(quoted_text.new_text(body), MAX_REPLY_CHARS)
    subject = one_line(clean_text(_header(mail, "Subject")))[:500]
    return ParsedMail(
        message_id=_message_id(mail, raw),
        sender=sender,
        sender_name=sender_name,
        recipients=tuple(address for _, address in _addresses(mail, *RECIPIENT_HEADERS) if address),
        subject=subject,
        refers_to=tuple(_referred_ids(mail)),
        text=_capped(body, MAX_KEPT_CHARS),
        reply="\n\n".join(part for part in (reply, notes) if part),
        automatic=automatic_reason(mail, sender),
        looks_automatic=bool(AUTOMATIC_SUBJECT.match(subject)),
    )


def _header(mail, name):
    """Header `name` as text ("" when missing or unreadable); the first of several."""
    try:
        value = mail.get(name)
    except _HEADER_PROBLEMS:
        value = _raw_header(mail, name)
    return str(value) if value is not None else ""


def _raw_header(mail, name):
    """Header `name` as the mail wrote it, undecoded: for one the header parser refuses."""
    for key, value in mail.raw_items():
        if key.lower() == name.lower():
            return value
    return None


def _addresses(mail, *names):
    """(name, address) of every address in headers `names`; unreadable ones are left out."""
    values = [_header(mail, name) for name in names]
    try:
        pairs = getaddresses([value for value in values if value])
    except _HEADER_PROBLEMS:
        return []
    return [
        (one_line(clean_text(name))[:200], address.strip()[:320]) for name, address in pairs if "@" in address
    ]


def _first_address(mail, name):
    found = _addresses(mail, name)
    return found[0] if found else ("", "")


def _message_id(mail, raw):
    found = _MESSAGE_ID.search(_header(mail, "Message-ID"))
    if found is not None and len(found.group()) <= MAX_ID_CHARS:
        return found.group()
    return fallback_message_id(raw)


def fallback_message_id(raw):
    """The Message-ID kbbot gives a mail without one (or with one it cannot keep): from its bytes, so
    the same mail read again gets the same."""
    return f"<sha256-{hashlib.sha256(raw).hexdigest()}@kbbot.invalid>"


def _referred_ids(mail):
    ids = _MESSAGE_ID.findall(_header(mail, "In-Reply-To"))
    ids += _MESSAGE_ID.findall(_header(mail, "References"))[-MAX_REFERENCES:]
    return dict.fromkeys(ids)  # in order, once each


def automatic_reason(mail, sender):
    """Why `mail` was sent by a machine (a bounce or an auto-reply, RFC 3834 and the usual headers),
    or None."""
    content_type = mail.get_content_type()
    local_part = sender.rsplit("@", 1)[0].lower()
    if content_type == "multipart/report" or any(
        part.get_content_type() == "message/delivery-status" for part in _parts(mail)
    ):
        return "a bounce (a delivery status report)"
    if local_part in BOUNCE_SENDERS:
        return f"a bounce (sent by {local_part.upper()})"
    auto_submitted = _header(mail, "Auto-Submitted").strip().lower()
    if auto_submitted and not auto_submitted.startswith("no"):
        return f"an automatic reply (Auto-Submitted: {auto_submitted[:40]})"
    for name in ("X-Autoreply", "X-Autorespond", "X-Auto-Reply"):
        if _header(mail, name):
            return f"an automatic reply ({name})"
    precedence = _header(mail, "Precedence").strip().lower()
    if precedence in AUTO_PRECEDENCE:
        return f"bulk or automatic mail (Precedence: {precedence})"
    if _header(mail, "Return-Path").strip() == "<>":
        return "a bounce or notice (no return address)"
    return None


def _parts(mail):
    try:
        return list(mail.walk())
    except _HEADER_PROBLEMS:
        return [mail]


def _body_text(mail):
    """The body's text: the text/plain part, else the HTML one as text ("" when there is neither)."""
    try:
        part = mail.get_body(preferencelist=("plain", "html"))
    except _HEADER_PROBLEMS:
        part = None
    if part is None:
        return ""
    text = decoded(part)
    return html_to_text(text) if part.get_content_type() == "text/html" else clean_text(text)


def decoded(part):
    """A text part's content as a str: its declared charset, else UTF-8, else Windows-1252 (which
    reads any byte: the usual charset of mail that declares none or a wrong one)."""
    try:
        payload = part.get_payload(decode=True) or b""
    except _HEADER_PROBLEMS:
        return ""
    try:
        declared = part.get_content_charset() or "utf-8"
    except _HEADER_PROBLEMS:
        declared = "utf-8"
    if declared in ("iso-8859-1", "latin-1", "us-ascii", "ascii"):
        declared = "windows-1252"  # what such mail means, as browsers read it
    for charset in (declared, "utf-8"):
        try:
            return payload.decode(charset)
        except (LookupError, UnicodeDecodeError):
            continue
    return payload.decode("windows-1252", errors="replace")


def html_to_text(html):
    """The readable text of an HTML mail body: no tags, no script or style, links as their text."""
    try:
        return clean_text(inscriptis.get_text(html[:MAX_HTML_CHARS]))
    except (LxmlError, ValueError):
        return ""


def _attachment_names(mail):
    """The names of the mail's attachments (or their types, for those without one)."""
    names = []
    for part in _parts(mail):
        if part.is_multipart() or part.get_content_type() == "message/rfc822":
            continue
        try:
            disposition, filename = part.get_content_disposition(), part.get_filename()
        except _HEADER_PROBLEMS:
            disposition, filename = "attachment", None
        if disposition != "attachment" and not filename:
            continue
        names.append(one_line(clean_text(filename or part.get_content_type()))[:100] or "unnamed")
    return names


def _capped(text, limit):
    if len(text) <= limit:
        return text
    return f"{text[:limit].rstrip()}\n\n[... {len(text) - limit} more characters not included]"
