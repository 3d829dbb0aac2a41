"""The staff side at scale: `kbbot report --json` and the staff dashboard over N conversations.

Seeds N conversations (default 100,000) over the last 90 days on the sample
help center, with the rows the app writes for them: customer questions and
the bot's answers (a quoted section, its sources), suggestions with choices
and picks of them, offers of a person and handoffs with agent replies, SLA
targets and resolutions (some as a missing article), votes, surveys, social
replies, help-center views and searches, and the event log of all of it;
then each conversation's outcome facts, by the code the app writes them with.
The questions are the sample dev set's and the articles' own, varied as
customers write them (greetings, typos), plus questions the help center does
not cover; visitors come back. Then it times, in a warm worker (model and
index loaded), `kbbot report --json` for the default 30 days and for 90 days,
and GET /staff/dashboard/ as an admin for both, each a first time (content
gaps not embedded yet) and again. SQLite always; PostgreSQL with --postgres.

    python bench/report_scale.py [--conversations 100000] [--postgres URL] [--no-write]

`seed(session, count, seed)` and `measure(app)` are what bench/perf.py can call.
"""

import argparse
import json
import os
import random
import re
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sections
from sqlalchemy import create_engine, func, insert, select, text

from kbbot import create_app
from kbbot.accounts import users
from kbbot.articles.sync import sync_directory
from kbbot.models import (
    Article,
    Conversation,
    Event,
    Feedback,
    Handoff,
    Message,
    ReplyTarget,
    Revision,
    SurveyResponse,
)
from kbbot.search.sections import outline
from kbbot.support import outcome_facts, replies
from kbbot.web.services import get_engine
from kbbot.web.session import get_session

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ROOT / "tests" / "data" / "sample_questions.jsonl"
PASSWORD = "correct horse battery"
DAYS = 90
# Questions the sample help center does not answer: the content gaps.
UNCOVERED = (
    "do you accept paypal",
    "can I pay with bitcoin",
    "is there a desktop app for linux",
    "how do I connect hubspot",
    "can I invoice in two currencies on one invoice",
    "do you have a partner program",
    "how do I import my data from freshbooks",
    "can I white label the client portal",
    "is there an api rate limit for webhooks",
    "how do I print cheques",
    "can I run payroll",
    "do you support e-invoicing in italy",
    "how do I add a second business",
    "can clients pay in instalments",
    "why is my bank feed missing transactions",
    "can I schedule a report by email",
)
OPENERS = ("", "", "", "hi, ", "hello ", "quick question: ", "please help - ", "hey, ")
CLOSERS = ("", "?", "", " please", " thanks", "??")


class _Seeder:
    """Rows for `seed`, gathered per table with the ids the app would give them, inserted in batches."""

    def __init__(self, session, rng, now, visitors):
        self.session, self.rng, self.now, self.visitors = session, rng, now, visitors  # some come back
        self.rows = {model: [] for model in (Conversation, Message, Handoff, ReplyTarget, Feedback)}
        self.rows |= {SurveyResponse: [], Event: []}
        self.next_id = {
            model: (session.execute(select(func.max(model.id))).scalar() or 0) + 1
            for model in (Conversation, Message, Handoff)
        }
        self.articles = _articles(session)
        self.agent = users.create_user(session, f"agent-{uuid.uuid4().hex[:6]}@example.com", ["agent"])
        self.questions = _questions(self.articles)

    def new_id(self, model):
        self.next_id[model] += 1
        return self.next_id[model] - 1

    def add(self, model, **row):
        if model in self.next_id and "id" not in row:
            row["id"] = self.new_id(model)
        self.rows[model].append(row)
        return row

    def event(self, type_, at, conversation=None, **fields):
        data = fields.pop("data", {})
        if conversation is not None:
            fields |= {"visitor_id": conversation["visitor_id"], "conversation_id": conversation["id"]}
        self.add(Event, type=type_, occurred_at=at, data=data, **fields)

    def flush(self):
        for model, rows in self.rows.items():
            for start in range(0, len(rows), 2000):
                self.session.execute(insert(model), rows[start : start + 2000])
            rows.clear()


def _articles(session):
    """Per published article: id, slug, title, current revision id and sections (heading, anchor, text)."""
    found = []
    for article in session.scalars(select(Article).where(Article.status == "published").order_by(Article.id)):
        revision = session.scalar(
            select(Revision.id).where(Revision.article_id == article.id).order_by(Revision.number.desc())
        )
        parts = outline(article.body)
        found.append(
            {
                "id": article.id,
                "slug": article.slug,
                "title": article.title,
                "revision_id": revision,
                "questions": list(article.questions),
                "sections": [
                    (
                        s.heading,
                        s.anchor,
                        " ".join(p.text for p in parts.passages[s.first : s.last + 1])[:600],
                    )
                    for s in parts.sections
                ],
            }
        )
    return found


