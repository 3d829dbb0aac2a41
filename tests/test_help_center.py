"""The article page: sanitized rendering, and every view logged with how the visitor got there."""

from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from kbbot import db
from kbbot.help_center import referrer_kind
from kbbot.models import Event


def views(app):
    with app.app_context():
        return [
            (event.data["slug"], event.data["ref"], event.visitor_id)
            for event in db.get_session().execute(select(Event).where(Event.type == "article_view")).scalars()
        ]


def test_an_article_page_renders_and_logs_the_view(support_app, client):
    page = client.get("/articles/refunds")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<h1>Refund policy</h1>" in html and "<strong>14 days</strong>" in html
    [(slug, ref, visitor)] = views(support_app)
    assert (slug, ref) == ("refunds", "direct") and visitor
    client.get("/articles/refunds?ref=bot")
    assert views(support_app)[-1][2] == visitor  # the signed cookie keeps the same visitor


class TagCollector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_hostile_markup_in_an_article_renders_inert(client):
    collector = TagCollector()
    collector.feed(client.get("/articles/script").get_data(as_text=True))
    scripts = [attrs.get("src") for tag, attrs in collector.tags if tag == "script"]
    assert all(src and src.startswith("/static/") for src in scripts)  # only our own, none inline
    assert not [(tag, name) for tag, attrs in collector.tags for name in attrs if name.startswith("on")]
    assert not [attrs for tag, attrs in collector.tags if "javascript:" in (attrs.get("href") or "")]


def test_unknown_and_draft_articles_are_404(client):
    assert client.get("/articles/no-such-article").status_code == 404
    assert client.get("/articles/new-pricing").status_code == 404


@pytest.mark.parametrize(
    "ref, referrer, kind",
    [
        ("bot", None, "bot"),
        ("evil", None, "direct"),
        (None, "http://help.example/search?q=x", "search"),
        (None, "http://help.example/categories/billing", "browse"),
        (None, "https://www.google.com/", "external"),
    ],
)
def test_referrer_kind(ref, referrer, kind):
    assert referrer_kind(ref, referrer, "help.example") == kind


def test_reading_time_only_for_the_visitors_own_view(support_app, client):
    client.get("/articles/refunds")
    with support_app.app_context():
        view_id = db.get_session().execute(select(Event.id).where(Event.type == "article_view")).scalar_one()
    assert support_app.test_client().post(f"/api/v1/views/{view_id}", json={"seconds": 5}).status_code == 404
    assert client.post(f"/api/v1/views/{view_id}", json={"seconds": -1}).status_code == 422
    assert client.post(f"/api/v1/views/{view_id}", json={"seconds": 12}).status_code == 204
