"""Article Markdown to HTML that is safe to serve.

Two layers: markdown-it-py with raw HTML switched off (a `<script>` in an
article comes out as text), then nh3 (ammonia) keeps only an allow-list of
tags and attributes and only http(s)/mailto links, so no event-handler
attribute or `javascript:` URL survives, whatever the Markdown parser does.

`render_article` also gives each h2/h3 a stable `id` for the table of
contents; nh3 keeps an `id` only when it is one of those generated for the
page, so the body can never claim another element's id.

`render_answer` is the one rendering of a bot answer (and of a search
snippet that is a table) that the widget, the agent console and the help
center all show.
"""

import re
from dataclasses import dataclass
from urllib.parse import urljoin

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

from ..search.chunking import plain_text
from ..text import slugify
from .highlight import marked_pieces

# <mark> only ever comes from `render_answer`'s search terms: raw HTML in Markdown is text.
ALLOWED_TAGS = {
    "a", "blockquote", "br", "code", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "img", "li", "mark",
    "ol", "p", "pre", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "th": {"align"},
    "td": {"align"},
}
URL_SCHEMES = {"http", "https", "mailto"}
HEADING_ID_PREFIX = "section-"
CONTENTS_LEVELS = ("h2", "h3")
_HEADING_ATTRIBUTES = {**ALLOWED_ATTRIBUTES, **{tag: {"id"} for tag in CONTENTS_LEVELS}}
# A wide code block scrolls sideways; keyboard users must be able to focus it to scroll.
_FOCUSABLE_BLOCKS = {"pre": {"tabindex": "0"}}
# Answers are shown away from their article, the widget inside an iframe: their links open a new tab.
_NEW_TAB_LINKS = {**_FOCUSABLE_BLOCKS, "a": {"target": "_blank"}}
# Tables get a wrapper that scrolls on narrow screens (added after sanitizing, around nh3's own tags).
_TABLE_WRAPPER = '<div class="kb-table-scroll" role="region" aria-label="Table" tabindex="0"><table>'
_ALIGN = re.compile(r"text-align:(left|center|right)")
_WHITESPACE = re.compile(r"\s+")

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


@dataclass(frozen=True)
class Heading:
    """A heading of an article body, as listed in its table of contents."""

    level: int  # 2 or 3
    id: str  # the `id` attribute it carries, HEADING_ID_PREFIX + a slug of its text
    text: str  # plain text, Markdown formatting removed


@dataclass(frozen=True)
class RenderedArticle:
    html: str  # sanitized, safe to mark as such in a template
    headings: tuple[Heading, ...]  # every h2 and h3, in document order
    summary: str  # plain text of the first paragraph, shortened; "" when the body has none
    word_count: int


def _sanitize(html, heading_ids=frozenset(), set_attributes=_FOCUSABLE_BLOCKS):
    """`html` with only the allowed tags, attributes and URLs; an h2/h3 `id` only if in `heading_ids`;
    the attributes `set_attributes` names ({tag: {attribute: value}}) set on those tags."""

    # A filter rather than nh3's `tag_attribute_values`, whose cost grows with the number of ids
    # times the number of headings (seconds for a body with a few thousand headings).
    def generated_ids_only(tag, attribute, value):
        return None if attribute == "id" and value not in heading_ids else value

    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=_HEADING_ATTRIBUTES,
        attribute_filter=generated_ids_only,
        set_tag_attribute_values=set_attributes,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )


def _parse(text):
    """Markdown tokens, with table cells' alignment as `align` (their style="text-align:..." nh3 and the CSP drop)."""
    tokens = _markdown.parse(text or "")
    for token in tokens:
        if token.type in ("th_open", "td_open"):
            style = token.attrs.pop("style", "")
            if match := _ALIGN.search(str(style)):
                token.attrSet("align", match[1])
    return tokens


def _with_table_scroll(html):
    """Each table of sanitized `html` in a wrapper that scrolls on narrow screens (nh3 has made every
    `<table>` tag plain)."""
    return html.replace("<table>", _TABLE_WRAPPER).replace("</table>", "</table></div>")


def is_table(text):
    """Whether Markdown `text` has a table (a search snippet of table rows is one)."""
    return any(token.type == "table_open" for token in _markdown.parse(text or ""))


