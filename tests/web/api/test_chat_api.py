"""The chat API through the Flask test client, against the real engine and database."""

import json

from kbbot.articles.sync import sync_directory
from kbbot.models import Message, Revision
from kbbot.web.session import get_session
from tests.helpers import ask, build_support_app, event_types, offer_choices, write_article


def test_an_in_scope_question_is_answered_with_sources_and_logged(support_app, client):
    reply = ask(client, "how long do I have to ask for a refund?", page_url="https://shop.example/pricing")
    assert reply["action"] == "answer"
    assert reply["sources"][0]["slug"] == "refunds"
    assert reply["sources"][0]["url"].endswith("/articles/refunds?ref=bot")
    assert "14 days" in reply["answer"]
    assert "[Refund policy](" in reply["answer"]  # the link to the whole article
    assert reply["answer"].split("\n\n")[0].rstrip().endswith(".")  # whole sentences
    assert 0.0 <= reply["confidence"] <= 1.0 and not reply["handoff_offered"]
    assert event_types(support_app) == ["chat_question", "bot_decision"]
    with support_app.app_context():
        bot = get_session().get(Message, reply["message_id"])
        assert bot.revision_id is not None  # the exact revision the answer cited
        assert bot.conversation.page_url == "https://shop.example/pricing"


def test_article_links_in_api_answers_use_the_public_url(tmp_path):
    client = build_support_app(tmp_path, PUBLIC_URL="https://help.example.com").test_client()
    reply = ask(client, "how long do I have to ask for a refund?")
    assert reply["sources"][0]["url"] == "https://help.example.com/articles/refunds?ref=bot"
    found = client.get("/api/v1/search?q=refund").get_json()
    assert found["results"][0]["url"] == "https://help.example.com/articles/refunds?ref=search"
    assert found["searched_for"] == "refund"
    article = client.get("/api/v1/articles/refunds").get_json()
    assert article["url"] == "https://help.example.com/articles/refunds"


