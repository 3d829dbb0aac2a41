"""Article bodies as safe HTML, with ids on the headings a table of contents links to."""

import re

from kbbot.rendering import HEADING_ID_PREFIX, render_article, render_markdown, summary

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


def test_plain_markdown_rendering_gives_no_ids():
    assert "id=" not in render_markdown(BODY)


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