def _questions(articles):
    """(question, article or None): the dev set's and the articles' own questions, and uncovered ones."""
    by_slug = {article["slug"]: article for article in articles}
    found = []
    for line in QUESTIONS.read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        if item["expected"] and item["expected"][0] in by_slug:
            found.append((item["query"], by_slug[item["expected"][0]]))
    found += [(question, article) for article in articles for question in article["questions"]]
    found += [(article["title"], article) for article in articles]
    return found, [(question, None) for question in UNCOVERED]


def _as_typed(rng, question):
    """`question` as a customer may type it: a greeting, a typo, punctuation."""
    words = question.split()
    if len(words) > 2 and rng.random() < 0.3:
        i = rng.randrange(len(words))
        word = words[i]
        if len(word) > 3:
            j = rng.randrange(len(word) - 1)
            words[i] = word[:j] + word[j + 1] + word[j] + word[j + 2 :]
    return rng.choice(OPENERS) + " ".join(words) + rng.choice(CLOSERS)


def _source(article, rng):
    return {
        "slug": article["slug"],
        "title": article["title"],
        "url": f"/articles/{article['slug']}",
        "snippet": article["sections"][0][2][:200] if article["sections"] else "",
        "score": round(rng.uniform(0.3, 0.95), 4),
        "revision_id": article["revision_id"],
    }


def _sources(seeder, top):
    others = seeder.rng.sample(seeder.articles, 2)
    return [_source(a, seeder.rng) for a in ([top] if top else []) + [a for a in others if a is not top]]


def _bot(seeder, conversation, question, at, action, article=None, offer_reason=None, **fields):
    """The bot's reply to customer message `question`, with its events; returns the row."""
    bot = seeder.add(
        Message,
        conversation_id=conversation["id"],
        role="bot",
        created_at=at,
        in_reply_to_id=question["id"],
        query=question["text"],
        action=action,
        confidence=round(seeder.rng.uniform(0.2, 0.99), 4),
        section_confidence=round(seeder.rng.uniform(0.2, 0.99), 4),
        article_id=article["id"] if article else None,
        revision_id=article["revision_id"] if article else None,
        handoff_offered=offer_reason is not None,
        offer_reason=offer_reason,
        **fields,
    )
    seeder.event("bot_decision", at, conversation, message_id=bot["id"], article_id=bot["article_id"])
    if offer_reason:
        seeder.event("handoff_offered", at, conversation, message_id=bot["id"], data={"reason": offer_reason})
    conversation["last_message_at"] = at
    return bot


def _customer(seeder, conversation, words, at, choice=None):
    message = seeder.add(
        Message, conversation_id=conversation["id"], role="customer", text=words, created_at=at, choice=choice
    )
    seeder.event("chat_question", at, conversation, message_id=message["id"])
    conversation["last_message_at"] = at
    return message


def _answer(seeder, conversation, question, at, article, section=None):
    heading, anchor, quoted = section or seeder.rng.choice(article["sections"] or [("", "", "")])
    return _bot(
        seeder,
        conversation,
        question,
        at,
        "answer",
        article,
        text=f"{quoted}\n\n[{replies.READ_MORE}](/articles/{article['slug']}#{anchor})",
        section=heading,
        anchor=anchor,
        sources=_sources(seeder, article),
        choices=[],
    )


def _vote(seeder, conversation, bot, at, helpful):
    seeder.add(
        Feedback, visitor_id=conversation["visitor_id"], message_id=bot["id"], helpful=helpful, created_at=at
    )
    seeder.event("feedback", at, conversation, message_id=bot["id"], data={"helpful": helpful})


def _suggest(seeder, conversation, question, at, article):
    """A suggestion: sections of the article to pick from (or articles when it is not known)."""
    rng = seeder.rng
    if article and len(article["sections"]) > 1:
        picked = rng.sample(article["sections"], min(3, len(article["sections"])))
        choices = [(article, heading, anchor) for heading, anchor, _ in picked]
    else:
        choices = [(a, "", "") for a in rng.sample(seeder.articles, 3)]
    records = [
        {
            "slug": a["slug"],
            "title": a["title"],
            "section": heading,
            "anchor": anchor,
            "url": f"/articles/{a['slug']}#{anchor}",
            "probability": round(rng.uniform(0.1, 0.6), 4),
        }
        for a, heading, anchor in choices
    ]
    top = choices[0][0]
    bot = _bot(
        seeder,
        conversation,
        question,
        at,
        "suggest",
        top,
        text=replies.SUGGEST,
        sources=_sources(seeder, top),
    )
    bot["choices"] = records
    return bot, choices