def render_answer(text, base_url, terms=frozenset()):
    """A bot answer, or a search snippet, in Markdown as sanitized HTML: what every surface shows of it.

    Links and images resolve against `base_url`, the article the text quotes (None: as written), as an
    article's relative links (`[late fees](late-fees)`) are relative to its page, not to where the
    answer is shown; links open in a new tab. Words matching `terms` (`highlight.query_terms`) are in
    <mark>. No `breaks`: a line break inside a paragraph is a space, as on the article's page.
    """
    tokens = _parse(text)
    for token in tokens:
        if token.type == "inline":
            token.children = [
                piece for child in token.children or [] for piece in _inline(child, base_url, terms)
            ]
    html = _sanitize(_markdown.renderer.render(tokens, _markdown.options, {}), set_attributes=_NEW_TAB_LINKS)
    return _with_table_scroll(html)


def snippet_html(snippet, base_url, terms=frozenset()):
    """A search snippet as HTML (`render_answer`) when it is rows of a table, which read only as a
    table; None for a text snippet, shown as text."""
    return render_answer(snippet, base_url, terms) if is_table(snippet) else None


def render_bot_message(message):
    """A bot message's text (Markdown, `render_answer`) as HTML, its links resolved against the article
    it quotes: its first source."""
    return render_answer(message.text, message.sources[0]["url"] if message.sources else None)


def _inline(token, base_url, terms):
    """`token` with its link resolved against `base_url`; a text token as pieces, matching words marked."""
    attribute = {"link_open": "href", "image": "src"}.get(token.type)
    if attribute and base_url and token.attrGet(attribute) is not None:
        token.attrSet(attribute, urljoin(base_url, str(token.attrGet(attribute))))
    if token.type != "text" or not terms:
        return [token]
    pieces = []
    for piece, marked in marked_pieces(token.content, terms):
        if marked:
            pieces.append(Token("html_inline", "", 0, content="<mark>"))
        pieces.append(Token("text", "", 0, content=piece))
        if marked:
            pieces.append(Token("html_inline", "", 0, content="</mark>"))
    return pieces


def shorten(text, max_chars):
    """`text` cut at a word boundary to at most `max_chars` characters, with an ellipsis when cut."""
    text = _WHITESPACE.sub(" ", text).strip()
    if len(text) <= max_chars:
        return text
    cut = text[: max_chars - 1].rsplit(" ", 1)[0] or text[: max_chars - 1]
    return cut.rstrip(" ,;:.-") + "…"


def heading_ids(texts):
    """The `id` of each h2/h3 heading, given their plain texts in document order.

    HEADING_ID_PREFIX + a slug of the text; two headings with the same words get "...-2", "...-3":
    the smallest free number. `used` only grows, so each base's search resumes where it last
    stopped, keeping this linear in headings. The table of contents and the links to an answer's
    section (`sections`) both use it, so a link opens the page at its heading.
    """
    ids, used, next_number = [], set(), {}
    for heading_text in texts:
        base = HEADING_ID_PREFIX + (slugify(heading_text) or "part")
        heading_id = base
        if heading_id in used:
            n = next_number.get(base, 2)
            while f"{base}-{n}" in used:
                n += 1
            heading_id = f"{base}-{n}"
            next_number[base] = n + 1
        used.add(heading_id)
        ids.append(heading_id)
    return ids


def render_article(text, summary_chars=160):
    """An article body as sanitized HTML with heading ids, its headings and a summary.

    `summary_chars` bounds the summary (the first paragraph's text), e.g. for a meta description.
    """
    tokens = _parse(text)
    words = sum(len(plain_text(token).split()) for token in tokens if token.type == "inline")
    positions = [
        position
        for position, token in enumerate(tokens)
        if token.type == "heading_open" and token.tag in CONTENTS_LEVELS
    ]
    texts = [plain_text(tokens[position + 1]) for position in positions]
    ids = heading_ids(texts)
    for position, heading_id in zip(positions, ids):
        tokens[position].attrSet("id", heading_id)
    headings = tuple(
        Heading(int(tokens[position].tag[1]), heading_id, heading_text)
        for position, heading_id, heading_text in zip(positions, ids, texts)
    )
    html = _with_table_scroll(_sanitize(_markdown.renderer.render(tokens, _markdown.options, {}), set(ids)))
    return RenderedArticle(
        html=html, headings=headings, summary=_summary(tokens, summary_chars), word_count=words
    )


def _summary(tokens, max_chars):
    for position, token in enumerate(tokens):
        if token.type == "paragraph_open" and token.level == 0:
            return shorten(plain_text(tokens[position + 1]), max_chars)
    return ""


def summary(text, max_chars=160):
    """The plain text of the first paragraph of Markdown `text`, shortened; "" when it has none."""
    return _summary(_markdown.parse(text or ""), max_chars)
