"""Articles an agent might send in a reply, each flagged when the customer has already seen it.

A customer who read an article before asking for a person, or was given it
by the bot, is not helped by getting it again; the agent must know before
sending it. The flags come from the handoff's context (`agent_views.handoff_context`),
so they say exactly what the customer did: which views, how long, how they got
there, and which messages linked the article.
"""

import re
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from .decisions import asks_for_human
from .small_talk import social_kind

SUGGESTIONS = 5  # articles offered to the agent
QUESTIONS_SEARCHED = 3  # the customer's questions searched for suggestions
# An article link in a message: /articles/<slug>, as the help center builds them.
_ARTICLE_LINK = re.compile(r"/articles/([a-z0-9]+(?:-[a-z0-9]+)*)(?![a-z0-9-])")


@dataclass
class Seen:
    """When the customer met an article: read on a page, or given in a message."""

    at: datetime
    how: str  # "read" | "bot" | "agent"
    seconds: float | None = None  # time on the page, when the browser reported it ("read" only)
    via: str | None = None  # how they reached the page ("read" only; help_center.REFERRER_KINDS)
    before_handoff: bool = True


@dataclass
class Suggestion:
    slug: str
    title: str
    snippet: str
    score: float  # in [0, 1], relative to the best match of the question it was found for
    seen: list[Seen] = field(default_factory=list)  # oldest first; empty when the customer never saw it

    @property
    def read(self):
        return [entry for entry in self.seen if entry.how == "read"]


def customer_questions(context, limit=QUESTIONS_SEARCHED):
    """The texts to search with: the customer's messages (not their requests for a person, nor small
    talk) and the message they left with the handoff; the first one (the topic) and the latest
    others, at most `limit`."""
    texts = [entry["text"] for entry in context["transcript"] if entry["role"] == "customer"]
    texts.append(context["customer"]["message"])
    distinct = {}
    for text in texts:
        text = " ".join(text.split())
        if text and not asks_for_human(text) and social_kind(text) is None:
            distinct.setdefault(text.casefold(), text)
    found = list(distinct.values())
    return found[:1] + found[1:][-(limit - 1) :] if limit > 1 else found[:limit]


def linked_slugs(text):
    """The slugs of the help-center articles a message links to."""
    return set(_ARTICLE_LINK.findall(text))


def seen_by_customer(slug, context):
    """Every time the customer met article `slug` in the context, oldest first."""
    seen = [
        Seen(
            at=view["at"],
            how="read",
            seconds=view["seconds"],
            via=view["via"],
            before_handoff=view["before_handoff"],
        )
        for view in context["viewed_articles"]
        if view["slug"] == slug
    ]
    handed_off_at = context["handoff"]["created_at"]
    for entry in context["transcript"]:
        if entry["role"] == "bot" and any(source.get("slug") == slug for source in entry["sources"] or ()):
            seen.append(Seen(at=entry["at"], how="bot", before_handoff=entry["at"] <= handed_off_at))
        elif entry["role"] == "agent" and slug in linked_slugs(entry["text"]):
            seen.append(Seen(at=entry["at"], how="agent", before_handoff=False))
    return sorted(seen, key=lambda entry: entry.at)


def for_handoff(session: Session, engine, context, query=None, limit=SUGGESTIONS):
    """Articles for the reply, best first: found for `query` when the agent searched, else for the
    customer's own questions; each with what the customer already saw of it."""
    queries = [query] if query else customer_questions(context)
    best = {}
    for text in queries:
        _, sources = engine.search(session, text, limit=limit, relevant_only=True)
        for source in sources:
            if source.slug not in best or source.score > best[source.slug].score:
                best[source.slug] = source
    # A stable sort: among equal scores, the articles found for earlier questions come first.
    ranked = sorted(best.values(), key=lambda source: -source.score)[:limit]
    return [
        Suggestion(
            slug=source.slug,
            title=source.title,
            snippet=source.snippet,
            score=source.score,
            seen=seen_by_customer(source.slug, context),
        )
        for source in ranked
    ]
