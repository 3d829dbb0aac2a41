"""The agent console in a real browser: a customer's handoff reaches an agent live, with what they read.

The customer reads an article in the help center, then asks for a person in
the widget on another site; an agent watching the queue sees the handoff
arrive without reloading, opens it, sees the article in the customer's
timeline and flagged among the suggestions, replies with a link to an article
and resolves. The customer's widget shows the reply. Screenshots of each step
land in test-artifacts/screenshots/.
"""

import re

import pytest
from playwright.sync_api import expect

from kbbot.accounts import users
from kbbot.web.session import get_session
from tests.browser.helpers import axe_violations, screenshot, sign_in_staff

pytestmark = pytest.mark.browser

SLOW = 15_000  # ms: the first answer also loads the model in the server
AGENT_EMAIL = "sam@ledgerly.example"
AGENT_PASSWORD = "console journey secret"
CUSTOMER_EMAIL = "dana.console@example.com"


@pytest.fixture
def agent_account(live_site):
    with live_site.app.app_context():
        users.create_user(get_session(), AGENT_EMAIL, ["agent"], password=AGENT_PASSWORD, name="Sam")
    return AGENT_EMAIL


@pytest.fixture
def two_people(browser):
    """A customer's and an agent's browser, with nothing shared (cookies, storage)."""
    contexts = [browser.new_context(viewport={"width": 1280, "height": 900}) for _ in range(2)]
    pages = [context.new_page() for context in contexts]
    for page in pages:
        page.dialogs = []
        page.on("dialog", lambda dialog, page=page: (page.dialogs.append(dialog.message), dialog.dismiss()))
    yield pages
    for context in contexts:
        context.close()


