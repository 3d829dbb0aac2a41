"""Saved replies on the staff pages: managing them, inserting one without JavaScript, counting uses."""

import re
from html import unescape

import pytest
from sqlalchemy import func, select

from kbbot.accounts import users
from kbbot.models import SavedReply, SavedReplyUse
from kbbot.web.session import get_session
from tests.helpers import PASSWORD, ask, csrf_token, request_handoff, sign_in, text_of


def signed_in(app, email, roles, name):
    with app.app_context():
        users.create_user(get_session(), email, roles, password=PASSWORD, name=name)
    browser = app.test_client()
    assert sign_in(browser, email=email).status_code == 302
    return browser


@pytest.fixture
def alex(support_app):
    return signed_in(support_app, "alex@example.com", ["agent"], "Alex Krycek")


@pytest.fixture
def bo(support_app):
    return signed_in(support_app, "bo@example.com", ["agent"], "Bo")


@pytest.fixture
def eda(support_app):
    return signed_in(support_app, "eda@example.com", ["editor"], "Eda")


def add(browser, title, shortcut, body, shared=False):
    form = {"csrf_token": csrf_token(browser, "/staff/replies/"), "title": title, "shortcut": shortcut}
    form |= {"body": body, **({"shared": "y"} if shared else {})}
    return browser.post("/staff/replies/", data=form)


def reply_id(app, shortcut):
    with app.app_context():
        return (
            get_session().execute(select(SavedReply.id).where(SavedReply.shortcut == shortcut)).scalar_one()
        )


def test_agents_keep_their_own_and_see_the_shared_ones(support_app, alex, bo, eda):
    assert "Saved replies" in text_of(alex.get("/staff/"))  # in the staff nav
    assert add(alex, "Greeting", "hi", "Hi {customer_first_name}!").status_code == 302
    assert add(eda, "Refunds", "refund", "See {article:refunds}.", shared=True).status_code == 302

    mine = text_of(alex.get("/staff/replies/"))
    assert "/hi Greeting" in mine and "/refund Refunds" in mine and "Shared" in mine
    assert "Greeting" not in text_of(bo.get("/staff/replies/"))  # another agent's own: invisible
    own = reply_id(support_app, "hi")
    assert bo.get(f"/staff/replies/{own}/edit").status_code == 404
    form = {"csrf_token": csrf_token(bo, "/staff/replies/")}
    assert bo.post(f"/staff/replies/{own}/delete", data=form).status_code == 404


def test_an_agent_cannot_change_a_shared_reply_but_an_editor_can(support_app, alex, eda):
    add(eda, "Refunds", "refund", "See {article:refunds}.", shared=True)
    shared = reply_id(support_app, "refund")
    page = alex.get("/staff/replies/").get_data(as_text=True)
    assert f"/staff/replies/{shared}/edit" not in page and "Shared with the team" not in page
    assert alex.get(f"/staff/replies/{shared}/edit").status_code == 403
    form = {
        "csrf_token": csrf_token(alex, "/staff/replies/"),
        "title": "Mine",
        "shortcut": "refund",
        "body": "x",
    }
    assert alex.post(f"/staff/replies/{shared}/edit", data=form).status_code == 403
    assert alex.post(f"/staff/replies/{shared}/delete", data=form).status_code == 403
    assert add(alex, "Shared?", "sneaky", "Text", shared=True).status_code == 403

    form = {"csrf_token": csrf_token(eda, "/staff/replies/"), "title": "Refunds", "shortcut": "refunds"}
    changed = eda.post(f"/staff/replies/{shared}/edit", data={**form, "body": "New text", "shared": "y"})
    assert changed.status_code == 302
    assert "/refunds Refunds New text" in text_of(alex.get("/staff/replies/"))
    assert eda.post(f"/staff/replies/{shared}/delete", data=form).status_code == 302
    assert "No saved replies yet" in text_of(alex.get("/staff/replies/"))


