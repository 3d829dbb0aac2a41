"""The article-performance ledger: the definitions on records, then `kbbot report` on a scripted history."""

import json
import uuid
from datetime import timedelta

from kbbot import reports
from kbbot.models import Article, Conversation, Event, Feedback, Handoff, Message, Revision
from kbbot.reports.performance import ArticlePerformance, failing_articles, helpful_share
from kbbot.reports.records import (
    ArticleActivity,
    ArticleView,
    BotReply,
    ConversationRecord,
    Question,
    VisitorAction,
)
from tests.helpers import SETTINGS, T0, at

MINUTE = timedelta(minutes=1)
WINDOW = SETTINGS.contact_window


def ledger(conversations=(), views=(), votes=(), contacts=(), outcomes=None):
    activity = ArticleActivity(tuple(views), tuple(votes), tuple(contacts), {7: ("refunds", "Refunds")})
    outcomes = outcomes or {c.id: "abandoned" for c in conversations}
    return {
        row.article_id: row for row in reports.article_performance(conversations, outcomes, activity, WINDOW)
    }


def test_a_handoff_counts_against_an_article_read_up_to_the_window_before_it():
    views = [
        ArticleView(7, "v1", T0),
        ArticleView(7, "v2", T0),
        ArticleView(7, "v3", T0),
        ArticleView(7, None, T0),
    ]
    contacts = [
        VisitorAction("v1", T0 + WINDOW),  # the edge: counted
        VisitorAction("v2", T0 + WINDOW + MINUTE),  # too late
        VisitorAction("v3", T0 - MINUTE),  # before reading it
    ]
    row = ledger(views=views, contacts=contacts)[7]
    assert (row.views, row.reached, row.contacted, row.contact_rate) == (4, 3, 1, 1 / 3)
    assert (row.slug, row.title) == ("refunds", "Refunds")


def test_cited_suggested_votes_and_resolutions_come_from_the_bot_replies():
    answer = BotReply(11, "answer", 7, (True, False), sent_at=T0, offered=(7, 8))
    suggestion = BotReply(12, "suggest", 8, (True,), sent_at=T0 + MINUTE, offered=(8, 7))
    record = ConversationRecord(1, "v1", T0, T0, (Question(10, "refund", T0, answer),), (answer, suggestion))
    rows = ledger(
        [record], contacts=[VisitorAction("v1", T0 + 2 * MINUTE)], outcomes={1: "deflected_assumed"}
    )
    refunds, other = rows[7], rows[8]
    assert (refunds.cited, refunds.suggested, refunds.answer_votes, refunds.answer_helpful) == (1, 1, 2, 1)
    assert (refunds.resolved, refunds.reached, refunds.contacted) == (1, 1, 1)
    # A vote on a suggestion is no vote on an answer; suggesting an article resolves nothing.
    assert (other.cited, other.suggested, other.answer_votes, other.resolved) == (0, 2, 0, 0)


def test_the_articles_that_fail_customers_most_come_first():
    views = [
        ArticleView(article, f"v{article}-{n}", T0)
        for article, reached in ((1, 4), (2, 2), (3, 4))
        for n in range(reached)
    ]
    contacts = [
        VisitorAction("v1-0", T0),
        VisitorAction("v2-0", T0),
        VisitorAction("v3-0", T0),
        VisitorAction("v3-1", T0),
    ]
    rows = reports.article_performance([], {}, ArticleActivity(tuple(views), (), tuple(contacts)), WINDOW)
    # 2 of 4 (50%), then 1 of 2 (50%, fewer contacts), then 1 of 4 (25%).
    assert [row.article_id for row in rows] == [3, 2, 1]
    never_reached = reports.article_performance([], {}, ArticleActivity(votes=((9, True),)), WINDOW)
    assert never_reached[0].contact_rate is None


# `kbbot report` on a scripted history, every ledger figure computed by hand.


