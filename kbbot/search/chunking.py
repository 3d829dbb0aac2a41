"""Structure-aware chunking: an article becomes the entries the engine retrieves.

An article yields one `title` entry, one `question` entry per alternate
question, and `passage` entries: its Markdown body is cut into sections at
headings, and each section into passages of at most `MAX_PASSAGE_WORDS` words
that end at sentence (or list item, or table row) boundaries; a longer sentence
is a passage of its own. Raw HTML is never indexed. Pure functions: text in,
entries out.
"""

import hashlib
import re
from dataclasses import dataclass

from markdown_it import MarkdownIt

# Raised whenever a change here cuts articles into different entries: stored chunks are then cut
# again at the next start (`articles.rechunk_outdated`). 2: sentences up to MAX_SENTENCE_WORDS whole;
# 3: a cut code block ends with CODE_CUT; 4: code blocks are fenced; 5: numbered steps are counted
# without the items that have no text (only an image).
VERSION = 5
MAX_PASSAGE_WORDS = 60
# A sentence is cut only past this: an answer that stops mid-sentence misleads, and the model
# reads 256 word pieces (about 190 words), the passage's title and headings included.
MAX_SENTENCE_WORDS = 150
MAX_CODE_CHARS = 400
# The last line of a code block cut at MAX_CODE_CHARS: an answer must not pass it off as whole.
CODE_CUT = "[…]"
SENTENCE_ENDINGS = (".", "!", "?", "…")
FENCE = re.compile(r"`{3,}")  # a line that opens or closes a code block, as `_fenced` writes it
# The marker a list item's first paragraph starts with ("3. " or "- "), as `_blocks` writes it.
LIST_ITEM_MARKER = re.compile(r"(\d+\. |- )")

_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”')\]]*\s+(?=[\"“(\[]?[A-Z0-9])")
_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Entry:
    """One indexed unit of an article.

    `text` is shown to customers; `search_text` is embedded and BM25-indexed.
    """

    kind: str  # "title" | "question" | "passage"
    heading_path: tuple[str, ...]
    position: int
    text: str
    search_text: str

    @property
    def content_hash(self):
        return hashlib.sha256(f"{self.kind}\x00{self.search_text}".encode()).hexdigest()


@dataclass(frozen=True)
class Block:
    """A unit of body text that is never split mid-way unless it is itself too long.

    `lines` are the Markdown source lines, [start, stop), of the smallest whole
    unit that holds it: a top-level paragraph, code block or table row, the
    top-level list item or block quote it is part of. An answer quotes those
    lines, so lists, links and table rows come out as the article has them.
    A table row also knows its table's `header` lines (header and delimiter row).
    """

    heading_path: tuple[str, ...]
    text: str
    lines: tuple[int, int]
    splittable: bool = True
    header: tuple[int, int] | None = None


@dataclass(frozen=True)
class Passage:
    """One passage of an article body: its text and the blocks it was cut from, `first` to `last`."""

    heading_path: tuple[str, ...]
    text: str
    first: int
    last: int


_PARSER = MarkdownIt("commonmark").enable("table")  # made once: each parse keeps its own state


def parse(body):
    """The markdown-it tokens of an article body, as chunking reads them."""
    return _PARSER.parse(body)


def split_sentences(text):
    """Sentences of `text`, split after ., ! or ? followed by a capital or digit."""
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


def plain_text(token):
    """The words of an inline token (its text and code spans), without Markdown formatting."""
    parts = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return _WHITESPACE.sub(" ", "".join(parts)).strip()


def _blocks(tokens):
    """Walk the Markdown `tokens` of a body into `Block`s, each with its heading path and source lines."""
    reader = _BlockReader()
    i = 0
    while i < len(tokens):
        i = reader.read(tokens, i)
    return reader.blocks


_LIST_TOKENS = (
    "ordered_list_open",
    "bullet_list_open",
    "ordered_list_close",
    "bullet_list_close",
    "list_item_open",
    "list_item_close",
)
_TABLE_TOKENS = ("table_open", "thead_open", "thead_close", "tr_open", "tr_close")


