"""The agent console through the Flask test client: queue, handoff view with context, actions."""

import os
import re
from datetime import datetime, timedelta, timezone
from html import unescape

import pytest
from sqlalchemy import select

from kbbot import events, reports
from kbbot.accounts import users
from kbbot.models import Event, Handoff
from kbbot.support import agent_views, handoffs, mail, suggestions
from kbbot.web.services import get_engine
from kbbot.web.session import get_session
from kbbot.web.staff import display
from tests.helpers import (
    PASSWORD,
    ask,
    build_support_app,
    check,
    csrf_token,
    free_port,
    hand_off,
    offer_choices,
    openapi,
    request_handoff,
    sign_in,
    signed_in,
    text_of,
)


@pytest.fixture
def agent(support_app):
    """A signed-in agent's browser."""
    return signed_in(support_app, "alex@example.com", "agent", "Alex")


@pytest.fixture
def customer(support_app):
    """A visitor's browser: reads the help center, chats, asks for a person."""
    return support_app.test_client()


def read_article(customer, slug, seconds, ref="search"):
    page = customer.get(f"/articles/{slug}?ref={ref}")
    assert page.status_code == 200
    view_url = page.get_data(as_text=True).split('data-view-url="')[1].split('"')[0]
    assert customer.post(view_url, json={"seconds": seconds}).status_code == 204


def post(agent, path, data=None, page=None):
    form = {"csrf_token": csrf_token(agent, page or path.rsplit("/", 1)[0]), **(data or {})}
    return agent.post(path, data=form)


def test_the_queue_has_tabs_with_counts_and_the_facts_of_each_handoff(support_app, agent, customer):
    waiting, _ = hand_off(customer, name="Dana", message="Please help")
    mine, _ = hand_off(support_app.test_client(), "how do I connect Stripe?", email="eve@example.com")
    done, _ = hand_off(support_app.test_client(), "export invoices", email="finn@example.com")
    post(agent, f"/staff/handoffs/{mine}/assign", page=f"/staff/handoffs/{mine}")
    post(agent, f"/staff/handoffs/{done}/resolve", {"reason": "answered"}, page=f"/staff/handoffs/{done}")

    page = agent.get("/staff/handoffs/")
    assert page.status_code == 200
    text = text_of(page)
    assert "Open 1" in text and "Assigned to me 1" in text and "All 3" in text and "Resolved 1" in text
    assert "Dana" in text and "dana@example.com" in text
    assert "I was charged twice and want my money back" in text
    assert "Asked for a person" in text and "Waiting" in text and "Nobody" in text
    assert f'href="/staff/handoffs/{waiting}"' in page.get_data(as_text=True)
    assert "eve@example.com" not in text

    assert "eve@example.com" in text_of(agent.get("/staff/handoffs/?tab=mine"))
    everything = text_of(agent.get("/staff/handoffs/?tab=all"))
    assert all(email in everything for email in ("dana@", "eve@", "finn@"))
    resolved = text_of(agent.get("/staff/handoffs/?tab=resolved"))
    assert "finn@example.com" in resolved and "dana@" not in resolved
    assert agent.get("/staff/handoffs/?tab=nonsense").status_code == 404


def test_the_queue_shows_how_long_a_customer_waited_for_the_first_reply(support_app, agent, customer):
    handoff_id, _ = hand_off(customer)
    with support_app.app_context():
        session = get_session()
        session.get(Handoff, handoff_id).created_at -= timedelta(minutes=20)
        session.commit()
    assert "Waiting 20 min" in text_of(agent.get("/staff/handoffs/"))
    post(
        agent,
        f"/staff/handoffs/{handoff_id}/reply",
        {"reply-text": "Hello!"},
        page=f"/staff/handoffs/{handoff_id}",
    )
    assert "Replied after 20 min" in text_of(agent.get("/staff/handoffs/?tab=mine"))


