"""The published articles as the engine searches them: read from the database, indexed, ranked.

`Engine.refresh` reads the published articles (`published_articles`),
brings the dense index up to date with them and builds a new `KnowledgeBase`
around it; the engine swaps it in whole. A `KnowledgeBase` holds the BM25
indexes, the entries, the article centroids and the speller, and answers
the questions that need only those: which articles rank for a query, how
an article's passages score, what a found article shows (its `Source`), which articles
are alike.
"""

from collections import Counter
from dataclasses import dataclass

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..models import Article, Chunk
from . import chunking, retrieval, sections
from .answers import Source
from .index import DenseIndex
from .lexical import LexicalIndex
from .spelling import Speller, word_counts

CANDIDATES = 100  # entries taken from each retriever before fusion


@dataclass(frozen=True)
class ArticleInfo:
    id: int
    slug: str
    title: str
    category: str | None
    revision_id: int | None
    passage_ids: tuple[int, ...]
    entry_ids: tuple[int, ...]
    body: str  # the published Markdown the passages were cut from (`sections.outline`)


def section_heading_text(title, section):
    """What a section's heading is embedded as: the article's title, then the headings above it."""
    return " > ".join((title,) + section.heading_path)


@dataclass(frozen=True)
class PublishedArticles:
    """The published articles and their stored entries (chunks), as read from the database."""

    entries: dict[int, retrieval.EntryInfo]  # entry id -> what retrieval knows of it
    articles: dict[int, ArticleInfo]  # article id -> its `ArticleInfo`
    desired: dict[int, tuple[str, str]]  # entry id -> (content hash, search text): `DenseIndex.update`
    documents: list[str]  # one BM25 document per article, its entries' texts, in `articles` order


def published_articles(session: Session) -> PublishedArticles:
    """The published articles with their entries, read from the database."""
    articles = (
        session.execute(
            select(Article)
            .where(Article.status == "published")
            .options(selectinload(Article.chunks), selectinload(Article.category))
        )
        .scalars()
        .all()
    )
    entries, infos, desired, documents = {}, {}, {}, []
    for article in articles:
        revision_id = article.chunks[0].revision_id if article.chunks else None
        passage_ids = []
        for chunk in article.chunks:
            entries[chunk.id] = retrieval.EntryInfo(
                article.id, chunk.kind, chunk.text, tuple(chunk.heading_path)
            )
            desired[chunk.id] = (chunk.content_hash, chunk.search_text)
            if chunk.kind == "passage":
                passage_ids.append(chunk.id)
        documents.append(" ".join(chunk.text for chunk in article.chunks))
        infos[article.id] = ArticleInfo(
            article.id,
            article.slug,
            article.title,
            article.category.name if article.category else None,
            revision_id,
            tuple(passage_ids),
            tuple(chunk.id for chunk in article.chunks),
            article.body,
        )
    return PublishedArticles(entries, infos, desired, documents)


def published_hashes(session: Session) -> dict[int, str]:
    """{entry id: content hash} of the published articles' entries: what the dense index must hold."""
    rows = session.execute(
        select(Chunk.id, Chunk.content_hash).join(Article).where(Article.status == "published")
    )
    return dict(rows.all())


