"""Staff accounts and API tokens: user create / disable / reset-2fa / set-password, token create / revoke."""

import sys
from datetime import UTC, datetime, timedelta

import click
from flask.cli import with_appcontext

from ..accounts import auth, two_factor, users
from ..web.session import get_session
from .command import Group


def _read_password(from_stdin):
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@click.group("user", cls=Group)
def user_group():
    """Staff accounts."""


@user_group.command("create")
@click.argument("email")
@click.option(
    "--role", "roles", multiple=True, required=True, help="admin, editor or agent (repeat for several)."
)
@click.option("--name", default="", help="Display name shown to customers in agent replies.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input (for scripts).")
@with_appcontext
def user_create_command(email, roles, name, password_stdin):
    """Create a staff user; the password is asked for (or read from stdin)."""
    password = _read_password(password_stdin)
    user = users.create_user(get_session(), email, roles, password=password, name=name)
    click.echo(f"Created {user.email} ({', '.join(user.roles)})")


def _change_user(email, change):
    """`change(session, user)` for the staff user EMAIL; what the core refuses is the command's error."""
    session = get_session()
    change(session, users.find_user(session, email))


@user_group.command("disable")
@click.argument("email")
@with_appcontext
def user_disable_command(email):
    """Disable the staff user EMAIL: every session ends and the user's API tokens stop working."""
    _change_user(email, auth.disable)
    click.echo(f"Disabled {email}.")


@user_group.command("reset-2fa")
@click.argument("email")
@with_appcontext
def user_reset_2fa_command(email):
    """Remove the second factor of the staff user EMAIL (a lost phone): every session of theirs ends, and
    they set it up again at their next sign-in."""
    _change_user(email, two_factor.reset)
    click.echo(f"Two-factor sign-in of {email} reset; their sessions ended.")


@user_group.command("set-password")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input (for scripts).")
@with_appcontext
def user_set_password_command(email, password_stdin):
    """Give the staff user EMAIL a new password (asked for, or read from stdin): every session of theirs
    ends and their API tokens are revoked."""
    session = get_session()
    user = users.find_user(session, email)
    password = _read_password(password_stdin)
    auth.replace_password(session, user, password)
    click.echo(f"Password of {email} changed; their sessions ended and their API tokens were revoked.")


@click.group("token", cls=Group)
def token_group():
    """API tokens for the staff API."""


@token_group.command("create")
@click.argument("email")
@click.option("--name", required=True, help="What the token is for, e.g. 'CMS sync'.")
@click.option(
    "--expires-in-days", type=click.IntRange(min=1), help="Days until it stops working. [default: never]"
)
@with_appcontext
def token_create_command(email, name, expires_in_days):
    """Create an API token for the user EMAIL; it is printed once and never stored in clear."""
    session = get_session()
    expires_at = datetime.now(UTC) + timedelta(days=expires_in_days) if expires_in_days else None
    token, record = users.create_token(session, users.find_user(session, email), name, expires_at=expires_at)
    click.echo(f"Token {record.id} for {email} ({name}); store it now, it will not be shown again:", err=True)
    click.echo(token)


@token_group.command("revoke")
@click.argument("token_id", type=int)
@with_appcontext
def token_revoke_command(token_id):
    """Revoke the API token with id TOKEN_ID."""
    users.revoke_token(get_session(), token_id)
    click.echo(f"Token {token_id} revoked.")


COMMANDS = (
    user_group,
    token_group,
)
