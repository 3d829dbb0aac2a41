"""Help-center articles: the Markdown source format and how an article is stored.

Source format: one Markdown file per article with YAML front matter (`title`
required; `slug`, `category`, `tags`, `questions`, `locale`, `status`
optional). Storing an article keeps every change as a new `Revision` and
re-derives its chunks.
"""

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

import frontmatter
import yaml
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, selectinload

from .. import db
from ..errors import ArticleError
from ..models import ARTICLE_STATUSES, Article, Category, Chunk, KnowledgeBaseState, Revision, utcnow
from ..search import chunking
from ..text import CONTROL_CHARACTERS, MAX_SLUG_CHARS, SURROGATES, slugify
from .rendering import summary

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LOCALE_PATTERN = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$")
KNOWN_FIELDS = {"title", "slug", "category", "tags", "questions", "locale", "status"}
# The longest value each column holds (models.py); longer ones are refused, not truncated.
MAX_LENGTHS = {"title": 500, "slug": MAX_SLUG_CHARS, "category": 200}
# No field may hold a lone surrogate (JSON allows one; UTF-8, files and databases cannot store it)
# or a control character (Unicode category Cc: NUL, BEL, ESC...) other than tab, newline and carriage
# return. A one-line field holding one is refused, naming the field; in the body, where a pasted
# document may bring some along, they are removed (vertical tab, form feed and next-line become
# line breaks): XML 1.0 forbids them in text, HTML calls them parse errors.
_REFUSED_IN_ONE_LINE = re.compile(f"[{CONTROL_CHARACTERS}{SURROGATES}]")
_SURROGATE = re.compile(f"[{SURROGATES}]")
_BODY_CONTROLS = re.compile(f"[{CONTROL_CHARACTERS}]")
_BODY_LINE_BREAKS = {"\x0b", "\x0c", "\x85"}


class InvalidField(ValueError):
    """A front-matter value that breaks a rule; `field` names it for forms and API clients."""

    def __init__(self, field, message):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class ArticleSource:
    """A validated article as written by an editor, before it is stored."""

    slug: str
    title: str
    body: str = ""
    category: str | None = None
    tags: tuple[str, ...] = ()
    questions: tuple[str, ...] = ()
    locale: str = "en"
    status: str = "published"
    warnings: tuple[str, ...] = field(default=(), compare=False)

    @property
    def content_hash(self):
        """Hash of everything an editor wrote; equal hashes mean nothing changed."""
        content = {k: v for k, v in asdict(self).items() if k != "warnings"}
        return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


def _character(char):
    kind = "an unpaired surrogate" if _SURROGATE.match(char) else "a control character"
    return f"{kind} (U+{ord(char):04X})"


def one_line_field(name, value, what=None):
    """`value` with each run of whitespace (tabs and newlines too) as one space.

    Raises `InvalidField` naming `name` (`what` describes it, e.g. "'tags' item 2") when `value`
    holds a lone surrogate or a control character other than tab, newline and carriage return.
    """
    if match := _REFUSED_IN_ONE_LINE.search(value):
        raise InvalidField(
            name,
            f"{what or repr(name)} contains {_character(match[0])} at character {match.start() + 1}: "
            "remove it",
        )
    return " ".join(value.split())


def _body(text):
    """The body as stored, and the control characters found in it (sorted, each once)."""
    if match := _SURROGATE.search(text):
        line = text.count("\n", 0, match.start()) + 1
        raise InvalidField("body", f"'body' contains {_character(match[0])} on line {line}: remove it")
    found = sorted(set(_BODY_CONTROLS.findall(text)))
    return _BODY_CONTROLS.sub(_body_replacement, text), found


def _body_replacement(match):
    return "\n" if match[0] in _BODY_LINE_BREAKS else ""


def _string_list(value, name):
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise InvalidField(name, f"'{name}' must be a list of strings, got {type(value).__name__}")
    items = []
    for position, item in enumerate(value, start=1):
        if not isinstance(item, (str, int, float)) or isinstance(item, bool):
            raise InvalidField(name, f"'{name}' item {position} must be a string, got {type(item).__name__}")
        text = one_line_field(name, str(item), f"'{name}' item {position}")
        if text:
            items.append(text)
    return tuple(items)


