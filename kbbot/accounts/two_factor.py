"""A staff member's second factor: TOTP codes from an authenticator app, and recovery codes.

TOTP follows RFC 6238 (SHA-1, 6 digits, 30-second steps, as every authenticator
app reads it from the enrolment QR code); a code of the step before or after
is accepted too, for clocks a little off. Each accepted code records its time
step, and only a later step is accepted afterwards, in one conditional UPDATE:
a code seen by someone else cannot be used again, even by a parallel request.

Recovery codes stand in for the app when it is lost: ten, each usable once,
~80 random bits (so a SHA-256 digest is enough to store, like API tokens), shown
once and replaced all together on request.

Enrolment keeps the new secret on the user and puts it in force only when a
code from it is confirmed. Enrolling or removing the second factor ends every
session of the user (the caller renews its own when enrolling).
"""

import hashlib
import hmac
import re
import secrets
from datetime import datetime

import pyotp
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from ..errors import Conflict, InvalidInput
from ..models import RecoveryCode, User

POLICIES = ("admin", "all", "off")
STEP_SECONDS = 30
RECOVERY_CODE_COUNT = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
_RECOVERY_GROUPS = 4  # of 4 characters: xxxx-xxxx-xxxx-xxxx, ~79 bits
_TOTP_CODE = re.compile(r"^\d{6}$")


def required(user: User, policy) -> bool:
    """Whether `policy` (KBBOT_REQUIRE_2FA: admin, all or off) makes `user` sign in with a second factor."""
    return policy == "all" or (policy == "admin" and "admin" in user.roles)


def provisioning_uri(user: User, issuer) -> str:
    """The otpauth:// URI an authenticator app reads from the enrolment QR code."""
    return pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.email, issuer_name=issuer)


def begin_enrolment(session: Session, user: User) -> str:
    """The secret `user` is enrolling with: the one pending, or a new one (160 random bits, base32)."""
    if user.has_two_factor:
        raise Conflict(f"{user.email} already signs in with a second factor")
    if not user.totp_secret:
        user.totp_secret = pyotp.random_base32(32)
        session.commit()
    return user.totp_secret


def confirm_enrolment(session: Session, user: User, code, now: datetime) -> list[str]:
    """Put the pending secret in force once `code` shows the app has it; returns the new recovery codes.

    InvalidInput naming `code` when the code is wrong. Every session of the user ends.
    """
    if user.has_two_factor or not user.totp_secret:
        raise Conflict(f"{user.email} is not enrolling a second factor")
    if not _accept_totp(session, user, code, now):
        raise InvalidInput("code", "is not the code your app shows now; check the app and try again")
    user.two_factor_since = now
    user.session_version += 1
    return new_recovery_codes(session, user)


def reset(session: Session, user: User):
    """Remove `user`'s second factor and recovery codes; every session of the user ends.

    They enrol again at their next sign-in where the policy requires it.
    """
    user.totp_secret = None
    user.two_factor_since = None
    user.totp_last_step = None
    user.session_version += 1
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    session.commit()


def verify(session: Session, user: User, code, now: datetime) -> bool:
    """Whether `code` is a current TOTP code of `user`, never used, or one of their unused recovery codes;
    either is used up by this."""
    if not user.has_two_factor:
        return False
    code = code.strip().replace(" ", "")
    if _TOTP_CODE.match(code):
        return _accept_totp(session, user, code, now)
    return _use_recovery_code(session, user, code, now)


def _accept_totp(session: Session, user: User, code, now: datetime) -> bool:
    code = code.strip().replace(" ", "")
    if not _TOTP_CODE.match(code):
        return False
    totp = pyotp.TOTP(user.totp_secret)
    current = int(now.timestamp()) // STEP_SECONDS
    steps = [
        step
        for step in (current - 1, current, current + 1)
        if hmac.compare_digest(totp.generate_otp(step), code)
    ]
    if not steps:
        return False
    accepted = session.execute(
        update(User)
        .where(User.id == user.id, or_(User.totp_last_step.is_(None), User.totp_last_step < steps[0]))
        .values(totp_last_step=steps[0])
        .execution_options(synchronize_session=False)
    ).rowcount
    session.commit()
    session.refresh(user)
    return accepted == 1


def _digest(code):
    return hashlib.sha256(code.encode()).hexdigest()


def _normalized(code):
    return re.sub(r"[\s-]", "", code).lower()


def new_recovery_codes(session: Session, user: User) -> list[str]:
    """Replace `user`'s recovery codes with RECOVERY_CODE_COUNT new ones; returns them, to show once."""
    codes = [
        "-".join(
            "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(4)) for _ in range(_RECOVERY_GROUPS)
        )
        for _ in range(RECOVERY_CODE_COUNT)
    ]
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    session.add_all(RecoveryCode(user_id=user.id, code_hash=_digest(_normalized(code))) for code in codes)
    session.commit()
    return codes


def _use_recovery_code(session: Session, user: User, code, now: datetime) -> bool:
    used = session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _digest(_normalized(code)),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    session.commit()
    return used == 1


def recovery_codes_left(session: Session, user: User) -> int:
    return session.execute(
        select(func.count(RecoveryCode.id)).where(
            RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
        )
    ).scalar_one()
