"""Staff accounts and the API tokens scripts use to call the staff API.

Passwords are hashed with argon2id, and must pass `passwords.problem`. An API
token is shown once, when it is created; only its SHA-256 is stored, which is
enough for a random 256-bit secret (no salt or slow hash needed) and lets a
request be checked with one indexed lookup. A token may expire; it is revoked
for good when its owner's password changes or the account is switched off.
"""

import functools
import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..errors import Conflict, InvalidInput, NotFound
from ..models import ROLES, ApiToken, User, utcnow
from . import passwords

TOKEN_PREFIX = "kbbot_"
_hasher = PasswordHasher()


def normalized_email(email):
    """The address in canonical, lower-case form; InvalidInput naming `email` when it is not one."""
    try:
        return validate_email(email, check_deliverability=False).normalized.lower()
    except EmailNotValidError as e:
        raise InvalidInput("email", str(e)) from e


def valid_roles(roles):
    """The roles, sorted and once each; InvalidInput naming `role` when none or an unknown one is given."""
    unknown = sorted(set(roles) - set(ROLES))
    if unknown or not roles:
        raise InvalidInput(
            "role", f"must be one or more of {', '.join(ROLES)}, got {', '.join(unknown) or 'none'}"
        )
    return sorted(set(roles))


def create_user(session: Session, email, roles, password=None, name=""):
    roles = valid_roles(roles)
    email = normalized_email(email)
    if session.execute(select(User.id).where(User.email == email)).first():
        raise Conflict(f"a user with email {email} already exists")
    user = User(email=email, name=name, roles=roles)
    if password is not None:
        set_password(user, password)
    session.add(user)
    session.commit()
    return user


def update_user(session: Session, user: User, name, roles, active):
    """Change a user's name, roles and whether the account is on; the last active admin stays one.

    Switching an account off ends its sessions and revokes its tokens: switched on again, the user
    signs in afresh and makes new tokens.
    """
    roles = valid_roles(roles)
    if user.active and "admin" in user.roles and not (active and "admin" in roles):
        other_admins = [
            other
            for other in session.execute(
                select(User).where(User.active.is_(True), User.id != user.id)
            ).scalars()
            if "admin" in other.roles
        ]
        if not other_admins:
            raise Conflict(f"{user.email} is the last active admin; make someone else an admin first")
    user.name = name
    user.roles = roles
    if user.active and not active:
        user.session_version += 1
        revoke_tokens_of(session, user)
    user.active = active
    session.commit()
    return user


def find_user(session: Session, email) -> User:
    user = session.execute(select(User).where(User.email == normalized_email(email))).scalar_one_or_none()
    if user is None:
        raise NotFound(f"no user with email {email}")
    return user


def set_password(user: User, password):
    """Hash `password` onto `user` (the caller commits); InvalidInput naming `password` when it may not be used."""
    if problem := passwords.problem(password, user.email or ""):
        raise InvalidInput("password", problem)
    user.password_hash = _hasher.hash(password)


@functools.cache
def _stand_in_hash():
    """A hash no password matches, verified in place of a missing one so that every check costs the same."""
    return _hasher.hash(secrets.token_urlsafe(32))


def check_password(user: User | None, password):
    """Whether `password` is `user`'s; as slow for no user, or one without a password, as for a real one."""
    stored = user.password_hash if user is not None and user.password_hash else None
    try:
        return _hasher.verify(stored or _stand_in_hash(), password) and stored is not None
    except (VerifyMismatchError, InvalidHashError):
        return False


def _digest(token):
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, user: User, name, expires_at=None):
    """A new API token for `user`, valid until revoked or `expires_at` (aware): (the token to show once,
    its record)."""
    if expires_at is not None and expires_at <= utcnow():
        raise InvalidInput("expires_at", "must be in the future")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    record = ApiToken(user=user, name=name, token_hash=_digest(token), expires_at=expires_at)
    session.add(record)
    session.commit()
    return token, record


def user_for_token(session: Session, token) -> User | None:
    """The active user a valid, unrevoked, unexpired token belongs to, else None."""
    if not token or not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    record = session.execute(
        select(ApiToken).where(ApiToken.token_hash == _digest(token), ApiToken.revoked_at.is_(None))
    ).scalar_one_or_none()
    now = utcnow()
    if record is None or record.expired(now) or not record.user.active:
        return None
    record.last_used_at = now
    session.commit()
    return record.user


def revoke_token(session: Session, token_id):
    record = session.get(ApiToken, token_id)
    if record is None:
        raise NotFound(f"no API token with id {token_id}")
    record.revoked_at = record.revoked_at or utcnow()
    session.commit()


def revoke_tokens_of(session: Session, user: User):
    """Revoke every live API token of `user` (the caller commits): they stay revoked whatever follows."""
    session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session="fetch")
    )
