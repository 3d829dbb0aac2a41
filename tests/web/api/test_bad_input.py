"""Every kind of bad request gets its status and one error shape; nothing odd causes a 500."""

import pytest

from tests.helpers import ask, staff_headers

PROBLEM = "application/problem+json"


def assert_problem(response, status, field=None):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.content_type == PROBLEM
    body = response.get_json()
    assert body["status"] == status and body["title"]
    if field is not None:
        assert field in [error["field"] for error in body["errors"]], body


@pytest.mark.parametrize("body", ["{not json", '{"message": "hi",}', "[" * 100_000])
def test_malformed_json_is_400(client, body):
    assert_problem(client.post("/api/v1/chat", data=body, content_type="application/json"), 400)


def test_wrong_content_type_is_415(client):
    assert_problem(
        client.post("/api/v1/chat", data="message=hi", content_type="application/x-www-form-urlencoded"), 415
    )


@pytest.mark.parametrize(
    "body, field",
    [
        ({}, "message"),
        ({"message": 42}, "message"),
        ({"message": "hi", "conversation_id": 7}, "conversation_id"),
        ({"message": "hi", "page_url": "javascript:alert(1)"}, "page_url"),
        ({"message": "hi", "locale": "<script>"}, "locale"),
        (["message"], "body"),
    ],
)
def test_missing_or_wrong_typed_fields_are_422_naming_the_field(client, body, field):
    assert_problem(client.post("/api/v1/chat", json=body), 422, field)


@pytest.mark.parametrize("message", ["", "   ", "\n\t "])
def test_an_empty_message_is_422(client, message):
    assert_problem(client.post("/api/v1/chat", json={"message": message}), 422, "message")


def test_a_message_over_the_limit_is_413(client):
    assert_problem(client.post("/api/v1/chat", json={"message": "a" * 2001}), 413)
    assert_problem(client.post("/api/v1/chat", json={"message": "😀" * 10_000}), 413)


def test_a_body_over_the_request_limit_is_413(client):
    assert_problem(
        client.post("/api/v1/chat", data="x" * (1024 * 1024 + 1), content_type="application/json"), 413
    )


def test_unknown_conversations_and_routes_are_404(client):
    assert_problem(client.post("/api/v1/chat", json={"message": "hi", "conversation_id": "nope"}), 404)
    assert_problem(client.get("/api/v1/conversations/nope"), 404)
    assert_problem(client.post("/api/v1/conversations/nope/handoff", json={"email": "a@example.com"}), 404)
    assert_problem(client.get("/api/v1/no-such-thing"), 404)
    assert_problem(client.delete("/api/v1/chat"), 405)


@pytest.mark.parametrize(
    "message",
    [
        "hello\x00world\x07 \x1b[31m",
        "😀" * 1000,
        "Привет, как сбросить пароль? 密码 مرحبا",
        "<script>alert('x')</script><img src=x onerror=alert(1)>",
        "\ud800 lone surrogate",
        "'; DROP TABLE messages; --",
    ],
)
def test_odd_messages_never_cause_a_500_and_are_stored_inert(client, message):
    reply = ask(client, message)
    transcript = client.get(f"/api/v1/conversations/{reply['conversation_id']}").get_json()
    stored = transcript["messages"][0]["text"]
    assert "\x00" not in stored and "\x07" not in stored and "\ud800" not in stored
    assert transcript["messages"][1]["role"] == "bot"


def test_handoff_email_is_validated(client):
    reply = ask(client, "agent please")
    url = f"/api/v1/conversations/{reply['conversation_id']}/handoff"
    assert_problem(client.post(url, json={"name": "Dana"}), 422, "email")
    assert_problem(client.post(url, json={"email": "not-an-email"}), 422, "email")
    assert client.post(url, json={"email": "dana@example.com"}).status_code == 201


def test_feedback_and_survey_validation(client):
    reply = ask(client, "how do I export invoices")
    assert_problem(
        client.post("/api/v1/feedback", json={"helpful": "yes", "message_id": reply["message_id"]}),
        422,
        "helpful",
    )
    assert_problem(client.post("/api/v1/feedback", json={"helpful": True}), 422)
    assert_problem(client.post("/api/v1/feedback", json={"helpful": True, "message_id": 999999}), 404)
    survey = {"conversation_id": reply["conversation_id"], "kind": "csat"}
    assert_problem(client.post("/api/v1/surveys", json={**survey, "score": 6}), 422)
    assert_problem(
        client.post("/api/v1/surveys", json={**survey, "kind": "ces", "choice": "meh"}), 422, "choice"
    )
    assert_problem(
        client.post("/api/v1/surveys", json={**survey, "conversation_id": "nope", "score": 5}), 404
    )


# Ids and cursors beyond the database's integer range (PostgreSQL's integer is 32 bits, SQLite's 64).
HUGE_IDS = (2**31, 2**63, 10**40)


@pytest.mark.parametrize("huge", HUGE_IDS)
def test_ids_beyond_the_database_range_are_refused_before_any_query(client, agent_token, editor_token, huge):
    vote = client.post("/api/v1/feedback", json={"message_id": huge, "helpful": True})
    assert_problem(vote, 422, "message_id")
    assert_problem(client.post(f"/api/v1/views/{huge}", json={"seconds": 5}), 404)
    assert_problem(client.get(f"/api/v1/staff/handoffs/{huge}", headers=staff_headers(agent_token)), 404)
    assert_problem(client.get(f"/api/v1/staff/articles/{huge}", headers=staff_headers(editor_token)), 404)


@pytest.mark.parametrize("after", [str(2**31), str(2**63), str(-(2**63) - 1), "-1", "²", "abc"])
def test_a_cursor_that_is_no_message_id_is_422_naming_it(client, after):
    reply = ask(client, "how do I export invoices")
    response = client.get(f"/api/v1/conversations/{reply['conversation_id']}", query_string={"after": after})
    assert_problem(response, 422, "after")


# NUL characters: PostgreSQL cannot store them (see test_postgres.py), so none gets in anywhere.


@pytest.mark.parametrize(
    "path, kwargs",
    [
        ("/api/v1/articles/%00", {}),
        ("/api/v1/no-such-route/%00", {}),
        ("/api/v1/search", {"query_string": {"q": "refund\x00"}}),
        ("/api/v1/availability", {"headers": {"User-Agent": "curl\x00"}}),
    ],
)
def test_a_nul_in_the_path_query_or_headers_is_400(client, path, kwargs):
    response = client.get(path, **kwargs)
    assert_problem(response, 400)
    assert "NUL" in response.get_json()["detail"]


@pytest.mark.parametrize(
    "path, body, field",
    [
        ("/api/v1/chat", {"message": "hi", "conversation_id": "\x00"}, "conversation_id"),
        ("/api/v1/chat", {"message": "hi", "page_url": "https://shop.example/\x00"}, "page_url"),
        ("/api/v1/feedback", {"article": "refunds\x00", "helpful": True}, "article"),
        ("/api/v1/surveys", {"conversation_id": "\x00", "kind": "csat", "score": 3}, "conversation_id"),
    ],
)
def test_a_nul_in_a_json_string_kept_as_sent_is_422_naming_the_field(client, path, body, field):
    assert_problem(client.post(path, json=body), 422, field)
