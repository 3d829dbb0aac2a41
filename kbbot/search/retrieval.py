"""Hybrid retrieval: fuse dense and BM25 evidence into ranked articles.

Three signals per article, all measured on development data (docs/calibration.md):
- `dense_max`: cosine similarity of the query to the article's best entry
  (title, an alternate question, or a passage): finds the one matching phrasing;
- `dense_centroid`: cosine similarity to the mean of the article's entry
  vectors: what the article is about as a whole, robust to one lucky entry;
- `lexical`: BM25 of the query against the article's entries taken together:
  exact terms such as error codes, product names and rare words.

The fused score is a weighted sum. Pure functions over arrays: the engine
passes in what the indexes returned; nothing here touches a database or file.
"""

from dataclasses import dataclass

import numpy as np

from . import intents
from .chunking import LIST_ITEM_MARKER, SENTENCE_ENDINGS

# Weight of a raw BM25 score against the two cosine similarities. Chosen on
# the development splits (BANKING77 train queries and the sample help
# center's dev questions), never on test data.
LEXICAL_WEIGHT = 0.1
# Weight of a passage's relative BM25 score (in [0, 1]) against its cosine, when picking
# the passages to answer with (`passage_scores`).
PASSAGE_LEXICAL_WEIGHT = 0.1
# The runner-up passage is shown as well when it scores within this of the best.
SECOND_PASSAGE_GAP = 0.1
# How many articles the BM25 and centroid rankings each add to the candidates.
EXTRA_CANDIDATES = 20
# An answer shorter than this is widened with the neighbouring passages of its section.
MIN_ANSWER_WORDS = 30
MAX_ANSWER_WORDS = 120


@dataclass(frozen=True)
class EntryInfo:
    """What retrieval needs to know about one indexed entry."""

    article_id: int
    kind: str  # "title" | "question" | "passage"
    text: str
    heading_path: tuple[str, ...] = ()


@dataclass
class ArticleHit:
    """One ranked article with the evidence behind its score."""

    article_id: int
    score: float  # dense_max + dense_centroid + LEXICAL_WEIGHT * lexical
    dense_max: float  # cosine of the best entry, in [-1, 1]
    dense_centroid: float  # cosine of the article's mean entry vector, in [-1, 1]
    lexical: float  # BM25 score of the article (0 when no query term occurs in it)
    best_entry_id: int | None  # the entry that gave dense_max, when it was retrieved
    names_code: bool = False  # the article contains an error code the question names


def best_per_article(ids, scores, entries: dict[int, EntryInfo]):
    """{article_id: (best score, entry id)} from an entry ranking (best first)."""
    best = {}
    for entry_id, score in zip(np.asarray(ids).tolist(), np.asarray(scores).tolist()):
        info = entries.get(entry_id)
        if info is not None and info.article_id not in best:
            best[info.article_id] = (score, entry_id)
    return best


def fuse(dense_ids, dense_scores, centroid_scores, lexical_scores, article_ids, entries, code_matches=None):
    """Articles ranked by fused score, best first.

    `dense_ids`/`dense_scores`: the nearest entries (best first);
    `centroid_scores` and `lexical_scores`: one score per article, aligned
    with `article_ids`. An article that has no entry among the nearest ones
    gets the last retrieved similarity as its `dense_max`, an upper bound.
    `code_matches` (aligned booleans): articles containing an error code the
    question names. They come first: a code is an identifier, and an article
    about another code of the same family ("SYNC-504" for "SYNC-422") is
    the wrong answer however similar its wording.
    """
    dense = best_per_article(dense_ids, dense_scores, entries)
    floor = float(dense_scores[-1]) if len(dense_scores) else 0.0
    positions = {article_id: i for i, article_id in enumerate(article_ids)}
    candidates = set(dense)
    matches = np.zeros(len(article_ids), dtype=bool) if code_matches is None else np.asarray(code_matches)
    for scores in (centroid_scores, lexical_scores):
        if len(scores):
            top = np.argsort(-scores, kind="stable")[:EXTRA_CANDIDATES]
            candidates.update(article_ids[i] for i in top if scores[i] > 0)
    hits = []
    for article_id in candidates:
        position = positions[article_id]
        dense_max, entry_id = dense.get(article_id, (floor, None))
        centroid = float(centroid_scores[position])
        lexical = float(lexical_scores[position])
        hits.append(
            ArticleHit(
                article_id=article_id,
                score=dense_max + centroid + LEXICAL_WEIGHT * lexical,
                dense_max=float(dense_max),
                dense_centroid=centroid,
                lexical=lexical,
                best_entry_id=entry_id,
                names_code=bool(matches[position]),
            )
        )
    hits.sort(key=lambda hit: (not hit.names_code, -hit.score, hit.article_id))
    return hits


