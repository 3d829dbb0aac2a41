"""Customers' answers by email, end to end: an agent's reply goes out through a real SMTP server, the
answer comes back through a real IMAP server (Dovecot), and `kbbot mail fetch` adds it."""

import fcntl
import time
from email.message import EmailMessage

from sqlalchemy import select

from kbbot.models import Event, InboundEmail
from kbbot.support import mail_parsing, mailbox, reply_address
from kbbot.web.services import mailbox_lock_path, start_mail_fetcher, stop_mail_fetcher
from kbbot.web.session import get_session

ANSWER = "Thanks, the refund arrived."


def inbound(app):
    """Every recorded mail: [(status, reason)], oldest first."""
    with app.app_context():
        found = get_session().scalars(select(InboundEmail).order_by(InboundEmail.id)).all()
        return [(email.status, email.reason) for email in found]


def test_an_answer_to_an_agent_reply_comes_back_into_the_conversation(mail_desk):
    conversation_id, handoff_id = mail_desk.handoff()
    reply = mail_desk.agent_reply(handoff_id)
    assert reply["Reply-To"].startswith("support+c") and reply["Reply-To"].endswith("@ledgerly.example")
    assert "reply to this email" in reply.get_content()
    resolved = mail_desk.client.post(
        f"/api/v1/staff/handoffs/{handoff_id}/resolve", json={"reason": "answered"}, headers=mail_desk.headers
    )
    assert resolved.status_code == 200
    mail_desk.mailbox.deliver(mail_desk.customer_answer(reply, f"{ANSWER}\n\n-- \nDana Smith\nACME"))

    assert "1 attached, 0 in triage, 0 ignored" in mail_desk.fetch()
    assert mail_desk.mailbox.unseen() == 0
    last = mail_desk.transcript(conversation_id)[-1]
    assert (last["role"], last["text"]) == ("customer", ANSWER)
    state = mail_desk.handoff_state(handoff_id)
    assert state["handoff"]["status"] == "assigned"  # reopened, back to its agent
    assert state["transcript"][-1]["text"] == ANSWER  # what the console polls
    with mail_desk.app.app_context():
        types = get_session().scalars(select(Event.type).order_by(Event.id)).all()
    assert types[-2:] == ["email_received", "handoff_reopened"]


def test_a_mail_read_twice_is_added_once(mail_desk):
    conversation_id, handoff_id = mail_desk.handoff()
    answer = mail_desk.customer_answer(mail_desk.agent_reply(handoff_id))
    mail_desk.mailbox.deliver(answer)
    assert "1 attached" in mail_desk.fetch()
    assert "0 attached" in mail_desk.fetch()  # nothing unread
    mail_desk.mailbox.deliver(answer)  # the same mail again, unread (a crash before \Seen, another copy)
    assert "0 attached, 0 in triage, 0 ignored (auto-replies, bounces), 1 read before" in mail_desk.fetch()
    assert [m["text"] for m in mail_desk.transcript(conversation_id)].count(ANSWER) == 1


def test_an_answer_is_matched_by_its_references_without_the_token(mail_desk):
    conversation_id, handoff_id = mail_desk.handoff()
    answer = mail_desk.customer_answer(mail_desk.agent_reply(handoff_id), To="support@ledgerly.example")
    mail_desk.mailbox.deliver(answer)
    assert "1 attached" in mail_desk.fetch()
    assert mail_desk.transcript(conversation_id)[-1]["text"] == ANSWER


def test_a_token_that_fails_its_signature_sends_the_mail_to_triage(mail_desk):
    conversation_id, handoff_id = mail_desk.handoff()
    reply = mail_desk.agent_reply(handoff_id)
    signature = reply["Reply-To"].split("-")[1].split("@")[0]
    forged = f"support+c999-{signature}@ledgerly.example"  # its signature on another conversation
    answer = mail_desk.customer_answer(reply, To=forged)
    del answer["In-Reply-To"], answer["References"]
    mail_desk.mailbox.deliver(answer)
    assert "0 attached, 1 in triage" in mail_desk.fetch()
    assert inbound(mail_desk.app) == [("triage", "the reply address's token failed its check")]
    assert mail_desk.transcript(conversation_id)[-1]["role"] == "agent"
    assert mail_desk.mailbox.unseen() == 0  # recorded: read, never lost


def test_an_answer_from_another_address_waits_for_an_agent(mail_desk):
    conversation_id, handoff_id = mail_desk.handoff()
    reply = mail_desk.agent_reply(handoff_id)
    mail_desk.mailbox.deliver(mail_desk.customer_answer(reply, sender="Mallory <mallory@example.net>"))
    assert "1 in triage" in mail_desk.fetch()
    assert inbound(mail_desk.app) == [
        ("triage", "sent from mallory@example.net, not the customer's dana@example.com")
    ]
    assert mail_desk.transcript(conversation_id)[-1]["role"] == "agent"


def test_mail_that_matches_nothing_goes_to_triage(mail_desk):
    stray = EmailMessage()
    stray["From"] = "someone@example.org"
    stray["To"] = "support@ledgerly.example"
    stray["Subject"] = "Question about pricing"
    stray.set_content("Hello, how much is the Pro plan?")
    mail_desk.mailbox.deliver(stray)
    assert "0 attached, 1 in triage" in mail_desk.fetch()
    assert inbound(mail_desk.app) == [("triage", "matches no conversation")]