def validate(metadata, body, default_slug):
    """An `ArticleSource` from front matter and body; raises `InvalidField` (a ValueError) naming the field."""
    if not isinstance(metadata, dict):
        raise ValueError("front matter must be a YAML mapping of fields")
    title = metadata.get("title")
    if not isinstance(title, str) or not title.strip():
        raise InvalidField("title", "missing required field 'title'")
    slug = metadata.get("slug", default_slug)
    if slug == "":
        raise InvalidField("slug", "no slug: the name has no letter or digit to make one; add a 'slug' field")
    if not isinstance(slug, str) or not SLUG_PATTERN.fullmatch(slug):
        raise InvalidField(
            "slug", f"invalid slug {slug!r}: use lower-case letters, digits and single hyphens"
        )
    category = metadata.get("category")
    if category is not None and (not isinstance(category, str) or not category.strip()):
        raise InvalidField("category", "'category' must be a non-empty string")
    locale = metadata.get("locale", "en")
    if not isinstance(locale, str) or not LOCALE_PATTERN.fullmatch(locale):
        raise InvalidField(
            "locale", f"invalid locale {locale!r}: expected a language tag such as 'en' or 'pt-BR'"
        )
    status = metadata.get("status", "published")
    if status not in ARTICLE_STATUSES:
        raise InvalidField(
            "status", f"unknown status {status!r}: expected one of {', '.join(ARTICLE_STATUSES)}"
        )
    for name, value in (("title", title), ("slug", slug), ("category", category)):
        if value is not None and len(value) > MAX_LENGTHS[name]:
            raise InvalidField(
                name, f"'{name}' is {len(value)} characters long, over the limit of {MAX_LENGTHS[name]}"
            )
    title = one_line_field("title", title)
    category = one_line_field("category", category) if category else None
    tags = _string_list(metadata.get("tags"), "tags")
    questions = _string_list(metadata.get("questions"), "questions")
    body, controls = _body(body)
    unknown = sorted(set(map(str, metadata)) - KNOWN_FIELDS)
    warnings = [f"unknown field {name!r} ignored" for name in unknown]  # repr: no raw control characters
    if controls:
        found = ", ".join(
            f"U+{ord(char):04X}" + (" (now a line break)" if char in _BODY_LINE_BREAKS else "")
            for char in controls
        )
        warnings.append(f"control characters removed from the body: {found}")
    return ArticleSource(
        slug=slug,
        title=title,
        body=body.strip(),
        category=category,
        tags=tags,
        questions=questions,
        locale=locale,
        status=status,
        warnings=tuple(warnings),
    )


def parse_article_text(text, default_slug):
    """An `ArticleSource` from the text of a Markdown file with YAML front matter."""
    handler = frontmatter.YAMLHandler()
    text = text.lstrip("\ufeff")
    if not handler.detect(text):
        raise ValueError(
            "no YAML front matter: the file must start with a '---' block holding at least 'title'"
        )
    try:
        header, body = handler.split(text)
        metadata = handler.load(header)
    except ValueError as e:
        raise ValueError("front matter is not closed by a '---' line") from e
    except yaml.YAMLError as e:
        # The line where the broken construct starts, counted in the whole file.
        mark = getattr(e, "context_mark", None) or getattr(e, "problem_mark", None)
        lines_before = text[: text.find(header)].count("\n")
        if mark:
            where = f" at line {lines_before + mark.line + 1}"
        elif isinstance(e, yaml.reader.ReaderError):  # a character YAML refuses (a control character)
            line = header.count("\n", 0, e.position)
            where = f" at line {lines_before + line + 1}"
        else:
            where = ""
        problem = getattr(e, "problem", None) or str(e).splitlines()[0]
        raise ValueError(f"malformed YAML front matter{where}: {problem}") from e
    return validate(metadata, body, default_slug)


