"""Which passages to answer with: answers that show the fact asked for, against their length.

    python bench/answers.py            # prints the table and writes it to docs/benchmarks.md
    python bench/answers.py --no-write

The right article is not enough: the customer reads the passage shown. Each
covered dev question lists phrases of its article, any one of which answers
it (bench/data/README.md); an answer "shows the fact" when it contains one.
The grid varies the two settings of `kbbot/retrieval.py`: the weight of a
passage's relative BM25 score against its cosine (`PASSAGE_LEXICAL_WEIGHT`;
0 is the cosine alone) and how close the runner-up passage must score to be
shown as well (`SECOND_PASSAGE_GAP`; "never" shows one passage). Only the dev
set (bench/data/sample_dev.jsonl) is used; the held-out sets are never read.
"""

import platform
import sys
from pathlib import Path

import numpy as np

from banking77 import scratch_app
from kbbot import db, evaluation, retrieval
from kbbot.services import get_engine
from kbbot.sync import sync_directory
from sections import run_and_record

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DEV = ROOT / "bench" / "data" / "sample_dev.jsonl"
LEXICAL_WEIGHTS = (0.0, 0.05, 0.1, 0.2)
GAPS = (None, 0.05, 0.1, 0.15)  # None: never the runner-up


def measure(workdir):
    """{(lexical weight, gap): (answers with the fact, mean words, 90th percentile words, answered)}."""
    app = scratch_app(workdir, "answers")
    questions = evaluation.read_questions(SAMPLE_DEV)
    results = {}
    with app.app_context():
        session = db.get_session()
        sync_directory(session, ROOT / "articles", app.config["MAX_ARTICLE_BYTES"])
        engine = get_engine()
        for weight in LEXICAL_WEIGHTS:
            for gap in GAPS:
                retrieval.PASSAGE_LEXICAL_WEIGHT = weight
                retrieval.SECOND_PASSAGE_GAP = -1.0 if gap is None else gap
                outcomes = evaluation.evaluate(engine, session, questions)
                words = [
                    len(o.answer_text.split()) for o in outcomes if o.question.answer and o.action == "answer"
                ]
                report = evaluation.report(outcomes)
                results[weight, gap] = (
                    report.answers_with_the_fact,
                    np.mean(words),
                    np.percentile(words, 90),
                    len(words),
                )
    return results


def table(results):
    answered = next(iter(results.values()))[3]
    lines = [
        (
            f"Measured with `python bench/answers.py` on {platform.machine()}, over the {answered} covered dev "
            "questions that get an answer (the ranking, and so which questions are answered, is the same in every row):"
        ),
        "",
        "| passage BM25 weight | runner-up shown within | answers with the fact | words (mean) | words (90th pct) |",
        "|---|---|---|---|---|",
    ]
    for (weight, gap), (share, mean, p90, _) in results.items():
        lines.append(
            f"| {weight:g} | {'never' if gap is None else f'{gap:g}'} | {share:.3f} | {mean:.0f} | {p90:.0f} |"
        )
    return lines


def main(argv=None):
    return run_and_record(__doc__, "answers", lambda workdir: table(measure(workdir)), argv)


if __name__ == "__main__":
    sys.exit(main())
