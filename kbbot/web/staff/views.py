"""Staff pages: sign in (password, then the second factor), sign out, change password, the staff home.

Signing in with a second factor takes two steps. The password step starts no
login session: it leaves the user's id, session version and a deadline
(SECOND_STEP_SECONDS) in the cookie, and only a valid code on the next page signs
in. A login session records when it started and when it was last used, so that
it ends idle or at its absolute lifetime (staff/__init__.py checks both).
"""

import re
import time

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import func, select
from werkzeug.exceptions import NotFound as NotFoundPage
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from ...accounts import auth, passwords
from ...errors import InvalidInput, NotFound
from ...models import User
from ...support import handoffs
from ...text import url_parts
from .. import security_headers
from ..request_input import stated_reason
from ..session import get_session
from .access import needs_enrolment
from .forms import StaffForm

bp = Blueprint("staff", __name__, url_prefix="/staff")
security_headers.protect(bp, "staff")  # nested areas (staff/__init__.py) included

SESSION_VERSION_KEY = "kbbot_session_version"
SIGNED_IN_AT_KEY = "kbbot_signed_in_at"  # Unix seconds
LAST_SEEN_KEY = "kbbot_last_seen"  # Unix seconds
SECOND_STEP_KEY = "kbbot_second_step"  # the password step's result, before the code
SECOND_STEP_SECONDS = 300
_CONTROL_CHARACTER = re.compile(r"[\x00-\x1f\x7f]")


class LoginForm(StaffForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=320)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1000)])


class CodeForm(StaffForm):
    code = StringField(
        "Code from your authenticator app, or a recovery code",
        validators=[DataRequired(), Length(max=40)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True},
    )


class PasswordForm(StaffForm):
    current_password = PasswordField("Current password", validators=[DataRequired()])
    new_password = PasswordField(
        "New password",
        validators=[DataRequired(), Length(min=passwords.MIN_LENGTH, max=passwords.MAX_LENGTH)],
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


def start_session(user):
    """Sign `user` in with a fresh session: nothing from before survives (no fixation)."""
    session.clear()
    login_user(user)
    session.permanent = True  # the cookie lasts PERMANENT_SESSION_LIFETIME (KBBOT_STAFF_SESSION_HOURS)
    session[SESSION_VERSION_KEY] = user.session_version
    session[SIGNED_IN_AT_KEY] = session[LAST_SEEN_KEY] = int(time.time())


def _throttled(template, form, error, **context):
    flash(str(error).capitalize() + ".", "error")
    return render_template(template, form=form, **context), 429, {"Retry-After": str(error.retry_after)}


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
            return _throttled("staff/login.html", form, e)
        if user is not None:
            target = _safe_next(request.args.get("next"))
            if user.has_two_factor:
                session.clear()
                session[SECOND_STEP_KEY] = {
                    "user": user.id,
                    "version": user.session_version,
                    "until": int(time.time()) + SECOND_STEP_SECONDS,
                    "next": target,
                }
                return redirect(url_for("staff.login_code"))
            start_session(user)
            return redirect(url_for("staff.two_factor.index") if needs_enrolment(user) else target)
        flash("Wrong email or password.", "error")
        status = 401
    no_users = get_session().execute(select(func.count(User.id))).scalar_one() == 0
    return render_template("staff/login.html", form=form, no_users=no_users), status


def _second_step_user():
    """The user whose password was right moments ago in this browser, and where they were going; None once
    the step is over, too old, or the user's sessions were ended since."""
    pending = session.get(SECOND_STEP_KEY)
    if not isinstance(pending, dict) or pending.get("until", 0) < time.time():
        return None
    user = get_session().get(User, pending.get("user", 0))
    if (
        user is None
        or not user.active
        or not user.has_two_factor
        or user.session_version != pending["version"]
    ):
        return None
    return user, pending["next"]


@bp.route("/login/code", methods=["GET", "POST"])
def login_code():
    """The second step: a code from the user's authenticator app, or one of their recovery codes."""
    pending = _second_step_user()
    if pending is None:
        session.pop(SECOND_STEP_KEY, None)
        flash("Sign in again: the code must follow the password within a few minutes.", "error")
        return redirect(url_for("staff.login"))
    user, target = pending
    form = CodeForm()
    status = 200
    if form.validate_on_submit():
        try:
            proved = auth.second_step(get_session(), user, form.code.data, request.remote_addr or "")
        except auth.Throttled as e:
            return _throttled("staff/login_code.html", form, e)
        if proved:
            start_session(user)
            return redirect(target)
        form.code.errors.append("Wrong or already used code.")
        status = 401
    return render_template("staff/login_code.html", form=form), status


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
            field = {"password": "new_password"}.get(e.field, e.field)
            getattr(form, field).errors.append(e.message.capitalize() + ".")
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
