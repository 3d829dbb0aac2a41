"""Two-factor sign-in in a real browser: an admin is sent to enrol, scans (reads) the QR code's secret,
confirms a code, keeps the recovery codes, and signs in again with a code from the app."""

import re

import pyotp
import pytest
from playwright.sync_api import expect

from tests.browser.helpers import axe_violations, screenshot
from tests.helpers import totp_code

pytestmark = pytest.mark.browser

EMAIL, PASSWORD = "admin@example.com", "correct horse battery"


def enter_password(page, site):
    page.goto(f"{site.url}/staff/login")
    page.locator("#email").fill(EMAIL)
    page.locator("#password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_an_admin_enrols_an_authenticator_app_and_signs_in_with_it(staff_site, page):
    enter_password(page, staff_site)
    expect(page).to_have_url(re.compile(r"/staff/two-factor/$"))
    expect(page.get_by_role("heading", name="Set up two-factor sign-in")).to_be_visible()
    qr_code = page.get_by_role("img", name=re.compile("QR code"))
    expect(qr_code).to_be_visible()
    # Drawn: the page's policy lets the data: image load, and it has the QR code's square shape.
    assert qr_code.evaluate(
        "image => image.complete && image.naturalWidth > 0 && image.naturalWidth == image.naturalHeight"
    )
    secret = page.locator(".two-factor-secret").inner_text().replace(" ", "")
    assert len(secret) == 32 and pyotp.TOTP(secret).now().isdigit()
    assert axe_violations(page) == []
    screenshot(page, "two-factor-enrolment")

    page.get_by_role("link", name="Team").click()  # nowhere else until enrolled
    expect(page).to_have_url(re.compile(r"/staff/two-factor/$"))

    page.get_by_label("The 6-digit code your app shows").fill(totp_code(secret))
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    codes = page.locator(".recovery-codes code")
    expect(codes).to_have_count(10)
    screenshot(page, "two-factor-recovery-codes")

    page.get_by_role("button", name="Sign out").click()
    enter_password(page, staff_site)
    expect(page).to_have_url(re.compile(r"/staff/login/code$"))
    page.get_by_label(re.compile("Code from your authenticator app")).fill(totp_code(secret, steps_ahead=1))
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/staff/$"))
    page.get_by_role("link", name="Team").click()
    expect(page.locator("main").get_by_text("two-factor on")).to_be_visible()
