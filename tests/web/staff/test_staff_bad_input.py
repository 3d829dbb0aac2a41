"""No input to a staff page or the staff API makes a 500: every staff route, as an admin, with junk."""

import io
import re

import pytest
from sqlalchemy import select

from kbbot.accounts import users
from kbbot.models import Article
from kbbot.web.session import get_session
from tests.helpers import PASSWORD, csrf_token, sign_in

JUNK_VALUES = ["", "-1", "abc", "9" * 30, "\u00b2", "<script>alert(1)</script>", "\x00", "2026-13-45",
               "' OR 1=1 --"]  # fmt: skip
JUNK_KEYS = ["q", "status", "tab", "page", "sort", "category", "locale", "helpful", "edited_within", "from", "to",
             "preset", "granularity", "a", "b", "title", "question", "limit", "mine", "after", "reason", "text",
             "body", "slug", "tags", "questions", "base_revision", "name", "roles", "email", "password"]  # fmt: skip
SKIPPED = {"staff.logout", "staff.tokens.revoke", "staff.team.update"}  # they end the walk's own access


@pytest.fixture
def admin_client(support_app):
    with support_app.app_context():
        session = get_session()
        token, _ = users.create_token(
            session, users.create_user(session, "admin@example.com", ["admin"], password=PASSWORD), "fuzz"
        )
    client = support_app.test_client()
    sign_in(client, email="admin@example.com")
    return client, token


def staff_rules(app):
    return [
        rule
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith(("/staff", "/api/v1/staff")) and rule.endpoint not in SKIPPED
    ]


@pytest.mark.parametrize("value", JUNK_VALUES)
def test_junk_never_makes_a_server_error(support_app, admin_client, value):
    client, token = admin_client
    form_token = csrf_token(client, "/staff/")
    junk = {key: value for key in JUNK_KEYS}
    for rule in staff_rules(support_app):
        for ids in ("1", "999999"):
            url = re.sub(r"<(?:\w+:)?\w+>", ids, rule.rule)
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                if rule.rule.startswith("/api/"):
                    response = client.open(
                        url, method=method, query_string=junk, json=junk if method != "GET" else None,
                        headers={"Authorization": f"Bearer {token}"},
                    )  # fmt: skip
                else:
                    data = {**junk, "csrf_token": form_token} if method == "POST" else None
                    response = client.open(url, method=method, query_string=junk, data=data)
                assert response.status_code < 500, f"{method} {url} with {value!r}: {response.status_code}"


def test_undecodable_bytes_in_query_strings_never_make_a_server_error(support_app, admin_client):
    client, token = admin_client
    raw = "&".join(f"{key}=%ff%fe%ED%A0%80" for key in JUNK_KEYS)
    for rule in staff_rules(support_app):
        if "GET" in rule.methods:
            url = re.sub(r"<(?:\w+:)?\w+>", "1", rule.rule)
            response = client.get(url, query_string=raw, headers={"Authorization": f"Bearer {token}"})
            assert response.status_code < 500, f"GET {url}: {response.status_code}"


def refunds_id(app):
    with app.app_context():
        return get_session().execute(select(Article.id).where(Article.slug == "refunds")).scalar_one()


@pytest.mark.parametrize("huge", [2**63, 10**40])  # 2**31 and up on PostgreSQL: test_postgres.py
def test_ids_beyond_the_database_range_are_404(support_app, admin_client, huge):
    client, token = admin_client
    form = {"csrf_token": csrf_token(client, "/staff/")}
    for path in ("/staff/articles/{}", "/staff/articles/{}/history", "/staff/handoffs/{}"):
        assert client.get(path.format(huge)).status_code == 404, path
    for path in ("/staff/handoffs/{}/assign", "/staff/team/{}", "/staff/tokens/{}/revoke"):
        assert client.post(path.format(huge), data=form).status_code == 404, path
    restore = f"/staff/articles/{refunds_id(support_app)}/revisions/{huge}/restore"
    assert client.post(restore, data={**form, "base_revision": "1"}).status_code == 404
    bearer = {"Authorization": f"Bearer {token}"}
    assert (
        client.put(f"/api/v1/staff/articles/{huge}", json={"title": "x"}, headers=bearer).status_code == 404
    )
    assert client.post(f"/api/v1/staff/handoffs/{huge}/reopen", headers=bearer).status_code == 404


def upload(content=b"a file"):
    return io.BytesIO(content), "upload.txt"


