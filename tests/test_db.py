"""The database file and the development server keep to themselves what others need not know."""

import http.client
import os
import stat
import threading

from werkzeug.serving import make_server

from kbbot import db
from kbbot.commands.operations import DevRequestHandler
from tests.helpers import make_app


def test_a_new_sqlite_database_is_readable_by_its_owner_only(tmp_path):
    old_umask = os.umask(0o022)  # the usual umask would leave a new file readable by everyone
    try:
        make_app(tmp_path)
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE((tmp_path / "kbbot.sqlite3").stat().st_mode) == 0o600
    existing = tmp_path / "kept" / "kbbot.sqlite3"
    existing.parent.mkdir()
    existing.touch(mode=0o640)
    os.chmod(existing, 0o640)
    db.make_engine(f"sqlite:///{existing}").dispose()
    assert stat.S_IMODE(existing.stat().st_mode) == 0o640  # an operator's choice is left alone


def test_sqlite_commits_in_wal_mode_without_waiting_for_the_disk(tmp_path):
    engine = db.make_engine(f"sqlite:///{tmp_path / 'kbbot.sqlite3'}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL (FULL is 2)
    engine.dispose()


def test_the_development_server_names_no_versions(tmp_path):
    server = make_server("127.0.0.1", 0, make_app(tmp_path), request_handler=DevRequestHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        connection = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=30)
        connection.request("GET", "/robots.txt")
        response = connection.getresponse()
        response.read()
        connection.close()
    finally:
        server.shutdown()
    assert response.status == 200 and response.getheader("Server") == "kbbot"
