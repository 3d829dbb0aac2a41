"""The staff articles API with the real database, engine and model; responses checked against the OpenAPI document."""

import re

import pytest

from kbbot import db
from kbbot.models import Article
from kbbot.web.services import get_engine
from kbbot.web.session import get_session
from tests.helpers import ask, check, csrf_token, openapi, sign_in, staff_headers

NEW = {
    "title": "Paying by PayPal",
    "category": "Billing",
    "tags": ["paypal"],
    "questions": ["can I pay with paypal"],
    "body": "Choose **PayPal** at checkout and sign in to PayPal to approve the payment.",
}


@pytest.fixture
def api(client, editor_token):
    """Call the staff articles API as an editor: api(method, path, **kwargs) -> response."""
    document = openapi(client)

    def call(method, path="", documented=None, **kwargs):
        headers = {**staff_headers(editor_token), **kwargs.pop("headers", {})}
        response = client.open(f"/api/v1/staff/articles{path}", method=method, headers=headers, **kwargs)
        if documented:  # the OpenAPI path the response must match
            check(document, documented, method.lower(), response)
        return response

    return call


def refunds_id(client, api):
    found = api("GET", "?q=refund", "/staff/articles").get_json()["articles"]
    return next(row["id"] for row in found if row["slug"] == "refunds")


def test_list_filters_paginates_and_reports_votes(client, api):
    reply = ask(client, "how long do I have to ask for a refund?")
    client.post("/api/v1/feedback", json={"message_id": reply["message_id"], "helpful": True})
    everything = api("GET", "", "/staff/articles").get_json()
    assert everything["total"] == 7 and everything["per_page"] == 50
    refunds = next(row for row in everything["articles"] if row["slug"] == "refunds")
    assert (refunds["votes"], refunds["helpful_rate"], refunds["updated_by"]) == (1, 1.0, None)
    drafts = api("GET", "?status=draft").get_json()["articles"]
    assert [row["slug"] for row in drafts] == ["new-pricing"]
    first, second = (api("GET", f"?sort=title&per_page=4&page={n}").get_json() for n in (1, 2))
    assert len(first["articles"]) == 4 and len(second["articles"]) == 3
    assert first["articles"][0]["title"] < second["articles"][0]["title"]
    bad = api("GET", "?edited_within=3", "/staff/articles")
    assert bad.status_code == 422 and bad.get_json()["errors"][0]["field"] == "edited_within"


def test_create_validates_like_sync_and_the_bot_answers_from_it(support_app, client, api):
    with support_app.app_context():
        engine = get_engine()
        engine.ensure_current(get_session())
    bad_slug = api("POST", json={**NEW, "slug": "Pay Pal"}, documented="/staff/articles")
    assert bad_slug.status_code == 422 and bad_slug.get_json()["errors"][0]["field"] == "slug"
    assert api("POST", json={**NEW, "title": "  "}).get_json()["errors"][0]["field"] == "title"
    assert api("POST", json={**NEW, "locale": "english!"}).get_json()["errors"][0]["field"] == "locale"
    assert api("POST", json={**NEW, "tags": "paypal, cards"}).get_json()["errors"][0]["field"] == "tags"
    taken = api("POST", json={**NEW, "slug": "refunds"}, documented="/staff/articles")
    assert taken.status_code == 409 and taken.get_json()["errors"][0]["field"] == "slug"

    created = api("POST", json=NEW, documented="/staff/articles")
    assert created.status_code == 201
    article = created.get_json()
    assert (article["slug"], article["status"], article["revision"], article["updated_by"]) == (
        "paying-by-paypal",
        "published",
        1,
        "Eda Editor",
    )
    assert created.headers["ETag"] == f'"{article["id"]}.1"'
    assert created.headers["Location"].endswith(f"/api/v1/staff/articles/{article['id']}")
    with support_app.app_context():  # the web layer re-indexed this process's engine before answering
        assert engine.generation == db.generation(get_session())
    assert ask(client, "can I pay with paypal?")["sources"][0]["slug"] == "paying-by-paypal"


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"tags": ["\udc00"]}, "tags"),
        ({"questions": ["can I pay", "\udc00"]}, "questions"),
        ({"title": "QA\u0000nul"}, "title"),
        ({"title": "QA \u0007\u001b[31m ctrl"}, "title"),
        ({"category": "c\u0000at"}, "category"),
        ({"tags": ["a\u0000b"]}, "tags"),
        ({"note": "pasted\u0000"}, "note"),
    ],
)
def test_a_control_character_or_lone_surrogate_in_a_field_is_422_naming_it(client, api, fields, field):
    refused = api("POST", json={**NEW, **fields}, documented="/staff/articles")
    assert refused.status_code == 422
    assert refused.get_json()["errors"][0]["field"] == field
    assert api("GET", "?q=paypal").get_json()["total"] == 0  # nothing stored


