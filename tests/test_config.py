"""Settings read from the environment: on/off flags and numbers, with errors naming the variable."""

import pytest

from kbbot.config import Config


@pytest.mark.parametrize("value", ["0", "false", "FALSE", "no", "off", " Off "])
def test_any_usual_spelling_of_off_turns_a_flag_off(monkeypatch, value):
    monkeypatch.setenv("KBBOT_SPELLING_CORRECTION", value)
    monkeypatch.setenv("KBBOT_SYNC_ON_FIRST_START", value)
    config = Config()
    assert config.SPELLING_CORRECTION is False
    assert config.SYNC_ON_FIRST_START is False


@pytest.mark.parametrize("value", ["1", "true", "True", "yes", "on"])
def test_any_usual_spelling_of_on_turns_a_flag_on(monkeypatch, value):
    monkeypatch.setenv("KBBOT_SECURE_COOKIES", value)
    assert Config().SESSION_COOKIE_SECURE is True


def test_unset_or_empty_flags_keep_their_defaults(monkeypatch):
    monkeypatch.delenv("KBBOT_SPELLING_CORRECTION", raising=False)
    monkeypatch.setenv("KBBOT_SECURE_COOKIES", "")
    config = Config()
    assert config.SPELLING_CORRECTION is True
    assert config.SESSION_COOKIE_SECURE is None  # decided by KBBOT_PUBLIC_URL when the app is created


def test_a_flag_that_is_neither_on_nor_off_is_refused_by_name(monkeypatch):
    monkeypatch.setenv("KBBOT_SECURE_COOKIES", "enabled")
    with pytest.raises(ValueError, match="KBBOT_SECURE_COOKIES must be 1 or 0.*'enabled'"):
        Config()


def test_a_number_that_does_not_parse_is_refused_by_name(monkeypatch):
    monkeypatch.setenv("KBBOT_ANSWER_THRESHOLD", "high")
    with pytest.raises(ValueError, match="KBBOT_ANSWER_THRESHOLD must be a number, got 'high'"):
        Config()


def test_staff_sessions_have_an_idle_timeout_and_a_lifetime_and_admins_need_a_second_factor(monkeypatch):
    for name in ("KBBOT_STAFF_SESSION_HOURS", "KBBOT_STAFF_SESSION_MAX_HOURS", "KBBOT_REQUIRE_2FA"):
        monkeypatch.delenv(name, raising=False)
    config = Config()
    assert (
        config.PERMANENT_SESSION_LIFETIME.total_seconds(),
        config.STAFF_SESSION_MAX_AGE.total_seconds(),
    ) == (
        12 * 3600,
        24 * 3600,
    )
    assert config.REQUIRE_2FA == "admin"
    monkeypatch.setenv("KBBOT_STAFF_SESSION_MAX_HOURS", "8")
    monkeypatch.setenv("KBBOT_REQUIRE_2FA", " ALL ")
    config = Config()
    assert config.STAFF_SESSION_MAX_AGE.total_seconds() == 8 * 3600 and config.REQUIRE_2FA == "all"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("KBBOT_REQUIRE_2FA", "admins", "KBBOT_REQUIRE_2FA must be one of admin, all, off, got 'admins'"),
        ("KBBOT_STAFF_SESSION_MAX_HOURS", "0", "KBBOT_STAFF_SESSION_MAX_HOURS must be more than 0"),
        ("KBBOT_STAFF_SESSION_HOURS", "-1", "KBBOT_STAFF_SESSION_HOURS must be more than 0"),
        ("KBBOT_AGENT_CAPACITY", "-2", r"KBBOT_AGENT_CAPACITY must be 0 \(off\) or more, got -2"),
        ("KBBOT_AGENT_CAPACITY", "three", "KBBOT_AGENT_CAPACITY must be an integer, got 'three'"),
    ],
)
def test_staff_account_settings_that_make_no_sense_are_refused_by_name(monkeypatch, name, value, message):
    monkeypatch.setenv(name, value)
    with pytest.raises(ValueError, match=message):
        Config()


def test_sla_targets_read_as_durations_and_a_bad_one_is_refused_by_name(monkeypatch):
    monkeypatch.setenv("KBBOT_SLA_FIRST_REPLY", "1h")
    monkeypatch.setenv("KBBOT_SLA_NEXT_REPLY", "off")
    config = Config()
    assert (config.SLA_FIRST_REPLY, config.SLA_NEXT_REPLY) == ("1h", None)
    monkeypatch.setenv("KBBOT_SLA_NEXT_REPLY", "4 hours")
    with pytest.raises(ValueError, match="KBBOT_SLA_NEXT_REPLY: cannot read '4 hours'"):
        Config()


def test_the_encoder_backend_and_device_default_to_auto_and_a_bad_one_is_refused_by_name(monkeypatch):
    monkeypatch.delenv("KBBOT_EMBEDDING_BACKEND", raising=False)
    monkeypatch.setenv("KBBOT_DEVICE", "CPU")
    config = Config()
    assert (config.EMBEDDING_BACKEND, config.DEVICE) == ("auto", "cpu")
    monkeypatch.setenv("KBBOT_EMBEDDING_BACKEND", "tensorflow")
    with pytest.raises(ValueError, match="KBBOT_EMBEDDING_BACKEND must be one of auto, torch, onnx, onnx-int8"):
        Config()


def test_threads_come_from_kbbot_threads_or_its_former_name(monkeypatch):
    monkeypatch.delenv("KBBOT_THREADS", raising=False)
    monkeypatch.delenv("KBBOT_ENGINE_THREADS", raising=False)
    assert Config().THREADS is None  # decided by the server (kbbot/threads.py)
    monkeypatch.setenv("KBBOT_ENGINE_THREADS", "3")
    assert Config().THREADS == 3
    monkeypatch.setenv("KBBOT_THREADS", "0")
    assert Config().THREADS == 0


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("KBBOT_THREADS", "-1", r"KBBOT_THREADS must be 0 \(a thread per core\) or more, got -1"),
        ("KBBOT_THREADS", "two", "KBBOT_THREADS must be an integer, got 'two'"),
        ("KBBOT_ENGINE_THREADS", "-2", "KBBOT_ENGINE_THREADS must be 0"),
    ],
)
def test_a_number_of_threads_below_0_or_not_a_number_is_refused_by_name(monkeypatch, name, value, message):
    monkeypatch.delenv("KBBOT_THREADS", raising=False)
    monkeypatch.setenv(name, value)
    with pytest.raises(ValueError, match=message):
        Config()
