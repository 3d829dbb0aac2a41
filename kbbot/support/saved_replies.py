"""Saved replies (macros): who sees and changes which, their rules, filling them for a handoff, and
counting their use.

Everyone on the staff side sees the shared replies and their own; another agent's own replies are
not even shown to exist (NotFound). Each agent manages their own; editors and admins manage the
shared ones. A use is counted when a reply that used a saved reply is sent, not when it is inserted:
inserting and deleting again is not a use.
"""

import re
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ..errors import InvalidInput, KbbotError, NotFound
from ..models import Article, SavedReply, SavedReplyUse, utcnow
from . import placeholders

MAX_TITLE_CHARS = 200
MAX_SHORTCUT_CHARS = 40
MAX_BODY_CHARS = 5000  # filled in, a body grows (article links): it must still fit a reply
SHORTCUT_PATTERN = r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$"
_SHORTCUT = re.compile(SHORTCUT_PATTERN)
RECENT = timedelta(days=30)  # the listing's "recent uses"
MAX_USES_PER_REPLY = 20  # saved replies counted for one sent reply; more ids are ignored
SHARED_ROLE = "editor"  # who manages the shared replies (admins too: an admin has every role)


class NotAllowed(KbbotError):
    """The user may see this saved reply but not change it: shared ones need the editor role."""


class ShortcutTaken(InvalidInput):
    """The shortcut is already one of the replies its owner would see: a rule about what is stored
    (the API answers 409; the pages show it on the field)."""

    def __init__(self, shortcut):
        super().__init__("shortcut", f"/{shortcut} is already a saved reply's shortcut; choose another")


@dataclass(frozen=True)
class Listed:
    """A saved reply as its listing shows it."""

    reply: SavedReply
    uses: int  # ever
    recent_uses: int  # in the last RECENT
    changeable: bool  # by the user the listing is for


@dataclass(frozen=True)
class Filled:
    """A saved reply filled in for one handoff and agent, ready for the composer."""

    id: int
    shortcut: str
    title: str
    shared: bool
    text: str
    unfilled: tuple[str, ...]


def may_change(user, reply: SavedReply):
    return user.has_role(SHARED_ROLE) if reply.shared else reply.owner_id == user.id


def _visible(user):
    return or_(SavedReply.owner_id.is_(None), SavedReply.owner_id == user.id)


def visible(session: Session, user):
    """The shared replies and the user's own, by shortcut (shared first for the same shortcut)."""
    query = select(SavedReply).where(_visible(user)).order_by(SavedReply.shortcut, SavedReply.owner_id)
    return session.execute(query).scalars().all()


def get(session: Session, user, reply_id) -> SavedReply:
    reply = session.get(SavedReply, reply_id)
    if reply is None or not (reply.shared or reply.owner_id == user.id):
        raise NotFound("saved reply not found")
    return reply


def use_counts(session: Session, reply_ids, since=None):
    """{saved reply id: uses} (since `since`, if given); ids without a use are left out."""
    query = (
        select(SavedReplyUse.saved_reply_id, func.count(SavedReplyUse.id))
        .where(SavedReplyUse.saved_reply_id.in_(list(reply_ids)))
        .group_by(SavedReplyUse.saved_reply_id)
    )
    if since is not None:
        query = query.where(SavedReplyUse.used_at >= since)
    return dict(session.execute(query).all())


def listing(session: Session, user):
    """What the user sees, with use counts and whether they may change each."""
    replies = visible(session, user)
    ids = [reply.id for reply in replies]
    uses, recent = use_counts(session, ids), use_counts(session, ids, since=utcnow() - RECENT)
    return [
        Listed(reply, uses.get(reply.id, 0), recent.get(reply.id, 0), may_change(user, reply))
        for reply in replies
    ]


def _published(session: Session, slugs):
    query = select(Article.slug, Article.title).where(Article.slug.in_(slugs), Article.status == "published")
    return dict(session.execute(query).all())


def _checked_body(session: Session, body):
    body = (body or "").strip()
    if not body:
        raise InvalidInput("body", "write the reply's text")
    if len(body) > MAX_BODY_CHARS:
        raise InvalidInput("body", f"must be at most {MAX_BODY_CHARS} characters (it has {len(body)})")
    unknown = placeholders.unknown_names(body)
    if unknown:
        known = ", ".join("{" + name + "}" for name in (*placeholders.NAMES, "article:SLUG"))
        raise InvalidInput("body", f"unknown placeholder {{{unknown[0]}}}; the placeholders are {known}")
    slugs = placeholders.article_slugs(body)
    missing = [slug for slug in slugs if slug not in _published(session, slugs)]
    if missing:
        raise InvalidInput("body", f"{{article:{missing[0]}}} names no published article")
    return body


