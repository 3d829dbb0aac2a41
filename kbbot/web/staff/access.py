"""Who may open a staff page: signed in, past the second factor where it is required, and holding the
page's role."""

import functools

from flask import abort, current_app, redirect, request, url_for
from flask_login import current_user, login_required

from ...accounts import two_factor

# Where a signed-in user who must enrol a second factor first may go: enrolment and signing out.
BEFORE_ENROLMENT = frozenset(
    {"staff.login", "staff.login_code", "staff.logout", "staff.two_factor.index", "staff.two_factor.enrol"}
)


def needs_enrolment(user) -> bool:
    """Whether `user` must enrol a second factor (KBBOT_REQUIRE_2FA) before anything else."""
    return not user.has_two_factor and two_factor.required(user, current_app.config["REQUIRE_2FA"])


def enrol_first():
    """A staff request's first check: a user who must enrol is sent to enrolment, wherever they go."""
    if (
        current_user.is_authenticated
        and needs_enrolment(current_user)
        and request.endpoint not in BEFORE_ENROLMENT
    ):
        return redirect(url_for("staff.two_factor.index"))
    return None


def role_required(*roles):
    """Signed-in users with one of `roles` (or admin) only: others are sent to sign in, or get 403."""

    def decorator(view):
        @functools.wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not any(current_user.has_role(role) for role in roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
