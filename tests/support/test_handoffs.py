"""Handoff to a person: the context an agent sees, agent replies, the lifecycle."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from kbbot import reports
from kbbot.accounts import users
from kbbot.models import ApiToken
from kbbot.support import replies
from kbbot.web.session import get_session
from tests.helpers import SETTINGS, T0, ask, build_support_app, request_handoff, staff_headers


def test_handoff_context_has_the_articles_viewed_beforehand_and_the_transcript(client, agent_token):
    client.get("/api/v1/search?q=refund")
    page = client.get("/articles/refunds?ref=search")
    assert page.status_code == 200
    view_url = page.get_data(as_text=True).split('data-view-url="')[1].split('"')[0]
    assert client.post(view_url, json={"seconds": 42.5}).status_code == 204
    client.get("/articles/export", headers={"Referer": "http://localhost/categories/invoices"})
    first = ask(client, "I was charged twice and want my money back", page_url="https://shop.example/billing")
    ask(client, "talk to a human", conversation_id=first["conversation_id"])

    created = request_handoff(client, first["conversation_id"])
    assert created.status_code == 201
    handoff = created.get_json()
    assert (handoff["status"], handoff["reason"], handoff["created"]) == ("open", "customer_request", True)
    again = request_handoff(client, first["conversation_id"])
    assert again.status_code == 200 and again.get_json()["id"] == handoff["id"]  # idempotent

    context = client.get(
        f"/api/v1/staff/handoffs/{handoff['id']}", headers=staff_headers(agent_token)
    ).get_json()
    viewed = [(v["slug"], v["via"], v["seconds"], v["before_handoff"]) for v in context["viewed_articles"]]
    assert viewed == [("refunds", "search", 42.5, True), ("export", "browse", None, True)]
    assert [s["query"] for s in context["searches"]] == ["refund"]
    assert context["searches"][0]["results"] >= 1
    transcript = context["transcript"]
    assert [m["role"] for m in transcript] == ["customer", "bot", "customer", "bot"]
    assert transcript[1]["sources"][0]["slug"] == "refunds"
    assert transcript[1]["confidence"] is not None and transcript[1]["cited_revision_id"] is not None
    assert context["page_url"] == "https://shop.example/billing"
    assert context["customer"] == {"email": "dana@example.com", "name": "Dana", "message": "Please help"}
    assert context["user_agent"]


def test_an_agent_reply_reaches_the_customer_and_silences_the_bot(client, agent_token):
    first = ask(client, "can you recommend a recipe for banana bread")
    handoff = request_handoff(client, first["conversation_id"]).get_json()
    assert handoff["reason"] == "low_confidence"
    while_waiting = ask(client, "how do I export invoices", conversation_id=first["conversation_id"])
    assert while_waiting["action"] == "answer"  # no person yet: the bot still helps

    headers = staff_headers(agent_token)
    reply = client.post(
        f"/api/v1/staff/handoffs/{handoff['id']}/replies", json={"text": "Hi Dana!"}, headers=headers
    )
    assert reply.status_code == 201
    transcript = client.get(f"/api/v1/conversations/{first['conversation_id']}").get_json()
    assert transcript["messages"][-1]["role"] == "agent"
    assert transcript["messages"][-1]["text"] == "Hi Dana!"
    assert transcript["messages"][-1]["author"] == "Alex Agent"
    assert transcript["handoff"]["status"] == "assigned"

    silent = ask(client, "how do I export invoices", conversation_id=first["conversation_id"])
    assert silent["action"] == "handoff" and silent["sources"] == []
    roles = [
        m["role"]
        for m in client.get(f"/api/v1/conversations/{first['conversation_id']}").get_json()["messages"]
    ]
    assert roles[-2:] == ["agent", "customer"]  # no bot message after the agent's


def test_while_the_customer_waits_the_bot_only_adds_answers_they_have_not_had(client):
    first = ask(client, "I was charged twice and want my money back")
    assert (first["action"], first["sources"][0]["slug"]) == ("answer", "refunds")
    conversation_id = first["conversation_id"]
    assert request_handoff(client, conversation_id).status_code == 201

    for message in (
        "It was the same card both times.",  # more detail for the agent
        "so can I get a refund?",  # the answer they already had
        "can you recommend a recipe for banana bread",  # nothing to answer with: no second offer
        "talk to a human",
    ):
        waiting = ask(client, message, conversation_id=conversation_id)
        assert (waiting["action"], waiting["handoff_offered"], waiting["sources"]) == (
            "handoff",
            False,
            [],
        ), message
        assert waiting["answer"] == replies.WAITING_FOR_AGENT
    new_question = ask(client, "how do I export my invoices to excel?", conversation_id=conversation_id)
    assert (new_question["action"], new_question["sources"][0]["slug"]) == ("answer", "export")

    messages = client.get(f"/api/v1/conversations/{conversation_id}").get_json()["messages"]
    assert [m["role"] for m in messages] == ["customer", "bot"] + ["customer"] * 5 + ["bot"]


def test_the_queue_shows_the_customers_first_question_not_their_greeting(client, agent_token):
    hello = ask(client, "Hi there!")
    ask(client, "I was charged twice and want my money back", conversation_id=hello["conversation_id"])
    request_handoff(client, hello["conversation_id"])
    other = client.application.test_client()
    only_hello = ask(other, "hello")
    assert request_handoff(other, only_hello["conversation_id"], message="").status_code == 201
    queue = client.get("/api/v1/staff/handoffs?status=open", headers=staff_headers(agent_token)).get_json()
    assert sorted(h["question"] for h in queue["handoffs"]) == [
        "I was charged twice and want my money back",
        "hello",  # nothing but small talk: the first message, as it is
    ]


def test_the_queue_and_the_gap_guess_show_the_question_handed_off_with_not_an_answered_one(
    support_app, client, agent_token
):
    headers = staff_headers(agent_token)
    answered = ask(client, "how do I export my invoices to excel?")
    assert answered["action"] == "answer"
    vote = {"message_id": answered["message_id"], "helpful": True}
    assert client.post("/api/v1/feedback", json=vote).status_code == 201
    conversation_id = answered["conversation_id"]
    person = ask(client, "talk to a person", conversation_id=conversation_id)
    refund = "My refund from last week never arrived"
    handoff = request_handoff(client, conversation_id, message=refund).get_json()
    other = client.application.test_client()
    unanswered = ask(other, "do you integrate with hubspot")
    ask(other, "talk to a human", conversation_id=unanswered["conversation_id"])
    request_handoff(other, unanswered["conversation_id"], message="Please call me back")

    queue = client.get("/api/v1/staff/handoffs?status=open", headers=headers).get_json()
    assert [h["question"] for h in queue["handoffs"]] == [refund, "do you integrate with hubspot"]
    # Its name before, kept for the API's clients until the next version.
    assert [h["first_question"] for h in queue["handoffs"]] == [refund, "do you integrate with hubspot"]
    context = client.get(f"/api/v1/staff/handoffs/{handoff['id']}", headers=headers).get_json()
    assert (context["handoff"]["gap_guess"], context["handoff"]["gap_question"]) == (refund, None)
    # An explicit request for a person: no confidence, the reason says why the bot offered one.
    offer = next(e for e in context["transcript"] if e["id"] == person["message_id"])
    assert (offer["offer_reason"], offer["confidence"], offer["section_confidence"]) == (
        "customer_request",
        None,
        None,
    )
    helped = next(e for e in context["transcript"] if e["id"] == answered["message_id"])
    assert helped["confidence"] is not None


def test_resolving_as_article_missing_keeps_the_agents_gap_question(support_app, client, agent_token):
    headers = staff_headers(agent_token)
    asked = ask(client, "do you integrate with hubspot")
    handoff = request_handoff(client, asked["conversation_id"]).get_json()
    url = f"/api/v1/staff/handoffs/{handoff['id']}"
    other_reason = {"reason": "answered", "gap_question": "hubspot"}
    assert client.post(f"{url}/resolve", json=other_reason, headers=headers).status_code == 200
    assert client.get(url, headers=headers).get_json()["handoff"]["gap_question"] is None  # ignored
    client.post(f"{url}/reopen", headers=headers)
    named = {"reason": "article_missing", "gap_question": "  How do I sync contacts with HubSpot?  "}
    assert client.post(f"{url}/resolve", json=named, headers=headers).status_code == 200
    context = client.get(url, headers=headers).get_json()
    assert context["handoff"]["gap_question"] == "How do I sync contacts with HubSpot?"
    with support_app.app_context():
        records = reports.read_records(get_session(), T0, datetime.now(UTC) + timedelta(days=1), SETTINGS)
    assert reports.content_gap_questions(records.conversations) == ["How do I sync contacts with HubSpot?"]
    client.post(f"{url}/reopen", headers=headers)
    assert client.get(url, headers=headers).get_json()["handoff"]["gap_question"] is None


def test_lifecycle_resolve_and_reopen_when_the_customer_writes_again(client, agent_token):
    headers = staff_headers(agent_token)
    first = ask(client, "agent please")
    handoff = request_handoff(client, first["conversation_id"]).get_json()
    queue = client.get("/api/v1/staff/handoffs?status=open", headers=headers).get_json()
    assert [h["id"] for h in queue["handoffs"]] == [handoff["id"]]
    assert (
        queue["handoffs"][0]["question"] == "Please help"
    )  # no question asked: the message written with the handoff
    assigned = client.post(f"/api/v1/staff/handoffs/{handoff['id']}/assign", headers=headers).get_json()
    assert (assigned["status"], assigned["assignee"]) == ("assigned", "agent@example.com")
    client.post(f"/api/v1/staff/handoffs/{handoff['id']}/replies", json={"text": "Done."}, headers=headers)
    bad = client.post(
        f"/api/v1/staff/handoffs/{handoff['id']}/resolve", json={"reason": "shrug"}, headers=headers
    )
    assert bad.status_code == 422
    resolved = client.post(
        f"/api/v1/staff/handoffs/{handoff['id']}/resolve", json={"reason": "answered"}, headers=headers
    )
    assert resolved.get_json()["status"] == "resolved"

    ask(client, "it broke again", conversation_id=first["conversation_id"])
    state = client.get(f"/api/v1/conversations/{first['conversation_id']}").get_json()["handoff"]
    assert state["status"] == "assigned"  # reopened, back with its agent
    mine = client.get("/api/v1/staff/handoffs?mine=1", headers=headers).get_json()
    assert mine["counts"]["assigned"] == 1


def test_the_staff_api_needs_an_agent_token(support_app, client, agent_token):
    assert client.get("/api/v1/staff/handoffs").status_code == 401
    assert client.get("/api/v1/staff/handoffs", headers=staff_headers("kbbot_not-a-token")).status_code == 401
    with support_app.app_context():
        session = get_session()
        editor = users.create_user(session, "ed@example.com", ["editor"])
        editor_token, _ = users.create_token(session, editor, "cms")
    assert client.get("/api/v1/staff/handoffs", headers=staff_headers(editor_token)).status_code == 403
    with support_app.app_context():
        session = get_session()
        record = users.find_user(session, "agent@example.com")
        token_id = session.execute(select(ApiToken.id).where(ApiToken.user_id == record.id)).scalar_one()
        users.revoke_token(session, token_id)
    assert client.get("/api/v1/staff/handoffs", headers=staff_headers(agent_token)).status_code == 401


def test_outside_business_hours_the_form_says_when_and_how_a_person_replies(tmp_path):
    app = build_support_app(tmp_path, BUSINESS_HOURS="sat 10:00-10:01", TIMEZONE="Europe/Berlin")
    client = app.test_client()
    availability = client.get("/api/v1/availability").get_json()
    if availability["agents_available"]:  # the one minute a week it is open
        return
    assert availability["reply_channel"] == "chat"  # no mail server configured: the reply waits in the chat
    assert "Saturday 10:00 (Europe/Berlin)" in availability["notice"]
    first = ask(client, "agent please")
    created = request_handoff(client, first["conversation_id"])
    assert created.status_code == 201  # still lands in the queue
    assert created.get_json()["availability"]["agents_available"] is False
