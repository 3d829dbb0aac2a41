"""The per-conversation reply address and the mailbox's settings: pure, no server."""

import pytest

from kbbot.support import mailbox, reply_address
from tests.helpers import make_app

TEMPLATE = "support+{token}@ledgerly.example"


def addresses(secret="test-secret", template=TEMPLATE):
    return reply_address.from_config({"MAIL_REPLY_TO": template, "SECRET_KEY": secret})


def test_a_reply_address_names_its_conversation_and_fits_a_local_part():
    address = addresses().address(12345)
    local = address.split("@")[0]
    assert local.startswith("support+c12345-") and len(local) <= reply_address.MAX_LOCAL_PART
    assert addresses().conversation_in(["someone@example.com", address]) == (12345, False)
    assert addresses().conversation_in([address.upper()]) == (12345, False)  # a server that changed case


def test_a_tampered_or_foreign_token_names_no_conversation():
    address = addresses().address(7)
    signature = address.split("-")[1].split("@")[0]
    for forged in (
        f"support+c8-{signature}@ledgerly.example",  # another conversation, the same signature
        address.replace(signature, signature[::-1]),
        addresses(secret="another-instance").address(7),  # signed with another secret
        "support+c7-@ledgerly.example",
    ):
        assert addresses().conversation_in([forged]) == (None, True), forged
    assert addresses().conversation_in(["support@ledgerly.example", "dana@example.com"]) == (None, False)
    assert "test-secret" not in repr(addresses())


@pytest.mark.parametrize(
    "template",
    [
        "support@ledgerly.example",
        "{token}",
        "support+{token}+{token}@ledgerly.example",
        "support@{token}.example",
        "a" * 40 + "+{token}@ledgerly.example",
        "sup port+{token}@ledgerly.example",
    ],
)
def test_a_template_that_cannot_make_addresses_stops_the_app(template, tmp_path):
    with pytest.raises(ValueError, match="KBBOT_MAIL_REPLY_TO"):
        make_app(tmp_path, MAIL_REPLY_TO=template)


def test_the_mailbox_is_read_from_a_url_and_never_shows_the_password():
    settings = mailbox.settings_from_config(
        {"IMAP_URL": "imaps://help%40ledgerly.example:s%3Acret@imap.example.com"}
    )
    assert (settings.host, settings.port, settings.security, settings.folder) == (
        "imap.example.com",
        993,
        "tls",
        "INBOX",
    )
    assert (settings.username, settings.password) == ("help@ledgerly.example", "s:cret")
    assert "s:cret" not in repr(settings)
    starttls = mailbox.settings_from_config({"IMAP_URL": "imap://u:p@imap.example.com/Support%20replies"})
    assert (starttls.port, starttls.security, starttls.folder) == (143, "starttls", "Support replies")
    assert mailbox.settings_from_config({"IMAP_URL": None}) is None


@pytest.mark.parametrize(
    "url",
    [
        "http://u:s3cret@imap.example.com",
        "imaps://imap.example.com",
        "imaps://u:s3cret@host:99999",
        "imaps://u:s3cret@",
    ],
)
def test_a_mailbox_url_that_does_not_read_stops_the_app_without_the_password(url, tmp_path):
    with pytest.raises(ValueError, match="KBBOT_IMAP_URL") as refused:
        make_app(tmp_path, IMAP_URL=url)
    assert "s3cret" not in str(refused.value)