def _turn(seeder, conversation, at):
    """One question and the bot's reply; maybe a pick of its choices and a vote. Returns (time, last bot row)."""
    rng = seeder.rng
    covered, uncovered = seeder.questions
    words, article = rng.choice(covered) if rng.random() < 0.8 else rng.choice(uncovered)
    question = _customer(seeder, conversation, _as_typed(rng, words), at)
    at += timedelta(seconds=2)
    roll = rng.random()
    if article is not None and roll < 0.65:
        bot = _answer(seeder, conversation, question, at, article)
    elif roll < 0.85 or article is not None:
        bot, choices = _suggest(seeder, conversation, question, at, article)
        if rng.random() < 0.4:
            chosen, heading, anchor = rng.choice(choices)
            at += timedelta(seconds=rng.randint(5, 60))
            label = heading or chosen["title"]
            pick = _customer(
                seeder, conversation, label, at, choice={"slug": chosen["slug"], "anchor": anchor}
            )
            section = next((s for s in chosen["sections"] if s[1] == anchor), None)
            bot = _answer(seeder, conversation, pick, at + timedelta(seconds=1), chosen, section)
            seeder.event("choice_picked", at, conversation, message_id=bot["id"], article_id=chosen["id"])
    else:
        reason = "low_confidence"
        bot = _bot(
            seeder,
            conversation,
            question,
            at,
            "handoff",
            None,
            reason,
            text=replies.OFFER[reason],
            sources=[],
        )
    if bot["action"] == "answer" and rng.random() < 0.15:
        _vote(seeder, conversation, bot, at + timedelta(seconds=20), rng.random() < 0.7)
    return at + timedelta(seconds=rng.randint(30, 180)), bot


def _handoff(seeder, conversation, at, reason, message):
    """A handoff with, mostly, an agent's reply (an SLA target) and a resolution."""
    rng = seeder.rng
    status = rng.choices(("resolved", "assigned", "open"), (70, 10, 20))[0]
    due = at + timedelta(hours=1)
    handoff = seeder.add(
        Handoff,
        conversation_id=conversation["id"],
        status=status,
        reason=reason,
        email=f"{conversation['visitor_id']}@example.com",
        name="",
        message=message,
        priority="normal",
        created_at=at,
        assignee_id=None if status == "open" else seeder.agent.id,
        waiting_since=at if status == "open" else None,
        awaited="first_reply" if status == "open" else None,
        reply_due_at=due if status == "open" else None,
    )
    seeder.event("handoff_requested", at, conversation, handoff_id=handoff["id"], data={"reason": reason})
    seeder.add(
        Message, conversation_id=conversation["id"], role="bot", text=replies.WAITING_FOR_AGENT, created_at=at
    )
    if status == "open":
        return
    replied = at + timedelta(minutes=rng.expovariate(1 / 50))
    handoff["first_reply_at"] = replied
    reply = seeder.add(
        Message,
        conversation_id=conversation["id"],
        role="agent",
        text="Hi, thanks for waiting.",
        created_at=replied,
        author_id=seeder.agent.id,
    )
    seeder.add(
        ReplyTarget,
        handoff_id=handoff["id"],
        awaited="first_reply",
        waiting_since=at,
        due_at=due,
        ended_at=replied,
        agent_id=seeder.agent.id,
        met=replied <= due,
    )
    seeder.event("agent_reply", replied, conversation, handoff_id=handoff["id"], message_id=reply["id"])
    conversation["last_message_at"] = replied
    if status == "resolved":
        why = rng.choices(
            ("answered", "existing_article", "article_missing", "bug", "other"), (50, 15, 20, 10, 5)
        )[0]
        named = rng.choice(UNCOVERED) if why == "article_missing" and rng.random() < 0.5 else None
        resolved = replied + timedelta(minutes=rng.randint(1, 120))
        handoff |= {"resolution_reason": why, "resolved_at": resolved}
        data = {"resolution_reason": why, "gap_question": named}
        seeder.event("handoff_resolved", resolved, conversation, handoff_id=handoff["id"], data=data)


