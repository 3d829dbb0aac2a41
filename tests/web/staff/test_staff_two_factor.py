"""Two-factor sign-in on the staff side: enrolment, the two steps, replay and guessing, resets."""

import re

import pytest

from kbbot.accounts import auth, two_factor, users
from kbbot.models import User, utcnow
from kbbot.web.session import get_session
from kbbot.web.staff import views
from tests.helpers import PASSWORD, csrf_token, make_app, sign_in, totp_code


@pytest.fixture
def app(tmp_path):
    """The shipped policy: admins must use a second factor."""
    return make_app(tmp_path, REQUIRE_2FA="admin")


def create(app, email, roles, enrolled=False):
    """A staff member; with `enrolled`, their TOTP secret (the code of this time step is used up)."""
    with app.app_context():
        session = get_session()
        user = users.create_user(session, email, roles, password=PASSWORD)
        if enrolled:
            secret = two_factor.begin_enrolment(session, user)
            two_factor.confirm_enrolment(session, user, totp_code(secret), utcnow())
            return secret
    return None


def enter_code(client, code, token_from="/staff/login/code"):
    return client.post("/staff/login/code", data={"code": code, "csrf_token": csrf_token(client, token_from)})


def shown_recovery_codes(response):
    return re.findall(r"<li><code>([a-z0-9-]{19})</code></li>", response.get_data(as_text=True))


def test_an_admin_without_a_second_factor_is_sent_to_enrol_and_can_reach_nothing_else(app):
    create(app, "admin@example.com", ["admin"])
    client = app.test_client()
    signed = sign_in(client, email="admin@example.com")
    assert signed.headers["Location"] == "/staff/two-factor/"
    for page in ("/staff/", "/staff/team/", "/staff/tokens/", "/staff/password"):
        assert client.get(page).headers["Location"] == "/staff/two-factor/", page
    assert client.get("/api/v1/staff/handoffs").status_code == 401  # nor the staff API by session
    enrol = client.get("/staff/two-factor/")
    html = enrol.get_data(as_text=True)
    assert enrol.status_code == 200 and 'src="data:image/svg+xml' in html
    with app.app_context():
        secret = users.find_user(get_session(), "admin@example.com").totp_secret
    assert re.sub(r"\s", "", re.search(r'class="two-factor-secret">([A-Z2-7 ]+)<', html)[1]) == secret

    wrong = f"{(int(totp_code(secret)) + 1) % 10**6:06d}"
    refused = client.post(
        "/staff/two-factor/", data={"code": wrong, "csrf_token": csrf_token(client, "/staff/two-factor/")}
    )
    assert refused.status_code == 400 and client.get("/staff/").status_code == 302
    confirmed = client.post(
        "/staff/two-factor/",
        data={"code": totp_code(secret), "csrf_token": csrf_token(client, "/staff/two-factor/")},
    )
    assert confirmed.status_code == 201 and len(shown_recovery_codes(confirmed)) == 10
    assert client.get("/staff/").status_code == 200  # this session carries on
    assert client.get("/api/v1/staff/handoffs").status_code == 200
    assert shown_recovery_codes(client.get("/staff/two-factor/")) == []  # shown once


def test_other_roles_are_not_asked_under_the_admin_policy(app):
    create(app, "agent@example.com", ["agent"])
    client = app.test_client()
    assert sign_in(client).headers["Location"] == "/staff/"
    assert client.get("/staff/").status_code == 200


def test_every_role_must_enrol_under_the_all_policy(tmp_path):
    app = make_app(tmp_path, REQUIRE_2FA="all")
    create(app, "agent@example.com", ["agent"])
    assert sign_in(app.test_client()).headers["Location"] == "/staff/two-factor/"


def test_the_password_step_alone_signs_nobody_in(app):
    secret = create(app, "agent@example.com", ["agent"], enrolled=True)
    client = app.test_client()
    signed = sign_in(client, next="/staff/tokens/")
    assert signed.headers["Location"] == "/staff/login/code"
    assert client.get("/staff/").status_code == 302
    assert client.get("/api/v1/staff/handoffs").status_code == 401
    entered = enter_code(client, totp_code(secret, steps_ahead=1))
    assert entered.status_code == 302 and entered.headers["Location"] == "/staff/tokens/"
    assert client.get("/staff/").status_code == 200


def test_a_code_is_accepted_once(app):
    secret = create(app, "agent@example.com", ["agent"], enrolled=True)
    code = totp_code(secret, steps_ahead=1)
    first, second = app.test_client(), app.test_client()
    sign_in(first), sign_in(second)
    assert enter_code(first, code).status_code == 302
    replayed = enter_code(second, code)
    assert replayed.status_code == 401 and "already used" in replayed.get_data(as_text=True)
    assert second.get("/staff/").status_code == 302


def test_wrong_codes_count_toward_the_throttle(app):
    secret = create(app, "agent@example.com", ["agent"], enrolled=True)
    client = app.test_client()
    sign_in(client)
    for _ in range(auth.MAX_FAILURES_PER_PAIR):
        assert enter_code(client, "not-a-code").status_code == 401
    throttled = enter_code(client, totp_code(secret, steps_ahead=1))
    assert throttled.status_code == 429 and int(throttled.headers["Retry-After"]) > 0