class _BlockReader:
    """`_blocks`' walk through the tokens: the blocks read so far, and where the walk is (under
    which headings, in which lists and table, in which top-level unit of source lines)."""

    def __init__(self):
        self.blocks = []
        self.headings = []  # (level, text)
        self.list_counters = []  # one per open list: next number, or None for bullets
        self.table_header, self.table_row, self.in_header = [], [], False
        self.header_lines = None  # the current table's header and delimiter row
        self.unit = (0, 0)  # the source lines of the top-level unit being read (`Block.lines`)
        self.marker = ""  # "3. " or "- " for the first paragraph of a list item
        self.marker_list = None  # the index in list_counters of the list whose marker waits for a paragraph

    @property
    def path(self):
        """The heading path of what is read now."""
        return tuple(text for _, text in self.headings)

    def read(self, tokens, i):
        """Read token `i` of `tokens`; returns the index of the next token to read."""
        token = tokens[i]
        if token.map and (
            token.level == 0 or (token.type in ("list_item_open", "tr_open") and _top_level(token))
        ):
            self.unit = tuple(token.map)
        if token.type == "heading_open":
            level = int(token.tag[1:])
            text = plain_text(tokens[i + 1])
            self.headings = [h for h in self.headings if h[0] < level] + [(level, text)]
            return i + 3
        if token.type in _LIST_TOKENS:
            self._list(token)
        elif token.type in _TABLE_TOKENS:
            self._table(token)
        elif token.type == "inline":
            self._inline(token, tokens[i - 1].type if i else "")
        elif token.type in ("fence", "code_block"):
            self._code(token)
        return i + 1

    def _list(self, token):
        if token.type == "ordered_list_open":
            self.list_counters.append(int(token.attrGet("start") or 1))
        elif token.type == "bullet_list_open":
            self.list_counters.append(None)
        elif token.type in ("ordered_list_close", "bullet_list_close"):
            self.list_counters.pop()
        elif token.type == "list_item_open" and self.list_counters:
            number = self.list_counters[-1]
            self.marker = f"{number}. " if number is not None else "- "
            self.marker_list = len(self.list_counters) - 1
        elif token.type == "list_item_close":
            # An item without text (only an image) leaves no marker for the next paragraph, and takes
            # no number: the steps read 1, 2, 3 without it.
            self.marker = ""

    def _table(self, token):
        if token.type == "table_open":
            # A table inside a list or quote is quoted with it, header and all.
            self.header_lines = (token.map[0], token.map[0] + 2) if token.level == 0 else None
        elif token.type == "thead_open":
            self.in_header = True
        elif token.type == "thead_close":
            self.in_header = False
        elif token.type == "tr_open":
            self.table_row = []
        elif token.type == "tr_close":
            if self.in_header:
                self.table_header = self.table_row
            elif any(self.table_row):
                text = _row_text(self.table_header, self.table_row)
                self.blocks.append(
                    Block(self.path, text, self.unit, splittable=False, header=self.header_lines)
                )

    def _inline(self, token, parent):
        """An inline token (a paragraph's or a cell's text) under a token of type `parent`."""
        text = plain_text(token)
        if parent in ("th_open", "td_open"):
            self.table_row.append(text)
        elif text:
            self.blocks.append(Block(self.path, self.marker + text, self.unit))
            if self.marker and self.list_counters[self.marker_list] is not None:
                self.list_counters[self.marker_list] += 1
            self.marker = ""

    def _code(self, token):
        code = token.content.strip()
        if code:
            if len(code) > MAX_CODE_CHARS:  # a code block says what it is in its first lines
                code = code[:MAX_CODE_CHARS].rsplit("\n", 1)[0] + "\n" + CODE_CUT
            self.blocks.append(Block(self.path, _fenced(code), self.unit, splittable=False))


def _row_text(header, row):
    """A table row's cells as one sentence, "Header: value; Header: value." (empty cells left out)."""
    cells = [
        f"{name}: {value}" if name else value for name, value in zip(header + [""] * len(row), row) if value
    ]
    text = "; ".join(cells)
    # A row reads as one sentence; a last cell that ends one already needs no second stop.
    return text if text.endswith(SENTENCE_ENDINGS) else text + "."


def _top_level(token):
    """Whether a list item or table row belongs to a top-level list or table (quoted as a whole)."""
    return token.level == (1 if token.type == "list_item_open" else 2)


def _fenced(code):
    """`code` between Markdown fence lines, so that an answer can show it as code: a fence longer
    than any run of backticks in the code."""
    longest = max((len(run) for run in re.findall(r"`+", code)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}\n{code}\n{fence}"


def unfenced(text):
    """`text` without its code fence lines: a one-line snippet has no room to show code as code."""
    return "\n".join(line for line in text.split("\n") if not FENCE.fullmatch(line))


def _word_count(text):
    return len(text.split())


def _pieces(block):
    """A block as pieces no longer than the passage limit, cut at sentence ends."""
    if _word_count(block.text) <= MAX_PASSAGE_WORDS or not block.splittable:
        return [block.text]
    pieces = []
    for sentence in split_sentences(block.text):
        words = sentence.split()
        for start in range(0, len(words), MAX_SENTENCE_WORDS):
            pieces.append(" ".join(words[start : start + MAX_SENTENCE_WORDS]))
    return pieces


def layout(body, tokens=None):
    """(the body's `Block`s, its `Passage`s): sections cut at headings, packed up to the word limit.
    `tokens`: the body's, when the caller has parsed it already."""
    blocks = _blocks(parse(body) if tokens is None else tokens)
    result = []
    current_path, current, words, first, last = None, [], 0, 0, 0
    for position, block in enumerate(blocks):
        for piece in _pieces(block):
            n = _word_count(piece)
            if current and (block.heading_path != current_path or words + n > MAX_PASSAGE_WORDS):
                result.append(Passage(current_path, "\n".join(current), first, last))
                current, words = [], 0
            if not current:
                first = position
            current_path, last = block.heading_path, position
            current.append(piece)
            words += n
    if current:
        result.append(Passage(current_path, "\n".join(current), first, last))
    return blocks, result


def plain(markdown):
    """The words of Markdown text as the index reads them: formatting aside, a table row as
    "Header: value; Header: value.", one block a line."""
    return "\n".join(block.text for block in _blocks(parse(markdown)))


def passages(body):
    """(heading_path, text) pairs: sections cut at headings, packed up to the word limit."""
    return [(passage.heading_path, passage.text) for passage in layout(body)[1]]


def article_entries(title, body, questions=()):
    """All entries of one article: its title, each alternate question, each passage."""
    entries = [Entry("title", (), 0, title, title)]
    for question in questions:
        entries.append(Entry("question", (), len(entries), question, question))
    for heading_path, text in passages(body or ""):
        context = " > ".join((title,) + heading_path)
        entries.append(Entry("passage", heading_path, len(entries), text, f"{context}: {text}"))
    return entries
