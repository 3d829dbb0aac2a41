"""Query terms marked in search results: escaped first, then marked, by stem, never stop words."""

from markupsafe import Markup

from kbbot.articles.highlight import excerpt, highlight, query_terms


def test_matches_are_marked_after_escaping():
    marked = highlight("<b>Refund</b> & refunds", query_terms("refunded"))
    assert isinstance(marked, Markup)
    assert marked == "&lt;b&gt;<mark>Refund</mark>&lt;/b&gt; &amp; <mark>refunds</mark>"


def test_markup_in_the_query_or_the_text_never_becomes_markup():
    terms = query_terms('<mark onclick="x">script</mark>')
    assert highlight("a <script> tag", terms) == "a &lt;<mark>script</mark>&gt; tag"
    assert "<mark>amp</mark>" not in highlight("Q&A", query_terms("amp"))  # entities are not words


def test_stop_words_are_not_marked():
    assert highlight("How do I get a refund?", query_terms("how do I get a refund")) == (
        "How do I <mark>get</mark> a <mark>refund</mark>?"
    )


def test_an_excerpt_shows_the_first_match_in_whole_words():
    text = " ".join(["filler"] * 80 + ["the", "refund", "arrives"] + ["tail"] * 80)
    shown = excerpt(text, query_terms("refund"), max_chars=100)
    assert "refund" in shown and shown.startswith("…") and shown.endswith("…")
    assert len(shown) <= 102 and "fille " not in shown + " "
    assert excerpt("short text", query_terms("refund")) == "short text"
