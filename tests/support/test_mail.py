"""Agent replies by email through a real SMTP conversation (a local server stands in for the provider)."""

import logging
import time
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from kbbot import events
from kbbot.accounts import users
from kbbot.models import Event, OutboundEmail, utcnow
from kbbot.support import mail
from kbbot.web.services import mail_settings, stop_mail_retries
from kbbot.web.session import get_session
from tests.helpers import ask, build_support_app, free_port, request_handoff, staff_headers
from tests.support.smtp import start_mail_server

SENDER = "Ledgerly Support <support@ledgerly.example>"


def test_smtp_settings_are_read_from_a_url_and_never_show_the_password():
    settings = mail.settings_from_config(
        {"SMTP_URL": "smtp://bot:s%40cret@smtp.example.com", "MAIL_FROM": SENDER}
    )
    assert (settings.host, settings.port, settings.security) == ("smtp.example.com", 587, "starttls")
    assert (settings.username, settings.password) == ("bot", "s@cret")
    assert "s@cret" not in repr(settings)
    assert (
        mail.settings_from_config({"SMTP_URL": "smtps://mail.example.com", "MAIL_FROM": SENDER}).port == 465
    )
    assert mail.settings_from_config({"SMTP_URL": None, "MAIL_FROM": None}) is None
    with pytest.raises(ValueError, match="KBBOT_SMTP_URL") as refused:
        mail.settings_from_config({"SMTP_URL": "http://bot:s3cret@smtp.example.com", "MAIL_FROM": SENDER})
    assert "s3cret" not in str(refused.value)
    with pytest.raises(ValueError, match="KBBOT_MAIL_FROM"):
        mail.settings_from_config({"SMTP_URL": "smtp://smtp.example.com", "MAIL_FROM": "support"})


@pytest.fixture
def support_site(tmp_path):
    """Makes a support app that emails replies through an SMTP URL: (the app, an agent's API headers).
    Each app's retry thread is stopped afterwards."""
    apps = []

    def make(smtp_url):
        app = build_support_app(tmp_path, BUSINESS_HOURS="24/7", SMTP_URL=smtp_url, MAIL_FROM=SENDER)
        apps.append(app)
        with app.app_context():
            session = get_session()
            agent = users.create_user(session, "alex@example.com", ["agent"], name="Alex Agent")
            token, _ = users.create_token(session, agent, "tests")
        return app, staff_headers(token)

    yield make
    for app in apps:
        stop_mail_retries(app)


def handed_off(client):
    """(the conversation id, the handoff) of a customer who asked for a person."""
    first = ask(client, "talk to a human", page_url="https://shop.example/billing")
    return first["conversation_id"], request_handoff(client, first["conversation_id"]).get_json()


def event_types(app):
    with app.app_context():
        return [type_ for (type_,) in get_session().execute(select(Event.type).order_by(Event.id))]


def test_an_agent_reply_is_emailed_to_the_customer_in_one_thread(support_site, mail_server):
    app, headers = support_site(mail_server.url)
    client = app.test_client()
    availability = client.get("/api/v1/availability").get_json()
    assert availability["reply_channel"] == "email" and "by email" in availability["notice"]
    _, handoff = handed_off(client)
    for text in ("Hi Dana, I have refunded the second charge.", "It shows on your card in 5 days."):
        sent = client.post(
            f"/api/v1/staff/handoffs/{handoff['id']}/replies", json={"text": text}, headers=headers
        )
        assert sent.status_code == 201
    assert [recipients for recipients, _ in mail_server.messages] == [["dana@example.com"]] * 2
    first, second = (email for _, email in mail_server.messages)
    assert first["To"] == "Dana <dana@example.com>" and first["From"] == SENDER
    assert "I have refunded the second charge." in first.get_content()
    assert "Alex Agent" in first.get_content() and "https://shop.example/billing" in first.get_content()
    assert first["In-Reply-To"] == second["In-Reply-To"] and first["Message-ID"] != second["Message-ID"]
    assert event_types(app).count("reply_emailed") == 2


def reply(client, handoff, headers, text="Hi!"):
    sent = client.post(f"/api/v1/staff/handoffs/{handoff['id']}/replies", json={"text": text}, headers=headers)
    assert sent.status_code == 201
    return sent.get_json()


def queued(app):
    with app.app_context():
        return get_session().scalars(select(OutboundEmail)).one()


def retry_later(app, minutes):
    """`mail.deliver_due` as the retry thread runs it, `minutes` from now."""
    with app.app_context():
        session = get_session()
        outcome = mail.deliver_due(session, mail_settings(), due_by=utcnow() + timedelta(minutes=minutes))
        events.flush(session)
    return outcome


