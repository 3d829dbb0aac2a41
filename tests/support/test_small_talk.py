"""Small talk as pure functions: what a greeting, thanks or goodbye is, and what says yes."""

import pytest

from kbbot.support import decisions, small_talk


@pytest.mark.parametrize(
    "message, kind",
    [("hi", "greeting"), ("Hello there!", "greeting"), ("hi, can you help me?", "greeting"),
     ("help", "greeting"), ("Thanks!", "thanks"), ("great, thank you so much", "thanks"),
     ("that worked, thx", "thanks"),
     ("ok", "acknowledgement"), ("got it", "acknowledgement"), ("ok bye", "goodbye"),
     ("no thanks", "goodbye"), ("thanks, that's all", "goodbye"),
     ("hi, how do I cancel my subscription?", None), ("thanks but it still fails", None),
     ("ok what about the API?", None), ("help me reset my password", None), ("no", None)],
)  # fmt: skip
def test_small_talk_is_only_a_message_that_asks_nothing(message, kind):
    assert small_talk.social_kind(message) == kind
    if kind is not None:
        assert not decisions.asks_something(message)  # nor is it the topic a follow-up refers to


@pytest.mark.parametrize(
    "message, says_yes",
    [("yes", True), ("Yes please!", True), ("sure, thanks", True), ("ok 👍", True), ("go ahead", True),
     ("no", False), ("yes but how do I export?", False), ("not yet", False)],
)  # fmt: skip
def test_saying_yes_to_an_offer(message, says_yes):
    assert small_talk.accepts(message) is says_yes


def test_a_long_message_is_never_small_talk():
    assert small_talk.social_kind("thanks " * 20) is None and not small_talk.accepts("yes " * 30)
