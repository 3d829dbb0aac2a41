"""Lexical retrieval: BM25 over the same entries as the dense index, grouped per article.

Catches what embeddings blur: product names, error codes (`LDG-1042` is
matched on `ldg`, `1042` and the joined term `ldg1042`, so the exact code
outranks articles that merely share its prefix), rare words. English stemming and stop words.
One BM25 document per article, made of the text of all its entries: single
short entries (a title, a question) give BM25 too little text to weigh terms,
and measured worse on the development questions.

Scored as bm25s scores (Lucene's variant, k1 1.5, b 0.75, float32), but kept as
per-term postings and per-document lengths rather than bm25s's matrix of
precomputed scores: every precomputed score depends on the average document
length, so one edited article would rebuild the whole matrix (seconds at
10,000 articles). Here an edit costs the terms of the documents it changes,
and the scores equal those of an index built whole on the same documents.
Held in memory only: rebuilt from the entries at start.
"""

import copy
import math
import re
from collections import Counter

import bm25s
import numpy as np
import Stemmer

_ERROR_CODE = re.compile(r"\b([A-Za-z]{2,6})-(\d{2,6})\b")
K1 = 1.5  # bm25s's defaults, with which the weights of retrieval.py were chosen
B = 0.75
_NO_CODES = frozenset()


def error_codes(text):
    """The error codes in `text`, normalized: "sync-422 and LDG-1042" -> {"SYNC422", "LDG1042"}."""
    return frozenset(f"{match[1]}{match[2]}".upper() for match in _ERROR_CODE.finditer(text))


def with_code_terms(text):
    """`text` with each error code such as `SYNC-422` also written as one term, `SYNC422`."""
    return _ERROR_CODE.sub(lambda match: f"{match[0]} {match[1]}{match[2]}", text)


def _grouped(terms, slots, values):
    """{term id: (slots, values)} from three aligned flat arrays, slots in their given order per term."""
    if not len(terms):
        return {}
    order = np.argsort(terms, kind="stable")
    terms, slots, values = terms[order], slots[order], values[order]
    starts = np.flatnonzero(np.diff(terms)) + 1
    return {
        int(term): (term_slots, term_values)
        for term, term_slots, term_values in zip(
            terms[np.r_[0, starts]], np.split(slots, starts), np.split(values, starts)
        )
    }


