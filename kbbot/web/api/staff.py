"""The staff API: the handoff queue, each handoff's context, and agents' actions.

Scripts authenticate with an API token (`Authorization: Bearer kbbot_...`,
created with `kbbot token create` or on the staff side's token page); the
staff pages' own scripts use the signed-in session, and then every
state-changing request must carry the page's CSRF token in `X-CSRFToken`,
which a cross-site page cannot read. The caller's user needs the endpoint's
role.
"""

import functools
from datetime import datetime, timezone

from flask import Blueprint, g, request
from flask_login import current_user
from flask_wtf.csrf import ValidationError, validate_csrf

from ...accounts import users
from ...articles.rendering import snippet_html
from ...errors import InvalidInput
from ...models import HANDOFF_STATUSES, PRIORITIES, Handoff
from ...support import (
    agent_views,
    conversations,
    handoffs,
    mail,
    read_marks,
    saved_replies,
    suggestions,
    tags,
)
from ...text import MAX_QUERY_CHARS
from ..help_center import absolute_url
from ..search import clean_query
from ..services import get_engine, mail_settings
from ..session import get_session
from ..staff.access import needs_enrolment
from . import schemas, staff_schemas
from .chat import conversation_out, message_out
from .openapi import documented, parameter
from .problems import problem
from .requests import read_json

bp = Blueprint("staff", __name__, url_prefix="/staff")


SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
MINE = {"1": True, "true": True, "0": False, "false": False}  # ?mine=: only the caller's own handoffs


def _session_user():
    """The signed-in staff member, when the request carries a valid CSRF token wherever one is needed and
    the member has enrolled the second factor their role requires."""
    if not current_user.is_authenticated or needs_enrolment(current_user):
        return None
    if request.method not in SAFE_METHODS:
        try:
            validate_csrf(request.headers.get("X-CSRFToken"))
        except ValidationError:
            return None
    return current_user._get_current_object()


