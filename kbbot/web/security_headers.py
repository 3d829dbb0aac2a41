"""The security headers of kbbot's responses: one policy per audience, applied one way.

Every response is sent with `X-Content-Type-Options: nosniff`, a `Referrer-Policy` and a
Content-Security-Policy that says who may frame it, and, when KBBOT_HSTS_SECONDS is set (by default
with an https KBBOT_PUBLIC_URL), `Strict-Transport-Security`. The pages run no inline script or
style (the brand colours come from /theme.css, behaviour from static scripts), so each policy allows
only kbbot's own files; they differ in who may frame the page and what it may load:

- help_center: the public pages; framed only by kbbot itself.
- widget_frame: the chat widget's panel; framed by kbbot and the allowed sites
  (KBBOT_ALLOWED_ORIGINS), and it keeps its URL, which names the host page, to itself.
- widget_loader: the script other sites include; they may require CORP.
- staff: the staff pages; never framed, never cached (they hold customer data).
- staff_preview: the article editor's preview of unsaved text, which runs nothing
  at all; framed by the editor.
- api: JSON; staff_api: the staff's JSON, never cached either.
- resource: everything else (static files, /healthz, a 405 outside the API): loads nothing,
  framed by nobody.

A blueprint applies its audience's policy to every response (`protect`); a view
may apply a stricter one first (`apply`), and that one stays; the app applies
"resource" to any response that got no policy (`init_app`).
"""

from functools import lru_cache

from . import origins

CSP = "Content-Security-Policy"
NOSNIFF = {"X-Content-Type-Options": "nosniff"}
REFERRER = "Referrer-Policy"
NO_STORE = {"Cache-Control": "no-store"}
# A response that is no page: it loads nothing and nobody frames it (an SVG or a JSON body opened in
# a tab runs nothing either).
RESOURCE_CSP = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
HELP_CENTER_CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' https: data:",  # article bodies may show images from anywhere
        "frame-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "frame-ancestors 'self'",
    )
)
STAFF_CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
# The preview shows what a visitor would see, and runs nothing: no script may load in it at all.
STAFF_PREVIEW_CSP = "; ".join(
    (
        "default-src 'none'",
        "style-src 'self'",
        "img-src 'self' https: data:",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'self'",
    )
)


def widget_frame_csp():
    """The widget frame's policy: our own scripts, styles and API only, framed by the allowed sites."""
    return _widget_frame_csp(origins.frame_ancestors())


@lru_cache(maxsize=16)  # one per app's allowed origins: the policy is the same for every request
def _widget_frame_csp(frame_ancestors):
    return "; ".join(
        (
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' https: data:",  # article bodies may show images from anywhere
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            f"frame-ancestors {frame_ancestors}",
        )
    )


# audience -> its headers (a function: the widget frame's depend on the app's settings)
POLICIES = {
    "help_center": lambda: {CSP: HELP_CENTER_CSP, **NOSNIFF, REFERRER: "strict-origin-when-cross-origin"},
    "widget_frame": lambda: {CSP: widget_frame_csp(), **NOSNIFF, REFERRER: "same-origin"},
    "widget_loader": lambda: {
        CSP: RESOURCE_CSP,  # a script's own policy binds nothing on the page that includes it
        **NOSNIFF,
        REFERRER: "strict-origin-when-cross-origin",
        "Cross-Origin-Resource-Policy": "cross-origin",
    },
    "staff": lambda: {CSP: STAFF_CSP, **NOSNIFF, **NO_STORE, REFERRER: "same-origin"},
    "staff_preview": lambda: {CSP: STAFF_PREVIEW_CSP, **NOSNIFF, **NO_STORE, REFERRER: "same-origin"},
    "api": lambda: {CSP: RESOURCE_CSP, **NOSNIFF, REFERRER: "no-referrer"},
    "staff_api": lambda: {CSP: RESOURCE_CSP, **NOSNIFF, **NO_STORE, REFERRER: "no-referrer"},
    "resource": lambda: {CSP: RESOURCE_CSP, **NOSNIFF, REFERRER: "strict-origin-when-cross-origin"},
}


def apply(response, audience):
    """Send `response` with `audience`'s headers, unless a policy was applied to it already; returns it."""
    if getattr(response, "security_audience", None) is None:
        response.security_audience = audience
        for name, value in POLICIES[audience]().items():
            response.headers[name] = value
    return response


def protect(blueprint, audience):
    """Apply `audience`'s policy to every response of `blueprint` and of the blueprints nested in it."""
    blueprint.after_request(lambda response: apply(response, audience))


def init_app(app):
    """Every response gets a policy: "resource" when no blueprint or view gave it one; and HSTS when
    KBBOT_HSTS_SECONDS is set."""
    hsts_seconds = app.config["HSTS_SECONDS"]

    @app.after_request
    def _secure_every_response(response):
        apply(response, "resource")
        if hsts_seconds:
            response.headers["Strict-Transport-Security"] = f"max-age={hsts_seconds}; includeSubDomains"
        return response