def read_article_file(path: Path, max_bytes: int):
    """An `ArticleSource` from a file; raises `ArticleError` naming the file and the problem."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise ArticleError(path, f"file is {size} bytes, over the limit of {max_bytes} bytes")
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            line = raw.count(b"\n", 0, e.start) + 1
            message = f"not valid UTF-8: byte 0x{raw[e.start]:02x} on line {line} (offset {e.start})"
            raise ArticleError(path, message) from e
        return parse_article_text(text, default_slug=slugify(path.stem))
    except ValueError as e:
        raise ArticleError(path, str(e)) from e
    except OSError as e:
        raise ArticleError(path, f"cannot read file: {e.strerror}") from e


def category_slug(name):
    """The slug of the category called `name`; a digest of the name when it has no letter or digit."""
    return slugify(name) or "category-" + hashlib.sha256(name.encode()).hexdigest()[:8]


def _find_category(session: Session, name):
    return session.execute(select(Category).where(Category.slug == category_slug(name))).scalar_one_or_none()


def joined_category(session: Session, name):
    """The existing category, named otherwise, that an article of category `name` joins, or None.

    Names with the same slug are one category, at one address, shown under the name it was created
    with: "billing!" joins "Billing" (/categories/billing).
    """
    category = _find_category(session, name) if name is not None else None
    return category if category is not None and category.name != name else None


def _category(session: Session, name):
    if name is None:
        return None
    category = _find_category(session, name)
    if category is None:
        category = Category(slug=category_slug(name), name=name)
        session.add(category)
    return category


def _replace_chunks(session: Session, article: Article, revision: Revision):
    article.chunks.clear()
    session.flush()
    for entry in chunking.article_entries(article.title, article.body, article.questions):
        article.chunks.append(
            Chunk(
                revision=revision,
                kind=entry.kind,
                heading_path=list(entry.heading_path),
                position=entry.position,
                text=entry.text,
                search_text=entry.search_text,
                content_hash=entry.content_hash,
            )
        )


def rechunk_outdated(session: Session) -> int:
    """Cut the articles into entries again if they were cut by another `chunking.VERSION`.

    Chunks are stored so that every process indexes the same entries; a release that cuts
    articles differently would otherwise serve the old cut until each article is edited. The
    articles whose entries come out different get new chunks (and so new vectors); the others
    keep theirs. The version is read first, so a start with nothing to do writes nothing; when it
    differs it is claimed in one UPDATE, so of several processes starting together only one does
    the work. Returns how many articles were cut again; the caller commits.
    """
    stored_version = KnowledgeBaseState.chunking_version
    if session.scalar(select(stored_version)) == chunking.VERSION:
        return 0
    claimed = session.execute(
        update(KnowledgeBaseState)
        .where(or_(stored_version.is_(None), stored_version != chunking.VERSION))
        .values(chunking_version=chunking.VERSION)
    ).rowcount
    if not claimed:
        return 0
    changed = 0
    for article in session.execute(select(Article).options(selectinload(Article.chunks))).scalars():
        entries = chunking.article_entries(article.title, article.body, article.questions)
        if entries != [_entry_of(chunk) for chunk in article.chunks]:
            revision = article.chunks[0].revision if article.chunks else article.current_revision
            _replace_chunks(session, article, revision)
            changed += 1
    if changed:
        db.bump_generation(session)
    return changed


def _entry_of(chunk: Chunk):
    return chunking.Entry(
        chunk.kind, tuple(chunk.heading_path), chunk.position, chunk.text, chunk.search_text
    )


# What an editor writes that an article and each of its revisions store under the same names
# (the slug and the category are stored their own ways).
_WRITTEN = ("title", "body", "tags", "questions", "locale", "status")


def _written_columns(source: ArticleSource):
    """`source`'s written fields as an article's or a revision's columns (JSON lists, not tuples)."""
    values = {name: getattr(source, name) for name in _WRITTEN}
    return {name: list(value) if isinstance(value, tuple) else value for name, value in values.items()}


def _source(record, slug, category):
    """The `ArticleSource` an article or a revision records."""
    values = {name: getattr(record, name) for name in _WRITTEN}
    written = {name: tuple(value) if isinstance(value, list) else value for name, value in values.items()}
    return ArticleSource(slug=slug, category=category, **written)


def _add_revision(article: Article, source: ArticleSource, note: str, author=None):
    revision = Revision(
        number=len(article.revisions) + 1,
        category_name=source.category,
        content_hash=source.content_hash,
        note=note,
        author=author,
        **_written_columns(source),
    )
    article.revisions.append(revision)
    article.content_hash = source.content_hash
    article.updated_at = utcnow()
    return revision


def save_article(session: Session, source: ArticleSource, note: str, source_path=None, author=None):
    """Create or update the article for `source`, adding a revision when anything changed.

    `author` is the staff `User` who saved it (None for `kbbot sync`).
    Returns "created", "updated" or "unchanged". The caller commits.
    """
    article = session.execute(select(Article).where(Article.slug == source.slug)).scalar_one_or_none()
    created = article is None
    if not created and article.content_hash == source.content_hash:
        if source_path is not None:
            article.source_path = source_path
        return "unchanged"
    category = _category(session, source.category)
    if created:
        article = Article(slug=source.slug, created_at=utcnow())
        session.add(article)
    if source_path is not None:
        article.source_path = source_path
    article.category = category
    for name, value in _written_columns(source).items():
        setattr(article, name, value)
    article.summary = summary(source.body)
    revision = _add_revision(article, source, note, author)
    _replace_chunks(session, article, revision)
    return "created" if created else "updated"


def unpublish_article(article: Article, note: str, author=None):
    """Turn a published article into a draft (kept, with a revision saying why)."""
    article.status = "draft"
    _add_revision(article, source_of(article), note, author)


def source_of(article: Article):
    """The `ArticleSource` an article's current state corresponds to."""
    return _source(article, article.slug, article.category.name if article.category else None)


def snapshot(revision: Revision, slug):
    """The `ArticleSource` a revision recorded."""
    return _source(revision, slug, revision.category_name)
