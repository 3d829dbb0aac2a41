"""Shared fixtures: every test owns its database and index directory.

The embedding model is read-only, so one loaded copy serves the whole run
(`kbbot.search.embedding.load_encoder` caches it per process).
"""

import logging
import os
import shutil
import socket
import threading
import uuid
from email import message_from_bytes
from email.policy import default
from pathlib import Path

import pytest
import yaml
from aiosmtpd.controller import Controller
from playwright.sync_api import sync_playwright
from sqlalchemy import create_engine, text
from werkzeug.serving import make_server

from kbbot import create_app
from kbbot.accounts import users
from kbbot.articles.sync import sync_directory
from kbbot.models import Message
from kbbot.support import conversations, decisions, replies
from kbbot.web.services import get_engine
from kbbot.web.session import get_session

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
        yield get_session()


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
        title="Pasting HTML into invoice notes",
        questions=["can I paste html code into an invoice note"],
        body="Invoice notes are plain text. If you paste HTML such as `<script>alert('kbbot-xss')</script>` or "
        "`<img src=x onerror=alert('kbbot-xss')>`, it is shown exactly as typed and never run.\n\n"
        "Hello <script>alert('kbbot-xss')</script> and <img src=x onerror=\"alert('kbbot-xss')\">\n\n"
        "[click me](javascript:alert('kbbot-xss')) and <a href=\"#\" onclick=\"alert('kbbot-xss')\">link</a>\n",
    ),
}


def build_support_app(tmp_path, articles=None, **overrides):
    """An app with a small help center (`SUPPORT_ARTICLES` unless `articles`), synced and indexed (seconds)."""
    directory = tmp_path / "support-articles"
    for name, fields in (articles or SUPPORT_ARTICLES).items():
        fields = dict(fields)
        write_article(directory, name, fields.pop("body"), **fields)
    app = make_app(tmp_path, **overrides)
    with app.app_context():
        report = sync_directory(get_session(), directory, app.config["MAX_ARTICLE_BYTES"])
        assert not report.errors, report.errors
        get_engine().refresh(get_session())
    return app


@pytest.fixture
def support_app(tmp_path):
    return build_support_app(tmp_path, BUSINESS_HOURS="24/7")


# Answers whose sections hold a table and relative links, as articles written in Markdown have.
TABLE_ARTICLES = {
    "billing/plans.md": dict(
        title="Plans and prices",
        questions=["how much does each plan cost"],
        body="Every plan includes unlimited invoices. This article lists the prices and how to change "
        "plans.\n\n"
        "## Prices\n\n| Plan | Monthly | Annual |\n|:---|---:|---:|\n| Starter | $12 | $120 |\n"
        "| Pro | $29 | $290 |\n| Business | $59 | $590 |\n\n"
        "Prices do not include VAT: see [VAT on your bill](vat-on-your-bill).\n\n"
        "## Change your plan\n\n1. Go to **Settings → Billing**.\n2. Click **Change plan** and pick one.\n\n"
        "## Plans for teams\n\nPro includes 3 users and Business 10; extra users cost $8 a month each.\n",
    ),
    "billing/vat-on-your-bill.md": dict(
        title="VAT on your bill",
        body="We add VAT to your bill when your billing country requires it. Businesses in the EU can enter "
        "a VAT number in **Settings → Billing** so that VAT is reverse-charged.\n",
    ),
}


@pytest.fixture
def table_app(tmp_path):
    """The small help center plus articles with tables and relative links."""
    return build_support_app(tmp_path, articles={**SUPPORT_ARTICLES, **TABLE_ARTICLES}, BUSINESS_HOURS="24/7")


def offer_choices(app, conversation_id, slug, title, sections):
    """Add the bot's "Which of these?" to a conversation, offering `sections` ((heading, anchor) pairs)
    of the article `slug` titled `title`, as the bot does when unsure which section answers (which
    a small help center rarely makes it); returns the choices."""
    choices = [
        {
            "slug": slug,
            "title": title,
            "section": heading,
            "anchor": anchor,
            "url": decisions.section_url(f"http://localhost/articles/{slug}?ref=bot", anchor),
            "probability": 0.4,
        }
        for heading, anchor in sections
    ]
    with app.app_context():
        session = get_session()
        session.add(
            Message(
                conversation=conversations.get(session, conversation_id),
                role="bot",
                text=replies.SECTION_CHOICES,
                action="suggest",
                confidence=0.9,
                section_confidence=0.4,
                sources=[],
                choices=choices,
            )
        )
        session.commit()
    return choices


