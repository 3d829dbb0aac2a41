"""The per-conversation reply address: an agent's reply email says "answer to support+<token>@...",
and the token in the address an answer arrives at names the conversation.

`KBBOT_MAIL_REPLY_TO` is the template, e.g. `support+{token}@example.com` (a mailbox that receives
every `support+...` address: most providers deliver "plus addresses" to `support@`). The token is
the conversation's id and a signature of it (HMAC-SHA256 under a key itsdangerous derives from the
app's secret, salted for this use only), in lower-case letters, digits and one "-", so that a mail
server that lowercases the address does not break it: e.g. `c42-3k7q2m5x9a8f4t1w6pzn`, 25 characters
or so. Without the secret no one can make a token for another conversation. It never expires: a
customer may answer weeks later.
"""

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass

from itsdangerous import Signer

SALT = "kbbot.mail-reply-to"
SIGNATURE_CHARS = 20  # base32 characters of the HMAC: 100 bits
MAX_LOCAL_PART = 64  # RFC 5321
_TOKEN = r"c[0-9]{1,12}-[a-z2-7]{%d}" % SIGNATURE_CHARS
_LONGEST_TOKEN = 1 + 12 + 1 + SIGNATURE_CHARS


@dataclass(frozen=True)
class ReplyAddresses:
    """Makes and reads the reply addresses of one template under one key (never shown)."""

    template: str  # e.g. "support+{token}@example.com"
    key: bytes

    def __repr__(self):
        return f"ReplyAddresses({self.template!r})"

    def address(self, conversation_id):
        """The reply address naming conversation `conversation_id`."""
        return self.template.replace("{token}", make_token(self.key, conversation_id))

    def conversation_in(self, addresses):
        """What the reply addresses among `addresses` say: (conversation id or None, whether a
        token of this template was found that failed its signature)."""
        prefix, suffix = (re.escape(part) for part in self.template.split("{token}"))
        pattern = re.compile(f"^{prefix}([a-z0-9-]+){suffix}$", re.IGNORECASE)
        tampered = False
        for address in addresses:
            found = pattern.match(address.strip())
            if found is None:
                continue
            conversation_id = read_token(self.key, found.group(1))
            if conversation_id is not None:
                return conversation_id, False
            tampered = True
        return None, tampered


def make_token(key, conversation_id):
    """The token of conversation `conversation_id` (an int) under `key`."""
    subject = f"c{conversation_id}"
    return f"{subject}-{_signature(key, subject)}"


def read_token(key, token):
    """The conversation id a token names, or None when it is not one or its signature fails."""
    token = token.lower()
    if not re.fullmatch(_TOKEN, token):
        return None
    subject, signature = token.rsplit("-", 1)
    if not hmac.compare_digest(signature, _signature(key, subject)):
        return None
    return int(subject[1:])


def _signature(key, subject):
    digest = hmac.new(key, subject.encode(), hashlib.sha256).digest()
    return base64.b32encode(digest).decode().lower()[:SIGNATURE_CHARS]


def from_config(config):
    """`ReplyAddresses` from the app config (KBBOT_MAIL_REPLY_TO and the secret key), or None when no
    reply address is set; ValueError names a template that cannot make addresses."""
    template = (config.get("MAIL_REPLY_TO") or "").strip()
    if not template:
        return None
    local, _, domain = template.rpartition("@")
    if (
        template.count("{token}") != 1
        or "{token}" not in local
        or not domain
        or "." not in domain
        or re.search(r"[\s<>()\[\]\\,;:\"]", template.replace("{token}", ""))
        or len(local.replace("{token}", "")) + _LONGEST_TOKEN > MAX_LOCAL_PART
    ):
        raise ValueError(
            "KBBOT_MAIL_REPLY_TO must be an address with {token} in the part before the @, e.g. "
            f"support+{{token}}@example.com, leaving {_LONGEST_TOKEN} characters for the token in "
            f"the {MAX_LOCAL_PART} before the @; got {template!r}"
        )
    key = Signer(config["SECRET_KEY"], salt=SALT, key_derivation="hmac").derive_key()
    return ReplyAddresses(template, key)
