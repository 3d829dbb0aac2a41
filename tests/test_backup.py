"""`kbbot backup DIR` and `kbbot restore DIR`: a live instance round-trips, answers and all."""

import os

import pytest
from sqlalchemy import create_engine, func, select, text

from kbbot.models import Conversation, Message
from kbbot.web.session import get_session
from tests.helpers import ask, build_support_app, make_app

QUESTIONS = ["I forgot my password", "can I get my money back", "how do I take card payments"]


def answered(reply):
    """What a customer is told, without the ids of this conversation."""
    return {key: reply[key] for key in ("action", "answer", "confidence", "section", "sources", "choices")}


def transcripts(app):
    with app.app_context():
        session = get_session()
        return session.execute(select(Message.role, Message.text).order_by(Message.id)).all()


def test_a_live_instance_backed_up_and_restored_gives_the_same_answers(tmp_path):
    live = build_support_app(tmp_path / "live", BUSINESS_HOURS="24/7")
    client = live.test_client()
    before = [answered(ask(client, question)) for question in QUESTIONS]
    # The app is serving: its connections are open and its last writes may sit in SQLite's WAL.
    made = live.test_cli_runner().invoke(args=["backup", str(tmp_path / "backup")])
    assert made.exit_code == 0, made.output
    ask(client, "is there an iPhone or Android app")  # after the backup: not in it
    kept = transcripts(live)[: 2 * len(QUESTIONS)]

    restored = make_app(tmp_path / "restored", BUSINESS_HOURS="24/7")  # a new, empty instance
    done = restored.test_cli_runner().invoke(args=["restore", "--yes", str(tmp_path / "backup")])
    assert done.exit_code == 0, done.output
    assert (tmp_path / "restored" / "index" / "manifest.json").is_file()  # the index came along

    again = make_app(tmp_path / "restored", BUSINESS_HOURS="24/7")  # started on the restored files
    assert transcripts(again) == kept
    client = again.test_client()
    assert [answered(ask(client, question)) for question in QUESTIONS] == before
    with again.app_context():
        assert get_session().scalar(select(func.count(Conversation.id))) == 2 * len(QUESTIONS)


def test_a_damaged_backup_is_refused_and_changes_nothing(tmp_path):
    live = build_support_app(tmp_path / "live")
    ask(live.test_client(), "can I get my money back")
    assert live.test_cli_runner().invoke(args=["backup", str(tmp_path / "backup")]).exit_code == 0
    with open(tmp_path / "backup" / "kbbot.sqlite3", "r+b") as database:
        database.seek(200)
        database.write(b"\xff" * 16)

    other = build_support_app(tmp_path / "other")
    done = other.test_cli_runner().invoke(args=["restore", "--yes", str(tmp_path / "backup")])
    assert done.exit_code == 1
    assert "kbbot.sqlite3 is missing or not as backed up" in done.output
    assert transcripts(other) == []


def test_backing_up_into_a_directory_with_files_is_refused(tmp_path):
    live = build_support_app(tmp_path / "live")
    (tmp_path / "backup").mkdir()
    (tmp_path / "backup" / "notes.txt").write_text("mine")
    done = live.test_cli_runner().invoke(args=["backup", str(tmp_path / "backup")])
    assert done.exit_code == 1 and "is not empty" in done.output


@pytest.fixture
def second_postgres_url(postgres_url):
    """Another fresh PostgreSQL database beside `postgres_url`, dropped afterwards."""
    server = os.environ["KBBOT_TEST_POSTGRES_URL"]
    name = postgres_url.rsplit("/", 1)[1] + "_restored"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield server.rsplit("/", 1)[0] + f"/{name}"
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_a_postgresql_instance_round_trips_through_pg_dump(tmp_path, postgres_url, second_postgres_url):
    live = build_support_app(tmp_path / "live", DATABASE_URL=postgres_url, BUSINESS_HOURS="24/7")
    before = [answered(ask(live.test_client(), question)) for question in QUESTIONS]
    made = live.test_cli_runner().invoke(args=["backup", str(tmp_path / "backup")])
    assert made.exit_code == 0, made.output

    restored = make_app(tmp_path / "restored", DATABASE_URL=second_postgres_url, BUSINESS_HOURS="24/7")
    done = restored.test_cli_runner().invoke(args=["restore", "--yes", str(tmp_path / "backup")])
    assert done.exit_code == 0, done.output
    again = make_app(tmp_path / "restored", DATABASE_URL=second_postgres_url, BUSINESS_HOURS="24/7")
    assert transcripts(again) == transcripts(live)
    assert [answered(ask(again.test_client(), question)) for question in QUESTIONS] == before
