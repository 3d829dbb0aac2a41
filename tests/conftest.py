"""Shared fixtures: every test owns its database and index directory.

The embedding model is read-only, so one loaded copy serves the whole run
(`kbbot.embedding.load_encoder` caches it per process).
"""

import os
import uuid
from pathlib import Path

import pytest
import yaml
from sqlalchemy import create_engine, text

from kbbot import create_app, db
from kbbot.services import get_engine
from kbbot.sync import sync_directory

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_ARTICLES = ROOT / "articles"
SAMPLE_QUESTIONS = Path(__file__).parent / "data" / "sample_questions.jsonl"


def write_article(directory, name, body="", **front_matter):
    """Write `name` (e.g. "billing/refunds.md") under `directory` with YAML front matter."""
    path = Path(directory) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    header = yaml.safe_dump(front_matter, sort_keys=False, allow_unicode=True) if front_matter else ""
    path.write_text(f"---\n{header}---\n{body}", encoding="utf-8")
    return path


def make_app(tmp_path, **overrides):
    settings = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'kbbot.sqlite3'}",
        "INDEX_DIR": tmp_path / "index",
        "ARTICLES_DIR": tmp_path / "articles",
        "INSTANCE_PATH": tmp_path / "instance",
        "SECRET_KEY": "test-secret",
        "SYNC_ON_FIRST_START": False,
        "TESTING": True,
    }
    settings.update(overrides)
    return create_app(settings)


@pytest.fixture
def app(tmp_path):
    yield make_app(tmp_path)


@pytest.fixture
def session(app):
    with app.app_context():
        yield db.get_session()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def articles_dir(tmp_path):
    directory = tmp_path / "articles"
    directory.mkdir()
    return directory


@pytest.fixture(scope="session")
def sample_app(tmp_path_factory):
    """An app holding the bundled sample help center, synced and indexed (read-only use)."""
    tmp_path = tmp_path_factory.mktemp("sample")
    app = make_app(tmp_path, ARTICLES_DIR=SAMPLE_ARTICLES)
    with app.app_context():
        report = sync_directory(db.get_session(), SAMPLE_ARTICLES, app.config["MAX_ARTICLE_BYTES"])
        assert not report.errors, report.errors
        get_engine().refresh(db.get_session())
    return app


@pytest.fixture
def postgres_url(request):
    """A fresh PostgreSQL database for one test, dropped afterwards.

    Needs KBBOT_TEST_POSTGRES_URL (a server URL whose user may create
    databases, e.g. postgresql+psycopg://postgres@127.0.0.1/postgres).
    """
    server = os.environ.get("KBBOT_TEST_POSTGRES_URL")
    if not server:
        pytest.skip("KBBOT_TEST_POSTGRES_URL is not set")
    name = f"kbbot_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = server.rsplit("/", 1)[0] + f"/{name}"
    yield url
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()