@pytest.fixture
def client(support_app):
    return support_app.test_client()


# The public help center's pages: categories, a long article with sections, and drafts (one of them
# alone in its category, which must not show at all).
HELP_CENTER_ARTICLES = {
    "billing/refunds.md": dict(
        title="Refund policy",
        category="Billing and plans",
        body="You can get your money back for a subscription payment in some cases.\n\n"
        "## Annual plans\n\nA full refund within 14 days of an annual payment or renewal.\n\n"
        "## Monthly plans\n\nMonthly payments are not refunded; you keep access until the month ends.\n\n"
        "## How to ask for a refund\n\n### By email\n\nWrite to billing with your receipt number.\n\n"
        "### In the app\n\nOpen the chat and ask for a refund.\n",
    ),
    "billing/cancel.md": dict(
        title="Cancelling your subscription",
        category="Billing and plans",
        body="Cancel your paid plan at any time in Settings, Billing. Cancelling stops the next payment; "
        "payments already made are refunded only under the refund policy.\n",
    ),
    "billing/new-pricing.md": dict(
        title="Our new prices (not announced yet)",
        category="Billing and plans",
        status="draft",
        body="Soon.\n",
    ),
    "account/reset-password.md": dict(
        title="Resetting your password",
        category="Account and login",
        body="Click **Forgot password?** on the sign-in page and follow the link in the email.\n",
    ),
    "integrations/connect-stripe.md": dict(
        title="Connecting Stripe",
        category="Integrations",
        body="Connect Stripe in Settings, Payments so that clients can pay invoices by card.\n",
    ),
    "roadmap/secret-feature.md": dict(
        title="A feature nobody may know about", category="Roadmap", status="draft", body="Secret.\n"
    ),
}


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


def staff_headers(token):
    return {"Authorization": f"Bearer {token}"}


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
    with app.app_context():
        report = sync_directory(get_session(), SAMPLE_ARTICLES, app.config["MAX_ARTICLE_BYTES"])
        assert not report.errors, report.errors
        get_engine().refresh(get_session())
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


# -- real-browser journeys -------------------------------------------------------

ARTIFACTS = ROOT / "test-artifacts"
ASSETS = Path(__file__).parent / "assets"
CHROMIUM = os.environ.get("KBBOT_TEST_CHROMIUM", "/usr/bin/chromium")
# The flags keep Chromium off the network it cannot reach from here (updates, sync, field trials).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class LiveServer:
    """A WSGI app served on loopback from a thread, for the browser to visit."""

    def __init__(self, app, port):
        self.app = app
        self.url = f"http://127.0.0.1:{port}"
        self._server = make_server("127.0.0.1", port, app, threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self):
        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no access log in the test output
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._thread.join(timeout=10)


class HostPage:
    """Another origin: a plain site whose pages (`{path: html}`) embed the widget with the README's snippet."""

    def __init__(self, port, pages):
        self.url = f"http://127.0.0.1:{port}"
        self.origin = self.url

        def app(environ, start_response):
            html = pages.get(environ["PATH_INFO"])
            start_response(
                "200 OK" if html else "404 Not Found", [("Content-Type", "text/html; charset=utf-8")]
            )
            return [(html or "").encode()]

        self._live = LiveServer(app, port)

    def __enter__(self):
        self._live.__enter__()
        return self

    def __exit__(self, *exc):
        self._live.__exit__(*exc)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"no Chromium at {CHROMIUM}: install Debian's chromium package, set KBBOT_TEST_CHROMIUM, "
            'or leave the browser journeys out with -m "not browser"'
        )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    opened = context.new_page()
    dialogs = []
    opened.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    opened.dialogs = dialogs  # any alert() a payload manages to run lands here
    yield opened
    context.close()


HOSTILE_ARTICLE = dict(
    title="Pasting HTML into invoice notes",
    category="Privacy and security",
    questions=["can I paste html code into an invoice note"],
    body=SUPPORT_ARTICLES["security/script.md"]["body"],
)
EMBED_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Acme Store</title>
<style>body {{ font-family: Georgia, serif; margin: 3rem; }} div {{ display: none }} button {{ border: 5px solid red }}</style>
</head><body><main><h1>Acme Store</h1><p>A customer's own website on another origin.</p></main>
<script>
  window.kbbot = window.kbbot || function () {{ (window.kbbot.q = window.kbbot.q || []).push(arguments); }};
