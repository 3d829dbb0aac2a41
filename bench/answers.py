"""What the bot answers: the engine before issue 18 against today's, and which passages to answer with.

    python bench/answers.py                              # both engines, in one run: prints the tables
    python bench/answers.py --write docs/benchmarks.md   # ... and writes them to its "engines" section
    python bench/answers.py --passages                   # the passage grid (dev set only); writes "answers"

Both engines (default): issue 18 made sections the unit of an answer, with two
confidences and "Which of these?" choices. The engine as it was before
(commit ebfc5a7, checked out with `git worktree add --detach ../old-engine
ebfc5a7`) runs in a subprocess with that checkout first on its path; today's
runs here. Each builds a scratch app on the bundled articles and answers the
sample dev set (bench/data/sample_dev.jsonl), both held-out sets
(tests/data/*.jsonl) and BANKING77's test split (bench/banking77.py), and
every answer is scored here by today's `kbbot.search.evaluation`. The held-out sets
are read only to report: nothing is chosen on these figures.

The passage grid (`--passages`): the right article is not enough, the
customer reads the passage shown. The grid varies the two settings of
`kbbot/search/retrieval.py`: the weight of a passage's relative BM25 score against
its cosine (`PASSAGE_LEXICAL_WEIGHT`; 0 is the cosine alone) and how close the
runner-up passage must score to be shown as well (`SECOND_PASSAGE_GAP`;
"never" shows one passage), on the dev set only.
"""

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import banking77
import numpy as np
from sections import BENCHMARKS, replace_section

from kbbot.articles.sync import sync_directory
from kbbot.search import evaluation, retrieval
from kbbot.web.services import get_engine
from kbbot.web.session import get_session

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = ROOT / "articles"
SAMPLE_DEV = ROOT / "bench" / "data" / "sample_dev.jsonl"
QUESTION_SETS = {
    "dev": SAMPLE_DEV,
    "test": ROOT / "tests" / "data" / "sample_questions.jsonl",
    "blind": ROOT / "tests" / "data" / "sample_questions_blind.jsonl",
}
OLD_ENGINE_COMMIT = "ebfc5a7"
OLD_ENGINE_DIR = ROOT.parent / "old-engine"
LEXICAL_WEIGHTS = (0.0, 0.05, 0.1, 0.2)
GAPS = (None, 0.05, 0.1, 0.15)  # None: never the runner-up

# Run by the old engine's Python, in its checkout, with a JSON request on stdin:
# {"articles": dir, "sets": {name: [query, ...]}, "banking77": {"kb": {intent: [question, ...]}, "queries": [...]}}.
# Prints one JSON line per query, in order: what the engine did and which articles the customer was shown
# (the old `conversations.shown_sources`: a suggestion lists articles, not sections).
OLD_ENGINE_SCRIPT = """
import json, sys, tempfile
from pathlib import Path

import kbbot

checkout = Path.cwd().resolve()
if not Path(kbbot.__file__).resolve().is_relative_to(checkout):
    sys.exit(f"kbbot resolves to {kbbot.__file__}, not to the checkout in {checkout}")
sys.path.insert(0, str(checkout / "bench"))
import banking77
from kbbot import db
from kbbot.conversations import shown_sources
from kbbot.services import get_engine
from kbbot.sync import sync_directory

request = json.load(sys.stdin)


def ask_all(engine, session, name, queries):
    for query in queries:
        answer = engine.ask(session, query)
        records = [{"slug": source.slug, "score": source.score} for source in answer.sources]
        line = {
            "set": name,
            "query": query,
            "action": answer.action,
            "confidence": answer.confidence,
            "ranked_slugs": answer.ranked_slugs,
            "answer": answer.answer,
            "shown": [record["slug"] for record in shown_sources(answer.action, records)],
            "latency_ms": answer.latency_ms,
        }
        print(json.dumps(line), flush=True)


with tempfile.TemporaryDirectory() as workdir:
    app = banking77.scratch_app(Path(workdir), "sample")
    with app.app_context():
        session = db.get_session()
        synced = sync_directory(session, Path(request["articles"]), app.config["MAX_ARTICLE_BYTES"])
        if synced.errors:
            sys.exit(f"articles: {synced.errors}")
        for name, queries in request["sets"].items():
            ask_all(get_engine(), session, name, queries)
    app = banking77.scratch_app(Path(workdir), "banking77")
    with app.app_context():
        session = db.get_session()
        banking77.load_knowledge_base(session, request["banking77"]["kb"])
        engine = get_engine()
        engine.refresh(session)
        ask_all(engine, session, "banking77", request["banking77"]["queries"])
"""


