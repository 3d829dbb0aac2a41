"""Which passwords staff may choose: long, not common or leaked, not their email's name."""

import pytest

from kbbot.accounts import passwords, users
from kbbot.errors import InvalidInput


@pytest.mark.parametrize("password", ["password1234", "PASSWORD1234", "Password1234", "iloveyou1234"])
def test_common_passwords_are_refused_in_any_case(password):
    assert "common" in passwords.problem(password, "dana@example.com")


def test_the_list_holds_long_leaked_passwords_not_only_short_ones():
    assert passwords.is_common("qwertyuiopasdfgh")
    assert not passwords.is_common("violet kettle under nine maps")


@pytest.mark.parametrize("password", ["dana-is-my-password", "my DANA secret 77", "xxdanaxxdanaxx"])
def test_a_password_holding_the_emails_name_is_refused_saying_why(password):
    assert "email's name (dana)" in passwords.problem(password, "Dana@example.com")


def test_a_short_local_part_is_not_held_against_a_password():
    assert passwords.problem("al pacino's long speech", "al@example.com") is None


def test_length_limits_still_apply():
    assert "at least 12" in passwords.problem("violet kett", "dana@example.com")
    assert "at most" in passwords.problem("x" * 1001, "dana@example.com")
    assert passwords.problem("violet kettle", "dana@example.com") is None


def test_every_password_set_is_checked(app, session):
    with pytest.raises(InvalidInput, match="common"):
        users.create_user(session, "dana@example.com", ["agent"], password="Password1234")
    with pytest.raises(InvalidInput, match="email's name"):
        users.create_user(session, "dana@example.com", ["agent"], password="dana's good secret")
