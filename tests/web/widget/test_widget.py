"""The embeddable widget: the loader, the framed chat page and its security headers, the API's CORS,
the help center's embed partial, and the article endpoint the widget's articles mode reads."""

from html.parser import HTMLParser

import pytest
from flask import render_template_string
from sqlalchemy import select

from kbbot.config import Config, parse_origins
from kbbot.models import Event
from kbbot.web.session import get_session
from tests.helpers import make_app, staff_headers

HOST = "https://www.example.com"
OTHER_HOST = "https://shop.example.com"
STRANGER = "https://evil.example"


@pytest.fixture
def widget_app(tmp_path):
    """An app (no articles, no index) that lets two other sites embed the widget."""
    return make_app(tmp_path, ALLOWED_ORIGINS=f"{HOST}, {OTHER_HOST}/", BUSINESS_HOURS="24/7")


@pytest.fixture
def widget_client(widget_app):
    return widget_app.test_client()


class TagCollector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []
        self.inline_script = False
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        self.inline_script |= self._in_script and bool(data.strip())


def parse(html):
    collector = TagCollector()
    collector.feed(html)
    return collector


def csp(response):
    """The Content-Security-Policy as {directive: [sources]}."""
    policy = {}
    for directive in response.headers["Content-Security-Policy"].split(";"):
        name, *sources = directive.split()
        policy[name] = sources
    return policy


# -- the loader ---------------------------------------------------------------------------------------


def test_the_loader_is_javascript_cached_for_a_day_and_revalidated(widget_client):
    loader = widget_client.get("/widget.js")
    assert loader.status_code == 200
    assert loader.mimetype == "text/javascript"
    assert loader.cache_control.public and loader.cache_control.max_age == 24 * 3600
    assert loader.headers["X-Content-Type-Options"] == "nosniff"
    etag = loader.headers["ETag"]
    assert widget_client.get("/widget.js", headers={"If-None-Match": etag}).status_code == 304


def test_the_loader_never_writes_html(widget_client):
    source = widget_client.get("/widget.js").get_data(as_text=True)
    assert "innerHTML" not in source and "insertAdjacentHTML" not in source and "document.write" not in source
    assert "postMessage(message, kbOrigin)" in source  # always to an explicit origin
    assert "event.origin !== kbOrigin" in source


# -- the frame ----------------------------------------------------------------------------------------


def test_the_frame_may_be_framed_only_by_kbbot_and_the_allowed_sites(widget_client):
    frame = widget_client.get(f"/widget/frame?origin={HOST}")
    assert frame.status_code == 200
    policy = csp(frame)
    assert policy["frame-ancestors"] == ["'self'", HOST, OTHER_HOST]
    assert STRANGER not in frame.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in frame.headers  # frame-ancestors supersedes it
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["base-uri"] == ["'none'"]


def test_without_allowed_origins_only_kbbot_itself_may_frame_it(tmp_path):
    client = make_app(tmp_path).test_client()
    assert csp(client.get("/widget/frame"))["frame-ancestors"] == ["'self'"]
    assert client.get(f"/widget/frame?origin={HOST}").status_code == 400
    assert client.get("/widget/frame?origin=http://localhost").status_code == 200  # its own origin


@pytest.mark.parametrize("mode", ["chat", "articles"])
def test_the_frame_runs_no_inline_script_or_style(widget_client, mode):
    page = parse(widget_client.get(f"/widget/frame?origin={HOST}&mode={mode}").get_data(as_text=True))
    assert not page.inline_script
    assert all(
        attrs.get("src", "").startswith("/static/widget/") for tag, attrs in page.tags if tag == "script"
    )
    assert not [tag for tag, _ in page.tags if tag == "style"]
    assert not [
        (tag, name) for tag, attrs in page.tags for name in attrs if name == "style" or name.startswith("on")
    ]


def test_the_frame_refuses_a_host_origin_that_is_not_allowed(widget_client):
    refused = widget_client.get(f"/widget/frame?origin={STRANGER}")
    assert refused.status_code == 400
    assert "KBBOT_ALLOWED_ORIGINS" in refused.get_data(as_text=True)
    assert STRANGER not in refused.get_data(as_text=True)  # never echoed
    assert csp(refused)["frame-ancestors"] == ["'self'", HOST, OTHER_HOST]
    for bad in ("javascript:alert(1)", "null", f"{HOST}.evil.example", f"{HOST}/path"):
        assert widget_client.get("/widget/frame", query_string={"origin": bad}).status_code == 400, bad


