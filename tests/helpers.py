"""What tests share besides fixtures: apps on temporary storage, small help centers, factories of
history, and the requests many tests make. Fixtures live in conftest.py; no test module imports
another or conftest."""

import hashlib
import json
import re
import shutil
import socket
import tempfile
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from html import unescape
from pathlib import Path

import jsonschema
import numpy as np
import pyotp
import yaml
from sqlalchemy import select

from kbbot import create_app, reports
from kbbot.accounts import users
from kbbot.articles.sync import sync_directory
from kbbot.models import (
    Article,
    Conversation,
    Event,
    Feedback,
    Handoff,
    Message,
    OutcomeFacts,
    ReplyTarget,
    SurveyResponse,
)
from kbbot.reports import full_records
from kbbot.search import onnx_encoder
from kbbot.search.embedding import default_model_path, load_encoder
from kbbot.support import conversations, decisions, replies
from kbbot.web.services import get_engine, stop_mail_fetcher, stop_mail_retries
from kbbot.web.session import get_session

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_ARTICLES = ROOT / "articles"
SAMPLE_QUESTIONS = Path(__file__).parent / "data" / "sample_questions.jsonl"


# -- apps on temporary storage ---------------------------------------------------


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
        # Tests sign admins in with a password alone; the tests of two-factor sign-in turn it on.
        "REQUIRE_2FA": "off",
    }
    settings.update(overrides)
    return create_app(settings)


def sync_and_index(app, directory):
    """Import the articles in `directory` into the app's database and index them (seconds)."""
    with app.app_context():
        report = sync_directory(get_session(), directory, app.config["MAX_ARTICLE_BYTES"])
        assert not report.errors, report.errors
        get_engine().refresh(get_session())
    return report


class AppTemplates:
    """Apps built once per process (per xdist worker) and copied for each test.

    A template is a directory as `make_app` lays it out: the SQLite file, the index directory and the
    articles it was synced from. A copy is faithful: the database's content generation is the one
    the index was saved with, so the copy's engine loads the index and embeds nothing again.
    """

    COPIED = ("kbbot.sqlite3", "index", "articles", "support-articles")

    def __init__(self):
        self._root = None
        self._built = {}  # key -> template directory

    def copy(self, key, build, tmp_path):
        """Copy the template `key` (built by `build(directory)` on first use) into `tmp_path`."""
        template = self._built.get(key)
        if template is None:
            if self._root is None:
                # Removed when the process exits (the object's finalizer).
                self._root = tempfile.TemporaryDirectory(prefix="kbbot-test-templates-")
            template = Path(self._root.name) / f"template-{len(self._built)}"
            app = build(template)
            app.extensions["kbbot.engine"].dispose()  # every change is committed; no connection stays open
            self._built[key] = template
        Path(tmp_path).mkdir(parents=True, exist_ok=True)
        for name in self.COPIED:
            source = template / name
            if source.is_dir():
                shutil.copytree(source, Path(tmp_path) / name, dirs_exist_ok=True)
            elif source.exists():
                shutil.copy2(source, Path(tmp_path) / name)


templates = AppTemplates()


_exported_onnx = None  # a temporary directory holding the packaged model's ONNX export


def with_onnx_file(cache_dir):
    """Put the packaged model's exported ONNX file in `cache_dir` (an app's instance `models/`, or an
    encoder's cache), as a start after the first finds it: exported once per test process (with the
    PyTorch backend's model), copied after."""
    global _exported_onnx
    if _exported_onnx is None:
        exported = tempfile.TemporaryDirectory(prefix="kbbot-test-onnx-")
        model = load_encoder(backend="torch", device="cpu").load
        onnx_encoder.onnx_file(model, default_model_path(), Path(exported.name))
        _exported_onnx = exported
    shutil.copytree(_exported_onnx.name, cache_dir, dirs_exist_ok=True)
    return Path(cache_dir)


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