def commit_of(checkout, short=True):
    """The commit `checkout` has checked out."""
    command = ["git", "-C", str(checkout), "rev-parse", *(["--short"] if short else []), "HEAD"]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout.strip()


def engine_changed(checkout):
    """Whether `checkout`'s kbbot/ differs from its commit (others may be editing it)."""
    command = ["git", "-C", str(checkout), "status", "--porcelain", "kbbot"]
    return bool(subprocess.run(command, capture_output=True, text=True, check=True).stdout.strip())


def old_outcome(question, line):
    """The `evaluation.Outcome` of an old engine's reply: its answer names no section, and its
    suggestion listed articles, each a choice of the article without a section."""
    if line["query"] != question.query:
        raise RuntimeError(f"the old engine answered {line['query']!r} for {question.query!r}")
    shown = tuple((slug, "") for slug in line["shown"]) if line["action"] == "suggest" else ()
    return evaluation.Outcome(
        question,
        tuple(line["ranked_slugs"]),
        line["action"],
        line["confidence"],
        line["latency_ms"],
        line["answer"],
        sections=(),
        choices=shown,
    )


def measure_old_engine(checkout, question_sets, b77_kb, b77_questions):
    """{set name: [Outcome, ...]} of the engine checked out in `checkout`, BANKING77's as "banking77"."""
    request = {
        "articles": str(ARTICLES),
        "sets": {name: [q.query for q in questions] for name, questions in question_sets.items()},
        "banking77": {"kb": b77_kb, "queries": [q.query for q in b77_questions]},
    }
    replied = subprocess.run(
        [sys.executable, "-c", OLD_ENGINE_SCRIPT],
        check=False,  # its stderr is the message
        cwd=checkout,
        env={**os.environ, "PYTHONPATH": str(checkout)},
        input=json.dumps(request),
        capture_output=True,
        text=True,
    )
    if replied.returncode != 0:
        raise RuntimeError(f"the old engine failed ({replied.returncode}):\n{replied.stderr[-4000:]}")
    lines = [json.loads(line) for line in replied.stdout.splitlines() if line.startswith("{")]
    labelled = {**question_sets, "banking77": b77_questions}
    outcomes = {}
    for name, questions in labelled.items():
        replies = [line for line in lines if line["set"] == name]
        if len(replies) != len(questions):
            raise RuntimeError(f"the old engine answered {len(replies)} of {len(questions)} {name} questions")
        outcomes[name] = [old_outcome(q, line) for q, line in zip(questions, replies)]
    return outcomes


def measure_new_engine(workdir, question_sets, b77_kb, b77_questions):
    """{set name: [Outcome, ...]} of this checkout's engine, BANKING77's as "banking77"."""
    app = banking77.scratch_app(workdir, "sample")
    with app.app_context():
        session = get_session()
        sync_directory(session, ARTICLES, app.config["MAX_ARTICLE_BYTES"])
        outcomes = {
            name: evaluation.evaluate(get_engine(), session, questions)
            for name, questions in question_sets.items()
        }
    outcomes["banking77"] = banking77.run_engine(b77_kb, b77_questions, workdir)
    return outcomes


# (label, Report attribute); section accuracy is undefined for the old engine, whose answers name no section.
FIGURES = (
    ("precision@1", "precision_at_1"),
    ("AUROC (confidence, covered vs uncovered)", "auroc"),
    ("answers with the fact (of covered answers)", "answers_with_the_fact"),
    ("wrong answers (of all answers)", "wrong_answers"),
    ("uncovered questions answered", "uncovered_answered"),
    ("covered questions resolved", "resolved_covered"),
    ("section accuracy (answers from the right article)", "section_accuracy"),
    ("covered: answered", "answer_rate_covered"),
    ("covered: suggested", "suggest_rate_covered"),
    ("covered: handed off", "handoff_rate_covered"),
    ("uncovered: suggested", "suggest_rate_uncovered"),
    ("uncovered: handed off", "handoff_rate_uncovered"),
)


def share(value):
    return "n/a" if np.isnan(value) else f"{value:.3f}"


