"""Signing staff in: password checks, throttling of guesses, and ending sessions for real.

A login session carries the user's `session_version`; raising it (logout,
password change, disabling the account) invalidates every session of that
user at once, which Flask's signed cookies alone could not do. Failed
attempts are recorded, and too many recent failures for one account or from
one address make further attempts wait.
"""

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..errors import InvalidInput, KbbotError
from ..models import LoginAttempt, User, utcnow
from . import users

THROTTLE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_ADDRESS = 20


class Throttled(KbbotError):
    """Too many failed logins lately; try again after `retry_after` seconds."""

    def __init__(self, retry_after):
        super().__init__(f"too many failed sign-in attempts; try again in {retry_after} seconds")
        self.retry_after = retry_after


def _wait(session, column, value, limit, now):
    """Seconds until the oldest counted failure for `column == value` leaves the window, or 0."""
    since = now - THROTTLE_WINDOW
    failures = session.execute(
        select(func.count(LoginAttempt.id), func.min(LoginAttempt.at)).where(
            column == value, LoginAttempt.succeeded.is_(False), LoginAttempt.at >= since
        )
    ).one()
    count, oldest = failures
    if count < limit:
        return 0
    return max(1, int((oldest + THROTTLE_WINDOW - now).total_seconds()) + 1)


def authenticate(session: Session, email, password, address) -> User | None:
    """The active user with these credentials, or None; raises Throttled while guessing is throttled.

    Every attempt is recorded (never the password).
    """
    email = (email or "").strip().lower()[:320]
    now = utcnow()
    retry_after = max(
        _wait(session, LoginAttempt.email, email, MAX_FAILURES_PER_ACCOUNT, now),
        _wait(session, LoginAttempt.address, address, MAX_FAILURES_PER_ADDRESS, now),
    )
    if retry_after:
        raise Throttled(retry_after)
    user = session.execute(select(User).where(User.email == email)).scalar_one_or_none()
    succeeded = user is not None and user.active and users.check_password(user, password or "")
    session.add(LoginAttempt(email=email, address=address[:64], succeeded=succeeded, at=now))
    session.commit()
    return user if succeeded else None


def end_sessions(session: Session, user: User):
    """Invalidate every login session of `user` (logout everywhere)."""
    user.session_version += 1
    session.commit()


def change_password(session: Session, user: User, current, new):
    """Set a new password after checking the current one; every session of the user ends."""
    if not users.check_password(user, current):
        raise InvalidInput("current_password", "is not your current password")
    users.set_password(user, new)
    end_sessions(session, user)


def disable(session: Session, user: User):
    """Switch the account off: its sessions end and its API tokens stop working.

    Conflict when `user` is the last active admin (`users.update_user` guards it for every caller).
    """
    users.update_user(session, user, user.name, user.roles, active=False)
