"""Staff accounts and API tokens, through the CLI as an admin would create them."""

import pytest
from sqlalchemy import select

from kbbot.accounts import users
from kbbot.errors import Conflict, InvalidInput
from kbbot.models import ApiToken, User
from kbbot.web.session import get_session


def test_user_create_hashes_the_password_and_token_create_prints_it_once(app, runner, session):
    result = runner.invoke(
        args=["user", "create", "Agent@Example.com", "--role", "agent", "--password-stdin"],
        input="correct horse battery\n",
    )
    assert result.exit_code == 0, result.output
    user = session.execute(select(User)).scalar_one()
    assert (user.email, user.roles) == ("agent@example.com", ["agent"])
    assert "correct horse" not in user.password_hash and user.password_hash.startswith("$argon2id$")
    assert users.check_password(user, "correct horse battery")
    assert not users.check_password(user, "wrong password!")

    created = runner.invoke(args=["token", "create", "agent@example.com", "--name", "cms"])
    assert created.exit_code == 0, created.output
    token = created.stdout.strip().splitlines()[-1]
    stored = session.execute(select(ApiToken)).scalar_one()
    assert token.startswith("kbbot_") and token not in stored.token_hash
    assert users.user_for_token(session, token).id == user.id
    assert runner.invoke(args=["token", "revoke", str(stored.id)]).exit_code == 0
    session.expire_all()
    assert users.user_for_token(session, token) is None


def test_bad_users_are_refused_with_the_field(app, session):
    with pytest.raises(InvalidInput, match="role"):
        users.create_user(session, "a@example.com", ["wizard"])
    with pytest.raises(InvalidInput, match="email"):
        users.create_user(session, "not an email", ["agent"])
    with pytest.raises(InvalidInput, match="password"):
        users.create_user(session, "a@example.com", ["agent"], password="short")
    users.create_user(session, "a@example.com", ["agent"])
    with pytest.raises(Conflict):
        users.create_user(session, "A@example.com", ["editor"])


def test_a_disabled_users_token_stops_working(app, session):
    user = users.create_user(session, "a@example.com", ["agent"])
    token, _ = users.create_token(session, user, "script")
    user.active = False
    get_session().commit()
    assert users.user_for_token(session, token) is None
