"""The agent console: the handoff queue, a handoff with everything the customer tried, the agent's actions.

Pages are rendered on the server and every action is a POST form (with its
CSRF token) that redirects back with a message, so the console works without
JavaScript; static/staff-console.js adds live updates by polling the staff API
(new handoffs, new customer messages), article search and inserting links.
"""

from datetime import datetime, timezone
from functools import wraps

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import HiddenField, TextAreaField
from wtforms.validators import DataRequired, Length

from ...articles.rendering import snippet_html
from ...errors import Conflict, InvalidInput
from ...models import PRIORITIES
from ...support import agent_views, handoffs, mail, privacy, saved_replies, suggestions, tags
from ...text import clean_text
from ..help_center import absolute_url
from ..search import clean_query
from ..services import get_engine, mail_settings
from ..session import get_session
from . import display
from .access import role_required
from .forms import StaffForm

bp = Blueprint("console", __name__, url_prefix="/handoffs")

# The queue's tabs: (label, status shown, only the agent's own).
TABS = {
    "open": ("Open", "open", False),
    "mine": ("Assigned to me", "assigned", True),
    "all": ("All", None, False),
    "resolved": ("Resolved", "resolved", False),
}
STATUS_LABELS = {"open": "Open, waiting for an agent", "assigned": "Assigned", "resolved": "Resolved"}
ACTION_LABELS = {"answer": "Answered", "suggest": "Offered choices", "handoff": "Offered a person"}
VIA_LABELS = {
    "search": "from a search",
    "browse": "browsing the help center",
    "bot": "from a bot answer",
    "widget": "in the chat widget",
    "external": "from another site",
    "direct": "opened directly",
}
SEEN_LABELS = {"read": "Read", "bot": "Sent by the bot", "agent": "Sent in an agent reply"}
PRIORITY_LABELS = {priority: priority.capitalize() for priority in PRIORITIES}


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


def script_labels():
    """The labels the page script needs for what it builds from the staff API (the same as the server's)."""
    return {
        "reasons": handoffs.REASON_LABELS,
        "statuses": STATUS_LABELS,
        "resolutions": handoffs.RESOLUTION_LABELS,
        "actions": ACTION_LABELS,
        "via": VIA_LABELS,
        "seen": SEEN_LABELS,
        "priorities": PRIORITY_LABELS,
    }


@bp.context_processor
def _console_context():
    return {
        "display": display,
        "reason_labels": handoffs.REASON_LABELS,
        "resolution_labels": handoffs.RESOLUTION_LABELS,
        "status_labels": STATUS_LABELS,
        "action_labels": ACTION_LABELS,
        "via_labels": VIA_LABELS,
        "priority_labels": PRIORITY_LABELS,
        "article_url": lambda slug: absolute_url("help_center.article", slug=slug),
        "snippet_html": snippet_html,
        "lookback_days": agent_views.CONTEXT_LOOKBACK.days,
        "max_gap_question_chars": handoffs.MAX_GAP_QUESTION_CHARS,
        "max_tag_chars": tags.MAX_TAG_CHARS,
        "script_labels": script_labels(),
        "now": datetime.now(timezone.utc),
    }


@bp.get("/")
@role_required("agent")
def queue():
    tab = request.args.get("tab", "open")
    if tab not in TABS:
        abort(404)
    _label, status, mine = TABS[tab]
    session = get_session()
    filters = tags.queue_filters(request.args)
    entries = handoffs.queue(session, status=status, assignee_id=current_user.id if mine else None, **filters)
    now = datetime.now(timezone.utc)
    return render_template(
        "staff/console/queue.html",
        tab=tab,
        tabs=TABS,
        filters=filters,
        known_tags=tags.known_tags(session),
        counts=tab_counts(session, current_user, **filters),
        entries=agent_views.queue_entries(session, entries, now),
    )


def _article_url(slug):
    return absolute_url("help_center.article", slug=slug)