def test_control_characters_leave_the_body_and_the_editor_page_opens(support_app, client, api):
    created = api("POST", json={**NEW, "body": "Choose\u0000 **PayPal**\u001b[0m at checkout."})
    assert created.status_code == 201
    assert created.get_json()["body"] == "Choose **PayPal**[0m at checkout."
    editor = support_app.test_client()
    sign_in(editor, email="editor@example.com")
    assert editor.get(f"/staff/articles/{created.get_json()['id']}").status_code == 200


def test_a_long_category_in_another_script_gets_a_slug_that_fits(client, api):
    long_names = {"title": "Щ" * 150, "category": "Щ" * 200}
    created = api("POST", json={**NEW, **long_names}, documented="/staff/articles")
    assert created.status_code == 201
    article = created.get_json()
    assert len(article["slug"]) <= 200 and article["category"] == "Щ" * 200
    page = client.get(f"/articles/{article['slug']}").get_data(as_text=True)
    category_url = re.search(r'href="(/categories/[a-z0-9-]+)"', page)[1]
    assert len(category_url) <= len("/categories/") + 200
    assert client.get(category_url).status_code == 200


def test_get_gives_the_revision_and_its_etag(client, api):
    article_id = refunds_id(client, api)
    found = api("GET", f"/{article_id}", "/staff/articles/{article_id}")
    assert found.get_json()["revision"] == 1 and found.headers["ETag"] == f'"{article_id}.1"'
    assert found.get_json()["source_path"] == "billing/refunds.md"
    assert api("GET", "/999999", "/staff/articles/{article_id}").status_code == 404


def test_update_needs_the_current_revision(support_app, client, api):
    article_id = refunds_id(client, api)
    current = api("GET", f"/{article_id}").get_json()
    fields = {
        key: current[key] for key in ("title", "category", "tags", "questions", "locale", "status", "body")
    }
    edited = {**fields, "body": current["body"].replace("**14 days**", "**30 days**")}
    path = "/staff/articles/{article_id}"

    missing = api("PUT", f"/{article_id}", path, json=edited)
    assert missing.status_code == 428
    saved = api("PUT", f"/{article_id}", path, json=edited, headers={"If-Match": f'"{article_id}.1"'})
    assert saved.status_code == 200 and saved.get_json()["revision"] == 2
    assert saved.headers["ETag"] == f'"{article_id}.2"'
    assert "30 days" in ask(client, "how long do I have to ask for a refund?")["answer"]

    stale_etag = api("PUT", f"/{article_id}", path, json=edited, headers={"If-Match": f'"{article_id}.1"'})
    assert stale_etag.status_code == 412 and "revision 2" in stale_etag.get_json()["detail"]
    stale_base = api("PUT", f"/{article_id}", path, json={**edited, "body": "Mine.", "base_revision": 1})
    assert stale_base.status_code == 409 and stale_base.get_json()["current_revision"] == 2
    renamed = api("PUT", f"/{article_id}", path, json={**edited, "slug": "refund-policy", "base_revision": 2})
    assert renamed.status_code == 409 and renamed.get_json()["errors"][0]["field"] == "slug"
    with support_app.app_context():
        assert get_session().get(Article, article_id).body == edited["body"]  # nothing overwritten


def test_publish_unpublish_and_delete(client, api):
    article_id = refunds_id(client, api)
    unpublished = api("POST", f"/{article_id}/unpublish", "/staff/articles/{article_id}/unpublish")
    assert unpublished.get_json()["status"] == "draft" and unpublished.get_json()["url"] is None
    sources = ask(client, "how long do I have to ask for a refund?")["sources"]
    assert "refunds" not in [source["slug"] for source in sources]
    stale = api("POST", f"/{article_id}/publish", headers={"If-Match": f'"{article_id}.1"'})
    assert stale.status_code == 412
    published = api("POST", f"/{article_id}/publish", "/staff/articles/{article_id}/publish")
    assert published.get_json()["status"] == "published" and published.get_json()["revision"] == 3
    assert ask(client, "how long do I have to ask for a refund?")["sources"][0]["slug"] == "refunds"

    assert api("DELETE", f"/{article_id}", headers={"If-Match": f'"{article_id}.2"'}).status_code == 412
    assert api("DELETE", f"/{article_id}", headers={"If-Match": f'"{article_id}.3"'}).status_code == 204
    assert api("GET", f"/{article_id}").status_code == 404


def test_agents_may_not_and_a_signed_in_editor_needs_the_csrf_header(
    support_app, client, agent_token, editor_token
):
    assert client.get("/api/v1/staff/articles", headers=staff_headers(agent_token)).status_code == 403
    assert client.get("/api/v1/staff/articles").status_code == 401
    browser = support_app.test_client()
    sign_in(browser, email="editor@example.com")
    assert browser.get("/api/v1/staff/articles").status_code == 200
    assert browser.post("/api/v1/staff/articles", json=NEW).status_code == 401  # no CSRF header
    token = csrf_token(browser, "/staff/articles/new")
    assert browser.post("/api/v1/staff/articles", json=NEW, headers={"X-CSRFToken": token}).status_code == 201