class LexicalIndex:
    """BM25 scores of a query against every document, keyed by id (`ids`, ascending).

    Documents live in slots (a removed document's slot is reused); each term's postings are the
    slots holding it and its count in each. `changed` gives a new index and leaves this one as it
    was, so a search running on it is never half-updated.
    """

    def __init__(self, ids=(), texts=()):
        self._stemmer = Stemmer.Stemmer("english")
        self._term_ids = {}  # term -> its id, for good (a term no document holds keeps its id)
        self._terms = []  # term id -> term
        self._postings = {}  # term id -> (slots, counts as float32), only terms some document holds
        self._document_terms = []  # slot -> its document's term ids (np.int64), empty when free
        self._document_codes = []  # slot -> its document's error codes
        self._lengths = np.zeros(0, dtype=np.int64)  # slot -> its document's length in terms
        self._slot_ids = np.zeros(0, dtype=np.int64)  # slot -> its document id, -1 when free
        self._slot_of = {}  # document id -> slot
        self._codes = {}  # error code -> ids of the documents holding it
        self.ids = np.zeros(0, dtype=np.int64)
        self.vocabulary = frozenset()  # every stemmed term of every document
        self._apply((), dict(zip(np.asarray(ids, dtype=np.int64).tolist(), texts)))

    def changed(self, removed, added):
        """A new index: this one without the documents `removed` (ids) and with `added` ({id: text});
        an id in both, or added again, is replaced. This index is left as it was."""
        new = copy.copy(self)
        new._term_ids, new._terms = dict(self._term_ids), list(self._terms)
        new._postings, new._codes = dict(self._postings), dict(self._codes)
        new._document_terms, new._document_codes = list(self._document_terms), list(self._document_codes)
        new._lengths, new._slot_ids = self._lengths.copy(), self._slot_ids.copy()
        new._slot_of = dict(self._slot_of)
        new._apply(removed, added)
        return new

    def _apply(self, removed, added):
        gone = [self._slot_of.pop(i) for i in {*removed, *added} if i in self._slot_of]
        dropped = self._release(gone)
        new = self._place(added, sorted(gone))
        for term in dropped.keys() | new.keys():
            slots, counts = self._postings.get(term, (np.zeros(0, np.int64), np.zeros(0, np.float32)))
            if term in dropped:
                kept = ~np.isin(slots, dropped[term][0])
                slots, counts = slots[kept], counts[kept]
            if term in new:
                slots, counts = np.concatenate([slots, new[term][0]]), np.concatenate([counts, new[term][1]])
            if len(slots):
                self._postings[term] = (slots, counts)
            else:
                self._postings.pop(term, None)
        live = np.flatnonzero(self._slot_ids >= 0)
        self._order = live[np.argsort(self._slot_ids[live], kind="stable")]
        self.ids = self._slot_ids[self._order]
        self.vocabulary = frozenset(self._terms[term] for term in self._postings)

    def _release(self, slots):
        """Free `slots`: {term id: (its slots among them, unused)} of the postings to drop."""
        terms = [self._document_terms[slot] for slot in slots]
        for slot in slots:
            for code in self._document_codes[slot]:
                self._codes[code] = self._codes[code] - {int(self._slot_ids[slot])}
            self._document_terms[slot], self._document_codes[slot] = np.zeros(0, np.int64), _NO_CODES
            self._slot_ids[slot], self._lengths[slot] = -1, 0
        repeated = np.repeat(np.asarray(slots, dtype=np.int64), [len(t) for t in terms])
        flat = np.concatenate(terms) if terms else np.zeros(0, np.int64)
        return _grouped(flat, repeated, repeated)

    def _place(self, added, free):
        """Put the documents `added` ({id: text}) in the `free` slots, then new ones: {term id: (slots,
        counts)} of the postings to add."""
        tokenized = self._tokenize(list(added.values())) if added else []
        slots_needed = max(0, len(added) - len(free))
        first_new = len(self._slot_ids)
        self._slot_ids = np.concatenate([self._slot_ids, np.full(slots_needed, -1, np.int64)])
        self._lengths = np.concatenate([self._lengths, np.zeros(slots_needed, np.int64)])
        self._document_terms += [np.zeros(0, np.int64)] * slots_needed
        self._document_codes += [_NO_CODES] * slots_needed
        free = free + list(range(first_new, first_new + slots_needed))
        flat_terms, flat_slots, flat_counts = [], [], []
        for slot, (document_id, text), tokens in zip(free, added.items(), tokenized):
            counts = Counter(tokens)
            terms = [self._term_id(token) for token in counts]
            self._slot_of[document_id], self._slot_ids[slot], self._lengths[slot] = (
                slot,
                document_id,
                len(tokens),
            )
            self._document_terms[slot] = np.array(terms, dtype=np.int64)
            self._document_codes[slot] = codes = error_codes(text) or _NO_CODES
            for code in codes:
                self._codes[code] = self._codes.get(code, _NO_CODES) | {document_id}
            flat_terms += terms
            flat_slots += [slot] * len(terms)
            flat_counts += counts.values()
        return _grouped(
            np.array(flat_terms, dtype=np.int64),
            np.array(flat_slots, dtype=np.int64),
            np.array(flat_counts, dtype=np.float32),
        )

    def _term_id(self, term):
        found = self._term_ids.get(term)
        if found is None:
            found = self._term_ids[term] = len(self._terms)
            self._terms.append(term)
        return found

    def _tokenize(self, texts):
        return bm25s.tokenize(
            [with_code_terms(text) for text in texts],
            stopwords="en",
            stemmer=self._stemmer,
            return_ids=False,
            show_progress=False,
        )

    def query_terms(self, query):
        """The stemmed, stop-word-free terms BM25 matches for `query`."""
        return self._tokenize([query])[0]

    def code_matches(self, query) -> np.ndarray:
        """Per document, aligned with `ids`: whether it contains an error code the query names."""
        found = set().union(*(self._codes.get(code, _NO_CODES) for code in error_codes(query)))
        return np.isin(self.ids, np.fromiter(found, np.int64, len(found)))

    def scores(self, query_terms) -> np.ndarray:
        """BM25 score of the terms of a query (`query_terms`) for every document, aligned with `ids`.

        Each term counts as often as it occurs in the query; float32, summed term by term as bm25s does.
        """
        documents = len(self.ids)
        scores = np.zeros(len(self._slot_ids), dtype=np.float32)
        if documents:
            average_length = np.float64(int(self._lengths.sum()) / documents)
            for term in query_terms:
                postings = self._postings.get(self._term_ids.get(term, -1))
                if postings is None:
                    continue
                slots, counts = postings
                idf = np.float32(math.log(1 + (documents - len(slots) + 0.5) / (len(slots) + 0.5)))
                saturation = counts / (K1 * ((1 - B) + B * self._lengths[slots] / average_length) + counts)
                scores[slots] += (idf * saturation).astype(np.float32)
        return scores[self._order]
