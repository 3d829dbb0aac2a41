"""Mail needing triage (/staff/mail/): agents read the emails kbbot did not attach, attach or discard them."""

import re
from email.message import EmailMessage

from sqlalchemy import select

from kbbot.accounts import users
from kbbot.models import InboundEmail
from kbbot.web.session import get_session
from tests.helpers import PASSWORD, csrf_token, sign_in

HOSTILE = "<script>alert('kbbot-xss')</script><img src=x onerror=alert(1)>"


def stray_mail(sender="dana@example.com", subject="About my refund", body=f"Is it done? {HOSTILE}"):
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = "support@ledgerly.example"
    mail["Subject"] = subject
    mail.set_content(body)
    return mail


def signed_in_agent(mail_desk):
    browser = mail_desk.app.test_client()
    assert sign_in(browser).status_code == 302
    return browser


def only_email_id(app):
    with app.app_context():
        return get_session().scalars(select(InboundEmail.id)).one()


def test_unmatched_mail_is_listed_and_shown_escaped(mail_desk):
    mail_desk.mailbox.deliver(stray_mail(subject=f"Refund {HOSTILE}"))
    assert "1 in triage" in mail_desk.fetch()
    browser = signed_in_agent(mail_desk)
    listing = browser.get("/staff/mail/").get_data(as_text=True)
    assert "matches no conversation" in listing and "Needs triage" in listing
    assert "<script>alert" not in listing and "&lt;script&gt;" in listing
    page = browser.get(f"/staff/mail/{only_email_id(mail_desk.app)}").get_data(as_text=True)
    assert "Is it done?" in page and "<script>alert" not in page and "onerror=alert(1)>" not in page


def test_an_agent_attaches_a_mail_to_the_customers_handoff(mail_desk):
    conversation_id, handoff_id = mail_desk.handoff()
    mail_desk.mailbox.deliver(stray_mail(body="Is the refund done?\n\nBest regards,\nDana"))
    mail_desk.fetch()
    email_id = only_email_id(mail_desk.app)
    browser = signed_in_agent(mail_desk)
    page = browser.get(f"/staff/mail/{email_id}").get_data(as_text=True)
    assert f"Attach to handoff #{handoff_id}" in page  # the handoffs its sender left their address with
    token = csrf_token(browser, f"/staff/mail/{email_id}")
    attached = browser.post(
        f"/staff/mail/{email_id}/attach", data={"handoff_id": handoff_id, "csrf_token": token}
    )
    assert attached.status_code == 302 and attached.location.endswith(f"/staff/handoffs/{handoff_id}")
    last = mail_desk.transcript(conversation_id)[-1]
    assert (last["role"], last["text"]) == ("customer", "Is the refund done?")
    assert "No email is waiting." in browser.get("/staff/mail/").get_data(as_text=True)
    again = browser.post(
        f"/staff/mail/{email_id}/attach", data={"handoff_id": handoff_id, "csrf_token": token}
    )
    assert again.status_code == 302
    assert [m["text"] for m in mail_desk.transcript(conversation_id)].count("Is the refund done?") == 1


def test_an_agent_discards_a_mail(mail_desk):
    mail_desk.mailbox.deliver(stray_mail(sender="newsletter@example.org"))
    mail_desk.fetch()
    email_id = only_email_id(mail_desk.app)
    browser = signed_in_agent(mail_desk)
    token = csrf_token(browser, f"/staff/mail/{email_id}")
    assert browser.post(f"/staff/mail/{email_id}/discard", data={"csrf_token": token}).status_code == 302
    assert "No email is waiting." in browser.get("/staff/mail/").get_data(as_text=True)
    with mail_desk.app.app_context():
        assert get_session().get(InboundEmail, email_id).status == "discarded"  # kept


def test_bad_requests_get_a_page_not_an_error(mail_desk):
    mail_desk.mailbox.deliver(stray_mail())
    mail_desk.fetch()
    email_id = only_email_id(mail_desk.app)
    browser = signed_in_agent(mail_desk)
    token = csrf_token(browser, f"/staff/mail/{email_id}")
    for handoff_id in ("", "abc", "0", "99999999999", "999"):
        response = browser.post(
            f"/staff/mail/{email_id}/attach", data={"handoff_id": handoff_id, "csrf_token": token}
        )
        assert response.status_code in (302, 422), handoff_id
    assert browser.post(f"/staff/mail/{email_id}/discard").status_code == 400  # no CSRF token
    assert browser.get("/staff/mail/999").status_code == 404
    assert browser.get("/staff/mail/x").status_code == 404


def test_only_signed_in_agents_see_the_mail(mail_desk):
    mail_desk.mailbox.deliver(stray_mail())
    mail_desk.fetch()
    anonymous = mail_desk.app.test_client()
    assert anonymous.get("/staff/mail/").status_code == 302  # to sign in
    with mail_desk.app.app_context():
        users.create_user(get_session(), "editor@example.com", ["editor"], password=PASSWORD)
    editor = mail_desk.app.test_client()
    assert sign_in(editor, email="editor@example.com").status_code == 302
    assert editor.get("/staff/mail/").status_code == 403
    page = signed_in_agent(mail_desk).get("/staff/").get_data(as_text=True)
    assert re.search(r'href="/staff/mail/"', page)
