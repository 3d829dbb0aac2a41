"""Dense search past a size: exact flat search against the HNSW graph, and BM25, at 10,000 to 100,000 entries.

The vectors are real: the packaged model's embeddings of BANKING77's training questions (development
data), each repeated with a little noise (cosine about 0.9 to its source) up to the size measured, so
that neighbourhoods look like a help center's (many near-duplicates), not like random points. The
queries are 300 other training questions, never in the index. Both indexes are the project's own
`DenseIndex`, one thread, as a serving worker runs them; recall@10 is the share of flat search's 10
best entries that the graph returns.

BM25 (`LexicalIndex`) is measured on documents of three training questions each, at the same sizes.

    python bench/ann.py [--sizes 10000 30000 50000 100000] [--vectors FILE.npy] [--no-write]

`--vectors` keeps the embeddings between runs (they take minutes to compute on a CPU).
"""

import argparse
import csv
import os
import time
from pathlib import Path

import faiss
import numpy as np
import sections
import torch

from kbbot.search.embedding import load_encoder
from kbbot.search.index import DenseIndex
from kbbot.search.lexical import LexicalIndex

ROOT = Path(__file__).resolve().parent.parent
TRAIN = ROOT.parent / "shared" / "data" / "banking77" / "train.csv"
QUERIES = 300
NOISE = 0.025  # per dimension: a noisy copy keeps a cosine of about 0.9 with its source


def training_questions():
    with TRAIN.open(encoding="utf-8") as rows:
        return [row["text"] for row in csv.DictReader(rows)]


def embeddings(texts, cache):
    if cache and Path(cache).exists():
        return np.load(cache)
    vectors = np.asarray(load_encoder().encode(texts), dtype=np.float32)
    if cache:
        np.save(cache, vectors)
    return vectors


def grown(base, size, rng):
    """`size` unit vectors: `base`, then noisy copies of random ones."""
    copies = base[rng.integers(0, len(base), max(0, size - len(base)))]
    copies = copies + rng.normal(scale=NOISE, size=copies.shape).astype(np.float32)
    vectors = np.vstack([base, copies])[:size]
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def timed_searches(index, queries, k=10):
    """(milliseconds per query, the ids found per query)."""
    times, found = [], []
    for query in queries:
        started = time.perf_counter()
        ids, _ = index.search(query, k)
        times.append((time.perf_counter() - started) * 1000)
        found.append(set(ids.tolist()))
    return times, found


def dense_row(vectors, queries, size):
    ids = list(range(1, size + 1))
    flat = DenseIndex(vectors.shape[1], "bench")
    flat.add(ids, vectors, ["h"] * size)
    graph = DenseIndex(vectors.shape[1], "bench", hnsw_from=1)
    started = time.perf_counter()
    graph.add(ids, vectors, ["h"] * size)
    build = time.perf_counter() - started
    flat_times, truth = timed_searches(flat, queries)
    graph_times, found = timed_searches(graph, queries)
    recall = np.mean([len(t & f) / len(t) for t, f in zip(truth, found)])
    (flat_p50, flat_p95), (graph_p50, graph_p95) = map(sections.percentiles, (flat_times, graph_times))
    return (
        f"| {size:,} | {flat_p50:.1f} / {flat_p95:.1f} | {graph_p50:.2f} / {graph_p95:.2f} | {recall:.4f} "
        f"| {build:.0f} s | {os.getloadavg()[0]:.1f} |"
    )


def lexical_row(texts, queries, size, rng):
    picks = rng.integers(0, len(texts), (size, 3))
    documents = [" ".join(texts[i] for i in row) for row in picks]
    started = time.perf_counter()
    lexical = LexicalIndex(list(range(size)), documents)
    build = time.perf_counter() - started
    scoring, codes = [], []
    for query in queries:
        started = time.perf_counter()
        lexical.scores(lexical.query_terms(query))
        scoring.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        lexical.code_matches(query)
        codes.append((time.perf_counter() - started) * 1000)
    (score_p50, score_p95), (code_p50, code_p95) = map(sections.percentiles, (scoring, codes))
    return f"| {size:,} | {score_p50:.1f} / {score_p95:.1f} | {code_p50:.1f} / {code_p95:.1f} | {build:.0f} s |"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 30_000, 50_000, 100_000])
    parser.add_argument("--vectors", help="a .npy file keeping the training questions' embeddings")
    parser.add_argument("--only", choices=("dense", "lexical"), help="measure one of the two tables")
    parser.add_argument("--no-write", action="store_true", help="Print only; leave docs/benchmarks.md alone.")
    args = parser.parse_args()
    torch.set_num_threads(1)
    faiss.omp_set_num_threads(1)
    rng = np.random.default_rng(20261207)
    texts = training_questions()
    vectors = embeddings(texts, args.vectors)
    order = rng.permutation(len(texts))
    queries, base = vectors[order[:QUERIES]], vectors[order[QUERIES:]]
    query_texts = [texts[i] for i in order[:QUERIES]]
    lines = [
        f"Measured with `python bench/ann.py` ({len(base):,} real question embeddings grown with noisy "
        f"copies, {QUERIES} held-out questions, one thread; load average in the last column: the "
        "machine was shared). Milliseconds per question, p50 / p95.",
        "",
        "| entries | flat search | HNSW search | HNSW recall@10 | HNSW build | load |",
        "|---|---|---|---|---|---|",
    ]
    for size in args.sizes if args.only != "lexical" else ():
        lines.append(dense_row(grown(base, size, rng), queries, size))
        print(lines[-1], flush=True)
    lines += ["", "| documents | BM25 scoring | error-code scan | BM25 build |", "|---|---|---|---|"]
    for size in args.sizes if args.only != "dense" else ():
        lines.append(lexical_row([texts[i] for i in order[QUERIES:]], query_texts, size, rng))
        print(lines[-1], flush=True)
    print("\n".join(lines))
    if not args.no_write:
        sections.replace_section(sections.BENCHMARKS, "ann", lines)


if __name__ == "__main__":
    main()
