"""Query terms marked in search results, safely.

The text is cut into words and the gaps between them; every piece is
HTML-escaped first, and only then are the words that match a query term
wrapped in `<mark>`, so whatever a visitor typed or an editor wrote can
never become markup. A word matches when its English stem equals the stem
of a query word ("refunds" marks "refund" and "refunded"); stop words are
never marked. Pure functions.
"""

import re

import Stemmer
from bm25s.stopwords import STOPWORDS_EN_PLUS
from markupsafe import Markup, escape

_WORD = re.compile(r"\w+")
_stemmer = Stemmer.Stemmer("english")
_STOP_WORDS = frozenset(STOPWORDS_EN_PLUS)  # the longer English list: marking "how" or "my" only distracts


def _stem(word):
    return _stemmer.stemWord(word.lower())


def query_terms(query):
    """The stems of the words of `query` worth marking: no stop words, none shorter than 2 characters."""
    return frozenset(
        _stem(word) for word in _WORD.findall(query) if len(word) > 1 and word.lower() not in _STOP_WORDS
    )


def _matches(word, terms):
    return len(word) > 1 and word.lower() not in _STOP_WORDS and _stem(word) in terms


def marked_pieces(text, terms):
    """`text` cut into (piece, marked) pairs in order: each word matching `terms` a marked piece, what
    lies between them unmarked pieces. Raw text: the caller escapes it."""
    position = 0
    for match in _WORD.finditer(text):
        if _matches(match[0], terms):
            if match.start() > position:
                yield text[position : match.start()], False
            yield match[0], True
            position = match.end()
    if position < len(text):
        yield text[position:], False


def highlight(text, terms):
    """`text` as escaped HTML (Markup) with the words matching `terms` (from `query_terms`) in <mark>."""
    return Markup("").join(
        Markup("<mark>{}</mark>").format(piece) if marked else escape(piece)
        for piece, marked in marked_pieces(text, terms)
    )


def excerpt(text, terms, max_chars=240):
    """About `max_chars` characters of `text` around its first matching word, whole words, with ellipses."""
    text = " ".join(text.split())
    if len(text) <= max_chars:
        return text
    first = next((match.start() for match in _WORD.finditer(text) if _matches(match[0], terms)), 0)
    start = max(0, min(first - max_chars // 4, len(text) - max_chars))
    if start:
        start = text.find(" ", start) + 1 or start  # begin on a word
    end = start + max_chars
    body = text[start:end]
    if end < len(text):
        body = body.rsplit(" ", 1)[0]
    return ("…" if start else "") + body.strip() + ("…" if end < len(text) else "")
