"""The article editor in a real browser: write with a live preview, publish, and the chat answers from the
new text; two editors on the same article, the second save refused with the conflict page.

Screenshots of the key steps go to test-artifacts/screenshots/editor-*.png.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import SLOW, ask, axe_violations, open_widget, screenshot

pytestmark = pytest.mark.browser

QUESTION = "how long do I have to ask for a refund?"


def sign_in(page, site, email):
    page.goto(f"{site.url}/staff/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill("correct horse battery")
    page.locator("button[type=submit]").click()
    expect(page.locator("h1")).to_contain_text("Hello")


def open_article(page, title):
    page.get_by_role("link", name="Articles", exact=True).first.click()
    page.get_by_role("link", name=title, exact=True).click()
    expect(page.locator("#editor-form")).to_be_visible()


def preview_body(page):
    return page.frame_locator("#kb-preview").locator("#kb-article-body")


def test_an_edit_published_in_the_editor_changes_the_chat_answer(editor_site, page, browser):
    customer = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    customer.goto(editor_site.url)
    frame, _ = open_widget(customer)
    expect(ask(frame, QUESTION)).to_contain_text("14 days", timeout=SLOW)

    sign_in(page, editor_site, "eda@example.com")
    page.goto(f"{editor_site.url}/staff/articles/")
    assert axe_violations(page) == []
    screenshot(page, "editor-1-list")
    open_article(page, "Refund policy")
    expect(preview_body(page)).to_contain_text("14 days")  # the preview shows the saved text at first
    body = page.locator("#body")
    body.fill(body.input_value().replace("**14 days**", "**30 days**"))
    expect(preview_body(page)).to_contain_text("30 days")  # ...and follows the typing
    expect(preview_body(page).locator("strong")).to_have_text("30 days")  # rendered like the public page
    page.locator("#note").fill("Longer refund window")
    assert axe_violations(page) == []
    screenshot(page, "editor-2-live-preview")

    page.locator("#editor-save").click()  # "Publish changes"
    expect(page.locator(".flash")).to_contain_text("Changes published")
    screenshot(page, "editor-3-published")

    reply = ask(frame, QUESTION)
    expect(reply).to_contain_text("30 days", timeout=SLOW)
    expect(reply).not_to_contain_text("14 days")
    screenshot(customer, "editor-4-chat-answers-from-the-new-text")

    page.get_by_role("link", name="History").click()
    expect(page.locator("#revision-diff")).to_contain_text("30 days")
    assert axe_violations(page) == []
    assert page.dialogs == [] and customer.context.pages  # nothing ran from the preview
    customer.context.close()


def test_a_conflicting_save_from_a_second_browser_gets_the_conflict_page(editor_site, page, browser):
    other = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    sign_in(page, editor_site, "eda@example.com")
    sign_in(other, editor_site, "sam@example.com")
    open_article(page, "Refund policy")
    open_article(other, "Refund policy")  # both have revision 1 open

    other_body = other.locator("#body")
    other_body.fill(other_body.input_value().replace("5 to 10 business days", "3 business days"))
    other.locator("#editor-save").click()
    expect(other.locator(".flash")).to_contain_text("Changes published")

    mine = page.locator("#body")
    mine.fill(mine.input_value() + "\nRefunds are free of charge.\n")
    page.locator("#editor-save").click()
    conflict = page.locator("#conflict")
    expect(conflict).to_contain_text("someone else saved this article")
    expect(conflict).to_contain_text("Sam")
    expect(conflict.locator(".diff-removed").first).to_contain_text("5 to 10 business days")
    expect(conflict.locator(".diff-added").first).to_contain_text("3 business days")
    expect(page.locator("#body")).to_have_value(re.compile("Refunds are free of charge."))  # my text kept
    assert axe_violations(page) == []
    screenshot(page, "editor-5-conflict")

    # Resolve: take their change into mine, then save on top of the latest revision.
    merged = page.locator("#body").input_value().replace("5 to 10 business days", "3 business days")
    page.locator("#body").fill(merged)
    page.locator("#editor-save").click()
    expect(page.locator(".flash")).to_contain_text("Changes published")
    expect(page.locator("#body")).to_have_value(re.compile(r"3 business days[\s\S]*free of charge"))
    expect(page.locator(".editor-meta")).to_contain_text("Revision 3")
    screenshot(page, "editor-6-resolved")
    other.context.close()
