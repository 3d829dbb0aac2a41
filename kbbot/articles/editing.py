"""Changing articles from the staff editor and the staff API, without losing anyone's work.

Every change names the revision it was made on (`base`). When the article has
moved on since, the change is refused with `StaleRevision` instead of silently
overwriting what someone else saved (optimistic concurrency, like HTTP's
If-Match); the unique revision number per article is the backstop when two
saves race. Every change is a new revision recording its author, and a change
to what the bot answers from (an article published before or after it) bumps
the content generation, so every process re-indexes incrementally before its
next answer.

The same rules as `kbbot sync` validate what is saved (`articles.validate`).
"""

from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .. import db
from ..errors import Conflict, InvalidInput, NotFound
from ..models import Article, User
from .source import ArticleSource, InvalidField, one_line_field, save_article, snapshot, source_of, validate


class SlugConflict(InvalidInput):
    """The slug is another article's, or not this article's own: a rule about what is stored, not the
    value (the API answers 409; the editor shows it on the field, as any invalid input)."""

    def __init__(self, message):
        super().__init__("slug", message)


class StaleRevision(Conflict):
    """The article was saved by someone else since the revision an edit started from."""

    def __init__(self, article: Article, base):
        self.base = base
        self.current = article.current_revision.number
        super().__init__(
            f"article '{article.slug}' is at revision {self.current}, not {base}: someone saved it "
            "after you opened it; review their change and apply yours on top of it"
        )


def parse(fields, body, slug):
    """An `ArticleSource` from editor or API fields (None means "not given"); InvalidInput names the field."""
    metadata = {name: value for name, value in fields.items() if value is not None}
    try:
        return validate(metadata, body or "", default_slug=slug)
    except InvalidField as e:
        raise InvalidInput(e.field, str(e)) from e


def _note(note):
    """The note for the history on one line; InvalidInput when it holds a character no field may."""
    try:
        return one_line_field("note", note)
    except InvalidField as e:
        raise InvalidInput(e.field, str(e)) from e


def _commit(session: Session, reindex):
    """Commit; when what the bot answers from changed, every process re-indexes (`db.bump_generation`)."""
    if reindex:
        db.bump_generation(session)
    session.commit()


def get(session: Session, article_id, lock=False):
    """The article `article_id`; `lock` holds its row until commit (PostgreSQL), serializing saves."""
    query = select(Article).where(Article.id == article_id)
    article = session.execute(query.with_for_update() if lock else query).scalar_one_or_none()
    if article is None:
        raise NotFound("article not found")
    return article


def revision(article: Article, number):
    """The article's revision `number`."""
    found = next((r for r in article.revisions if r.number == number), None)
    if found is None:
        raise NotFound(f"article '{article.slug}' has no revision {number}")
    return found


def check_base(article: Article, base):
    """Refuse a change made on revision `base` when the article has a later one."""
    if base != article.current_revision.number:
        raise StaleRevision(article, base)


def create(session: Session, source: ArticleSource, author: User | None, note=""):
    """Store a new article; its slug must be free. Commits and returns the article."""
    if session.execute(select(Article.id).where(Article.slug == source.slug)).first():
        raise SlugConflict(f"slug '{source.slug}' is already used by another article")
    note = _note(note)
    try:
        save_article(session, source, note or "created", author=author)
        _commit(session, reindex=source.status == "published")
    except IntegrityError as e:  # the same slug was created at the same moment
        session.rollback()
        raise SlugConflict(f"slug '{source.slug}' is already used by another article") from e
    return session.execute(select(Article).where(Article.slug == source.slug)).scalar_one()


def update(session: Session, article: Article, source: ArticleSource, base, author: User | None, note=""):
    """Save `source` over `article`, made on revision `base`. Commits; False when nothing changed.

    The slug is fixed at creation: public links and the bot's citations point at it.
    """
    check_base(article, base)
    if source.slug != article.slug:
        raise SlugConflict(f"the slug cannot change after creation (it is '{article.slug}')")
    note = _note(note)
    was_published = article.status == "published"
    try:
        if save_article(session, source, note or "edited", author=author) == "unchanged":
            return False
        _commit(session, reindex=was_published or source.status == "published")
    except IntegrityError as e:  # another save took the same revision number first
        session.rollback()
        raise StaleRevision(article, base) from e
    return True


def publish(session: Session, article: Article, author: User | None, base=None, note=""):
    """Make the article public as it is now (`base` None: whatever its current revision)."""
    base = article.current_revision.number if base is None else base
    return update(
        session, article, replace(source_of(article), status="published"), base, author, note or "published"
    )


def unpublish(session: Session, article: Article, author: User | None, base=None, note=""):
    """Take the article off the help center and out of the bot's answers; it stays as a draft."""
    base = article.current_revision.number if base is None else base
    return update(
        session, article, replace(source_of(article), status="draft"), base, author, note or "unpublished"
    )


def restore(session: Session, article: Article, number, base, author: User | None):
    """Bring back revision `number`'s content as a new revision; the article keeps its current status."""
    old = snapshot(revision(article, number), article.slug)
    return update(
        session, article, replace(old, status=article.status), base, author, f"restored revision {number}"
    )


def delete(session: Session, article: Article, base=None):
    """Delete the article with its revisions and votes (past answers keep their text). Commits."""
    if base is not None:
        check_base(article, base)
    was_published = article.status == "published"
    session.delete(article)
    _commit(session, reindex=was_published)
