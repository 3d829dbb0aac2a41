"""Sections of an article, the unit of an answer, quoted from the article's own Markdown.

An answer shows the section that answers the question: its heading, then its
text as the article has it (whole lists, table rows under their table's
header, links and code as written), so that it reads, and renders, like the
article page, and it links to that section (`Section.anchor`). A long section
is quoted by its passages that answer best, widened until they read as a
whole; a long table by the rows the question names. Pure functions: an
article body in, Markdown out.
"""

from dataclasses import dataclass

import numpy as np

from ..articles.highlight import query_terms
from ..articles.rendering import CONTENTS_LEVELS, heading_ids
from . import chunking, intents, retrieval

MAX_SECTION_WORDS = 160  # a section up to this long is shown whole (95% of the sample's are)
MAX_TABLE_ROWS = 6  # a table up to this many rows is shown whole; a longer one by the rows asked about
MAX_SPAN_WORDS = 260  # two neighbouring sections are answered together up to this long
HEADING_SEPARATOR = " › "


@dataclass(frozen=True)
class Section:
    """A run of an article's passages under one heading path (a heading's own text, not its subsections)."""

    heading_path: tuple[str, ...]  # () for the introduction, before the first heading
    anchor: str  # the `id` of its heading on the article page ("" for the introduction): `url#anchor`
    first: int  # its passages, `first` to `last`, as positions among the article's passages
    last: int

    @property
    def heading(self):
        """Its own heading's text; "" for the introduction."""
        return self.heading_path[-1] if self.heading_path else ""


@dataclass(frozen=True)
class Outline:
    """An article body cut the way the index cut it (`chunking.layout`), with its sections."""

    lines: tuple[str, ...]  # the body's source lines
    blocks: tuple[chunking.Block, ...]
    passages: tuple[chunking.Passage, ...]
    sections: tuple[Section, ...]
    # Per section, of its heading path: the content words' stems (`highlight.query_terms`) and the
    # intents (`intents.intents`), which section choice compares with every question's.
    heading_terms: tuple[frozenset[str], ...]
    heading_intents: tuple[frozenset[str], ...]

    def section_of(self, passage):
        """The position of the section that holds passage `passage`."""
        return next(i for i, section in enumerate(self.sections) if section.first <= passage <= section.last)

    def words(self, section):
        return sum(len(passage.text.split()) for passage in self.passages[section.first : section.last + 1])


def outline(body):
    """The `Outline` of an article body."""
    tokens = chunking.parse(body)
    blocks, passages = chunking.layout(body, tokens)
    anchors = iter(_heading_anchors(tokens))
    sections = []
    for position, passage in enumerate(passages):
        if sections and sections[-1].heading_path == passage.heading_path:
            last = sections[-1]
            sections[-1] = Section(last.heading_path, last.anchor, last.first, position)
            continue
        anchor = ""
        if passage.heading_path:  # the next heading in reading order with this path (empty ones have none)
            anchor = next((a for path, a in anchors if path == passage.heading_path), "")
        sections.append(Section(passage.heading_path, anchor, position, position))
    lines = body.replace("\r\n", "\n").replace("\r", "\n").split("\n")  # as markdown-it counts them
    headings = [" ".join(section.heading_path) for section in sections]
    return Outline(
        tuple(lines),
        tuple(blocks),
        tuple(passages),
        tuple(sections),
        tuple(frozenset(query_terms(heading)) for heading in headings),
        tuple(intents.intents(heading) for heading in headings),
    )


def _heading_anchors(tokens):
    """(heading path, anchor) of every heading of a body's `tokens`, in reading order. A heading below
    h3 has no id on the page (`rendering.CONTENTS_LEVELS`): its anchor is the nearest one above it."""
    found = []  # (level, text)
    for position, token in enumerate(tokens):
        if token.type == "heading_open":
            found.append((int(token.tag[1:]), chunking.plain_text(tokens[position + 1])))
    ids = iter(heading_ids([text for level, text in found if f"h{level}" in CONTENTS_LEVELS]))
    result, path = [], []  # path: (level, text, anchor)
    for level, text in found:
        above = [entry for entry in path if entry[0] < level]
        anchor = next(ids) if f"h{level}" in CONTENTS_LEVELS else (above[-1][2] if above else "")
        path = above + [(level, text, anchor)]
        result.append((tuple(entry[1] for entry in path), anchor))
    return result


def answer_span(probabilities, words, threshold):
    """(positions of the sections to answer with, the probability that they hold the answer).

    The likeliest section alone when it reaches `threshold`; else, when the next likeliest is its
    neighbour ("If you can't sign in" and its "Didn't get the email?") and the two together reach
    it and stay under `MAX_SPAN_WORDS` (`words`, one count per section), both, in reading order:
    one short answer that surely holds the part asked about beats asking which of the two.
    """
    order = np.argsort(-probabilities, kind="stable")
    best = int(order[0])
    if probabilities[best] >= threshold or len(order) < 2:
        return (best,), float(probabilities[best])
    second = int(order[1])
    together = float(probabilities[best] + probabilities[second])
    if abs(best - second) == 1 and together >= threshold and words[best] + words[second] <= MAX_SPAN_WORDS:
        return tuple(sorted((best, second))), together
    return (best,), float(probabilities[best])