def test_the_handoff_view_shows_the_customer_transcript_and_what_they_read_and_searched(agent, customer):
    assert customer.get("/search?q=refund").status_code == 200
    read_article(customer, "refunds", 42.5)
    customer.get("/articles/export", headers={"Referer": "http://localhost/categories/invoices"})
    handoff_id, _ = hand_off(customer, name="Dana", message="Still no refund after 3 weeks")

    page = agent.get(f"/staff/handoffs/{handoff_id}")
    assert page.status_code == 200
    text, html = text_of(page), page.get_data(as_text=True)
    assert "Dana" in text and "dana@example.com" in text and "Still no refund after 3 weeks" in text
    assert "https://shop.example/billing" in text and "en-GB" in text
    # the transcript: the question and the bot's decision with its confidence and the article it gave
    assert "I was charged twice and want my money back" in text
    assert re.search(r"Bot (Answered|Offered choices|Offered a person) · article \d\.\d\d", text)
    # the timeline before contacting: the search with what it returned, then the articles read
    activity = text.split("Articles viewed before contacting")[1].split("Suggested articles")[0]
    assert re.search(r"Searched “refund” \d+ results?, first: Refund policy", activity)
    assert "Read Refund policy for 42 s, from a search" in activity
    assert (
        "Read Exporting invoices to CSV or Excel time on page not reported, browsing the help center"
        in activity
    )
    assert activity.index("refund”") < activity.index("Read Refund policy") < activity.index("Exporting")
    assert re.search(r"UTC , (just now|\d+ min ago) \((at|\d+ s before) the handoff\)", activity)
    assert 'href="http://localhost/articles/refunds"' in html


def test_searches_logged_before_results_were_kept_still_show(support_app, agent, customer):
    handoff_id, _ = hand_off(customer)
    with support_app.app_context():
        session = get_session()
        conversation = session.get(Handoff, handoff_id).conversation
        session.add(
            Event(
                type="search",
                visitor_id=conversation.visitor_id,
                occurred_at=conversation.started_at - timedelta(minutes=5),
                data={"query": "money back", "results": 2, "source": "help_center"},
            )
        )
        session.commit()
    page = agent.get(f"/staff/handoffs/{handoff_id}")
    assert page.status_code == 200
    assert "Searched “money back” 2 results" in text_of(page)


def test_a_search_without_results_stands_out(agent, customer):
    customer.get("/search?q=patio+heaters")
    handoff_id, _ = hand_off(customer)
    assert "Searched “patio heaters” No results" in text_of(agent.get(f"/staff/handoffs/{handoff_id}"))


def test_suggested_articles_flag_what_the_customer_already_read(agent, customer):
    read_article(customer, "refunds", 30)
    handoff_id, _ = hand_off(customer, "can I get my money back for my annual plan?")
    page = agent.get(f"/staff/handoffs/{handoff_id}")
    suggestions_box = page.get_data(as_text=True).split('id="suggestions-box"')[1]
    first = suggestions_box.split('data-testid="suggestion"')[1]
    assert 'data-slug="refunds"' in first
    flag = text_of_html(first)
    assert "Already read by the customer" in flag
    assert re.search(r"Read (at|\d+ s before) the handoff, for 30 s, from a search", flag)
    assert "Sent by the bot" in flag  # the bot's answer linked it too


def test_an_agent_searches_articles_from_the_view(agent, customer):
    handoff_id, _ = hand_off(customer)
    page = agent.get(f"/staff/handoffs/{handoff_id}?q=stripe+card+payments")
    box = text_of_html(page.get_data(as_text=True).split('id="suggestions-box"')[1])
    assert "Results for “stripe card payments”" in box
    assert "Connecting Stripe to accept card payments" in box


def text_of_html(html):
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def test_the_console_says_whether_a_reply_was_also_emailed(support_app, agent, customer, mail_server):
    support_app.extensions["kbbot.mail"] = mail.settings_from_config(
        {"SMTP_URL": mail_server.url, "MAIL_FROM": "Support <support@example.com>"}
    )
    handoff_id, _ = hand_off(customer)
    page = f"/staff/handoffs/{handoff_id}"
    sent = post(agent, f"{page}/reply", {"reply-text": "Refunded."}, page=page)
    assert "was emailed to dana@example.com" in text_of(agent.get(sent.headers["Location"]))
    assert [email["To"] for _, email in mail_server.messages] == ["Dana <dana@example.com>"]
    support_app.extensions["kbbot.mail"] = mail.settings_from_config(
        {"SMTP_URL": f"smtp+plain://127.0.0.1:{free_port()}", "MAIL_FROM": "support@example.com"}
    )
    failed = post(agent, f"{page}/reply", {"reply-text": "And another thing."}, page=page)
    shown = agent.get(failed.headers["Location"]).get_data(as_text=True)
    assert "it is not emailed yet: kbbot keeps trying" in text_of_html(shown)
    tags = [text_of_html(tag) for tag in re.findall(r'data-testid="reply-email">(.*?)</span>', shown, re.S)]
    assert tags[0] == "Emailed" and tags[1].startswith("Email not sent yet; next try ")


