"""The answer engine: keeps the indexes in step with the database and answers questions.

One `Engine` per process. It loads the dense index from the index directory
(rebuilding it from the database when it is missing, corrupt or made with
another model), keeps BM25 in memory, and before each question checks the
database's content generation so an edit made by any process is served here
within one request.
"""

import logging
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from . import chunking, confidence, db, retrieval
from .errors import IndexCorrupt, IndexMissing
from .index import DenseIndex, UpdateCounts
from .lexical import LexicalIndex
from .models import Article
from .spelling import Speller, word_counts

log = logging.getLogger(__name__)

CANDIDATES = 100  # entries taken from each retriever before fusion
RELATED_MIN_SIMILARITY = 0.4  # centroid cosine under which an article is not "related" (sample median: 0.29)


@dataclass(frozen=True)
class ArticleInfo:
    id: int
    slug: str
    title: str
    category: str | None
    revision_id: int | None
    passage_ids: tuple[int, ...]
    entry_ids: tuple[int, ...]


@dataclass
class Source:
    """An article offered to the customer, with the passage that matched best."""

    article_id: int
    slug: str
    title: str
    snippet: str  # the text of the entry that matched best, code fences left out
    entry_id: int  # the entry `snippet` is the text of
    heading_path: tuple[str, ...]
    score: float  # fused retrieval score normalized to [0, 1] relative to the best article
    dense_score: float
    lexical_score: float
    revision_id: int | None


@dataclass
class Answer:
    """The engine's decision for one question."""

    question: str
    action: str  # "answer" | "suggest" | "handoff"
    confidence: float  # in [0, 1]
    answer: str  # readable passage of the best article, whole sentences ("" unless action is "answer")
    corrected_question: str | None = None  # what was searched for, when misspelt words were corrected
    sources: list[Source] = field(default_factory=list)
    ranked_slugs: list[str] = field(default_factory=list)  # top 10, before the relevance cut
    evidence: confidence.Evidence | None = None
    latency_ms: float = 0.0