def passage_scores(query_vector: np.ndarray, passage_vectors: np.ndarray, lexical_scores) -> np.ndarray:
    """How well each passage of one article answers the question: cosine plus relative BM25.

    `lexical_scores` (aligned with `passage_vectors`) count relative to the
    article's best, weighted by `PASSAGE_LEXICAL_WEIGHT`. The cosine alone
    sees the gist: for "forgot password" it chose the password rules over
    the reset steps, for "the Pro plan per year" the extra-user price. The
    words asked for settle it. Chosen on the dev questions' answer phrases
    (docs/benchmarks.md).
    """
    lexical = np.asarray(lexical_scores, dtype=np.float64)
    if len(lexical) and lexical.max() > 0:
        lexical = lexical / lexical.max()
    return passage_vectors @ query_vector + PASSAGE_LEXICAL_WEIGHT * lexical


SECTION_FEATURES = ("passage", "heading", "heading_terms", "intent", "introduction")
# Fitted by bench/calibrate.py on the dev questions' labelled sections; regenerate with it.
SECTION_WEIGHTS = (19.3287, 6.3213, 0.1442, 1.3951, -1.8001)
# Against a section the customer was already answered with, on the scale of the weighted features: a
# follow-up asks about something else (e^-3: a twentieth of the odds). Set, not fitted: the dev
# questions are single turns.
SHOWN_PENALTY = 3.0


def section_features(outline, passage_scores, heading_similarities, question_terms, question_intents):
    """Evidence that each section of an article is the one that answers, shape (n_sections, features).

    `passage`: the best `passage_scores` of its passages (the heading path is embedded with each).
    `heading`: `heading_similarities`, the cosine of the question to its heading path under the
    article's title, embedded alone: what the section is about. `heading_terms`: the share of its
    heading path's content words (`highlight.query_terms`) that the question has (`question_terms`).
    `intent`: `intents.agreement` of the question's intents with its heading path's: the cosine
    hardly tells "Turn on 2FA" from "Turn off 2FA". `introduction`: 1 for the text before the first
    heading.
    """
    rows = []
    for section, similarity, terms, heading_intents in zip(
        outline.sections, heading_similarities, outline.heading_terms, outline.heading_intents
    ):
        rows.append(
            (
                float(np.max(passage_scores[section.first : section.last + 1])),
                float(similarity),
                len(terms & question_terms) / len(terms) if terms else 0.0,
                intents.agreement(question_intents, heading_intents),
                float(not section.heading_path),
            )
        )
    return np.array(rows, dtype=np.float64).reshape(len(rows), len(SECTION_FEATURES))


def section_probabilities(features, shown=None, weights=SECTION_WEIGHTS):
    """Probability in [0, 1] of each section being the one that answers (a softmax over the
    article's sections of the weighted `section_features`, less `SHOWN_PENALTY` for those `shown`,
    a boolean array); they sum to 1."""
    z = features @ np.asarray(weights, dtype=np.float64)
    if shown is not None:
        z = z - SHOWN_PENALTY * shown
    z = np.exp(z - z.max())
    return z / z.sum()


def answer_passages(scores) -> list[int]:
    """Positions of the passages to answer with: the best, and the runner-up when it scores within
    `SECOND_PASSAGE_GAP` of it, since then either may hold the fact asked for."""
    order = np.argsort(-np.asarray(scores), kind="stable")[:2].tolist()
    if len(order) == 2 and scores[order[1]] < scores[order[0]] - SECOND_PASSAGE_GAP:
        order = order[:1]
    return order


def readable_answer(passages, picked):
    """The answer text: passages `picked` (best first), each widened until it reads as a whole.

    `passages` is the article's (heading_path, text) list in reading order.
    Passages end at sentence boundaries (a sentence longer than a passage is
    one of its own, and may pass `MAX_ANSWER_WORDS` alone); a short one (an
    article's introduction, "3. Click Save.") is joined with the passages
    that follow it, then those before it in its own section, until it has
    `MIN_ANSWER_WORDS` words, never more than `MAX_ANSWER_WORDS`; one in the
    middle of a list is widened over the whole list and the line that leads
    into it (or an example after a colon), as far as that fits. A later pick
    comes only if the whole still fits in `MAX_ANSWER_WORDS` (mid-list if
    its whole list would not) and it says something the text does not (an
    article may repeat a note). The excerpts are given in reading order,
    overlapping or adjacent ones as one, a separate one as its own
    paragraph; a passage from another section than the text before it (or
    the first one, outside the introduction) comes with its heading, so
    steps keep their title.
    """
    return _text(passages, readable_spans(passages, picked))


