"""Write measured results into a marked section of a Markdown file, keeping the rest by hand; latency tables."""

import argparse
import statistics
import tempfile
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"


def replace_section(path: Path, name, lines):
    """Replace the text between `<!-- name -->` and `<!-- /name -->` in `path` (appended if absent)."""
    start, end = f"<!-- {name} -->", f"<!-- /{name} -->"
    body = "\n".join([start, *lines, end])
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if start in text and end in text:
        before, rest = text.split(start, 1)
        text = before + body + rest.split(end, 1)[1]
    else:
        text = text.rstrip("\n") + ("\n\n" if text else "") + body + "\n"
    path.write_text(text, encoding="utf-8")


def run_and_record(description, name, lines_measured_in, argv=None):
    """The command line of a benchmark that measures in a scratch folder and records one table.

    `lines_measured_in(workdir)` measures and returns the Markdown lines; they are printed and,
    unless `--no-write`, written to section `name` of docs/benchmarks.md. Returns the exit status.
    """
    parser = argparse.ArgumentParser(
        description=description, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--no-write", action="store_true", help="Print only; leave docs/benchmarks.md alone.")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as workdir:
        lines = lines_measured_in(Path(workdir))
    print("\n".join(lines))
    if not args.no_write:
        replace_section(BENCHMARKS, name, lines)
    return 0


def percentiles(samples):
    """(p50, p95) of `samples`."""
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[int(0.95 * (len(ordered) - 1))]


def latency_table(intro, results):
    """A Markdown table of p50 and p95 milliseconds per step (`results`: step name -> samples in ms)."""
    lines = [intro, "", "| step | p50 ms | p95 ms |", "|---|---|---|"]
    for name, samples in results.items():
        p50, p95 = percentiles(samples)
        lines.append(f"| {name} | {p50:.1f} | {p95:.1f} |")
    return lines