def test_the_frame_names_the_validated_host_origin_and_page(widget_client):
    def app_attrs(**params):
        page = parse(widget_client.get("/widget/frame", query_string=params).get_data(as_text=True))
        return next(attrs for tag, attrs in page.tags if attrs.get("id") == "kb-app")

    attrs = app_attrs(origin="https://WWW.example.com:443", page=f"{HOST}/pricing")
    assert attrs["data-host-origin"] == HOST  # normalized as browsers send it
    assert attrs["data-page-url"] == f"{HOST}/pricing"
    assert attrs["data-mode"] == "chat"
    assert app_attrs(origin=HOST, page=f"{STRANGER}/phish")["data-page-url"] == ""  # another site's page
    assert app_attrs(origin=HOST, page="javascript:alert(1)")["data-page-url"] == ""
    assert app_attrs(origin=HOST, mode="articles")["data-mode"] == "articles"
    assert app_attrs(origin=HOST, mode="<script>")["data-mode"] == "chat"
    assert app_attrs()["data-host-origin"] == ""  # opened on its own: it posts no messages


def test_a_page_url_that_is_no_url_is_left_out(widget_client):
    for page in ("http://[", "https://[::1/"):
        response = widget_client.get("/widget/frame", query_string={"origin": HOST, "page": page})
        assert response.status_code == 200
        tags = parse(response.get_data(as_text=True)).tags
        assert next(attrs for _, attrs in tags if attrs.get("id") == "kb-app")["data-page-url"] == ""


def test_host_supplied_text_is_escaped(widget_client):
    html = widget_client.get(
        "/widget/frame", query_string={"origin": HOST, "greeting": "<img src=x onerror=alert(1)>Hi"}
    ).get_data(as_text=True)
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;Hi" in html


def test_the_frame_has_the_controls_the_browser_tests_drive(widget_client):
    chat = widget_client.get(f"/widget/frame?origin={HOST}").get_data(as_text=True)
    for control in (
        'id="kb-messages"',
        'id="kb-input"',
        'id="kb-send"',
        'id="kb-talk-to-person"',
        'id="kb-end-chat"',
        'id="kb-handoff-email"',
        'id="kb-handoff-submit"',
        'id="kb-csat-5"',
        'id="kb-ces-difficult"',
        'aria-live="polite"',
        '<label class="kb-visually-hidden" for="kb-input">',
        '<label class="kb-field__label" for="kb-handoff-email">',
    ):
        assert control in chat, control
    articles = widget_client.get(f"/widget/frame?origin={HOST}&mode=articles").get_data(as_text=True)
    assert 'id="kb-search"' in articles and 'id="kb-input"' not in articles


# -- CORS on the public API -----------------------------------------------------------------------------


def test_an_allowed_origin_may_call_the_api_and_read_the_visitor_header(widget_client):
    response = widget_client.post(
        "/api/v1/feedback", json={"article": "nothing", "helpful": True}, headers={"Origin": HOST}
    )
    assert response.headers["Access-Control-Allow-Origin"] == HOST
    assert "Origin" in response.headers["Vary"]
    assert response.headers["Access-Control-Allow-Headers"] == "Content-Type, X-Kbbot-Visitor"
    assert response.headers["Access-Control-Expose-Headers"] == "X-Kbbot-Visitor"
    assert "Access-Control-Allow-Credentials" not in response.headers
    own = widget_client.get("/api/v1/availability", headers={"Origin": "http://localhost"})
    assert own.status_code == 200 and own.headers["Access-Control-Allow-Origin"] == "http://localhost"


def test_another_origin_is_refused_before_the_view_runs(widget_app, widget_client):
    response = widget_client.post(
        "/api/v1/feedback", json={"article": "nothing", "helpful": True}, headers={"Origin": STRANGER}
    )
    assert response.status_code == 403
    assert response.content_type == "application/problem+json"
    assert response.get_json()["status"] == 403
    assert "Access-Control-Allow-Origin" not in response.headers
    assert "X-Kbbot-Visitor" not in response.headers
    with widget_app.app_context():
        assert get_session().execute(select(Event)).first() is None


@pytest.mark.parametrize("origin", ["http://[", "http://[::1"])
def test_an_origin_that_is_no_url_is_refused_like_another_sites(widget_client, origin):
    response = widget_client.get("/api/v1/availability", headers={"Origin": origin})
    assert response.status_code == 403 and response.content_type == "application/problem+json"
    preflight = widget_client.options(
        "/api/v1/chat", headers={"Origin": origin, "Access-Control-Request-Method": "POST"}
    )
    assert preflight.status_code == 403 and "Access-Control-Allow-Origin" not in preflight.headers


