"""The staff API for saved replies: list, create, change and delete them, and fill them for a handoff.

The same rules as the saved-replies page: everyone sees the shared replies and their own, agents
manage their own, editors and admins the shared ones (403 otherwise); another agent's own reply is
404. A reply sent with `saved_reply_ids` (POST .../handoffs/<id>/replies) counts their use.
"""

from flask import Blueprint, g

from ...support import handoffs, saved_replies
from ..help_center import absolute_url
from ..session import get_session
from .openapi import documented
from .problems import problem
from .requests import read_json
from .saved_reply_schemas import (
    FilledReplyList,
    FilledReplyOut,
    SavedReplyList,
    SavedReplyOut,
    SavedReplyWrite,
)
from .staff import staff_required

bp = Blueprint("staff_saved_replies", __name__, url_prefix="/staff")
ROLES = ("agent", saved_replies.SHARED_ROLE)


@bp.errorhandler(saved_replies.NotAllowed)
def _not_allowed(error: saved_replies.NotAllowed):
    return problem(403, "Forbidden", str(error))


@bp.errorhandler(saved_replies.ShortcutTaken)
def _shortcut_taken(error: saved_replies.ShortcutTaken):
    return problem(409, "Conflict", str(error), errors=[{"field": error.field, "message": error.message}])


def _out(listed: saved_replies.Listed):
    reply = listed.reply
    return SavedReplyOut.from_attributes(
        reply,
        owner=reply.owner.email if reply.owner else None,
        uses=listed.uses,
        recent_uses=listed.recent_uses,
        changeable=listed.changeable,
    ).model_dump(mode="json")


def _listed(reply_id):
    found = [item for item in saved_replies.listing(get_session(), g.staff_user) if item.reply.id == reply_id]
    return _out(found[0])


@bp.get("/saved-replies")
@documented(ok=SavedReplyList)
@staff_required(*ROLES)
def saved_reply_list():
    """The shared saved replies and the caller's own, by shortcut, with their use counts."""
    listed = saved_replies.listing(get_session(), g.staff_user)
    return SavedReplyList(saved_replies=[_out(item) for item in listed]).model_dump(mode="json")


@bp.post("/saved-replies")
@documented(body=SavedReplyWrite, ok=SavedReplyOut, status=201, errors=(409,))
@staff_required(*ROLES)
def create():
    """Add a saved reply: the caller's own, or shared with the team (editors and admins)."""
    body = read_json()
    reply = saved_replies.create(
        get_session(), g.staff_user, body.title, body.shortcut, body.body, body.shared
    )
    return _listed(reply.id), 201


@bp.get("/saved-replies/<id:reply_id>")
@documented(ok=SavedReplyOut, errors=(404,))
@staff_required(*ROLES)
def saved_reply(reply_id):
    """One saved reply (a shared one or the caller's own)."""
    saved_replies.get(get_session(), g.staff_user, reply_id)
    return _listed(reply_id)


@bp.put("/saved-replies/<id:reply_id>")
@documented(body=SavedReplyWrite, ok=SavedReplyOut, errors=(404, 409))
@staff_required(*ROLES)
def update(reply_id):
    """Change a saved reply: the caller's own, or a shared one (editors and admins)."""
    body = read_json()
    session = get_session()
    reply = saved_replies.get(session, g.staff_user, reply_id)
    saved_replies.update(session, g.staff_user, reply, body.title, body.shortcut, body.body, body.shared)
    return _listed(reply_id)


@bp.delete("/saved-replies/<id:reply_id>")
@documented(status=204, errors=(404,))
@staff_required(*ROLES)
def delete(reply_id):
    """Delete a saved reply: the caller's own, or a shared one (editors and admins)."""
    session = get_session()
    saved_replies.delete(session, g.staff_user, saved_replies.get(session, g.staff_user, reply_id))
    return "", 204


@bp.get("/handoffs/<id:handoff_id>/saved-replies")
@documented(ok=FilledReplyList, errors=(404,))
@staff_required("agent")
def filled(handoff_id):
    """The saved replies the caller sees, filled in for a handoff as the caller would insert them."""
    session = get_session()
    handoff = handoffs.get(session, handoff_id)
    found = saved_replies.fill(
        session,
        handoff,
        g.staff_user,
        saved_replies.visible(session, g.staff_user),
        lambda slug: absolute_url("help_center.article", slug=slug),
    )
    return FilledReplyList(saved_replies=[FilledReplyOut(**vars(item)) for item in found]).model_dump(
        mode="json"
    )
