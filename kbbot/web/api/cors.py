"""Cross-origin requests to the public API from browsers on allowed sites (KBBOT_ALLOWED_ORIGINS).

A request without an `Origin` header (curl, a server) is not a browser's cross-site
call and is left alone. A request from kbbot's own origin or an allowed one gets
CORS headers naming that origin, and its preflight (`OPTIONS`) is answered 204.
Any other origin is refused with 403 before the view runs: CORS alone would only
hide the response, not stop a form-like POST from acting for the visitor.

The staff API authenticates with tokens and is for scripts and the console, not
for other sites' pages: it never sends CORS headers, so browsers keep other
origins from reading it.
"""

from flask import current_app, request

from .. import origins
from ..visitors import HEADER as VISITOR_HEADER
from .problems import problem

ALLOW_HEADERS = f"Content-Type, {VISITOR_HEADER}"
PREFLIGHT_MAX_AGE = 600  # seconds a browser may reuse a preflight answer


def refuse_other_origins():
    """Before a public API view: 403 for a browser on a site that is not allowed; answer preflights."""
    origin = request.headers.get("Origin")
    if origin is None:
        return None
    if not origins.is_allowed(origin):
        return problem(
            403,
            "Forbidden",
            f"pages on {origin} may not call this API; its origin must be listed in KBBOT_ALLOWED_ORIGINS",
        )
    if request.method == "OPTIONS":
        response = current_app.response_class(status=204)
        methods = sorted(request.url_rule.methods - {"HEAD", "OPTIONS"})
        response.headers["Access-Control-Allow-Methods"] = ", ".join(methods)
        response.headers["Access-Control-Max-Age"] = str(PREFLIGHT_MAX_AGE)
        return response
    return None


def add_cors_headers(response):
    """After a public API view: name the allowed origin, so that its pages may read the response."""
    response.vary.add("Origin")  # caches must not hand one origin's answer to another
    origin = request.headers.get("Origin")
    if origin is not None and origins.is_allowed(origin):
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Headers"] = ALLOW_HEADERS
        response.headers["Access-Control-Expose-Headers"] = VISITOR_HEADER
    return response


def register(blueprint):
    """Install the checks on a public API blueprint (the staff API's have none)."""
    blueprint.before_request(refuse_other_origins)
    blueprint.after_request(add_cors_headers)
