"""The vector stores behind the dense index: exact (flat) search, and HNSW past a size.

Both hold L2-normalized vectors keyed by entry id and answer inner-product searches. A flat store is
exact and needs no build, but its search cost grows with the entries; an HNSW graph answers in about
a millisecond at any help-center size with recall@10 of at least 0.99 against flat (measured with
`bench/ann.py`, docs/benchmarks.md#ann). HNSW cannot delete: a removed entry stays in the graph as a
tombstone, skipped in results, until the index is rebuilt without them (`DenseIndex.needs_rebuild`).
"""

import faiss
import numpy as np

FLAT, HNSW = "flat", "hnsw"
NEIGHBOURS = 32  # HNSW's M: links per node
BUILD_DEPTH = 80  # efConstruction
SEARCH_DEPTH = 128  # efSearch at the least; more when tombstones must be skipped
REBUILD_SHARE = 0.2  # an HNSW store with this share of tombstones is rebuilt


def kind_for(count, hnsw_from):
    """The store `count` entries want: HNSW from `hnsw_from` entries on (None or 0: always flat)."""
    return HNSW if hnsw_from and count >= hnsw_from else FLAT


def new_store(kind, dimension):
    return HnswStore(dimension) if kind == HNSW else FlatStore(dimension)


class FlatStore:
    """Exact search: FAISS `IndexFlatIP` behind an id map that supports removal."""

    kind = FLAT
    tombstones = 0

    def __init__(self, dimension, index=None):
        self.index = index if index is not None else faiss.IndexIDMap2(faiss.IndexFlatIP(dimension))

    def __len__(self):
        return self.index.ntotal

    def ids(self):
        return [int(entry_id) for entry_id in faiss.vector_to_array(self.index.id_map)]

    def add(self, ids, vectors):
        self.index.add_with_ids(vectors, np.asarray(ids, dtype=np.int64))

    def remove(self, ids):
        self.index.remove_ids(np.asarray(list(ids), dtype=np.int64))

    def vector(self, entry_id):
        return self.index.reconstruct(int(entry_id))

    def search(self, query, k):
        scores, ids = self.index.search(query.reshape(1, -1), k)
        keep = ids[0] >= 0
        return ids[0][keep], scores[0][keep]

    def manifest(self):
        return {"kind": FLAT}


class HnswStore:
    """Approximate search: FAISS `IndexHNSWFlat` whose labels (positions) map to entry ids.

    `labels[position]` is the entry id stored there, or -1 for a tombstone (a removed entry).
    """

    kind = HNSW

    def __init__(self, dimension, index=None, labels=()):
        if index is None:
            index = faiss.IndexHNSWFlat(dimension, NEIGHBOURS, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = BUILD_DEPTH
        self.index = index
        self.labels = [int(label) for label in labels]
        self.rows = {entry_id: position for position, entry_id in enumerate(self.labels) if entry_id >= 0}

    def __len__(self):
        return len(self.rows)

    @property
    def tombstones(self):
        return len(self.labels) - len(self.rows)

    def ids(self):
        return list(self.rows)

    def add(self, ids, vectors):
        self.index.add(vectors)
        for entry_id in map(int, ids):
            self.rows[entry_id] = len(self.labels)
            self.labels.append(entry_id)

    def remove(self, ids):
        for entry_id in ids:
            position = self.rows.pop(int(entry_id), None)
            if position is not None:
                self.labels[position] = -1

    def vector(self, entry_id):
        return self.index.reconstruct(self.rows[int(entry_id)])

    def search(self, query, k):
        """The k best live entries: the graph is asked for more while tombstones crowd them out."""
        asked = k
        while True:
            depth = faiss.SearchParametersHNSW(efSearch=max(SEARCH_DEPTH, asked))
            scores, positions = self.index.search(query.reshape(1, -1), asked, params=depth)
            live = [
                (self.labels[position], score)
                for position, score in zip(positions[0], scores[0])
                if position >= 0 and self.labels[position] >= 0
            ]
            if len(live) >= k or asked >= self.index.ntotal:
                break
            asked = min(self.index.ntotal, asked * 2)
        live = live[:k]
        return (
            np.asarray([entry_id for entry_id, _ in live], dtype=np.int64),
            np.asarray([score for _, score in live], dtype=np.float32),
        )

    def manifest(self):
        return {"kind": HNSW, "labels": self.labels}
