"""Who may open a staff page: signed in, and holding the page's role."""

import functools

from flask import abort
from flask_login import current_user, login_required


def role_required(role):
    """Signed-in users with `role` (or admin) only: others are sent to sign in, or get 403."""

    def decorator(view):
        @functools.wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.has_role(role):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
