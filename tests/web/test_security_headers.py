"""Each audience's responses carry its own security headers (kbbot/web/security_headers.py)."""

from flask import Response

from kbbot.web import security_headers


def test_each_audience_gets_its_policy(app):
    client = app.test_client()
    help_center, frame, loader = client.get("/"), client.get("/widget/frame"), client.get("/widget.js")
    staff, api, unrouted_api = (
        client.get("/staff/login"),
        client.get("/api/v1/availability"),
        client.get("/api/v1/nope"),
    )
    assert help_center.headers["Content-Security-Policy"] == security_headers.HELP_CENTER_CSP
    assert client.get("/no-such-page").headers["Content-Security-Policy"] == security_headers.HELP_CENTER_CSP
    assert "frame-ancestors 'self'" in frame.headers["Content-Security-Policy"]
    assert frame.headers["Referrer-Policy"] == "same-origin"
    assert loader.headers["Cross-Origin-Resource-Policy"] == "cross-origin"
    assert "Content-Security-Policy" not in loader.headers
    assert staff.headers["Content-Security-Policy"] == security_headers.STAFF_CSP
    assert staff.headers["Cache-Control"] == "no-store"
    assert (
        "Content-Security-Policy" not in api.headers and "Content-Security-Policy" not in unrouted_api.headers
    )
    for response in (help_center, frame, loader, staff, api, unrouted_api):
        assert response.headers["X-Content-Type-Options"] == "nosniff", response.request.path


def test_a_policy_a_view_chose_is_kept(app):
    with app.test_request_context():
        response = security_headers.apply(Response(), "staff_preview")
        security_headers.apply(response, "staff")
    assert response.headers["Content-Security-Policy"] == security_headers.STAFF_PREVIEW_CSP
    assert response.headers["Cache-Control"] == "no-store"
