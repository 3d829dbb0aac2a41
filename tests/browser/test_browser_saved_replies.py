"""A saved reply in a real browser: an agent types "/" and part of a shortcut in the reply box, picks
one with the keyboard, sees its placeholders filled for this customer, sends it, and the customer's
widget shows it; the use is counted once sent."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from kbbot.accounts import users
from kbbot.models import Handoff
from kbbot.support import saved_replies
from kbbot.web.session import get_session
from tests.browser.helpers import SLOW, ask, axe_violations, open_widget, screenshot

pytestmark = pytest.mark.browser

AGENT_EMAIL = "sam@ledgerly.example"
AGENT_PASSWORD = "saved replies journey"
CUSTOMER_EMAIL = "dana.macro@example.com"


@pytest.fixture
def with_replies(live_site):
    """An agent who signs in (Sam Carter) and two shared saved replies, kept by an editor."""
    with live_site.app.app_context():
        session = get_session()
        users.create_user(session, AGENT_EMAIL, ["agent"], password=AGENT_PASSWORD, name="Sam Carter")
        editor = users.create_user(session, "eda@ledgerly.example", ["editor"], name="Eda")
        saved_replies.create(
            session, editor, "Refund, annual plan", "refund-annual", "Hi {customer_first_name}, annual.", True
        )
        saved_replies.create(
            session,
            editor,
            "Refund, monthly plan",
            "refund-monthly",
            "Hi {customer_first_name}, {agent_first_name} here. Monthly payments are not refunded: "
            "{article:refund-policy}",
            True,
        )
    return live_site


def test_an_agent_inserts_a_saved_reply_with_the_keyboard_and_the_customer_gets_it(with_replies, browser):
    live_site = with_replies
    contexts = [browser.new_context(viewport={"width": 1280, "height": 900}) for _ in range(2)]
    customer, agent = (context.new_page() for context in contexts)

    # A customer asks for a person in the widget.
    customer.goto(live_site.host_page.url)
    chat, _ = open_widget(customer)
    ask(chat, "Can I get my money back for this month?")
    chat.locator("#kb-talk-to-person").click()
    chat.locator("#kb-handoff-email").fill(CUSTOMER_EMAIL)
    chat.locator("#kb-handoff-name").fill("Dana Scully")
    chat.locator("#kb-handoff-submit").click()
    expect(chat.locator("[data-testid=handoff-confirmation]")).to_be_visible()
    with live_site.app.app_context():
        handoff_id = (
            get_session().execute(select(Handoff.id).where(Handoff.email == CUSTOMER_EMAIL)).scalar_one()
        )

    # The agent opens it and types "/" and part of a shortcut: the matching saved replies are listed.
    agent.goto(f"{live_site.url}/staff/login")
    agent.locator("#email").fill(AGENT_EMAIL)
    agent.locator("#password").fill(AGENT_PASSWORD)
    agent.get_by_role("button", name="Sign in").click()
    agent.goto(f"{live_site.url}/staff/handoffs/{handoff_id}")
    expect(agent.locator("#saved-replies-pick")).to_be_hidden()  # the script's menu replaces the list
    reply = agent.locator("#reply-text")
    reply.click()
    reply.press_sequentially("Thanks for waiting. /refund")
    options = agent.get_by_role("listbox", name="Saved replies").get_by_role("option")
    expect(options).to_have_count(2)
    expect(options.first).to_have_attribute("aria-selected", "true")
    assert axe_violations(agent) == []
    reply.press("ArrowDown")
    expect(options.nth(1)).to_have_attribute("aria-selected", "true")
    expect(reply).to_have_attribute("aria-activedescendant", options.nth(1).get_attribute("id"))
    reply.press_sequentially("-m")  # narrows the list to the monthly one
    expect(options).to_have_count(1)
    screenshot(agent, "saved-replies-1-slash-menu")
    reply.press("Enter")

    # Inserted in place of "/refund-m", filled for Dana and Sam; the agent may still edit it.
    expect(options).to_have_count(0)
    expect(reply).to_have_value(
        re.compile(
            r"^Thanks for waiting\. Hi Dana, Sam here\. Monthly payments are not refunded: "
            r"\[Refund policy for Ledgerly subscriptions\]\(http://127\.0\.0\.1:\d+/articles/refund-policy\)$"
        )
    )
    expect(agent.locator("#saved-replies-status")).to_contain_text("Inserted “Refund, monthly plan”")
    reply.press("End")
    reply.press_sequentially(" Anything else?")
    agent.get_by_role("button", name="Send reply").click()
    expect(agent.locator(".flash")).to_contain_text("Reply sent")

    # The customer's widget shows it; the use is counted.
    answer = chat.locator("[data-testid=message-agent]")
    expect(answer).to_contain_text("Hi Dana, Sam here. Monthly payments are not refunded", timeout=SLOW)
    expect(answer.get_by_role("link", name="Refund policy for Ledgerly subscriptions")).to_have_attribute(
        "href", re.compile(r"/articles/refund-policy$")
    )
    screenshot(customer, "saved-replies-2-customer-sees-reply")

    # The "Saved replies" menu does the same with the mouse: a filter, then a click on one.
    menu = agent.get_by_role("button", name="Saved replies")
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(options).to_have_count(2)
    agent.get_by_role("combobox", name="Find a saved reply").fill("annual")
    expect(options).to_have_count(1)
    options.first.click()
    expect(reply).to_have_value("Hi Dana, annual.")
    agent.get_by_role("button", name="Send reply").click()
    expect(answer.nth(1)).to_contain_text("Hi Dana, annual.", timeout=SLOW)

    agent.get_by_role("link", name="Saved replies", exact=True).click()
    for shortcut in ("/refund-monthly", "/refund-annual"):
        row = agent.locator("[data-testid=saved-reply]", has_text=shortcut)
        expect(row.get_by_test_id("uses")).to_have_text("1 / 1")
    for context in contexts:
        context.close()