def _render_handoff(handoff_id, reply_form=None, note_form=None, status=200):
    session = get_session()
    handoff = handoffs.get(session, handoff_id)
    mine = saved_replies.visible(session, current_user)
    context = agent_views.handoff_context(session, handoff)
    query = clean_query(request.args.get("q", "")) or None
    before, after = help_center_activity(context)
    page = render_template(
        "staff/console/handoff.html",
        context=context,
        details=context["handoff"],
        customer=context["customer"],
        timeline=conversation_timeline(context),
        activity_before=before,
        activity_after=after,
        query=query,
        suggestions=suggestions.for_handoff(session, get_engine(), context, query=query),
        seen_phrase=seen_phrase,
        known_tags=tags.known_tags(session),
        reply_form=reply_form or ReplyForm(prefix="reply", formdata=None),
        note_form=note_form or NoteForm(prefix="note", formdata=None),
        assigned_to_me=handoff.assignee_id == current_user.id,
        saved_replies=[
            vars(filled) for filled in saved_replies.fill(session, handoff, current_user, mine, _article_url)
        ],
    )
    return page, status


@bp.get("/<id:handoff_id>")
@role_required("agent")
def handoff(handoff_id):
    return _render_handoff(handoff_id)


def _back(handoff_id, anchor=None):
    return redirect(url_for(".handoff", handoff_id=handoff_id, _anchor=anchor))


def _problem_text(error):
    """A core error as a sentence for the flash message."""
    message = error.message if isinstance(error, InvalidInput) else str(error)
    return message[0].upper() + message[1:] + "."


@bp.post("/<id:handoff_id>/assign")
@role_required("agent")
def assign(handoff_id):
    session = get_session()
    try:
        handoffs.assign(session, handoffs.get(session, handoff_id), current_user._get_current_object())
    except Conflict as e:
        flash(_problem_text(e), "error")
    else:
        flash("Assigned to you.", "info")
    return _back(handoff_id)


def _cleaned(form_class, prefix):
    """The posted form with its text cleaned like any text from outside (no control characters)."""
    form = form_class(prefix=prefix)
    if form.text.data:
        form.text.data = clean_text(form.text.data).strip()
    return form


def _posted(form_class, prefix):
    """Decorator of a route that posts a text form of the handoff page (`prefix`: "reply" or "note"): the
    route gets the form, `_cleaned`, once it validates; an invalid one shows the page again with the
    form's errors (422)."""

    def decorate(view):
        @wraps(view)
        def validated(handoff_id):
            form = _cleaned(form_class, prefix)
            if not form.validate():
                return _render_handoff(handoff_id, status=422, **{f"{prefix}_form": form})
            return view(handoff_id, form)

        return validated

    return decorate


@bp.post("/<id:handoff_id>/reply")
@role_required("agent")
@_posted(ReplyForm, "reply")
def reply(handoff_id, form):
    session, settings = get_session(), mail_settings()
    handoff = handoffs.get(session, handoff_id)
    try:
        reply = handoffs.post_reply(
            session, handoff, current_user._get_current_object(), form.text.data, email=settings is not None
        )
    except (Conflict, InvalidInput) as e:
        flash(_problem_text(e), "error")
        return _back(handoff_id)
    saved_replies.record_uses(session, reply.author, saved_replies.used_ids(form.saved_replies.data), reply)
    emailed = mail.email_reply(session, settings, reply)
    if emailed == mail.Delivery.SENT:
        flash(f"Reply sent: it appears in the customer's chat and was emailed to {handoff.email}.", "info")
    elif emailed == mail.Delivery.RETRYING:
        flash(
            "Reply sent to the customer's chat. The mail server failed, so it is not emailed yet: "
            f"kbbot keeps trying for about {mail.RETRY_HOURS} hours.",
            "error",
        )
    elif emailed == mail.Delivery.FAILED:
        flash(
            f"Reply sent to the customer's chat, but the mail server refused to email it to {handoff.email}.",
            "error",
        )
    else:
        flash("Reply sent: it appears in the customer's chat.", "info")
    return _back(handoff_id, "reply")


