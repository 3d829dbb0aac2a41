"""Staff sign-in: sessions that really end, CSRF on every form, throttled guessing, no open redirects."""

import re

import pytest

from kbbot.accounts import auth, users
from kbbot.web.session import get_session
from tests.helpers import PASSWORD, csrf_token, sign_in


@pytest.fixture
def agent(app):
    with app.app_context():
        return users.create_user(get_session(), "agent@example.com", ["agent"], password=PASSWORD).id


def test_staff_pages_need_a_login_and_send_a_strict_policy(client):
    page = client.get("/staff/")
    assert page.status_code == 302 and "/staff/login" in page.headers["Location"]
    login = client.get("/staff/login")
    assert "frame-ancestors 'none'" in login.headers["Content-Security-Policy"]
    assert "<script" not in login.get_data(as_text=True)


def test_sign_in_starts_a_fresh_session_and_logout_ends_every_session(app, agent):
    first, second = app.test_client(), app.test_client()
    with first.session_transaction() as session:
        session["planted"] = "by an attacker"
    assert sign_in(first).status_code == 302
    with first.session_transaction() as session:
        assert "planted" not in session  # no fixation
    assert sign_in(second).status_code == 302
    assert first.get("/staff/").status_code == second.get("/staff/").status_code == 200
    first.post("/staff/logout", data={"csrf_token": csrf_token(first, "/staff/")})
    assert first.get("/staff/").status_code == 302
    assert second.get("/staff/").status_code == 302  # the other browser is signed out too


def test_a_form_without_its_csrf_token_is_refused(client, agent):
    response = client.post("/staff/login", data={"email": "agent@example.com", "password": PASSWORD})
    assert response.status_code == 400
    sign_in(client)
    assert client.post("/staff/logout").status_code == 400
    assert client.get("/staff/").status_code == 200


def test_password_change_and_disabling_end_sessions(app, client, agent):
    other = app.test_client()
    sign_in(client), sign_in(other)
    token = csrf_token(client, "/staff/password")
    new = "a much longer new secret"
    changed = client.post(
        "/staff/password",
        data={"current_password": PASSWORD, "new_password": new, "confirm": new, "csrf_token": token},
    )
    assert changed.status_code == 302
    assert other.get("/staff/").status_code == 302
    assert sign_in(client, password=PASSWORD).status_code == 401
    assert sign_in(client, password=new).status_code == 302
    with app.app_context():
        session = get_session()
        auth.disable(session, session.get(users.User, agent))
    assert client.get("/staff/").status_code == 302
    assert sign_in(other, password=new).status_code == 401


def test_repeated_failures_are_throttled_per_account_and_address(client, agent):
    for _ in range(auth.MAX_FAILURES_PER_PAIR):
        assert sign_in(client, password="wrong guess!").status_code == 401
    throttled = sign_in(client)  # even the right password waits now
    assert throttled.status_code == 429 and int(throttled.headers["Retry-After"]) > 0
    assert sign_in(client, email="someone-else@example.com", password="x").status_code == 401


def test_repeated_failures_are_throttled_per_address(client, agent):
    for number in range(auth.MAX_FAILURES_PER_ADDRESS):
        sign_in(client, email=f"guess{number}@example.com", password="wrong guess!")
    assert sign_in(client).status_code == 429


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/staff", "/\\evil.example"])
def test_no_open_redirect_after_sign_in(client, agent, target):
    response = sign_in(client, next=target)
    assert response.headers["Location"].endswith("/staff/")


@pytest.mark.parametrize("target", ["//[", "http://[", "/staff\r\nX-Injected: 1", "/staff/\n"])
def test_a_next_that_is_no_url_or_breaks_a_header_leads_to_the_staff_home(client, agent, target):
    response = sign_in(client, next=target)
    assert response.status_code == 302 and response.headers["Location"] == "/staff/"
    assert "X-Injected" not in response.headers


def test_sign_in_redirects_to_the_staff_page_asked_for(client, agent):
    assert sign_in(client, next="/staff/password").headers["Location"].endswith("/staff/password")


def test_the_session_cookie_is_http_only_same_site_and_expires(client, agent):
    response = sign_in(client)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Expires=" in cookie


