"""Reading the support mailbox over IMAP: customers' answers to agents' reply emails.

Configured with `KBBOT_IMAP_URL`: `imaps://user:password@host:993/INBOX` (TLS), `imap://...:143`
(STARTTLS) or `imap+plain://...` (no TLS: a server on the same machine only); percent-encode `@`,
`:` or `/` in the password. The password is never logged nor shown (`ImapSettings.__repr__`).

`fetch` reads the unread mails (UNSEEN), each one on its own: recorded and committed by
`inbound_mail.receive` first, marked \\Seen after, so a crash between the two reads it again (its
Message-ID makes the second time harmless) and never loses it. A mail that cannot be read is kept
in triage with the error, and the others go on. A mail over `inbound_mail.MAX_MAIL_BYTES` is not
downloaded: its headers wait in triage. `kbbot mail fetch` runs it once; each serving process runs
a `FetchWorker`, every minute, and a lock file lets one process at a time read the mailbox.
"""

import fcntl
import imaplib
import logging
import os
import re
import ssl
import threading
from collections import Counter
from dataclasses import dataclass
from urllib.parse import unquote

from sqlalchemy.exc import SQLAlchemyError

from .. import events
from ..errors import MailboxUnreachable
from ..text import server_url
from . import inbound_mail

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 30
FETCH_INTERVAL_SECONDS = 60  # how often each serving process reads the mailbox
# The URL schemes: {scheme: (security, default port)}.
_SCHEMES = {"imaps": ("tls", 993), "imap": ("starttls", 143), "imap+plain": ("none", 143)}
_SIZE = re.compile(rb"RFC822\.SIZE (\d+)")


@dataclass(frozen=True)
class ImapSettings:
    host: str
    port: int
    security: str  # "tls" | "starttls" | "none"
    username: str
    password: str
    folder: str = "INBOX"

    def __repr__(self):  # never print the password
        return f"ImapSettings({self.username}@{self.host}:{self.port}/{self.folder}, {self.security})"


def settings_from_config(config):
    """`ImapSettings` from the app config, or None when no mailbox is read; ValueError names the bad
    setting, never repeating the URL (it holds a password)."""
    url = config.get("IMAP_URL")
    if not url:
        return None
    server = server_url(url, _SCHEMES)
    if server is None or not server.username:
        raise ValueError(
            "KBBOT_IMAP_URL must be imaps://user:password@host[:port][/folder] (TLS), imap://... "
            "(STARTTLS) or imap+plain://... (no TLS, a local server only)"
        )
    return ImapSettings(
        host=server.host,
        port=server.port,
        security=server.security,
        username=server.username,
        password=server.password or "",
        folder=unquote(server.path.strip("/")) or "INBOX",
    )


def connect(settings):
    """A logged-in IMAP client on the settings' server, its folder selected (raises imaplib.IMAP4.error
    or OSError when it cannot)."""
    if settings.security == "tls":
        client = imaplib.IMAP4_SSL(
            settings.host, settings.port, ssl_context=ssl.create_default_context(), timeout=TIMEOUT_SECONDS
        )
    else:
        client = imaplib.IMAP4(settings.host, settings.port, timeout=TIMEOUT_SECONDS)
    try:
        if settings.security == "starttls":
            client.starttls(ssl_context=ssl.create_default_context())
        client.login(settings.username, settings.password)
        status, _ = client.select(_quoted(settings.folder))
        if status != "OK":
            raise imaplib.IMAP4.error(f"no folder {settings.folder!r}")
    except BaseException:
        client.shutdown()
        raise
    return client


def _quoted(folder):
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def fetch(session, settings, reply_addresses=None, policy=None, max_bytes=inbound_mail.MAX_MAIL_BYTES):
    """Read the folder's unread mails into the database: {"attached"|"triage"|"ignored"|"duplicate": n}.

    Raises `MailboxUnreachable` when the server cannot be read (what was read so far is kept), and
    SQLAlchemyError when the database cannot be written (that mail stays unread)."""
    outcomes = Counter()
    try:
        client = connect(settings)
        try:
            _, found = client.uid("SEARCH", None, "UNSEEN")
            for uid in found[0].split() if found and found[0] else ():
                outcomes[_fetch_one(client, session, uid, reply_addresses, policy, max_bytes)] += 1
        finally:
            client.shutdown()
    except (imaplib.IMAP4.error, OSError) as e:
        raise MailboxUnreachable(f"the mailbox {settings!r} could not be read: {type(e).__name__} {e}") from e
    return outcomes


def _fetch_one(client, session, uid, reply_addresses, policy, max_bytes):
    """Record the mail `uid`, then mark it \\Seen: what became of it."""
    _, sized = client.uid("FETCH", uid, "(RFC822.SIZE)")
    found = _SIZE.search(b" ".join(item for item in sized if isinstance(item, bytes)))
    size = int(found.group(1)) if found else 0
    too_large = size > max_bytes
    _, data = client.uid("FETCH", uid, "(BODY.PEEK[HEADER])" if too_large else "(BODY.PEEK[])")
    raw = next((item[1] for item in data if isinstance(item, tuple)), b"")
    try:
        inbound = inbound_mail.receive(
            session, raw, reply_addresses, size=size, too_large=too_large, policy=policy
        )
    except Exception as e:  # whatever a hostile mail does (to the parser, to a column), the others go on
        log.warning("mail %s could not be read (%s); kept in triage", uid.decode(), type(e).__name__)
        # Raises in turn when the database is away: the mail stays unread, for the next round.
        inbound = inbound_mail.record_failure(session, raw, e)
    events.flush(session)
    client.uid("STORE", uid, "+FLAGS", "(\\Seen)")
    return inbound.status if inbound is not None else "duplicate"


def fetch_unless_busy(session, settings, reply_addresses, lock_path, **options):
    """`fetch`, unless another process (a worker, `kbbot mail fetch`) is reading the mailbox now:
    then None. The lock is a file in the instance folder, held while reading."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return None
        try:
            return fetch(session, settings, reply_addresses, **options)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


class FetchWorker(threading.Thread):
    """Reads the mailbox every `interval` seconds until `stop`, each round in a session of its own from
    `sessionmaker`; an unreachable server or database is logged, and tried again next round."""

    def __init__(
        self, sessionmaker, settings, reply_addresses, lock_path, policy=None, interval=FETCH_INTERVAL_SECONDS
    ):
        super().__init__(name="kbbot-mail-fetch", daemon=True)
        self.sessionmaker, self.settings, self.reply_addresses = sessionmaker, settings, reply_addresses
        self.lock_path, self.policy, self.interval, self.pid = lock_path, policy, interval, os.getpid()
        self._stopping = threading.Event()

    def run(self):
        while not self._stopping.wait(self.interval):
            with self.sessionmaker() as session:
                try:
                    fetch_unless_busy(
                        session, self.settings, self.reply_addresses, self.lock_path, policy=self.policy
                    )
                except MailboxUnreachable as e:
                    log.warning("%s", e)
                except SQLAlchemyError as e:
                    log.warning("mail could not be recorded (%s); tried again next round", type(e).__name__)

    def stop(self):
        self._stopping.set()
        self.join()
