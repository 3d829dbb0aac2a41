"""Fit the section and confidence models and choose the decision thresholds, on development data only.

    python bench/calibrate.py            # prints the fit; paste the constants into kbbot/
    python bench/calibrate.py --write docs/calibration.md

Development data: the sample help center's dev questions
(bench/data/sample_dev.jsonl, with their answer phrases and labelled sections)
and BANKING77 train queries (bench/banking77.py --split dev: no test.csv row
is read). The held-out sets (tests/data/*.jsonl, BANKING77's test.csv) are
never read here.

Three fits, each reported with cross-validated figures (5 folds):
1. The section model (`retrieval.SECTION_WEIGHTS`): a softmax over an
   article's sections of weighted `retrieval.section_features`, fitted by
   maximum likelihood of the labelled sections of each covered sample dev
   question's article.
2. The article confidence (`confidence.WEIGHTS`, `BIAS`): a logistic
   regression on `confidence.Evidence` of "the top article answers the
   question" for the sample's questions and "covered" for BANKING77's, both
   data sets with equal total weight (`fit_confidence`).
3. The thresholds (answer, section, suggest) that minimize the expected cost of
   the decisions on the sample dev set (`COSTS`), among those that keep
   wrong answers at most `MAX_WRONG_SHARE` of all answers and uncovered
   questions answered at most `MAX_UNCOVERED_ANSWERED`; each question is
   decided with cross-validated confidences, as for a question the fit never saw.
"""

import argparse
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import banking77
import numpy as np
from scipy.optimize import minimize  # scipy comes with sentence-transformers (scikit-learn)
from sections import replace_section as replace_marked_section

from kbbot.articles.sync import sync_directory
from kbbot.search import confidence, evaluation, retrieval, sections
from kbbot.web.services import get_engine
from kbbot.web.session import get_session

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DEV = ROOT / "bench" / "data" / "sample_dev.jsonl"
L2 = 1e-2
FOLDS = 5
CHOICES = 3  # as answers.MAX_CHOICES
# What each outcome costs a customer (and the help center), in units of one look at a list of choices.
COSTS = {
    "right answer": 0,
    "wrong answer": 4,  # misinformed, and counted as a deflection
    "choices holding the answer": 1,
    "choices without the answer": 3,  # a look, then a person after all
    "needless handoff": 2,  # a covered question sent to a person
    "choices for an uncovered question": 1,
    "handoff of an uncovered question": 0,
}
MAX_WRONG_SHARE = 0.05
MAX_UNCOVERED_ANSWERED = 0.10


@dataclass
class Article:
    """An article's sections for one question: their features, headings, and which quotes show the fact."""

    features: np.ndarray  # (n_sections, len(retrieval.SECTION_FEATURES))
    headings: list[str]
    shows_fact: list[bool]
    words: list[int]


@dataclass
class Row:
    question: evaluation.LabelledQuestion
    evidence: tuple  # confidence.Evidence.as_tuple()
    ranked: list[str]  # the relevant articles, best first (at most CHOICES)
    articles: dict  # slug -> Article, or None for an article without sections

    def top_right(self):
        return float(
            bool(self.question.expected)
            and self.ranked[:1] != []
            and self.ranked[0] in self.question.expected
        )

    def covered(self):
        return float(bool(self.question.expected))


def collect(engine, session, questions, with_sections=True):
    rows = []
    for question in questions:
        answer = engine.ask(session, question.query, limit=CHOICES)
        ranked = [source.slug for source in answer.sources]
        wanted = ranked + [slug for slug in question.expected[:1] if slug not in ranked]
        articles = {}
        for slug in wanted if with_sections else ():
            found = engine.section_evidence(session, question.query, slug)
            if found is None:
                articles[slug] = None
                continue
            outline, scores, features, terms = found
            articles[slug] = Article(
                features,
                [section.heading for section in outline.sections],
                [
                    bool(question.answer)
                    and evaluation.shows_the_fact(sections.quote(outline, i, scores, terms), question.answer)
                    for i in range(len(outline.sections))
                ],
                [outline.words(section) for section in outline.sections],
            )
        evidence = answer.evidence.as_tuple() if answer.evidence else (0.0,) * len(confidence.FEATURE_NAMES)
        rows.append(Row(question, evidence, ranked, articles))
    return rows


def sample_help_center(workdir):
    app = banking77.scratch_app(workdir, "sample")
    with app.app_context():
        session = get_session()
        sync_directory(session, ROOT / "articles", app.config["MAX_ARTICLE_BYTES"])
        return collect(get_engine(), session, evaluation.read_questions(SAMPLE_DEV))


def banking77_dev(workdir):
    kb, questions = banking77.build_split("dev")
    app = banking77.scratch_app(workdir, "b77")
    with app.app_context():
        session = get_session()
        banking77.load_knowledge_base(session, kb)
        return collect(get_engine(), session, questions, with_sections=False)


# -- 1. the section model -------------------------------------------------------