# Settings that change what is stored (where, or how it is cut and embedded): an app with any of them
# is built in place rather than copied from a template.
STORAGE_SETTINGS = frozenset({"DATABASE_URL", "INDEX_DIR", "EMBEDDING_MODEL", "MAX_ARTICLE_BYTES"})


def build_support_app(tmp_path, articles=None, **overrides):
    """An app with a small help center (`SUPPORT_ARTICLES` unless `articles`), synced and indexed, its
    articles in `tmp_path / "support-articles"`.

    The help center is built once per process and copied into `tmp_path` (its SQLite file, index
    directory and articles); `overrides` apply to the app on the copy. An app with another database or
    index (`STORAGE_SETTINGS`), or in a `tmp_path` that already holds an app's database, is built in
    place as it always was (seconds).
    """
    articles = articles or SUPPORT_ARTICLES

    def build(directory, **settings):
        source = directory / "support-articles"
        for name, fields in articles.items():
            fields = dict(fields)
            write_article(source, name, fields.pop("body"), **fields)
        app = make_app(directory, **settings)
        sync_and_index(app, source)
        return app

    if STORAGE_SETTINGS & overrides.keys() or (tmp_path / "kbbot.sqlite3").exists():
        return build(tmp_path, **overrides)
    templates.copy(("support", json.dumps(articles, sort_keys=True)), build, tmp_path)
    return make_app(tmp_path, **overrides)


def build_sample_app(tmp_path, **overrides):
    """An app holding its own copy of the sample help center, synced and indexed from
    `tmp_path / "articles"`, for tests that edit it (the `sample_app` fixture's is never changed).
    Built once per process and copied (`templates`)."""

    def build(directory):
        shutil.copytree(SAMPLE_ARTICLES, directory / "articles")
        app = make_app(directory)
        sync_and_index(app, directory / "articles")
        return app

    templates.copy(("sample",), build, tmp_path)
    return make_app(tmp_path, **overrides)


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


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# -- requests many tests make ----------------------------------------------------


def ask(client, message, **fields):
    """Ask the chat API; the reply's JSON."""
    response = client.post("/api/v1/chat", json={"message": message, **fields})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def event_types(app):
    with app.app_context():
        events = get_session().execute(select(Event).order_by(Event.id)).scalars()
        return [event.type for event in events]


def request_handoff(client, conversation_id, **fields):
    body = {"email": "dana@example.com", "name": "Dana", "message": "Please help", **fields}
    return client.post(f"/api/v1/conversations/{conversation_id}/handoff", json=body)


def hand_off(customer, question="I was charged twice and want my money back", **fields):
    """The customer asks `question` in the chat, then for a person; returns (handoff id, conversation id)."""
    conversation_id = ask(customer, question, page_url="https://shop.example/billing", locale="en-GB")[
        "conversation_id"
    ]
    created = request_handoff(customer, conversation_id, **fields)
    assert created.status_code == 201
    return created.get_json()["id"], conversation_id


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


