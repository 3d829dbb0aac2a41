"""Agent replies by email through a real SMTP conversation (a local server stands in for the provider)."""

import logging

import pytest
from conftest import build_support_app, free_port, staff_headers
from sqlalchemy import select
from test_chat_api import ask
from test_handoffs import request_handoff

from kbbot import db, mail, users
from kbbot.models import Event

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


def support_site(tmp_path, smtp_url):
    """A support app that emails replies through `smtp_url`, and an agent's API headers."""
    app = build_support_app(tmp_path, BUSINESS_HOURS="24/7", SMTP_URL=smtp_url, MAIL_FROM=SENDER)
    with app.app_context():
        session = db.get_session()
        agent = users.create_user(session, "alex@example.com", ["agent"], name="Alex Agent")
        token, _ = users.create_token(session, agent, "tests")
    return app, staff_headers(token)


def handed_off(client):
    """(the conversation id, the handoff) of a customer who asked for a person."""
    first = ask(client, "talk to a human", page_url="https://shop.example/billing")
    return first["conversation_id"], request_handoff(client, first["conversation_id"]).get_json()


def event_types(app):
    with app.app_context():
        return [type_ for (type_,) in db.get_session().execute(select(Event.type).order_by(Event.id))]


def test_an_agent_reply_is_emailed_to_the_customer_in_one_thread(tmp_path, mail_server):
    app, headers = support_site(tmp_path, mail_server.url)
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


def test_a_mail_server_that_is_down_loses_no_reply_and_is_logged_without_the_address(tmp_path, caplog):
    app, headers = support_site(tmp_path, f"smtp+plain://127.0.0.1:{free_port()}")  # nothing listens
    client = app.test_client()
    conversation_id, handoff = handed_off(client)
    with caplog.at_level(logging.ERROR, logger="kbbot.mail"):
        sent = client.post(
            f"/api/v1/staff/handoffs/{handoff['id']}/replies", json={"text": "Hi!"}, headers=headers
        )
    assert sent.status_code == 201
    transcript = client.get(f"/api/v1/conversations/{conversation_id}").get_json()["messages"]
    assert transcript[-1]["text"] == "Hi!"
    assert "could not be emailed" in caplog.text and "dana@example.com" not in caplog.text
    assert "reply_email_failed" in event_types(app)


def test_without_a_mail_server_the_form_promises_a_reply_in_the_chat_only(client):
    availability = client.get("/api/v1/availability").get_json()
    assert availability["reply_channel"] == "chat"
    assert "email" not in availability["notice"] and "come back to this page" in availability["notice"]
