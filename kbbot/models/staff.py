"""Staff accounts: users with roles and a second factor, their sign-in attempts and API tokens."""

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, utcnow

ROLES = ("admin", "editor", "agent")


class User(Base):
    """A staff member: an agent, a content editor or an admin (roles combine)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str | None] = mapped_column(String(200))
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Part of every login session; raising it (logout, password change, disabling) ends them all.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The TOTP secret (base32, RFC 6238); set while enrolling, in force once `two_factor_since` is set.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    two_factor_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The last TOTP time step accepted: a code is never accepted twice, nor an older one after it.
    totp_last_step: Mapped[int | None] = mapped_column(Integer)

    # What a login manager asks of a signed-in user (Flask-Login's user protocol), kept here so that
    # the model needs no web library: an active account is authenticated, never anonymous.
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self):  # Flask-Login refuses inactive users
        return self.active

    def get_id(self):
        return str(self.id)

    @property
    def has_two_factor(self):
        return self.two_factor_since is not None

    def has_role(self, role):
        """Whether the user may act as `role`; an admin may act as every role."""
        return self.active and (role in self.roles or "admin" in self.roles)


class LoginAttempt(Base):
    """One try at signing in to the staff side; recent failures throttle by account and by address."""

    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
    succeeded: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


class RecoveryCode(Base):
    """A single-use code that stands in for the second factor; only its SHA-256 is stored."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ApiToken(Base):
    """A staff API credential; only its SHA-256 is stored, the token is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # None: valid until revoked.
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()

    def expired(self, now):
        return self.expires_at is not None and self.expires_at <= now