@dataclass
class KnowledgeBase:
    """The indexed published articles, built whole by each refresh."""

    dense: DenseIndex | None  # None until the first refresh
    lexical: LexicalIndex  # one BM25 document per article, aligned with `article_ids`
    passage_lexical: LexicalIndex  # one BM25 document per passage, to pick the answer
    passage_rows: dict[int, int]  # passage entry id -> its row in `passage_lexical`
    speller: Speller
    entries: dict[int, retrieval.EntryInfo]
    articles: dict[int, ArticleInfo]
    article_ids: np.ndarray  # shape (n_articles,), in `articles` order
    centroids: np.ndarray  # L2-normalized mean entry vector of each article, shape (n_articles, dimension)
    outlines: dict  # article id -> (revision id, its outline, its heading vectors): `outlined`

    @classmethod
    def empty(cls, dimension):
        """The knowledge base before the first refresh: nothing indexed, no words known."""
        return cls(
            dense=None,
            lexical=LexicalIndex([], []),
            passage_lexical=LexicalIndex([], []),
            passage_rows={},
            speller=Speller(Counter()),
            entries={},
            articles={},
            article_ids=np.zeros(0, dtype=np.int64),
            centroids=np.zeros((0, dimension), dtype=np.float32),
            outlines={},
        )

    @classmethod
    def build(cls, dense, published, previous, correct_spelling, dimension):
        """The knowledge base of `published` around `dense` (already updated to its entries).

        From `previous` it keeps the outlines of the articles still at the same revision and, when
        the articles use the same words, the speller.
        """
        infos = published.articles
        article_ids = np.array(list(infos), dtype=np.int64)
        passage_ids = [i for info in infos.values() for i in info.passage_ids]
        # Knowing no words, a speller corrects none. Most edits add or drop no word: the
        # speller built for the same words is kept (building one takes about 60 ms).
        words = word_counts(published.documents) if correct_spelling else Counter()
        speller = previous.speller if previous.speller.knows_the_same_words(words) else Speller(words)
        return cls(
            dense=dense,
            lexical=LexicalIndex(article_ids, published.documents),
            passage_lexical=LexicalIndex(passage_ids, [published.entries[i].text for i in passage_ids]),
            passage_rows={entry_id: row for row, entry_id in enumerate(passage_ids)},
            speller=speller,
            entries=published.entries,
            articles=infos,
            article_ids=article_ids,
            centroids=_centroid_matrix(dense, infos.values(), dimension),
            outlines={
                article_id: kept
                for article_id, kept in previous.outlines.items()
                if article_id in infos and infos[article_id].revision_id == kept[0]
            },
        )

    def rank(self, query):
        """The articles ranked for `query` (the engine's `_Query`), best first: `retrieval.fuse`."""
        dense_ids, dense_scores = self.dense.search(query.vector, CANDIDATES)
        return retrieval.fuse(
            dense_ids,
            dense_scores,
            self.centroids @ query.vector,
            self.lexical.scores(query.terms),
            self.article_ids,
            self.entries,
            self.lexical.code_matches(query.text),
        )

    def outlined(self, article, encode):
        """(the article's `sections.Outline`, the embeddings of its sections' heading paths under the
        title, shape (n_sections, dimension)), computed on first use of each revision and kept.
        The outline is None, and the embeddings too, if its passages are not the indexed ones (the
        body was cut by another chunking version and waits to be cut again). `encode`: the encoder's."""
        kept = self.outlines.get(article.id)
        if kept is None or kept[0] != article.revision_id:
            found, vectors = sections.outline(article.body), None
            if len(found.passages) != len(article.passage_ids):
                found = None
            else:
                vectors = encode([section_heading_text(article.title, s) for s in found.sections])
            kept = self.outlines[article.id] = (article.revision_id, found, vectors)
        return kept[1], kept[2]

    def passage_scores(self, article, query):
        """`retrieval.passage_scores` of the article's passages for `query`, in reading order."""
        passage_ids = list(article.passage_ids)
        return retrieval.passage_scores(
            query.vector,
            self.dense.vectors(passage_ids),
            query.passage_lexical[[self.passage_rows[i] for i in passage_ids]],
        )

    def source(self, hit, query, top_score, probability, encode, choice=None):
        """The `Source` for `hit`, whose `confidence` is `probability`: the article, with the passage
        that answers `query` best (or the first passage of the section `choice`, a position in its
        outline). `encode`: the encoder's, for the outline (`outlined`)."""
        article = self.articles[hit.article_id]
        outline = self.outlined(article, encode)[0] if article.passage_ids else None
        position = None
        if choice is not None:
            position = outline.sections[choice].first
        elif article.passage_ids and query is not None:
            position = int(np.argmax(self.passage_scores(article, query)))
        passage_id = article.passage_ids[position] if position is not None else None
        # An FAQ entry has no passage: show the entry that matched, else its title.
        entry_id = next(i for i in (passage_id, hit.best_entry_id, article.entry_ids[0]) if i is not None)
        entry = self.entries[entry_id]
        text = (
            sections.snippet(outline, position)
            if outline is not None and position is not None
            else entry.text
        )
        return Source(
            article_id=article.id,
            slug=article.slug,
            title=article.title,
            snippet=chunking.unfenced(text),
            entry_id=entry_id,
            heading_path=entry.heading_path,
            score=round(hit.score / top_score, 4) if top_score else 0.0,
            confidence=round(probability, 4),
            dense_score=hit.dense_max,
            lexical_score=hit.lexical,
            revision_id=article.revision_id,
        )

    def section_features(self, article, query, encode):
        """(outline, passage scores, `retrieval.section_features`) of one article for `query`; outline
        and features are None for an article without sections to choose from (no body, or not cut
        yet). `encode`: the encoder's, for `outlined`."""
        if not article.passage_ids:
            return None, np.zeros(0), None
        scores = self.passage_scores(article, query)
        found, heading_vectors = self.outlined(article, encode)
        if found is None:
            return None, scores, None
        features = retrieval.section_features(
            found, scores, heading_vectors @ query.vector, query.marked, query.intents
        )
        return found, scores, features

    def article_by_slug(self, slug):
        """The `ArticleInfo` of published article `slug`, or None."""
        return next((a for a in self.articles.values() if a.slug == slug), None)

    def related(self, slug, limit, min_similarity):
        """`ArticleInfo`s of the articles most like `slug`, best first, by centroid cosine: at most
        `limit`, each at or above `min_similarity` (in [-1, 1]); [] when `slug` is not published."""
        rows = {info.slug: row for row, info in enumerate(self.articles.values())}
        if slug not in rows:
            return []
        similarities = self.centroids @ self.centroids[rows[slug]]
        order = [row for row in np.argsort(-similarities, kind="stable") if row != rows[slug]]
        return [
            self.articles[int(self.article_ids[row])]
            for row in order[:limit]
            if similarities[row] >= min_similarity
        ]


def _centroid_matrix(dense, articles, dimension):
    """L2-normalized mean entry vector of each article, shape (n_articles, dimension)."""
    matrix = np.zeros((len(articles), dimension), dtype=np.float32)
    for row, article in enumerate(articles):
        if article.entry_ids:
            mean = dense.vectors(list(article.entry_ids)).mean(axis=0)
            matrix[row] = mean / max(float(np.linalg.norm(mean)), 1e-12)
    return matrix
