"""Concurrent requests on SQLite: writers take turns without a "database is locked" reaching anyone.

SQLite has one write lock per database file. kbbot runs it in WAL mode, so readers and the writer
never wait for each other, and keeps each write transaction short, so writers waiting for the lock
(busy timeout `db.SQLITE_BUSY_TIMEOUT_MS`) get it in time. bench/faults.py measures the same under
gunicorn with several worker processes.
"""

import sqlite3
import threading

from sqlalchemy import func, select, text

from kbbot.models import Conversation, Feedback, Message, Revision
from kbbot.web.services import get_engine
from kbbot.web.session import get_session
from tests.helpers import ask, staff_headers


def database_file(app):
    return app.config["DATABASE_URL"].removeprefix("sqlite:///")


def write_lock_is_free(database):
    """Whether another process could start writing to `database` right now, without waiting."""
    connection = sqlite3.connect(database, timeout=0, isolation_level=None)
    try:
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:  # "database is locked": someone holds the write lock
        return False
    finally:
        connection.close()


def test_sqlite_databases_use_write_ahead_logging(support_app):
    with support_app.app_context():
        assert get_session().execute(text("PRAGMA journal_mode")).scalar_one() == "wal"


def test_no_write_lock_is_held_while_the_bot_works_out_an_answer(support_app, client, monkeypatch):
    """The cause of the HTTP 500s under load (issue 20): a chat turn wrote the customer's message, then
    asked the model, holding SQLite's write lock all the while; with 8 clients on 2 cores an answer
    took longer than the busy timeout, and other workers' writes failed with "database is locked"."""
    with support_app.app_context():
        encoder = get_engine().encoder
    encode, probes = encoder.encode, []

    def encode_and_probe(texts, **options):
        probes.append(write_lock_is_free(database_file(support_app)))
        return encode(texts, **options)

    monkeypatch.setattr(encoder, "encode", encode_and_probe)
    first = ask(client, "I forgot my password")  # a new conversation
    ask(client, "and on mobile?", conversation_id=first["conversation_id"])  # a follow-up: two model calls
    assert probes and all(probes)
    with support_app.app_context():
        assert get_session().scalar(select(func.count(Message.id))) == 4


def test_a_long_read_holds_up_no_writer(support_app, client):
    """A report reading for a long time (a read transaction left open here) lets chat turns commit."""
    reader = sqlite3.connect(database_file(support_app), isolation_level=None)
    try:
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM articles").fetchone()  # holds a read snapshot until the end
        response = client.post("/api/v1/chat", json={"message": "can I get my money back"})
        assert response.status_code == 200
    finally:
        reader.close()


def test_eight_concurrent_writers_lose_nothing(support_app, editor_token):
    """Chat turns, votes and article edits from 8 threads at once: every request succeeds and every row
    is there."""
    turns_each, editors = 3, 2
    with support_app.app_context():
        articles = [
            (a["id"], a["revision"])
            for a in support_app.test_client()
            .get("/api/v1/staff/articles", headers=staff_headers(editor_token))
            .get_json()["articles"][:editors]
        ]
    failures = []

    def chat_and_vote(number):
        # Each writer is a customer of their own: one address running many engine calls at once is
        # held back (429) on purpose, by the abuse limits.
        client = support_app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"192.0.2.{number + 1}"
        for turn in range(turns_each):
            response = client.post(
                "/api/v1/chat", json={"message": f"can I get my money back? ({number}.{turn})"}
            )
            if response.status_code != 200:
                failures.append(response.status_code)
                continue
            vote = client.post(
                "/api/v1/feedback", json={"message_id": response.get_json()["message_id"], "helpful": True}
            )
            if vote.status_code >= 300:
                failures.append(vote.status_code)

    def edit(article_id, revision):
        client = support_app.test_client()
        for turn in range(turns_each):
            current = client.get(f"/api/v1/staff/articles/{article_id}", headers=staff_headers(editor_token))
            fields = current.get_json()
            response = client.put(
                f"/api/v1/staff/articles/{article_id}",
                json={
                    "title": fields["title"],
                    "body": f"{fields['body']}\n\nEdit {turn}.",
                    "base_revision": fields["revision"],
                },
                headers=staff_headers(editor_token),
            )
            if response.status_code != 200:
                failures.append(response.status_code)

    threads = [threading.Thread(target=chat_and_vote, args=(n,)) for n in range(8 - editors)]
    threads += [threading.Thread(target=edit, args=article) for article in articles]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    with support_app.app_context():
        session = get_session()
        chatting = 8 - editors
        assert session.scalar(select(func.count(Conversation.id))) == chatting * turns_each
        assert session.scalar(select(func.count(Message.id))) == 2 * chatting * turns_each
        assert session.scalar(select(func.count(Feedback.id))) == chatting * turns_each
        for article_id, revision in articles:
            numbers = session.scalars(select(Revision.number).where(Revision.article_id == article_id)).all()
            assert max(numbers) == revision + turns_each