def test_the_transcript_shows_the_customers_vote_on_each_bot_reply(agent, customer):
    first = ask(customer, "how long do I have to ask for a refund?")
    vote = customer.post("/api/v1/feedback", json={"message_id": first["message_id"], "helpful": False})
    assert vote.status_code == 201
    created = request_handoff(customer, first["conversation_id"])
    page = agent.get(f"/staff/handoffs/{created.get_json()['id']}")
    assert "Customer: not helpful" in text_of(page) and "Customer: helpful" not in text_of(page)


def test_the_transcript_shows_answers_as_the_customer_saw_them_the_choices_offered_and_the_pick(table_app):
    agent = signed_in(table_app, "alex@example.com", "agent", "Alex")
    customer = table_app.test_client()
    handoff_id, conversation_id = hand_off(customer, "what are the prices?")
    sections = [
        ("Change your plan", "section-change-your-plan"),
        ("Plans for teams", "section-plans-for-teams"),
    ]
    offer_choices(table_app, conversation_id, "plans", "Plans and prices", sections)
    choice = {"slug": "plans", "anchor": "section-plans-for-teams"}
    picked = ask(customer, "", conversation_id=conversation_id, choice=choice)

    page = agent.get(f"/staff/handoffs/{handoff_id}")
    text, html = text_of(page), page.get_data(as_text=True)
    table_answer = html.split('data-testid="entry-bot"')[1]
    assert "<table>" in table_answer and "<thead>" in table_answer and "**" not in table_answer
    assert re.search(r"Answered · article 0\.\d\d · section 0\.\d\d", text)
    assert "Offered choices · article 0.90 · section 0.40" in text
    offered = html.split('data-testid="choices-offered"')[1].split("</ul>")[0]
    assert re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', offered) == [
        ("http://localhost/articles/plans#section-change-your-plan", "Change your plan"),
        ("http://localhost/articles/plans#section-plans-for-teams", "Plans for teams"),
    ]
    assert html.count('data-testid="picked"') == 1
    assert (
        text.index("Which of these do you mean?")
        < text.index("Picked a suggestion")
        < text.index("Plans for teams Pro includes 3 users")
    )
    # the staff API gives the same: the answer's HTML as the customer's chat got it, the pick marked
    context = agent.get(f"/api/v1/staff/handoffs/{handoff_id}").get_json()
    assert context["transcript"][-1]["html"] == picked["answer_html"]
    assert context["transcript"][-2]["choice"] == choice and context["transcript"][-3]["choices"]
    # a suggested article whose matching passage is rows of a table shows them as a table, both ways
    found = agent.get(f"/api/v1/staff/handoffs/{handoff_id}/suggestions?q=price+per+month").get_json()
    plans = next(article for article in found["articles"] if article["slug"] == "plans")
    assert plans["snippet"].startswith("|") and "<table>" in plans["snippet_html"]
    searched = agent.get(f"/staff/handoffs/{handoff_id}?q=price+per+month").get_data(as_text=True)
    assert "<table>" in searched.split('data-slug="plans"')[1].split('class="suggestion-link"')[0]


