"""Staff accounts and the API tokens scripts use to call the staff API.

Passwords are hashed with argon2id. An API token is shown once, when it is
created; only its SHA-256 is stored, which is enough for a random 256-bit
secret (no salt or slow hash needed) and lets a request be checked with one
indexed lookup.
"""

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import Conflict, InvalidInput, NotFound
from ..models import ROLES, ApiToken, User, utcnow

TOKEN_PREFIX = "kbbot_"
MIN_PASSWORD_LENGTH = 12
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

    Switching an account off ends its sessions and stops its tokens (they check `active`).
    """
    roles = valid_roles(roles)
    if user.active and "admin" in user.roles and not (active and "admin" in roles):
        other_admins = [
            other
            for other in session.execute(select(User).where(User.active.is_(True), User.id != user.id)).scalars()
            if "admin" in other.roles
        ]
        if not other_admins:
            raise Conflict(f"{user.email} is the last active admin; make someone else an admin first")
    user.name = name
    user.roles = roles
    if user.active and not active:
        user.session_version += 1
    user.active = active
    session.commit()
    return user


def find_user(session: Session, email) -> User:
    user = session.execute(select(User).where(User.email == normalized_email(email))).scalar_one_or_none()
    if user is None:
        raise NotFound(f"no user with email {email}")
    return user


def set_password(user: User, password):
    """Hash `password` onto `user` (the caller commits)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput("password", f"must be at least {MIN_PASSWORD_LENGTH} characters")
    user.password_hash = _hasher.hash(password)


def check_password(user: User, password):
    if not user.password_hash:
        return False
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerifyMismatchError, InvalidHashError):
        return False


def _digest(token):
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, user: User, name):
    """A new API token for `user`: (the token to show once, its record)."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    record = ApiToken(user=user, name=name, token_hash=_digest(token))
    session.add(record)
    session.commit()
    return token, record


def user_for_token(session: Session, token) -> User | None:
    """The active user a valid, unrevoked token belongs to, else None."""
    if not token or not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    record = session.execute(
        select(ApiToken).where(ApiToken.token_hash == _digest(token), ApiToken.revoked_at.is_(None))
    ).scalar_one_or_none()
    if record is None or not record.user.active:
        return None
    record.last_used_at = utcnow()
    session.commit()
    return record.user


def revoke_token(session: Session, token_id):
    record = session.get(ApiToken, token_id)
    if record is None:
        raise NotFound(f"no API token with id {token_id}")
    record.revoked_at = record.revoked_at or utcnow()
    session.commit()
