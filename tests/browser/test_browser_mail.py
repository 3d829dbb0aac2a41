"""An answer by email in a real browser: an agent replies on a handoff's page, the customer answers the
reply email, the answer lands in the help desk's Dovecot mailbox, `kbbot mail fetch` reads it, and the
agent's open page shows it without a reload."""

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import SLOW, screenshot, sign_in_staff
from tests.helpers import PASSWORD

pytestmark = pytest.mark.browser

ANSWER = "Thanks Alex, the second charge is back on my card."


def test_an_emailed_answer_reaches_the_agents_open_handoff_page(mail_desk_site, page):
    desk = mail_desk_site.desk
    _, handoff_id = desk.handoff()
    sign_in_staff(page, mail_desk_site.url, "agent@example.com", PASSWORD)
    page.goto(f"{mail_desk_site.url}/staff/handoffs/{handoff_id}")
    page.locator("#reply textarea").fill("Hi Dana, I have refunded the second charge.")
    page.get_by_role("button", name="Send reply").click()
    expect(page.get_by_test_id("entry-agent")).to_contain_text("refunded the second charge", timeout=SLOW)
    page.evaluate("window.loadedOnce = true")  # gone if the page reloads

    reply = desk.smtp_inbox.messages[-1][1]
    assert "refunded the second charge" in reply.get_content()
    desk.mailbox.deliver(desk.customer_answer(reply, ANSWER))
    assert "1 attached" in desk.fetch()

    answer = page.get_by_test_id("entry-customer").filter(has_text="second charge is back")
    expect(answer).to_be_visible(timeout=SLOW)
    expect(answer).not_to_contain_text("wrote:")  # the quoted reply is stripped
    assert page.evaluate("window.loadedOnce") is True
    screenshot(page, "mail-answer-on-handoff-page")
