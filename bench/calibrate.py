"""Fit the confidence model and choose the decision thresholds, on development data only.

    python bench/calibrate.py            # prints the fit; paste WEIGHTS/BIAS into kbbot/confidence.py
    python bench/calibrate.py --write docs/calibration.md

Development data: BANKING77 train queries (bench/banking77.py --split dev:
no test.csv row is read) and the sample help center's dev questions
(bench/data/sample_dev.jsonl). The held-out test questions
(tests/data/sample_questions.jsonl) and BANKING77's test.csv are never used.

The confidence is a logistic regression of "the question is covered by the
knowledge base" on the retrieval evidence; each data set gets equal total
weight so the larger one does not drown the product's own.

The thresholds come from the sample help center, whose targets are the
product's: at least 90% of covered questions answered and at least 80% of
uncovered ones handed off. Among the thresholds that meet both, the answer
threshold is the middle one (farthest from failing either target); the
suggest threshold lies halfway between the lowest one and the answer
threshold, so the handoff target keeps a margin too (a suggestion is not a
handoff: the lowest threshold would meet that target with nothing to spare).
"""

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np

import banking77
from kbbot import confidence, db, evaluation
from kbbot.services import get_engine
from kbbot.sync import sync_directory
from sections import replace_section

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DEV = ROOT / "bench" / "data" / "sample_dev.jsonl"
L2 = 1e-2
ANSWER_TARGET = 0.9  # share of covered questions that must get `answer`
HANDOFF_TARGET = 0.8  # share of uncovered questions that must get `handoff`


def collect(engine, session, questions):
    """Evidence vectors (n, features) and labels (1 = covered) for the questions."""
    rows, labels = [], []
    for question in questions:
        answer = engine.ask(session, question.query)
        rows.append(answer.evidence.as_tuple() if answer.evidence else (0.0,) * len(confidence.FEATURE_NAMES))
        labels.append(1.0 if question.expected else 0.0)
    return np.array(rows), np.array(labels)


def sample_help_center(workdir):
    app = banking77.scratch_app(workdir, "sample")
    with app.app_context():
        session = db.get_session()
        sync_directory(session, ROOT / "articles", app.config["MAX_ARTICLE_BYTES"])
        return collect(get_engine(), session, evaluation.read_questions(SAMPLE_DEV))


def banking77_dev(workdir):
    kb, questions = banking77.build_split("dev")
    app = banking77.scratch_app(workdir, "b77")
    with app.app_context():
        session = db.get_session()
        banking77.load_knowledge_base(session, kb)
        return collect(get_engine(), session, questions)


def fit_logistic(features, labels, weights, l2=L2, iterations=50):
    """Weighted, L2-regularized logistic regression by Newton's method: (coefficients, bias)."""
    x = np.hstack([features, np.ones((len(features), 1))])
    beta = np.zeros(x.shape[1])
    penalty = np.diag([l2] * features.shape[1] + [0.0])
    for _ in range(iterations):
        p = 1 / (1 + np.exp(-x @ beta))
        gradient = x.T @ (weights * (p - labels)) + penalty @ beta
        hessian = (x * (weights * p * (1 - p))[:, None]).T @ x + penalty
        step = np.linalg.solve(hessian, gradient)
        beta -= step
        if np.abs(step).max() < 1e-9:
            break
    return beta[:-1], beta[-1]


def scores(features, coefficients, bias):
    return 1 / (1 + np.exp(-(features @ coefficients + bias)))


def choose_thresholds(covered, uncovered, step=0.01):
    """(answer, suggest) thresholds per the rule in this module's docstring, or None if none meets both targets."""
    candidates = [
        round(float(t), 2)
        for t in np.arange(step, 1.0, step)
        if np.mean(covered >= t) >= ANSWER_TARGET and np.mean(uncovered < t) >= HANDOFF_TARGET
    ]
    if not candidates:
        return None
    answer = candidates[len(candidates) // 2]
    return answer, round((candidates[0] + answer) / 2, 2)


def report_lines(sets, coefficients, bias, thresholds):
    lines = [
        "| feature | weight |",
        "|---|---|",
        *(f"| `{name}` | {c:.4f} |" for name, c in zip(confidence.FEATURE_NAMES, coefficients)),
        f"| bias | {bias:.4f} |",
        "",
    ]
    if thresholds:
        lines.append(f"Chosen thresholds: answer {thresholds[0]:.2f}, suggest {thresholds[1]:.2f}.")
    else:
        lines.append("No threshold meets both targets on the sample dev set.")
    for name, (x, y) in sets.items():
        s = scores(x, coefficients, bias)
        covered, uncovered = s[y == 1], s[y == 0]
        lines += [
            "",
            f"**{name}**: {len(covered)} covered, {len(uncovered)} uncovered questions; "
            f"AUROC covered vs uncovered {evaluation.auroc(covered, uncovered):.3f}.",
            "",
            "| threshold | covered answered (conf >= t) | uncovered handed off (conf < t) |",
            "|---|---|---|",
        ]
        for t in np.arange(0.3, 0.81, 0.05):
            lines.append(f"| {t:.2f} | {np.mean(covered >= t):.3f} | {np.mean(uncovered < t):.3f} |")
    return lines


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--write", type=Path, help="Markdown file whose calibration section is replaced.")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as workdir:
        sets = {
            "Sample help center (bench/data/sample_dev.jsonl)": sample_help_center(Path(workdir)),
            "BANKING77 (train.csv queries, dev split)": banking77_dev(Path(workdir)),
        }
    features = np.vstack([x for x, _ in sets.values()])
    labels = np.concatenate([y for _, y in sets.values()])
    weights = np.concatenate([np.full(len(y), len(labels) / (len(sets) * len(y))) for _, y in sets.values()])
    coefficients, bias = fit_logistic(features, labels, weights)
    x, y = next(iter(sets.values()))
    sample_scores = scores(x, coefficients, bias)
    thresholds = choose_thresholds(sample_scores[y == 1], sample_scores[y == 0])
    lines = report_lines(sets, coefficients, bias, thresholds)
    print("WEIGHTS =", tuple(round(float(c), 4) for c in coefficients))
    print("BIAS =", round(float(bias), 4))
    print("\n".join(lines))
    if args.write:
        replace_section(args.write, "calibration", lines)
    return 0 if thresholds else 1


if __name__ == "__main__":
    sys.exit(main())
