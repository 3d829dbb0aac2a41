"""Grouping short texts (customer questions) into topics by embedding similarity.

Greedy leader clustering against centroids: the texts are taken most frequent
first, and each one joins the topic whose centroid is the most similar to it
when that cosine similarity reaches the threshold, or starts a new topic. The
most common phrasing of a question therefore seeds its topic, a centroid
(the frequency-weighted mean of its members) follows the topic as it grows,
and the result does not depend on the order of the input: ties in frequency
are broken by the text itself.

The threshold is KBBOT_TOPIC_SIMILARITY (default 0.6). With all-MiniLM-L6-v2,
paraphrases of one support question score 0.58-0.83 against each other ("how
do I get a refund" / "can I get my money back": 0.62) and more against the
centroid of their topic, while different questions about one product mostly
score below 0.45 (a refund / "export invoices to csv": 0.05); the closest
different pair measured, "how do I reset my password" / "how do I delete my
account", scores 0.59 as a pair. See docs/metrics.md.
"""

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Group:
    """One topic: indices into the input, its leading text first, and its total frequency."""

    members: tuple[int, ...]
    count: int

    @property
    def leader(self) -> int:
        return self.members[0]


def group(texts, vectors, threshold, counts=None) -> list[Group]:
    """Group `texts` into topics; returns the groups, largest first.

    `vectors`: the texts' embeddings, L2-normalized, shape (n, d).
    `threshold`: cosine similarity in [-1, 1] a text needs with a topic's centroid to join it.
    `counts`: how often each text occurs (default 1 each); it orders the texts and weighs the centroids.

    Each group lists its members by frequency, then by closeness to the group's
    final centroid, then by text; the first is the group's label. Groups are
    ordered by total count, then by their label's text.
    """
    texts = list(texts)
    vectors = np.asarray(vectors, dtype=np.float32)
    n = len(texts)
    if vectors.shape[0] != n or (n and vectors.ndim != 2):
        raise ValueError(f"expected {n} vectors of shape (n, d), got an array of shape {vectors.shape}")
    weights = np.ones(n) if counts is None else np.asarray(counts, dtype=np.float64)
    if weights.shape != (n,):
        raise ValueError(f"expected {n} counts, got {weights.shape[0]}")
    if n == 0:
        return []

    order = sorted(range(n), key=lambda i: (-weights[i], texts[i], i))
    sums = np.zeros_like(vectors)  # row g: weighted sum of group g's vectors
    centroids = np.zeros_like(vectors)  # row g: that sum, normalized
    members: list[list[int]] = []
    for i in order:
        target = len(members)
        if members:
            similarities = centroids[: len(members)] @ vectors[i]
            best = int(np.argmax(similarities))  # the earliest group wins a tie
            if similarities[best] >= threshold:
                target = best
        if target == len(members):
            members.append([])
        members[target].append(i)
        sums[target] += weights[i] * vectors[i]
        norm = np.linalg.norm(sums[target])
        centroids[target] = sums[target] / norm if norm > 0 else sums[target]

    groups = []
    for g, indices in enumerate(members):
        closeness = vectors[indices] @ centroids[g]
        ranked = sorted(
            range(len(indices)),
            # Rounded, so that members equally close up to float noise are ordered by their text.
            key=lambda k: (
                -weights[indices[k]],
                -round(float(closeness[k]), 6),
                texts[indices[k]],
                indices[k],
            ),
        )
        groups.append(Group(members=tuple(indices[k] for k in ranked), count=round(weights[indices].sum())))
    groups.sort(key=lambda grouped: (-grouped.count, texts[grouped.leader], grouped.leader))
    return groups