def transcript(client, conversation_id):
    response = client.get(f"/api/v1/conversations/{conversation_id}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()["messages"]


def test_an_answer_comes_as_html_too_with_its_table_and_its_links_resolved(table_app):
    client = table_app.test_client()
    reply = ask(client, "what are the prices?")
    assert reply["action"] == "answer" and reply["section"] == "Prices"
    html = reply["answer_html"]
    assert "<strong>Prices</strong>" in html and "**" not in html
    assert "<table>" in html and '<th align="right">Monthly</th>' in html
    assert '<td align="right">$29</td>' in html
    # the article's relative link, resolved against the article; a new tab, as the widget is a frame
    assert '<a href="http://localhost/articles/vat-on-your-bill" target="_blank"' in html
    # only the bot's messages are Markdown: the customer's have no html
    assert [message.get("html") for message in transcript(client, reply["conversation_id"])] == [None, html]


def test_a_picked_choice_is_answered_with_its_section_and_kept_as_a_pick(table_app):
    client = table_app.test_client()
    conversation_id = ask(client, "what are the prices?")["conversation_id"]
    sections = [
        ("Change your plan", "section-change-your-plan"),
        ("Plans for teams", "section-plans-for-teams"),
    ]
    choices = offer_choices(table_app, conversation_id, "plans", "Plans and prices", sections)
    choice = {"slug": "plans", "anchor": "section-change-your-plan"}
    reply = ask(client, "", conversation_id=conversation_id, choice=choice)
    assert reply["action"] == "answer" and reply["section"] == "Change your plan"
    assert "<strong>Change your plan</strong>" in reply["answer_html"] and "<ol>" in reply["answer_html"]
    offered, picked, answered = transcript(client, conversation_id)[-3:]
    assert offered["choices"] == choices and offered["html"] == "<p>Which of these do you mean?</p>\n"
    assert picked["text"] == "Change your plan" and picked["choice"] == choice
    assert answered["html"] == reply["answer_html"]


def test_an_uncovered_question_offers_a_handoff(support_app, client):
    reply = ask(client, "can you recommend a good recipe for banana bread")
    assert reply["action"] == "handoff"
    assert reply["handoff_offered"] is True
    assert reply["sources"] == []  # the widget shows none with a handoff, so none are recorded as sent
    with support_app.app_context():
        assert get_session().get(Message, reply["message_id"]).article_id is None


def test_asking_for_a_person_goes_to_handoff_at_once(client):
    first = ask(client, "how do I export my invoices")
    assert first["action"] == "answer"
    for request_for_human in ("talk to a human", "agent please", "this is useless"):
        reply = ask(client, request_for_human, conversation_id=first["conversation_id"])
        assert (reply["action"], reply["handoff_offered"]) == ("handoff", True), request_for_human


def test_a_follow_up_is_understood_in_the_context_of_the_previous_question(client):
    first = ask(client, "how do I reset my password")
    assert first["sources"][0]["slug"] == "reset-password"
    follow_up = ask(client, "and on mobile?", conversation_id=first["conversation_id"])
    assert follow_up["action"] == "answer"
    assert follow_up["sources"][0]["slug"] == "mobile-app"
    assert "tap" in follow_up["answer"]


def test_it_still_fails_after_an_answer_counts_as_unhelpful_and_offers_a_person(support_app, client):
    first = ask(client, "how do I connect stripe")
    assert first["action"] == "answer"
    second = ask(client, "it still fails", conversation_id=first["conversation_id"])
    assert second["handoff_offered"] is True
    assert "connect-stripe" not in [source["slug"] for source in second["sources"]]  # not offered again
    if second["action"] == "suggest":
        assert second["answer"].startswith("Sorry that didn't work.")
    with support_app.app_context():
        assert get_session().get(Message, second["message_id"]).offer_reason == "repeated_unhelpful"
    third = ask(client, "that didn't work either", conversation_id=first["conversation_id"])
    assert (third["action"], third["handoff_offered"], third["sources"]) == ("handoff", True, [])


def test_two_unhelpful_turns_in_a_row_offer_a_person(client):
    first = ask(client, "how do I connect stripe")
    vote = client.post("/api/v1/feedback", json={"message_id": first["message_id"], "helpful": False})
    assert vote.status_code == 201 and vote.get_json()["handoff_offered"] is True
    second = ask(client, "what about the weather on mars", conversation_id=first["conversation_id"])
    assert second["action"] != "answer" and second["handoff_offered"] is True


def test_the_transcript_is_returned_with_a_cursor(client):
    first = ask(client, "how do I export my invoices")
    ask(client, "can I get my money back", conversation_id=first["conversation_id"])
    url = f"/api/v1/conversations/{first['conversation_id']}"
    whole = client.get(url).get_json()
    assert [m["role"] for m in whole["messages"]] == ["customer", "bot", "customer", "bot"]
    assert whole["messages"][1]["sources"][0]["slug"] == "export"
    newer = client.get(f"{url}?after={whole['messages'][1]['id']}").get_json()
    assert [m["text"] for m in newer["messages"]][0] == "can I get my money back"
    assert client.get(f"{url}?after={whole['cursor']}").get_json()["messages"] == []


def test_another_visitor_cannot_see_or_continue_a_conversation(support_app, client):
    first = ask(client, "how do I export my invoices")
    stranger = support_app.test_client()
    url = f"/api/v1/conversations/{first['conversation_id']}"
    assert stranger.get(url).status_code == 404
    response = stranger.post(
        "/api/v1/chat", json={"message": "hi", "conversation_id": first["conversation_id"]}
    )
    assert response.status_code == 404
    assert "export" not in response.get_data(as_text=True)
    forged = {"X-Kbbot-Visitor": "someone-else.forged-signature"}
    assert support_app.test_client().get(url, headers=forged).status_code == 404


def test_the_widget_sends_the_signed_visitor_id_in_a_header(support_app, client):
    response = client.post("/api/v1/chat", json={"message": "how do I export my invoices"})
    token = response.headers["X-Kbbot-Visitor"]
    widget = support_app.test_client(use_cookies=False)
    url = f"/api/v1/conversations/{response.get_json()['conversation_id']}"
    assert widget.get(url).status_code == 404
    assert widget.get(url, headers={"X-Kbbot-Visitor": token}).status_code == 200


def test_ending_a_conversation_is_logged(support_app, client):
    first = ask(client, "how do I export my invoices")
    ended = client.post(f"/api/v1/conversations/{first['conversation_id']}/end")
    assert ended.status_code == 200
    assert client.get(f"/api/v1/conversations/{first['conversation_id']}").get_json()["ended"] is True
    assert event_types(support_app)[-1] == "conversation_end"


def test_the_report_reads_what_the_api_recorded(support_app, client):
    """Four visitors through the real API, one per outcome; `kbbot report` counts each."""
    confirmed = ask(client, "how do I export my invoices to Excel")
    client.post("/api/v1/feedback", json={"message_id": confirmed["message_id"], "helpful": True})
    client.post(
        "/api/v1/surveys", json={"conversation_id": confirmed["conversation_id"], "kind": "csat", "score": 5}
    )
    handoff_client = support_app.test_client()
    handed_off = ask(handoff_client, "agent please")
    handoff_client.post(
        f"/api/v1/conversations/{handed_off['conversation_id']}/handoff", json={"email": "dana@example.com"}
    )
    ask(support_app.test_client(), "can I get my money back")  # answered, no feedback: pending for 24 h
    ask(support_app.test_client(), "do you sell garden furniture")  # nothing fits: abandoned
    result = support_app.test_cli_runner().invoke(args=["report", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["conversations"] == 4
    assert report["outcomes"] == {
        "handed_off": 1,
        "deflected_confirmed": 1,
        "deflected_assumed": 0,
        "deflection_pending": 1,  # the visitor may still come back with the same question
        "abandoned": 1,
    }
    assert report["deflection_rate"] == 1 / 3  # of the three conversations whose outcome is known
    assert report["handoffs_by_reason"]["customer_request"] == 1
    assert report["csat"]["responses"] == 1
    assert "do you sell garden furniture" in [
        example for gap in report["content_gaps"] for example in (gap["label"], *gap["examples"])
    ]


def test_small_talk_gets_a_social_reply_that_searches_nothing_and_is_no_content_gap(support_app, client):
    greeting = ask(client, "Hi, I need help")
    assert (greeting["action"], greeting["confidence"], greeting["sources"]) == (None, None, [])
    assert greeting["answer"].startswith("Hi! What can I help you with?") and not greeting["handoff_offered"]
    conversation_id = greeting["conversation_id"]
    answered = ask(client, "how do I export my invoices to Excel", conversation_id=conversation_id)
    assert answered["action"] == "answer"
    thanks = ask(client, "great, thanks!", conversation_id=conversation_id)
    assert thanks["action"] is None
    assert thanks["answer"] == "You're welcome! Is there anything else I can help with?"
    transcript = client.get(f"/api/v1/conversations/{conversation_id}").get_json()["messages"]
    assert [(m["role"], m.get("action")) for m in transcript] == [
        ("customer", None), ("bot", None), ("customer", None), ("bot", "answer"),
        ("customer", None), ("bot", None),
    ]  # fmt: skip
    assert event_types(support_app).count("bot_decision") == 1  # only the answer was a decision

    result = support_app.test_cli_runner().invoke(args=["report", "--json"])
    report = json.loads(result.output)
    assert report["content_gaps"] == []
    assert report["outcomes"]["deflected_confirmed"] == 1  # the thanks after the answer


def test_saying_yes_to_the_offer_of_a_person_is_asking_for_one(client):
    uncovered = ask(client, "do you sell garden furniture")
    assert uncovered["handoff_offered"]
    taken = ask(client, "yes please", conversation_id=uncovered["conversation_id"])
    assert (taken["action"], taken["handoff_offered"]) == ("handoff", True)
    assert taken["answer"].startswith("Of course.")
    unprompted = ask(client, "yes")  # a new conversation: there is no offer to take
    assert not unprompted["answer"].startswith("Of course.")


def test_each_answer_keeps_the_revision_it_cited_after_the_article_changes(support_app, client, tmp_path):
    first = ask(client, "how long do I have to ask for a refund?")
    write_article(
        tmp_path / "support-articles",
        "billing/refunds.md",
        "You can ask for a refund within **30 days** of a payment.\n",
        title="Refund policy",
        questions=["can I get my money back"],
    )
    with support_app.app_context():
        session = get_session()
        assert sync_directory(session, tmp_path / "support-articles", 512 * 1024).updated == ["refunds"]
    second = ask(client, "how long do I have to ask for a refund?")
    assert "30 days" in second["answer"]
    with support_app.app_context():
        session = get_session()
        old, new = session.get(Message, first["message_id"]), session.get(Message, second["message_id"])
        assert old.revision_id != new.revision_id
        assert "14 days" in session.get(Revision, old.revision_id).body


def test_the_search_api_says_what_it_searched_for_a_misspelt_query(client):
    found = client.get("/api/v1/search?q=refnuds").get_json()
    assert (found["query"], found["searched_for"]) == ("refnuds", "refunds")
    assert found["results"][0]["slug"] == "refunds"
