"""Embeddings kept in the database: derived data, like the index, that is costly to compute again."""

from datetime import datetime

from sqlalchemy import LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime, utcnow


class QuestionEmbedding(Base):
    """One text's embedding by one model (kbbot/search/question_embeddings.py): the reports embed each
    content-gap question once, not at every report, and the engine each section heading once, not
    in every worker.

    Keyed by the SHA-256 of the text, not the text itself, so that no customer's words are kept here
    once their conversation is erased. `vector`: little-endian float32, L2-normalized.
    """

    __tablename__ = "question_embeddings"

    model: Mapped[str] = mapped_column(String(200), primary_key=True)
    text_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    vector: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
