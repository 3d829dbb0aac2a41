"""Anonymous visitor ids, signed so that nobody can claim another visitor's conversations.

A visitor id is random; what the browser holds is the id plus an HMAC
signature made with SECRET_KEY (itsdangerous). The help center keeps it in an
HttpOnly cookie; the widget, which runs in an iframe where third-party cookies
are often blocked, sends it in the `X-Kbbot-Visitor` header. A missing or
tampered token simply means a new visitor.
"""

import secrets

from flask import current_app, g, request
from itsdangerous import BadSignature, Signer

COOKIE = "kbbot_visitor"
HEADER = "X-Kbbot-Visitor"
COOKIE_MAX_AGE = 365 * 24 * 3600


def _signer():
    return Signer(current_app.config["SECRET_KEY"], salt="kbbot.visitor")


def sign(visitor_id):
    return _signer().sign(visitor_id).decode()


def unsign(token):
    """The visitor id in `token`, or None when it is missing or not signed by this server."""
    if not token or len(token) > 200:
        return None
    try:
        return _signer().unsign(token).decode()
    except BadSignature:
        return None


def current_visitor_id(create=True):
    """The requesting visitor's id (header first, then cookie); a new one when `create` and none is valid."""
    if "kbbot_visitor_id" not in g:
        visitor_id = unsign(request.headers.get(HEADER)) or unsign(request.cookies.get(COOKIE))
        g.kbbot_visitor_is_new = visitor_id is None
        if visitor_id is None and create:
            visitor_id = secrets.token_urlsafe(16)
        g.kbbot_visitor_id = visitor_id
    return g.kbbot_visitor_id


def remember_visitor(response):
    """Hand a newly issued visitor id back: signed, in the cookie and in the response header."""
    visitor_id = g.get("kbbot_visitor_id")
    if visitor_id and g.get("kbbot_visitor_is_new"):
        token = sign(visitor_id)
        response.headers[HEADER] = token
        response.set_cookie(
            COOKIE,
            token,
            max_age=COOKIE_MAX_AGE,
            httponly=True,
            secure=request.is_secure,
            samesite="Lax",
        )
    return response


def init_app(app):
    app.after_request(remember_visitor)
