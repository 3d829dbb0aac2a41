"""The SMTP harness: a local aiosmtpd server standing in for the mail provider.

A pytest plugin (tests/conftest.py lists it): the `mail_server` fixture, and `start_mail_server` for
tests that start and stop a server themselves.
"""

from email import message_from_bytes
from email.policy import default

import pytest
from aiosmtpd.controller import Controller

from tests.helpers import free_port


class MailInbox:
    """An aiosmtpd handler standing in for the mail provider: what it received; it refuses the
    recipients in `refused` for good (550), as a provider does an address that does not exist."""

    def __init__(self, refused=()):
        self.messages = []
        self.refused = set(refused)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refused:
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content, policy=default)))
        return "250 OK"


def start_mail_server(port=None, refused=()):
    """(a `MailInbox`, the running aiosmtpd controller) on 127.0.0.1:`port`; the inbox's `url` is
    the KBBOT_SMTP_URL that reaches it."""
    inbox = MailInbox(refused)
    port = port or free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    inbox.url = f"smtp+plain://127.0.0.1:{port}"
    return inbox, controller


@pytest.fixture
def mail_server():
    """A local SMTP server (aiosmtpd) standing in for the mail provider: what it received, and its URL."""
    inbox, controller = start_mail_server()
    yield inbox
    controller.stop()
