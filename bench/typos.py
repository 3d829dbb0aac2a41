"""Misspelt questions: the sample help center's dev questions with seeded typos, spelling correction on and off.

    python bench/typos.py            # prints the table and writes it to docs/benchmarks.md
    python bench/typos.py --no-write

Customers type fast. Each word of four letters or more gets, with
probability 0.25, one keyboard typo: a letter dropped, two swapped, one
replaced by a neighbouring key, or one doubled (never the first letter). The
same seeds give the same questions on every run. Only the dev set
(bench/data/sample_dev.jsonl) is used; the held-out test set is never read.
"""

import platform
import random
import re
import sys
from dataclasses import replace
from pathlib import Path

from banking77 import scratch_app
from sections import run_and_record

from kbbot.articles.sync import sync_directory
from kbbot.search import evaluation
from kbbot.search.engine import Engine
from kbbot.web.services import get_engine
from kbbot.web.session import get_session

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DEV = ROOT / "bench" / "data" / "sample_dev.jsonl"
SEEDS = (1, 2, 3)
TYPO_RATE = 0.25
KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")


def keyboard_neighbours():
    """{letter: the letters around it on a QWERTY keyboard}."""
    position = {
        letter: (row, column) for row, keys in enumerate(KEYBOARD_ROWS) for column, letter in enumerate(keys)
    }
    return {
        letter: [
            other
            for other, (r, c) in position.items()
            if other != letter and abs(r - row) <= 1 and abs(c - column) <= 1
        ]
        for letter, (row, column) in position.items()
    }


NEIGHBOURS = keyboard_neighbours()


def typo(word, rng):
    """`word` with one typo, never in its first letter."""
    i = rng.randrange(1, len(word))
    kind = rng.choice(("drop", "swap", "neighbour", "double"))
    if kind == "drop":
        return word[:i] + word[i + 1 :]
    if kind == "swap":  # letters i and i + 1, or the last two when i is the last
        i = min(i, len(word) - 2)
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == "neighbour":
        return word[:i] + rng.choice(NEIGHBOURS[word[i].lower()]) + word[i + 1 :]
    return word[:i] + word[i] + word[i:]


def misspell(text, rng, rate=TYPO_RATE):
    return re.sub(
        r"[A-Za-z]{4,}", lambda match: typo(match[0], rng) if rng.random() < rate else match[0], text
    )


def question_sets():
    """(name, questions): the dev set as written, then one misspelt copy per seed."""
    questions = evaluation.read_questions(SAMPLE_DEV)
    yield "as written", questions
    for seed in SEEDS:
        rng = random.Random(seed)
        yield (
            f"typos, seed {seed}",
            [replace(question, query=misspell(question.query, rng)) for question in questions],
        )


def measure(workdir):
    """{(set name, correction on?): evaluation.Report}."""
    app = scratch_app(workdir, "typos")
    results = {}
    with app.app_context():
        session = get_session()
        sync_directory(session, ROOT / "articles", app.config["MAX_ARTICLE_BYTES"])
        corrected = get_engine()
        uncorrected = Engine(
            corrected.encoder,
            workdir / "typos-index",
            corrected.thresholds.answer,
            corrected.thresholds.suggest,
            section_threshold=corrected.thresholds.section,
            correct_spelling=False,
        )
        for name, questions in question_sets():
            for correct, engine in ((True, corrected), (False, uncorrected)):
                results[name, correct] = evaluation.report(evaluation.evaluate(engine, session, questions))
    return results


def table(results):
    lines = [
        f"Measured with `python bench/typos.py` on {platform.machine()}, over the "
        f"{results['as written', True].covered} covered and {results['as written', True].uncovered} "
        "uncovered dev questions:",
        "",
        "| questions | spelling correction | precision@1 | MRR@10 | AUROC | covered resolved "
        "| wrong answers | covered handed off | uncovered answered |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for (name, correct), report in results.items():
        lines.append(
            f"| {name} | {'on' if correct else 'off'} | {report.precision_at_1:.3f} | {report.mrr_at_10:.3f} | "
            f"{report.auroc:.3f} | {report.resolved_covered:.3f} | {report.wrong_answers:.3f} | "
            f"{report.handoff_rate_covered:.3f} | {report.uncovered_answered:.3f} |"
        )
    return lines


def main(argv=None):
    return run_and_record(__doc__, "typos", lambda workdir: table(measure(workdir)), argv)


if __name__ == "__main__":
    sys.exit(main())
