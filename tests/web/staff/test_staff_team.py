"""The team page: admins add staff members, change roles, and switch accounts off (which signs them out)."""

import pytest

from kbbot.accounts import users
from kbbot.web.session import get_session
from tests.helpers import PASSWORD, csrf_token, sign_in


@pytest.fixture
def admin(app):
    with app.app_context():
        users.create_user(get_session(), "admin@example.com", ["admin"], password=PASSWORD)
    client = app.test_client()
    assert sign_in(client, email="admin@example.com").status_code == 302
    return client


def add(client, **fields):
    data = {
        "email": "dana@example.com",
        "name": "Dana",
        "roles": ["agent"],
        "password": "a long first password",
    }
    data.update(fields, csrf_token=csrf_token(client, "/staff/team/"))
    return client.post("/staff/team/", data=data)


def save(client, user_id, **fields):
    data = {f"m{user_id}-{name}": value for name, value in fields.items()}
    data[f"m{user_id}-csrf_token"] = csrf_token(client, "/staff/team/")
    return client.post(f"/staff/team/{user_id}", data=data)


def test_an_admin_adds_a_member_who_can_then_sign_in(app, admin):
    assert add(admin, roles=["agent", "editor"]).status_code == 302
    page = admin.get("/staff/team/").get_data(as_text=True)
    assert "dana@example.com" in page
    dana = app.test_client()
    assert sign_in(dana, email="dana@example.com", password="a long first password").status_code == 302
    with app.app_context():
        assert users.find_user(get_session(), "dana@example.com").roles == ["agent", "editor"]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"roles": []}, "Must be one or more of"),
        ({"email": "not an address"}, "email address"),
        ({"password": "short"}, "at least 12"),
        ({"email": "admin@example.com"}, "already exists"),
    ],
)
def test_a_bad_new_member_is_refused_naming_the_problem(admin, fields, message):
    refused = add(admin, **fields)
    assert refused.status_code == 400 and message in refused.get_data(as_text=True)


def test_switching_an_account_off_signs_it_out_and_changing_roles_applies_at_once(app, admin):
    add(admin)
    dana = app.test_client()
    sign_in(dana, email="dana@example.com", password="a long first password")
    with app.app_context():
        dana_id = users.find_user(get_session(), "dana@example.com").id
    assert save(admin, dana_id, name="Dana", roles="editor", active="y").status_code == 302
    assert dana.get("/api/v1/staff/handoffs").status_code == 403  # an editor now, not an agent
    save(admin, dana_id, name="Dana", roles="editor")  # the box unticked: switched off
    assert dana.get("/staff/").status_code == 302
    assert sign_in(dana, email="dana@example.com", password="a long first password").status_code == 401


def test_the_last_admin_cannot_lock_everyone_out(app, admin):
    with app.app_context():
        admin_id = users.find_user(get_session(), "admin@example.com").id
    save(admin, admin_id, roles="agent", active="y")
    save(admin, admin_id, roles="admin")
    page = admin.get("/staff/team/").get_data(as_text=True)
    assert "last active admin" in page
    with app.app_context():
        user = users.find_user(get_session(), "admin@example.com")
        assert user.roles == ["admin"] and user.active


def test_team_changes_need_the_csrf_token_and_an_existing_member(admin):
    assert admin.post("/staff/team/", data={"email": "x@example.com", "roles": "agent"}).status_code == 400
    assert (
        admin.post("/staff/team/999", data={"m999-csrf_token": csrf_token(admin, "/staff/team/")}).status_code
        == 404
    )
