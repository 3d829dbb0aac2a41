"""Rendering an article body to safe HTML with heading ids, as every public view of the article does.

Bodies of N repeated "## h" headings (each needs a numbered id of its own:
section-h, section-h-2, ...) and, for scale, the longest sample article. The
time should grow linearly with the body: four times the headings, about four
times the time.

    python bench/rendering.py [--runs 5] [--write docs/benchmarks.md]
"""

import argparse
import statistics
import time
from pathlib import Path

import sections

from kbbot.articles.rendering import render_article
from kbbot.articles.source import read_article_file

ROOT = Path(__file__).resolve().parent.parent
HEADINGS = (1_000, 5_000, 20_000)


def median_ms(body, runs):
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        render_article(body)
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def measure(runs):
    """(body, size in characters, median milliseconds) per body."""
    sample = max(
        (read_article_file(path, 1 << 20) for path in (ROOT / "articles").rglob("*.md")),
        key=lambda source: len(source.body),
    )
    bodies = [(f"longest sample article (`{sample.slug}`)", sample.body)]
    bodies += [(f'{count:,} × "## h"', "## h\n" * count) for count in HEADINGS]
    return [(name, len(body), median_ms(body, runs)) for name, body in bodies]


def table(results, runs):
    lines = [
        f"Measured with `python bench/rendering.py --runs {runs}` (median of {runs} renders):",
        "",
        "| body | characters | ms |",
        "|---|---|---|",
    ]
    lines += [f"| {name} | {size:,} | {ms:.1f} |" for name, size, ms in results]
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--write", type=Path, help="Markdown file whose `rendering` section gets the table.")
    args = parser.parse_args()
    lines = table(measure(args.runs), args.runs)
    print("\n".join(lines))
    if args.write:
        sections.replace_section(args.write, "rendering", lines)


if __name__ == "__main__":
    main()
