"""Signing staff in: password checks, throttling of guesses, and ending sessions for real.

A login session carries the user's `session_version`; raising it (logout,
password change, disabling the account, a second factor reset) invalidates
every session of that user at once, which Flask's signed cookies alone could
not do. A session also ends `idle` after its last request and, however busy,
`lifetime` after sign-in (`session_expired`).

Every try at a password or a second-factor code is recorded in `login_attempts`
before it is checked, as a failure until it succeeds, and then the recent
failures are counted, the new one included: checking and recording are one
step, so parallel guesses cannot all slip under the limit (each one sees at
least those recorded before it). A burst of more guesses at once than a limit
allows may even be refused whole, since each counts the others in flight; a
refused try is deleted, so it costs the address nothing afterwards. The limits,
in a moving window of THROTTLE_WINDOW:

- one address, one account: MAX_FAILURES_PER_PAIR failures, then that address
  waits for that account; the owner signing in from elsewhere is not slowed;
- one address, any accounts: MAX_FAILURES_PER_ADDRESS (spraying one password
  over many accounts);
- one account, any addresses: past ACCOUNT_CEILING failures (a guesser with many
  addresses), each address that has not signed in to it within KNOWN_ADDRESS_AGE
  gets one try per window instead of MAX_FAILURES_PER_PAIR. That slows a
  distributed guesser to one guess per address per window without ever locking
  the account: the owner keeps their usual allowance from an address they have
  signed in from, and a try from a new one.

Unknown emails cost the same work as known ones (a password hash is verified
either way), so neither the answer nor its timing tells which accounts exist.
"""

from datetime import datetime, timedelta

from sqlalchemy import and_, case, delete, func, select
from sqlalchemy.orm import Session

from ..errors import InvalidInput, KbbotError
from ..models import LoginAttempt, User, utcnow
from . import two_factor, users

THROTTLE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_PAIR = 5
MAX_FAILURES_PER_ADDRESS = 20
ACCOUNT_CEILING = 50
KNOWN_ADDRESS_AGE = timedelta(days=30)


class Throttled(KbbotError):
    """Too many failed sign-in attempts lately; try again after `retry_after` seconds."""

    def __init__(self, retry_after):
        super().__init__(f"too many failed sign-in attempts; try again in {retry_after} seconds")
        self.retry_after = retry_after


def _counted(condition, oldest_of=False):
    """Failures matching `condition` in the window (or the oldest one's time, `oldest_of`)."""
    if oldest_of:
        return func.min(case((condition, LoginAttempt.at)))
    return func.count(case((condition, 1)))


def _retry_after(session: Session, email, address, now):
    """Seconds the attempt just recorded for (email, address) must wait, or 0 (see the module's policy)."""
    pair = and_(LoginAttempt.email == email, LoginAttempt.address == address)
    same_address = LoginAttempt.address == address
    same_account = LoginAttempt.email == email
    row = session.execute(
        select(
            _counted(pair),
            _counted(pair, oldest_of=True),
            _counted(same_address),
            _counted(same_address, oldest_of=True),
            _counted(same_account),
        ).where(
            LoginAttempt.succeeded.is_(False),
            LoginAttempt.at > now - THROTTLE_WINDOW,
            same_account | same_address,
        )
    ).one()
    pair_count, pair_oldest, address_count, address_oldest, account_count = row
    pair_limit = MAX_FAILURES_PER_PAIR
    if account_count > ACCOUNT_CEILING and not _known_address(session, email, address, now):
        pair_limit = 1
    waits = [
        oldest + THROTTLE_WINDOW - now
        for count, limit, oldest in (
            (pair_count, pair_limit, pair_oldest),
            (address_count, MAX_FAILURES_PER_ADDRESS, address_oldest),
        )
        if count > limit  # the attempt being made is one of the `count`
    ]
    return max(1, int(max(waits).total_seconds()) + 1) if waits else 0