def _checked(session: Session, user, title, shortcut, body, shared, reply=None):
    """The fields cleaned, or InvalidInput naming the first one that breaks a rule."""
    title = (title or "").strip()
    if not title:
        raise InvalidInput("title", "give the reply a title")
    if len(title) > MAX_TITLE_CHARS:
        raise InvalidInput("title", f"must be at most {MAX_TITLE_CHARS} characters")
    shortcut = (shortcut or "").strip().removeprefix("/").lower()
    if not shortcut:
        raise InvalidInput("shortcut", "give the reply a shortcut, typed after “/” in the composer")
    if len(shortcut) > MAX_SHORTCUT_CHARS:
        raise InvalidInput("shortcut", f"must be at most {MAX_SHORTCUT_CHARS} characters")
    if not _SHORTCUT.fullmatch(shortcut):
        raise InvalidInput("shortcut", "use letters, digits, and - or _ between them, e.g. refund-annual")
    body = _checked_body(session, body)
    # A personal shortcut may not hide a shared one; a shared one is distinct among the shared.
    scope = SavedReply.owner_id.is_(None) if shared else _visible(user)
    taken = select(SavedReply.id).where(SavedReply.shortcut == shortcut, scope)
    if reply is not None:
        taken = taken.where(SavedReply.id != reply.id)
    if session.execute(taken.limit(1)).first() is not None:
        raise ShortcutTaken(shortcut)
    return title, shortcut, body


def _allowed(user, shared):
    if shared and not user.has_role(SHARED_ROLE):
        raise NotAllowed("only editors and admins manage shared saved replies")


def create(session: Session, user, title, shortcut, body, shared=False) -> SavedReply:
    """A new saved reply: shared with the team (editors and admins), else the user's own."""
    _allowed(user, shared)
    title, shortcut, body = _checked(session, user, title, shortcut, body, shared)
    reply = SavedReply(owner_id=None if shared else user.id, title=title, shortcut=shortcut, body=body)
    session.add(reply)
    session.commit()
    return reply


def update(session: Session, user, reply: SavedReply, title, shortcut, body, shared) -> SavedReply:
    """Change a reply the user may change; sharing one or taking it back needs the editor role too."""
    if not may_change(user, reply):
        raise NotAllowed("only editors and admins change shared saved replies")
    _allowed(user, shared or reply.shared)
    title, shortcut, body = _checked(session, user, title, shortcut, body, shared, reply)
    reply.title, reply.shortcut, reply.body = title, shortcut, body
    reply.owner_id = None if shared else (reply.owner_id or user.id)
    reply.updated_at = utcnow()
    session.commit()
    return reply


def delete(session: Session, user, reply: SavedReply):
    if not may_change(user, reply):
        raise NotAllowed("only editors and admins delete shared saved replies")
    session.delete(reply)
    session.commit()


def values_for(session: Session, handoff, agent, bodies, article_url) -> placeholders.Values:
    """What fills `bodies` for `handoff` and `agent`; `article_url(slug)` is an article's public URL."""
    slugs = {slug for body in bodies for slug in placeholders.article_slugs(body)}
    articles = _published(session, slugs) if slugs else {}
    return placeholders.Values(
        customer_name=handoff.name or "",
        customer_email=handoff.email or "",
        agent_name=agent.name or "",
        articles={slug: (title, article_url(slug)) for slug, title in articles.items()},
    )


def fill(session: Session, handoff, agent, replies, article_url):
    """`replies` filled in for the composer of `handoff`, as `agent` sends them."""
    values = values_for(session, handoff, agent, [reply.body for reply in replies], article_url)
    filled = []
    for reply in replies:
        rendered = placeholders.render(reply.body, values)
        filled.append(
            Filled(reply.id, reply.shortcut, reply.title, reply.shared, rendered.text, rendered.unfilled)
        )
    return filled


def used_ids(value):
    """The saved-reply ids a composer sent with a reply ("3 12"), distinct, at most MAX_USES_PER_REPLY;
    anything that is not an id is dropped (it came from outside)."""
    ids = [int(word) for word in (value or "").split() if word.isascii() and word.isdigit()]
    return list(dict.fromkeys(i for i in ids if 0 < i < 2**31))[:MAX_USES_PER_REPLY]


def record_uses(session: Session, agent, reply_ids, message):
    """Count one use of each saved reply in `reply_ids` that `agent` sees, for the sent `message`;
    others (deleted since, another agent's, made up) are not counted. Returns the ids counted."""
    ids = list(dict.fromkeys(reply_ids))[:MAX_USES_PER_REPLY]
    if not ids:
        return []
    seen = set(
        session.execute(select(SavedReply.id).where(SavedReply.id.in_(ids), _visible(agent))).scalars()
    )
    counted = [reply_id for reply_id in ids if reply_id in seen]
    session.add_all(
        SavedReplyUse(saved_reply_id=reply_id, user_id=agent.id, message_id=message.id)
        for reply_id in counted
    )
    session.commit()
    return counted
