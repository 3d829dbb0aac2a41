"""Presence on the staff side and typing in the public API, through the Flask test client."""

import re

import pytest

from kbbot.accounts import users
from kbbot.models import AgentPresence, Handoff
from kbbot.web.session import get_session
from tests.helpers import PASSWORD, ask, build_support_app, csrf_token, request_handoff, sign_in

HEARTBEAT = "/staff/presence/heartbeat"


def staff_member(app, email, name, role="agent"):
    """A signed-in staff member's browser and the CSRF token of their pages."""
    with app.app_context():
        users.create_user(get_session(), email, [role], password=PASSWORD, name=name)
    browser = app.test_client()
    assert sign_in(browser, email=email).status_code == 302
    page = browser.get("/staff/").get_data(as_text=True)
    return browser, re.search(r'name="csrf_token" value="([^"]+)"', page)[1]


def beat(member, **body):
    browser, token = member
    return browser.post(HEARTBEAT, json=body, headers={"X-CSRFToken": token})


def handed_off(customer, question="I was charged twice and want my money back"):
    conversation_id = ask(customer, question)["conversation_id"]
    created = request_handoff(customer, conversation_id)
    assert created.status_code == 201
    return created.get_json(), conversation_id


@pytest.fixture
def alex(support_app):
    return staff_member(support_app, "alex@example.com", "Alex")


@pytest.fixture
def sam(support_app):
    return staff_member(support_app, "sam@example.com", "Sam")


def test_the_heartbeat_needs_an_agent_signed_in_and_the_pages_csrf_token(support_app, alex):
    anonymous = support_app.test_client()
    token = csrf_token(anonymous)  # the sign-in page's
    assert anonymous.post(HEARTBEAT, json={}, headers={"X-CSRFToken": token}).status_code == 302  # to sign in
    assert alex[0].post(HEARTBEAT, json={}).status_code == 400  # no CSRF token
    assert alex[0].post(HEARTBEAT, json={}, headers={"X-CSRFToken": "forged"}).status_code == 400
    editor = staff_member(support_app, "eda@example.com", "Eda", role="editor")
    assert beat(editor).status_code == 403
    assert beat(alex).status_code == 200


@pytest.mark.parametrize(
    "body",
    [[1], "x", {"handoff_id": "1"}, {"handoff_id": 0}, {"handoff_id": 2**31}, {"draft": "yes"}, {"typed": 1}],
)
def test_a_malformed_heartbeat_is_refused_with_422(alex, body):
    response = (
        beat(alex) if body is None else alex[0].post(HEARTBEAT, json=body, headers={"X-CSRFToken": alex[1]})
    )
    assert response.status_code == 422
    assert response.get_json()["error"]


def test_agents_on_one_handoff_see_each_other_and_the_customer_typing(client, alex, sam):
    handoff, conversation_id = handed_off(client)
    assert beat(alex, handoff_id=handoff["id"], draft=True, typed=True).status_code == 200
    seen_by_sam = beat(sam, handoff_id=handoff["id"]).get_json()
    assert seen_by_sam["handoff"] == {
        "id": handoff["id"],
        "others": [{"name": "Alex", "activity": "replying"}],
        "customer_typing": False,
    }
    assert client.get(f"/api/v1/conversations/{conversation_id}").get_json()["agent_typing"] is True

    assert client.post(f"/api/v1/conversations/{conversation_id}/typing").status_code == 204
    seen_by_alex = beat(alex, handoff_id=handoff["id"]).get_json()
    assert seen_by_alex["handoff"]["others"] == [{"name": "Sam", "activity": "viewing"}]
    assert seen_by_alex["handoff"]["customer_typing"] is True
    assert client.get(f"/api/v1/conversations/{conversation_id}").get_json()["agent_typing"] is False


def test_the_heartbeat_counts_and_lists_the_handoffs_that_concern_the_agent(client, alex, sam):
    first, _ = handed_off(client)
    second, _ = handed_off(client, "how do I export my invoices to Excel")
    answer = beat(alex).get_json()
    assert answer["count"] == 2
    assert [(alert["handoff_id"], alert["kind"]) for alert in answer["alerts"]] == [
        (second["id"], "new"),
        (first["id"], "new"),
    ]
    browser, token = sam
    browser.post(f"/staff/handoffs/{first['id']}/assign", data={"csrf_token": token})
    assert [(alert["handoff_id"], alert["kind"]) for alert in beat(alex).get_json()["alerts"]] == [
        (second["id"], "new")
    ]
    assert [alert["kind"] for alert in beat(sam).get_json()["alerts"]] == ["new", "assigned"]
    team = beat(sam).get_json()["team"]
    assert [(member["name"], member["state"]) for member in team] == [("Alex", "online"), ("Sam", "online")]


def test_an_agent_sets_themselves_away_with_the_headers_form(support_app, alex):
    browser, token = alex
    page = browser.get("/staff/handoffs/").get_data(as_text=True)
    assert 'data-testid="my-presence">Online' in page and "Set yourself away" in page
    response = browser.post(
        "/staff/presence/", data={"choice": "away", "csrf_token": token, "next": "/staff/handoffs/?tab=all"}
    )
    assert response.status_code == 302 and response.location == "/staff/handoffs/?tab=all"
    assert "Set yourself online" in browser.get("/staff/handoffs/").get_data(as_text=True)
    assert beat(alex).get_json()["me"] == {"choice": "away", "state": "away"}

    elsewhere = browser.post(
        "/staff/presence/", data={"choice": "online", "csrf_token": token, "next": "https://evil.example/"}
    )
    assert elsewhere.location == "/staff/"  # never an open redirect
    refused = browser.post(
        "/staff/presence/", data={"choice": "busy", "csrf_token": token}, follow_redirects=True
    )
    assert "Choose online or away." in refused.get_data(as_text=True)
    assert browser.post("/staff/presence/", data={"choice": "away"}).status_code == 400  # no CSRF token
    with support_app.app_context():
        assert get_session().get(AgentPresence, 1).choice == "online"


def test_the_customers_typing_report_is_for_their_own_conversation_from_an_allowed_site(client, support_app):
    _handoff, conversation_id = handed_off(client)
    stranger = support_app.test_client()  # another visitor
    assert stranger.post(f"/api/v1/conversations/{conversation_id}/typing").status_code == 404
    assert client.post("/api/v1/conversations/nope/typing").status_code == 404
    elsewhere = client.post(
        f"/api/v1/conversations/{conversation_id}/typing", headers={"Origin": "https://evil.example"}
    )
    assert elsewhere.status_code == 403


def test_a_new_handoff_goes_round_robin_to_the_online_agents(tmp_path):
    app = build_support_app(tmp_path, BUSINESS_HOURS="24/7", AGENT_CAPACITY=1)
    alex = staff_member(app, "alex@example.com", "Alex")
    sam = staff_member(app, "sam@example.com", "Sam")
    for member in (alex, sam):
        beat(member)
    customer = app.test_client()
    first, _ = handed_off(customer)
    second, _ = handed_off(customer, "how do I export my invoices to Excel")
    third, _ = handed_off(customer, "can I pay an invoice by card")
    assert (first["status"], second["status"], third["status"]) == ("assigned", "assigned", "open")
    with app.app_context():
        session = get_session()
        assignees = [session.get(Handoff, h["id"]).assignee.name for h in (first, second)]
    assert assignees == ["Alex", "Sam"]
    assert [alert["kind"] for alert in beat(alex).get_json()["alerts"]] == ["new", "assigned"]
