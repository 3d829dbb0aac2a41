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

from kbbot import create_app, db, users
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


SUPPORT_ARTICLES = {
    "account/reset-password.md": dict(
        title="Resetting your password",
        questions=["I forgot my password", "how do I change my password"],
        body="If you forgot your password you can reset it yourself.\n\n## On the website\n\n"
        "1. Go to the sign-in page and click **Forgot password?**\n2. Enter your email address.\n"
        "3. Open the email we send you and choose a new password. The link works for 60 minutes.\n",
    ),
    "account/mobile-app.md": dict(
        title="Using the mobile app",
        questions=["is there an iPhone or Android app"],
        body="Our mobile app runs on iOS and Android.\n\n## Reset your password in the mobile app\n\n"
        "On the sign-in screen of the app tap **Forgot password?**, enter your email address and follow "
        "the link in the email on your phone. You can then sign in to the app with the new password.\n",
    ),
    "billing/refunds.md": dict(
        title="Refund policy",
        questions=["can I get my money back"],
        body="You can ask for a refund within **14 days** of a payment. Refunds go back to the card you paid "
        "with and take 5 to 10 business days to appear on your statement.\n",
    ),
    "integrations/connect-stripe.md": dict(
        title="Connecting Stripe to accept card payments",
        questions=["how do I take card payments"],
        body="Connect Stripe so that your customers can pay invoices by card.\n\n## Connect your account\n\n"
        "1. Go to **Settings → Payments**.\n2. Click **Connect** next to Stripe.\n"
        "3. Sign in to Stripe and approve the connection.\n\n## Troubleshooting\n\n"
        "If the connection fails, check that your Stripe account is activated and try again.\n",
    ),
    "invoices/export.md": dict(
        title="Exporting invoices to CSV or Excel",
        body="Go to **Invoices**, filter the list, then click **Export** and pick CSV or Excel. "
        "The file includes every invoice in the current filter.\n",
    ),
    "billing/new-pricing.md": dict(
        title="Our new prices (not announced yet)", status="draft", body="Prices change next month.\n"
    ),
    "security/script.md": dict(
        title="Article with hostile markup",
        body="Hello <script>alert('x')</script> and <img src=x onerror=\"alert(1)\">\n\n"
        "[click me](javascript:alert(1)) and <a href=\"#\" onclick=\"alert(2)\">link</a>\n",
    ),
}


def build_support_app(tmp_path, **overrides):
    """An app with the small `SUPPORT_ARTICLES` help center, synced and indexed (seconds, not minutes)."""
    directory = tmp_path / "support-articles"
    for name, fields in SUPPORT_ARTICLES.items():
        fields = dict(fields)
        write_article(directory, name, fields.pop("body"), **fields)
    app = make_app(tmp_path, **overrides)
    with app.app_context():
        report = sync_directory(db.get_session(), directory, app.config["MAX_ARTICLE_BYTES"])
        assert not report.errors, report.errors
        get_engine().refresh(db.get_session())
    return app


@pytest.fixture
def support_app(tmp_path):
    return build_support_app(tmp_path, BUSINESS_HOURS="24/7")


@pytest.fixture
def client(support_app):
    return support_app.test_client()


@pytest.fixture
def agent_token(support_app):
    """An API token of an agent, for the staff API."""
    with support_app.app_context():
        session = db.get_session()
        agent = users.create_user(session, "agent@example.com", ["agent"], name="Alex Agent")
        token, _ = users.create_token(session, agent, "tests")
    return token


def staff_headers(token):
    return {"Authorization": f"Bearer {token}"}


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