def text_of(response):
    """A page's text, tags stripped and whitespace collapsed, for phrases split across elements."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).split())


def staff_headers(token):
    return {"Authorization": f"Bearer {token}"}


PASSWORD = "correct horse battery"  # of the staff members tests create to sign in


def csrf_token(client, path="/staff/login"):
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get(path).get_data(as_text=True))[1]


def sign_in(client, email="agent@example.com", password=PASSWORD, **params):
    data = {"email": email, "password": password, "csrf_token": csrf_token(client)}
    return client.post("/staff/login", data=data, query_string=params)


def signed_in(app, email, role, name):
    """The browser of a new staff user with `role`, signed in."""
    with app.app_context():
        users.create_user(get_session(), email, [role], password=PASSWORD, name=name)
    browser = app.test_client()
    assert sign_in(browser, email=email).status_code == 302
    return browser


def totp_code(secret, steps_ahead=0):
    """The code an authenticator app shows for `secret` now, or `steps_ahead` 30-second steps later (a code
    is accepted once: a second sign-in within a step needs the next step's code, which is accepted too)."""
    return pyotp.TOTP(secret).at(datetime.now(UTC) + timedelta(seconds=30 * steps_ahead))


def openapi(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def check(document, path, method, response):
    """Validate a real response against what the document says for its status."""
    spec = document["paths"][path][method]["responses"][str(response.status_code)]
    media = next(iter(spec["content"]))
    assert response.content_type.startswith(media)
    schema = {**spec["content"][media]["schema"], "components": document["components"]}
    jsonschema.validate(response.get_json(), schema, cls=jsonschema.Draft202012Validator)


# -- history for the reports -----------------------------------------------------

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)
SETTINGS = reports.ReportSettings(
    deflection_window=timedelta(hours=24), repeat_window=timedelta(days=7), topic_similarity=0.6
)


def at(day, hour, minute=0):
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


def add_conversation(session, visitor, started, turns=(), handoff=None):
    """Seed a conversation: per turn, the customer's question and a minute later the bot's reply.

    A turn is (text, action, article, helpful[, offer_reason]): action None means
    no bot reply; helpful None means no vote on the reply. Turns are two minutes apart.
    """
    conversation = Conversation(
        public_id=uuid.uuid4().hex, visitor_id=visitor, started_at=started, last_message_at=started
    )
    session.add(conversation)
    session.flush()
    moment = started
    for text, action, article, helpful, *offer_reason in turns:
        question = Message(conversation_id=conversation.id, role="customer", text=text, created_at=moment)
        session.add(question)
        session.flush()
        conversation.last_message_at = moment
        if action is not None:
            reply = Message(
                conversation_id=conversation.id,
                role="bot",
                text="(reply)",
                created_at=moment + MINUTE,
                in_reply_to_id=question.id,
                action=action,
                confidence=0.5,
                article_id=article.id if article else None,
                handoff_offered=bool(offer_reason),
                offer_reason=offer_reason[0] if offer_reason else None,
            )
            session.add(reply)
            session.flush()
            conversation.last_message_at = moment + MINUTE
            if helpful is not None:
                session.add(Feedback(visitor_id=visitor, message_id=reply.id, helpful=helpful))
        moment += 2 * MINUTE
    if handoff is not None:
        session.add(Handoff(conversation_id=conversation.id, email=f"{visitor}@example.com", **handoff))
    session.flush()
    return conversation


def seed_history(session):
    refunds, invoices, passwords = (
        Article(slug=slug, title=slug, content_hash=slug) for slug in ("refunds", "invoices", "passwords")
    )
    session.add_all([refunds, invoices, passwords])
    session.flush()

    def add(visitor, started, turns=(), handoff=None, surveys=()):
        conversation = add_conversation(session, visitor, started, turns, handoff)
        for kind, value in surveys:
            value_field = {"choice": value} if kind == "ces" else {"score": value}
            session.add(
                SurveyResponse(conversation_id=conversation.id, kind=kind, created_at=started, **value_field)
            )
        return conversation

    # Counted (started 2026-03-01..10 with a customer message):
    # C1 confirmed: a helpful answer. C6 (same visitor and article, 3 days later) is a repeat contact.
    add(
        "v1",
        at(2, 10),
        [("How do I get a refund?", "answer", refunds, True)],
        surveys=[("csat", 5), ("nps", 10)],
    )
    # C2 assumed: two answers, no votes, v2 never asks about invoices again.
    add(
        "v2",
        at(2, 11),
        [
            ("export invoices to csv", "answer", invoices, None),
            ("Export invoices to CSV.", "answer", invoices, None),
        ],
        surveys=[("ces", "easy")],
    )
    # C3 abandoned: an unhelpful answer. (C11, v3's next refund conversation, 7 days 14 h later: no repeat.)
    add(
        "v3",
        at(3, 9),
        [("how do i get a refund", "answer", refunds, False)],
        surveys=[("csat", 2), ("nps", 3), ("ces", "difficult")],
    )
    # C4 handed off at the customer's request after a suggestion; first reply after 30 minutes; resolved.
    # Asking for a person is no content gap.
    c4 = add(
        "v4",
        at(3, 12),
        [
            ("can I get my money back?", "suggest", refunds, None),
            ("let me talk to a person", "handoff", refunds, None, "customer_request"),
        ],
        handoff={
            "reason": "customer_request",
            "status": "resolved",
            "resolution_reason": "answered",
            "created_at": at(3, 12, 5),
            "first_reply_at": at(3, 12, 35),
            "resolved_at": at(3, 13),
        },
        surveys=[("csat", 4), ("nps", 9), ("ces", "easy")],
    )
    session.add(
        Message(conversation_id=c4.id, role="bot", text="A person will reply soon.", created_at=at(3, 12, 6))
    )
    # C5 handed off after an unhelpful (wrong) answer; first reply after 1 hour; the article was missing.
    add(
        "v5",
        at(4, 8),
        [("how do I connect hubspot", "answer", invoices, False)],
        handoff={
            "reason": "negative_feedback",
            "status": "resolved",
            "resolution_reason": "article_missing",
            "created_at": at(4, 8, 1),
            "first_reply_at": at(4, 9, 1),
            "resolved_at": at(4, 10),
        },
        surveys=[("csat", 4)],
    )
    # C6 assumed: v1 again, an answer on refunds, no votes, no return.
    add("v1", at(5, 10), [("refund please", "answer", refunds, None)], surveys=[("nps", 7)])
    # C7 abandoned: answered on passwords, but v2 asks about passwords again at 20:00 (C8), within 24 h.
    # C8 follows it on the same article: a repeat contact.
    add("v2", at(6, 9), [("how do I reset my password", "answer", passwords, None)])
    # C8 abandoned: only a suggestion.
    add("v2", at(6, 20), [("i forgot my password", "suggest", passwords, None)])
    # C11 abandoned: v3 asks about refunds again the next morning in C12 (after the period, still counts),
    # which is also a repeat contact.
    add("v3", at(10, 23, 30), [("how do i get a refund!", "answer", refunds, None)])
    # C13 handed off (low confidence), open, no agent reply yet; a customer message the bot did not answer.
    add(
        "v8",
        at(8, 14),
        [("do you accept paypal", "handoff", None, None), ("hello?", None, None, None)],
        handoff={"reason": "low_confidence", "status": "open", "created_at": at(8, 14, 1)},
    )
    # C14 abandoned: a suggestion, voted helpful; votes on suggestions are not answer feedback.
    add("v9", at(9, 10), [("Can I get my money back", "suggest", refunds, True)])
    # C15 abandoned: the bot offered a handoff, the visitor did not take it.
    add("v10", at(9, 11), [("hubspot integration?", "handoff", None, None, "low_confidence")])

    # Not counted: C9 without a customer message, C10 before the period, C12 after it.
    add("v6", at(7, 10))
    add("v3", at(1, 0) - MINUTE, [("refunds", "answer", refunds, True)], surveys=[("csat", 1)])
    add("v3", at(11, 8), [("Refund?", "answer", refunds, True)], surveys=[("nps", 0)])
    # A vote on an article, not on a bot answer.
    session.add(Feedback(visitor_id="v1", article_id=refunds.id, helpful=False))

    # Help-center sessions: v1 two (a 30-minute gap stays in one, 31 minutes starts another), v2 one, v20 two.
    events = [
        ("article_view", "v1", at(2, 9)),
        ("search", "v1", at(2, 9, 10)),
        ("article_view", "v1", at(2, 9, 40)),
        ("article_view", "v1", at(2, 10, 11)),
        ("search", "v2", at(4, 12)),
        ("article_view", "v20", at(5, 15)),
        ("article_view", "v20", at(6, 15)),
        ("article_view", None, at(5, 15)),  # no visitor: no session
        ("chat_question", "v2", at(4, 11)),  # not a help-center event
        ("article_view", "v1", at(1, 0) - MINUTE),  # before the period
        ("search", "v1", at(11, 0)),  # the period ends at 2026-03-11 00:00
    ]
    session.add_all(
        Event(type=type_, visitor_id=visitor, occurred_at=moment) for type_, visitor, moment in events
    )
    session.commit()


class CountingEncoder:
    """Random L2-normalized vectors, a fixed one per text; remembers what it was asked to embed."""

    def __init__(self, dimension=8):
        self.dimension, self.calls = dimension, []

    def __call__(self, texts):
        self.calls.append(list(texts))
        return np.stack([self.vector(text) for text in texts]) if texts else np.zeros((0, self.dimension))

    def vector(self, text):
        seed = int(hashlib.sha256(text.encode()).hexdigest()[:8], 16)
        vector = np.random.default_rng(seed).normal(size=self.dimension).astype(np.float32)
        return vector / np.linalg.norm(vector)


def seed_agent_history(session):
    """Two agents' work on four handoffs in 2026-03-01..10; returns {name: user id}.

    Alex answers H1 first (30 min, target met) and resolves it; Bo answers H2 first (1 h, target breached),
    then Alex takes it over, replies and resolves it; H3 is Bo's, resolved without a reply after its due
    time (a breach); H4 waits unassigned. CSAT: H1 4, H2 2, H3 5.
    """
    alex = users.create_user(session, "alex@example.com", ["agent"], name="Alex Agent")
    bo = users.create_user(session, "bo@example.com", ["agent"], name="")  # shown by email

    def handoff(day, replies, assignee, status, csat=None, targets=()):
        created = at(day, 10, 1)
        first_reply = created + replies[0][1] if replies else None
        conversation = add_conversation(
            session,
            f"agents-{day}",
            at(day, 10),
            [("talk to a human", "handoff", None, None, "customer_request")],
            handoff={
                "reason": "customer_request",
                "status": status,
                "created_at": created,
                "first_reply_at": first_reply,
                "assignee_id": assignee.id if assignee else None,
            },
        )
        session.add_all(
            Message(
                conversation_id=conversation.id,
                role="agent",
                text="(agent)",
                author_id=agent.id,
                created_at=created + after,
            )
            for agent, after in replies
        )
        if csat is not None:
            session.add(SurveyResponse(conversation_id=conversation.id, kind="csat", score=csat))
        session.flush()
        handoff_id = session.scalar(select(Handoff.id).where(Handoff.conversation_id == conversation.id))
        session.add_all(
            ReplyTarget(
                handoff_id=handoff_id,
                awaited="first_reply",
                waiting_since=created,
                due_at=created + 45 * MINUTE,
                ended_at=created + ended,
                agent_id=agent.id if agent else None,
                met=ended <= 45 * MINUTE,
            )
            for agent, ended in targets
        )

    handoff(3, [(alex, 30 * MINUTE)], alex, "resolved", 4, [(alex, 30 * MINUTE)])
    handoff(4, [(bo, 60 * MINUTE), (alex, 90 * MINUTE)], alex, "resolved", 2, [(bo, 60 * MINUTE)])
    handoff(5, [], bo, "resolved", 5, [(None, 120 * MINUTE)])
    handoff(6, [], None, "open")
    session.commit()
    return {"Alex Agent": alex.id, "bo@example.com": bo.id}


# -- a server that goes away -----------------------------------------------------


def make_overdue(app, handoff_id, minutes):
    """Move the handoff's wait back in time so that its reply was due `minutes` ago."""
    with app.app_context():
        session = get_session()
        handoff = session.get(Handoff, handoff_id)
        shift = handoff.reply_due_at - datetime.now(UTC) + timedelta(minutes=minutes)
        handoff.waiting_since -= shift
        handoff.reply_due_at -= shift
        session.commit()


class MailDesk:
    """A help center that emails agents' replies with reply addresses (to a local SMTP server) and reads
    customers' answers from a real IMAP mailbox (Dovecot): the `mail_desk` fixture."""

    SENDER = "Ledgerly Support <support@ledgerly.example>"
    REPLY_TO = "support+{token}@ledgerly.example"

    def __init__(self, app, headers, smtp_inbox, mailbox):
        self.app, self.headers, self.smtp_inbox, self.mailbox = app, headers, smtp_inbox, mailbox
        self.client = app.test_client()

    @classmethod
    def build(cls, tmp_path, smtp_inbox, mailbox, **overrides):
        """The help center (`build_support_app` with `overrides`) with its agent, agent@example.com, who
        signs in with PASSWORD and calls the staff API with `headers`; `close` it afterwards."""
        app = build_support_app(
            tmp_path,
            BUSINESS_HOURS="24/7",
            SMTP_URL=smtp_inbox.url,
            MAIL_FROM=cls.SENDER,
            MAIL_REPLY_TO=cls.REPLY_TO,
            IMAP_URL=mailbox.url,
            **overrides,
        )
        with app.app_context():
            session = get_session()
            agent = users.create_user(
                session, "agent@example.com", ["agent"], password=PASSWORD, name="Alex Agent"
            )
            token, _ = users.create_token(session, agent, "tests")
        return cls(app, staff_headers(token), smtp_inbox, mailbox)

    def close(self):
        """Stop the app's background threads (mail retries, mail fetching)."""
        stop_mail_retries(self.app)
        stop_mail_fetcher(self.app)

    def handoff(self, email="dana@example.com"):
        """(the conversation id, the handoff's id) of a customer who asked for a person."""
        first = ask(self.client, "talk to a human", page_url="https://shop.example/billing")
        handoff = request_handoff(self.client, first["conversation_id"], email=email).get_json()
        return first["conversation_id"], handoff["id"]

    def agent_reply(self, handoff_id, text="Hi Dana, I have refunded the second charge."):
        """The email of an agent's reply (as the SMTP server received it)."""
        sent = self.client.post(
            f"/api/v1/staff/handoffs/{handoff_id}/replies", json={"text": text}, headers=self.headers
        )
        assert sent.status_code == 201, sent.get_json()
        return self.smtp_inbox.messages[-1][1]

    def customer_answer(
        self, reply, body="Thanks, the refund arrived.", sender="Dana <dana@example.com>", **headers
    ):
        """The customer's answer to agent email `reply`, as their mail program writes it: to its Reply-To,
        referring to it, quoting it."""
        answer = EmailMessage()
        answer["From"] = sender
        answer["To"] = reply["Reply-To"]
        answer["Subject"] = f"Re: {reply['Subject']}"
        answer["Message-ID"] = make_msgid(domain="mail.example.com")
        answer["In-Reply-To"] = reply["Message-ID"]
        answer["References"] = f"{reply['In-Reply-To']} {reply['Message-ID']}"
        for name, value in headers.items():  # Auto_Submitted= sets Auto-Submitted
            del answer[name.replace("_", "-")]
            answer[name.replace("_", "-")] = value
        quoted = "\n".join(f"> {line}" for line in reply.get_content().splitlines())
        answer.set_content(f"{body}\n\nOn Mon, 5 Jan 2026 at 10:00, {reply['From']} wrote:\n{quoted}\n")
        return answer

    def fetch(self):
        """`kbbot mail fetch`'s output (it must succeed)."""
        result = self.app.test_cli_runner().invoke(args=["mail", "fetch"])
        assert result.exit_code == 0, result.output
        return result.output

    def transcript(self, conversation_id):
        return self.client.get(f"/api/v1/conversations/{conversation_id}").get_json()["messages"]

    def handoff_state(self, handoff_id):
        return self.client.get(f"/api/v1/staff/handoffs/{handoff_id}", headers=self.headers).get_json()


def stored_outcome_facts(session):
    """{conversation id: (customer messages, facts)} of every conversation, as the database holds them."""
    rows = session.execute(
        select(OutcomeFacts.conversation_id, OutcomeFacts.customer_messages, OutcomeFacts.facts)
    )
    return {conversation_id: (messages, facts) for conversation_id, messages, facts in rows}


def outcome_facts_from_messages(session):
    """The same, worked out now from each conversation's full record by the report definitions."""
    ids = session.scalars(select(Conversation.id)).all()
    return {
        record.id: reports.facts.stored(reports.conversation_facts(record))
        for record in full_records.conversation_records(session, ids)
    }


def reports_from_facts_and_from_messages(app, session):
    """`reports.build_report` of yesterday and today as dicts, (read from the stored outcome facts,
    judged from the conversations' full records, every message): the two must be equal."""
    settings = reports.ReportSettings.from_config(app.config)
    today = datetime.now(UTC).date()
    since, until = reports.days(today - timedelta(days=1), today)
    encode = get_engine().encoder.encode
    from_facts = reports.build_report(session, since, until, settings, encode)
    records = reports.read_records(session, since, until, settings)
    everyone = full_records.conversation_records(session, [c.id for c in records.conversations])
    whole = replace(records, conversations=everyone)
    return from_facts.as_dict(), reports.summarize_records(whole, since, until, settings, encode).as_dict()


PLAN_SECTIONS = (("Prices", "section-prices"), ("Change your plan", "section-change-your-plan"))


def vote(client, reply, helpful):
    response = client.post("/api/v1/feedback", json={"message_id": reply["message_id"], "helpful": helpful})
    assert response.status_code == 201


def pick_a_plan_section(app, client, conversation_id, anchor):
    """The bot offers the plans article's sections; the customer picks the one at `anchor`."""
    offer_choices(app, conversation_id, "plans", "Plans and prices", PLAN_SECTIONS)
    return ask(client, "", conversation_id=conversation_id, choice={"slug": "plans", "anchor": anchor})


def chat_varied_conversations(app):
    """Varied conversations through the chat API and the staff API, on an app with `TABLE_ARTICLES`:
    thanks, a return with the same question, "it still fails", votes, a handoff resolved as a missing
    article, picks kept and failed, a content gap, small talk, a person asked for. Returns the
    staff API's headers."""
    with app.app_context():
        session = get_session()
        agent = users.create_user(session, "agent@example.com", ["agent"])
        token, _ = users.create_token(session, agent, "t")
    staff = {"Authorization": f"Bearer {token}"}
    thankful = app.test_client()
    first = ask(thankful, "can I get my money back")
    ask(thankful, "great, thanks!", conversation_id=first["conversation_id"])
    ask(thankful, "can I get my money back?")  # the same visitor, the same question, a new conversation
    unhappy = app.test_client()
    answered = ask(unhappy, "how do I connect stripe")
    vote(unhappy, answered, False)
    ask(unhappy, "it still fails", conversation_id=answered["conversation_id"])
    handoff = request_handoff(unhappy, answered["conversation_id"]).get_json()
    unhappy_handoff = f"/api/v1/staff/handoffs/{handoff['id']}"
    app.test_client().post(f"{unhappy_handoff}/replies", json={"text": "On it"}, headers=staff)
    resolved = app.test_client().post(
        f"{unhappy_handoff}/resolve",
        json={"reason": "article_missing", "gap_question": "stripe webhooks fail"},
        headers=staff,
    )
    assert resolved.status_code == 200, resolved.get_json()
    picker = app.test_client()
    kept = ask(picker, "how much does each plan cost")
    pick_a_plan_section(app, picker, kept["conversation_id"], "section-change-your-plan")
    failed_pick = app.test_client()
    conversation_id = ask(failed_pick, "plans for my team")["conversation_id"]
    pick_a_plan_section(app, failed_pick, conversation_id, "section-prices")
    ask(failed_pick, "that didn't work", conversation_id=conversation_id)
    helped = app.test_client()
    vote(helped, ask(helped, "I forgot my password"), True)
    ask(app.test_client(), "do you sell garden furniture")
    ask(app.test_client(), "hi")
    person = app.test_client()
    asked_for_one = ask(person, "agent please")
    request_handoff(person, asked_for_one["conversation_id"])
    return staff
