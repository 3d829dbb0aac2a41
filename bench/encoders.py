"""Encoder backends side by side: PyTorch, ONNX Runtime and ONNX Runtime int8, on this CPU.

Speed, in one process, the backends taking turns (each round in another order) so that the load of
the machine falls on all alike: entries embedded per second when indexing the sample help center's
entries (batches of 16 and of 64, longest first), and the latency of one question alone. Agreement: the
cosine of each backend's vectors with PyTorch's, on the same entries. Quality: precision@1 and AUROC
of the engine on the sample dev set (bench/data/sample_dev.jsonl) and BANKING77's dev split
(bench/banking77.py), the index built by each backend.

    python bench/encoders.py               # prints the tables; writes docs/benchmarks.md "encoder-backends"
    python bench/encoders.py --no-write    # prints only
"""

import argparse
import os
import tempfile
import time
from pathlib import Path

import banking77
import numpy as np
import sections

from kbbot.articles.sync import sync_directory
from kbbot.search import evaluation
from kbbot.search.embedding import load_encoder
from kbbot.search.knowledge_base import published_articles
from kbbot.threads import use_threads
from kbbot.web.services import get_engine
from kbbot.web.session import get_session

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = ROOT / "articles"
SAMPLE_DEV = ROOT / "bench" / "data" / "sample_dev.jsonl"
BACKENDS = ("torch", "onnx", "onnx-int8")
BATCH_SIZES = (16, 64)


def entry_texts(workdir):
    """The texts of the sample help center's index entries (titles, questions, passages)."""
    app = banking77.scratch_app(workdir, "entries")
    with app.app_context():
        session = get_session()
        sync_directory(session, ARTICLES, app.config["MAX_ARTICLE_BYTES"])
        return [text for _hash, text in published_articles(session).desired.values()]


def measure_speed(encoders, texts, questions, rounds):
    """({(backend, batch size): [entries/s per round]}, {backend: [ms per question]}), the backends
    taking turns."""
    throughput = {(name, size): [] for name in encoders for size in BATCH_SIZES}
    latency = {name: [] for name in encoders}
    names = list(encoders)
    for round_number in range(rounds):
        for size in BATCH_SIZES:
            for name in names[round_number % len(names) :] + names[: round_number % len(names)]:
                started = time.perf_counter()
                encoders[name].encode(texts, batch_size=size)
                throughput[name, size].append(len(texts) / (time.perf_counter() - started))
    for number, question in enumerate(questions):
        for name in names[number % len(names) :] + names[: number % len(names)]:
            started = time.perf_counter()
            encoders[name].encode([question])
            latency[name].append((time.perf_counter() - started) * 1000)
    return throughput, latency


def measure_quality(backend, workdir):
    """{set: evaluation.Report} of the engine on `backend`: the sample dev set and BANKING77 dev."""
    os.environ["KBBOT_EMBEDDING_BACKEND"] = backend
    workdir.mkdir()
    app = banking77.scratch_app(workdir, "sample")
    with app.app_context():
        session = get_session()
        sync_directory(session, ARTICLES, app.config["MAX_ARTICLE_BYTES"])
        sample = evaluation.evaluate(get_engine(), session, evaluation.read_questions(SAMPLE_DEV))
    kb, questions = banking77.build_split("dev")
    return {
        "sample dev": evaluation.report(sample),
        "BANKING77 dev": evaluation.report(banking77.run_engine(kb, questions, workdir)),
    }


def tables(throughput, latency, agreement, quality, rounds, threads, load):
    lines = [
        f"Measured by `python bench/encoders.py` on this machine ({os.cpu_count()} cores, load average "
        f"{load} before the run), {threads} thread(s) per backend as a serving process; the backends take "
        "turns in one process. Entries/s: the sample help center's "
        f"{agreement['entries']} index entries, median of {rounds} rounds (× torch: against torch's "
        "batches of 16); a question: one of the first sample dev questions alone.",
        "",
        "| backend | entries/s, batches of 16 | × torch | entries/s, batches of 64 | question p50 ms "
        "| question p95 ms | cosine with torch (min / mean) |",
        "|---|---|---|---|---|---|---|",
    ]
    rates = {key: float(np.median(samples)) for key, samples in throughput.items()}
    for name in latency:
        p50, p95 = sections.percentiles(latency[name])
        low, mean = agreement[name]
        lines.append(
            f"| {name} | {rates[name, 16]:.0f} | {rates[name, 16] / rates['torch', 16]:.2f} | "
            f"{rates[name, 64]:.0f} | {p50:.1f} | {p95:.1f} | {low:.5f} / {mean:.5f} |"
        )
    lines += ["", "| backend | set | precision@1 | Δ torch | AUROC | Δ torch |", "|---|---|---|---|---|---|"]
    for name, reports in quality.items():
        for set_name, report in reports.items():
            torch_report = quality["torch"][set_name]
            lines.append(
                f"| {name} | {set_name} | {report.precision_at_1:.3f} | "
                f"{report.precision_at_1 - torch_report.precision_at_1:+.3f} | {report.auroc:.3f} | "
                f"{report.auroc - torch_report.auroc:+.3f} |"
            )
    return lines


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3, help="Indexing rounds per backend. [default: 3]")
    parser.add_argument("--questions", type=int, default=100, help="Questions timed alone. [default: 100]")
    parser.add_argument("--threads", type=int, default=1, help="Model threads. [default: 1]")
    parser.add_argument("--no-write", action="store_true", help="Print only; leave docs/benchmarks.md alone.")
    args = parser.parse_args(argv)
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    use_threads(args.threads)
    with tempfile.TemporaryDirectory() as workdir:
        workdir = Path(workdir)
        os.environ["KBBOT_INSTANCE_PATH"] = str(workdir / "instance")  # the ONNX files are exported there
        encoders = {
            name: load_encoder(backend=name, device="cpu", cache_dir=workdir / "instance" / "models")
            for name in BACKENDS
        }
        texts = entry_texts(workdir)
        questions = [question.query for question in evaluation.read_questions(SAMPLE_DEV)][: args.questions]
        throughput, latency = measure_speed(encoders, texts, questions, args.rounds)
        vectors = {name: encoder.encode(texts) for name, encoder in encoders.items()}
        agreement = {name: _cosines(vectors[name], vectors["torch"]) for name in BACKENDS}
        agreement["entries"] = len(texts)
        quality = {name: measure_quality(name, workdir / name) for name in BACKENDS}
    lines = tables(throughput, latency, agreement, quality, args.rounds, args.threads, load)
    print("\n".join(lines))
    if not args.no_write:
        sections.replace_section(sections.BENCHMARKS, "encoder-backends", lines)
    return 0


def _cosines(vectors, reference):
    """(min, mean) cosine of matching rows of two L2-normalized arrays."""
    cosines = np.sum(vectors * reference, axis=1)
    return float(cosines.min()), float(cosines.mean())


if __name__ == "__main__":
    raise SystemExit(main())
