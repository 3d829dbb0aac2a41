"""Presence in a real browser: round-robin between two online agents, the title's count and a
notification for a new handoff, two agents on one handoff seeing each other, typing both ways between
the agent's console and the customer's widget, and the keyboard shortcuts."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from kbbot.accounts import users
from kbbot.models import Handoff
from kbbot.web.session import get_session
from tests.browser.helpers import SLOW, axe_violations, hand_off, screenshot, sign_in_staff

pytestmark = pytest.mark.browser

PASSWORD = "presence journey secret"
# Browsers show notifications outside the page; this records what the page asks to show instead.
RECORD_NOTIFICATIONS = """
window.notified = [];
window.Notification = class {
  static permission = "granted";
  static requestPermission() { return Promise.resolve("granted"); }
  constructor(title, options) { window.notified.push(title + ": " + options.body); }
};
"""


@pytest.fixture
def live_site_settings():
    return {"AGENT_CAPACITY": 1}


@pytest.fixture
def people(browser, live_site):
    """The customer's browser, then Sam's and Max's (agents who can sign in), nothing shared."""
    with live_site.app.app_context():
        for name in ("Sam", "Max"):
            users.create_user(
                get_session(), f"{name.lower()}@ledgerly.example", ["agent"], password=PASSWORD, name=name
            )
    contexts = [browser.new_context(viewport={"width": 1280, "height": 900}) for _ in range(3)]
    pages = [context.new_page() for context in contexts]
    for page in pages[1:]:
        page.add_init_script(RECORD_NOTIFICATIONS)
    yield pages
    for context in contexts:
        context.close()


def sign_in(page, live_site, name):
    sign_in_staff(page, live_site.url, f"{name.lower()}@ledgerly.example", PASSWORD)


def hand_off_by_api(customer, live_site, question, email):
    """A customer's chat and handoff through the public API, as the widget sends them."""
    api = f"{live_site.url}/api/v1"
    chat = customer.request.post(f"{api}/chat", data={"message": question})
    assert chat.ok, chat.text()
    conversation_id = chat.json()["conversation_id"]
    handoff = customer.request.post(
        f"{api}/conversations/{conversation_id}/handoff", data={"email": email, "name": email.split("@")[0]}
    )
    assert handoff.status == 201, handoff.text()
    return handoff.json()


def test_round_robin_gives_two_new_handoffs_to_the_two_online_agents_who_are_notified(live_site, people):
    customer, sam, max_ = people
    for page, name in ((sam, "Sam"), (max_, "Max")):
        sign_in(page, live_site, name)
        page.goto(f"{live_site.url}/staff/handoffs/?tab=all")
    team = max_.locator("#team-presence")
    expect(team.locator("li", has_text="Sam")).to_contain_text("Online", timeout=SLOW)
    expect(team.locator("li", has_text="Max")).to_contain_text("Online")
    expect(team.locator("li", has_text="Alex")).to_contain_text("Offline")  # never signed in
    expect(sam).to_have_title("Handoffs: All | kbbot")

    first = hand_off_by_api(
        customer, live_site, "I was charged twice, can I get my money back?", "dana@example.com"
    )
    second = hand_off_by_api(customer, live_site, "how do I export invoices", "lee@example.com")
    assert (first["status"], second["status"]) == ("assigned", "assigned")
    with live_site.app.app_context():
        found = get_session().execute(select(Handoff).order_by(Handoff.id)).scalars().all()
        assert [handoff.assignee.name for handoff in found] == ["Sam", "Max"]

    # Each agent's title counts the handoff now theirs, and a notification said so.
    expect(sam).to_have_title("(1) Handoffs: All | kbbot", timeout=SLOW)
    expect(max_).to_have_title("(1) Handoffs: All | kbbot", timeout=SLOW)
    sam.wait_for_function("window.notified.length > 0")
    assert sam.evaluate("window.notified") == ["Handoff assigned to you: dana"]
    max_.wait_for_function("window.notified.length > 0")
    assert max_.evaluate("window.notified") == ["Handoff assigned to you: lee"]
    expect(sam.locator("#queue-rows tr", has_text="dana@example.com")).to_contain_text("You", timeout=SLOW)
    assert axe_violations(sam) == []
    screenshot(sam, "presence-1-round-robin")

    # Max goes away: his handoff goes back to the queue; Sam is full (capacity 1), so it waits there.
    max_.get_by_role("button", name="Set yourself away").click()
    expect(max_.locator("[data-testid=my-presence]")).to_have_text("Away")
    row = sam.locator("#queue-rows tr", has_text="lee@example.com")
    expect(row).to_contain_text("Nobody", timeout=SLOW)
    expect(sam).to_have_title("(2) Handoffs: All | kbbot", timeout=SLOW)


