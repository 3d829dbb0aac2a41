"""The event log: written after the answer, and a failed write is reported, never breaking the answer."""

import logging

from sqlalchemy import text

from kbbot.web.session import get_session
from tests.helpers import ask, event_types


def test_a_failed_event_write_is_reported_and_the_answer_still_arrives(support_app, client, caplog):
    with support_app.app_context():
        session = get_session()
        session.execute(text("ALTER TABLE events RENAME TO events_unavailable"))
        session.commit()
    with caplog.at_level(logging.ERROR, logger="kbbot.events"):
        reply = ask(client, "how do I export invoices")
    assert reply["action"] == "answer"
    assert "event log write failed, 2 event(s) not recorded (bot_decision, chat_question)" in caplog.text
    assert "export" not in caplog.text  # no customer text in the logs
    assert client.get("/healthz").get_json()["event_log_failures"] == 2
    with support_app.app_context():
        session = get_session()
        session.execute(text("ALTER TABLE events_unavailable RENAME TO events"))
        session.commit()
    ask(client, "can I get a refund")
    assert event_types(support_app) == ["chat_question", "bot_decision"]
