"""The team page (admins): add staff members, change their roles, switch accounts off and on, reset a
member's second factor.

The command line does the same (`kbbot user create/disable/reset-2fa`); the first
admin is created there, since nobody can sign in before.
"""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from sqlalchemy import select
from wtforms import BooleanField, EmailField, PasswordField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from ...accounts import passwords, two_factor, users
from ...errors import Conflict, InvalidInput
from ...models import ROLES, User
from ..session import get_session
from .access import role_required
from .forms import StaffForm

bp = Blueprint("team", __name__, url_prefix="/team")

ROLE_DESCRIPTIONS = {
    "agent": "Agent: answers handed-off conversations",
    "editor": "Editor: writes and publishes articles, sees content reports",
    "admin": "Admin: everything, including the team and all reports",
}
ROLE_CHOICES = [SelectChoice(role, ROLE_DESCRIPTIONS[role]) for role in ROLES]


class RolesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class NewUserForm(StaffForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=320)])
    name = StringField("Name shown to customers", validators=[Length(max=200)])
    roles = RolesField("Roles", choices=ROLE_CHOICES)
    password = PasswordField(
        "First password (they change it after signing in)",
        validators=[
            DataRequired(),
            Length(
                min=passwords.MIN_LENGTH,
                max=passwords.MAX_LENGTH,
                message=f"Use at least {passwords.MIN_LENGTH} characters.",
            ),
        ],
    )


class MemberForm(StaffForm):
    name = StringField("Name", validators=[Length(max=200)])
    roles = RolesField("Roles", choices=ROLE_CHOICES)
    active = BooleanField("Account on")


class ResetTwoFactorForm(StaffForm):
    """Only the CSRF token: resetting changes state."""


def _members():
    return get_session().execute(select(User).order_by(User.email)).scalars().all()


def _page(form, status=200):
    members = _members()
    forms = {member.id: MemberForm(prefix=f"m{member.id}", obj=member, formdata=None) for member in members}
    return (
        render_template(
            "staff/team.html",
            form=form,
            members=members,
            member_forms=forms,
        ),
        status,
    )


def _field_error(form, error: InvalidInput):
    field = {"role": "roles"}.get(error.field, error.field)
    getattr(form, field).errors.append(error.message.capitalize() + ".")


@bp.get("/")
@role_required("admin")
def index():
    return _page(NewUserForm())


@bp.post("/")
@role_required("admin")
def create():
    form = NewUserForm()
    if form.validate():
        try:
            user = users.create_user(
                get_session(),
                form.email.data,
                form.roles.data,
                password=form.password.data,
                name=(form.name.data or "").strip(),
            )
        except InvalidInput as e:
            _field_error(form, e)
        except Conflict as e:
            form.email.errors.append(str(e).capitalize() + ".")
        else:
            flash(
                f"Added {user.email} ({', '.join(user.roles)}). Give them their first password privately.",
                "info",
            )
            return redirect(url_for(".index"))
    return _page(form, status=400)


@bp.post("/<id:user_id>")
@role_required("admin")
def update(user_id):
    session = get_session()
    member = session.get(User, user_id) or abort(404)
    form = MemberForm(prefix=f"m{user_id}")
    if not form.validate():
        flash("The change could not be saved: reload the page and try again.", "error")
        return redirect(url_for(".index"))
    try:
        users.update_user(session, member, (form.name.data or "").strip(), form.roles.data, form.active.data)
    except (InvalidInput, Conflict) as e:
        session.rollback()
        flash(f"{member.email} not changed: {e}.", "error")
    else:
        state = "on" if member.active else "off, signed out everywhere"
        flash(f"Saved {member.email}: {', '.join(member.roles)}; account {state}.", "info")
    return redirect(url_for(".index"))


@bp.post("/<id:user_id>/two-factor/reset")
@role_required("admin")
def reset_two_factor(user_id):
    """Remove a member's second factor (lost phone and codes): their sessions end; they enrol again."""
    session = get_session()
    member = session.get(User, user_id) or abort(404)
    if not ResetTwoFactorForm().validate():
        abort(400)
    two_factor.reset(session, member)
    flash(
        f"Two-factor sign-in of {member.email} reset and their sessions ended; they set it up again.", "info"
    )
    return redirect(url_for(".index"))
