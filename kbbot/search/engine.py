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

from .. import db
from ..articles.highlight import query_terms as marked_terms
from ..errors import IndexCorrupt, IndexMissing
from ..models import Article
from ..text import normalize_question
from . import chunking, confidence, intents, retrieval, sections
from .index import DenseIndex, UpdateCounts
from .lexical import LexicalIndex
from .spelling import Speller, word_counts

log = logging.getLogger(__name__)

CANDIDATES = 100  # entries taken from each retriever before fusion
MAX_CHOICES = 3  # the articles, or sections of one, offered when the bot is unsure
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
    body: str  # the published Markdown the passages were cut from (`sections.outline`)


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
    confidence: float  # in [0, 1]: that this article answers the question (`confidence.hit_confidences`)
    dense_score: float
    lexical_score: float
    revision_id: int | None


def section_heading_text(title, section):
    """What a section's heading is embedded as: the article's title, then the headings above it."""
    return " > ".join((title,) + section.heading_path)


@dataclass(frozen=True)
class _Query:
    """A question as the engine searches with it, computed once."""

    text: str  # `text.normalize_question`, misspellings corrected
    vector: np.ndarray  # its embedding, L2-normalized, shape (dimension,)
    terms: list[str]  # its BM25 terms
    passage_lexical: np.ndarray  # BM25 of every passage, aligned with the engine's passage rows
    marked: frozenset[str]  # its content words' stems (`highlight.query_terms`)
    intents: frozenset[str]  # `intents.intents`


@dataclass(frozen=True)
class Choice:
    """A section offered for the customer to pick when the bot is unsure: of which article (each
    article's best section), or of which section of the article it is sure of."""

    article_id: int
    slug: str
    title: str  # the article's
    section: str  # the section's heading ("" for the introduction)
    anchor: str  # the heading's id on the article page ("" for the introduction)
    revision_id: int | None
    probability: float  # in [0, 1]: the article's or the section's, as it was chosen by


@dataclass
class Answer:
    """The engine's decision for one question."""

    question: str
    action: confidence.Action
    confidence: float  # in [0, 1]: that the top article answers the question
    answer: str  # Markdown: the section that answers, quoted from the article ("" unless action is "answer")
    # In [0, 1]: that the sections answered from (or the best one) hold the answer.
    section_confidence: float = 0.0
    section: str = ""  # the heading of the (first) section answered from, or of the best when not answering
    anchor: str = ""  # its id on the article page ("" for the introduction)
    sections: tuple[str, ...] = ()  # the headings answered from: one section, or two neighbours
    corrected_question: str | None = None  # what was searched for, when misspelt words were corrected
    sources: list[Source] = field(default_factory=list)
    choices: list[Choice] = field(default_factory=list)  # with `suggest`: what the customer picks from
    ranked_slugs: list[str] = field(default_factory=list)  # top 10, before the relevance cut
    evidence: confidence.Evidence | None = None
    latency_ms: float = 0.0


