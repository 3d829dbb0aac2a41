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