def labelled_sections(rows):
    """(features, which sections are labelled right) for each covered question with labelled sections."""
    out = []
    for row in rows:
        question = row.question
        article = row.articles.get(question.expected[0]) if question.expected and question.sections else None
        if article is not None:
            right = np.array([heading in question.sections for heading in article.headings])
            if right.any():
                out.append((article.features, right))
    return out


def fit_sections(items, l2=L2):
    """Section weights maximizing the likelihood of the labelled sections (any of them right)."""

    def loss(weights):
        total = l2 * weights @ weights
        for features, right in items:
            p = retrieval.section_probabilities(features, weights=weights)
            total -= np.log(p[right].sum() + 1e-12)
        return total

    start = np.zeros(len(retrieval.SECTION_FEATURES))
    start[0] = 10.0
    return minimize(loss, start, method="L-BFGS-B").x


def folds(n, k=FOLDS, seed=0):
    order = np.random.default_rng(seed).permutation(n)
    return [order[i::k] for i in range(k)]


# -- 2. the article confidence --------------------------------------------------


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


def fit_confidence(sample, b77):
    """(coefficients, bias) of the article confidence, the two data sets with equal total weight.

    A sample question counts as a success when its top article answers it (what an answer needs);
    a BANKING77 query when it is covered at all: its 77 intents are near-duplicate FAQ entries, and
    what its AUROC measures, and the confidence must keep, is telling covered from uncovered.
    """
    sets = [(sample, Row.top_right), (b77, Row.covered)]
    features = np.vstack([np.array([row.evidence for row in rows]) for rows, _ in sets])
    labels = np.concatenate([[label(row) for row in rows] for rows, label in sets])
    total = len(labels)
    weights = np.concatenate([np.full(len(rows), total / (len(sets) * len(rows))) for rows, _ in sets])
    return fit_logistic(features, labels, weights)


def scores(features, coefficients, bias):
    return 1 / (1 + np.exp(-(np.asarray(features) @ coefficients + bias)))


# -- 3. the decisions -----------------------------------------------------------


@dataclass
class Judged:
    """What the engine would decide for one row, with cross-validated confidences."""

    row: Row
    article_confidence: float
    section_weights: np.ndarray

    def __post_init__(self):
        self._probabilities = {}

    def section_probabilities(self, slug):
        if slug not in self._probabilities:
            article = self.row.articles.get(slug)
            self._probabilities[slug] = (
                None
                if article is None
                else retrieval.section_probabilities(article.features, weights=self.section_weights)
            )
        return self._probabilities[slug]


def decide(judged, thresholds):
    """(action, outcome name in COSTS) for one judged row."""
    row, question = judged.row, judged.row.question
    top = row.ranked[0] if row.ranked else None
    probabilities = judged.section_probabilities(top) if top else None
    span, section_confidence = (
        sections.answer_span(probabilities, row.articles[top].words, thresholds.section)
        if probabilities is not None
        else ((), 1.0)
    )
    action = (
        confidence.decide(judged.article_confidence, section_confidence, thresholds) if top else "handoff"
    )
    if not question.expected:
        return action, {
            "answer": "wrong answer",
            "suggest": "choices for an uncovered question",
            "handoff": "handoff of an uncovered question",
        }[action]
    if action == "handoff":
        return action, "needless handoff"
    if action == "answer":  # the quote of a span is its sections' quotes, one after the other
        right = top in question.expected and (
            not span or any(row.articles[top].shows_fact[i] for i in span) or not question.answer
        )
        return action, "right answer" if right else "wrong answer"
    if judged.article_confidence >= thresholds.answer and probabilities is not None:
        offered = [(top, row.articles[top].headings[i]) for i in np.argsort(-probabilities)[:CHOICES]]
    else:
        orders = []
        for slug in row.ranked[:CHOICES]:
            p = judged.section_probabilities(slug)
            orders.append([] if p is None else np.argsort(-p, kind="stable").tolist())
        offered = [
            (row.ranked[a], "" if s is None else row.articles[row.ranked[a]].headings[s])
            for a, s in sections.article_choices(orders, CHOICES)
        ]
    holds = any(
        question.is_right_section(slug, section)
        or (row.articles.get(slug) is None and slug in question.expected)
        for slug, section in offered
    )
    return action, "choices holding the answer" if holds else "choices without the answer"


def figures(judged, thresholds):
    """The evaluation figures of the decisions, and their total cost."""
    decided = [decide(j, thresholds) for j in judged]
    covered = [d for d, j in zip(decided, judged) if j.row.question.expected]
    uncovered = [d for d, j in zip(decided, judged) if not j.row.question.expected]
    answers = [outcome for action, outcome in decided if action == "answer"]
    covered_answers = [outcome for action, outcome in covered if action == "answer"]

    def share(values, predicate):
        return float(np.mean([predicate(v) for v in values])) if values else float("nan")

    return {
        "cost": sum(COSTS[outcome] for _, outcome in decided),
        "answers with the fact": share(covered_answers, lambda o: o == "right answer"),
        "wrong answers": share(answers, lambda o: o == "wrong answer"),
        "uncovered answered": share(uncovered, lambda d: d[0] == "answer"),
        "covered resolved": share(covered, lambda d: d[1] in ("right answer", "choices holding the answer")),
        "covered answered": share(covered, lambda d: d[0] == "answer"),
        "covered suggested": share(covered, lambda d: d[0] == "suggest"),
        "covered handed off": share(covered, lambda d: d[0] == "handoff"),
        "uncovered suggested": share(uncovered, lambda d: d[0] == "suggest"),
        "uncovered handed off": share(uncovered, lambda d: d[0] == "handoff"),
    }


