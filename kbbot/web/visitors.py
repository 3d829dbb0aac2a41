"""Anonymous visitor ids, signed so that nobody can claim another visitor's conversations, and
expiring so that a token found later (a shared computer, a leaked log) is not good forever.

A visitor id is random; what the browser holds is the id, the time the token was issued and an
HMAC signature of both made with SECRET_KEY (itsdangerous' TimestampSigner). The help center keeps
it in an HttpOnly cookie; the widget, which runs in an iframe where third-party cookies are often
blocked, sends it in the `X-Kbbot-Visitor` header and keeps whatever token a response gives it.

A token older than KBBOT_VISITOR_ID_DAYS (90 by default) is no longer accepted: its visitor is a
new one. A visitor who comes back keeps the id: a token more than a day old is issued again, with
the same id and the current time, on each visit, so only an id left unused for that long expires,
and a conversation in use is never cut off.

Tokens of earlier releases carry no time. One is accepted, and issued again in the new form, when
its visitor was active (the event log) within the same period; otherwise its visitor is a new one.
A missing, tampered or expired token simply means a new visitor.
"""

import secrets
import time
from datetime import timedelta

from flask import current_app, g, request
from itsdangerous import BadSignature, SignatureExpired, Signer, TimestampSigner

from .. import events
from ..models import utcnow
from .session import get_session

COOKIE = "kbbot_visitor"
HEADER = "X-Kbbot-Visitor"
SALT = "kbbot.visitor"
REISSUE_AFTER_SECONDS = 24 * 3600  # a token older than this is issued again, fresh, on a visit
MAX_TOKEN_CHARS = 200


class _Signer(TimestampSigner):
    """A TimestampSigner whose tokens say they were issued at `issued_at` (POSIX seconds), if given."""

    def __init__(self, secret_key, issued_at=None):
        super().__init__(secret_key, salt=SALT)
        self.issued_at = issued_at

    def get_timestamp(self):
        return int(self.issued_at) if self.issued_at is not None else super().get_timestamp()


def lifetime_seconds():
    """How long a visitor id lasts unused (KBBOT_VISITOR_ID_DAYS), in seconds."""
    return int(current_app.config["VISITOR_ID_DAYS"] * 24 * 3600)


def sign(visitor_id, issued_at=None):
    """The token of `visitor_id`, issued now (or at `issued_at`, POSIX seconds)."""
    return _Signer(current_app.config["SECRET_KEY"], issued_at).sign(visitor_id).decode()


def read(token):
    """(visitor id, the token's age in seconds, or None for a token of an earlier release) of `token`,
    or None when it is missing, not signed by this server, or expired."""
    if not token or len(token) > MAX_TOKEN_CHARS:
        return None
    secret = current_app.config["SECRET_KEY"]
    try:
        visitor_id, issued = _Signer(secret).unsign(token, max_age=lifetime_seconds(), return_timestamp=True)
        return visitor_id.decode(), max(0.0, time.time() - issued.timestamp())
    except SignatureExpired:
        return None
    except BadSignature:
        pass
    try:
        visitor_id = Signer(secret, salt=SALT).unsign(token).decode()
    except BadSignature:
        return None
    if "." in visitor_id:  # a timed token whose time did not read: no id of ours has a dot
        return None
    since = utcnow() - timedelta(seconds=lifetime_seconds())
    return (visitor_id, None) if events.seen_since(get_session(), visitor_id, since) else None


def unsign(token):
    """The visitor id in `token`, or None when it is missing, not signed by this server, or expired."""
    found = read(token)
    return found[0] if found else None


def current_visitor_id(create=True):
    """The requesting visitor's id (header first, then cookie); a new one when `create` and none is valid."""
    if "kbbot_visitor_id" not in g:
        found = read(request.headers.get(HEADER)) or read(request.cookies.get(COOKIE))
        visitor_id, age = found if found else (None, None)
        g.kbbot_visitor_is_new = visitor_id is None
        # Issued again: an old release's token, or one a day old (so an id in use never expires).
        g.kbbot_visitor_reissue = found is not None and (age is None or age > REISSUE_AFTER_SECONDS)
        if visitor_id is None and create:
            visitor_id = secrets.token_urlsafe(16)
        g.kbbot_visitor_id = visitor_id
    return g.kbbot_visitor_id


def remember_visitor(response):
    """Hand a newly issued (or re-issued) visitor token back: in the cookie and in the response header."""
    visitor_id = g.get("kbbot_visitor_id")
    if visitor_id and (g.get("kbbot_visitor_is_new") or g.get("kbbot_visitor_reissue")):
        token = sign(visitor_id)
        response.headers[HEADER] = token
        response.set_cookie(
            COOKIE,
            token,
            max_age=lifetime_seconds(),
            httponly=True,
            secure=request.is_secure or bool(current_app.config["SESSION_COOKIE_SECURE"]),
            samesite="Lax",
        )
    return response


def init_app(app):
    if app.config["VISITOR_ID_DAYS"] <= 0:
        raise ValueError(f"KBBOT_VISITOR_ID_DAYS must be more than 0, got {app.config['VISITOR_ID_DAYS']}")
    app.after_request(remember_visitor)
