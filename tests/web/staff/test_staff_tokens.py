"""API tokens on the web: shown once, stored hashed, revocable, each user's own (admins see all)."""

import re

import pytest

from kbbot.accounts import users
from kbbot.models import ApiToken
from kbbot.web.session import get_session
from tests.helpers import PASSWORD, csrf_token, sign_in


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