def seed(session):
    refunds, invoices, passwords = (
        Article(slug=slug, title=slug.title(), content_hash=slug)
        for slug in ("refunds", "invoices", "passwords")
    )
    session.add_all([refunds, invoices, passwords])
    session.flush()
    # The bot showed a revision of refunds under its old slug: the revision still names the article.
    revision = Revision(
        article_id=refunds.id, number=1, title="Refunds", locale="en", status="published", content_hash="r"
    )
    session.add(revision)
    session.flush()

    def source(article):
        if article is refunds:
            return {"slug": "money-back", "revision_id": revision.id}
        return {"slug": article.slug, "revision_id": None}

    def chat(visitor, started, action, cited=None, shown=(), helpful=None, handoff_after=None):
        """A conversation: a question, the bot's reply a minute later, then maybe a handoff."""
        conversation = Conversation(
            public_id=uuid.uuid4().hex,
            visitor_id=visitor,
            started_at=started,
            last_message_at=started + MINUTE,
        )
        session.add(conversation)
        session.flush()
        question = Message(
            conversation_id=conversation.id, role="customer", text="question", created_at=started
        )
        session.add(question)
        session.flush()
        reply = Message(
            conversation_id=conversation.id,
            role="bot",
            text="(reply)",
            created_at=started + MINUTE,
            in_reply_to_id=question.id,
            action=action,
            article_id=(cited or (shown[0] if shown else None)).id if (cited or shown) else None,
            sources=[source(article) for article in shown],
        )
        session.add(reply)
        session.flush()
        if helpful is not None:
            session.add(Feedback(visitor_id=visitor, message_id=reply.id, helpful=helpful))
        if handoff_after is not None:
            session.add(
                Handoff(
                    conversation_id=conversation.id,
                    email=f"{visitor}@example.com",
                    reason="customer_request",
                    created_at=started + handoff_after,
                )
            )

    def view(article, visitor, moment):
        session.add(Event(type="article_view", article_id=article.id, visitor_id=visitor, occurred_at=moment))

    # v1 reads refunds, then the bot answers with it (invoices shown too) and v1 finds it helpful.
    view(refunds, "v1", at(2, 9))
    chat("v1", at(2, 9, 10), "answer", refunds, shown=(refunds, invoices), helpful=True)
    # v2 reads refunds, votes it unhelpful and asks for a person 20 minutes after reading it.
    view(refunds, "v2", at(3, 10))
    session.add(Feedback(visitor_id="v2", article_id=refunds.id, helpful=False, created_at=at(3, 10, 5)))
    chat("v2", at(3, 10, 15), "handoff", handoff_after=5 * MINUTE)
    # v3 reads refunds and asks for a person 31 minutes later: not counted against it.
    view(refunds, "v3", at(4, 10))
    chat("v3", at(4, 10, 30), "handoff", handoff_after=MINUTE)
    # v4 is shown invoices and passwords, then hands off four minutes after that.
    chat("v4", at(5, 12), "suggest", shown=(invoices, passwords), handoff_after=5 * MINUTE)
    # v5 gets an answer from invoices and does not come back: an assumed deflection.
    chat("v5", at(6, 9), "answer", invoices, shown=(invoices,))
    session.add(Feedback(visitor_id="v9", article_id=invoices.id, helpful=True, created_at=at(6, 10)))
    view(passwords, None, at(7, 8))  # no visitor: a view, but nobody reached
    # Outside the period: not counted.
    view(refunds, "v6", at(11, 0))
    chat("v7", at(1, 0) - MINUTE, "answer", refunds, shown=(refunds,), helpful=True)
    session.add(Feedback(visitor_id="v8", article_id=refunds.id, helpful=True, created_at=at(1, 0) - MINUTE))
    session.commit()


EXPECTED = [
    # passwords: suggested to v4 once (after invoices), and v4 asked for a person.
    {
        "slug": "passwords",
        "views": 1,
        "cited": 0,
        "suggested": 1,
        "article_votes": 0,
        "article_helpful": 0,
        "answer_votes": 0,
        "answer_helpful": 0,
        "resolved": 0,
        "reached": 1,
        "contacted": 1,
        "contact_rate": 1.0,
    },
    # invoices: shown to v1 beside refunds and to v4, cited for v5, whose conversation it resolved.
    {
        "slug": "invoices",
        "views": 0,
        "cited": 1,
        "suggested": 2,
        "article_votes": 1,
        "article_helpful": 1,
        "answer_votes": 0,
        "answer_helpful": 0,
        "resolved": 1,
        "reached": 3,
        "contacted": 1,
        "contact_rate": 1 / 3,
    },
    # refunds: read by v1-v3, cited for v1 (helpful), v2 contacted a person; same rate, later slug.
    {
        "slug": "refunds",
        "views": 3,
        "cited": 1,
        "suggested": 0,
        "article_votes": 1,
        "article_helpful": 0,
        "answer_votes": 1,
        "answer_helpful": 1,
        "resolved": 1,
        "reached": 3,
        "contacted": 1,
        "contact_rate": 1 / 3,
    },
]


def test_report_has_the_article_ledger_of_a_scripted_history(app, session, runner):
    seed(session)
    result = runner.invoke(args=["report", "--since", "2026-03-01", "--until", "2026-03-10", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["contact_window_minutes"] == 30
    rows = [{key: row[key] for key in EXPECTED[0]} for row in report["articles"]]
    assert rows == EXPECTED
    assert [row["title"] for row in report["articles"]] == ["Passwords", "Invoices", "Refunds"]

    text = runner.invoke(
        args=["report", "--since", "2026-03-01", "--until", "2026-03-10"]
    ).output.splitlines()
    section = text[text.index("Article performance (contacted a person within 30 min after)") :]
    assert section[1].split() == [
        "contacted",
        "reached",
        "views",
        "cited",
        "suggested",
        "article",
        "votes",
        "answer",
        "votes",
        "resolved",
        "article",
    ]
    assert section[2].split() == [
        "1",
        "1",
        "1",
        "0",
        "1",
        "0/0",
        "helpful",
        "0/0",
        "helpful",
        "0",
        "passwords",
    ]
    assert section[4].split() == ["1", "3", "3", "1", "0", "0/1", "helpful", "1/1", "helpful", "1", "refunds"]


def line(slug, reached=0, contacted=0, votes=0, helpful=0):
    return ArticlePerformance(
        article_id=len(slug), slug=slug, title=slug.title(), views=reached, cited=0, suggested=0,
        article_votes=votes, article_helpful=helpful, answer_votes=0, answer_helpful=0, resolved=0,
        reached=reached, contacted=contacted, contact_rate=contacted / reached if reached else None,
    )  # fmt: skip


def test_failing_articles_are_those_read_before_contacts_or_voted_unhelpful_worst_first():
    rows = [
        line("fine", reached=10, contacted=1, votes=4, helpful=4),
        line("contacted", reached=4, contacted=2),  # half its readers asked for a person
        line("unhelpful", reached=2, votes=3, helpful=1),  # 1 of 3 votes helpful
        line("unlucky", reached=1, contacted=1, votes=1),  # too little evidence to judge
        line("worst", reached=3, contacted=3),
    ]
    assert [row.slug for row in failing_articles(rows)] == ["worst", "contacted", "unhelpful"]
    assert [row.slug for row in failing_articles(rows, limit=1)] == ["worst"]
    assert helpful_share(rows[2]) == 1 / 3
    assert helpful_share(rows[1]) is None