def readable_spans(passages, picked):
    """The (first, last) passage spans, sorted and apart, that `readable_answer` gives the text of."""
    spans = []
    for best in picked:
        widenings = (_widened(passages, best, whole_list) for whole_list in (True, False))
        span = next((span for span in widenings if not spans or _fits(passages, spans + [span])), None)
        if spans and (span is None or _says_nothing_new(passages, spans, span)):
            break
        spans = _merged(spans + [span])
    return spans


def _fits(passages, spans):
    return _word_count(passages, _merged(spans)) <= MAX_ANSWER_WORDS


def _says_nothing_new(passages, spans, span):
    """Whether every passage of `span` is already in the text of `spans` (an article may repeat a note)."""
    said = _text(passages, spans)
    return all(text in said for _, text in passages[span[0] : span[1] + 1])


def _text(passages, spans):
    """The text of `spans` (sorted, apart): each a paragraph, headings where the section changes.

    A heading is a line of its own in bold Markdown, `**Turn on 2FA**`, so that it reads as a
    heading in the widget and as plain text anywhere else. The first excerpt starts with its
    section's headings too, unless it is the article's introduction: "4. Once you're in, go to
    Settings" says little without "Option 1: Use a backup code".

    A sentence already given is left out (an article may repeat a note in every section the
    answer widens into), and so is a section's heading when nothing of it is left. List items
    are kept: each belongs to the steps of its own list.
    """
    excerpts, path, said = [], (), set()
    for start, stop in spans:
        excerpt = []
        for heading_path, text in passages[start : stop + 1]:
            lines = [line for line in text.split("\n") if not _said_again(line, said)]
            said.update(text.split("\n"))
            if not lines:
                continue
            if heading_path != path:
                excerpt += [f"**{heading}**" for heading in heading_path[len(_common(path, heading_path)) :]]
            excerpt += lines
            path = heading_path
        if excerpt:
            excerpts.append("\n".join(excerpt))
    return "\n\n".join(excerpts)


def _said_again(line, said):
    """Whether `line` is a sentence (not a list item, code or a heading) already in `said`."""
    return line in said and line.endswith(SENTENCE_ENDINGS) and not LIST_ITEM_MARKER.match(line)


def _widened(passages, best, whole_list=True):
    """(first, last) positions of passage `best` widened to `MIN_ANSWER_WORDS` (see `readable_answer`),
    and over the passages of the list it is part of if `whole_list`."""
    first = last = best
    words = len(passages[best][1].split())
    for position in range(best + 1, len(passages)):
        if words >= MIN_ANSWER_WORDS and not (whole_list and _continues(passages, position)):
            break
        heading_path, text = passages[position]
        new = heading_path[len(_common(passages[position - 1][0], heading_path)) :]
        added = len(text.split()) + sum(len(heading.split()) for heading in new)
        if words + added > MAX_ANSWER_WORDS:
            break
        last, words = position, words + added
    for position in range(best - 1, -1, -1):
        heading_path, text = passages[position]
        if heading_path != passages[best][0] or words + len(text.split()) > MAX_ANSWER_WORDS:
            break
        if words >= MIN_ANSWER_WORDS and not (whole_list and _continues(passages, first)):
            break
        first, words = position, words + len(text.split())
    return first, last


def _continues(passages, position):
    """Whether the passage at `position` goes on with what the passage before it began: a list ("you
    void it:", or step 3 and then step 4) or an example after a colon. Either reads wrong without
    the other."""
    if position == 0 or passages[position - 1][0] != passages[position][0]:
        return False
    before = passages[position - 1][1].rsplit("\n", 1)[-1]
    if LIST_ITEM_MARKER.match(before):
        return bool(LIST_ITEM_MARKER.match(passages[position][1]))
    return before.endswith(":")


def _merged(spans):
    """Spans sorted, overlapping or adjacent ones joined."""
    merged = []
    for start, stop in sorted(spans):
        if merged and start <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], stop))
        else:
            merged.append((start, stop))
    return merged


def _word_count(passages, spans):
    return sum(len(text.split()) for start, stop in spans for _, text in passages[start : stop + 1])


def _common(a, b):
    """The shared leading headings of two heading paths."""
    shared = []
    for x, y in zip(a, b):
        if x != y:
            break
        shared.append(x)
    return tuple(shared)
