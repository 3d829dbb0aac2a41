"""The agent workspace in a real browser: three panes at 1280 px with the composer in view, the transcript
opened at the first message the agent has not read, "Jump to latest" as messages arrive; stacked at 1024 px.
Screenshots: test-artifacts/screenshots/workspace-1280.png and workspace-1024.png."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import SLOW, axe_violations, screenshot, sign_in_staff

pytestmark = pytest.mark.browser

AGENT_EMAIL, AGENT_PASSWORD = "sam@example.com", "correct horse battery"  # sla_site's agent
EARLY_DETAILS = [
    f"Detail {n}: the invoice number was INV-10{n} and the card ended in 42{n}." for n in range(10)
]


class Customer:
    """A customer chatting through the public API, as the widget does (its visitor id in a header)."""

    def __init__(self, request, site_url):
        self.request, self.api, self.visitor, self.conversation_id = request, f"{site_url}/api/v1", None, None

    def say(self, text):
        headers = {"X-Kbbot-Visitor": self.visitor} if self.visitor else {}
        body = {
            "message": text,
            **({"conversation_id": self.conversation_id} if self.conversation_id else {}),
        }
        answer = self.request.post(f"{self.api}/chat", data=body, headers=headers)
        assert answer.ok, answer.text()
        self.visitor = answer.headers.get("x-kbbot-visitor") or self.visitor
        self.conversation_id = answer.json()["conversation_id"]

    def hand_off(self, email):
        headers = {"X-Kbbot-Visitor": self.visitor} if self.visitor else {}
        handoff = self.request.post(
            f"{self.api}/conversations/{self.conversation_id}/handoff",
            data={"email": email, "name": "Dana"},
            headers=headers,
        )
        assert handoff.status == 201, handoff.text()
        return handoff.json()["id"]


@pytest.fixture
def customer(browser, sla_site):
    context = browser.new_context()
    yield Customer(context.request, sla_site.url)
    context.close()


def box(page, selector):
    return page.locator(selector).bounding_box()


def in_view(page, selector, region="#transcript"):
    """Whether the element is wholly inside the transcript's visible part."""
    inner, outer = box(page, selector), box(page, region)
    return inner["y"] >= outer["y"] - 1 and inner["y"] + inner["height"] <= outer["y"] + outer["height"] + 1


def test_the_workspace_opens_at_the_first_unread_message_with_the_composer_in_view(sla_site, customer, page):
    customer.say("I was charged twice for my annual plan")
    handoff_id = customer.hand_off("dana@example.com")
    for detail in EARLY_DETAILS:
        customer.say(detail)
    sign_in_staff(page, sla_site.url, AGENT_EMAIL, AGENT_PASSWORD)
    page.goto(f"{sla_site.url}/staff/handoffs/{handoff_id}")  # read up to here
    customer.say("NEW: the second charge is still pending on my statement.")

    # The queue marks it unread; its row opens the handoff at the first message the agent has not read.
    page.goto(f"{sla_site.url}/staff/handoffs/?tab=all")
    row = page.locator("#queue-rows tr", has_text="dana@example.com")
    expect(row.locator("[data-testid=queue-unread]")).to_have_count(1)
    row.get_by_role("link").click()
    expect(page).to_have_url(re.compile(rf"/staff/handoffs/{handoff_id}\?tab=all#first-unread$"))

    # Three panes side by side, the page itself not scrolling, the composer's text box wholly in view.
    queue, middle, context = (
        box(page, s) for s in ("#queue", ".workspace-conversation", ".workspace-context")
    )
    assert queue["x"] + queue["width"] <= middle["x"] and middle["x"] + middle["width"] <= context["x"]
    assert abs(queue["y"] - middle["y"]) < 2 and abs(middle["y"] - context["y"]) < 2
    assert page.evaluate("document.scrollingElement.scrollHeight <= window.innerHeight")
    reply = box(page, "#reply-text")
    assert reply["y"] >= 0 and reply["y"] + reply["height"] <= 800
    expect(page.locator("#queue-rows tr.is-current")).to_contain_text("dana@example.com")

    # The transcript opened at the divider, the new message below it; nothing further to jump to.
    divider = page.locator("[data-testid=first-unread]")
    expect(divider).to_have_text("New messages")
    assert page.evaluate("document.getElementById('transcript').scrollTop") > 0
    assert in_view(page, "[data-testid=first-unread]")
    after = page.locator("[data-testid=first-unread] + li")
    expect(after).to_contain_text("NEW: the second charge")
    expect(page.locator("#jump-latest")).to_be_hidden()
    assert axe_violations(page) == []
    screenshot(page, "workspace-1280")

    # Scrolled up with a draft, a new message arrives: the draft stays, the jump counts it.
    page.locator("#reply-text").fill("Hi Dana, let me check")
    page.evaluate("document.getElementById('transcript').scrollTop = 0")
    customer.say("Also, can you send me a receipt?")
    expect(page.locator("#jump-latest")).to_have_text("Jump to latest (1 new)", timeout=SLOW)
    expect(page.locator("#reply-text")).to_have_value("Hi Dana, let me check")
    page.locator("#jump-latest").click()
    expect(page.locator("#jump-latest")).to_be_hidden()
    assert in_view(page, "#timeline > li:last-child")

    # At the end, the next message keeps the view there.
    customer.say("Thanks in advance!")
    expect(page.locator("#timeline > li:last-child")).to_contain_text("Thanks in advance!", timeout=SLOW)
    page.wait_for_timeout(300)
    assert in_view(page, "#timeline > li:last-child")
    expect(page.locator("#jump-latest")).to_be_hidden()

    # Narrower, the page stacks as the handoff page did: no queue pane, the page scrolls, not the transcript.
    page.set_viewport_size({"width": 1024, "height": 800})
    page.reload()
    expect(page.locator("#queue")).to_be_hidden()
    assert page.evaluate("getComputedStyle(document.getElementById('transcript')).overflowY") == "visible"
    assert page.evaluate("document.scrollingElement.scrollHeight > window.innerHeight")
    assert box(page, ".workspace-conversation")["y"] < box(page, "#reply-text")["y"]
    assert axe_violations(page) == []
    screenshot(page, "workspace-1024")
