"""Two-factor sign-in on the web: enrol an authenticator app, renew recovery codes, turn it off.

Enrolment shows the secret as a QR code (drawn here as an SVG data URI: the
staff pages load no remote image and run no inline script) and as text to type
in, and puts it in force only once a code from the app is confirmed. Recovery
codes are rendered in that response only, never flashed into the cookie.
Renewing the codes or turning the second factor off asks for the password again.
"""

import segno
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, logout_user
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from ...accounts import auth, two_factor
from ...errors import Conflict, InvalidInput
from ...models import utcnow
from ..session import get_session
from .access import needs_enrolment
from .forms import StaffForm
from .views import SESSION_VERSION_KEY

bp = Blueprint("two_factor", __name__, url_prefix="/two-factor")


class EnrolForm(StaffForm):
    code = StringField(
        "The 6-digit code your app shows",
        validators=[DataRequired(), Length(max=20)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )


class PasswordCheckForm(StaffForm):
    password = PasswordField("Your password", validators=[DataRequired(), Length(max=1000)])


def _user():
    return current_user._get_current_object()


def qr_code_data_uri(text):
    """`text` as a QR code: an SVG data URI for an <img> (the staff pages allow data: images)."""
    return segno.make(text, error="m").svg_data_uri(scale=5, border=2)


def _grouped(secret):
    """The secret in groups of four, as people type it from a screen."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _enrolment_page(form, status=200):
    user = _user()
    secret = two_factor.begin_enrolment(get_session(), user)
    uri = two_factor.provisioning_uri(user, current_app.config["PRODUCT_NAME"])
    return (
        render_template(
            "staff/two_factor_enrol.html",
            form=form,
            qr_code=qr_code_data_uri(uri),
            secret=_grouped(secret),
            required=needs_enrolment(user),
        ),
        status,
    )


def _status_page(status=200, recovery_codes=None, form=None):
    user = _user()
    return (
        render_template(
            "staff/two_factor.html",
            form=form or PasswordCheckForm(formdata=None),
            recovery_codes=recovery_codes,
            codes_left=two_factor.recovery_codes_left(get_session(), user),
            may_turn_off=not two_factor.required(user, current_app.config["REQUIRE_2FA"]),
        ),
        status,
    )


@bp.get("/")
@login_required
def index():
    if _user().has_two_factor:
        return _status_page()
    return _enrolment_page(EnrolForm(formdata=None))


@bp.post("/")
@login_required
def enrol():
    form = EnrolForm()
    user = _user()
    if not form.validate():
        return _enrolment_page(form, status=400)
    try:
        codes = two_factor.confirm_enrolment(get_session(), user, form.code.data, utcnow())
    except InvalidInput as e:
        form.code.errors.append(e.message.capitalize() + ".")
        return _enrolment_page(form, status=400)
    except Conflict:
        return redirect(url_for(".index"))
    # Every other session ended; this one carries on.
    session[SESSION_VERSION_KEY] = user.session_version
    flash("Two-factor sign-in is on. Other sessions were signed out.", "info")
    return _status_page(status=201, recovery_codes=codes)


@bp.errorhandler(auth.Throttled)
def _throttled(error):
    flash(str(error).capitalize() + ".", "error")
    page, _ = _status_page()
    return page, 429, {"Retry-After": str(error.retry_after)}


def _password_confirmed(form):
    """Whether `form` carries the user's password (throttled like signing in: raises auth.Throttled)."""
    if not form.validate():
        return False
    confirmed = auth.reauthenticate(get_session(), _user(), form.password.data, request.remote_addr or "")
    if not confirmed:
        form.password.errors.append("Is not your password.")
    return confirmed


@bp.post("/recovery-codes")
@login_required
def renew_recovery_codes():
    form = PasswordCheckForm()
    if not _user().has_two_factor:
        return redirect(url_for(".index"))
    if not _password_confirmed(form):
        return _status_page(status=400, form=form)
    codes = two_factor.new_recovery_codes(get_session(), _user())
    return _status_page(status=201, recovery_codes=codes)


@bp.post("/off")
@login_required
def turn_off():
    """Remove the second factor, where the policy allows; every session ends, this one included."""
    form = PasswordCheckForm()
    user = _user()
    if not user.has_two_factor:
        return redirect(url_for(".index"))
    if two_factor.required(user, current_app.config["REQUIRE_2FA"]):
        abort(403, "Your role requires two-factor sign-in; an admin can reset it for you to enrol again.")
    if not _password_confirmed(form):
        return _status_page(status=400, form=form)
    two_factor.reset(get_session(), user)
    logout_user()
    session.clear()
    flash("Two-factor sign-in is off, and every session was signed out. Sign in again.", "info")
    return redirect(url_for("staff.login"))
