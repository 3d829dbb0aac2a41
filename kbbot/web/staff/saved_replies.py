"""The saved-replies page: agents manage their own saved replies, editors and admins the shared ones.

The rules (shortcut, placeholders, who changes which) are the core's (support/saved_replies.py); a
broken one is shown on its field. Agents insert them in the handoff page's composer (console.py).
"""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from wtforms import BooleanField, StringField, TextAreaField

from ...errors import InvalidInput
from ...support import placeholders, saved_replies
from ...text import clean_text
from ..session import get_session
from .access import role_required
from .forms import StaffForm

bp = Blueprint("saved_replies", __name__, url_prefix="/replies")
ROLES = ("agent", saved_replies.SHARED_ROLE)


class SavedReplyForm(StaffForm):
    title = StringField("Title")
    shortcut = StringField("Shortcut (typed after “/” in the reply box)")
    body = TextAreaField("Text")
    shared = BooleanField("Shared with the team")


class DeleteForm(StaffForm):
    """Only the CSRF token: deleting changes state."""


def _page(template, form, status=200, **context):
    return (
        render_template(
            template,
            form=form,
            placeholder_names=placeholders.NAMES,
            may_share=current_user.has_role(saved_replies.SHARED_ROLE),
            max_body_chars=saved_replies.MAX_BODY_CHARS,
            **context,
        ),
        status,
    )


def _index_page(form, status=200):
    listed = saved_replies.listing(get_session(), current_user)
    return _page(
        "staff/saved_replies/index.html",
        form,
        status,
        listed=listed,
        recent_days=saved_replies.RECENT.days,
    )


def _fields(form):
    """The posted fields, cleaned like any text from outside (no control characters)."""
    return {
        "title": clean_text(form.title.data or ""),
        "shortcut": clean_text(form.shortcut.data or ""),
        "body": clean_text(form.body.data or ""),
        "shared": form.shared.data,
    }


def _saved(form, save):
    """The reply `save(**fields)` saved; on a broken rule, None and the error on its field."""
    try:
        return save(**_fields(form))
    except saved_replies.NotAllowed:
        abort(403)
    except InvalidInput as e:
        getattr(form, e.field).errors.append(e.message[0].upper() + e.message[1:] + ".")
        return None


@bp.get("/")
@role_required(*ROLES)
def index():
    return _index_page(SavedReplyForm(formdata=None))


@bp.post("/")
@role_required(*ROLES)
def create():
    form = SavedReplyForm()
    if not form.validate():
        abort(400)  # only the CSRF token can fail (the fields' rules are the core's)
    session, user = get_session(), current_user._get_current_object()
    reply = _saved(form, lambda **fields: saved_replies.create(session, user, **fields))
    if reply is None:
        return _index_page(form, status=422)
    flash(f"Saved reply /{reply.shortcut} added.", "info")
    return redirect(url_for(".index"))


def _changeable(reply_id):
    reply = saved_replies.get(get_session(), current_user, reply_id)
    if not saved_replies.may_change(current_user, reply):
        abort(403)
    return reply


@bp.get("/<id:reply_id>/edit")
@role_required(*ROLES)
def edit(reply_id):
    reply = _changeable(reply_id)
    return _page("staff/saved_replies/edit.html", SavedReplyForm(obj=reply, formdata=None), reply=reply)


@bp.post("/<id:reply_id>/edit")
@role_required(*ROLES)
def update(reply_id):
    reply, form = _changeable(reply_id), SavedReplyForm()
    if not form.validate():
        abort(400)
    session, user = get_session(), current_user._get_current_object()
    if _saved(form, lambda **fields: saved_replies.update(session, user, reply, **fields)) is None:
        return _page("staff/saved_replies/edit.html", form, status=422, reply=reply)
    flash(f"Saved reply /{reply.shortcut} updated.", "info")
    return redirect(url_for(".index"))


@bp.post("/<id:reply_id>/delete")
@role_required(*ROLES)
def delete(reply_id):
    reply = _changeable(reply_id)
    if not DeleteForm().validate():
        abort(400)
    shortcut = reply.shortcut
    saved_replies.delete(get_session(), current_user._get_current_object(), reply)
    flash(f"Saved reply /{shortcut} deleted.", "info")
    return redirect(url_for(".index"))