</script>
<script src="{kbbot}/widget.js" data-kbbot-greeting="Hi! How can we help?" async></script>
</body></html>"""


@pytest.fixture(scope="session")
def live_site(tmp_path_factory):
    """The bundled sample help center plus one hostile article, served on loopback for the browser,
    with a plain host page on another port (another origin) that embeds the widget."""
    tmp_path = tmp_path_factory.mktemp("live")
    directory = tmp_path / "articles"
    shutil.copytree(SAMPLE_ARTICLES, directory)
    fields = dict(HOSTILE_ARTICLE)
    write_article(directory, "privacy-and-security/pasting-html.md", fields.pop("body"), **fields)
    port, host_port = free_port(), free_port()
    app = make_app(
        tmp_path,
        BUSINESS_HOURS="24/7",
        ALLOWED_ORIGINS=f"http://127.0.0.1:{host_port}",
        PUBLIC_URL=f"http://127.0.0.1:{port}",
        PRODUCT_NAME="Ledgerly Help Center",
    )
    with app.app_context():
        report = sync_directory(get_session(), directory, app.config["MAX_ARTICLE_BYTES"])
        assert not report.errors, report.errors
        get_engine().refresh(get_session())
        session = get_session()
        agent = users.create_user(session, "alex@ledgerly.example", ["agent"], name="Alex")
        token, _ = users.create_token(session, agent, "browser tests")
    embed = EMBED_PAGE.format(kbbot=f"http://127.0.0.1:{port}")
    pages = {"/": embed, "/articles-mode": embed.replace("async>", 'data-kbbot-mode="articles" async>')}
    with LiveServer(app, port) as server, HostPage(host_port, pages) as host:
        server.host_page = host
        server.staff_token = token
        yield server


def screenshot(page, name):
    """Save the journey's final state for a reviewer: test-artifacts/screenshots/NAME.png."""
    path = ARTIFACTS / "screenshots" / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    return path


def axe_violations(page, impacts=("serious", "critical")):
    """Accessibility violations axe-core finds on the page (vendored in tests/assets)."""
    # Evaluated through the DevTools protocol, which the pages' Content-Security-Policy does not block.
    page.evaluate((ASSETS / "axe.min.js").read_text(encoding="utf-8"))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        (violation["id"], violation["impact"], [node["target"] for node in violation["nodes"]][:3])
        for violation in result["violations"]
        if violation["impact"] in impacts
    ]


@pytest.fixture
def editor_token(support_app):
    """An API token of an editor who can also sign in (editor@example.com, test_staff_auth.PASSWORD)."""
    with support_app.app_context():
        session = get_session()
        editor = users.create_user(
            session, "editor@example.com", ["editor"], password="correct horse battery", name="Eda Editor"
        )
        token, _ = users.create_token(session, editor, "tests")
    return token


@pytest.fixture
def editor_site(tmp_path):
    """A live kbbot with the small support help center and two editors who can sign in, for the browser."""
    port = free_port()
    app = build_support_app(tmp_path, BUSINESS_HOURS="24/7", PUBLIC_URL=f"http://127.0.0.1:{port}")
    with app.app_context():
        for email, name in (("eda@example.com", "Eda"), ("sam@example.com", "Sam")):
            users.create_user(get_session(), email, ["editor"], password="correct horse battery", name=name)
    with LiveServer(app, port) as server:
        yield server


class MailInbox:
    """An aiosmtpd handler standing in for the mail provider: what it received; it refuses the
    recipients in `refused` for good (550), as a provider does an address that does not exist."""

    def __init__(self, refused=()):
        self.messages = []
        self.refused = set(refused)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refused:
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content, policy=default)))
        return "250 OK"


def start_mail_server(port=None, refused=()):
    """(a `MailInbox`, the running aiosmtpd controller) on 127.0.0.1:`port`; the inbox's `url` is
    the KBBOT_SMTP_URL that reaches it."""
    inbox = MailInbox(refused)
    port = port or free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    inbox.url = f"smtp+plain://127.0.0.1:{port}"
    return inbox, controller


@pytest.fixture
def mail_server():
    """A local SMTP server (aiosmtpd) standing in for the mail provider: what it received, and its URL."""
    inbox, controller = start_mail_server()
    yield inbox
    controller.stop()
