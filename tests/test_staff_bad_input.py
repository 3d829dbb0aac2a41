"""No input to a staff page or the staff API makes a 500: every staff route, as an admin, with junk."""

import re

import pytest

from kbbot import db, users
from test_staff_auth import PASSWORD, csrf_token, sign_in

JUNK_VALUES = ["", "-1", "abc", "9" * 30, "<script>alert(1)</script>", "\x00", "2026-13-45", "' OR 1=1 --"]
JUNK_KEYS = ["q", "status", "tab", "page", "sort", "category", "locale", "helpful", "edited_within", "from", "to",
             "preset", "granularity", "a", "b", "title", "question", "limit", "mine", "after", "reason", "text",
             "body", "slug", "tags", "questions", "base_revision", "name", "roles", "email", "password"]  # fmt: skip
SKIPPED = {"staff.logout", "staff.tokens.revoke", "staff.team.update"}  # they end the walk's own access


@pytest.fixture
def admin_client(support_app):
    with support_app.app_context():
        session = db.get_session()
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