@pytest.mark.parametrize(
    "title, shortcut, body, message",
    [
        ("Again", "hi", "Text", "/hi is already a saved reply's shortcut; choose another."),
        ("Empty", "empty", "  ", "Write the reply's text."),
        ("Long", "long", "x" * 5001, "Must be at most 5000 characters (it has 5001)."),
        ("Unknown", "unknown", "Hi {first_name}", "Unknown placeholder {first_name}"),
        ("Article", "article", "{article:no-such}", "{article:no-such} names no published article."),
        ("Spaces", "two words", "Text", "Use letters, digits, and - or _ between them"),
    ],
)
def test_broken_rules_are_shown_on_their_field(alex, title, shortcut, body, message):
    add(alex, "Greeting", "hi", "Hi!")
    refused = add(alex, title, shortcut, body)
    assert refused.status_code == 422
    assert message in text_of(refused)
    assert 'aria-invalid="true"' in refused.get_data(as_text=True)


def test_every_change_needs_the_csrf_token(support_app, alex):
    assert alex.post("/staff/replies/", data={"title": "T", "shortcut": "t", "body": "b"}).status_code == 400
    add(alex, "Greeting", "hi", "Hi!")
    own = reply_id(support_app, "hi")
    assert alex.post(f"/staff/replies/{own}/delete").status_code == 400
    assert (
        alex.post(f"/staff/replies/{own}/edit", data={"title": "T", "shortcut": "t", "body": "b"}).status_code
        == 400
    )


def uses(app, shortcut):
    with app.app_context():
        query = select(func.count(SavedReplyUse.id)).join(SavedReply).where(SavedReply.shortcut == shortcut)
        return get_session().execute(query).scalar_one()


def test_without_javascript_a_reply_is_inserted_filled_in_and_counted_when_sent(support_app, alex, eda):
    add(eda, "Refunds", "refund", "Hi {customer_first_name}, I'm {agent_first_name}: {article:refunds}", True)
    customer = support_app.test_client()
    conversation_id = ask(customer, "I was charged twice")["conversation_id"]
    handoff = request_handoff(customer, conversation_id, name="Dana Scully").get_json()["id"]
    shared = reply_id(support_app, "refund")
    page = f"/staff/handoffs/{handoff}"
    assert f'<option value="{shared}">/refund: Refunds</option>' in alex.get(page).get_data(as_text=True)

    draft = {
        "csrf_token": csrf_token(alex, page),
        "reply-text": "Thanks for waiting.",
        "saved_reply": str(shared),
    }
    inserted = alex.post(f"{page}/reply/saved", data=draft)
    assert inserted.status_code == 200
    html = inserted.get_data(as_text=True)
    expected = "Thanks for waiting.\n\nHi Dana, I'm Alex: [Refund policy](http://localhost/articles/refunds)"
    assert (
        unescape(re.search(r'<textarea[^>]*id="reply-text"[^>]*>(.*?)</textarea>', html, re.S)[1]).strip()
        == expected
    )
    assert re.search(rf'id="reply-saved_replies"[^>]*value="{shared}"', html)
    assert uses(support_app, "refund") == 0  # inserting is not using

    sent = alex.post(
        f"{page}/reply",
        data={
            "csrf_token": csrf_token(alex, page),
            "reply-text": expected,
            "reply-saved_replies": f"{shared} 999 x",
        },
    )
    assert sent.status_code == 302
    assert uses(support_app, "refund") == 1
    assert "1 / 1" in text_of(alex.get("/staff/replies/"))
    transcript = customer.get(f"/api/v1/conversations/{conversation_id}").get_json()["messages"]
    assert transcript[-1]["text"] == expected


def test_inserting_nothing_or_another_agents_reply_is_refused(support_app, alex, bo):
    add(bo, "Bo's", "bo", "Bo's own")
    customer = support_app.test_client()
    handoff = request_handoff(customer, ask(customer, "refund")["conversation_id"]).get_json()["id"]
    page = f"/staff/handoffs/{handoff}"
    form = {"csrf_token": csrf_token(alex, page), "reply-text": "Draft"}
    assert "Choose a saved reply to insert." in text_of(alex.post(f"{page}/reply/saved", data=form))
    others = {**form, "saved_reply": str(reply_id(support_app, "bo"))}
    assert alex.post(f"{page}/reply/saved", data=others).status_code == 404