def test_a_reply_reaches_the_customers_transcript_with_its_link(agent, customer):
    handoff_id, conversation_id = hand_off(customer)
    text = "Hi Dana, see [Refund policy](http://localhost/articles/refunds)."
    sent = post(
        agent,
        f"/staff/handoffs/{handoff_id}/reply",
        {"reply-text": text},
        page=f"/staff/handoffs/{handoff_id}",
    )
    assert sent.status_code == 302 and sent.headers["Location"].endswith(
        f"/staff/handoffs/{handoff_id}#reply"
    )
    assert "Reply sent" in text_of(agent.get(sent.headers["Location"]))
    messages = customer.get(f"/api/v1/conversations/{conversation_id}").get_json()["messages"]
    assert (messages[-1]["role"], messages[-1]["text"], messages[-1]["author"]) == ("agent", text, "Alex")
    # shown to the agent with a clickable link; the article is now flagged as sent
    page = agent.get(f"/staff/handoffs/{handoff_id}?q=refund")
    html = page.get_data(as_text=True)
    link = '<a href="http://localhost/articles/refunds" target="_blank" rel="noopener noreferrer">'
    assert link + "Refund policy</a>" in html
    assert "Sent in an agent reply" in text_of(page)


def test_internal_notes_are_shown_to_staff_and_never_to_the_customer(agent, customer, agent_token):
    handoff_id, conversation_id = hand_off(customer)
    noted = post(
        agent,
        f"/staff/handoffs/{handoff_id}/notes",
        {"note-text": "Customer is on the legacy plan; check with billing."},
        page=f"/staff/handoffs/{handoff_id}",
    )
    assert noted.status_code == 302
    api = agent.post(
        f"/api/v1/staff/handoffs/{handoff_id}/notes",
        json={"text": "Second note, via the API."},
        headers={"Authorization": f"Bearer {agent_token}"},
    )
    assert api.status_code == 201 and api.get_json()["author"] == "Alex Agent"

    page = agent.get(f"/staff/handoffs/{handoff_id}")
    assert "Internal note Alex" in text_of(page) and "legacy plan" in text_of(page)
    assert 'class="entry entry-note"' in page.get_data(as_text=True)
    context = agent.get(f"/api/v1/staff/handoffs/{handoff_id}").get_json()
    assert [note["text"] for note in context["notes"]] == [
        "Customer is on the legacy plan; check with billing.",
        "Second note, via the API.",
    ]
    assert all(entry["role"] != "note" for entry in context["transcript"])
    visitor = customer.get(f"/api/v1/conversations/{conversation_id}").get_data(as_text=True)
    assert "legacy plan" not in visitor and "Second note" not in visitor
    staff_transcript = agent.get(f"/api/v1/staff/conversations/{conversation_id}").get_data(as_text=True)
    assert "legacy plan" not in staff_transcript  # the conversation itself, as the customer has it


def test_resolve_with_a_labelled_reason_then_reopen(agent, customer):
    handoff_id, _ = hand_off(customer)
    page = agent.get(f"/staff/handoffs/{handoff_id}").get_data(as_text=True)
    for label in (
        "Answered",
        "Answered with an existing article",
        "Article missing or wrong",
        "Bug",
        "Other",
    ):
        assert f">{label}</option>" in page
    resolved = post(
        agent,
        f"/staff/handoffs/{handoff_id}/resolve",
        {"reason": "bug"},
        page=f"/staff/handoffs/{handoff_id}",
    )
    assert resolved.status_code == 302
    text = text_of(agent.get(f"/staff/handoffs/{handoff_id}"))
    assert "Resolved: Bug" in text and "Reopen it to reply" in text
    post(agent, f"/staff/handoffs/{handoff_id}/reopen", page=f"/staff/handoffs/{handoff_id}")
    text = text_of(agent.get(f"/staff/handoffs/{handoff_id}"))
    assert "Reopened: the handoff is back in the queue." in text and "Open, waiting for an agent" in text


def test_resolving_as_article_missing_feeds_the_content_gap_report(support_app, agent, customer):
    handoff_id, _ = hand_off(customer, "do you ship gift cards to Norway")
    post(
        agent,
        f"/staff/handoffs/{handoff_id}/resolve",
        {"reason": "article_missing"},
        page=f"/staff/handoffs/{handoff_id}",
    )
    with support_app.app_context():
        now = datetime.now(timezone.utc)
        report = reports.build_report(
            get_session(),
            now - timedelta(days=1),
            now + timedelta(days=1),
            reports.ReportSettings.from_config(support_app.config),
            get_engine().encoder.encode,
        )
    labels = [topic.label for topic in report.content_gaps]
    assert "do you ship gift cards to norway" in labels


