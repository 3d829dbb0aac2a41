"""Lexical retrieval: BM25 over the same entries as the dense index, grouped per article.

Catches what embeddings blur: product names, error codes (`LDG-1042` is
matched on `ldg`, `1042` and the joined term `ldg1042`, so the exact code
outranks articles that merely share its prefix), rare words. English stemming and stop words.
One BM25 document per article, made of the text of all its entries: single
short entries (a title, a question) give BM25 too little text to weigh terms,
and measured worse on the development questions. Rebuilt in memory from the entries;
at help-center sizes that takes milliseconds, so nothing is persisted.
"""

import re

import bm25s
import numpy as np
import Stemmer

_ERROR_CODE = re.compile(r"\b([A-Za-z]{2,6})-(\d{2,6})\b")


def error_codes(text):
    """The error codes in `text`, normalized: "sync-422 and LDG-1042" -> {"SYNC422", "LDG1042"}."""
    return frozenset(f"{match[1]}{match[2]}".upper() for match in _ERROR_CODE.finditer(text))


def with_code_terms(text):
    """`text` with each error code such as `SYNC-422` also written as one term, `SYNC422`."""
    return _ERROR_CODE.sub(lambda match: f"{match[0]} {match[1]}{match[2]}", text)


class LexicalIndex:
    """BM25 scores of a query against every document, keyed by id."""

    def __init__(self, ids, texts):
        self._stemmer = Stemmer.Stemmer("english")
        self.ids = np.asarray(ids, dtype=np.int64)
        self._bm25 = None
        self._rows_by_code = {}  # error code -> the rows of the documents that contain it
        for row, text in enumerate(texts):
            for code in error_codes(text):
                self._rows_by_code.setdefault(code, []).append(row)
        self.vocabulary = frozenset()  # every stemmed term of every document
        tokenized = self._tokenize(texts) if len(texts) else None
        if tokenized is not None and tokenized.vocab:  # no term at all (only stop words): nothing to match
            self.vocabulary = frozenset(tokenized.vocab)
            self._bm25 = bm25s.BM25()
            self._bm25.index(tokenized, show_progress=False)

    def _tokenize(self, texts, return_ids=True):
        return bm25s.tokenize(
            [with_code_terms(text) for text in texts],
            stopwords="en",
            stemmer=self._stemmer,
            return_ids=return_ids,
            show_progress=False,
        )

    def query_terms(self, query):
        """The stemmed, stop-word-free terms BM25 matches for `query`."""
        return self._tokenize([query], return_ids=False)[0]

    def code_matches(self, query) -> np.ndarray:
        """Per document, aligned with `ids`: whether it contains an error code the query names. Looked up
        per code the query names, so a question costs the same at any number of documents."""
        matches = np.zeros(len(self.ids), dtype=bool)
        for code in error_codes(query):
            matches[self._rows_by_code.get(code, [])] = True
        return matches

    def scores(self, query_terms) -> np.ndarray:
        """BM25 score of the terms of a query (`query_terms`) for every document, aligned with `ids`."""
        if self._bm25 is None or not query_terms:
            return np.zeros(len(self.ids), dtype=np.float32)
        return self._bm25.get_scores(query_terms).astype(np.float32)
