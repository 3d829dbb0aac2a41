"""The IMAP harness: a real Dovecot on 127.0.0.1 standing in for the support mailbox.

A pytest plugin (tests/conftest.py lists it): the session-wide `imap_server`, one Dovecot for the
run (per xdist worker), and `mailbox`, a mailbox of a user of its own for each test. Dovecot
runs from a configuration written to a temporary folder (plain-text logins over 127.0.0.1, a
static password for any user name, maildirs under the folder, its log there too), started in the
foreground and stopped at the end. Skipped when Debian's `dovecot-imapd` is not installed.
"""

import grp
import imaplib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.helpers import free_port

PASSWORD = "imap-secret"  # Dovecot's static passdb: any user name with this password
DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"

CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_login_user = {user}
default_internal_user = {user}
default_internal_group = {group}
first_valid_uid = 1
mail_location = maildir:{root}/mail/%u
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
passdb {{
  driver = static
  args = password={password}
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
"""


@dataclass
class ImapServer:
    host: str
    port: int
    log: Path

    def url(self, user, mailbox="INBOX"):
        """The KBBOT_IMAP_URL of `user`'s mailbox (no TLS: a local test server)."""
        return f"imap+plain://{user}:{PASSWORD}@{self.host}:{self.port}/{mailbox}"

    def connect(self, user):
        client = imaplib.IMAP4(self.host, self.port, timeout=10)
        client.login(user, PASSWORD)
        return client


class Mailbox:
    """One user's INBOX on the test server: deliver mail into it (IMAP APPEND), read its flags."""

    def __init__(self, server, user):
        self.server, self.user = server, user
        self.url = server.url(user)

    def deliver(self, raw):
        """Append `raw` (bytes or an EmailMessage) to the INBOX, unread."""
        data = raw if isinstance(raw, bytes) else raw.as_bytes()
        client = self.server.connect(self.user)
        try:
            status, _ = client.append("INBOX", None, None, data)
            assert status == "OK"
        finally:
            client.logout()

    def unseen(self):
        """How many mails in the INBOX are not marked \\Seen."""
        client = self.server.connect(self.user)
        try:
            client.select("INBOX", readonly=True)
            _, found = client.search(None, "UNSEEN")
            return len(found[0].split())
        finally:
            client.logout()


def _mail_user():
    """(user, group, uid, gid) Dovecot runs its processes and the mail as: ourselves, or for root,
    which Dovecot refuses mail access to, the package's own `dovecot` user."""
    if os.geteuid() != 0:
        entry = pwd.getpwuid(os.geteuid())
    else:
        entry = pwd.getpwnam("dovecot")
    return entry.pw_name, grp.getgrgid(entry.pw_gid).gr_name, entry.pw_uid, entry.pw_gid


def _wait_for_port(port, process, log, seconds=20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"dovecot exited ({process.returncode}): {log.read_text(errors='replace')}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"dovecot did not listen on {port} in {seconds} s")


@pytest.fixture(scope="session")
def imap_server():
    """A Dovecot IMAP server for the test session (skipped without the dovecot binary).

    Its folder is a temporary one of its own, not pytest's: run as root, Dovecot's mail processes
    run as its `dovecot` user, who may not enter pytest's folders (mode 0700)."""
    if not Path(DOVECOT).exists():
        pytest.skip("Dovecot is not installed: apt-get install -y dovecot-imapd (the README's test command)")
    root = Path(tempfile.mkdtemp(prefix="kbbot-dovecot-"))
    user, group, uid, gid = _mail_user()
    for folder in ("run", "state", "mail", "home"):
        (root / folder).mkdir()
    if os.geteuid() == 0:
        for folder in ("mail", "home"):
            os.chown(root / folder, uid, gid)
        os.chmod(root, 0o755)
    port = free_port()
    config = root / "dovecot.conf"
    config.write_text(
        CONFIG.format(root=root, user=user, group=group, uid=uid, gid=gid, port=port, password=PASSWORD)
    )
    log = root / "dovecot.log"
    process = subprocess.Popen([DOVECOT, "-F", "-c", str(config)], stderr=subprocess.PIPE)
    try:
        _wait_for_port(port, process, log)
        yield ImapServer("127.0.0.1", port, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def mailbox(imap_server):
    """An empty INBOX of a user of its own on the test server."""
    return Mailbox(imap_server, f"support-{uuid.uuid4().hex[:12]}")