def test_kbbot_user_disable_signs_the_user_out_and_stops_their_tokens(app, client, agent):
    sign_in(client)
    with app.app_context():
        token, _ = users.create_token(get_session(), get_session().get(users.User, agent), "script")
    result = app.test_cli_runner().invoke(args=["user", "disable", "agent@example.com"])
    assert result.exit_code == 0, result.output
    assert client.get("/staff/").status_code == 302
    assert (
        client.get("/api/v1/staff/handoffs", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    )
    missing = app.test_cli_runner().invoke(args=["user", "disable", "nobody@example.com"])
    assert missing.exit_code == 1 and "no user" in missing.output


def test_kbbot_user_disable_refuses_to_switch_off_the_last_active_admin(app):
    with app.app_context():
        users.create_user(get_session(), "owner@example.com", ["admin"], password=PASSWORD)
    result = app.test_cli_runner().invoke(args=["user", "disable", "owner@example.com"])
    assert result.exit_code == 1 and "last active admin" in result.output
    with app.app_context():
        assert users.find_user(get_session(), "owner@example.com").active


def test_the_staff_pages_scripts_use_the_session_and_need_its_csrf_token_to_change_anything(app, agent):
    client = app.test_client()
    assert client.get("/api/v1/staff/handoffs").status_code == 401
    sign_in(client)
    assert client.get("/api/v1/staff/handoffs").status_code == 200
    assert client.post("/api/v1/staff/handoffs/1/assign").status_code == 401
    forged = client.post("/api/v1/staff/handoffs/1/assign", headers={"X-CSRFToken": "forged"})
    assert forged.status_code == 401
    token = csrf_token(client, "/staff/")
    # Past the credential check: the handoff does not exist.
    assert client.post("/api/v1/staff/handoffs/1/assign", headers={"X-CSRFToken": token}).status_code == 404



def test_every_staff_page_keeps_to_the_policy_no_inline_script_style_or_handlers(support_app, client):
    reply = client.post("/api/v1/chat", json={"message": "talk to a human"}).get_json()
    client.post(f"/api/v1/conversations/{reply['conversation_id']}/handoff", json={"email": "dana@example.com"})
    with support_app.app_context():
        users.create_user(get_session(), "admin@example.com", ["admin"], password=PASSWORD)
    admin = support_app.test_client()
    sign_in(admin, email="admin@example.com")
    pages = [
        re.sub(r"<(?:\w+:)?\w+>", "1", rule.rule)
        for rule in support_app.url_map.iter_rules()
        if rule.rule.startswith("/staff") and "GET" in rule.methods and not rule.rule.endswith(".csv")
    ]
    checked = 0
    for url in pages:
        response = admin.get(url)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        html = response.get_data(as_text=True)
        assert all("src=" in tag for tag in re.findall(r"<script\b[^>]*>", html)), url
        assert " style=" not in html and not re.search(r"<[^>]+\son[a-z]+=", html), url
        assert "frame-ancestors" in response.headers["Content-Security-Policy"], url
        checked += 1
    assert checked >= 10


@pytest.mark.parametrize(
    ("new", "message"),
    [
        ("Password1234", "one of the most common or leaked passwords"),
        ("AGENT and more words", "Must not contain your email&#39;s name (agent)"),
    ],
)
def test_the_password_page_refuses_common_passwords_and_the_emails_name_saying_why(
    client, agent, new, message
):
    sign_in(client)
    token = csrf_token(client, "/staff/password")
    refused = client.post(
        "/staff/password",
        data={"current_password": PASSWORD, "new_password": new, "confirm": new, "csrf_token": token},
    )
    assert refused.status_code == 200 and message in refused.get_data(as_text=True)
    assert client.get("/staff/").status_code == 200  # nothing changed: still signed in


def test_the_team_page_refuses_a_common_first_password(app):
    with app.app_context():
        users.create_user(get_session(), "admin@example.com", ["admin"], password=PASSWORD)
    admin = app.test_client()
    sign_in(admin, email="admin@example.com")
    data = {"email": "dana@example.com", "roles": ["agent"], "password": "qwertyuiopasdf"}
    refused = admin.post("/staff/team/", data={**data, "csrf_token": csrf_token(admin, "/staff/team/")})
    assert refused.status_code == 400 and "most common or leaked" in refused.get_data(as_text=True)


def test_kbbot_user_commands_refuse_common_passwords_and_set_password_ends_sessions(app, client, agent):
    runner = app.test_cli_runner()
    created = runner.invoke(
        args=["user", "create", "dana@example.com", "--role", "agent", "--password-stdin"],
        input="Password1234\n",
    )
    assert created.exit_code == 1 and "most common or leaked" in created.output
    sign_in(client)
    refused = runner.invoke(
        args=["user", "set-password", "agent@example.com", "--password-stdin"], input="agent12345678\n"
    )
    assert refused.exit_code == 1 and "email's name" in refused.output
    assert client.get("/staff/").status_code == 200
    changed = runner.invoke(
        args=["user", "set-password", "agent@example.com", "--password-stdin"], input="violet kettle maps\n"
    )
    assert changed.exit_code == 0, changed.output
    assert client.get("/staff/").status_code == 302
    assert sign_in(client, password="violet kettle maps").status_code == 302
