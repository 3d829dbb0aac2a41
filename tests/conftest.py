"""Shared fixtures: every test owns its database and index directory.

The embedding model is read-only, so one loaded copy serves the whole run
(`kbbot.search.embedding.load_encoder` caches it per process). Helpers that
tests import live in tests/helpers.py; the browser harness in
tests/browser/conftest.py; the SMTP harness in tests/support/smtp.py, the IMAP one (Dovecot) in
tests/support/imap.py.
"""

import os
import uuid

import pytest
from sqlalchemy import create_engine, text

from kbbot.accounts import users
from kbbot.web.session import get_session
from tests.helpers import (
    HELP_CENTER_ARTICLES,
    SAMPLE_ARTICLES,
    SUPPORT_ARTICLES,
    TABLE_ARTICLES,
    MailDesk,
    build_support_app,
    make_app,
    sync_and_index,
)

pytest_plugins = ["tests.support.smtp", "tests.support.imap"]


def pytest_configure(config):
    """Under pytest-xdist, each worker gets its share of the cores for the model and FAISS: their
    thread pools default to every core, and two workers' pools fighting over two cores run the
    model several times slower (OpenMP threads spin while they wait)."""
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    if workers > 1:
        import faiss
        import torch

        threads = max(1, (os.cpu_count() or 1) // workers)
        torch.set_num_threads(threads)
        faiss.omp_set_num_threads(threads)


@pytest.fixture
def app(tmp_path):
    yield make_app(tmp_path)


@pytest.fixture
def session(app):
    with app.app_context():
        yield get_session()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def support_app(tmp_path):
    return build_support_app(tmp_path, BUSINESS_HOURS="24/7")


@pytest.fixture
def sla_app(tmp_path):
    """The support app with SLA targets: a first reply within 1 h, a next reply within 4 h (around the clock)."""
    return build_support_app(tmp_path, BUSINESS_HOURS="24/7", SLA_FIRST_REPLY="1h", SLA_NEXT_REPLY="4h")


@pytest.fixture
def table_app(tmp_path):
    """The small help center plus articles with tables and relative links."""
    return build_support_app(tmp_path, articles={**SUPPORT_ARTICLES, **TABLE_ARTICLES}, BUSINESS_HOURS="24/7")


@pytest.fixture
def client(support_app):
    return support_app.test_client()


@pytest.fixture
def mail_desk(tmp_path, mail_server, mailbox):
    """A help center that emails agents' replies with reply addresses through a local SMTP server and
    reads the answers from a Dovecot mailbox of its own (`MailDesk`); agent@example.com signs in with
    PASSWORD. Its background threads are stopped afterwards."""
    desk = MailDesk.build(tmp_path, mail_server, mailbox)
    yield desk
    desk.close()


@pytest.fixture
def help_center_app(tmp_path):
    return build_support_app(tmp_path, articles=HELP_CENTER_ARTICLES)


@pytest.fixture
def agent_token(support_app):
    """An API token of an agent, for the staff API."""
    with support_app.app_context():
        session = get_session()
        agent = users.create_user(session, "agent@example.com", ["agent"], name="Alex Agent")
        token, _ = users.create_token(session, agent, "tests")
    return token


@pytest.fixture
def editor_token(support_app):
    """An API token of an editor who can also sign in (editor@example.com, helpers.PASSWORD)."""
    with support_app.app_context():
        session = get_session()
        editor = users.create_user(
            session, "editor@example.com", ["editor"], password="correct horse battery", name="Eda Editor"
        )
        token, _ = users.create_token(session, editor, "tests")
    return token


@pytest.fixture
def threads_restored():
    """PyTorch, whose threads (and FAISS's) a test may change: both are given back afterwards."""
    import faiss
    import torch

    torch_threads, faiss_threads = torch.get_num_threads(), faiss.omp_get_max_threads()
    yield torch
    torch.set_num_threads(torch_threads)
    faiss.omp_set_num_threads(faiss_threads)


@pytest.fixture
def articles_dir(tmp_path):
    directory = tmp_path / "articles"
    directory.mkdir()
    return directory


@pytest.fixture(scope="session")
def sample_app(tmp_path_factory):
    """An app holding the bundled sample help center, synced and indexed, under its own settings
    (articles/kbbot.toml: Ledgerly, its support address and hours). Its articles are never changed;
    searches and chats add events and conversations, which no test of it counts."""
    tmp_path = tmp_path_factory.mktemp("sample")
    app = make_app(tmp_path, ARTICLES_DIR=SAMPLE_ARTICLES)
    sync_and_index(app, SAMPLE_ARTICLES)
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
