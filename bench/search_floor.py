"""Choose the help-center search relevance floor (KBBOT_SEARCH_FLOOR) on the search-box dev queries.

    python bench/search_floor.py                          # prints the tables
    python bench/search_floor.py --write docs/calibration.md

Runs the real engine (the sample help center in `articles/`, synced into a
scratch database) over bench/data/search_dev.jsonl: 80 queries with the
article(s) a searcher wants, 39 that no article answers. Each query is
searched as the help center searches it (`SEARCH_LIMIT` results, the
relevance cut of `engine.Engine.search`), with no floor; a floor is then
applied to what came back, for every floor on a grid of `STEP`.

The objective: a floor is wrong for a covered query whose right article it
leaves out (or that never listed it), and for an uncovered query that still
lists anything; each dev query counts once. The chosen floor is the middle
of the floors with the fewest wrong queries (the farthest from getting more
wrong on either side). Reported with it: recall (covered queries whose right
article is still listed), right first (covered queries whose first result is
a right article), the share of uncovered queries shown no results, and the
mean number of results a covered query lists and the share of them that
are right (the objective leaves that out: it shows what a floor costs in
noise).

Three signals are compared, each at its own chosen floor: the per-result
confidence the engine cuts on (`confidence.hit_confidences`: each article's
probability of being the answer, low for a result far behind the best one),
the first result's confidence deciding for the whole list (all or nothing),
and each result's best-entry cosine. The floor is chosen for the first: the
second keeps every result of a query it lets through, the weak tail a floor
is for (docs/calibration.md weighs them). The held-out search checks of the
tests are not in the dev file. Re-run after `bench/calibrate.py` refits the
confidence model: the floor is on its scale.
"""

import argparse
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from banking77 import scratch_app
from sections import replace_section

from kbbot.articles.sync import sync_directory
from kbbot.search import evaluation
from kbbot.web.help_center import SEARCH_LIMIT
from kbbot.web.services import get_engine
from kbbot.web.session import get_session

ROOT = Path(__file__).resolve().parent.parent
SEARCH_DEV = ROOT / "bench" / "data" / "search_dev.jsonl"
STEP = 0.01
SHOWN_FLOORS = (0.3, 0.4, 0.5, 0.55, 0.6, 0.65, 0.7, 0.8)  # the sweep's rows, besides the chosen floor


@dataclass(frozen=True)
class Searched:
    """One dev query and what search listed for it without a floor, best first."""

    expected: tuple[str, ...]
    slugs: tuple[str, ...]
    confidences: tuple[float, ...]  # `Source.confidence`, aligned with `slugs`
    cosines: tuple[float, ...]  # `Source.dense_score`


def per_result_confidence(query, floor):
    """The slugs listed for `query` at `floor`: those at or above it (what the engine does)."""
    return [slug for slug, value in zip(query.slugs, query.confidences) if value >= floor]


def first_confidence(query, floor):
    """All the slugs, if the first result's confidence is at or above `floor`; else none."""
    return list(query.slugs) if query.confidences and query.confidences[0] >= floor else []


def per_result_cosine(query, floor):
    return [slug for slug, value in zip(query.slugs, query.cosines) if value >= floor]


SIGNALS = {
    "per-result confidence": per_result_confidence,
    "first result's confidence, all or nothing": first_confidence,
    "per-result best-entry cosine": per_result_cosine,
}


def search_dev(workdir):
    """A `Searched` for every query of the dev file."""
    app = scratch_app(workdir, "search")
    with app.app_context():
        session = get_session()
        sync_directory(session, ROOT / "articles", app.config["MAX_ARTICLE_BYTES"])
        engine = get_engine()
        searched = []
        for question in evaluation.read_questions(SEARCH_DEV):
            _, sources = engine.search(session, question.query, limit=SEARCH_LIMIT, relevant_only=True)
            searched.append(
                Searched(
                    question.expected,
                    tuple(source.slug for source in sources),
                    tuple(source.confidence for source in sources),
                    tuple(source.dense_score for source in sources),
                )
            )
        return searched


def figures(queries, listed):
    """The floor's figures on `queries`, `listed(query)` giving the slugs shown for one."""
    shown = [(query.expected, listed(query)) for query in queries]
    covered = [(expected, slugs) for expected, slugs in shown if expected]
    kept = [any(slug in expected for slug in slugs) for expected, slugs in covered]
    empty = [not slugs for expected, slugs in shown if not expected]
    return {
        "wrong": kept.count(False) + empty.count(False),
        "recall": float(np.mean(kept)),
        "right first": float(np.mean([bool(slugs) and slugs[0] in expected for expected, slugs in covered])),
        "uncovered empty": float(np.mean(empty)),
        "results per covered query": float(np.mean([len(slugs) for _, slugs in covered])),
        "right results": float(
            np.mean([slug in expected for expected, slugs in covered for slug in slugs] or [0.0])
        ),
    }


def choose(queries, signal):
    """(floor, its figures): the middle of the grid floors with the fewest wrong queries."""
    grid = np.round(np.arange(0.0, 1.0 + STEP / 2, STEP), 2)
    found = [figures(queries, lambda query, f=float(floor): SIGNALS[signal](query, f)) for floor in grid]
    fewest = min(f["wrong"] for f in found)
    best = [i for i, f in enumerate(found) if f["wrong"] == fewest]
    middle = best[len(best) // 2]
    return float(grid[middle]), found[middle]


def row(label, found):
    return (
        f"| {label} | {found['wrong']} | {found['recall']:.3f} | {found['right first']:.3f} | "
        f"{found['uncovered empty']:.3f} | {found['results per covered query']:.2f} | "
        f"{found['right results']:.3f} |"
    )


HEADER = (
    "| {} | wrong queries | recall (covered) | right first (covered) | uncovered with no results "
    "| results per covered query | right results (covered) |\n|---|---|---|---|---|---|---|"
)


def report_lines(queries):
    covered = sum(1 for query in queries if query.expected)
    chosen = {signal: choose(queries, signal) for signal in SIGNALS}
    floor, _ = chosen["per-result confidence"]
    source = (
        "`python bench/search_floor.py --write docs/calibration.md` wrote this section, from "
        f"bench/data/search_dev.jsonl ({covered} covered, {len(queries) - covered} uncovered queries)."
    )
    return [
        source,
        "",
        HEADER.format("signal (chosen floor)"),
        row("no floor (the relevance cut alone)", figures(queries, lambda query: list(query.slugs))),
        *(row(f"{signal} ({f:.2f})", found) for signal, (f, found) in chosen.items()),
        "",
        f"Chosen: **KBBOT_SEARCH_FLOOR = {floor:.2f}** on the per-result confidence.",
        "",
        HEADER.format("per-result confidence floor"),
        *(
            row(
                f"**{f:.2f}**" if f == floor else f"{f:.2f}",
                figures(queries, lambda query, f=f: per_result_confidence(query, f)),
            )
            for f in sorted(set(SHOWN_FLOORS) | {floor})
        ),
    ]


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--write", type=Path, help="Markdown file whose search-floor section is replaced.")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as workdir:
        queries = search_dev(Path(workdir))
    lines = report_lines(queries)
    print("\n".join(lines))
    if args.write:
        replace_section(args.write, "search-floor", lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