def test_preflight_is_answered_for_allowed_origins_only(widget_client):
    headers = {
        "Origin": OTHER_HOST,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type, x-kbbot-visitor",
    }
    preflight = widget_client.options("/api/v1/chat", headers=headers)
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == OTHER_HOST
    assert preflight.headers["Access-Control-Allow-Methods"] == "POST"
    assert preflight.headers["Access-Control-Allow-Headers"] == "Content-Type, X-Kbbot-Visitor"
    assert int(preflight.headers["Access-Control-Max-Age"]) > 0
    refused = widget_client.options("/api/v1/chat", headers={**headers, "Origin": STRANGER})
    assert refused.status_code == 403 and "Access-Control-Allow-Origin" not in refused.headers


def test_requests_without_an_origin_are_unaffected(widget_client):
    response = widget_client.get("/api/v1/availability")
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response.headers
    assert "Origin" in response.headers["Vary"]  # a cache must not serve it to a browser on another site


def test_the_staff_api_never_sends_cors_headers(client, agent_token):
    for origin in (HOST, "http://localhost", STRANGER):
        response = client.get(
            "/api/v1/staff/handoffs", headers={**staff_headers(agent_token), "Origin": origin}
        )
        assert response.status_code == 200
        assert not [name for name, _ in response.headers if name.startswith("Access-Control-")]
        articles = client.get("/api/v1/staff/articles", headers={**staff_headers(agent_token), "Origin": origin})
        assert not [name for name, _ in articles.headers if name.startswith("Access-Control-")]
    preflight = client.options(
        "/api/v1/staff/handoffs", headers={"Origin": HOST, "Access-Control-Request-Method": "GET"}
    )
    assert "Access-Control-Allow-Origin" not in preflight.headers


# -- configuration --------------------------------------------------------------------------------------


def test_allowed_origins_are_validated_and_normalized(monkeypatch, tmp_path):
    assert parse_origins(" https://WWW.Example.com:443/, http://127.0.0.1:8080 ,") == (
        HOST,
        "http://127.0.0.1:8080",
    )
    assert parse_origins("") == ()
    for bad in ("*", "https://*.example.com", "www.example.com", f"{HOST}/help", "ftp://example.com", "null"):
        with pytest.raises(ValueError, match="KBBOT_ALLOWED_ORIGINS"):
            parse_origins(bad)
    monkeypatch.setenv("KBBOT_ALLOWED_ORIGINS", f"{HOST},example.com")
    with pytest.raises(ValueError, match="'example.com' is not a web origin"):
        Config()
    with pytest.raises(ValueError, match="KBBOT_ALLOWED_ORIGINS"):
        make_app(tmp_path, ALLOWED_ORIGINS=["https://ok.example", "https://bad.example/path"])


# -- the help center's embed partial ---------------------------------------------------------------------


def test_the_embed_partial_names_the_article_being_read(widget_app):
    template = '{% include "widget/_embed.html" %}'
    with widget_app.test_request_context("/"):
        anywhere = render_template_string(template)
        on_article = render_template_string(template, article=type("Row", (), {"slug": "reset-password"}))
    assert parse(anywhere).tags == [("script", {"src": "/widget.js", "async": None})]
    assert parse(on_article).tags == [
        ("script", {"src": "/widget.js", "data-kbbot-article": "reset-password", "async": None})
    ]


# -- the articles endpoint -------------------------------------------------------------------------------


def test_a_published_article_as_sanitized_html_logged_as_read_in_the_widget(support_app, client):
    response = client.get("/api/v1/articles/refunds")
    assert response.status_code == 200
    article = response.get_json()
    assert (article["slug"], article["title"]) == ("refunds", "Refund policy")
    assert article["url"] == "http://localhost/articles/refunds"
    assert "<strong>14 days</strong>" in article["html"] and article["updated_at"]
    with support_app.app_context():
        view = get_session().get(Event, article["view_id"])
        assert (view.type, view.data["ref"], view.data["slug"]) == ("article_view", "widget", "refunds")
    reading = client.post(f"/api/v1/views/{article['view_id']}", json={"seconds": 42.0})
    assert reading.status_code == 204


def test_hostile_markup_in_an_article_is_inert_in_the_api(client):
    page = parse(client.get("/api/v1/articles/script").get_json()["html"])
    assert page.tags and not [tag for tag, _ in page.tags if tag in ("script", "style", "iframe")]
    assert not [(tag, name) for tag, attrs in page.tags for name in attrs if name.startswith("on")]
    assert not [attrs for _, attrs in page.tags if "javascript:" in (attrs.get("href") or "")]


@pytest.mark.parametrize("slug", ["new-pricing", "no-such-article"])
def test_drafts_and_unknown_articles_are_404(client, slug):
    response = client.get(f"/api/v1/articles/{slug}")
    assert response.status_code == 404 and response.content_type == "application/problem+json"