def test_a_mail_server_that_is_down_loses_no_email_it_goes_out_when_the_server_is_back(support_site, caplog):
    port = free_port()  # nothing listens there yet
    app, headers = support_site(f"smtp+plain://127.0.0.1:{port}")
    client = app.test_client()
    conversation_id, handoff = handed_off(client)
    with caplog.at_level(logging.WARNING, logger="kbbot.support.mail"):
        reply(client, handoff, headers, "I have refunded the second charge.")
    transcript = client.get(f"/api/v1/conversations/{conversation_id}").get_json()["messages"]
    assert transcript[-1]["text"] == "I have refunded the second charge."
    assert "could not be emailed (ConnectionRefusedError); trying again in 0:01:00" in caplog.text
    assert "dana@example.com" not in caplog.text and "refunded" not in caplog.text
    email = queued(app)
    assert (email.status, email.attempts, email.last_error) == ("pending", 1, "ConnectionRefusedError")
    first_message_id = email.email_message_id  # chosen at the first try
    assert retry_later(app, minutes=0) == {}  # not due yet: the next try is a minute away

    inbox, server = start_mail_server(port)
    try:
        assert retry_later(app, minutes=2) == {"sent": 1}
        assert retry_later(app, minutes=60) == {}  # sent once, never again
    finally:
        server.stop()
    [(recipients, sent)] = inbox.messages
    assert recipients == ["dana@example.com"] and "I have refunded the second charge." in sent.get_content()
    assert sent["Message-ID"] == first_message_id  # the one an answer will refer to
    assert (queued(app).status, queued(app).attempts) == ("sent", 2)
    assert event_types(app).count("reply_emailed") == 1 and "reply_email_failed" not in event_types(app)
    context = client.get(f"/api/v1/staff/handoffs/{handoff['id']}", headers=headers).get_json()
    assert context["transcript"][-1]["email"]["status"] == "sent"


def test_kbbot_mail_tries_the_queued_emails_from_the_command_line(support_site):
    port = free_port()
    app, headers = support_site(f"smtp+plain://127.0.0.1:{port}")
    client = app.test_client()
    _, handoff = handed_off(client)
    reply(client, handoff, headers)  # nothing listens: queued, next try in a minute
    runner = app.test_cli_runner()
    inbox, server = start_mail_server(port)
    try:
        not_due = runner.invoke(args=["mail"])
        assert not_due.exit_code == 0 and "0 sent" in not_due.output and "1 waiting in all" in not_due.output
        every = runner.invoke(args=["mail", "--all"])
        assert every.exit_code == 0 and "1 sent" in every.output and "0 waiting in all" in every.output
    finally:
        server.stop()
    assert len(inbox.messages) == 1


def test_kbbot_mail_without_a_mail_server_says_what_to_set(runner):
    result = runner.invoke(args=["mail"])
    assert result.exit_code != 0 and "KBBOT_SMTP_URL" in result.output


def test_after_every_retry_fails_kbbot_gives_up_and_says_so_once(support_site):
    app, headers = support_site(f"smtp+plain://127.0.0.1:{free_port()}")
    client = app.test_client()
    _, handoff = handed_off(client)
    reply(client, handoff, headers)
    waited = 0
    for delay in mail.RETRY_DELAYS:
        assert queued(app).status == "pending"
        waited += delay.total_seconds() / 60 + 1
        retry_later(app, minutes=waited)
    email = queued(app)
    assert (email.status, email.attempts) == ("failed", len(mail.RETRY_DELAYS) + 1)
    assert retry_later(app, minutes=waited + 10_000) == {}
    assert event_types(app).count("reply_email_failed") == 1
    context = client.get(f"/api/v1/staff/handoffs/{handoff['id']}", headers=headers).get_json()
    assert context["transcript"][-1]["email"] == {
        "status": "failed",
        "attempts": 7,
        "sent_at": None,
        "next_attempt_at": None,
    }


def test_an_address_the_mail_server_refuses_for_good_is_not_tried_again(support_site):
    inbox, server = start_mail_server(refused={"dana@example.com"})
    try:
        app, headers = support_site(inbox.url)
        client = app.test_client()
        _, handoff = handed_off(client)
        reply(client, handoff, headers)
        email = queued(app)
        assert (email.status, email.attempts, email.last_error) == ("failed", 1, "SMTPRecipientsRefused 550")
        assert "reply_email_failed" in event_types(app) and inbox.messages == []
    finally:
        server.stop()


def test_each_serving_process_retries_queued_emails_in_the_background(support_site):
    port = free_port()
    app, headers = support_site(f"smtp+plain://127.0.0.1:{port}")
    client = app.test_client()
    _, handoff = handed_off(client)  # the first request starts the process's retry thread
    worker = app.extensions["kbbot.mail_retries"]
    assert worker.is_alive() and worker.interval == mail.RETRY_INTERVAL_SECONDS
    stop_mail_retries(app)
    reply(client, handoff, headers)  # fails: nothing listens; a new thread starts with this request
    stop_mail_retries(app)
    with app.app_context():
        session = get_session()
        session.execute(update(OutboundEmail).values(next_attempt_at=utcnow()))  # due now
        session.commit()
    inbox, server = start_mail_server(port)
    fast = mail.RetryWorker(app.extensions["kbbot.sessionmaker"], app.extensions["kbbot.mail"], interval=0.05)
    fast.start()
    try:
        for _ in range(100):
            if inbox.messages:
                break
            time.sleep(0.05)
    finally:
        fast.stop()
        server.stop()
    assert len(inbox.messages) == 1 and queued(app).status == "sent"
    assert "reply_emailed" in event_types(app)


def test_without_a_mail_server_the_form_promises_a_reply_in_the_chat_only(client):
    availability = client.get("/api/v1/availability").get_json()
    assert availability["reply_channel"] == "chat"
    assert "email" not in availability["notice"] and "come back to this page" in availability["notice"]