def staff_required(*roles):
    """Only an active user with one of `roles` gets through: 401 without a credential, 403 without.

    The credential is a bearer token or, for the staff pages' scripts, the session plus its CSRF token.
    """

    def decorator(view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            scheme, _, token = request.headers.get("Authorization", "").partition(" ")
            if scheme:
                user = (
                    users.user_for_token(get_session(), token.strip()) if scheme.lower() == "bearer" else None
                )
            else:
                user = _session_user()
            if user is None:
                return problem(
                    401,
                    "Unauthorized",
                    "send a staff API token (Authorization: Bearer <token>), or sign in and send "
                    "the page's CSRF token in X-CSRFToken",
                    headers={"WWW-Authenticate": 'Bearer realm="kbbot staff API"'},
                )
            if not any(user.has_role(role) for role in roles):
                return problem(403, "Forbidden", f"this needs the {' or '.join(roles)} role")
            g.staff_user = user
            return view(*args, **kwargs)

        wrapped.staff_role = roles  # the OpenAPI document's security and errors derive from it
        return wrapped

    return decorator


def _state(handoff: Handoff):
    return staff_schemas.HandoffState.from_attributes(
        handoff, assignee=handoff.assignee.email if handoff.assignee else None
    ).model_dump(mode="json")


@bp.get("/handoffs")
@documented(
    ok=staff_schemas.HandoffList,
    errors=(422,),
    parameters=(
        parameter("status", {"type": "string", "enum": list(HANDOFF_STATUSES)}),
        parameter("mine", {"type": "string", "enum": list(MINE)}, "Only the caller's own handoffs."),
        parameter(
            "tag",
            {"type": "string", "pattern": tags.TAG_INPUT, "maxLength": tags.MAX_TAG_CHARS},
            "Only handoffs with this tag (normalized as tags are).",
        ),
        parameter("priority", {"type": "string", "enum": list(PRIORITIES)}, "Only this priority's handoffs."),
    ),
)
@staff_required("agent")
def handoff_queue():
    """The handoff queue: waiting handoffs first, the reply due soonest first (then those with nothing due,
    oldest first), then resolved ones latest first."""
    status = request.args.get("status")
    if status is not None and status not in HANDOFF_STATUSES:
        raise InvalidInput("status", f"must be one of {', '.join(HANDOFF_STATUSES)}")
    if request.args.get("mine", "0") not in MINE:
        raise InvalidInput("mine", f"must be one of {', '.join(MINE)}")
    priority = request.args.get("priority")
    if priority is not None and priority not in PRIORITIES:
        raise InvalidInput("priority", f"must be one of {', '.join(PRIORITIES)}")
    tag = tags.normalize(request.args["tag"]) if "tag" in request.args else None
    mine = MINE[request.args.get("mine", "0")]
    session = get_session()
    filters = {"tag": tag, "priority": priority}
    found = handoffs.queue(session, status=status, assignee_id=g.staff_user.id if mine else None, **filters)
    now = datetime.now(timezone.utc)
    return staff_schemas.HandoffList(
        handoffs=read_marks.with_read_state(
            session, g.staff_user, agent_views.queue_entries(session, found, now)
        ),
        counts=handoffs.count_by_status(session, **filters),
        assigned_to_me=handoffs.count_by_status(session, assignee_id=g.staff_user.id, **filters)["assigned"],
    ).model_dump(mode="json")


@bp.get("/handoffs/<id:handoff_id>")
@documented(ok=staff_schemas.HandoffContext, errors=(404,))
@staff_required("agent")
def handoff_context(handoff_id):
    """A handoff with its context: transcript, articles viewed, searches, page."""
    session = get_session()
    context = agent_views.handoff_context(session, handoffs.get(session, handoff_id))
    return staff_schemas.HandoffContext(**context).model_dump(mode="json")


@bp.patch("/handoffs/<id:handoff_id>")
@documented(body=staff_schemas.TriageRequest, ok=staff_schemas.HandoffTriage, errors=(404,))
@staff_required("agent")
def triage(handoff_id):
    """Set the handoff's priority or its tags (the whole list)."""
    body = read_json()
    session = get_session()
    handoff = tags.triage(
        session, handoffs.get(session, handoff_id), g.staff_user, priority=body.priority, tags=body.tags
    )
    now = datetime.now(timezone.utc)
    return staff_schemas.HandoffTriage(id=handoff.id, **agent_views.triage_entry(handoff, now)).model_dump(
        mode="json"
    )


@bp.post("/handoffs/<id:handoff_id>/assign")
@documented(ok=staff_schemas.HandoffState, errors=(404, 409))
@staff_required("agent")
def assign_to_me(handoff_id):
    """Assign the handoff to the caller."""
    session = get_session()
    return _state(handoffs.assign(session, handoffs.get(session, handoff_id), g.staff_user))


@bp.post("/handoffs/<id:handoff_id>/replies")
@documented(body=staff_schemas.ReplyRequest, ok=schemas.MessageOut, status=201, errors=(404, 409))
@staff_required("agent")
def reply(handoff_id):
    """Reply to the customer (appears in their conversation), counting the saved replies it used."""
    body = read_json()
    session = get_session()
    handoff = handoffs.get(session, handoff_id)
    settings = mail_settings()
    message = handoffs.post_reply(session, handoff, g.staff_user, body.text, email=settings is not None)
    saved_replies.record_uses(session, g.staff_user, body.saved_reply_ids, message)
    mail.email_reply(session, settings, message)
    return schemas.MessageOut(**message_out(message)).model_dump(mode="json"), 201


@bp.post("/handoffs/<id:handoff_id>/notes")
@documented(body=staff_schemas.NoteRequest, ok=staff_schemas.NoteOut, status=201, errors=(404,))
@staff_required("agent")
def add_note(handoff_id):
    """Add an internal note (staff only: never shown to the customer).

    Staff see it in the handoff's context; the customer never does.
    """
    body = read_json()
    session = get_session()
    note = handoffs.add_note(session, handoffs.get(session, handoff_id), g.staff_user, body.text)
    return staff_schemas.NoteOut(**agent_views.note_entry(note)).model_dump(mode="json"), 201


@bp.get("/handoffs/<id:handoff_id>/suggestions")
@documented(
    ok=staff_schemas.SuggestionsOut,
    errors=(404, 422),
    parameters=(
        parameter(
            "q",
            {"type": "string", "maxLength": MAX_QUERY_CHARS},
            "The agent's search; blank: from the customer's questions.",
        ),
    ),
)
@staff_required("agent")
def article_suggestions(handoff_id):
    """Articles for the reply, from the customer's questions or ?q=, flagged when the customer saw them."""
    sent = request.args.get("q", "")
    if len(sent) > MAX_QUERY_CHARS:
        raise InvalidInput("q", f"must be at most {MAX_QUERY_CHARS} characters")
    query = clean_query(sent) or None
    session = get_session()
    context = agent_views.handoff_context(session, handoffs.get(session, handoff_id))
    found = suggestions.for_handoff(session, get_engine(), context, query=query)
    return staff_schemas.SuggestionsOut(
        query=query, articles=[suggestion_out(suggestion) for suggestion in found]
    ).model_dump(mode="json")


def suggestion_out(suggestion):
    return {
        "slug": suggestion.slug,
        "title": suggestion.title,
        "url": absolute_url("help_center.article", slug=suggestion.slug),
        "snippet": suggestion.snippet,
        "snippet_html": snippet_html(
            suggestion.snippet, absolute_url("help_center.article", slug=suggestion.slug)
        ),
        "score": suggestion.score,
        "seen": [vars(seen) for seen in suggestion.seen],
    }


@bp.post("/handoffs/<id:handoff_id>/resolve")
@documented(body=staff_schemas.ResolveRequest, ok=staff_schemas.HandoffState, errors=(404, 409))
@staff_required("agent")
def resolve(handoff_id):
    """Resolve the handoff with a reason (and, for `article_missing`, the question that is the gap)."""
    body = read_json()
    session = get_session()
    handoff = handoffs.get(session, handoff_id)
    return _state(handoffs.resolve(session, handoff, body.reason, body.gap_question))


@bp.post("/handoffs/<id:handoff_id>/reopen")
@documented(ok=staff_schemas.HandoffState, errors=(404, 409))
@staff_required("agent")
def reopen(handoff_id):
    """Reopen a resolved handoff."""
    session = get_session()
    handoff = handoffs.reopen(session, handoffs.get(session, handoff_id))
    session.commit()
    return _state(handoff)


@bp.get("/conversations/<conversation_id>")
@documented(ok=schemas.ConversationOut, errors=(404,))
@staff_required("agent")
def conversation(conversation_id):
    """Any conversation's transcript."""
    return conversation_out(conversations.get(get_session(), conversation_id))
