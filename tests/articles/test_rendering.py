"""Article bodies and bot answers as safe HTML, with ids on the headings a table of contents links to."""

import re

from kbbot.articles.highlight import query_terms
from kbbot.articles.rendering import (
    HEADING_ID_PREFIX,
    is_table,
    render_answer,
    render_article,
    summary,
)

BODY = """You can **reset** your password yourself.

## On the website

Click *Forgot password?*.

### Step one

## On the website

## <img src=x onerror=alert(1)> Ünïcode & co

#### Not in the contents

| Plan | Price |
|:-----|------:|
| Pro  | 10    |
"""


def test_h2_and_h3_get_unique_prefixed_ids_listed_in_order():
    rendered = render_article(BODY)
    assert [(h.level, h.id) for h in rendered.headings] == [
        (2, "section-on-the-website"),
        (3, "section-step-one"),
        (2, "section-on-the-website-2"),
        (2, "section-img-src-x-onerror-alert-1-unicode-co"),
    ]
    assert rendered.headings[3].text == "<img src=x onerror=alert(1)> Ünïcode & co"
    ids = re.findall(r'id="([^"]+)"', rendered.html)
    assert ids == [heading.id for heading in rendered.headings]
    assert all(heading_id.startswith(HEADING_ID_PREFIX) for heading_id in ids)


def test_the_article_html_stays_sanitized():
    html = render_article(BODY).html
    assert "<img" not in html and "onerror=alert(1)&gt;" in html
    assert (
        "style=" not in html and '<th align="left">Plan</th>' in html and '<td align="right">10</td>' in html
    )
    assert '<div class="kb-table-scroll" role="region" aria-label="Table" tabindex="0"><table>' in html


def test_the_summary_is_the_first_paragraph_as_plain_text():
    assert summary(BODY) == "You can reset your password yourself."
    assert render_article(BODY).summary == summary(BODY)
    assert summary("## Only a heading") == ""
    long = summary("word " * 100, max_chars=40)
    assert len(long) <= 40 and long.endswith("…")


def test_repeated_headings_get_the_next_free_number_each():
    # Thousands of headings, as a CMS could send: every one gets its own id, numbered in order.
    rendered = render_article("## h\n" * 3000 + "## h 2\n## h\n")
    ids = [heading.id for heading in rendered.headings]
    assert ids[:3] == ["section-h", "section-h-2", "section-h-3"]
    assert ids[2999] == "section-h-3000"
    # "h 2" would be "section-h-2", taken by the second "h"; the last "h" goes on after 3000.
    assert ids[3000:] == ["section-h-2-2", "section-h-3001"]
    assert len(set(ids)) == len(ids) == 3002
    assert re.findall(r'id="([^"]+)"', rendered.html) == ids


ARTICLE_URL = "https://help.example/articles/plans?ref=bot#section-prices"
ANSWER = f"""**Plans › Prices**

| Plan | Monthly |
|:-----|--------:|
| Pro  | $29     |

Prices exclude [VAT](vat-on-your-bill); see [below](#section-teams) or [every plan](/articles/compare).

Read the full article: [Plans]({ARTICLE_URL})
"""


def test_an_answer_keeps_its_heading_and_its_table_with_header_and_body():
    html = render_answer(ANSWER, ARTICLE_URL)
    assert html.startswith("<p><strong>Plans › Prices</strong></p>")
    assert re.search(
        r'<table>\s*<thead>\s*<tr>\s*<th align="left">Plan</th>\s*<th align="right">Monthly</th>', html
    )
    assert re.search(r'<tbody>\s*<tr>\s*<td align="left">Pro</td>\s*<td align="right">\$29</td>', html)
    assert '<div class="kb-table-scroll" role="region" aria-label="Table" tabindex="0"><table>' in html


def test_an_answers_links_resolve_against_its_article_and_open_a_new_tab():
    html = render_answer(ANSWER, ARTICLE_URL)
    assert re.findall(r'<a href="([^"]+)" target="_blank" rel="noopener noreferrer nofollow">', html) == [
        "https://help.example/articles/vat-on-your-bill",
        "https://help.example/articles/plans?ref=bot#section-teams",
        "https://help.example/articles/compare",
        ARTICLE_URL,
    ]
    assert html.count("<a ") == 4
    assert 'href="vat-on-your-bill"' in render_answer(ANSWER, None)  # no article: as written


def test_a_line_break_in_an_answer_is_a_space_as_on_the_article_page():
    assert render_answer("one\ntwo", ARTICLE_URL) == "<p>one\ntwo</p>\n"


def test_an_answer_stays_sanitized():
    html = render_answer(
        "<script>alert(1)</script>\n\n[x](javascript:alert(1)) ![y](javascript:alert(2)) "
        '<img src=x onerror=alert(3)> <a href="#" onclick="alert(4)">z</a>\n\n'
        "| <b onmouseover=alert(5)>cell</b> |\n|---|\n| [w](javascript:alert(6)) |",
        ARTICLE_URL,
    )
    assert "<script" not in html and "<img" not in html and "<b " not in html
    assert not re.search(r"<[^>]*\son\w+=", html)  # no tag with an event handler
    assert not re.search(r"<[^>]*javascript:", html)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # shown as text


def test_search_terms_are_marked_in_a_table_after_escaping():
    terms = query_terms("monthly price")
    html = render_answer("| Plan | <b>Monthly</b> price |\n|---|---|\n| Pro | 29 |", None, terms)
    assert "<th>&lt;b&gt;<mark>Monthly</mark>&lt;/b&gt; <mark>price</mark></th>" in html
    assert is_table("| a |\n|---|\n| 1 |") and not is_table("a | b, but no table")
