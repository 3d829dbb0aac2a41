"""The answer engine: keeps the indexes in step with the database and answers questions.

One `Engine` per process. It loads the dense index from the index directory
(rebuilding it from the database when it is missing, corrupt or made with
another model), keeps BM25 in memory, and before each question checks the
database's content generation so an edit made by any process is served here
within one request. What it searches is a `knowledge_base.KnowledgeBase`, which
each refresh updates for the articles that changed; what it answers with is in `answers`.
"""

import contextlib
import logging
import threading
import time
from dataclasses import dataclass

import numpy as np
from sqlalchemy.orm import Session

from .. import db
from ..articles.highlight import query_terms as marked_terms
from ..errors import IndexNotSaved
from ..text import first_words, normalize_question
from . import answers, confidence, intents, question_embeddings, retrieval, sections
from .answer_cache import AnswerCache
from .answers import Answer
from .dense_upkeep import DenseIndexes
from .index import UpdateCounts
from .knowledge_base import KnowledgeBase, changed_articles, heading_texts

log = logging.getLogger(__name__)

RELATED_MIN_SIMILARITY = 0.4  # centroid cosine under which an article is not "related" (sample median: 0.29)
# A question's embedding reads its first this many word pieces (50 ordinary words take about 65): the
# encoder's time grows with them, on one thread 28 ms for 8, 72 ms for 64, 237 ms for 256 (the most
# the model reads).
QUERY_WORD_PIECES = 64


@dataclass(frozen=True)
class _Query:
    """A question as the engine searches with it, computed once."""

    text: str  # `Engine.searched_form`, misspellings corrected
    vector: np.ndarray  # its embedding, L2-normalized, shape (dimension,)
    terms: list[str]  # its BM25 terms
    passage_lexical: np.ndarray  # BM25 of every passage, aligned with the knowledge base's passage rows
    marked: frozenset[str]  # its content words' stems (`highlight.query_terms`)
    intents: frozenset[str]  # `intents.intents`


