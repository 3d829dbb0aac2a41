"""The handoff page as the agent's workspace: the queue, the conversation and the customer side by side.

At 1280 px and wider the page is three panes (static/staff.css: a grid, no script needed): on the
left the queue's list as the queue page shows it (`queue_list`, the same rows), in the middle the
conversation, opened at the first message the agent has not seen (support/read_marks.py), with the
composer pinned below it, and on the right the customer's context. Narrower, it stacks as the
handoff page always did, and the queue is its own page.
"""

from datetime import datetime, timezone

from flask import abort, render_template, request, url_for
from flask_login import current_user
from wtforms import HiddenField, TextAreaField
from wtforms.validators import DataRequired, Length

from ...support import (
    agent_views,
    customer_history,
    handoffs,
    read_marks,
    saved_replies,
    suggestions,
    tags,
)
from ..help_center import absolute_url
from ..search import clean_query
from ..services import get_engine
from ..session import get_session
from . import display
from .forms import StaffForm

# The queue's tabs: (label, status shown, only the agent's own).
TABS = {
    "open": ("Open", "open", False),
    "mine": ("Assigned to me", "assigned", True),
    "all": ("All", None, False),
    "resolved": ("Resolved", "resolved", False),
}
VIA_LABELS = {
    "search": "from a search",
    "browse": "browsing the help center",
    "bot": "from a bot answer",
    "widget": "in the chat widget",
    "external": "from another site",
    "direct": "opened directly",
}
SEEN_LABELS = {"read": "Read", "bot": "Sent by the bot", "agent": "Sent in an agent reply"}


class ReplyForm(StaffForm):
    text = TextAreaField(
        "Reply to the customer",
        validators=[DataRequired("Write a reply first."), Length(max=handoffs.MAX_REPLY_CHARS)],
    )
    # The ids of the saved replies inserted ("3 12"), counted as used when the reply is sent.
    saved_replies = HiddenField()


class NoteForm(StaffForm):
    text = TextAreaField(
        "Internal note (only staff see it)",
        validators=[DataRequired("Write the note first."), Length(max=handoffs.MAX_NOTE_CHARS)],
    )


def article_url(slug):
    return absolute_url("help_center.article", slug=slug)


def seen_phrase(seen, handed_off_at):
    """When the customer met an article, in words: "Read 3 min before the handoff, for 42 s"."""
    words = f"{SEEN_LABELS[seen.how]} {display.relative_to(seen.at, handed_off_at)}"
    if seen.how == "read":
        words += f", for {display.duration(seen.seconds)}" if seen.seconds is not None else ""
        words += f", {VIA_LABELS[seen.via]}" if seen.via in VIA_LABELS else ""
    return words


def conversation_timeline(context):
    """The transcript and the internal notes in one list, in the order they were written."""
    entries = [dict(entry, kind="message") for entry in context["transcript"]]
    entries += [dict(note, kind="note", role="note") for note in context["notes"]]
    return sorted(entries, key=lambda entry: entry["at"])


def help_center_activity(context):
    """The visitor's article views and searches in one timeline: (before the handoff, after it)."""
    items = [dict(view, kind="view") for view in context["viewed_articles"]]
    items += [dict(search, kind="search") for search in context["searches"]]
    items.sort(key=lambda item: item["at"])
    return [item for item in items if item["before_handoff"]], [
        item for item in items if not item["before_handoff"]
    ]


def tab_counts(session, agent, **filters):
    """Each tab's handoffs, counting only those the `filters` (tag, priority) let through."""
    counts = handoffs.count_by_status(session, **filters)
    return {
        "open": counts["open"],
        "mine": handoffs.count_by_status(session, assignee_id=agent.id, **filters)["assigned"],
        "all": sum(counts.values()),
        "resolved": counts["resolved"],
    }


def queue_list(session, agent, args, endpoint="staff.console.queue", **url_params):
    """What the queue's list shows (templates/staff/console/_queue_list.html), on the queue page and
    in the workspace's left pane: the tab and filters `args` ask for (an unknown tab is 404), their
    counts, and the handoffs with whether each has messages new to `agent`. `list_url` is the URL of
    the page the list's tabs and filters go to (`endpoint` with `url_params`); `list_args` are the
    query parameters that keep the list as it is from one handoff to the next."""
    tab = args.get("tab", "open")
    if tab not in TABS:
        abort(404)
    _label, status, mine = TABS[tab]
    filters = tags.queue_filters(args)
    found = handoffs.queue(session, status=status, assignee_id=agent.id if mine else None, **filters)
    entries = agent_views.queue_entries(session, found, datetime.now(timezone.utc))
    return {
        "tab": tab,
        "tabs": TABS,
        "list_url": lambda **params: url_for(endpoint, **url_params, **params),
        "filters": filters,
        "list_args": ({"tab": tab} if tab != "open" else {}) | {k: v for k, v in filters.items() if v},
        "known_tags": tags.known_tags(session),
        "counts": tab_counts(session, agent, **filters),
        "entries": read_marks.with_read_state(session, agent, entries),
    }


def render_handoff(handoff_id, reply_form=None, note_form=None, status=200):
    """The workspace of one handoff; opening it marks what it shows as read by the agent, after
    noting where their reading had stopped (`first_unread`: the "New messages" divider)."""
    session, agent = get_session(), current_user._get_current_object()
    handoff = handoffs.get(session, handoff_id)
    last_read = read_marks.last_read(session, handoff, agent)
    first_unread = read_marks.first_unread(session, handoff, agent, last_read)
    if handoff.conversation.messages:
        read_marks.mark_read(session, handoff, agent)
    context = agent_views.handoff_context(session, handoff)
    query = clean_query(request.args.get("q", "")) or None
    before, after = help_center_activity(context)
    page = render_template(
        "staff/console/handoff.html",
        context=context,
        details=context["handoff"],
        customer=context["customer"],
        timeline=conversation_timeline(context),
        first_unread=first_unread,
        read_before=last_read is not None,
        current_id=handoff.id,
        activity_before=before,
        activity_after=after,
        earlier=customer_history.earlier_conversations(session, handoff),
        query=query,
        suggestions=suggestions.for_handoff(session, get_engine(), context, query=query),
        seen_phrase=seen_phrase,
        reply_form=reply_form or ReplyForm(prefix="reply", formdata=None),
        note_form=note_form or NoteForm(prefix="note", formdata=None),
        assigned_to_me=handoff.assignee_id == agent.id,
        saved_replies=[
            vars(filled)
            for filled in saved_replies.fill(
                session, handoff, agent, saved_replies.visible(session, agent), article_url
            )
        ],
        **queue_list(session, agent, request.args, "staff.console.handoff", handoff_id=handoff.id),
    )
    return page, status