def article_choices(section_orders, limit):
    """What to offer when unsure which article answers: (article position, section position or
    None) pairs, best first, for articles ranked best first, each given by its sections' positions,
    likeliest first (`section_orders`; empty for an article without sections). A card per article,
    with its likeliest section, for up to `limit` articles, as the answer bots of Zendesk and
    Intercom offer two or three articles; with fewer articles than that, the first article's next
    likeliest sections follow its card.
    """
    cards = [(article, order[0] if order else None) for article, order in enumerate(section_orders[:limit])]
    more = [(0, position) for position in section_orders[0][1 : 1 + limit - len(cards)]]
    return cards[:1] + more + cards[1:]


def quote(outline, section, passage_scores, question_terms=frozenset(), narrow=False):
    """Markdown of `section` (a position in `outline.sections`) for an answer: its heading, then its text.

    Whole when it has at most `MAX_SECTION_WORDS` words; otherwise (or when `narrow`: a follow-up
    about another aspect of a section already shown) the passages of it that answer best
    (`passage_scores`, one per passage of the article) widened until they read as a whole
    (`retrieval.readable_answer`'s rules, within the section). A table shows the rows that name the
    most of `question_terms` (`highlight.query_terms`) when it has more than `MAX_TABLE_ROWS` rows
    or when `narrow`, else all of them.
    """
    chosen = outline.sections[section]
    positions = range(chosen.first, chosen.last + 1)
    if narrow or outline.words(chosen) > MAX_SECTION_WORDS:
        own = [(p.heading_path, p.text) for p in outline.passages[chosen.first : chosen.last + 1]]
        scores = [passage_scores[p] for p in positions]
        picked = [int(np.argmax(scores))] if narrow else retrieval.answer_passages(scores)
        spans = retrieval.readable_spans(own, picked)
        positions = [chosen.first + p for start, stop in spans for p in range(start, stop + 1)]
    blocks = [b for p in positions for b in _blocks_of(outline, p)]
    blocks = _rows_asked_about(outline, sorted(set(blocks)), chosen, question_terms, narrow)
    heading = f"**{HEADING_SEPARATOR.join(chosen.heading_path)}**" if chosen.heading_path else ""
    return "\n\n".join(part for part in (heading, excerpt(outline, blocks)) if part)


def snippet(outline, passage):
    """A passage's text for a list of results: as indexed (plain), but a passage of table rows as a
    Markdown table of them under the table's header."""
    rows = [b for b in _blocks_of(outline, passage) if outline.blocks[b].header is not None]
    return excerpt(outline, rows) if rows else outline.passages[passage].text


def _blocks_of(outline, passage):
    return range(outline.passages[passage].first, outline.passages[passage].last + 1)


def _rows_asked_about(outline, blocks, section, question_terms, every_table):
    """`blocks` with the rows of each table they show narrowed to the rows of the whole table (within
    `section`) that name the most `question_terms`, if any row names one: for every table if
    `every_table`, else only for those longer than `MAX_TABLE_ROWS`."""
    in_section = range(outline.passages[section.first].first, outline.passages[section.last].last + 1)
    headers = {outline.blocks[b].header for b in blocks} - {None}
    for header in headers:
        rows = [b for b in in_section if outline.blocks[b].header == header]
        if len(rows) <= MAX_TABLE_ROWS and not every_table:
            continue
        named = {b: len(query_terms(outline.blocks[b].text) & question_terms) for b in rows}
        best = max(named.values())
        if best:
            keep = [b for b in rows if named[b] == best][:MAX_TABLE_ROWS]
            blocks = sorted({b for b in blocks if outline.blocks[b].header != header} | set(keep))
    return blocks


def excerpt(outline, blocks):
    """Markdown quoting `blocks` (positions, sorted) from the article's source, in reading order.

    Each block's whole unit (`chunking.Block.lines`) is quoted once; units that follow each other
    in the source (blank lines apart) stay together, so a list stays one list and paragraphs stay
    paragraphs; rows of one table come under its header, once; other units are paragraphs apart.
    """
    groups = []  # [header lines or None, first line, stop line, quoted lines]
    for b in blocks:
        block = outline.blocks[b]
        start, stop = block.lines
        last = groups[-1] if groups else None
        if last is not None and last[2] > start:
            continue  # the same unit as the block before (a list item's second paragraph)
        if (
            last is not None
            and last[0] == block.header
            and (block.header is not None or not any(line.strip() for line in outline.lines[last[2] : start]))
        ):
            between = [] if block.header is not None else list(outline.lines[last[2] : start])
            last[3] += between + list(outline.lines[start:stop])
            last[2] = stop
            continue
        header = list(outline.lines[block.header[0] : block.header[1]]) if block.header else []
        groups.append([block.header, start, stop, header + list(outline.lines[start:stop])])
    return "\n\n".join("\n".join(lines).strip("\n") for *_, lines in groups)
