"""Embeddings of short texts (content-gap questions, section headings) kept in the database, each
embedded once per model.

A report groups every content-gap question of its period by meaning
(`topics.group`), so without a store every report and every dashboard view
embeds them all again: thousands of questions, a minute of CPU at 100,000
conversations. `stored` wraps an encoder so that only the texts never seen
by that model are embedded; their vectors are kept (`models.QuestionEmbedding`),
keyed by the model's name and the SHA-256 of the text. The engine keeps the
embeddings of the articles' section headings here too (`kept`), so that a
worker's start and its first question about an article need no model call
for them.
"""

import hashlib
import logging

import numpy as np
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from ..models import QuestionEmbedding

log = logging.getLogger(__name__)

# Texts looked up per query: well inside every database's limit on bound parameters.
LOOKUP_BATCH = 500
VECTOR_DTYPE = np.dtype("<f4")  # stored as little-endian float32 bytes


def text_key(text):
    """The store's key of `text`: the SHA-256 of its UTF-8 bytes, in hex."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def stored(session, model, encode):
    """`encode` (a list of texts -> L2-normalized float32 vectors, shape (n, d)) backed by the store.

    The returned function reads the vectors `model` already gave, embeds the
    other texts with `encode` (so `encode`, and the model behind it, is only
    called when there is something new), stores them, commits, and returns
    all of them in the order of the texts.
    """

    return lambda texts: _encoded(session, model, encode, list(texts), _write)


def kept(session, model, encode, groups, dimension):
    """{key: the vectors of its texts} for `groups` ({key: [text, ...]}), as `stored` gives them, read
    and stored in a session of its own on `session`'s database, so that the caller's session is never
    committed: the engine embeds section headings while a request's own work is under way. Storing is
    an optimization: when the database refuses the write (locked, read-only), the vectors are
    returned all the same."""
    flat = [text for texts in groups.values() for text in texts]
    if not flat:
        return {key: np.zeros((0, dimension), dtype=np.float32) for key in groups}
    with Session(bind=session.get_bind()) as own:
        vectors = _encoded(own, model, encode, flat, _write_if_possible)
    found, start = {}, 0
    for key, texts in groups.items():
        found[key] = vectors[start : start + len(texts)]
        start += len(texts)
    return found


def _encoded(session, model, encode, texts, write):
    """The vectors of `texts`: those `model` already gave from the store, the others embedded by
    `encode` and stored with `write`."""
    keys = [text_key(text) for text in texts]
    found = _read(session, model, list(dict.fromkeys(keys)))
    missing = list(dict.fromkeys(text for text, key in zip(texts, keys, strict=True) if key not in found))
    if missing or not texts:
        vectors = np.asarray(encode(missing), dtype=np.float32)
        if not texts:
            return vectors
        new = {text_key(text): vector for text, vector in zip(missing, vectors, strict=True)}
        write(session, model, new)
        found |= new
    return np.stack([found[key] for key in keys])


def _read(session, model, keys):
    """{key: vector} of the `keys` stored for `model`."""
    found = {}
    for start in range(0, len(keys), LOOKUP_BATCH):
        rows = session.execute(
            select(QuestionEmbedding.text_hash, QuestionEmbedding.vector).where(
                QuestionEmbedding.model == model,
                QuestionEmbedding.text_hash.in_(keys[start : start + LOOKUP_BATCH]),
            )
        )
        found.update((key, np.frombuffer(vector, dtype=VECTOR_DTYPE)) for key, vector in rows)
    return found


def _write(session, model, vectors):
    """Store {key: vector} for `model` and commit."""
    rows = [
        {"model": model, "text_hash": key, "vector": vector.astype(VECTOR_DTYPE).tobytes()}
        for key, vector in vectors.items()
    ]
    try:
        with session.begin_nested():
            session.execute(insert(QuestionEmbedding), rows)
    except IntegrityError:
        # Another process stored some of them meanwhile (the same vectors): they are embedded again next time.
        pass
    session.commit()


def _write_if_possible(session, model, vectors):
    try:
        _write(session, model, vectors)
    except SQLAlchemyError as e:
        session.rollback()
        log.warning("%d embeddings not kept in the database (%s): embedded again next time", len(vectors), e)