@bp.post("/<id:handoff_id>/reply/saved")
@role_required("agent")
def insert_saved_reply(handoff_id):
    """Without JavaScript: the page again, the chosen saved reply filled in after the reply's draft."""
    form = _cleaned(ReplyForm, "reply")
    session = get_session()
    chosen = saved_replies.used_ids(request.form.get("saved_reply"))
    if not chosen:
        flash("Choose a saved reply to insert.", "error")
        return _render_handoff(handoff_id, reply_form=form, status=422)
    handoff = handoffs.get(session, handoff_id)
    [filled] = saved_replies.fill(
        session, handoff, current_user, [saved_replies.get(session, current_user, chosen[0])], _article_url
    )
    form.text.data = "\n\n".join(part for part in (form.text.data, filled.text) if part)
    form.saved_replies.data = " ".join(
        map(str, saved_replies.used_ids(f"{form.saved_replies.data or ''} {filled.id}"))
    )
    if filled.unfilled:
        flash(f"Fill in {', '.join(filled.unfilled)} before sending: it could not be filled.", "error")
    return _render_handoff(handoff_id, reply_form=form)


@bp.post("/<id:handoff_id>/notes")
@role_required("agent")
@_posted(NoteForm, "note")
def add_note(handoff_id, form):
    session = get_session()
    handoffs.add_note(
        session, handoffs.get(session, handoff_id), current_user._get_current_object(), form.text.data
    )
    flash("Internal note added (the customer does not see it).", "info")
    return _back(handoff_id, "note")


@bp.post("/<id:handoff_id>/resolve")
@role_required("agent")
def resolve(handoff_id):
    """The reason comes from the form's list (the CSRF token was checked for every staff POST)."""
    reason = request.form.get("reason")
    session = get_session()
    handoff = handoffs.get(session, handoff_id)
    if reason not in handoffs.RESOLUTION_LABELS:
        flash("Choose one of the listed reasons to resolve the handoff.", "error")
        return _back(handoff_id)
    try:
        handoffs.resolve(
            session, handoff, reason, request.form.get("gap_question")
        )  # kept for article_missing
    except (Conflict, InvalidInput) as e:
        flash(_problem_text(e), "error")
    else:
        flash(f"Resolved: {handoffs.RESOLUTION_LABELS[reason]}.", "info")
    return _back(handoff_id)


@bp.post("/<id:handoff_id>/triage")
@role_required("agent")
def triage(handoff_id):
    """Set the priority, add a tag or remove one: each is its own small form on the handoff page."""
    session = get_session()
    handoff = handoffs.get(session, handoff_id)
    form = request.form
    try:
        tags.triage(
            session,
            handoff,
            current_user._get_current_object(),
            priority=form.get("priority") or None,
            add=[form["add_tag"]] if "add_tag" in form else (),
            remove=[form["remove_tag"]] if "remove_tag" in form else (),
        )
    except InvalidInput as e:
        flash(_problem_text(e), "error")
    else:
        tagged = ", ".join(tag.name for tag in handoff.tags) or "none"
        flash(f"Priority: {PRIORITY_LABELS[handoff.priority]}. Tags: {tagged}.", "info")
    return _back(handoff_id, "triage")


@bp.post("/<id:handoff_id>/reopen")
@role_required("agent")
def reopen(handoff_id):
    session = get_session()
    try:
        handoffs.reopen(session, handoffs.get(session, handoff_id))
    except Conflict as e:
        flash(_problem_text(e), "error")
    else:
        session.commit()
        flash("Reopened: the handoff is back in the queue.", "info")
    return _back(handoff_id)


@bp.post("/<id:handoff_id>/erase")
@role_required("admin")
def erase(handoff_id):
    """Delete everything kept about the handoff's customer (`privacy.erase_visitors`); the admin
    confirms by typing the customer's email address, since nothing can bring it back."""
    session = get_session()
    handoff = handoffs.get(session, handoff_id)
    email = handoff.email
    if request.form.get("confirm_email", "").strip().lower() != email.lower():
        flash(f"Nothing was erased: type {email} to confirm.", "error")
        return _back(handoff_id, "privacy")
    deleted = privacy.erase_visitors(session, privacy.visitors_with_email(session, email))
    session.commit()
    flash(
        f"Erased everything kept about {email}: {deleted.conversations} conversations, "
        f"{deleted.events} events and {deleted.votes} votes.",
        "info",
    )
    return redirect(url_for("staff.console.queue"))