def test_auto_replies_and_bounces_are_kept_but_never_added(mail_desk):
    conversation_id, handoff_id = mail_desk.handoff()
    reply = mail_desk.agent_reply(handoff_id)
    mail_desk.mailbox.deliver(
        mail_desk.customer_answer(
            reply,
            "I am out of the office until Monday.",
            Auto_Submitted="auto-replied",
            Subject="Out of office",
        )
    )
    bounce = mail_desk.customer_answer(reply, "Delivery failed.", sender="MAILER-DAEMON@mx.example.com")
    mail_desk.mailbox.deliver(bounce)
    mail_desk.mailbox.deliver(mail_desk.customer_answer(reply, "Back soon.", Subject="Automatic reply: away"))
    assert "0 attached, 1 in triage, 2 ignored" in mail_desk.fetch()
    assert inbound(mail_desk.app) == [
        ("ignored", "an automatic reply (Auto-Submitted: auto-replied)"),
        ("ignored", "a bounce (sent by MAILER-DAEMON)"),
        ("triage", "its subject looks like an automatic reply"),
    ]
    assert mail_desk.transcript(conversation_id)[-1]["role"] == "agent"


def test_a_mail_too_large_is_kept_in_triage_with_its_headers(mail_desk):
    conversation_id, handoff_id = mail_desk.handoff()
    answer = mail_desk.customer_answer(mail_desk.agent_reply(handoff_id))
    answer.add_attachment(b"x" * 200_000, maintype="application", subtype="octet-stream", filename="big.bin")
    mail_desk.mailbox.deliver(answer)
    with mail_desk.app.app_context():
        outcomes = mailbox.fetch(
            get_session(),
            mailbox.settings_from_config(mail_desk.app.config),
            reply_address.from_config(mail_desk.app.config),
            max_bytes=100_000,
        )
    assert outcomes == {"triage": 1}
    [(status, reason)] = inbound(mail_desk.app)
    assert status == "triage" and reason.startswith("too large to read")
    with mail_desk.app.app_context():
        kept = get_session().scalars(select(InboundEmail)).one()
        assert kept.sender == "dana@example.com" and kept.size > 200_000 and kept.conversation_id is None


def test_a_mail_that_breaks_the_reader_is_kept_and_the_others_go_on(mail_desk, monkeypatch):
    conversation_id, handoff_id = mail_desk.handoff()
    reply = mail_desk.agent_reply(handoff_id)
    parse = mail_parsing.parse

    def parse_with_a_bug(raw):  # stands in for a bug the parser may have on some mail
        if b"TRIGGER" in raw:
            raise RuntimeError("a bug")
        return parse(raw)

    monkeypatch.setattr(mail_parsing, "parse", parse_with_a_bug)
    mail_desk.mailbox.deliver(mail_desk.customer_answer(reply, "TRIGGER"))
    mail_desk.mailbox.deliver(mail_desk.customer_answer(reply))
    assert "1 attached, 1 in triage" in mail_desk.fetch()
    assert inbound(mail_desk.app) == [
        ("triage", "could not be read (RuntimeError)"),
        ("attached", "answers the conversation"),
    ]
    assert mail_desk.mailbox.unseen() == 0


def test_an_unreachable_mailbox_is_an_error_that_never_shows_the_password(tmp_path, mail_desk):
    app = mail_desk.app
    app.extensions["kbbot.mailbox"] = mailbox.settings_from_config(
        {"IMAP_URL": mail_desk.mailbox.url.replace("imap-secret", "wrong-secret")}
    )
    result = app.test_cli_runner().invoke(args=["mail", "fetch"])
    assert result.exit_code != 0 and "could not be read" in result.output
    assert "wrong-secret" not in result.output


def test_one_process_reads_the_mailbox_at_a_time(mail_desk):
    _, handoff_id = mail_desk.handoff()
    mail_desk.mailbox.deliver(mail_desk.customer_answer(mail_desk.agent_reply(handoff_id)))
    lock_path = mailbox_lock_path(mail_desk.app)
    with open(lock_path, "a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # another process reading it
        assert "Another process is reading the mailbox now" in mail_desk.fetch()
    assert mail_desk.mailbox.unseen() == 1
    assert "1 attached" in mail_desk.fetch()


def test_each_serving_process_reads_the_mailbox_in_the_background(mail_desk):
    conversation_id, handoff_id = mail_desk.handoff()
    assert "kbbot.mail_fetcher" not in mail_desk.app.extensions  # not under TESTING unless asked
    mail_desk.mailbox.deliver(mail_desk.customer_answer(mail_desk.agent_reply(handoff_id)))
    start_mail_fetcher(mail_desk.app)
    worker = mail_desk.app.extensions["kbbot.mail_fetcher"]
    assert worker.is_alive() and worker.interval == mailbox.FETCH_INTERVAL_SECONDS
    stop_mail_fetcher(mail_desk.app)
    fast = mailbox.FetchWorker(
        mail_desk.app.extensions["kbbot.sessionmaker"],
        mail_desk.app.extensions["kbbot.mailbox"],
        mail_desk.app.extensions["kbbot.reply_addresses"],
        mailbox_lock_path(mail_desk.app),
        interval=0.05,
    )
    fast.start()
    try:
        for _ in range(200):
            if mail_desk.transcript(conversation_id)[-1]["role"] == "customer":
                break
            time.sleep(0.05)
    finally:
        fast.stop()
    assert mail_desk.transcript(conversation_id)[-1]["text"] == ANSWER
