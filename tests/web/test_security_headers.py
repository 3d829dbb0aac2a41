"""Each audience's responses carry its own security headers (kbbot/web/security_headers.py)."""

from flask import Response

from kbbot.web import security_headers
from tests.helpers import make_app


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
    assert loader.headers["Content-Security-Policy"] == security_headers.RESOURCE_CSP  # binds no host page
    assert staff.headers["Content-Security-Policy"] == security_headers.STAFF_CSP
    assert staff.headers["Cache-Control"] == "no-store"
    assert api.headers["Content-Security-Policy"] == security_headers.RESOURCE_CSP
    assert unrouted_api.headers["Content-Security-Policy"] == security_headers.RESOURCE_CSP
    assert "Cache-Control" not in api.headers
    for response in (help_center, frame, loader, staff, api, unrouted_api):
        assert response.headers["X-Content-Type-Options"] == "nosniff", response.request.path


def test_every_response_says_nosniff_a_referrer_policy_and_who_may_frame_it(app):
    client = app.test_client()
    responses = {
        "page": client.get("/"),
        "static file": client.get("/static/help-center.css"),
        "health": client.get("/healthz"),
        "404 page": client.get("/no-such-page"),
        "405 page": client.post("/robots.txt"),
        "API 405": client.delete("/api/v1/availability"),
        "widget loader": client.get("/widget.js"),
        "staff page": client.get("/staff/login"),
        "theme": client.get("/theme.css"),
    }
    for what, response in responses.items():
        assert response.headers["X-Content-Type-Options"] == "nosniff", what
        assert response.headers["Referrer-Policy"], what
        assert "frame-ancestors" in response.headers["Content-Security-Policy"], what
        assert "Strict-Transport-Security" not in response.headers, what  # no https public URL
    assert responses["405 page"].status_code == 405 and responses["API 405"].status_code == 405
    assert responses["static file"].headers["Content-Security-Policy"] == security_headers.RESOURCE_CSP


def test_the_staff_api_is_never_cached(support_app, agent_token):
    client = support_app.test_client()
    listed = client.get("/api/v1/staff/handoffs", headers={"Authorization": f"Bearer {agent_token}"})
    refused = client.get("/api/v1/staff/handoffs")
    assert listed.status_code == 200 and refused.status_code == 401
    for response in (listed, refused):
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["Content-Security-Policy"] == security_headers.RESOURCE_CSP
    assert "no-store" not in client.get("/api/v1/search?q=refund").headers.get("Cache-Control", "")


def test_the_widget_frame_policy_is_built_once_per_set_of_allowed_sites(tmp_path):
    app = make_app(tmp_path, ALLOWED_ORIGINS="https://shop.example.com")
    client = app.test_client()
    first = client.get("/widget/frame").headers["Content-Security-Policy"]
    hits = security_headers._widget_frame_csp.cache_info().hits
    assert client.get("/widget/frame").headers["Content-Security-Policy"] == first
    assert security_headers._widget_frame_csp.cache_info().hits == hits + 1
    assert "frame-ancestors 'self' https://shop.example.com" in first  # still framed by the allowed site


def test_a_policy_a_view_chose_is_kept(app):
    with app.test_request_context():
        response = security_headers.apply(Response(), "staff_preview")
        security_headers.apply(response, "staff")
    assert response.headers["Content-Security-Policy"] == security_headers.STAFF_PREVIEW_CSP
    assert response.headers["Cache-Control"] == "no-store"
