"""BANKING77 answer-quality benchmark: kbbot's engine against two baselines.

Each covered intent becomes one FAQ entry (a title made from the intent name
and 5 example questions from train.csv, no body); 10 intents are held out of
the knowledge base so their queries are uncovered. Every system uses the same
packaged embedding model.

    python bench/banking77.py                 # test.csv queries; writes docs/benchmarks.md
    python bench/banking77.py --split dev     # train.csv queries only (method choice, calibration)

The dev split never reads test.csv: its queries are train.csv rows that are
not in the knowledge base, and it holds out a different set of 10 intents.
"""

import argparse
import csv
import json
import os
import platform
import random
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import bm25s
import numpy as np
import Stemmer
from sections import replace_section

from kbbot import create_app, db
from kbbot.articles.source import ArticleSource, save_article
from kbbot.search import evaluation
from kbbot.search.embedding import load_encoder
from kbbot.text import slugify
from kbbot.web.services import get_engine
from kbbot.web.session import get_session

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data" / "banking77"
EXAMPLES_PER_INTENT = 5
HELD_OUT = 10
DEV_QUERIES_PER_INTENT = 10


def read_rows(name):
    with open(DATA / name, encoding="utf-8") as file:
        return [(row["text"], row["category"]) for row in csv.DictReader(file)]


def build_split(split):
    """(knowledge-base entries {intent: [questions]}, labelled questions) for a split."""
    intents = json.loads((DATA / "categories.json").read_text())
    train = defaultdict(list)
    for text, intent in read_rows("train.csv"):
        train[intent].append(text)
    shuffled = sorted(intents)
    random.Random(77).shuffle(shuffled)
    # The test split holds out the first 10 intents, the dev split the next 10.
    held_out = set(shuffled[:HELD_OUT] if split == "test" else shuffled[HELD_OUT : 2 * HELD_OUT])
    kb = {intent: train[intent][:EXAMPLES_PER_INTENT] for intent in intents if intent not in held_out}
    if split == "test":
        rows = read_rows("test.csv")
    else:
        rng = random.Random(7)
        rows = []
        for intent in intents:
            rest = train[intent][EXAMPLES_PER_INTENT:]
            rows += [(text, intent) for text in rng.sample(rest, DEV_QUERIES_PER_INTENT)]
    questions = [
        evaluation.LabelledQuestion(text, (slugify(intent),) if intent in kb else ()) for text, intent in rows
    ]
    return kb, questions


def intent_title(intent):
    return intent.replace("_", " ").capitalize()


def load_knowledge_base(session, kb):
    """Store one FAQ entry (title and example questions, no body) per intent."""
    for intent, examples in kb.items():
        source = ArticleSource(slug=slugify(intent), title=intent_title(intent), questions=tuple(examples))
        save_article(session, source, note="benchmark")
    db.bump_generation(session)
    session.commit()


def scratch_app(workdir, name):
    """An app with its own SQLite database and index under `workdir`, starting empty.

    A benchmark asks hundreds of questions a minute as one visitor: its rate limits are set far
    above that, so they are still counted (and timed) but never refuse one.
    """
    return create_app(
        {
            "DATABASE_URL": f"sqlite:///{workdir / name}.sqlite3",
            "INDEX_DIR": workdir / f"{name}-index",
            "SYNC_ON_FIRST_START": False,
            "RATE_LIMIT_PER_VISITOR": "1000000/minute",
            "RATE_LIMIT_PER_ADDRESS": "1000000/minute",
            "RATE_LIMIT_WORDS_PER_ADDRESS": "100000000/minute",
        }
    )


def run_engine(kb, questions, workdir):
    app = scratch_app(workdir, "bench")
    with app.app_context():
        session = get_session()
        load_knowledge_base(session, kb)
        engine = get_engine()
        engine.refresh(session)
        return evaluation.evaluate(engine, session, questions)


def timed(function, question):
    started = time.perf_counter()
    ranked, confidence = function(question)
    return ranked, confidence, (time.perf_counter() - started) * 1000


def outcomes_of(function, questions):
    results = []
    for question in questions:
        ranked, confidence, latency = timed(function, question.query)
        results.append(evaluation.Outcome(question, tuple(ranked), "", confidence, latency))
    return results


def run_dense_baseline(kb, questions, encoder):
    """One vector per article (title and questions as one text), cosine ranking."""
    slugs = [slugify(intent) for intent in kb]
    texts = [". ".join([intent_title(intent)] + examples) for intent, examples in kb.items()]
    matrix = encoder.encode(texts)

    def rank(query):
        similarities = matrix @ encoder.encode([query])[0]
        order = np.argsort(-similarities)[:10]
        return [slugs[i] for i in order], float(similarities[order[0]])

    return outcomes_of(rank, questions)


def run_bm25_baseline(kb, questions):
    """BM25 over one document per article (title and questions)."""
    stemmer = Stemmer.Stemmer("english")
    slugs = [slugify(intent) for intent in kb]
    texts = [" ".join([intent_title(intent)] + examples) for intent, examples in kb.items()]
    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize(texts, stopwords="en", stemmer=stemmer, show_progress=False), show_progress=False)

    def rank(query):
        terms = bm25s.tokenize([query], stopwords="en", stemmer=stemmer, return_ids=False, show_progress=False)[0]
        if not terms:
            return [], 0.0
        scores = retriever.get_scores(terms)
        order = np.argsort(-scores, kind="stable")[:10]
        return [slugs[i] for i in order if scores[i] > 0], float(scores[order[0]])

    return outcomes_of(rank, questions)


def table(results):
    lines = [
        "| system | precision@1 | MRR@10 | recall@5 | AUROC | answer rate (covered) | handoff rate (uncovered) | p50 ms | p95 ms |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, report, decides in results:
        decision = (
            f"{report.answer_rate_covered:.3f} | {report.handoff_rate_uncovered:.3f}" if decides else "n/a | n/a"
        )
        lines.append(
            f"| {name} | {report.precision_at_1:.3f} | {report.mrr_at_10:.3f} | {report.recall_at_5:.3f} | "
            f"{report.auroc:.3f} | {decision} | {report.latency_p50_ms:.1f} | {report.latency_p95_ms:.1f} |"
        )
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", choices=("test", "dev"), default="test")
    parser.add_argument("--write", type=Path, help="Markdown file to write the table into (test split only).")
    args = parser.parse_args(argv)

    kb, questions = build_split(args.split)
    covered = sum(1 for q in questions if q.expected)
    print(f"BANKING77 {args.split}: {len(kb)} FAQ entries, {covered} covered and {len(questions) - covered} uncovered queries")
    encoder = load_encoder(None)
    with tempfile.TemporaryDirectory() as workdir:
        engine_outcomes = run_engine(kb, questions, Path(workdir))
    results = [
        ("kbbot hybrid engine", evaluation.report(engine_outcomes), True),
        ("dense baseline (one vector per article)", evaluation.report(run_dense_baseline(kb, questions, encoder)), False),
        ("BM25 baseline", evaluation.report(run_bm25_baseline(kb, questions)), False),
    ]
    rendered = table(results)
    command = f"Measured with `python bench/banking77.py --split {args.split}` on {platform.processor() or platform.machine()}, {os.cpu_count()} CPU cores."
    print(rendered)
    if args.write:
        replace_section(args.write, "banking77", [command, "", rendered])
    return 0


if __name__ == "__main__":
    sys.exit(main())
