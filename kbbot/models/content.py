"""The help center's content: categories, articles, their revisions and the chunks the indexes are
built from (the FAISS and BM25 indexes are derived from the `Chunk` rows and can always be rebuilt)."""

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, utcnow

if TYPE_CHECKING:
    from .staff import User

ARTICLE_STATUSES = ("published", "draft")


class Category(Base):
    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(String(200))

    articles: Mapped[list["Article"]] = relationship(back_populates="category")


class Article(Base):
    """The current state of one help-center article (its latest revision)."""

    __tablename__ = "articles"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    title: Mapped[str] = mapped_column(String(500))
    body: Mapped[str] = mapped_column(Text, default="")
    # The plain text of the body's first paragraph, shortened (`rendering.summary`): what lists show.
    summary: Mapped[str] = mapped_column(Text, default="")
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"))
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    questions: Mapped[list[str]] = mapped_column(JSON, default=list)
    locale: Mapped[str] = mapped_column(String(35), default="en")
    status: Mapped[str] = mapped_column(String(20), default="published")
    # Path of the file `kbbot sync` imported it from, relative to the synced directory.
    source_path: Mapped[str | None] = mapped_column(String(1000))
    content_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    category: Mapped[Category | None] = relationship(back_populates="articles")
    revisions: Mapped[list["Revision"]] = relationship(
        back_populates="article",
        order_by="Revision.number",
        cascade="all, delete-orphan",
    )
    chunks: Mapped[list["Chunk"]] = relationship(
        back_populates="article",
        order_by="Chunk.position",
        cascade="all, delete-orphan",
    )

    @property
    def current_revision(self):
        return self.revisions[-1] if self.revisions else None


class Revision(Base):
    """An immutable snapshot of an article; every change adds one."""

    __tablename__ = "revisions"
    __table_args__ = (UniqueConstraint("article_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(500))
    body: Mapped[str] = mapped_column(Text, default="")
    category_name: Mapped[str | None] = mapped_column(String(200))
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    questions: Mapped[list[str]] = mapped_column(JSON, default=list)
    locale: Mapped[str] = mapped_column(String(35))
    status: Mapped[str] = mapped_column(String(20))
    content_hash: Mapped[str] = mapped_column(String(64))
    # Who or what made the change, e.g. "sync" or "sync: source file removed".
    note: Mapped[str] = mapped_column(String(500), default="")
    # The staff member who saved it in the editor or the staff API (none for `kbbot sync`).
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    article: Mapped[Article] = relationship(back_populates="revisions")
    author: Mapped["User | None"] = relationship()


class Chunk(Base):
    """One retrievable entry of an article: its title, an alternate question or a passage.

    `search_text` is what gets embedded and BM25-indexed (a passage is prefixed
    with its title and heading path for context); `text` is what a customer is
    shown. `content_hash` covers `search_text`, so unchanged entries keep their
    vectors across edits.
    """

    __tablename__ = "chunks"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("revisions.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))  # "title" | "question" | "passage"
    heading_path: Mapped[list[str]] = mapped_column(JSON, default=list)
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    search_text: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))

    article: Mapped[Article] = relationship(back_populates="chunks")
    revision: Mapped[Revision] = relationship()


class KnowledgeBaseState(Base):
    """A single row whose generation grows with every change to the indexed content.

    Each process compares it with the generation its in-memory index was built
    from, so every worker serves the new text soon after any worker changed it.
    """

    __tablename__ = "kb_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    generation: Mapped[int] = mapped_column(Integer, default=0)
    # The `chunking.VERSION` the stored chunks were cut with (None: from before versions were kept).
    chunking_version: Mapped[int | None] = mapped_column(Integer)
