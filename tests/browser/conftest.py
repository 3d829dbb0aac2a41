"""The browser harness: Debian's Chromium through Playwright, and live kbbot sites on loopback."""

import logging
import os
import shutil
import threading
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from kbbot.accounts import users
from kbbot.web.session import get_session
from tests.helpers import (
    SAMPLE_ARTICLES,
    SUPPORT_ARTICLES,
    build_support_app,
    free_port,
    make_app,
    sync_and_index,
    templates,
    write_article,
)

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


def build_live_site(directory, **settings):
    """The bundled sample help center plus one hostile article in `directory`, synced and indexed."""
    articles = directory / "articles"
    shutil.copytree(SAMPLE_ARTICLES, articles)
    fields = dict(HOSTILE_ARTICLE)
    write_article(articles, "privacy-and-security/pasting-html.md", fields.pop("body"), **fields)
    app = make_app(directory, **settings)
    sync_and_index(app, articles)
    return app


@pytest.fixture
def live_site_settings():
    """Settings of `live_site`'s app besides its own; a journey module may override this fixture."""
    return {}


@pytest.fixture
def live_site(tmp_path, live_site_settings):
    """The bundled sample help center plus one hostile article, served on loopback for the browser,
    with a plain host page on another port (another origin) that embeds the widget.

    Each journey has its own: a copy of the help center built once per process (database, index and
    articles with their settings file), its own ports, and an agent with an API token
    (`staff_token`), so no journey sees another's visitors, conversations or staff."""
    templates.copy(("live site",), build_live_site, tmp_path)
    port, host_port = free_port(), free_port()
    app = make_app(
        tmp_path,
        BUSINESS_HOURS="24/7",
        ALLOWED_ORIGINS=f"http://127.0.0.1:{host_port}",
        PUBLIC_URL=f"http://127.0.0.1:{port}",
        PRODUCT_NAME="Ledgerly Help Center",
        **live_site_settings,
    )
    with app.app_context():
        session = get_session()
        agent = users.create_user(session, "alex@ledgerly.example", ["agent"], name="Alex")
        token, _ = users.create_token(session, agent, "browser tests")
    embed = EMBED_PAGE.format(kbbot=f"http://127.0.0.1:{port}")
    pages = {"/": embed, "/articles-mode": embed.replace("async>", 'data-kbbot-mode="articles" async>')}
    with LiveServer(app, port) as server, HostPage(host_port, pages) as host:
        server.host_page = host
        server.staff_token = token
        yield server


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


@pytest.fixture
def sla_site(tmp_path):
    """A live kbbot with the small support help center, SLA targets (first reply 1 h, next 4 h, around the
    clock) and an agent who can sign in (sam@example.com, "correct horse battery")."""
    port = free_port()
    app = build_support_app(
        tmp_path,
        BUSINESS_HOURS="24/7",
        SLA_FIRST_REPLY="1h",
        SLA_NEXT_REPLY="4h",
        PUBLIC_URL=f"http://127.0.0.1:{port}",
    )
    with app.app_context():
        users.create_user(
            get_session(), "sam@example.com", ["agent"], password="correct horse battery", name="Sam"
        )
    with LiveServer(app, port) as server:
        yield server


@pytest.fixture
def mail_desk_site(mail_desk):
    """`mail_desk`'s help center (replies emailed, answers read from its Dovecot mailbox) served on
    loopback for the browser, with the desk as `desk`; its agent signs in as agent@example.com."""
    with LiveServer(mail_desk.app, free_port()) as server:
        server.desk = mail_desk
        yield server


@pytest.fixture
def staff_site(tmp_path):
    """A live kbbot with no articles under the shipped two-factor policy (admins must enrol), and an admin
    who has not enrolled yet (admin@example.com, "correct horse battery")."""
    port = free_port()
    app = make_app(
        tmp_path, REQUIRE_2FA="admin", PUBLIC_URL=f"http://127.0.0.1:{port}", PRODUCT_NAME="Ledgerly"
    )
    with app.app_context():
        users.create_user(get_session(), "admin@example.com", ["admin"], password="correct horse battery")
    with LiveServer(app, port) as server:
        yield server
