"""Article views and reading times come from anonymous browsers: counted once per visitor and
period, a bounded number per address, and reading times capped (kbbot/web/article_views.py)."""

import re

from sqlalchemy import func, select

from kbbot import events
from kbbot.articles import catalog
from kbbot.models import Article, Event
from kbbot.web.session import get_session
from tests.helpers import build_support_app

VIEW_URL = re.compile(r'data-view-url="/api/v1/views/(\d+)"')


def counted(app, type_="article_view"):
    with app.app_context():
        return get_session().execute(select(func.count(Event.id)).where(Event.type == type_)).scalar_one()


def test_eighty_views_from_one_visitor_count_once_and_do_not_make_an_article_popular(support_app, client):
    pages = [client.get("/articles/refunds").get_data(as_text=True) for _ in range(80)]
    assert counted(support_app) == 1
    assert len({VIEW_URL.search(page).group(1) for page in pages}) == 1  # each reports against the one view
    for reader in range(2):  # two people read another article
        support_app.test_client().get("/articles/export", environ_base={"REMOTE_ADDR": f"192.0.2.{reader}"})
    with support_app.app_context():
        popular = catalog.most_viewed(get_session())
    assert [(article.slug, views) for article, views in popular] == [("export", 2), ("refunds", 1)]


def test_the_widget_gets_the_same_view_for_a_repeat_visit(client):
    first = client.get("/api/v1/articles/refunds").get_json()["view_id"]
    assert first is not None and client.get("/api/v1/articles/refunds").get_json()["view_id"] == first


def test_a_view_counts_again_after_the_repeat_window(tmp_path):
    app = build_support_app(tmp_path, VIEW_REPEAT_MINUTES=0)
    client = app.test_client()
    for _ in range(3):
        client.get("/articles/refunds")
    assert counted(app) == 3


def test_new_visitor_ids_count_a_bounded_number_of_views_per_address(tmp_path):
    app = build_support_app(tmp_path, VIEW_COUNT_PER_ADDRESS="3/day")
    pages = [app.test_client().get("/articles/refunds") for _ in range(10)]  # a new visitor each time
    assert {page.status_code for page in pages} == {200}  # every page is served
    assert counted(app) == 3
    assert "reading-time.js" not in pages[-1].get_data(as_text=True)  # an uncounted view reports nothing
    assert app.test_client().get("/api/v1/articles/refunds").get_json()["view_id"] is None
    other = app.test_client().get("/articles/export")  # another article has its own count
    assert "reading-time.js" in other.get_data(as_text=True)


def test_a_day_long_reading_time_is_capped_to_what_a_person_could_read(support_app, client):
    view_id = VIEW_URL.search(client.get("/articles/refunds").get_data(as_text=True)).group(1)
    for _ in range(3):
        assert client.post(f"/api/v1/views/{view_id}", json={"seconds": 86400}).status_code == 204
    assert client.post(f"/api/v1/views/{view_id}", json={"seconds": 42.5}).status_code == 204
    with support_app.app_context():
        session = get_session()
        words = len(
            session.execute(select(Article.body).where(Article.slug == "refunds")).scalar_one().split()
        )
        reads = session.execute(
            select(Event).where(Event.type == "article_read").order_by(Event.id)
        ).scalars()
        recorded = [(read.data["seconds"], read.data.get("reported")) for read in reads]
    capped = round(120 + words * 60 / 50, 1)  # a 30-word article: 2 minutes and a half at most
    assert capped < 200 and recorded == [(capped, 86400)] * 3 + [(42.5, None)]


def test_a_reading_time_is_at_most_what_a_person_could_read():
    assert events.reading_seconds(86400, 500) == 120 + 500 * 60 / 50
    assert events.reading_seconds(86400, 1_000_000) == 3600  # the ceiling, however long the article
    assert events.reading_seconds(42, 500) == 42


def test_reading_time_reports_are_rate_limited_per_address(tmp_path):
    app = build_support_app(tmp_path, RATE_LIMIT_READING_REPORTS="2/minute")
    client = app.test_client()
    view_id = VIEW_URL.search(client.get("/articles/refunds").get_data(as_text=True)).group(1)
    statuses = [client.post(f"/api/v1/views/{view_id}", json={"seconds": 3}).status_code for _ in range(3)]
    assert statuses == [204, 204, 429]
    assert counted(app, "article_read") == 2