def test_the_keyboard_moves_in_the_queue_and_reaches_the_reply_note_and_resolve(live_site, people):
    customer, sam, _max = people
    sign_in(sam, live_site, "Sam")
    for n, email in enumerate(("ana@example.com", "bo@example.com")):
        hand_off_by_api(customer, live_site, f"how do I export invoices {n}", email)
    sam.goto(f"{live_site.url}/staff/handoffs/?tab=all")
    rows = sam.locator("#queue-rows tr")
    expect(rows).to_have_count(2)
    expect(sam.locator("#team-presence li", has_text="Sam")).to_contain_text("Online")

    sam.keyboard.press("j")
    expect(rows.nth(0).locator("a")).to_be_focused()
    sam.keyboard.press("j")
    expect(rows.nth(1).locator("a")).to_be_focused()
    sam.keyboard.press("k")
    expect(rows.nth(0).locator("a")).to_be_focused()
    sam.keyboard.press("Enter")
    expect(sam.locator("h1")).to_contain_text("ana")
    expect(sam.locator("[data-testid=collision]")).to_be_attached()  # the page's scripts run

    sam.keyboard.press("r")
    reply = sam.locator("#reply textarea")
    expect(reply).to_be_focused()
    sam.keyboard.type("near")  # in a field, letters are text: n and e stay in the reply box
    expect(reply).to_have_value("near")
    expect(reply).to_be_focused()
    reply.blur()
    sam.keyboard.press("n")
    expect(sam.locator("#note textarea")).to_be_focused()
    sam.locator("#note textarea").blur()
    sam.keyboard.press("e")
    expect(sam.locator("#resolve-reason")).to_be_focused()
    expect(sam.locator("#handoff-status")).not_to_contain_text("Resolved")  # e never resolves by itself

    sam.locator("#resolve-reason").blur()
    sam.keyboard.press("?")
    dialog = sam.get_by_role("dialog", name="Keyboard shortcuts")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Reply to the customer")
    assert axe_violations(sam) == []
    screenshot(sam, "presence-2-shortcuts")
    sam.keyboard.press("Escape")
    expect(dialog).to_be_hidden()


def test_two_agents_on_one_handoff_see_each_other_and_typing_reaches_both_sides(live_site, people):
    customer, sam, max_ = people
    customer.goto(live_site.host_page.url)
    chat = hand_off(
        customer, "I paid for the annual plan twice, can I get my money back?", "dana@example.com"
    )
    with live_site.app.app_context():
        handoff_id = get_session().scalar(select(Handoff.id))

    for page, name in ((sam, "Sam"), (max_, "Max")):
        sign_in(page, live_site, name)
        page.goto(f"{live_site.url}/staff/handoffs/{handoff_id}")
    expect(sam.locator("[data-testid=collision]")).to_have_text("Max is viewing", timeout=SLOW)
    expect(max_.locator("[data-testid=collision]")).to_have_text("Sam is viewing", timeout=SLOW)

    # Max types a reply: Sam sees him replying, the customer sees support typing.
    max_.locator("#reply textarea").press_sequentially(
        "Hi Dana, I am looking at your payments now", delay=150
    )
    expect(sam.locator("[data-testid=collision]")).to_have_text("Max is replying", timeout=SLOW)
    expect(chat.locator("[data-testid=agent-typing]")).to_have_text("Support is typing…", timeout=SLOW)
    screenshot(sam, "presence-3-collision")

    # The customer types: the agents see it, and it never joins the transcript.
    chat.locator("#kb-input").press_sequentially("it was the same card", delay=150)
    expect(sam.locator("[data-testid=customer-typing]")).to_have_text("Customer is typing…", timeout=SLOW)
    expect(sam.locator("[data-testid=customer-typing]")).to_be_empty(timeout=SLOW)  # stopped typing
    expect(sam.locator("#timeline [data-testid=entry-customer]")).to_have_count(1)

    # Max leaves the page: after a few seconds Sam no longer sees him.
    max_.goto(f"{live_site.url}/staff/handoffs/")
    expect(sam.locator("[data-testid=collision]")).to_be_empty(timeout=SLOW)
    expect(chat.locator("[data-testid=agent-typing]")).to_be_empty(timeout=SLOW)
