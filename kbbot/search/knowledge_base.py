"""The published articles as the engine searches them: read from the database, indexed, ranked.

`Engine.refresh` reads the published articles whose version moved since the
last refresh (`changed_articles`: all of them the first time), brings the dense
index up to date with them and makes a new `KnowledgeBase` from the last one
(`KnowledgeBase.updated`), in work proportional to the articles changed; the
engine swaps it in whole. A `KnowledgeBase` holds the BM25
indexes, the entries, the article centroids and the speller, and answers
the questions that need only those: which articles rank for a query, how
an article's passages score, what a found article shows (its `Source`), which articles
are alike.
"""

from collections import Counter
from dataclasses import dataclass

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from ..models import Article, Chunk
from . import chunking, retrieval, sections
from .answers import Source
from .index import DenseIndex
from .lexical import LexicalIndex
from .spelling import Speller, word_counts

CANDIDATES = 100  # entries taken from each retriever before fusion
MAX_LISTED_IDS = 1000  # more articles than this are read by reading all (a query's parameters are limited)


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


def heading_texts(info, entries):
    """What each section of article `info` is embedded as for section choice (its title, then the
    headings above the section), in reading order. The sections are the runs of its passages under
    one heading path, as `sections.outline` cuts them, read from the passages' entries (`entries`)
    without parsing the body."""
    paths = [entries[i].heading_path for i in info.passage_ids]
    runs = [path for position, path in enumerate(paths) if position == 0 or path != paths[position - 1]]
    return [" > ".join((info.title, *path)) for path in runs]


@dataclass(frozen=True)
class PublishedArticles:
    """Published articles and their stored entries (chunks), as read from the database: every one,
    or those asked for."""

    entries: dict[int, retrieval.EntryInfo]  # entry id -> what retrieval knows of it
    articles: dict[int, ArticleInfo]  # article id -> its `ArticleInfo`
    desired: dict[int, tuple[str, str]]  # entry id -> (content hash, search text): `DenseIndex.update`
    documents: dict[int, str]  # article id -> its BM25 document, its entries' texts
    versions: dict[int, tuple]  # article id -> its version as read (`article_versions`)


def article_versions(session: Session) -> dict[int, tuple]:
    """{article id: (updated at, highest chunk id)} of every published article.

    Any change the engine indexes gives an article a new version: saving it replaces its chunks
    (new ids), and so does cutting it again with another chunking version. One light query, so
    that a refresh reads in full only the articles whose version moved.
    """
    rows = session.execute(
        select(Article.id, Article.updated_at, func.max(Chunk.id))
        .outerjoin(Chunk, Chunk.article_id == Article.id)
        .where(Article.status == "published")
        .group_by(Article.id, Article.updated_at)
    )
    return {article_id: (updated_at, last_chunk) for article_id, updated_at, last_chunk in rows}


def published_articles(session: Session, ids=None) -> PublishedArticles:
    """The published articles with their entries, read from the database: all of them, or those
    among `ids` (a draft among them is left out)."""
    query = (
        select(Article)
        .where(Article.status == "published")
        .options(selectinload(Article.chunks), selectinload(Article.category))
        .order_by(Article.id)
    )
    wanted = None if ids is None else set(ids)
    if wanted is not None and len(wanted) <= MAX_LISTED_IDS:
        query = query.where(Article.id.in_(sorted(wanted)))
    entries, infos, desired, documents, versions = {}, {}, {}, {}, {}
    for article in session.execute(query).scalars():
        if wanted is not None and article.id not in wanted:
            continue
        revision_id = article.chunks[0].revision_id if article.chunks else None
        passage_ids = []
        for chunk in article.chunks:
            entries[chunk.id] = retrieval.EntryInfo(
                article.id, chunk.kind, chunk.text, tuple(chunk.heading_path)
            )
            desired[chunk.id] = (chunk.content_hash, chunk.search_text)
            if chunk.kind == "passage":
                passage_ids.append(chunk.id)
        documents[article.id] = " ".join(chunk.text for chunk in article.chunks)
        versions[article.id] = (article.updated_at, max((chunk.id for chunk in article.chunks), default=None))
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
    return PublishedArticles(entries, infos, desired, documents, versions)


def changed_articles(session: Session, known) -> tuple[PublishedArticles, set[int]]:
    """(the published articles whose version differs from the one `known` (a `KnowledgeBase`) holds,
    read in full; the ids of the articles `known` holds that are no longer published). Every
    published article when `known` holds none."""
    if not known.versions:
        return published_articles(session), set()
    versions = article_versions(session)
    moved = [i for i, version in versions.items() if known.versions.get(i) != version]
    published = published_articles(session, moved)
    return published, (known.versions.keys() - versions.keys()) | (set(moved) - published.articles.keys())