def test_a_file_where_the_sign_in_form_expects_text_is_400(support_app):
    with support_app.app_context():
        users.create_user(get_session(), "agent@example.com", ["agent"], password=PASSWORD)
    client = support_app.test_client()
    data = {"csrf_token": csrf_token(client), "email": upload(b"agent@example.com"), "password": PASSWORD}
    refused = client.post("/staff/login", data=data)
    assert refused.status_code == 400
    assert "This form takes no files" in refused.get_data(as_text=True)  # the reason, not a generic page
    assert client.get("/staff/").status_code == 302  # not signed in


def test_a_json_body_is_not_read_into_the_sign_in_form(support_app):
    client = support_app.test_client()
    body = {"email": 5, "password": {"a": 1}}
    response = client.post("/staff/login", json=body, headers={"X-CSRFToken": csrf_token(client)})
    assert response.status_code == 200 and "This field is required." in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "path, field",
    [
        ("/staff/articles/new", "body"),
        ("/staff/team/", "email"),
        ("/staff/password", "current_password"),
        ("/staff/tokens/", "name"),
    ],
)
def test_a_file_where_a_staff_form_expects_text_is_400(admin_client, path, field):
    client, _ = admin_client
    data = {"csrf_token": csrf_token(client, "/staff/"), "title": "Uploaded", field: upload()}
    assert client.post(path, data=data).status_code == 400


def test_a_file_in_the_console_forms_is_400(support_app, admin_client):
    client, _ = admin_client
    customer = support_app.test_client()
    conversation_id = customer.post("/api/v1/chat", json={"message": "refund"}).get_json()["conversation_id"]
    handoff = customer.post(
        f"/api/v1/conversations/{conversation_id}/handoff", json={"email": "d@example.com"}
    )
    form = {"csrf_token": csrf_token(client, "/staff/")}
    for action, field in (("reply", "reply-text"), ("notes", "note-text")):
        url = f"/staff/handoffs/{handoff.get_json()['id']}/{action}"
        assert client.post(url, data={**form, field: upload()}).status_code == 400, action


SUPERSCRIPT_TWO, SUPERSCRIPT_ONE = "\u00b2", "\u00b9"  # str.isdigit() says yes, int() says no


@pytest.mark.parametrize(
    "args", [{"page": SUPERSCRIPT_TWO}, {"per_page": SUPERSCRIPT_ONE}, {"page": "9" * 5000}]
)
def test_digits_other_than_ascii_are_not_a_page_number(admin_client, args):
    client, token = admin_client
    page = client.get("/staff/articles/", query_string=args)
    assert page.status_code == 400
    assert f"{next(iter(args))}: must be a whole number" in page.get_data(as_text=True)  # the reason
    api = client.get(
        "/api/v1/staff/articles", query_string=args, headers={"Authorization": f"Bearer {token}"}
    )
    assert api.status_code == 422 and api.get_json()["errors"][0]["field"] == next(iter(args))


def test_digits_other_than_ascii_are_not_a_revision_number(support_app, admin_client):
    client, _ = admin_client
    article = refunds_id(support_app)
    form = {"csrf_token": csrf_token(client, "/staff/"), "base_revision": SUPERSCRIPT_TWO}
    edit = {**form, "title": "Refund policy", "slug": "refunds", "body": "Within 14 days."}
    assert client.post(f"/staff/articles/{article}", data=edit).status_code == 400
    assert client.post(f"/staff/articles/{article}/revisions/1/restore", data=form).status_code == 400
    assert client.post(f"/staff/articles/{article}/delete", data=form).status_code == 400
    assert client.get(f"/staff/articles/{article}").status_code == 200  # still there


@pytest.mark.parametrize(
    "method, path, kwargs",
    [
        ("GET", "/staff/articles/", {"query_string": {"q": "refund\x00"}}),
        ("GET", "/staff/handoffs/%00", {}),
        ("POST", "/staff/tokens/", {"data": {"name": "CMS\x00"}}),
        (
            "POST",
            "/staff/team/",
            {"data": {"email": "n@example.com", "name": "N\x00", "roles": "agent", "password": PASSWORD}},
        ),
    ],
)
def test_a_nul_in_a_staff_request_is_400(admin_client, method, path, kwargs):
    client, _ = admin_client
    if "data" in kwargs:
        kwargs = {"data": {**kwargs["data"], "csrf_token": csrf_token(client, "/staff/")}}
    assert client.open(path, method=method, **kwargs).status_code == 400