class Engine:
    def __init__(
        self,
        encoder,
        index_dir,
        answer_threshold,
        suggest_threshold,
        section_threshold=confidence.SECTION_THRESHOLD,
        correct_spelling=True,
        max_query_words=None,
        answer_cache_size=0,
        hnsw_from=None,
        rebuild_in_background=False,
        gate=contextlib.nullcontext,
    ):
        self.encoder = encoder
        # Held around the model and index work of each question (not around an answer from the cache):
        # a context manager factory, the web layer's cap on the engine calls running on the machine.
        self.gate = gate
        # The dense index is an HNSW graph from `hnsw_from` entries on (None: always flat); a worker
        # rebuilds it in a thread of its own (`rebuild_in_background`), a command while it waits.
        self.dense_indexes = DenseIndexes(encoder, index_dir, hnsw_from, rebuild_in_background)
        self.correct_spelling = correct_spelling
        # A question's words past this many are not searched (None: all): each word costs spelling
        # correction and lexical scoring, so a long query costs the CPU of many short ones.
        self.max_query_words = max_query_words
        self.index_dir = index_dir
        self.thresholds = confidence.Thresholds(answer_threshold, section_threshold, suggest_threshold)
        self._lock = threading.RLock()
        self._knowledge = KnowledgeBase.empty(encoder.dimension)  # replaced whole by each `refresh`
        self._answers = AnswerCache(answer_cache_size)

    @property
    def generation(self):
        dense = self._knowledge.dense
        return dense.generation if dense is not None else -1

    # -- keeping the indexes in step with the database -------------------------------

    def refresh(self, session: Session, full=False) -> UpdateCounts:
        """Bring the indexes in line with the published articles in the database.

        Incremental unless `full`: only the articles whose version moved are read again, and only
        entries whose content changed are embedded. Raises `IndexNotSaved` when the index cannot be
        written to disk (it is in use in memory all the same).
        """
        with self._lock:
            current_generation = db.generation(session)
            dense, rebuilt = self.dense_indexes.to_update(self._knowledge.dense, full)
            # A dense index new to this process (loaded or started over) is compared with every article.
            last = self._knowledge if dense is self._knowledge.dense else KnowledgeBase.empty(dense.dimension)
            published, gone = changed_articles(session, last)
            replaced = last.entry_ids_of([*gone, *published.articles]) if last.dense is not None else None
            counts = dense.update(published.desired, self.encoder.encode, replaced)
            headings = self._heading_vectors(session, published)
            changed = counts.added or counts.updated or counts.removed
            stale_on_disk = rebuilt or (
                (changed or dense.generation != current_generation)
                and not self.dense_indexes.saved_at(current_generation)
            )
            dense.generation = current_generation
            # Swapped in before saving: the index in memory is current even if the disk is full.
            self._knowledge = last.updated(dense, published, headings, gone, self.correct_spelling)
            self._answers.clear()  # of the generation before: never served again
            if stale_on_disk:
                dense.save(self.index_dir)
        if dense.needs_rebuild:
            # Swapped in by the knowledge base in use then, unless it no longer uses `dense` or it changed.
            self.dense_indexes.rebuild(dense, self._lock, lambda *pair: self._knowledge.swap_dense(*pair))
        return counts

    def _heading_vectors(self, session, published):
        """{article id: the embeddings of its `heading_texts`} of the articles `published`, for
        section choice: read from the database, where each text is embedded once per model
        (`question_embeddings`), so that neither a worker's start nor its first question about an
        article runs the model for them; only a heading new to the model is embedded (with the
        article's passages, at indexing or on the publish that changed it)."""
        texts = {i: heading_texts(info, published.entries) for i, info in published.articles.items()}
        encoder = self.encoder
        return question_embeddings.kept(session, encoder.name, encoder.encode, texts, encoder.dimension)

    def wait_for_rebuild(self):
        """Return once a rebuild of the dense index running in the background is done."""
        self.dense_indexes.wait()

    def ensure_current(self, session: Session):
        """Refresh if any process changed the indexed content since the last refresh.

        An index that cannot be saved (a full disk) is logged and served from memory; the index
        saved before stays on disk for the processes that load it.
        """
        if self._knowledge.dense is None or db.generation(session) != self._knowledge.dense.generation:
            try:
                self.refresh(session)
            except IndexNotSaved as e:
                log.error("%s", e)

    # -- answering ----------------------------------------------------------------

    def _rank(self, query):
        with self._lock:
            return self._knowledge.rank(query)

    def _outline(self, article):
        """The article's `sections.Outline`, cut once per revision; None if its passages are not the
        indexed ones (the body was cut by another chunking version and waits to be cut again)."""
        return self._knowledge.outlined(article)

    def _section_features(self, article, query):
        """`KnowledgeBase.section_features` of one article for `query`."""
        with self._lock:
            return self._knowledge.section_features(article, query)

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
            return self._knowledge.article_by_slug(slug)

    def section_evidence(self, session: Session, question, slug):
        """(outline, passage scores, `retrieval.section_features`, the question's content words) of
        article `slug` for `question`, or None when it has no sections: what bench/calibrate.py fits
        the section model on."""
        query = self._query(session, question)
        article = self._article_by_slug(slug)
        found, scores, features = self._section_features(article, query) if article else (None, None, None)
        return None if found is None else (found, scores, features, query.marked)

    def _source(self, hit, query, top_score, probability, choice=None):
        """`KnowledgeBase.source` of `hit`."""
        with self._lock:
            return self._knowledge.source(hit, query, top_score, probability, choice)

    def corrected(self, session: Session, question):
        """`question` with its misspelt words corrected to the knowledge base's words (`spelling`)."""
        self.ensure_current(session)
        with self._lock:
            return self._knowledge.speller.correct(question)

    def searched_form(self, question):
        """`question` as it is searched before spelling correction: normalized, its first
        `max_query_words` words."""
        return first_words(normalize_question(question), self.max_query_words)

    def _query(self, session, question):
        """The `_Query` for `question` as searched: in one canonical form (`text.normalize_question`;
        the model is uncased, BM25 and error codes ignore case already), misspelt words corrected."""
        searched = self.corrected(session, self.searched_form(question))
        terms = self._knowledge.lexical.query_terms(searched)  # tokenized once, for BM25 and the evidence
        with self._lock:
            passage_lexical = self._knowledge.passage_lexical.scores(terms)
        return _Query(
            searched,
            self.encoder.encode([searched], max_word_pieces=QUERY_WORD_PIECES)[0],
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
        with self.gate():
            query = self._query(session, question)
            hits = self._rank(query)
            probabilities = confidence.hit_confidences(hits, query.terms, self._knowledge.lexical.vocabulary)
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
        self.ensure_current(session)
        # The answer is a function of these and the knowledge base; the question counts as searched.
        key = (self.generation, self.searched_form(question), context, frozenset(shown), context_for, limit)
        answer = self._answers.get(key)
        if answer is None:
            with self.gate():
                answer = self._answer(session, question, limit, context, shown, context_for)
            self._answers.put(key, answer)
        answer.question = question
        answer.latency_ms = (time.perf_counter() - started) * 1000
        return answer

    def _answer(self, session, question, limit, context, shown, context_for):
        """`ask`, not cached."""
        query = self._query(session, question)
        both = self._query(session, f"{context} {question}") if context else query
        ranked, focused = (both, query) if context_for == "articles" else (query, both)
        hits = self._rank(ranked)
        answer, listed = self._undecided(question, query, ranked, hits, limit)
        if listed:
            self._decide_by_sections(answer, listed, focused, shown)
        elif hits:
            answer.action = confidence.decide(answer.confidence, 0.0, self.thresholds)
        return answer

    def _undecided(self, question, query, ranked, hits, limit):
        """(the `Answer` to `question` before a decision: a handoff with its confidence, evidence,
        ranking and sources; the hits listed as its sources, the relevant ones of the first `limit`).

        `hits` were ranked for `ranked`; the sources' passages are picked for the question alone, `query`.
        """
        vocabulary = self._knowledge.lexical.vocabulary
        found = confidence.evidence(hits, ranked.terms, vocabulary)
        top_score = hits[0].score if hits else 0.0
        probabilities = confidence.hit_confidences(hits, ranked.terms, vocabulary)
        listed = [
            (hit, probability)
            for hit, probability in zip(hits[:limit], probabilities)
            if confidence.is_relevant(hit)
        ]
        answer = Answer(
            question=question,
            action=confidence.Action.HANDOFF,
            confidence=confidence.confidence(found),
            answer="",
            corrected_question=query.text if query.text != self.searched_form(question) else None,
            sources=[self._source(hit, query, top_score, probability) for hit, probability in listed],
            ranked_slugs=[self._knowledge.articles[hit.article_id].slug for hit in hits[:10]],
            evidence=found,
        )
        return answer, [hit for hit, _ in listed]

    def _decide_by_sections(self, answer, listed, focused, shown):
        """Decide `answer` (its action; its sections and their quote, or the choices offered) by the
        sections of the first article `listed` for `focused`. `shown`: as `ask` takes it."""
        with self._lock:
            article = self._knowledge.articles[listed[0].article_id]
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
        answer.action = confidence.decide(answer.confidence, answer.section_confidence, self.thresholds)
        if answer.action == confidence.Action.ANSWER:
            answer.answer = self._quote(article, outline, span, scores, focused.marked, anchors)
        elif answer.action == confidence.Action.SUGGEST:
            answer.choices = (
                answers.section_choices(article, outline, probabilities)
                if answer.confidence >= self.thresholds.answer and span
                # The first article's sections were just read for `focused`: reused when nothing
                # shown counted against them.
                else self._article_choices(
                    listed, focused, answer.confidence, None if anchors else (outline, probabilities)
                )
            )

    def _quote(self, article, outline, span, scores, marked, anchors):
        """The answer's Markdown: the sections `span` of `outline` quoted (`sections.quote`; narrowed
        to what `marked` asks about in those already shown, `anchors`), or, with no span, the article
        answered without sections."""
        if not span:
            with self._lock:
                return self._knowledge.unsectioned_answer(article, scores)
        return "\n\n".join(
            sections.quote(outline, i, scores, marked, narrow=outline.sections[i].anchor in anchors)
            for i in span
        )

    def _article_choices(self, hits, query, article_confidence, first=None):
        """`answers.article_choices` among the articles of the first `hits`, by their sections for `query`;
        `first`: the first hit's (outline, section probabilities), when already read."""
        candidates = []
        for position, hit in enumerate(hits[: answers.MAX_CHOICES]):
            with self._lock:
                article = self._knowledge.articles[hit.article_id]
            if position == 0 and first is not None:
                outline, probabilities = first
            else:
                outline, _, probabilities = self._sections(article, query)
            order = [] if outline is None else np.argsort(-probabilities, kind="stable").tolist()
            candidates.append((hit, article, outline, probabilities, order))
        return answers.article_choices(candidates, article_confidence)

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
        heading = found.sections[position].heading if found is not None else ""
        return answers.picked(text, heading, anchor, self._source(hit, None, 1.0, 1.0, choice=position))

    def related(self, session: Session, slug, limit=5, min_similarity=RELATED_MIN_SIMILARITY):
        """`ArticleInfo`s of the published articles most like `slug`, best first, by centroid cosine.

        At most `limit`, each at or above `min_similarity` (cosine in [-1, 1]); [] when `slug` is
        not a published article.
        """
        self.ensure_current(session)
        with self._lock:
            return self._knowledge.related(slug, limit, min_similarity)

    def article_count(self):
        return len(self._knowledge.articles)

    def entry_count(self):
        return len(self._knowledge.entries)
