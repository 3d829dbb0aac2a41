"""Staff pages: sign in, sign out, change password, and the staff home."""

import re

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import func, select
from werkzeug.exceptions import NotFound as NotFoundPage
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

from ...accounts import auth
from ...accounts.users import MIN_PASSWORD_LENGTH
from ...errors import InvalidInput, NotFound
from ...models import User
from ...support import handoffs
from ...text import url_parts
from .. import security_headers
from ..request_input import stated_reason
from ..session import get_session
from .forms import StaffForm

bp = Blueprint("staff", __name__, url_prefix="/staff")
security_headers.protect(bp, "staff")  # nested areas (staff/__init__.py) included

SESSION_VERSION_KEY = "kbbot_session_version"
_CONTROL_CHARACTER = re.compile(r"[\x00-\x1f\x7f]")


class LoginForm(StaffForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=320)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1000)])


class PasswordForm(StaffForm):
    current_password = PasswordField("Current password", validators=[DataRequired()])
    new_password = PasswordField(
        "New password", validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=1000)]
    )
    confirm = PasswordField(
        "Repeat the new password", validators=[EqualTo("new_password", "Passwords differ.")]
    )


@bp.errorhandler(400)
@bp.errorhandler(403)
@bp.errorhandler(404)
def _error_page(error):
    return render_template("staff/error.html", error=error, reason=stated_reason(error)), error.code


@bp.errorhandler(NotFound)
def _not_found(error):
    """Something the core could not find (an unknown handoff, article or revision): the 404 page."""
    return _error_page(NotFoundPage())


def _safe_next(target):
    """Only a path on this site's staff side: never an open redirect, never a header it cannot send."""
    home = url_for("staff.home")
    # Browsers drop tabs and line breaks from URLs, and a Location header cannot hold them.
    if not target or _CONTROL_CHARACTER.search(target) or "\\" in target:
        return home
    parts = url_parts(target)
    if parts is None or parts.scheme or parts.netloc or not parts.path.startswith("/staff"):
        return home
    return target


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = auth.authenticate(
                get_session(), form.email.data, form.password.data, request.remote_addr or ""
            )
        except auth.Throttled as e:
            flash(str(e).capitalize() + ".", "error")
            return render_template("staff/login.html", form=form), 429, {"Retry-After": str(e.retry_after)}
        if user is not None:
            session.clear()  # a fresh session: nothing from before sign-in survives (no fixation)
            login_user(user)
            session.permanent = True  # expires after PERMANENT_SESSION_LIFETIME (KBBOT_STAFF_SESSION_HOURS)
            session[SESSION_VERSION_KEY] = user.session_version
            return redirect(_safe_next(request.args.get("next")))
        flash("Wrong email or password.", "error")
        status = 401
    no_users = get_session().execute(select(func.count(User.id))).scalar_one() == 0
    return render_template("staff/login.html", form=form, no_users=no_users), status


@bp.post("/logout")
@login_required
def logout():
    """Sign out everywhere: every session of this user ends, not only this browser's."""
    auth.end_sessions(get_session(), current_user._get_current_object())
    logout_user()
    session.clear()
    flash("You are signed out.", "info")
    return redirect(url_for("staff.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            auth.change_password(
                get_session(), current_user, form.current_password.data, form.new_password.data
            )
        except InvalidInput as e:
            getattr(form, e.field).errors.append(e.message.capitalize() + ".")
        else:
            logout_user()
            session.clear()
            flash("Password changed. Every session was signed out; sign in with the new password.", "info")
            return redirect(url_for("staff.login"))
    return render_template("staff/password.html", form=form)


@bp.get("/")
@login_required
def home():
    return render_template("staff/home.html", handoff_counts=handoffs.count_by_status(get_session()))
