"""API tokens on the web: shown once, stored hashed, revocable, each user's own (admins see all), expiring
when chosen, revoked with a password change or a switched-off account."""

import re
from datetime import timedelta

import pytest

from kbbot.accounts import users
from kbbot.models import ApiToken, utcnow
from kbbot.web.session import get_session
from tests.helpers import PASSWORD, csrf_token, sign_in, staff_headers


@pytest.fixture
def team(app):
    with app.app_context():
        session = get_session()
        for email, roles in (
            ("agent@example.com", ["agent"]),
            ("other@example.com", ["agent"]),
            ("admin@example.com", ["admin"]),
        ):
            users.create_user(session, email, roles, password=PASSWORD)


def signed_in(app, email):
    client = app.test_client()
    assert sign_in(client, email=email).status_code == 302
    return client


def create_token(client, name="CMS sync"):
    return client.post(
        "/staff/tokens/", data={"name": name, "csrf_token": csrf_token(client, "/staff/tokens/")}
    )


def shown_token(response):
    return re.search(r'id="new-token-value"[^>]*value="(kbbot_[^"]+)"', response.get_data(as_text=True))[1]


def test_a_token_is_shown_once_stored_hashed_and_works_until_revoked(app, team):
    client = signed_in(app, "agent@example.com")
    created = create_token(client)
    assert created.status_code == 201
    token = shown_token(created)
    assert token not in client.get("/staff/tokens/").get_data(as_text=True)
    with app.app_context():
        record = get_session().query(ApiToken).one()
        assert record.name == "CMS sync" and token not in record.token_hash
    api = app.test_client()
    bearer = {"Authorization": f"Bearer {token}"}
    assert api.get("/api/v1/staff/handoffs", headers=bearer).status_code == 200
    assert ">never</td>" not in client.get("/staff/tokens/").get_data(as_text=True)  # last used is shown

    revoked = client.post(
        f"/staff/tokens/{record.id}/revoke", data={"csrf_token": csrf_token(client, "/staff/tokens/")}
    )
    assert revoked.status_code == 302
    assert api.get("/api/v1/staff/handoffs", headers=bearer).status_code == 401
    assert "revoked" in client.get("/staff/tokens/").get_data(as_text=True)


def test_only_the_owner_or_an_admin_sees_and_revokes_a_token(app, team):
    owner = signed_in(app, "agent@example.com")
    create_token(owner, "owner's script")
    other = signed_in(app, "other@example.com")
    assert "owner&#39;s script" not in other.get("/staff/tokens/").get_data(as_text=True)
    refused = other.post("/staff/tokens/1/revoke", data={"csrf_token": csrf_token(other, "/staff/tokens/")})
    assert refused.status_code == 404
    admin = signed_in(app, "admin@example.com")
    page = admin.get("/staff/tokens/").get_data(as_text=True)
    assert "owner&#39;s script" in page and "agent@example.com" in page
    assert (
        admin.post(
            "/staff/tokens/1/revoke", data={"csrf_token": csrf_token(admin, "/staff/tokens/")}
        ).status_code
        == 302
    )
    with app.app_context():
        assert get_session().get(ApiToken, 1).revoked_at is not None


def test_bad_token_requests_get_clear_errors(app, team):
    client = signed_in(app, "agent@example.com")
    nameless = create_token(client, name="  ")
    assert nameless.status_code == 400 and "Name the token" in nameless.get_data(as_text=True)
    assert client.post("/staff/tokens/", data={"name": "no csrf"}).status_code == 400
    assert client.post("/staff/tokens/1/revoke").status_code == 400
    hostile = create_token(client, name="<script>alert(1)</script>")
    assert "<script>alert(1)" not in hostile.get_data(as_text=True)
    with app.app_context():
        assert get_session().query(ApiToken).count() == 1


def expire(app, token_id):
    with app.app_context():
        record = get_session().get(ApiToken, token_id)
        record.expires_at = utcnow() - timedelta(seconds=1)
        get_session().commit()


def test_a_token_chosen_to_expire_is_refused_like_an_invalid_one_once_it_has(app, team):
    client = signed_in(app, "agent@example.com")
    created = client.post(
        "/staff/tokens/",
        data={"name": "weekly", "expires": "7", "csrf_token": csrf_token(client, "/staff/tokens/")},
    )
    token = shown_token(created)
    with app.app_context():
        record = get_session().query(ApiToken).one()
        assert timedelta(days=6, hours=23) < record.expires_at - record.created_at <= timedelta(days=7)
    api = app.test_client()
    assert api.get("/api/v1/staff/handoffs", headers=staff_headers(token)).status_code == 200
    expire(app, record.id)
    refused = api.get("/api/v1/staff/handoffs", headers=staff_headers(token))
    invalid = api.get("/api/v1/staff/handoffs", headers=staff_headers("kbbot_" + "x" * 43))
    assert refused.status_code == invalid.status_code == 401
    assert refused.get_json() == invalid.get_json()
    assert refused.headers["WWW-Authenticate"] == invalid.headers["WWW-Authenticate"]
    page = client.get("/staff/tokens/").get_data(as_text=True)
    assert "<td>expired</td>" in page and "Revoke weekly" not in page


def test_a_token_may_never_expire(app, team):
    client = signed_in(app, "agent@example.com")
    client.post(
        "/staff/tokens/",
        data={"name": "cms", "expires": "never", "csrf_token": csrf_token(client, "/staff/tokens/")},
    )
    with app.app_context():
        assert get_session().query(ApiToken).one().expires_at is None


def test_changing_the_password_revokes_the_owners_tokens(app, team):
    client = signed_in(app, "agent@example.com")
    token = shown_token(create_token(client))
    new = "violet kettle under maps"
    changed = client.post(
        "/staff/password",
        data={
            "current_password": PASSWORD,
            "new_password": new,
            "confirm": new,
            "csrf_token": csrf_token(client, "/staff/password"),
        },
    )
    assert changed.status_code == 302
    assert app.test_client().get("/api/v1/staff/handoffs", headers=staff_headers(token)).status_code == 401


def test_tokens_of_a_switched_off_account_stay_revoked_when_it_is_switched_on(app, team):
    with app.app_context():
        session = get_session()
        agent = users.find_user(session, "agent@example.com")
        token, _ = users.create_token(session, agent, "script")
        users.update_user(session, agent, agent.name, agent.roles, active=False)
        users.update_user(session, agent, agent.name, agent.roles, active=True)
        assert get_session().query(ApiToken).one().revoked_at is not None
    assert app.test_client().get("/api/v1/staff/handoffs", headers=staff_headers(token)).status_code == 401


def test_kbbot_token_create_can_set_an_expiry(app, team):
    result = app.test_cli_runner().invoke(
        args=["token", "create", "agent@example.com", "--name", "ci", "--expires-in-days", "30"]
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        record = get_session().query(ApiToken).one()
        assert timedelta(days=29, hours=23) < record.expires_at - record.created_at <= timedelta(days=30)
    refused = app.test_cli_runner().invoke(
        args=["token", "create", "agent@example.com", "--name", "ci", "--expires-in-days", "0"]
    )
    assert refused.exit_code == 2