def _after(seeder, conversation, at, bot):
    """What follows the last reply: thanks or "it still fails", asking for a person, a handoff."""
    rng = seeder.rng
    roll = rng.random()
    if bot["action"] == "answer" and roll < 0.12:
        _customer(
            seeder, conversation, rng.choice(("thanks!", "great, thanks", "that worked, thank you")), at
        )
        seeder.add(
            Message,
            conversation_id=conversation["id"],
            role="bot",
            text=replies.SOCIAL["thanks"],
            created_at=at + timedelta(seconds=1),
        )
        return
    if roll < 0.2 or (bot["action"] == "handoff" and roll < 0.5):
        words = rng.choice(
            ("let me talk to a person", "it still fails, can I talk to someone", "human please")
        )
        question = _customer(seeder, conversation, words, at)
        reason = "customer_request"
        _bot(
            seeder,
            conversation,
            question,
            at + timedelta(seconds=1),
            "handoff",
            None,
            reason,
            text=replies.OFFER[reason],
            sources=[],
        )
        _handoff(seeder, conversation, at + timedelta(seconds=30), reason, words)


def _conversation(seeder):
    rng, now = seeder.rng, seeder.now
    visitor = f"visitor-{rng.randrange(seeder.visitors)}"
    started = now - timedelta(seconds=rng.uniform(600, DAYS * 86400))
    conversation = seeder.add(
        Conversation,
        public_id=uuid.uuid4().hex,
        visitor_id=visitor,
        started_at=started,
        last_message_at=started,
    )
    for _ in range(rng.randint(0, 2)):  # the help center before the chat
        _help_center(seeder, visitor, started - timedelta(minutes=rng.randint(1, 40)))
    at, bot = started, None
    for _ in range(rng.choices((1, 2, 3), (60, 30, 10))[0]):
        at, bot = _turn(seeder, conversation, at)
    _after(seeder, conversation, at, bot)
    at = min(conversation["last_message_at"] + timedelta(minutes=1), now)
    for kind, share in (("csat", 0.2), ("ces", 0.12), ("nps", 0.05)):
        if rng.random() < share:
            value = (
                {"choice": rng.choice(("easy", "easy", "neither", "difficult"))}
                if kind == "ces"
                else {"score": rng.randint(1, 5) if kind == "csat" else rng.randint(0, 10)}
            )
            seeder.add(
                SurveyResponse,
                conversation_id=conversation["id"],
                kind=kind,
                created_at=at,
                comment="",
                **value,
            )
            seeder.event("survey", at, conversation, data={"kind": kind, **value})
    if rng.random() < 0.3:
        conversation["ended_at"] = at
        seeder.event("conversation_end", at, conversation)


def _help_center(seeder, visitor, at):
    rng = seeder.rng
    article = rng.choice(seeder.articles)
    if rng.random() < 0.4:
        query = rng.choice(seeder.questions[0])[0]
        data = {
            "query": query,
            "results": 3,
            "source": "help_center",
            "top": [{"slug": article["slug"], "title": article["title"]}],
        }
        seeder.event("search", at, visitor_id=visitor, data=data)
    data = {"ref": "search", "slug": article["slug"], "title": article["title"]}
    seeder.event("article_view", at, visitor_id=visitor, article_id=article["id"], data=data)
    if rng.random() < 0.2:  # a reader without a visitor id
        seeder.event("article_view", at, article_id=article["id"], data=data)


