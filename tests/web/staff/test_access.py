"""Who may reach which staff route: every route in the app's URL map, walked as each kind of user.

A new staff route without an entry in `ALLOWED` fails this test, so none can be forgotten.
"""

import re

import pytest

from kbbot.accounts import users
from kbbot.web.session import get_session
from tests.helpers import PASSWORD, csrf_token, sign_in

ROLES = ("anonymous", "agent", "editor", "admin")
STAFF = ("agent", "editor", "admin")
# endpoint -> the roles that get through (everyone else: a redirect to sign in, 401 or 403)
ALLOWED = {
    "staff.home": STAFF,
    "staff.change_password": STAFF,
    "staff.logout": STAFF,
    "staff.team.index": ("admin",),
    "staff.team.create": ("admin",),
    "staff.team.update": ("admin",),
    "staff.team.reset_two_factor": ("admin",),
    "staff.two_factor.index": STAFF,
    "staff.two_factor.enrol": STAFF,
    "staff.two_factor.renew_recovery_codes": STAFF,
    "staff.two_factor.turn_off": STAFF,
    "staff.tokens.index": STAFF,
    "staff.tokens.create": STAFF,
    "staff.tokens.revoke": STAFF,
    "staff.dashboard.index": ("editor", "admin"),
    "staff.dashboard.export": ("editor", "admin"),
    "api.staff.handoff_queue": ("agent", "admin"),
    "api.staff.handoff_context": ("agent", "admin"),
    "api.staff.assign_to_me": ("agent", "admin"),
    "api.staff.reply": ("agent", "admin"),
    "api.staff.resolve": ("agent", "admin"),
    "api.staff.reopen": ("agent", "admin"),
    "api.staff.triage": ("agent", "admin"),
    "api.staff.conversation": ("agent", "admin"),
    **{f"staff.articles.{view}": ("editor", "admin") for view in (
        "index", "new", "edit", "preview", "history", "restore", "delete",
    )},
    **{f"api.staff_articles.{view}": ("editor", "admin") for view in (
        "list_articles", "create_article", "get_article", "update_article", "publish_article",
        "unpublish_article", "delete_article",
    )},
    "api.staff.add_note": ("agent", "admin"),
    "api.staff.article_suggestions": ("agent", "admin"),
    "staff.console.queue": ("agent", "admin"),
    "staff.console.handoff": ("agent", "admin"),
    "staff.console.assign": ("agent", "admin"),
    "staff.console.reply": ("agent", "admin"),
    "staff.console.add_note": ("agent", "admin"),
    "staff.console.resolve": ("agent", "admin"),
    "staff.console.reopen": ("agent", "admin"),
    "staff.console.triage": ("agent", "admin"),
    "staff.console.mark_read": ("agent", "admin"),
    "staff.presence.choose": ("agent", "admin"),
    "staff.presence.heartbeat": ("agent", "admin"),
    "staff.mail.index": ("agent", "admin"),
    "staff.mail.email": ("agent", "admin"),
    "staff.mail.attach": ("agent", "admin"),
    "staff.mail.discard": ("agent", "admin"),
    "staff.console.erase": ("admin",),  # erasing a customer's data: admins only
    "staff.console.insert_saved_reply": ("agent", "admin"),
    # Saved replies: agents keep their own, editors the shared ones (which reply: test_saved_replies_pages).
    **{f"staff.saved_replies.{view}": STAFF for view in ("index", "create", "edit", "update", "delete")},
    **{f"api.staff_saved_replies.{view}": STAFF for view in (
        "saved_reply_list", "create", "saved_reply", "update", "delete",
    )},
    "api.staff_saved_replies.filled": ("agent", "admin"),
}
OPEN_TO_ALL = {"staff.login", "staff.login_code"}  # the sign-in pages themselves
# Walked last, in this order: revoking token 1 (the agent's own) and signing out end what the walk uses.
LAST = ("staff.tokens.revoke", "staff.logout")


def staff_rules(app):
    rules = [
        rule
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith(("/staff", "/api/v1/staff")) and rule.endpoint not in OPEN_TO_ALL
    ]
    return sorted(rules, key=lambda rule: LAST.index(rule.endpoint) + 1 if rule.endpoint in LAST else 0)


@pytest.fixture
def credentials(app):
    """Per role: a signed-in test client (pages) and an API token (staff API)."""
    found = {"anonymous": (app.test_client(), None)}
    with app.app_context():
        session = get_session()
        for role in STAFF:
            user = users.create_user(session, f"{role}@example.com", [role], password=PASSWORD)
            token, _ = users.create_token(session, user, "matrix")
            found[role] = (app.test_client(), token)
    for role in STAFF:
        assert sign_in(found[role][0], email=f"{role}@example.com").status_code == 302
    return found


def test_every_staff_route_has_an_access_rule(app):
    assert {rule.endpoint for rule in staff_rules(app)} == set(ALLOWED)


def got_through(client, token, rule):
    url = re.sub(r"<(?:\w+:)?\w+>", "1", rule.rule)
    method = sorted(rule.methods - {"HEAD", "OPTIONS"})[0]
    if rule.rule.startswith("/api/"):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = client.open(url, method=method, headers=headers, json={} if method == "POST" else None)
        return response.status_code not in (401, 403)
    data = {"csrf_token": csrf_token(client)} if method == "POST" else None
    response = client.open(url, method=method, data=data)
    # Refused: Flask-Login sends the visitor to sign in, remembering where they wanted to go, or 403.
    signing_in = response.status_code == 302 and "next=" in response.headers["Location"]
    return not signing_in and response.status_code != 403


@pytest.mark.parametrize("role", ROLES)
def test_the_access_matrix(app, credentials, role):
    client, token = credentials[role]
    reached = {rule.endpoint for rule in staff_rules(app) if got_through(client, token, rule)}
    expected = {endpoint for endpoint, roles in ALLOWED.items() if role in roles}
    assert reached == expected
