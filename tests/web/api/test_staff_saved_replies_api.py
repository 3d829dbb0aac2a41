"""The staff API's saved replies: the same rules as the page, filling one for a handoff, counted uses."""

import pytest

from kbbot.accounts import users
from kbbot.web.session import get_session
from tests.helpers import ask, check, openapi, request_handoff, staff_headers

REFUNDS = {"title": "Refunds", "shortcut": "refund", "body": "Hi {customer_first_name}: {article:refunds}"}


@pytest.fixture
def other_agent_token(support_app):
    with support_app.app_context():
        session = get_session()
        token, _ = users.create_token(session, users.create_user(session, "bo@example.com", ["agent"]), "t")
    return token


def test_an_editor_shares_a_reply_that_agents_list_and_fill_for_a_handoff(client, agent_token, editor_token):
    document = openapi(client)
    created = client.post(
        "/api/v1/staff/saved-replies", json={**REFUNDS, "shared": True}, headers=staff_headers(editor_token)
    )
    assert created.status_code == 201, created.get_json()
    check(document, "/staff/saved-replies", "post", created)
    reply = created.get_json()
    assert (reply["shared"], reply["owner"], reply["uses"], reply["changeable"]) == (True, None, 0, True)

    listed = client.get("/api/v1/staff/saved-replies", headers=staff_headers(agent_token))
    check(document, "/staff/saved-replies", "get", listed)
    [seen] = listed.get_json()["saved_replies"]
    assert (seen["id"], seen["changeable"]) == (reply["id"], False)

    conversation_id = ask(client, "I was charged twice")["conversation_id"]
    handoff = request_handoff(client, conversation_id, name="Dana Scully").get_json()["id"]
    filled = client.get(f"/api/v1/staff/handoffs/{handoff}/saved-replies", headers=staff_headers(agent_token))
    check(document, "/staff/handoffs/{handoff_id}/saved-replies", "get", filled)
    [text] = filled.get_json()["saved_replies"]
    assert (text["id"], text["unfilled"]) == (reply["id"], [])
    assert text["text"] == "Hi Dana: [Refund policy](http://localhost/articles/refunds)"

    sent = client.post(
        f"/api/v1/staff/handoffs/{handoff}/replies",
        json={"text": text["text"], "saved_reply_ids": [reply["id"], reply["id"], 999]},
        headers=staff_headers(agent_token),
    )
    assert sent.status_code == 201
    one = client.get(f"/api/v1/staff/saved-replies/{reply['id']}", headers=staff_headers(agent_token))
    check(document, "/staff/saved-replies/{reply_id}", "get", one)
    assert (one.get_json()["uses"], one.get_json()["recent_uses"]) == (1, 1)


def test_agents_manage_their_own_and_not_the_shared_ones(
    client, agent_token, editor_token, other_agent_token
):
    agent, editor, other = (staff_headers(token) for token in (agent_token, editor_token, other_agent_token))
    refused = client.post("/api/v1/staff/saved-replies", json={**REFUNDS, "shared": True}, headers=agent)
    assert refused.status_code == 403
    shared = client.post("/api/v1/staff/saved-replies", json={**REFUNDS, "shared": True}, headers=editor)
    path = f"/api/v1/staff/saved-replies/{shared.get_json()['id']}"
    assert client.put(path, json={**REFUNDS, "title": "Mine"}, headers=agent).status_code == 403
    assert client.delete(path, headers=agent).status_code == 403

    own = client.post("/api/v1/staff/saved-replies", json={**REFUNDS, "shortcut": "mine"}, headers=agent)
    assert own.status_code == 201 and own.get_json()["owner"] == "agent@example.com"
    own_path = f"/api/v1/staff/saved-replies/{own.get_json()['id']}"
    assert client.get(own_path, headers=other).status_code == 404  # another agent's own: not there
    assert client.delete(own_path, headers=other).status_code == 404
    assert [r["shortcut"] for r in client.get("/api/v1/staff/saved-replies", headers=other).get_json()[
        "saved_replies"
    ]] == ["refund"]  # fmt: skip
    changed = client.put(own_path, json={**REFUNDS, "shortcut": "mine", "body": "Thanks!"}, headers=agent)
    assert changed.status_code == 200 and changed.get_json()["body"] == "Thanks!"
    assert client.delete(own_path, headers=agent).status_code == 204
    assert client.get(own_path, headers=agent).status_code == 404


@pytest.mark.parametrize(
    "body, status, field",
    [
        ({**REFUNDS, "shortcut": "Two Words"}, 422, "shortcut"),
        ({**REFUNDS, "body": "Hi {nickname}"}, 422, "body"),
        ({**REFUNDS, "body": "{article:new-pricing}"}, 422, "body"),  # a draft
        ({**REFUNDS, "shared": "yes"}, 422, "shared"),
        (REFUNDS, 409, "shortcut"),  # taken by the shared one
    ],
)
def test_broken_rules_name_the_field(client, editor_token, agent_token, body, status, field):
    client.post(
        "/api/v1/staff/saved-replies", json={**REFUNDS, "shared": True}, headers=staff_headers(editor_token)
    )
    refused = client.post("/api/v1/staff/saved-replies", json=body, headers=staff_headers(agent_token))
    assert refused.status_code == status
    check(openapi(client), "/staff/saved-replies", "post", refused)
    assert field in str(refused.get_json()["errors"])


def test_without_a_staff_token_nothing_is_shown(client):
    assert client.get("/api/v1/staff/saved-replies").status_code == 401
