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

from ...articles.rendering import snippet_html
from ...errors import Conflict, InvalidInput
from ...models import MAX_ID, PRIORITIES
from ...support import agent_views, handoffs, mail, privacy, read_marks, saved_replies, tags
from ...text import clean_text, whole_number
from ..services import mail_settings
from ..session import get_session
from . import display, workspace
from .access import role_required
from .workspace import SEEN_LABELS, VIA_LABELS, NoteForm, ReplyForm, article_url, render_handoff

bp = Blueprint("console", __name__, url_prefix="/handoffs")

STATUS_LABELS = {"open": "Open, waiting for an agent", "assigned": "Assigned", "resolved": "Resolved"}
ACTION_LABELS = {"answer": "Answered", "suggest": "Offered choices", "handoff": "Offered a person"}
PRIORITY_LABELS = {priority: priority.capitalize() for priority in PRIORITIES}


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
        "article_url": article_url,
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
    return render_template(
        "staff/console/queue.html", **workspace.queue_list(get_session(), current_user, request.args)
    )


@bp.get("/<id:handoff_id>")
@role_required("agent")
def handoff(handoff_id):
    return render_handoff(handoff_id)


@bp.post("/<id:handoff_id>/read")
@role_required("agent")
def mark_read(handoff_id):
    """The page's script: the agent had the conversation on screen up to the message `message_id`."""
    message_id = whole_number(request.form.get("message_id", ""))
    if message_id is None or not 1 <= message_id <= MAX_ID:
        abort(422)
    session = get_session()
    read_marks.mark_read(
        session, handoffs.get(session, handoff_id), current_user._get_current_object(), message_id
    )
    return "", 204


def _back(handoff_id, anchor=None):
    return redirect(url_for(".handoff", handoff_id=handoff_id, _anchor=anchor))


def _problem_text(error):
    """A core error as a sentence for the flash message."""
    message = error.message
    return message[0].upper() + message[1:] + "."


def _flashing(*errors, anchor=None):
    """Decorator of an action on a handoff: a core error of `errors` that it raises is flashed as a
    sentence, and the agent goes back to the handoff (at `anchor`), as after the action."""

    def decorate(view):
        @wraps(view)
        def flashed(handoff_id, *args):
            try:
                return view(handoff_id, *args)
            except errors as e:
                flash(_problem_text(e), "error")
                return _back(handoff_id, anchor)

        return flashed

    return decorate


@bp.post("/<id:handoff_id>/assign")
@role_required("agent")
@_flashing(Conflict)
def assign(handoff_id):
    session = get_session()
    handoffs.assign(session, handoffs.get(session, handoff_id), current_user._get_current_object())
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
                return render_handoff(handoff_id, status=422, **{f"{prefix}_form": form})
            return view(handoff_id, form)

        return validated

    return decorate


@bp.post("/<id:handoff_id>/reply")
@role_required("agent")
@_posted(ReplyForm, "reply")
@_flashing(Conflict, InvalidInput)
def reply(handoff_id, form):
    session, settings = get_session(), mail_settings()
    handoff = handoffs.get(session, handoff_id)
    reply = handoffs.post_reply(
        session, handoff, current_user._get_current_object(), form.text.data, email=settings is not None
    )
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
        return render_handoff(handoff_id, reply_form=form, status=422)
    handoff = handoffs.get(session, handoff_id)
    [filled] = saved_replies.fill(
        session, handoff, current_user, [saved_replies.get(session, current_user, chosen[0])], article_url
    )
    form.text.data = "\n\n".join(part for part in (form.text.data, filled.text) if part)
    form.saved_replies.data = " ".join(
        map(str, saved_replies.used_ids(f"{form.saved_replies.data or ''} {filled.id}"))
    )
    if filled.unfilled:
        flash(f"Fill in {', '.join(filled.unfilled)} before sending: it could not be filled.", "error")
    return render_handoff(handoff_id, reply_form=form)


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
@_flashing(Conflict, InvalidInput)
def resolve(handoff_id):
    """The reason comes from the form's list (the CSRF token was checked for every staff POST)."""
    reason = request.form.get("reason")
    session = get_session()
    handoff = handoffs.get(session, handoff_id)
    if reason not in handoffs.RESOLUTION_LABELS:
        flash("Choose one of the listed reasons to resolve the handoff.", "error")
        return _back(handoff_id)
    handoffs.resolve(session, handoff, reason, request.form.get("gap_question"))  # kept for article_missing
    flash(f"Resolved: {handoffs.RESOLUTION_LABELS[reason]}.", "info")
    return _back(handoff_id)


@bp.post("/<id:handoff_id>/triage")
@role_required("agent")
@_flashing(InvalidInput, anchor="triage")
def triage(handoff_id):
    """Set the priority, add a tag or remove one: each is its own small form on the handoff page."""
    session = get_session()
    handoff = handoffs.get(session, handoff_id)
    form = request.form
    tags.triage(
        session,
        handoff,
        current_user._get_current_object(),
        priority=form.get("priority") or None,
        add=[form["add_tag"]] if "add_tag" in form else (),
        remove=[form["remove_tag"]] if "remove_tag" in form else (),
    )
    tagged = ", ".join(tag.name for tag in handoff.tags) or "none"
    flash(f"Priority: {PRIORITY_LABELS[handoff.priority]}. Tags: {tagged}.", "info")
    return _back(handoff_id, "triage")


@bp.post("/<id:handoff_id>/reopen")
@role_required("agent")
@_flashing(Conflict)
def reopen(handoff_id):
    session = get_session()
    handoffs.reopen(session, handoffs.get(session, handoff_id))
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