def test_the_second_step_expires_and_ends_with_the_users_sessions(app):
    secret = create(app, "agent@example.com", ["agent"], enrolled=True)
    late, ended = app.test_client(), app.test_client()
    sign_in(late), sign_in(ended)
    with late.session_transaction() as session:
        session[views.SECOND_STEP_KEY] = {**session[views.SECOND_STEP_KEY], "until": 0}
    assert late.get("/staff/login/code").headers["Location"] == "/staff/login"
    with app.app_context():
        auth.end_sessions(get_session(), users.find_user(get_session(), "agent@example.com"))
    entered = enter_code(ended, totp_code(secret, steps_ahead=1), token_from="/staff/login")
    assert entered.headers["Location"] == "/staff/login"
    assert late.get("/staff/").status_code == ended.get("/staff/").status_code == 302


def test_a_recovery_code_signs_in_once_and_new_codes_need_the_password(app):
    create(app, "agent@example.com", ["agent"])
    client = app.test_client()
    sign_in(client)
    with app.app_context():
        user = users.find_user(get_session(), "agent@example.com")
        secret = two_factor.begin_enrolment(get_session(), user)
    codes = shown_recovery_codes(
        client.post(
            "/staff/two-factor/",
            data={"code": totp_code(secret), "csrf_token": csrf_token(client, "/staff/two-factor/")},
        )
    )
    other = app.test_client()
    sign_in(other)
    assert enter_code(other, codes[0].upper()).status_code == 302
    again = app.test_client()
    sign_in(again)
    assert enter_code(again, codes[0]).status_code == 401

    token = csrf_token(other, "/staff/two-factor/")
    refused = other.post(
        "/staff/two-factor/recovery-codes", data={"password": "wrong guess!", "csrf_token": token}
    )
    assert refused.status_code == 400 and shown_recovery_codes(refused) == []
    renewed = other.post("/staff/two-factor/recovery-codes", data={"password": PASSWORD, "csrf_token": token})
    assert renewed.status_code == 201 and not set(shown_recovery_codes(renewed)) & set(codes)


def test_turning_the_second_factor_off_needs_the_password_and_ends_every_session(app):
    secret = create(app, "agent@example.com", ["agent"], enrolled=True)
    client, other = app.test_client(), app.test_client()
    for browser, step in ((client, 1), (other, 2)):
        sign_in(browser)
        enter_code(browser, totp_code(secret, steps_ahead=step))
    token = csrf_token(client, "/staff/two-factor/")
    assert (
        client.post(
            "/staff/two-factor/off", data={"password": "wrong guess!", "csrf_token": token}
        ).status_code
        == 400
    )
    off = client.post("/staff/two-factor/off", data={"password": PASSWORD, "csrf_token": token})
    assert off.headers["Location"] == "/staff/login"
    assert client.get("/staff/").status_code == other.get("/staff/").status_code == 302
    assert sign_in(client).headers["Location"] == "/staff/"  # a password alone again


def test_a_role_that_requires_the_second_factor_cannot_turn_it_off(app):
    secret = create(app, "admin@example.com", ["admin"], enrolled=True)
    client = app.test_client()
    sign_in(client, email="admin@example.com")
    enter_code(client, totp_code(secret, steps_ahead=1))
    token = csrf_token(client, "/staff/two-factor/")
    assert (
        client.post("/staff/two-factor/off", data={"password": PASSWORD, "csrf_token": token}).status_code
        == 403
    )
    with app.app_context():
        assert users.find_user(get_session(), "admin@example.com").has_two_factor


def test_an_admin_resets_a_members_second_factor_and_their_sessions_end(app):
    admin_secret = create(app, "admin@example.com", ["admin"], enrolled=True)
    agent_secret = create(app, "agent@example.com", ["agent"], enrolled=True)
    admin, agent = app.test_client(), app.test_client()
    sign_in(admin, email="admin@example.com"), enter_code(admin, totp_code(admin_secret, steps_ahead=1))
    sign_in(agent), enter_code(agent, totp_code(agent_secret, steps_ahead=1))
    with app.app_context():
        agent_id = users.find_user(get_session(), "agent@example.com").id
    assert "Reset two-factor" in admin.get("/staff/team/").get_data(as_text=True)
    reset = admin.post(
        f"/staff/team/{agent_id}/two-factor/reset", data={"csrf_token": csrf_token(admin, "/staff/team/")}
    )
    assert reset.status_code == 302
    assert agent.get("/staff/").status_code == 302
    with app.app_context():
        assert not get_session().get(User, agent_id).has_two_factor
    assert sign_in(agent).headers["Location"] == "/staff/"
    assert admin.post(f"/staff/team/{agent_id}/two-factor/reset").status_code == 400  # CSRF


def test_kbbot_user_reset_2fa_does_the_same_from_the_server(app):
    secret = create(app, "admin@example.com", ["admin"], enrolled=True)
    client = app.test_client()
    sign_in(client, email="admin@example.com"), enter_code(client, totp_code(secret, steps_ahead=1))
    result = app.test_cli_runner().invoke(args=["user", "reset-2fa", "admin@example.com"])
    assert result.exit_code == 0, result.output
    assert client.get("/staff/").status_code == 302
    assert sign_in(client, email="admin@example.com").headers["Location"] == "/staff/two-factor/"
    missing = app.test_cli_runner().invoke(args=["user", "reset-2fa", "nobody@example.com"])
    assert missing.exit_code == 1 and "no user" in missing.output