def test_article_missing_lets_the_agent_edit_the_gap_guessed_from_the_handoff(support_app, agent, customer):
    answered = ask(customer, "how do I export my invoices to excel?")
    vote = {"message_id": answered["message_id"], "helpful": True}
    assert customer.post("/api/v1/feedback", json=vote).status_code == 201
    conversation_id = answered["conversation_id"]
    person = ask(customer, "talk to a person", conversation_id=conversation_id)
    refund = "My refund for order 1234 never arrived"
    handoff_id = request_handoff(customer, conversation_id, message=refund).get_json()["id"]
    page = f"/staff/handoffs/{handoff_id}"
    html = agent.get(page).get_data(as_text=True)
    assert re.search(
        r'<input id="resolve-gap" name="gap_question"[^>]* value="My refund for order 1234', html
    )
    offer = html.split(f'data-entry="message-{person["message_id"]}"')[1].split("</li>")[0]
    assert "Offered a person · Asked for a person" in unescape(offer) and "article 0." not in offer
    named = "How long does a refund take to arrive?"
    post(agent, f"{page}/resolve", {"reason": "article_missing", "gap_question": named}, page=page)
    assert f"Content gap: {named}" in text_of(agent.get(page))
    with support_app.app_context():
        now = datetime.now(timezone.utc)
        records = reports.read_records(
            get_session(),
            now - timedelta(days=1),
            now,
            reports.ReportSettings.from_config(support_app.config),
        )
    assert reports.content_gap_questions(records.conversations) == [named]


def test_another_reason_ignores_the_prefilled_gap_question(agent, customer):
    handoff_id, _ = hand_off(customer, "do you ship gift cards to Norway")
    page = f"/staff/handoffs/{handoff_id}"
    post(
        agent, f"{page}/resolve", {"reason": "answered", "gap_question": "do you ship gift cards"}, page=page
    )
    text = text_of(agent.get(page))
    assert "Resolved: Answered" in text and "Content gap" not in text


@pytest.mark.parametrize(
    "action, data, message",
    [
        ("reply", {"reply-text": "   "}, "Write a reply first."),
        ("notes", {"note-text": ""}, "Write the note first."),
        ("reply", {"reply-text": "x" * 10001}, "Field cannot be longer than 10000 characters."),
    ],
)
def test_an_empty_or_too_long_text_is_refused_with_a_message(agent, customer, action, data, message):
    handoff_id, _ = hand_off(customer)
    response = post(
        agent, f"/staff/handoffs/{handoff_id}/{action}", data, page=f"/staff/handoffs/{handoff_id}"
    )
    assert response.status_code == 422
    assert message in text_of(response)


def test_actions_that_do_not_fit_the_state_explain_why(agent, customer):
    handoff_id, _ = hand_off(customer)
    page = f"/staff/handoffs/{handoff_id}"
    unknown = post(agent, f"{page}/resolve", {"reason": "shrug"}, page=page)
    assert "Choose one of the listed reasons" in text_of(agent.get(unknown.headers["Location"]))
    wrong_reopen = post(agent, f"{page}/reopen", page=page)
    assert "Only a resolved handoff can be reopened." in text_of(agent.get(wrong_reopen.headers["Location"]))
    post(agent, f"{page}/resolve", {"reason": "answered"}, page=page)
    twice = post(agent, f"{page}/resolve", {"reason": "answered"}, page=page)
    assert "The handoff is already resolved." in text_of(agent.get(twice.headers["Location"]))
    late = post(agent, f"{page}/reply", {"reply-text": "Hello?"}, page=page)
    assert "The handoff is resolved; reopen it to reply." in text_of(agent.get(late.headers["Location"]))
    assign = post(agent, f"{page}/assign", page=page)
    assert "A resolved handoff cannot be assigned; reopen it first." in text_of(
        agent.get(assign.headers["Location"])
    )
    assert agent.get("/staff/handoffs/999").status_code == 404
    assert post(agent, "/staff/handoffs/999/reply", {"reply-text": "hi"}, page=page).status_code == 404


