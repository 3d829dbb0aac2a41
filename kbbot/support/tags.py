"""Triage: the tags and the priority agents put on handoffs, to filter the queue by.

A tag is normalized so that "Billing " and "billing" are one: trimmed, lower case, spaces as
hyphens, letters, digits, `-` and `_` only, at most MAX_TAG_CHARS. Each change is logged as a
`handoff_triaged` event with what the handoff then carries.
"""

import re

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .. import events
from ..errors import InvalidInput
from ..models import PRIORITIES, Handoff, Tag, handoff_tags

MAX_TAG_CHARS = 40
MAX_TAGS = 20  # on one handoff
_TAG = re.compile(r"^[a-z0-9][a-z0-9_-]*$")  # a normalized tag
# A tag as the staff API takes it: what `normalize` accepts without trimming (any case, spaces inside).
TAG_INPUT = r"^[A-Za-z0-9][A-Za-z0-9_ -]*$"


def normalize(text):
    """`text` as a tag ("Refund Request" -> "refund-request"); InvalidInput when it cannot be one."""
    tag = re.sub(r"\s+", "-", (text or "").strip().lower())
    if not tag:
        raise InvalidInput("tags", "a tag must not be empty")
    if len(tag) > MAX_TAG_CHARS:
        raise InvalidInput("tags", f"a tag must be at most {MAX_TAG_CHARS} characters")
    if not _TAG.match(tag):
        raise InvalidInput(
            "tags", f"{tag!r}: use letters a-z, digits, - and _ (starting with a letter or digit)"
        )
    return tag


def queue_filters(args):
    """The queue's filters from the query string: {"tag": a normalized tag, "priority": one of
    PRIORITIES}, each None when absent or not one (a page of every handoff rather than an error)."""
    try:
        tag = normalize(args["tag"]) if args.get("tag", "").strip() else None
    except InvalidInput:
        tag = None
    priority = args.get("priority")
    return {"tag": tag, "priority": priority if priority in PRIORITIES else None}


def known_tags(session: Session):
    """Every tag on some handoff, the most used first: the suggestions when adding one."""
    return list(
        session.scalars(
            select(Tag.name)
            .join(handoff_tags, handoff_tags.c.tag_id == Tag.id)
            .group_by(Tag.name)
            .order_by(func.count().desc(), Tag.name)
        )
    )


def _tag(session: Session, name):
    tag = session.scalar(select(Tag).where(Tag.name == name))
    if tag is None:
        tag = Tag(name=name)
        session.add(tag)
    return tag


def triage(session: Session, handoff: Handoff, agent, priority=None, tags=None, add=(), remove=()):
    """Set the handoff's `priority` and its `tags` (the whole list), or `add` and `remove` some; what is
    None or empty stays. Commits and logs the change; nothing changed, nothing is logged."""
    if priority is not None and priority not in PRIORITIES:
        raise InvalidInput("priority", f"must be one of {', '.join(PRIORITIES)}")
    current = [tag.name for tag in handoff.tags]
    wanted = list(dict.fromkeys(normalize(name) for name in tags)) if tags is not None else list(current)
    wanted += [name for name in map(normalize, add) if name not in wanted]
    removed = {normalize(name) for name in remove}
    wanted = [name for name in wanted if name not in removed]
    if len(wanted) > MAX_TAGS:
        raise InvalidInput("tags", f"a handoff carries at most {MAX_TAGS} tags")
    priority = priority or handoff.priority
    if priority == handoff.priority and sorted(wanted) == sorted(current):
        return handoff
    handoff.priority = priority
    handoff.tags = [_tag(session, name) for name in wanted]
    session.commit()
    events.record_in(
        handoff.conversation,
        "handoff_triaged",
        handoff_id=handoff.id,
        priority=priority,
        tags=sorted(wanted),
        agent_id=agent.id,
    )
    return handoff