def seed(session, count, seed=0, now=None):
    """Add `count` conversations of the last 90 days (before `now`) to the database, as the app writes them,
    with their outcome facts (`outcome_facts.backfill`: the code the app runs as each conversation changes).

    Needs the articles synced first. Deterministic for a `seed` (but the public ids).
    """
    seeder = _Seeder(session, random.Random(seed), now or datetime.now(UTC), visitors=max(1, count * 6 // 10))
    for number in range(count):
        _conversation(seeder)
        if number % 5000 == 4999:
            seeder.flush()
    seeder.flush()
    if session.bind.dialect.name == "postgresql":  # ids given here: the app's next rows follow them
        for table in ("conversations", "messages", "handoffs"):
            session.execute(
                text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
            )
    # The conversations' outcome facts, as the app writes them with each change: the same code, from the
    # rows just inserted (bulk inserts pass the session's bookkeeping by).
    outcome_facts.backfill(session)
    session.commit()
    # The planner's statistics, as a live database has them (autovacuum analyzes PostgreSQL's tables as
    # they grow; SQLite keeps what `ANALYZE` gathers): without them a bulk load is planned as empty.
    session.execute(text("ANALYZE"))
    session.commit()


def signed_in_admin(app):
    """A test client signed in as a new admin."""
    email = f"admin-{uuid.uuid4().hex[:6]}@example.com"
    with app.app_context():
        users.create_user(get_session(), email, ["admin"], password=PASSWORD)
    client = app.test_client()
    page = client.get("/staff/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)[1]
    response = client.post("/staff/login", data={"email": email, "password": PASSWORD, "csrf_token": csrf})
    assert response.status_code == 302, response.status_code
    return client


def _seconds(call):
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def measure(app, runs=2):
    """{what: (seconds the first time, median seconds of `runs` more)}: the report and the dashboard
    for the last 30 and 90 days, in this warm worker (the engine is loaded before)."""
    with app.app_context():
        get_engine().ensure_current(get_session())
    runner, admin = app.test_cli_runner(), signed_in_admin(app)
    first_day = (datetime.now(UTC) - timedelta(days=DAYS - 1)).date().isoformat()

    def report(*options):
        result = runner.invoke(args=["report", "--json", *options])
        assert result.exit_code == 0, result.output

    def dashboard(**query):
        response = admin.get("/staff/dashboard/", query_string=query)
        assert response.status_code == 200, response.status_code

    cases = {
        "`kbbot report --json` (30 days)": report,
        f"`kbbot report --json` ({DAYS} days)": lambda: report("--since", first_day),
        "GET /staff/dashboard/ (30 days)": dashboard,
        f"GET /staff/dashboard/?preset={DAYS}": lambda: dashboard(preset=DAYS),
    }
    results = {}
    for name, call in cases.items():
        first = _seconds(call)
        again = sorted(_seconds(call) for _ in range(runs))
        results[name] = (first, again[len(again) // 2])
    return results


def _app(url, workdir):
    return create_app(
        {
            "DATABASE_URL": url,
            "INDEX_DIR": workdir / "index",
            "INSTANCE_PATH": workdir / "instance",
            "SECRET_KEY": "bench",
            "SYNC_ON_FIRST_START": False,
            "REQUIRE_2FA": "off",
            "BUSINESS_HOURS": "24/7",
        }
    )


def run(url, workdir, count, runs=2):
    """Seed `count` conversations into the (empty) database at `url` and measure: (seed seconds, results)."""
    app = _app(url, workdir)
    with app.app_context():
        session = get_session()
        sync_directory(session, ROOT / "articles", app.config["MAX_ARTICLE_BYTES"])
        get_engine().refresh(session)
        seeded = _seconds(lambda: seed(session, count))
    results = measure(app, runs)
    for name, (first, again) in results.items():  # as soon as measured: a long run may be cut short
        print(f"{url.split(':')[0]}: {name}: first {first:.2f} s, again {again:.2f} s", flush=True)
    return seeded, results


def _postgres_database(server):
    """A new database on the PostgreSQL `server` URL: (its URL, a function that drops it)."""
    name = f"kbbot_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return server.rsplit("/", 1)[0] + f"/{name}", drop


def table(count, measured):
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    lines = [
        f"Measured with `python bench/report_scale.py --conversations {count}` on this 2-core machine "
        f"(load average {load} at the end), {count:,} conversations over {DAYS} days; the engine loaded "
        "first, as in a serving worker. *First*: the period's content-gap questions not embedded yet.",
        "",
        "| database | seeding s | request | first s | again s |",
        "|---|---|---|---|---|",
    ]
    for database, (seeded, results) in measured.items():
        for name, (first, again) in results.items():
            lines.append(f"| {database} | {seeded:.0f} | {name} | {first:.2f} | {again:.2f} |")
    return lines


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=2, help="timed again this many times (the median)")
    parser.add_argument(
        "--postgres", metavar="URL", help="a PostgreSQL server whose user may create databases"
    )
    parser.add_argument("--no-write", action="store_true", help="Print only; leave docs/benchmarks.md alone.")
    args = parser.parse_args(argv)
    measured = {}
    with tempfile.TemporaryDirectory() as workdir:
        workdir = Path(workdir)
        measured["SQLite"] = run(
            f"sqlite:///{workdir / 'scale.sqlite3'}", workdir / "sqlite", args.conversations, args.runs
        )
        if args.postgres:
            url, drop = _postgres_database(args.postgres)
            try:
                measured["PostgreSQL"] = run(url, workdir / "postgres", args.conversations, args.runs)
            finally:
                drop()
    lines = table(args.conversations, measured)
    print("\n".join(lines))
    if not args.no_write:
        sections.replace_section(sections.BENCHMARKS, "report-scale", lines)


if __name__ == "__main__":
    main()
