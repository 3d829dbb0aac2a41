"""The staff side: sign-in with Flask-Login, CSRF protection on every staff form, staff pages.

Sessions are Flask's signed cookies plus the user's `session_version`
(kbbot/accounts/auth.py), checked on every request, so that logout, a password change
or a disabled account ends every session of that user. The JSON API is exempt
from CSRF tokens: it authenticates with a header (visitor id or bearer token),
which a cross-site form cannot send.
"""

from flask import session
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

from ...models import User
from ..session import get_session
from . import console, dashboard, editor, team, tokens, views

# The staff side's areas, each a blueprint nested under /staff (endpoints "staff.<area>.<view>"),
# so that the sign-in requirement's redirects, the error pages and the strict headers apply to all.
AREAS = (dashboard, team, tokens, editor, console)
for area in AREAS:
    views.bp.register_blueprint(area.bp)

SESSION_VERSION_KEY = views.SESSION_VERSION_KEY
login_manager = LoginManager()
login_manager.login_view = "staff.login"
login_manager.login_message = "Sign in to continue."
login_manager.session_protection = "strong"
csrf = CSRFProtect()


@login_manager.user_loader
def _load_user(user_id):
    user = get_session().get(User, int(user_id)) if user_id.isdigit() else None
    if user is None or not user.active or session.get(SESSION_VERSION_KEY) != user.session_version:
        return None
    return user


def init_app(app, csrf_exempt=()):
    login_manager.init_app(app)
    csrf.init_app(app)
    for blueprint in csrf_exempt:
        csrf.exempt(blueprint)
    app.register_blueprint(views.bp)
