from kbbot.search.answer_cache import AnswerCache
from kbbot.search.answers import Answer
from kbbot.search.confidence import Action


def answer(text):
    return Answer(question=text, action=Action.ANSWER, confidence=0.9, answer=text)


def test_the_least_recently_used_answer_goes_first():
    cache = AnswerCache(2)
    cache.put("a", answer("a"))
    cache.put("b", answer("b"))
    assert cache.get("a").answer == "a"  # "b" is now the least recently used
    cache.put("c", answer("c"))
    assert cache.get("b") is None and cache.get("a").answer == "a" and cache.get("c").answer == "c"
    assert len(cache) == 2


def test_answers_go_in_and_come_out_as_copies():
    cache = AnswerCache(1)
    kept = answer("a")
    cache.put("a", kept)
    kept.answer = "changed by the caller"
    served = cache.get("a")
    served.answer = "changed again"
    assert cache.get("a").answer == "a"


def test_size_0_keeps_none_and_clear_empties():
    off = AnswerCache(0)
    off.put("a", answer("a"))
    assert off.get("a") is None
    cache = AnswerCache(5)
    cache.put("a", answer("a"))
    cache.clear()
    assert cache.get("a") is None