def _known_address(session, email, address, now):
    """Whether someone signed in to `email` from `address` lately."""
    return (
        session.execute(
            select(LoginAttempt.id)
            .where(
                LoginAttempt.email == email,
                LoginAttempt.address == address,
                LoginAttempt.succeeded.is_(True),
                LoginAttempt.at > now - KNOWN_ADDRESS_AGE,
            )
            .limit(1)
        ).first()
        is not None
    )


def _begin_attempt(session: Session, email, address, now: datetime) -> LoginAttempt:
    """Record an attempt (a failure until `_succeeded`) and count it; raises Throttled past a limit."""
    attempt = LoginAttempt(email=email, address=address[:64], succeeded=False, at=now)
    session.add(attempt)
    session.commit()  # visible to every concurrent attempt before this one counts
    retry_after = _retry_after(session, email, address[:64], now)
    if retry_after:
        # A refused attempt tried nothing: it must not keep the address waiting longer.
        session.execute(delete(LoginAttempt).where(LoginAttempt.id == attempt.id))
        session.commit()
        raise Throttled(retry_after)
    return attempt


def _succeeded(session: Session, attempt: LoginAttempt):
    attempt.succeeded = True
    session.commit()


def authenticate(session: Session, email, password, address) -> User | None:
    """The active user with these credentials, or None; raises Throttled while guessing is throttled.

    Every attempt is recorded (never the password). A user with a second factor is not signed in yet:
    `second_step` must follow.
    """
    email = (email or "").strip().lower()[:320]
    attempt = _begin_attempt(session, email, address, utcnow())
    user = session.execute(select(User).where(User.email == email)).scalar_one_or_none()
    # Verified even for an unknown email (against a stand-in hash): the same work, so timing tells nothing.
    if not users.check_password(user, password or "") or not user.active:
        return None
    _succeeded(session, attempt)
    return user


def second_step(session: Session, user: User, code, address) -> bool:
    """Whether `code` (a TOTP code or an unused recovery code) proves `user`'s second factor.

    Throttled like passwords, in the same count: a wrong code is a failed attempt on the account.
    """
    now = utcnow()
    attempt = _begin_attempt(session, user.email, address, now)
    if not two_factor.verify(session, user, code or "", now):
        return False
    _succeeded(session, attempt)
    return True


def reauthenticate(session: Session, user: User, password, address) -> bool:
    """Whether `password` is the signed-in `user`'s, before a change to their sign-in (throttled like
    signing in, so a borrowed session cannot guess it)."""
    attempt = _begin_attempt(session, user.email, address, utcnow())
    if not users.check_password(user, password or ""):
        return False
    _succeeded(session, attempt)
    return True


def session_expired(signed_in_at: datetime, last_seen_at: datetime, now: datetime, idle, lifetime):
    """Whether a login session started at `signed_in_at`, last used at `last_seen_at`, has ended by `now`:
    `idle` (a timedelta) without a request, or `lifetime` after sign-in however busy."""
    return now - last_seen_at >= idle or now - signed_in_at >= lifetime


def end_sessions(session: Session, user: User):
    """Invalidate every login session of `user` (logout everywhere)."""
    user.session_version += 1
    session.commit()


def change_password(session: Session, user: User, current, new):
    """Set a new password after checking the current one; every session and API token of the user ends."""
    if not users.check_password(user, current):
        raise InvalidInput("current_password", "is not your current password")
    replace_password(session, user, new)


def replace_password(session: Session, user: User, new):
    """Give `user` a new password (`kbbot user set-password`, or after checking the current one): every
    session and API token of the user ends. InvalidInput naming `password` when it may not be used."""
    users.set_password(user, new)
    users.revoke_tokens_of(session, user)
    end_sessions(session, user)


def disable(session: Session, user: User):
    """Switch the account off: its sessions end and its API tokens are revoked (for good).

    Conflict when `user` is the last active admin (`users.update_user` guards it for every caller).
    """
    users.update_user(session, user, user.name, user.roles, active=False)