class Engine:
    def __init__(
        self,
        encoder,
        index_dir,
        answer_threshold,
        suggest_threshold,
        section_threshold=confidence.SECTION_THRESHOLD,
        correct_spelling=True,
    ):
        self.encoder = encoder
        self.correct_spelling = correct_spelling
        self.index_dir = index_dir
        self.thresholds = confidence.Thresholds(answer_threshold, section_threshold, suggest_threshold)
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
        self._outlines = {}  # article id -> (revision id, its outline, its heading vectors): `_outlined`

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
                    article.body,
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
            self._outlines = {
                article_id: kept
                for article_id, kept in self._outlines.items()
                if article_id in infos and infos[article_id].revision_id == kept[0]
            }
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

    def _rank(self, query):
        with self._lock:
            dense_ids, dense_scores = self._dense.search(query.vector, CANDIDATES)
            return retrieval.fuse(
                dense_ids,
                dense_scores,
                self._centroids @ query.vector,
                self._lexical.scores(query.terms),
                self._article_ids,
                self._entries,
                self._lexical.code_matches(query.text),
            )

    def _outline(self, article):
        """The article's `sections.Outline`, cut once per revision; None if its passages are not the
        indexed ones (the body was cut by another chunking version and waits to be cut again)."""
        return self._outlined(article)[0]

    def _outlined(self, article):
        """(`_outline`, the embeddings of its sections' heading paths under the title, shape
        (n_sections, dimension)), computed on first use of each revision and kept."""
        kept = self._outlines.get(article.id)
        if kept is None or kept[0] != article.revision_id:
            found, vectors = sections.outline(article.body), None
            if len(found.passages) != len(article.passage_ids):
                found = None
            else:
                vectors = self.encoder.encode(
                    [section_heading_text(article.title, s) for s in found.sections]
                )
            kept = self._outlines[article.id] = (article.revision_id, found, vectors)
        return kept[1], kept[2]

    def _passage_scores(self, article, query):
        """`retrieval.passage_scores` of the article's passages, in reading order."""
        passage_ids = list(article.passage_ids)
        return retrieval.passage_scores(
            query.vector,
            self._dense.vectors(passage_ids),
            query.passage_lexical[[self._passage_rows[i] for i in passage_ids]],
        )

    def _section_features(self, article, query):
        """(outline, passage scores, `retrieval.section_features`) of one article for `query`; outline
        and features are None for an article without sections to choose from (no body, or not cut
        yet)."""
        with self._lock:
            scores = self._passage_scores(article, query) if article.passage_ids else np.zeros(0)
            found, heading_vectors = self._outlined(article) if article.passage_ids else (None, None)
        if found is None:
            return None, scores, None
        features = retrieval.section_features(
            found, scores, heading_vectors @ query.vector, query.marked, query.intents
        )
        return found, scores, features

    def _sections(self, article, query, shown=frozenset()):
        """(outline, passage scores, section probabilities) of one article for `query` (see
        `_section_features`). Sections in `shown` (anchors, "" for the introduction) count against."""
        found, scores, features = self._section_features(article, query)
        if found is None:
            return None, scores, None
        shown_ones = np.array([section.anchor in shown for section in found.sections])
        return found, scores, retrieval.section_probabilities(features, shown_ones)

    def _article_by_slug(self, slug):
        with self._lock:
            return next((a for a in self._articles.values() if a.slug == slug), None)

    def section_evidence(self, session: Session, question, slug):
        """(outline, passage scores, `retrieval.section_features`, the question's content words) of
        article `slug` for `question`, or None when it has no sections: what bench/calibrate.py fits
        the section model on."""
        query = self._query(session, question)
        article = self._article_by_slug(slug)
        found, scores, features = self._section_features(article, query) if article else (None, None, None)
        return None if found is None else (found, scores, features, query.marked)

    def _source(self, hit, query, top_score, probability, choice=None):
        """The `Source` for `hit`, whose `confidence` is `probability`: the article, with the passage
        that answers the question best (or the first passage of the section `choice`, a position in
        its outline)."""
        with self._lock:
            article = self._articles[hit.article_id]
            outline = self._outline(article) if article.passage_ids else None
            position = None
            if choice is not None:
                position = outline.sections[choice].first
            elif article.passage_ids and query is not None:
                position = int(np.argmax(self._passage_scores(article, query)))
            passage_id = article.passage_ids[position] if position is not None else None
            # An FAQ entry has no passage: show the entry that matched, else its title.
            entry_id = next(i for i in (passage_id, hit.best_entry_id, article.entry_ids[0]) if i is not None)
            entry = self._entries[entry_id]
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

    def corrected(self, session: Session, question):
        """`question` with its misspelt words corrected to the knowledge base's words (`spelling`)."""
        self.ensure_current(session)
        with self._lock:
            return self._speller.correct(question)

    def _query(self, session, question):
        """The `_Query` for `question` as searched: in one canonical form (`text.normalize_question`;
        the model is uncased, BM25 and error codes ignore case already), misspelt words corrected."""
        searched = self.corrected(session, normalize_question(question))
        terms = self._lexical.query_terms(searched)  # tokenized once, for BM25 and the evidence
        with self._lock:
            passage_lexical = self._passage_lexical.scores(terms)
        return _Query(
            searched,
            self.encoder.encode([searched])[0],
            terms,
            passage_lexical,
            marked_terms(searched),
            intents.intents(searched),
        )

    def search(self, session: Session, question, limit=10, relevant_only=False, floor=0.0):
        """(the question as searched, misspellings corrected; its ranked articles, best first, as `Source`s).

        Of the first `limit`: `relevant_only` drops the articles too far from the
        question to show a customer (the same cut `ask` applies to its sources);
        `floor`, a probability in [0, 1], those whose `Source.confidence` is below it.
        """
        query = self._query(session, question)
        hits = self._rank(query)
        probabilities = confidence.hit_confidences(hits, query.terms, self._lexical.vocabulary)
        kept = [
            (hit, probability)
            for hit, probability in zip(hits[:limit], probabilities)
            if probability >= floor and (not relevant_only or confidence.is_relevant(hit))
        ]
        top_score = kept[0][0].score if kept else 0.0
        return query.text, [self._source(hit, query, top_score, probability) for hit, probability in kept]

    def ask(
        self, session: Session, question, limit=3, context=None, shown=frozenset(), context_for="articles"
    ) -> Answer:
        """Decide whether to answer, offer choices or hand off, with confidences in [0, 1].

        `context`: the question a follow-up leans on. With `context_for` "articles", articles are
        ranked for both together and sections for the new message alone, as it names the new aspect
        of the same topic ("and if I pay yearly?" after "how much is Pro"); with "sections", the
        other way round: the message found another article on its own, and the context says what
        about ("and on mobile?" after a password question: the mobile app's password section).
        `shown`: (article slug, section anchor) pairs the customer has already been answered with;
        another section of the article is preferred to those.
        """
        started = time.perf_counter()
        query = self._query(session, question)
        both = self._query(session, f"{context} {question}") if context else query
        ranked, focused = (both, query) if context_for == "articles" else (query, both)
        hits = self._rank(ranked)
        found = confidence.evidence(hits, ranked.terms, self._lexical.vocabulary)
        article_confidence = confidence.confidence(found)
        top_score = hits[0].score if hits else 0.0
        probabilities = confidence.hit_confidences(hits, ranked.terms, self._lexical.vocabulary)
        listed = [
            (hit, probability)
            for hit, probability in zip(hits[:limit], probabilities)
            if confidence.is_relevant(hit)
        ]
        shown_hits = [hit for hit, _ in listed]
        sources = [self._source(hit, query, top_score, probability) for hit, probability in listed]
        answer = Answer(
            question=question,
            action=confidence.Action.HANDOFF,
            confidence=article_confidence,
            answer="",
            corrected_question=query.text if query.text != normalize_question(question) else None,
            sources=sources,
            ranked_slugs=[self._articles[hit.article_id].slug for hit in hits[:10]],
            evidence=found,
        )
        if shown_hits:
            with self._lock:
                article = self._articles[shown_hits[0].article_id]
            anchors = frozenset(anchor for slug, anchor in shown if slug == article.slug)
            outline, scores, probabilities = self._sections(article, focused, anchors)
            span, answer.section_confidence = (
                sections.answer_span(
                    probabilities, [outline.words(s) for s in outline.sections], self.thresholds.section
                )
                if probabilities is not None
                else ((), 1.0)
            )
            if span:
                answer.section, answer.anchor = (
                    outline.sections[span[0]].heading,
                    outline.sections[span[0]].anchor,
                )
                answer.sections = tuple(outline.sections[i].heading for i in span)
            answer.action = confidence.decide(article_confidence, answer.section_confidence, self.thresholds)
            if answer.action == confidence.Action.ANSWER:
                answer.answer = (
                    "\n\n".join(
                        sections.quote(
                            outline, i, scores, focused.marked, narrow=outline.sections[i].anchor in anchors
                        )
                        for i in span
                    )
                    if span
                    else self._without_sections(article, scores)
                )
            elif answer.action == confidence.Action.SUGGEST:
                answer.choices = (
                    self._section_choices(article, outline, probabilities)
                    if article_confidence >= self.thresholds.answer and span
                    else self._article_choices(shown_hits, focused, article_confidence)
                )
        elif hits:
            answer.action = confidence.decide(article_confidence, 0.0, self.thresholds)
        answer.latency_ms = (time.perf_counter() - started) * 1000
        return answer

    def _without_sections(self, article, scores):
        """The answer from an article whose passages are not cut into sections (yet): an FAQ entry
        states its answer in its title; otherwise its best passages, widened (`retrieval`)."""
        if not article.passage_ids:
            return article.title
        with self._lock:
            passages = [(self._entries[i].heading_path, self._entries[i].text) for i in article.passage_ids]
        return retrieval.readable_answer(passages, retrieval.answer_passages(scores))

    def _section_choices(self, article, outline, probabilities):
        """The article's most likely sections, best first: "Which of these?"."""
        order = np.argsort(-probabilities, kind="stable")[:MAX_CHOICES]
        return [
            Choice(
                article.id,
                article.slug,
                article.title,
                outline.sections[i].heading,
                outline.sections[i].anchor,
                article.revision_id,
                round(float(probabilities[i]), 4),
            )
            for i in order
        ]

    def _article_choices(self, hits, query, article_confidence):
        """The likeliest articles and sections to pick from (`sections.article_choices`), best first.
        A choice's probability: its article's (the top one's confidence; the rest shared among the
        others by relevance) times its section's within the article."""
        found = []
        for hit in hits[:MAX_CHOICES]:
            with self._lock:
                article = self._articles[hit.article_id]
            outline, _, probabilities = self._sections(article, query)
            order = [] if outline is None else np.argsort(-probabilities, kind="stable").tolist()
            found.append((hit, article, outline, probabilities, order))
        others = sum(entry[0].score for entry in found[1:]) or 1.0
        choices = []
        for position, section in sections.article_choices([entry[4] for entry in found], MAX_CHOICES):
            hit, article, outline, probabilities, _ = found[position]
            chosen = outline.sections[section] if section is not None else None
            share = article_confidence if position == 0 else (1 - article_confidence) * hit.score / others
            choices.append(
                Choice(
                    article.id,
                    article.slug,
                    article.title,
                    chosen.heading if chosen else "",
                    chosen.anchor if chosen else "",
                    article.revision_id,
                    round(float(share * (probabilities[section] if chosen else 1.0)), 4),
                )
            )
        return choices

    def section_answer(self, session: Session, slug, anchor):
        """(the `Answer` quoting section `anchor` of article `slug`, which the customer picked from
        the choices offered), or None when that article or section is no longer published."""
        self.ensure_current(session)
        article = self._article_by_slug(slug)
        with self._lock:
            found = self._outline(article) if article is not None and article.passage_ids else None
        if article is None or (found is None and anchor):
            return None
        if found is None:
            position, text = None, article.title
        else:
            position = next((i for i, section in enumerate(found.sections) if section.anchor == anchor), None)
            if position is None:
                return None
            text = sections.quote(found, position, np.zeros(len(found.passages)))
        hit = retrieval.ArticleHit(article.id, 1.0, 1.0, 1.0, 0.0, None)
        source = self._source(hit, None, 1.0, 1.0, choice=position)
        return Answer(
            question="",
            action=confidence.Action.ANSWER,
            confidence=1.0,
            answer=text,
            section_confidence=1.0,
            section=found.sections[position].heading if found is not None else "",
            anchor=anchor,
            sources=[source],
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
