"""Signing in: throttling that holds under parallel guesses and spares the owner elsewhere, the same work
for unknown accounts, sessions that end idle and at their lifetime."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from kbbot import db
from kbbot.accounts import auth, users
from kbbot.models import LoginAttempt, utcnow
from tests.helpers import PASSWORD, make_app

ATTACKER, OWNER = "203.0.113.9", "198.51.100.7"


@pytest.fixture
def agent(app, session):
    return users.create_user(session, "agent@example.com", ["agent"], password=PASSWORD)


def guess(session, address, email="agent@example.com", password="wrong guess!"):
    """What one try gets: the user, None for a wrong password, or "throttled"."""
    try:
        return auth.authenticate(session, email, password, address)
    except auth.Throttled:
        return "throttled"


def test_an_attacker_is_throttled_on_the_account_while_the_owner_signs_in_elsewhere(session, agent):
    outcomes = [guess(session, ATTACKER) for _ in range(auth.MAX_FAILURES_PER_PAIR + 2)]
    assert outcomes == [None] * auth.MAX_FAILURES_PER_PAIR + ["throttled"] * 2
    assert guess(session, ATTACKER, password=PASSWORD) == "throttled"  # even the right password waits
    assert guess(session, OWNER, password=PASSWORD).id == agent.id
    # Refused tries are not recorded: they cannot keep the address waiting longer.
    recorded = session.execute(select(LoginAttempt).where(LoginAttempt.address == ATTACKER)).scalars().all()
    assert len(recorded) == auth.MAX_FAILURES_PER_PAIR


def test_one_address_spraying_many_accounts_is_throttled(session, agent):
    for number in range(auth.MAX_FAILURES_PER_ADDRESS):
        assert guess(session, ATTACKER, email=f"guess{number}@example.com") is None
    assert guess(session, ATTACKER, email="another@example.com") == "throttled"
    assert guess(session, OWNER, password=PASSWORD).id == agent.id


def test_a_distributed_guesser_gets_one_try_per_address_but_the_owner_keeps_their_allowance(session, agent):
    assert guess(session, OWNER, password=PASSWORD).id == agent.id  # the owner's usual address
    for number in range(auth.ACCOUNT_CEILING + 1):
        guess(session, f"192.0.2.{number}")
    assert guess(session, "192.0.2.250") is None  # a new address still gets its one try
    assert guess(session, "192.0.2.250") == "throttled"
    assert [guess(session, OWNER) for _ in range(auth.MAX_FAILURES_PER_PAIR - 1)] == [None] * 4
    assert guess(session, OWNER, password=PASSWORD).id == agent.id


def test_the_wait_is_until_the_oldest_counted_failure_leaves_the_window(session, agent):
    old = utcnow() - auth.THROTTLE_WINDOW + timedelta(minutes=1)
    session.add_all(
        LoginAttempt(email="agent@example.com", address=ATTACKER, succeeded=False, at=old)
        for _ in range(auth.MAX_FAILURES_PER_PAIR)
    )
    session.commit()
    with pytest.raises(auth.Throttled) as throttled:
        auth.authenticate(session, "agent@example.com", "wrong guess!", ATTACKER)
    assert 0 < throttled.value.retry_after <= 61


class CountingHasher:
    """argon2's hasher, noting the parameters of every hash it verifies against."""

    def __init__(self, real):
        self.real, self.verified = real, []

    def hash(self, password):
        return self.real.hash(password)

    def verify(self, stored, password):
        self.verified.append(stored.rsplit("$", 2)[0])  # algorithm, version, memory, time, parallelism
        return self.real.verify(stored, password)


def test_unknown_and_known_emails_cost_the_same_password_check(session, agent, monkeypatch):
    hasher = CountingHasher(users._hasher)
    monkeypatch.setattr(users, "_hasher", hasher)
    assert auth.authenticate(session, "nobody@example.com", "a guess!", OWNER) is None
    assert auth.authenticate(session, "agent@example.com", "a guess!", OWNER) is None
    unknown, known = hasher.verified
    assert unknown == known and known.startswith("$argon2id$")


def parallel_guesses(url, count):
    """`count` threads guess at once, each with its own database session; how many were not throttled."""
    engine = db.make_engine(url)
    make_session = sessionmaker(engine, expire_on_commit=False)
    start = threading.Barrier(count)
    outcomes = []

    def one():
        with make_session() as session:
            start.wait()
            outcomes.append(guess(session, ATTACKER))

    threads = [threading.Thread(target=one) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    engine.dispose()
    return outcomes


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_parallel_guesses_never_get_past_the_limit(backend, tmp_path, request):
    url = (
        f"sqlite:///{tmp_path / 'kbbot.sqlite3'}"
        if backend == "sqlite"
        else request.getfixturevalue("postgres_url")
    )
    app = make_app(tmp_path, DATABASE_URL=url)
    with app.app_context():
        users.create_user(
            app.extensions["kbbot.sessionmaker"](), "agent@example.com", ["agent"], password=PASSWORD
        )
    outcomes = parallel_guesses(url, 40)
    assert len(outcomes) == 40
    checked = outcomes.count(None)
    assert checked <= auth.MAX_FAILURES_PER_PAIR
    assert outcomes.count("throttled") == 40 - checked
    # A burst may all be refused (each counts the others in flight), but refused tries leave no trace:
    # the address keeps exactly the allowance the checked guesses left it.
    with app.app_context():
        session = app.extensions["kbbot.sessionmaker"]()
        recorded = session.execute(select(LoginAttempt).where(LoginAttempt.address == ATTACKER)).scalars().all()
        assert len(recorded) == checked
        after = [guess(session, ATTACKER) for _ in range(auth.MAX_FAILURES_PER_PAIR - checked + 1)]
        assert after == [None] * (auth.MAX_FAILURES_PER_PAIR - checked) + ["throttled"]
        session.close()
    app.extensions["kbbot.engine"].dispose()


T0 = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
IDLE, LIFETIME = timedelta(hours=2), timedelta(hours=12)


@pytest.mark.parametrize(
    ("last_seen", "now", "expired"),
    [
        (T0 + timedelta(hours=1), T0 + timedelta(hours=2), False),
        (T0, T0 + IDLE, True),  # idle too long
        (T0 + timedelta(hours=11, minutes=59), T0 + timedelta(hours=11, minutes=59, seconds=59), False),
        (T0 + timedelta(hours=11, minutes=59), T0 + LIFETIME, True),  # busy, but signed in too long ago
    ],
)
def test_a_session_ends_idle_or_at_its_lifetime(last_seen, now, expired):
    assert auth.session_expired(T0, last_seen, now, IDLE, LIFETIME) is expired