def test_editors_cannot_see_customer_conversations(support_app, customer):
    handoff_id, _ = hand_off(customer)
    with support_app.app_context():
        users.create_user(get_session(), "ed@example.com", ["editor"], password=PASSWORD)
    editor = support_app.test_client()
    sign_in(editor, email="ed@example.com")
    assert editor.get("/staff/handoffs/").status_code == 403
    assert editor.get(f"/staff/handoffs/{handoff_id}").status_code == 403
    assert "Handoffs</a>" not in editor.get("/staff/").get_data(as_text=True)


def test_actions_without_the_csrf_token_are_refused(agent, customer):
    handoff_id, conversation_id = hand_off(customer)
    refused = agent.post(f"/staff/handoffs/{handoff_id}/reply", data={"reply-text": "forged"})
    assert refused.status_code == 400
    assert agent.post(f"/staff/handoffs/{handoff_id}/resolve", data={"reason": "bug"}).status_code == 400
    messages = customer.get(f"/api/v1/conversations/{conversation_id}").get_json()["messages"]
    assert all(message["text"] != "forged" for message in messages)


def test_hostile_text_is_shown_as_text(agent, customer):
    payload = "<script>alert('kbbot-xss')</script><img src=x onerror=alert(1)>"
    handoff_id, _ = hand_off(customer, f"refund {payload}", name=payload, message=payload)
    post(
        agent,
        f"/staff/handoffs/{handoff_id}/notes",
        {"note-text": payload},
        page=f"/staff/handoffs/{handoff_id}",
    )
    for html in (
        agent.get(f"/staff/handoffs/{handoff_id}").get_data(as_text=True),
        agent.get("/staff/handoffs/").get_data(as_text=True),
    ):
        assert "<script>alert" not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert(&#39;kbbot-xss&#39;)&lt;/script&gt;" in html


def test_the_staff_pages_link_to_the_console(agent):
    home = agent.get("/staff/").get_data(as_text=True)
    assert 'href="/staff/handoffs/">Handoffs</a>' in home and "Open the handoff queue" in home


# -- the staff API's additions ---------------------------------------------------


def test_the_queue_api_says_who_waits_and_counts_the_callers_own(agent, customer):
    handoff_id, _ = hand_off(customer)
    before = agent.get("/api/v1/staff/handoffs").get_json()
    assert before["assigned_to_me"] == 0 and before["handoffs"][0]["first_reply_at"] is None
    post(
        agent,
        f"/staff/handoffs/{handoff_id}/reply",
        {"reply-text": "Hi"},
        page=f"/staff/handoffs/{handoff_id}",
    )
    after = agent.get("/api/v1/staff/handoffs").get_json()
    assert after["assigned_to_me"] == 1 and after["handoffs"][0]["first_reply_at"] is not None


def test_the_suggestions_api_flags_articles_the_customer_read(agent, customer):
    read_article(customer, "export", 12, ref="browse")
    handoff_id, _ = hand_off(customer, "how do I export my invoices to Excel")
    found = agent.get(f"/api/v1/staff/handoffs/{handoff_id}/suggestions").get_json()
    assert found["query"] is None
    export = next(article for article in found["articles"] if article["slug"] == "export")
    assert export["url"] == "http://localhost/articles/export"
    assert {"how": "read", "seconds": 12.0, "via": "browse", "before_handoff": True}.items() <= export[
        "seen"
    ][0].items()
    searched = agent.get(f"/api/v1/staff/handoffs/{handoff_id}/suggestions?q=forgot+my+password").get_json()
    assert searched["query"] == "forgot my password" and searched["articles"][0]["slug"] == "reset-password"
    assert searched["articles"][0]["seen"] == []


def test_searches_keep_their_first_results(support_app, customer):
    customer.get("/search?q=refund")
    customer.get("/api/v1/search?q=stripe")
    with support_app.app_context():
        logged = (
            get_session().execute(select(Event).where(Event.type == "search").order_by(Event.id)).scalars()
        )
        tops = [event.data["top"] for event in logged]
    assert tops[0][0] == {"slug": "refunds", "title": "Refund policy"}
    assert tops[1][0]["slug"] == "connect-stripe"
    assert all(len(top) <= events.SEARCH_RESULTS_KEPT for top in tops)


# -- pure helpers ----------------------------------------------------------------

T0 = datetime(2026, 3, 5, 14, 2, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    "seconds, words",
    [
        (None, ""),
        (0, "0 s"),
        (42.4, "42 s"),
        (200, "3 min 20 s"),
        (900, "15 min"),
        (7500, "2 h 5 min"),
        (86400 * 3, "3 days"),
    ],
)
def test_durations_read_naturally(seconds, words):
    assert display.duration(seconds) == words


def test_times_are_relative_and_absolute():
    assert display.time_ago(T0, T0 + timedelta(seconds=30)) == "just now"
    assert display.time_ago(T0, T0 + timedelta(minutes=12)) == "12 min ago"
    assert display.time_ago(T0, T0 + timedelta(days=1, hours=2)) == "1 day ago"
    assert display.relative_to(T0, T0 + timedelta(minutes=4)) == "4 min before the handoff"
    assert display.relative_to(T0 + timedelta(hours=2), T0) == "2 h after the handoff"
    assert display.absolute(T0) == "Mar 5, 2026, 14:02 UTC"


def test_browsers_are_named_in_a_few_words():
    chrome = (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/124.0 Safari/537.36"
    )
    safari = (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
        "Version/17.4 Mobile Safari/604.1"
    )
    assert display.browser(chrome) == "Chrome 124 on Windows"
    assert display.browser(safari) == "Safari 17 on iPhone"
    assert display.browser(None) == ""


def test_linked_text_escapes_everything_and_links_only_http_urls():
    html = display.linked_text(
        "<b>hi</b> [Refunds](https://help.example/articles/refunds) [x](javascript:alert(1)) http://a.example/b."
    )
    assert str(html).startswith("&lt;b&gt;hi&lt;/b&gt; ")
    link = '<a href="https://help.example/articles/refunds" target="_blank" rel="noopener noreferrer">'
    assert link + "Refunds</a>" in html
    assert (
        'href="javascript' not in html and '<a href="http://a.example/b"' in html and html.endswith("</a>.")
    )


def test_a_bot_decision_reads_with_its_two_confidences():
    assert display.decision("Answered", 0.934, 0.8765) == "Answered · article 0.93 · section 0.88"
    assert display.decision("Offered a person", 0.2, None) == "Offered a person · article 0.20"


def context_with(transcript=(), views=(), message=""):
    return {
        "handoff": {"created_at": T0},
        "customer": {"message": message},
        "transcript": list(transcript),
        "viewed_articles": list(views),
    }


def test_the_customers_questions_are_searched_without_requests_for_a_person_or_small_talk():
    transcript = [
        {"role": "customer", "text": "Hi there!"},
        {"role": "bot", "text": "..."},
        {"role": "customer", "text": "how do I get a refund"},
        {"role": "bot", "text": "..."},
        {"role": "customer", "text": "talk to a human"},
        {"role": "customer", "text": "it is for the annual plan"},
        {"role": "customer", "text": "How do I get a  refund"},
        {"role": "customer", "text": "paid by card"},
        {"role": "customer", "text": "ok thanks"},
    ]
    questions = suggestions.customer_questions(context_with(transcript, message="I want my money back"))
    assert questions == ["how do I get a refund", "paid by card", "I want my money back"]


def test_an_article_is_seen_when_read_or_linked_in_a_bot_answer_or_an_agent_reply():
    views = [
        {
            "slug": "refunds",
            "at": T0 - timedelta(minutes=3),
            "seconds": 40.0,
            "via": "search",
            "before_handoff": True,
        }
    ]
    transcript = [
        {"role": "bot", "text": "...", "at": T0 - timedelta(minutes=1), "sources": [{"slug": "refunds"}]},
        {
            "role": "agent",
            "text": "See http://h.example/articles/refunds?ref=x",
            "at": T0 + timedelta(minutes=2),
        },
        {
            "role": "agent",
            "text": "See http://h.example/articles/refunds-old",
            "at": T0 + timedelta(minutes=3),
        },
    ]
    seen = suggestions.seen_by_customer("refunds", context_with(transcript, views))
    assert [(entry.how, entry.before_handoff) for entry in seen] == [
        ("read", True),
        ("bot", True),
        ("agent", False),
    ]
    assert suggestions.seen_by_customer("export", context_with(transcript, views)) == []


def test_the_new_staff_api_responses_match_the_openapi_document(agent, customer):
    handoff_id, _ = hand_off(customer)
    document = openapi(agent)
    check(document, "/staff/handoffs", "get", agent.get("/api/v1/staff/handoffs"))
    token = csrf_token(agent, f"/staff/handoffs/{handoff_id}")
    note_url = f"/api/v1/staff/handoffs/{handoff_id}/notes"
    noted = agent.post(note_url, json={"text": "A note"}, headers={"X-CSRFToken": token})
    check(document, "/staff/handoffs/{handoff_id}/notes", "post", noted)
    empty = agent.post(note_url, json={"text": "   "}, headers={"X-CSRFToken": token})
    assert empty.status_code == 422
    check(document, "/staff/handoffs/{handoff_id}/notes", "post", empty)
    check(document, "/staff/handoffs/{handoff_id}", "get", agent.get(f"/api/v1/staff/handoffs/{handoff_id}"))
    for query in ("", "?q=refund"):
        found = agent.get(f"/api/v1/staff/handoffs/{handoff_id}/suggestions{query}")
        check(document, "/staff/handoffs/{handoff_id}/suggestions", "get", found)
    check(
        document,
        "/staff/handoffs/{handoff_id}/suggestions",
        "get",
        agent.get("/api/v1/staff/handoffs/99/suggestions"),
    )


def test_the_queue_lists_waiting_handoffs_oldest_first_then_the_latest_resolved(tmp_path, request):
    """On SQLite, and on PostgreSQL when KBBOT_TEST_POSTGRES_URL is set."""
    urls = [None]
    if os.environ.get("KBBOT_TEST_POSTGRES_URL"):
        urls.append(request.getfixturevalue("postgres_url"))
    for number, url in enumerate(urls):
        overrides = {"DATABASE_URL": url} if url else {}
        app = build_support_app(tmp_path / str(number), BUSINESS_HOURS="24/7", **overrides)
        ids = [hand_off(app.test_client(), email=f"c{n}@example.com")[0] for n in range(4)]
        with app.app_context():
            session = get_session()
            first, second = (session.get(Handoff, ids[n]) for n in (0, 1))
            handoffs.resolve(session, first, "answered")
            handoffs.resolve(session, second, "bug")
            handoffs.add_note(session, session.get(Handoff, ids[2]), None, "checked")
            assert [h.id for h in handoffs.queue(session)] == [ids[2], ids[3], ids[1], ids[0]]
            assert [
                n["text"] for n in agent_views.handoff_context(session, session.get(Handoff, ids[2]))["notes"]
            ] == ["checked"]


@pytest.fixture
def admin(support_app):
    """A signed-in admin's browser."""
    return signed_in(support_app, "lee@example.com", "admin", "Lee")


def test_an_admin_erases_a_customer_from_the_handoff_page_after_typing_their_address(
    support_app, admin, agent, customer
):
    handoff_id, conversation_id = hand_off(customer, email="Dana@Example.com")
    read_article(customer, "refunds", 30)
    page = f"/staff/handoffs/{handoff_id}"
    assert "Erase this customer's data" in text_of(admin.get(page))
    assert "Erase this customer's data" not in text_of(agent.get(page))  # admins only
    assert post(agent, f"{page}/erase", {"confirm_email": "dana@example.com"}, page=page).status_code == 403
    no_token = admin.post(f"{page}/erase", data={"confirm_email": "dana@example.com"})
    assert no_token.status_code == 400

    mistyped = post(admin, f"{page}/erase", {"confirm_email": "dan@example.com"}, page=page)
    shown = text_of(admin.get(mistyped.headers["Location"]))
    assert "Nothing was erased: type dana@example.com to confirm." in shown  # the address as it was stored
    erased = post(admin, f"{page}/erase", {"confirm_email": " DANA@example.com "}, page=page)
    assert erased.headers["Location"].endswith("/staff/handoffs/")
    assert "Erased everything kept about dana@example.com: 1 conversations" in text_of(
        admin.get(erased.headers["Location"])
    )
    assert admin.get(page).status_code == 404
    assert customer.get(f"/api/v1/conversations/{conversation_id}").status_code == 404
    with support_app.app_context():
        visitor_events = get_session().scalars(select(Event).where(Event.type == "article_view")).all()
    assert visitor_events == []  # what she read went with her