def engines_table(old, new, commits, seconds):
    """The Markdown lines of the "engines" section: `old` and `new` are {set name: [Outcome, ...]}."""
    old_commit, new_commit = commits
    engines = {"old": old, "new": new}
    columns = [(name, engine) for name in QUESTION_SETS for engine in engines]
    reports = {(name, engine): evaluation.report(engines[engine][name]) for name in old for engine in engines}

    def row(label, cell):
        return f"| {label} | " + " | ".join(cell(name, engine) for name, engine in columns) + " |"

    def figure(attribute):
        def cell(name, engine):
            if engine == "old" and attribute == "section_accuracy":
                return "n/a"
            return share(getattr(reports[name, engine], attribute))

        return cell

    b77_old, b77_new = reports["banking77", "old"], reports["banking77", "new"]
    return [
        (
            f"Measured with `python bench/answers.py --write docs/benchmarks.md` on {datetime.date.today()}, "
            f"{platform.machine()}, {os.cpu_count()} CPU cores shared with other work ({seconds / 60:.0f} minutes "
            f"for both engines): *old* is the engine of commit {old_commit} (before issue 18), *new* that of "
            f"{new_commit}, each on a scratch app over the bundled articles, every reply scored by {new_commit}'s "
            "`kbbot.search.evaluation`."
        ),
        "",
        "| figure | " + " | ".join(f"{name} {engine}" for name, engine in columns) + " |",
        "|---|" + "---|" * len(columns),
        row(
            "questions (covered / uncovered)",
            lambda name, engine: f"{reports[name, engine].covered} / {reports[name, engine].uncovered}",
        ),
        row(
            "answers given",
            lambda name, engine: str(sum(o.action == "answer" for o in engines[engine][name])),
        ),
        *(row(label, figure(attribute)) for label, attribute in FIGURES),
        "",
        (
            f"BANKING77 test split (bench/banking77.py: {b77_new.covered} covered and {b77_new.uncovered} "
            "uncovered `test.csv` queries), same run:"
        ),
        "",
        "| figure | old | new |",
        "|---|---|---|",
        f"| precision@1 | {share(b77_old.precision_at_1)} | {share(b77_new.precision_at_1)} |",
        f"| AUROC (confidence, covered vs uncovered) | {share(b77_old.auroc)} | {share(b77_new.auroc)} |",
    ]


def compare_engines(old_checkout):
    """(Markdown lines, seconds) of both engines measured in one run."""
    if not commit_of(old_checkout, short=False).startswith(OLD_ENGINE_COMMIT):
        raise SystemExit(
            f"{old_checkout} is not at {OLD_ENGINE_COMMIT}: "
            f"git worktree add --detach {old_checkout} {OLD_ENGINE_COMMIT}"
        )
    new_commit = commit_of(ROOT) + (" with uncommitted changes to kbbot/" if engine_changed(ROOT) else "")
    question_sets = {name: evaluation.read_questions(path) for name, path in QUESTION_SETS.items()}
    b77_kb, b77_questions = banking77.build_split("test")
    started = time.perf_counter()
    old = measure_old_engine(old_checkout, question_sets, b77_kb, b77_questions)
    with tempfile.TemporaryDirectory() as workdir:
        new = measure_new_engine(Path(workdir), question_sets, b77_kb, b77_questions)
    seconds = time.perf_counter() - started
    return engines_table(old, new, (OLD_ENGINE_COMMIT, new_commit), seconds), seconds


def measure_passages(workdir):
    """{(lexical weight, gap): (answers with the fact, mean words, 90th percentile words, answered)}."""
    app = banking77.scratch_app(workdir, "answers")
    questions = evaluation.read_questions(SAMPLE_DEV)
    results = {}
    with app.app_context():
        session = get_session()
        sync_directory(session, ARTICLES, app.config["MAX_ARTICLE_BYTES"])
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


def passages_table(results):
    answered = next(iter(results.values()))[3]
    lines = [
        (
            f"Measured with `python bench/answers.py --passages` on {platform.machine()}, over the {answered} "
            "covered dev questions that get an answer (the ranking, and so which questions are answered, is the "
            "same in every row):"
        ),
        "",
        "| passage BM25 weight | runner-up shown within | answers with the fact | words (mean) | words (90th pct) |",
        "|---|---|---|---|---|",
    ]
    for (weight, gap), (found, mean, p90, _) in results.items():
        lines.append(
            f"| {weight:g} | {'never' if gap is None else f'{gap:g}'} | {found:.3f} | {mean:.0f} | {p90:.0f} |"
        )
    return lines


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--write", type=Path, help=f"Markdown file whose section is replaced (e.g. {BENCHMARKS})."
    )
    parser.add_argument("--passages", action="store_true", help="Measure the passage grid instead.")
    parser.add_argument(
        "--old-engine",
        type=Path,
        default=OLD_ENGINE_DIR,
        help=f"A checkout of commit {OLD_ENGINE_COMMIT}. [default: {OLD_ENGINE_DIR}]",
    )
    args = parser.parse_args(argv)
    if args.passages:
        with tempfile.TemporaryDirectory() as workdir:
            name, lines = "answers", passages_table(measure_passages(Path(workdir)))
    else:
        name, (lines, seconds) = "engines", compare_engines(args.old_engine.resolve())
        print(f"both engines measured in {seconds:.0f} s", file=sys.stderr)
    print("\n".join(lines))
    if args.write:
        replace_section(args.write, name, lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