class Engine:
    def __init__(self, encoder, index_dir, answer_threshold, suggest_threshold, correct_spelling=True):
        self.encoder = encoder
        self.correct_spelling = correct_spelling
        self.index_dir = index_dir
        self.answer_threshold = answer_threshold
        self.suggest_threshold = suggest_threshold
        self._lock = threading.RLock()
        self._dense = None
        self._lexical = LexicalIndex([], [])
        self._passage_lexical = LexicalIndex([], [])  # one BM25 document per passage, to pick the answer
        self._passage_rows: dict[int, int] = {}  # passage entry id -> its row in `_passage_lexical`
        self._speller = Speller(Counter())
        self._entries: dict[int, retrieval.EntryInfo] = {}
        self._articles: dict[int, ArticleInfo] = {}
        self._article_ids = np.zeros(0, dtype=np.int64)
        self._centroids = np.zeros((0, encoder.dimension), dtype=np.float32)

    @property
    def generation(self):
        return self._dense.generation if self._dense is not None else -1

    # -- keeping the indexes in step with the database -------------------------------

    def _load_or_start_over(self):
        """The saved dense index, or a new empty one (to be rebuilt) when it cannot be used."""
        try:
            return DenseIndex.load(self.index_dir, self.encoder.name, self.encoder.dimension), False
        except IndexMissing as e:
            log.info("building the dense index from the database: %s", e)
        except IndexCorrupt as e:
            log.warning("rebuilding the dense index from the database: %s", e)
        return DenseIndex(self.encoder.dimension, self.encoder.name), True

    def refresh(self, session: Session, full=False, show_progress=False) -> UpdateCounts:
        """Bring the indexes in line with the published articles in the database.

        Incremental unless `full`: only entries whose content changed are embedded.
        """
        with self._lock:
            current_generation = db.generation(session)
            if full:
                dense, rebuilt = DenseIndex(self.encoder.dimension, self.encoder.name), True
            elif self._dense is None:
                dense, rebuilt = self._load_or_start_over()
            else:
                dense, rebuilt = self._dense, False
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
                )

            def encode(texts):
                return self.encoder.encode(texts, show_progress=show_progress)

            counts = dense.update(desired, encode)
            if (
                rebuilt
                or counts.added
                or counts.updated
                or counts.removed
                or dense.generation != current_generation
            ):
                dense.generation = current_generation
                dense.save(self.index_dir)
            self._article_ids = np.array(list(infos), dtype=np.int64)
            self._centroids = self._centroid_matrix(dense, infos.values())
            self._lexical = LexicalIndex(self._article_ids, documents)
            passage_ids = [i for info in infos.values() for i in info.passage_ids]
            self._passage_lexical = LexicalIndex(passage_ids, [entries[i].text for i in passage_ids])
            self._passage_rows = {entry_id: row for row, entry_id in enumerate(passage_ids)}
            # Knowing no words, a speller corrects none. Most edits add or drop no word: the
            # speller built for the same words is kept (building one takes about 60 ms).
            words = word_counts(documents) if self.correct_spelling else Counter()
            if not self._speller.knows_the_same_words(words):
                self._speller = Speller(words)
            self._dense, self._entries, self._articles = dense, entries, infos
            return counts

    def _centroid_matrix(self, dense, articles):
        """L2-normalized mean entry vector of each article, shape (n_articles, dimension)."""
        matrix = np.zeros((len(articles), self.encoder.dimension), dtype=np.float32)
        for row, article in enumerate(articles):
            if article.entry_ids:
                mean = dense.vectors(list(article.entry_ids)).mean(axis=0)
                matrix[row] = mean / max(float(np.linalg.norm(mean)), 1e-12)
        return matrix

    def ensure_current(self, session: Session):
        """Refresh if any process changed the indexed content since the last refresh."""
        if self._dense is None or db.generation(session) != self._dense.generation:
            self.refresh(session)

    # -- answering ----------------------------------------------------------------

    def _rank(self, question, query_terms, query_vector):
        with self._lock:
            dense_ids, dense_scores = self._dense.search(query_vector, CANDIDATES)
            return retrieval.fuse(
                dense_ids,
                dense_scores,
                self._centroids @ query_vector,
                self._lexical.scores(query_terms),
                self._article_ids,
                self._entries,
                self._lexical.code_matches(question),
            )

    def _passage_scores(self, article, query_vector, passage_lexical):
        """`retrieval.passage_scores` of the article's passages; `passage_lexical`: BM25 of every passage."""
        passage_ids = list(article.passage_ids)
        return retrieval.passage_scores(
            query_vector,
            self._dense.vectors(passage_ids),
            passage_lexical[[self._passage_rows[i] for i in passage_ids]],
        )

    def _source(self, hit, query_vector, passage_lexical, top_score):
        """(the `Source` for `hit`, its passages' scores): the article with the passage that answers
        the question best, and the scores `_answer_text` reads the answer from."""
        with self._lock:
            article = self._articles[hit.article_id]
            scores = self._passage_scores(article, query_vector, passage_lexical)
            passage_id = article.passage_ids[int(np.argmax(scores))] if len(scores) else None
            # An FAQ entry has no passage: show the entry that matched, else its title.
            entry_id = next(i for i in (passage_id, hit.best_entry_id, article.entry_ids[0]) if i is not None)
            entry = self._entries[entry_id]
        source = Source(
            article_id=article.id,
            slug=article.slug,
            title=article.title,
            snippet=chunking.unfenced(entry.text),
            entry_id=entry_id,
            heading_path=entry.heading_path,
            score=round(hit.score / top_score, 4) if top_score else 0.0,
            dense_score=hit.dense_max,
            lexical_score=hit.lexical,
            revision_id=article.revision_id,
        )
        return source, scores

    def _answer_text(self, source, scores):
        """The passages of the source that answer best (`scores`), widened until they read as a
        whole (`retrieval.readable_answer`)."""
        with self._lock:
            article = self._articles[source.article_id]
            # An FAQ entry without body states its answer in the title ("Support is open Monday to
            # Friday, 8:00 to 20:00 CET"); the alternate question that matched is no answer.
            if not article.passage_ids:
                return source.title
            passages = [(self._entries[i].heading_path, self._entries[i].text) for i in article.passage_ids]
        return retrieval.readable_answer(passages, retrieval.answer_passages(scores))

    def corrected(self, session: Session, question):
        """`question` with its misspelt words corrected to the knowledge base's words (`spelling`)."""
        self.ensure_current(session)
        with self._lock:
            return self._speller.correct(question)

    def _retrieve(self, session, question):
        """(the question as searched, its vector, its BM25 terms, every ranked `ArticleHit`)."""
        searched = self.corrected(session, question)
        query_vector = self.encoder.encode([searched])[0]
        query_terms = self._lexical.query_terms(searched)  # tokenized once, for BM25 and the evidence
        return searched, query_vector, query_terms, self._rank(searched, query_terms, query_vector)

    def search(self, session: Session, question, limit=10, relevant_only=False):
        """(the question as searched, misspellings corrected; its ranked articles, best first, as `Source`s).

        `relevant_only` drops the articles too far from the question to show a
        customer (the same cut `ask` applies to its sources).
        """
        searched, query_vector, query_terms, hits = self._retrieve(session, question)
        hits = hits[:limit]
        if relevant_only:
            hits = [hit for hit in hits if confidence.is_relevant(hit)]
        top_score = hits[0].score if hits else 0.0
        passage_lexical = self._passage_lexical.scores(query_terms)
        return searched, [self._source(hit, query_vector, passage_lexical, top_score)[0] for hit in hits]

    def ask(self, session: Session, question, limit=3) -> Answer:
        """Decide whether to answer, suggest articles or hand off, with a confidence in [0, 1]."""
        started = time.perf_counter()
        searched, query_vector, query_terms, hits = self._retrieve(session, question)
        found = confidence.evidence(hits, query_terms, self._lexical.vocabulary)
        score = confidence.confidence(found)
        action = confidence.decide(score, self.answer_threshold, self.suggest_threshold)
        top_score = hits[0].score if hits else 0.0
        shown = [hit for hit in hits[:limit] if confidence.is_relevant(hit)]
        passage_lexical = self._passage_lexical.scores(query_terms)
        scored = [self._source(hit, query_vector, passage_lexical, top_score) for hit in shown]
        sources = [source for source, _ in scored]
        return Answer(
            question=question,
            action=action,
            confidence=score,
            answer=self._answer_text(*scored[0]) if action == "answer" and scored else "",
            corrected_question=searched if searched != question else None,
            sources=sources,
            ranked_slugs=[self._articles[hit.article_id].slug for hit in hits[:10]],
            evidence=found,
            latency_ms=(time.perf_counter() - started) * 1000,
        )

    def related(self, session: Session, slug, limit=5, min_similarity=RELATED_MIN_SIMILARITY):
        """`ArticleInfo`s of the published articles most like `slug`, best first, by centroid cosine.

        At most `limit`, each at or above `min_similarity` (cosine in [-1, 1]); [] when `slug` is
        not a published article.
        """
        self.ensure_current(session)
        with self._lock:
            rows = {info.slug: row for row, info in enumerate(self._articles.values())}
            if slug not in rows:
                return []
            similarities = self._centroids @ self._centroids[rows[slug]]
            ids = self._article_ids
            order = [row for row in np.argsort(-similarities, kind="stable") if row != rows[slug]]
            return [
                self._articles[int(ids[row])] for row in order[:limit] if similarities[row] >= min_similarity
            ]

    def article_count(self):
        return len(self._articles)

    def entry_count(self):
        return len(self._entries)
