"""What the browser journeys share besides fixtures: the widget's steps, screenshots, and axe-core."""

import re
import time
from pathlib import Path

from playwright.sync_api import expect

from tests.helpers import ROOT

ARTIFACTS = ROOT / "test-artifacts"
ASSETS = Path(__file__).resolve().parent.parent / "assets"
SLOW = 15_000  # ms: the first answer also loads the model in the server


def open_widget(page):
    """Click the launcher; return the chat frame and how long until its message box was usable (ms)."""
    launcher = page.locator("#kbbot-launcher")
    expect(launcher).to_be_visible(timeout=SLOW)
    started = time.perf_counter()
    launcher.click()
    frame = page.frame_locator("#kbbot-frame")
    expect(frame.locator("#kb-input")).to_be_focused(timeout=SLOW)
    opened_ms = (time.perf_counter() - started) * 1000
    return frame, opened_ms


def ask(frame, question):
    """Send `question` in the widget's chat frame; return the locator of the bot's reply to it."""
    before = frame.locator("[data-testid=message-bot]").count()
    frame.locator("#kb-input").fill(question)
    frame.locator("#kb-send").click()
    reply = frame.locator("[data-testid=message-bot]").nth(before)
    expect(reply).to_be_visible(timeout=SLOW)
    return reply


def screenshot(page, name):
    """Save the journey's final state for a reviewer: test-artifacts/screenshots/NAME.png."""
    path = ARTIFACTS / "screenshots" / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    return path


def axe_violations(page, impacts=("serious", "critical")):
    """Accessibility violations axe-core finds on the page (vendored in tests/assets)."""
    # Evaluated through the DevTools protocol, which the pages' Content-Security-Policy does not block.
    page.evaluate((ASSETS / "axe.min.js").read_text(encoding="utf-8"))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        (violation["id"], violation["impact"], [node["target"] for node in violation["nodes"]][:3])
        for violation in result["violations"]
        if violation["impact"] in impacts
    ]


def sign_in_staff(page, site_url, email, password):
    """Sign in on the staff login page of the site at `site_url`; the staff home opens."""
    page.goto(f"{site_url}/staff/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/staff/$"))


def hand_off(page, question, email):
    """Open the widget on `page`, ask `question`, then ask for a person as `email`; return the chat frame."""
    frame, _ = open_widget(page)
    ask(frame, question)
    frame.locator("#kb-talk-to-person").click()
    frame.locator("#kb-handoff-email").fill(email)
    frame.locator("#kb-handoff-submit").click()
    expect(frame.locator("[data-testid=handoff-confirmation]")).to_be_visible()
    return frame
