"""API tokens on the web: each staff member creates, sees and revokes their own; admins see everyone's.

A token acts as its user (with the user's roles) on the staff API, for
scripts such as a CMS pushing articles. It is shown once, right after it is
created, and only its hash is stored. It may expire after a chosen number of
days; it is revoked when its owner's password changes or the account is switched off.
"""

from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from ...accounts import users
from ...models import ApiToken, utcnow
from ..session import get_session
from .forms import StaffForm

bp = Blueprint("tokens", __name__, url_prefix="/tokens")


class TokenForm(StaffForm):
    name = StringField(
        "What is it for?",
        validators=[DataRequired("Name the token, e.g. 'CMS sync'."), Length(max=200)],
    )
    # Days until it expires; "never" keeps it until revoked.
    expires = SelectField(
        "Expires",
        choices=[
            SelectChoice(value, label)
            for value, label in (
                ("7", "in 7 days"),
                ("30", "in 30 days"),
                ("90", "in 90 days"),
                ("365", "in a year"),
                ("never", "never"),
            )
        ],
        default="90",
    )


class RevokeForm(StaffForm):
    """Only the CSRF token: revoking changes state."""


def _visible_tokens():
    """The signed-in user's tokens, newest first; for an admin, every user's."""
    query = select(ApiToken).options(selectinload(ApiToken.user)).order_by(ApiToken.id.desc())
    if not current_user.has_role("admin"):
        query = query.where(ApiToken.user_id == current_user.id)
    return get_session().execute(query).scalars().all()


def _page(form, new_token=None, status=200):
    return (
        render_template(
            "staff/tokens.html",
            form=form,
            tokens=_visible_tokens(),
            new_token=new_token,
            now=utcnow(),
        ),
        status,
    )


@bp.get("/")
@login_required
def index():
    return _page(TokenForm())


@bp.post("/")
@login_required
def create():
    form = TokenForm()
    if not form.validate():
        return _page(form, status=400)
    expires_at = None if form.expires.data == "never" else utcnow() + timedelta(days=int(form.expires.data))
    token, record = users.create_token(
        get_session(), current_user._get_current_object(), form.name.data.strip(), expires_at=expires_at
    )
    # Rendered in this response only (never flashed into the session cookie, never logged).
    return _page(TokenForm(formdata=None), new_token=(token, record), status=201)


@bp.post("/<id:token_id>/revoke")
@login_required
def revoke(token_id):
    if not RevokeForm().validate():
        abort(400)
    record = get_session().get(ApiToken, token_id)
    if record is None or (record.user_id != current_user.id and not current_user.has_role("admin")):
        abort(404)  # someone else's token: not even its existence is shown
    users.revoke_token(get_session(), token_id)
    flash(f"Token “{record.name}” revoked; scripts using it now get 401.", "info")
    return redirect(url_for(".index"))
