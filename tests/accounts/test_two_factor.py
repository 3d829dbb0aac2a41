"""The second factor: enrolment confirmed by a code, codes accepted once, recovery codes used once."""

import threading
from datetime import UTC, datetime, timedelta

import pyotp
import pytest

from kbbot.accounts import two_factor, users
from kbbot.errors import InvalidInput
from kbbot.models import User
from tests.helpers import make_app

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


@pytest.fixture
def user(app, session):
    return users.create_user(session, "dana@example.com", ["admin"], password="violet kettle maps")


def wrong_code(secret):
    return f"{(int(pyotp.TOTP(secret).at(NOW)) + 1) % 10**6:06d}"


def enrolled(session, user):
    secret = two_factor.begin_enrolment(session, user)
    codes = two_factor.confirm_enrolment(session, user, pyotp.TOTP(secret).at(NOW), NOW)
    return secret, codes


def test_enrolment_takes_effect_only_after_a_valid_code(session, user):
    secret = two_factor.begin_enrolment(session, user)
    assert not user.has_two_factor and two_factor.begin_enrolment(session, user) == secret
    with pytest.raises(InvalidInput, match="code"):
        two_factor.confirm_enrolment(session, user, wrong_code(secret), NOW)
    assert not user.has_two_factor
    version = user.session_version
    codes = two_factor.confirm_enrolment(session, user, pyotp.TOTP(secret).at(NOW), NOW)
    assert user.has_two_factor and user.session_version == version + 1  # other sessions end
    assert len(codes) == len(set(codes)) == two_factor.RECOVERY_CODE_COUNT
    assert two_factor.provisioning_uri(user, "Help Center").startswith("otpauth://totp/Help%20Center:dana")


def test_a_code_is_accepted_once_and_never_an_older_one_after_it(session, user):
    secret, _ = enrolled(session, user)  # used the code of NOW's step
    totp = pyotp.TOTP(secret)
    assert not two_factor.verify(session, user, totp.at(NOW), NOW)  # replayed in its window
    later = NOW + timedelta(seconds=30)
    assert two_factor.verify(session, user, totp.at(later), later)
    assert not two_factor.verify(session, user, totp.at(NOW), later)  # the step before: still valid in time
    assert not two_factor.verify(session, user, totp.at(NOW + timedelta(minutes=5)), later)  # too far ahead


def test_recovery_codes_work_once_in_any_spelling_and_renewing_replaces_them(session, user):
    _, codes = enrolled(session, user)
    assert two_factor.verify(session, user, f"  {codes[0].upper()} ", NOW)
    assert not two_factor.verify(session, user, codes[0], NOW)
    assert two_factor.verify(session, user, codes[1].replace("-", ""), NOW)
    assert two_factor.recovery_codes_left(session, user) == two_factor.RECOVERY_CODE_COUNT - 2
    renewed = two_factor.new_recovery_codes(session, user)
    assert not two_factor.verify(session, user, codes[2], NOW)
    assert two_factor.verify(session, user, renewed[0], NOW)


def test_reset_removes_the_factor_and_its_codes_and_ends_sessions(session, user):
    secret, codes = enrolled(session, user)
    version = user.session_version
    two_factor.reset(session, user)
    stored = session.get(User, user.id)
    assert (stored.totp_secret, stored.two_factor_since, stored.totp_last_step) == (None, None, None)
    assert stored.session_version == version + 1
    assert not two_factor.verify(session, user, codes[0], NOW)
    assert two_factor.begin_enrolment(session, user) != secret


@pytest.mark.parametrize(
    ("policy", "roles", "required"),
    [
        ("admin", ["admin"], True),
        ("admin", ["agent", "editor"], False),
        ("all", ["agent"], True),
        ("off", ["admin"], False),
    ],
)
def test_who_must_use_a_second_factor(policy, roles, required):
    assert two_factor.required(User(email="x@example.com", roles=roles), policy) is required


def at_once(make_session, count, attempt):
    """Run `attempt(session)` in `count` threads at once, each with its own database session; the results."""
    start = threading.Barrier(count)
    results = []

    def one():
        with make_session() as session:
            start.wait()
            results.append(attempt(session))

    threads = [threading.Thread(target=one) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_code_sent_many_times_at_once_is_accepted_once(backend, tmp_path, request):
    url = (
        f"sqlite:///{tmp_path / 'kbbot.sqlite3'}"
        if backend == "sqlite"
        else request.getfixturevalue("postgres_url")
    )
    app = make_app(tmp_path, DATABASE_URL=url)
    make_session = app.extensions["kbbot.sessionmaker"]
    with make_session() as session:
        user = users.create_user(session, "dana@example.com", ["agent"], password="violet kettle maps")
        secret, codes = enrolled(session, user)
    later = NOW + timedelta(seconds=30)

    def use(code):
        return lambda session: two_factor.verify(session, session.get(User, user.id), code, later)

    assert sorted(at_once(make_session, 8, use(pyotp.TOTP(secret).at(later)))) == [False] * 7 + [True]
    assert sorted(at_once(make_session, 8, use(codes[0]))) == [False] * 7 + [True]
    app.extensions["kbbot.engine"].dispose()