def test_an_agent_sees_a_handoff_arrive_and_answers_it_with_what_the_customer_read(
    live_site, agent_account, two_people
):
    customer, agent = two_people

    # The agent signs in and watches the open handoffs.
    sign_in_staff(agent, live_site.url, AGENT_EMAIL, AGENT_PASSWORD)
    agent.get_by_role("link", name="Handoffs", exact=True).click()
    expect(agent.locator("h1")).to_have_text("Handoffs")
    agent.evaluate("window.stillTheSamePage = true")
    assert axe_violations(agent) == []

    # The customer searches the help center and reads an article, then goes to the shop's site.
    customer.goto(f"{live_site.url}/search?q=refund")
    customer.locator("#kb-results a.kb-result__link").filter(has_text="Refund").first.click()
    expect(customer).to_have_url(re.compile(r"/articles/refund-policy\?ref=search"))
    customer.wait_for_timeout(1500)  # reading
    customer.goto(live_site.host_page.url)  # leaving the page reports the reading time

    # There they open the chat, ask, and ask for a person.
    customer.locator("#kbbot-launcher").click()
    chat = customer.frame_locator("#kbbot-frame")
    expect(chat.locator("#kb-input")).to_be_focused(timeout=SLOW)
    chat.locator("#kb-input").fill("I paid for the annual plan twice, can I get my money back?")
    chat.locator("#kb-send").click()
    expect(chat.locator("[data-testid=message-bot]").first).to_be_visible(timeout=SLOW)
    chat.locator("#kb-talk-to-person").click()
    chat.locator("#kb-handoff-email").fill(CUSTOMER_EMAIL)
    chat.locator("#kb-handoff-name").fill("Dana")
    chat.locator("#kb-handoff-message").fill("I was charged twice this morning.")
    chat.locator("#kb-handoff-submit").click()
    expect(chat.locator("[data-testid=handoff-confirmation]")).to_be_visible()

    # The handoff appears in the agent's queue without a reload, with its count.
    row = agent.locator("#queue-rows tr", has_text=CUSTOMER_EMAIL)
    expect(row).to_be_visible(timeout=SLOW)
    expect(row).to_contain_text("I paid for the annual plan twice")
    expect(row).to_contain_text("Asked for a person")
    expect(row).to_contain_text("Waiting")
    expect(agent.locator("#queue-live")).to_contain_text("new handoff")
    assert agent.evaluate("window.stillTheSamePage") is True  # no reload happened
    assert int(agent.locator('[data-count="open"]').inner_text()) >= 1
    screenshot(agent, "console-1-queue-new-handoff")

    # The agent opens it: the customer, the transcript, and what they read and searched before.
    row.get_by_role("link").click()
    expect(agent.locator("h1")).to_contain_text("Dana")
    expect(agent.locator("#timeline [data-testid=entry-customer]").first).to_contain_text("annual plan twice")
    expect(agent.locator("#timeline [data-testid=entry-bot] [data-testid=decision]").first).to_have_text(
        re.compile(r"^(Answered|Offered choices|Offered a person) · article \d\.\d\d")
    )
    activity = agent.locator("#activity")
    viewed = activity.locator("[data-testid=viewed-article]", has_text="Refund policy")
    expect(viewed).to_contain_text("from a search")
    expect(viewed.get_by_role("link", name="Refund policy")).to_have_attribute(
        "href", re.compile(r"/articles/refund-policy$")
    )
    expect(activity.locator("[data-testid=search]", has_text="refund")).to_contain_text("Refund policy")
    expect(agent.locator(".facts")).to_contain_text(live_site.host_page.url)
    suggestion = agent.locator('[data-testid=suggestion][data-slug="refund-policy"]')
    expect(suggestion.locator("[data-testid=already-seen]")).to_contain_text("Already read by the customer")
    assert axe_violations(agent) == []
    screenshot(agent, "console-2-handoff-context")

    # A new customer message appears on the agent's page without a reload. It adds detail for the
    # agent, so the bot leaves it to them, and the customer is told it was passed on.
    agent.evaluate("window.stillTheSamePage = true")
    chat.locator("#kb-input").fill("It was the same card both times.")
    chat.locator("#kb-send").click()
    expect(agent.locator("#timeline [data-testid=entry-customer]", has_text="same card")).to_be_visible(
        timeout=SLOW
    )
    expect(chat.locator("[data-testid=waiting-note]")).to_contain_text("passed to our support team")
    chat.locator("#kb-input").fill("The second charge was this morning.")
    chat.locator("#kb-send").click()
    expect(agent.locator("#timeline [data-testid=entry-customer]", has_text="this morning")).to_be_visible(
        timeout=SLOW
    )
    expect(chat.locator("[data-testid=waiting-note]")).to_have_count(1)  # told once, not after every detail
    # A new question gets the bot's answer while nobody has taken the handoff yet; it reaches the
    # agent's page live too, its headings in bold.
    chat.locator("#kb-input").fill("How do I connect Stripe?")
    chat.locator("#kb-send").click()
    answered_live = agent.locator("#timeline .is-new[data-testid=entry-bot]").last
    expect(answered_live.locator("strong").first).to_have_text("Connect your Stripe account", timeout=SLOW)
    expect(answered_live).not_to_contain_text("**")
    expect(answered_live.get_by_test_id("decision")).to_have_text(
        re.compile(r"^Answered · article \d\.\d\d · section \d\.\d\d$")
    )
    # An answer with a table shows it as one, as the customer sees it.
    chat.locator("#kb-input").fill("What is the annual billing price of each plan?")
    chat.locator("#kb-send").click()
    table = agent.locator("#timeline .is-new[data-testid=entry-bot] .entry-answer table")
    expect(table.locator("thead th")).to_have_text(["", "Free", "Starter", "Pro", "Business"], timeout=SLOW)
    assert agent.evaluate("window.stillTheSamePage") is True

    # So does what she reads in the help center while she waits.
    reading = customer.context.new_page()
    reading.goto(f"{live_site.url}/articles/cancel-your-subscription")
    waiting = agent.locator("#activity-after [data-testid=viewed-article]", has_text="Cancel")
    expect(waiting).to_be_visible(timeout=SLOW)
    expect(waiting).to_contain_text("after the handoff")
    reading.close()
    assert agent.evaluate("window.stillTheSamePage") is True

    # The agent replies with a link to the article, warned that the customer read it already.
    reply = agent.locator("#reply-text")
    reply.fill("Hi Dana, Sam here. I have refunded the second payment. The rules: ")
    suggestion.get_by_test_id("insert-link").click()
    expect(reply).to_have_value(
        re.compile(r"The rules: \[Refund policy[^\]]*\]\(http://127\.0\.0\.1:\d+/articles/refund-policy\)$")
    )
    expect(agent.locator("#reply-warning")).to_contain_text("Dana already saw “Refund policy")
    agent.get_by_role("button", name="Send reply").click()
    expect(agent.locator(".flash")).to_contain_text("Reply sent")
    expect(agent.locator("#timeline [data-testid=entry-agent]")).to_contain_text("I have refunded")

    # The customer's widget shows the reply, its link clickable and safe.
    answer = chat.locator("[data-testid=message-agent]")
    expect(answer).to_contain_text("I have refunded the second payment", timeout=SLOW)
    article_link = answer.get_by_role("link", name="Refund policy")
    expect(article_link).to_have_attribute("href", re.compile(r"/articles/refund-policy$"))
    expect(article_link).to_have_attribute("rel", re.compile("noopener"))
    screenshot(customer, "console-3-customer-sees-reply")

    # An internal note, then the agent resolves with a reason.
    agent.locator("#note-text").fill("Refunded in the payment provider, ticket PAY-1234.")
    agent.get_by_role("button", name="Add internal note").click()
    expect(agent.locator("#timeline [data-testid=entry-note]")).to_contain_text("PAY-1234")
    agent.locator("#resolve-reason").select_option(label="Answered with an existing article")
    agent.get_by_role("button", name="Resolve").click()
    expect(agent.locator(".flash")).to_contain_text("Resolved: Answered with an existing article")
    expect(agent.get_by_role("button", name="Reopen")).to_be_visible()
    assert axe_violations(agent) == []
    screenshot(agent, "console-4-resolved")

    expect(chat.locator("[data-testid=message-agent]")).to_have_count(1)  # the note never reached her
    expect(chat.locator("body")).not_to_contain_text("PAY-1234")
    assert customer.dialogs == [] and agent.dialogs == []