def choose_thresholds(judged, step=0.025):
    """The `confidence.Thresholds` of least cost that meet the wrong-answer and uncovered limits."""
    best = None
    grid = np.round(np.arange(step, 1.0, step), 3)
    for answer in grid:
        for section in np.round(np.arange(0.0, 1.0, 0.05), 2):
            for suggest in grid[grid <= answer]:
                thresholds = confidence.Thresholds(float(answer), float(section), float(suggest))
                found = figures(judged, thresholds)
                if (
                    found["wrong answers"] > MAX_WRONG_SHARE
                    or found["uncovered answered"] > MAX_UNCOVERED_ANSWERED
                ):
                    continue
                if best is None or found["cost"] < best[1]["cost"]:
                    best = thresholds, found
    return best


def cross_validated(sample, b77):
    """Each sample row judged with section weights and an article confidence fitted without its fold."""
    judged = [None] * len(sample)
    for held_out in folds(len(sample)):
        held = set(held_out.tolist())
        train = [row for i, row in enumerate(sample) if i not in held]
        section_weights = fit_sections(labelled_sections(train))
        coefficients, bias = fit_confidence(train, b77)
        for i in held:
            article = scores([sample[i].evidence], coefficients, bias)[0]
            judged[i] = Judged(sample[i], float(article), section_weights)
    return judged


def section_accuracy(judged):
    """Of covered questions with labelled sections, the share whose best section of the right article is right."""
    right = []
    for j in judged:
        question = j.row.question
        p = j.section_probabilities(question.expected[0]) if question.expected and question.sections else None
        if p is not None:
            right.append(
                j.row.articles[question.expected[0]].headings[int(np.argmax(p))] in question.sections
            )
    return float(np.mean(right))


def report_lines(section_weights, coefficients, bias, choice, judged, b77_scores, b77_covered):
    thresholds, found = choice
    lines = [
        "Section model (`retrieval.SECTION_WEIGHTS`):",
        "",
        "| feature | weight |",
        "|---|---|",
        *(f"| `{name}` | {w:.4f} |" for name, w in zip(retrieval.SECTION_FEATURES, section_weights)),
        "",
        f"Cross-validated section accuracy (best section of the labelled article): {section_accuracy(judged):.3f}.",
        "",
        "Article confidence (`confidence.WEIGHTS`, `BIAS`), that the top article answers:",
        "",
        "| feature | weight |",
        "|---|---|",
        *(f"| `{name}` | {c:.4f} |" for name, c in zip(confidence.FEATURE_NAMES, coefficients)),
        f"| bias | {bias:.4f} |",
        "",
        f"BANKING77 dev: AUROC covered vs uncovered {evaluation.auroc(b77_scores[b77_covered], b77_scores[~b77_covered]):.3f}.",
        "",
        f"Chosen thresholds: answer {thresholds.answer:.3f}, section {thresholds.section:.2f}, "
        f"suggest {thresholds.suggest:.3f}.",
        "",
        "Decisions on the sample dev set at those thresholds (cross-validated confidences):",
        "",
        "| figure | value |",
        "|---|---|",
        *(
            f"| {name} | {value:.3f} |" if name != "cost" else f"| {name} | {value} |"
            for name, value in found.items()
        ),
    ]
    return lines


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--write", type=Path, help="Markdown file whose calibration section is replaced.")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as workdir:
        sample = sample_help_center(Path(workdir))
        b77 = banking77_dev(Path(workdir))
    section_weights = fit_sections(labelled_sections(sample))
    coefficients, bias = fit_confidence(sample, b77)
    judged = cross_validated(sample, b77)
    choice = choose_thresholds(judged)
    if choice is None:
        print("No thresholds keep wrong answers and uncovered answers within the limits.")
        return 1
    b77_scores = scores([row.evidence for row in b77], coefficients, bias)
    b77_covered = np.array([bool(row.question.expected) for row in b77])
    lines = report_lines(section_weights, coefficients, bias, choice, judged, b77_scores, b77_covered)
    print("SECTION_WEIGHTS =", tuple(round(float(w), 4) for w in section_weights))
    print("WEIGHTS =", tuple(round(float(c), 4) for c in coefficients))
    print("BIAS =", round(float(bias), 4))
    print("\n".join(lines))
    if args.write:
        replace_marked_section(args.write, "calibration", lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
