"""The staff side: sign-in with Flask-Login, CSRF protection on every staff form, staff pages.

Sessions are Flask's signed cookies plus the user's `session_version`
(kbbot/accounts/auth.py), checked on every request, so that logout, a password change
or a disabled account ends every session of that user; a session also ends after
KBBOT_STAFF_SESSION_HOURS without a request and KBBOT_STAFF_SESSION_MAX_HOURS after
sign-in, however busy. The JSON API is exempt from CSRF tokens: it authenticates
with a header (visitor id or bearer token), which a cross-site form cannot send.
"""

import time
from datetime import UTC, datetime

from flask import current_app, session
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

from ...accounts import auth
from ...models import User
from ..session import get_session
from . import (
    access,
    console,
    dashboard,
    editor,
    mail,
    presence,
    saved_replies,
    team,
    tokens,
    two_factor,
    views,
)

# The staff side's areas, each a blueprint nested under /staff (endpoints "staff.<area>.<view>"),
# so that the sign-in requirement's redirects, the error pages and the strict headers apply to all.
AREAS = (dashboard, team, tokens, two_factor, editor, console, mail, saved_replies, presence)
for area in AREAS:
    views.bp.register_blueprint(area.bp)
views.bp.before_request(access.enrol_first)

SESSION_VERSION_KEY = views.SESSION_VERSION_KEY
login_manager = LoginManager()
login_manager.login_view = "staff.login"
login_manager.login_message = "Sign in to continue."
# Flask-Login's session protection is off: for a permanent session (every staff session) its "strong"
# mode only marks the session not fresh, which nothing here reads, and the address it compares comes
# from X-Forwarded-For as the client sent it. Binding a session to an address would also sign out
# staff whose address changes (mobile networks, VPNs). What ends a stolen session: logout everywhere
# (session_version), the idle and absolute limits, a password change; the cookie is HttpOnly and,
# with KBBOT_SECURE_COOKIES, sent over HTTPS only.
login_manager.session_protection = None
csrf = CSRFProtect()


def _moment(seconds):
    return datetime.fromtimestamp(seconds, UTC)


@login_manager.user_loader
def _load_user(user_id):
    user = get_session().get(User, int(user_id)) if user_id.isdigit() else None
    if user is None or not user.active or session.get(SESSION_VERSION_KEY) != user.session_version:
        return None
    signed_in_at, last_seen = session.get(views.SIGNED_IN_AT_KEY), session.get(views.LAST_SEEN_KEY)
    now = time.time()
    if (
        not isinstance(signed_in_at, int)
        or not isinstance(last_seen, int)
        or auth.session_expired(
            _moment(signed_in_at),
            _moment(last_seen),
            _moment(now),
            idle=current_app.permanent_session_lifetime,
            lifetime=current_app.config["STAFF_SESSION_MAX_AGE"],
        )
    ):
        return None
    session[views.LAST_SEEN_KEY] = int(now)
    return user


def init_app(app, csrf_exempt=()):
    login_manager.init_app(app)
    csrf.init_app(app)
    for blueprint in csrf_exempt:
        csrf.exempt(blueprint)
    app.register_blueprint(views.bp)
