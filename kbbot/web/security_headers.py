"""The security headers of kbbot's responses: one policy per audience, applied one way.

Every audience's responses are sent with `X-Content-Type-Options: nosniff`. The
pages run no inline script or style (the brand colours come from /theme.css,
behaviour from static scripts), so each Content-Security-Policy allows only
kbbot's own files; they differ in who may frame the page and what it may load:

- help_center: the public pages; framed only by kbbot itself.
- widget_frame: the chat widget's panel; framed by kbbot and the allowed sites
  (KBBOT_ALLOWED_ORIGINS), and it keeps its URL, which names the host page, to itself.
- widget_loader: the script other sites include; they may require CORP.
- staff: the staff pages; never framed, never cached (they hold customer data).
- staff_preview: the article editor's preview of unsaved text, which runs nothing
  at all; framed by the editor.
- api: JSON.

A blueprint applies its audience's policy to every response (`protect`); a view
may apply a stricter one first (`apply`), and that one stays.
"""

from . import origins

CSP = "Content-Security-Policy"
NOSNIFF = {"X-Content-Type-Options": "nosniff"}
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
            f"frame-ancestors {origins.frame_ancestors()}",
        )
    )


# audience -> its headers (a function: the widget frame's depend on the app's settings)
POLICIES = {
    "help_center": lambda: {CSP: HELP_CENTER_CSP, **NOSNIFF},
    "widget_frame": lambda: {CSP: widget_frame_csp(), **NOSNIFF, "Referrer-Policy": "same-origin"},
    "widget_loader": lambda: {**NOSNIFF, "Cross-Origin-Resource-Policy": "cross-origin"},
    "staff": lambda: {CSP: STAFF_CSP, **NOSNIFF, "Cache-Control": "no-store"},
    "staff_preview": lambda: {CSP: STAFF_PREVIEW_CSP, **NOSNIFF, "Cache-Control": "no-store"},
    "api": lambda: dict(NOSNIFF),
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