def published_hashes(session: Session) -> dict[int, str]:
    """{entry id: content hash} of the published articles' entries: what the dense index must hold."""
    rows = session.execute(
        select(Chunk.id, Chunk.content_hash).join(Article).where(Article.status == "published")
    )
    return dict(rows.all())


@dataclass
class KnowledgeBase:
    """The indexed published articles. A refresh makes a new one from the last (`updated`), doing
    work in proportion to the articles that changed, and the engine swaps it in whole."""

    dense: DenseIndex | None  # None until the first refresh
    lexical: LexicalIndex  # one BM25 document per article, aligned with `article_ids`
    passage_lexical: LexicalIndex  # one BM25 document per passage, to pick the answer
    passage_rows: dict[int, int]  # passage entry id -> its row in `passage_lexical`
    speller: Speller
    words: Counter  # `word_counts` of the articles' documents (empty without spelling correction)
    entries: dict[int, retrieval.EntryInfo]
    articles: dict[int, ArticleInfo]  # by id, ascending
    article_ids: np.ndarray  # shape (n_articles,), in `articles` order
    centroids: np.ndarray  # L2-normalized mean entry vector of each article, shape (n_articles, dimension)
    outlines: dict  # article id -> (revision id, its outline): `outlined`
    # article id -> the embeddings of its `heading_texts`, shape (n_sections, dimension), from the
    # refresh that read it: `Engine.refresh` keeps them in the database, embedded once per model.
    headings: dict
    versions: dict  # article id -> its version when read (`article_versions`)

    @classmethod
    def empty(cls, dimension):
        """The knowledge base before the first refresh: nothing indexed, no words known."""
        return cls(
            dense=None,
            lexical=LexicalIndex(),
            passage_lexical=LexicalIndex(),
            passage_rows={},
            speller=Speller(Counter()),
            words=Counter(),
            entries={},
            articles={},
            article_ids=np.zeros(0, dtype=np.int64),
            centroids=np.zeros((0, dimension), dtype=np.float32),
            outlines={},
            headings={},
            versions={},
        )

    def updated(self, dense, published, headings, gone, correct_spelling):
        """This knowledge base with the articles `published` (read anew, the embeddings of their
        `heading_texts` in `headings`, by article id) in place of their old state and the articles
        `gone` (ids) left out, around `dense` (already updated to its entries).

        Only those articles' entries, BM25 documents, words and centroids are computed; the rest is
        carried over, and equals what a build of every article from an empty knowledge base gives.
        The speller is updated in place (it is only ever read under the engine's lock).
        """
        replaced = {i for i in (*gone, *published.articles) if i in self.articles}
        old = [self.articles[i] for i in replaced]
        entries = dict(self.entries)
        for info in old:
            for entry_id in info.entry_ids:
                del entries[entry_id]
        entries.update(published.entries)
        merged = {i: info for i, info in self.articles.items() if i not in replaced}
        merged.update(published.articles)
        articles = {i: merged[i] for i in sorted(merged)}
        versions = {i: v for i, v in self.versions.items() if i not in replaced} | published.versions
        new_passages = [i for info in published.articles.values() for i in info.passage_ids]
        passage_lexical = self.passage_lexical.changed(
            [i for info in old for i in info.passage_ids], {i: entries[i].text for i in new_passages}
        )
        article_ids = np.array(list(articles), dtype=np.int64)
        words = self.words
        if correct_spelling:
            words = _with_changed_words(
                self.words, [self.document(info) for info in old], published.documents
            )
        knowledge = KnowledgeBase(
            dense=dense,
            lexical=self.lexical.changed(replaced, published.documents),
            passage_lexical=passage_lexical,
            passage_rows=dict(zip(passage_lexical.ids.tolist(), range(len(passage_lexical.ids)))),
            speller=self.speller,
            words=words,
            entries=entries,
            articles=articles,
            article_ids=article_ids,
            centroids=self._centroids(dense, article_ids, articles, published.articles),
            outlines={
                article_id: kept
                for article_id, kept in self.outlines.items()
                if article_id in articles and articles[article_id].revision_id == kept[0]
            },
            headings={i: v for i, v in self.headings.items() if i in articles and i not in published.articles}
            | headings,
            versions=versions,
        )
        self.speller.learn(words)  # last: nothing after it can fail and leave this knowledge base in use
        return knowledge

    def swap_dense(self, dense, rebuilt):
        """Put `rebuilt` in use in place of `dense` (the caller holds the engine's lock), unless
        `dense` is no longer in use or changed since `rebuilt` was made from it."""
        if self.dense is not dense or dense.changes != rebuilt.changes:
            return False
        self.dense = rebuilt
        return True

    def entry_ids_of(self, article_ids):
        """The entry ids of the articles among `article_ids` that this knowledge base holds."""
        return [i for a in article_ids if a in self.articles for i in self.articles[a].entry_ids]

    def document(self, info):
        """The BM25 document of article `info` (`PublishedArticles.documents`), from its entries."""
        return " ".join(self.entries[i].text for i in info.entry_ids)

    def _centroids(self, dense, article_ids, articles, changed):
        """The centroid matrix for `article_ids`: this one's rows for the articles not `changed`."""
        matrix = np.zeros((len(article_ids), self.centroids.shape[1]), dtype=np.float32)
        rows = {article_id: row for row, article_id in enumerate(self.article_ids.tolist())}
        kept = [(new, rows[i]) for new, i in enumerate(article_ids.tolist()) if i not in changed]
        if kept:
            new_rows, old_rows = zip(*kept)
            matrix[list(new_rows)] = self.centroids[list(old_rows)]
        for new, article_id in enumerate(article_ids.tolist()):
            if article_id in changed:
                matrix[new] = _centroid(dense, articles[article_id], matrix.shape[1])
        return matrix

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

    def outlined(self, article):
        """The article's `sections.Outline`, cut on first use of each revision and kept; None if its
        passages are not the indexed ones (the body was cut by another chunking version and waits to
        be cut again)."""
        kept = self.outlines.get(article.id)
        if kept is None or kept[0] != article.revision_id:
            found = sections.outline(article.body)
            if len(found.passages) != len(article.passage_ids):
                found = None
            kept = self.outlines[article.id] = (article.revision_id, found)
        return kept[1]

    def passage_scores(self, article, query):
        """`retrieval.passage_scores` of the article's passages for `query`, in reading order."""
        passage_ids = list(article.passage_ids)
        return retrieval.passage_scores(
            query.vector,
            self.dense.vectors(passage_ids),
            query.passage_lexical[[self.passage_rows[i] for i in passage_ids]],
        )

    def source(self, hit, query, top_score, probability, choice=None):
        """The `Source` for `hit`, whose `confidence` is `probability`: the article, with the passage
        that answers `query` best (or the first passage of the section `choice`, a position in its
        outline)."""
        article = self.articles[hit.article_id]
        outline = self.outlined(article) if article.passage_ids else None
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

    def section_features(self, article, query):
        """(outline, passage scores, `retrieval.section_features`) of one article for `query`; outline
        and features are None for an article without sections to choose from (no body, or not cut
        yet)."""
        if not article.passage_ids:
            return None, np.zeros(0), None
        scores = self.passage_scores(article, query)
        found = self.outlined(article)
        if found is None:
            return None, scores, None
        features = retrieval.section_features(
            found, scores, self.headings[article.id] @ query.vector, query.marked, query.intents
        )
        return found, scores, features

    def unsectioned_answer(self, article, scores):
        """The answer from an article whose passages are not cut into sections (yet): an FAQ entry
        states its answer in its title; otherwise its best passages by `scores`, widened (`retrieval`)."""
        if not article.passage_ids:
            return article.title
        passages = [(self.entries[i].heading_path, self.entries[i].text) for i in article.passage_ids]
        return retrieval.readable_answer(passages, retrieval.answer_passages(scores))

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


def _centroid(dense, article, dimension):
    """L2-normalized mean entry vector of `article`, shape (dimension,); zeros when it has no entry."""
    if not article.entry_ids:
        return np.zeros(dimension, dtype=np.float32)
    mean = dense.vectors(list(article.entry_ids)).mean(axis=0)
    return mean / max(float(np.linalg.norm(mean)), 1e-12)


def _with_changed_words(counts, old_documents, new_documents):
    """`counts` (`word_counts`) less the words of `old_documents`, plus those of `new_documents`
    ({article id: document}); a word counted 0 is dropped. `counts` is left as it was."""
    changed = counts.copy()
    changed.subtract(word_counts(old_documents))
    changed.update(word_counts(new_documents.values()))
    return Counter({word: count for word, count in changed.items() if count > 0})
