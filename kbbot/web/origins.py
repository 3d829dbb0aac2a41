"""Which web origins may embed the chat widget and call the public API from a browser.

kbbot's own origin always may; other sites are listed in KBBOT_ALLOWED_ORIGINS
(`ALLOWED_ORIGINS`, validated at startup). The widget's frame uses this for its
CSP `frame-ancestors` and for the host origin it posts messages to; the API
uses it for CORS (api/cors.py).
"""

from flask import current_app, request

from ..config import parse_origins, web_origin
from ..text import url_parts


def is_own(origin):
    """Whether `origin` is kbbot's own for this request.

    Compared by host and port only: behind a TLS-terminating proxy the app may see
    http while the browser says https, and another scheme on our own host is still us.
    """
    parts = url_parts(origin)  # None: not even a URL, so no page has that origin
    return parts is not None and parts.scheme in ("http", "https") and parts.netloc == request.host.lower()


def is_allowed(origin):
    """Whether a page of `origin` (exactly as a browser sends it in `Origin`) may use kbbot."""
    return origin in current_app.config["ALLOWED_ORIGINS"] or is_own(origin)


def allowed_host(origin):
    """`origin` normalized (lower case, no default port) when it may embed the widget, else None."""
    normalized = web_origin(origin or "")
    return normalized if normalized is not None and is_allowed(normalized) else None


def frame_ancestors():
    """The CSP `frame-ancestors` source list: kbbot itself and the allowed sites."""
    return " ".join(("'self'", *current_app.config["ALLOWED_ORIGINS"]))


def init_app(app):
    # Settings passed to create_app as a mapping (tests, embedding apps) get the same validation as
    # the environment variable: a string or a list of origins, normalized once here.
    app.config["ALLOWED_ORIGINS"] = parse_origins(app.config.get("ALLOWED_ORIGINS", ()))
