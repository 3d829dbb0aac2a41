"""Performance at a glance (issue 22): each figure beside its raw limit and its target, in one run.

On one machine, one after the other (the table records the load average as each figure was taken):

- chat: POST /api/v1/chat through the app (Flask's test client, one process, as bench/chat_api.py
  drives it) against the raw limit, the engine's encoder on the same question plus the dense index
  search (`DenseIndex.search`, the engine's 100 candidates), no app; each question asked once (no
  answer is served from the cache), the two taking turns; at each help-center size;
- throughput: `gunicorn wsgi:app` with 2 workers (bench/faults.py's) and 8 clients asking at once,
  all-distinct questions, then Zipf-repeated ones (a fresh server: empty answer caches), against 2
  processes of raw encode + search over the same distinct questions; and one client's p50;
- index build: the engine's full refresh of the sample help center against the encoder alone on
  the same entry texts, both with every core; the ONNX backend's speed against PyTorch's
  (bench/encoders.py's `measure_speed`, one thread each);
- the `kbbot` commands that need no model (bench/cli_startup.py), a first `kbbot serve` on an
  empty instance (import, ONNX export, embedding) and a start on an existing index, to /healthz
  answering 200;
- `kbbot report --json` and the staff dashboard over seeded conversations (bench/report_scale.py).

    python bench/perf.py [--sizes 62,1000,10000] [--conversations 2000] [--write docs/benchmarks.md]
    python bench/perf.py --quick                             # the sample only, fewer of everything
    python bench/perf.py --build-only --sizes 1000,10000     # build the cached help centers only

Help centers of more than the sample's 62 articles are bench/synthetic_kb.py's, imported with
`kbbot sync` and embedded with `kbbot index`; each is kept (articles, database, index) under
bench/cache/ (git-ignored), so a re-run embeds nothing: remove the folder to build them again.
"""

import argparse
import fcntl
import json
import multiprocessing
import os
import random
import re
import shutil
import sqlite3
import subprocess
import tempfile
import threading
import time
from collections import Counter
from contextlib import closing
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import banking77
import cli_startup
import encoders
import faults
import report_scale
import sections
import synthetic_kb

from kbbot.search.embedding import load_encoder
from kbbot.search.engine import QUERY_WORD_PIECES
from kbbot.search.index import DenseIndex
from kbbot.search.knowledge_base import CANDIDATES, published_articles
from kbbot.text import normalize_question
from kbbot.threads import every_core, use_threads
from kbbot.web.services import get_engine
from kbbot.web.session import get_session

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "bench" / "cache"
MODELS = CACHE / "instance" / "models"  # the ONNX export, made once for every run
SAMPLE = 62  # articles in the bundled sample help center, articles/
QUESTION_FILES = (
    ROOT / "bench" / "data" / "sample_dev.jsonl",
    ROOT / "bench" / "data" / "search_dev.jsonl",
    ROOT / "tests" / "data" / "sample_questions.jsonl",
)
WORKERS, CLIENTS = 2, 8
ZIPF_EXPONENT = 1.1
_EMBEDDED = re.compile(r"\((\d+) entries embedded\)")


@dataclass(frozen=True)
class Effort:
    """How much of each measurement a run makes."""

    chat_questions: int  # per help-center size, chat and raw each
    single_client: int  # requests of the one client
    many_clients: int  # requests of the 8 clients, per question stream
    speed_texts: int  # entry texts of the ONNX against PyTorch comparison
    speed_questions: int  # questions encoded alone in it
    build_size: int  # articles of the help center whose index build is timed
    cli_commands: tuple  # bench/cli_startup.py's (label, arguments) timed
    cli_runs: int  # runs of each command
    report_runs: int  # report and dashboard timings after the first (median)


FULL = Effort(150, 40, 320, 256, 100, SAMPLE, cli_startup.COMMANDS, 5, 2)
QUICK_COMMANDS = ("kbbot --help", "kbbot index (nothing to do)", "kbbot report")
QUICK = Effort(20, 10, 48, 32, 20, 8, tuple(c for c in cli_startup.COMMANDS if c[0] in QUICK_COMMANDS), 1, 1)


def environment(directory):
    """The environment of the `kbbot` commands on the instance in `directory` (database kbbot.sqlite3,
    index index/), sharing one instance folder so the ONNX model is exported once."""
    env = faults.environment(directory)
    env["KBBOT_INSTANCE_PATH"] = str(CACHE / "instance")
    return env


def instance(size):
    """The folder of the cached help center of `size` articles (the sample for 62), built if missing:
    `articles/` (synthetic ones only), `kbbot.sqlite3`, `index/`, and `build.json` (how `kbbot index`
    went: entries embedded, seconds), written last, so a build cut short is started over. A run that
    needs a help center another run is building waits for it."""
    directory = CACHE / f"kb-{size}"
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(CACHE / f"kb-{size}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (directory / "build.json").is_file():
            _build(size, directory)
    return directory


def _build(size, directory):
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    articles = ROOT / "articles"
    if size != SAMPLE:
        articles = directory / "articles"
        synthetic_kb.generate(articles, size)
    env = environment(directory)
    faults.run(env, "sync", str(articles))
    started = time.perf_counter()
    output = faults.run(env, "index").stdout
    seconds = time.perf_counter() - started
    build = {"articles": size, "entries embedded": int(_EMBEDDED.search(output)[1]), "seconds": seconds}
    (directory / "build.json").write_text(json.dumps(build, indent=2) + "\n")
    print(f"built the {size}-article help center: {build}", flush=True)


def copy_instance(size, target, database="kbbot.sqlite3", index="index"):
    """Copy the cached help center of `size` articles to `target`: its database (SQLite's backup, WAL
    included) as `database`, its index folder as `index` (None: no index). Measurements write to the
    copy only."""
    source = instance(size)
    target.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(source / "kbbot.sqlite3")) as original:
        with closing(sqlite3.connect(target / database)) as copy:
            original.backup(copy)
    if index is not None:
        shutil.copytree(source / "index", target / index)
    return target


# -- questions --


def distinct_questions():
    """The sample's question sets' questions, each once (by `normalize_question`, the answer cache's
    form), in file order: the dev set's long questions first, then short searches."""
    seen, found = set(), []
    for path in QUESTION_FILES:
        for line in path.read_text(encoding="utf-8").splitlines():
            question = json.loads(line)["query"]
            if normalize_question(question) not in seen:
                seen.add(normalize_question(question))
                found.append(question)
    return found


def zipf_stream(questions, count, seed=22):
    """`count` questions drawn from `questions` with Zipf weights (rank r: 1 / r^ZIPF_EXPONENT), the
    ranks dealt at random: how often customers repeat questions on a real help center."""
    rng = random.Random(seed)
    ranked = rng.sample(questions, len(questions))
    weights = [1 / rank**ZIPF_EXPONENT for rank in range(1, len(ranked) + 1)]
    return rng.choices(ranked, weights, k=count)


# -- chat against raw encode + search --


def raw_search(encoder, index_dir):
    """A function that does the raw work of one question: the encoder on it (at most the engine's
    word pieces) and the dense index's search for the engine's candidates, nothing else."""
    dense = DenseIndex.load(index_dir, encoder.name, encoder.dimension)

    def search(question):
        dense.search(encoder.encode([question], max_word_pieces=QUERY_WORD_PIECES)[0], CANDIDATES)

    return search


def chat_and_raw(size, workdir, questions):
    """{"chat": [ms], "raw": [ms]} over `questions` on the help center of `size` articles: each
    question through POST /api/v1/chat (the test client) and as `raw_search`, taking turns."""
    copy_instance(size, workdir, "chat.sqlite3", "chat-index")
    app = banking77.scratch_app(workdir, "chat")
    with app.app_context():
        engine = get_engine()
        engine.ensure_current(get_session())
    client = app.test_client()

    def chat(question):
        response = client.post("/api/v1/chat", json={"message": question})
        assert response.status_code == 200, response.get_json()

    steps = {"chat": chat, "raw": raw_search(engine.encoder, workdir / "chat-index")}
    for step in steps.values():
        step("warm up")
    timings = {name: [] for name in steps}
    for number, question in enumerate(questions):
        for name in sorted(steps, reverse=number % 2 == 1):
            started = time.perf_counter()
            steps[name](question)
            timings[name].append((time.perf_counter() - started) * 1000)
    return timings


# -- throughput --


def ask_at_once(port, questions, clients):
    """Ask `questions` through POST /api/v1/chat with `clients` clients at once, each taking the
    next question when answered: (answers per second, [ms of each answer], Counter of other statuses)."""
    pending, lock = iter(questions), threading.Lock()
    latencies, failures = [], Counter()

    def client():
        while True:
            with lock:
                question = next(pending, None)
            if question is None:
                return
            started = time.perf_counter()
            status, _, _ = faults.request(port, "POST", "/api/v1/chat", {"message": question})
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                if status == 200:
                    latencies.append(elapsed)
                else:
                    failures[status] += 1

    started = time.perf_counter()
    faults.run_clients([(client, ())] * clients)
    return len(latencies) / (time.perf_counter() - started), latencies, failures


def workers_ready(workdir, timeout_s=600):
    """Wait until every gunicorn worker has loaded the model (its log line): /healthz answers as soon
    as one of them serves."""
    deadline = time.monotonic() + timeout_s
    while (workdir / "gunicorn.log").read_text().count(cli_startup.MODEL_LOADED) < WORKERS:
        if time.monotonic() > deadline:
            raise RuntimeError(f"the gunicorn workers did not all start: see {workdir / 'gunicorn.log'}")
        time.sleep(0.2)


def _raw_process(index_dir, questions, start, results):
    use_threads(1)  # as a serving worker
    search = raw_search(load_encoder(cache_dir=MODELS), index_dir)
    search("warm up")
    start.wait()
    started = time.perf_counter()
    for question in questions:
        search(question)
    results.put((len(questions), time.perf_counter() - started))


def raw_throughput(index_dir, questions, processes=WORKERS):
    """Questions per second of `processes` processes of `raw_search`, one thread each, sharing
    `questions` and starting together once each has loaded the model."""
    context = multiprocessing.get_context("spawn")
    start, results = context.Barrier(processes), context.Queue()
    workers = [
        context.Process(target=_raw_process, args=(index_dir, questions[number::processes], start, results))
        for number in range(processes)
    ]
    for worker in workers:
        worker.start()
    done = [results.get() for _ in workers]
    for worker in workers:
        worker.join()
    return sum(count for count, _ in done) / max(seconds for _, seconds in done)


@dataclass
class Throughput:
    single_ms: list  # one client's answers
    distinct: tuple  # `ask_at_once` of 8 clients, all-distinct questions
    repeated: tuple  # the same, Zipf-repeated questions
    repeats: float  # share of the Zipf stream's questions asked before in it
    raw: float  # questions per second of 2 raw processes
    uncapped: tuple  # `distinct` again with KBBOT_ENGINE_CALLS_AT_ONCE=0 (no cap on engine calls at once)


def throughput(size, workdir, effort):
    """`Throughput` of 2 gunicorn workers on the help center of `size` articles."""
    copy_instance(size, workdir)
    env = environment(workdir)
    # All three streams from the same questions, dealt at random: the sets differ in what the bot does
    # (the dev set's questions are mostly answered, the short searches mostly get choices).
    questions = random.Random(22).sample(distinct_questions(), len(distinct_questions()))
    single, distinct = (
        questions[: effort.single_client],
        questions[effort.single_client :][: effort.many_clients],
    )
    repeated = zipf_stream(questions, effort.many_clients)
    with faults.Gunicorn(env, workdir) as server:
        workers_ready(workdir)
        _, single_ms, _ = ask_at_once(server.port, single, 1)
        distinct_run = ask_at_once(server.port, distinct, CLIENTS)
    with faults.Gunicorn(env, workdir) as server:  # answer caches empty again
        workers_ready(workdir)
        repeated_run = ask_at_once(server.port, repeated, CLIENTS)
    # By default the engine runs one call at a time on a 2-core machine (the other core is the pages'):
    # the same distinct questions without that cap, on a fresh server.
    with faults.Gunicorn({**env, "KBBOT_ENGINE_CALLS_AT_ONCE": "0"}, workdir) as server:
        workers_ready(workdir)
        uncapped_run = ask_at_once(server.port, distinct, CLIENTS)
    repeats = 1 - len({normalize_question(q) for q in repeated}) / len(repeated)
    raw = raw_throughput(workdir / "index", distinct)
    return Throughput(single_ms, distinct_run, repeated_run, repeats, raw, uncapped_run)


# -- indexing --


def index_build(size, workdir):
    """(entries/s of the engine's full refresh, entries/s of the encoder alone on the same texts, the
    texts) on the help center of `size` articles, both with every core, as `kbbot index` runs; the
    model loaded before either."""
    copy_instance(size, workdir, "build.sqlite3", index=None)
    app = banking77.scratch_app(workdir, "build")
    with app.app_context():
        session = get_session()
        engine = get_engine()
        engine.encoder.encode(["warm up"])
        texts = [text for _hash, text in published_articles(session).desired.values()]
        with every_core():
            started = time.perf_counter()
            counts = engine.refresh(session, full=True)
            build = counts.embedded / (time.perf_counter() - started)
            started = time.perf_counter()
            engine.encoder.encode(texts)
            raw = len(texts) / (time.perf_counter() - started)
    return build, raw, texts


def onnx_gain(texts, questions):
    """bench/encoders.py's `measure_speed` of PyTorch and ONNX Runtime (one round, one thread each):
    ({backend: entries/s in batches of 16}, {backend: [ms per question]})."""
    backends = {
        name: load_encoder(backend=name, device="cpu", cache_dir=MODELS) for name in ("torch", "onnx")
    }
    throughput, latency = encoders.measure_speed(backends, texts, questions, rounds=1)
    return {name: throughput[name, 16][0] for name in backends}, latency


# -- starting --


def start_seconds(env, log_path, timeout_s=3600):
    """Seconds from launching `kbbot serve` to /healthz answering 200; the server is stopped after."""
    port = faults.free_port()
    with open(log_path, "w") as log:
        started = time.perf_counter()
        process = subprocess.Popen(
            faults.kbbot("serve", "--port", str(port)), env=env, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            while time.perf_counter() - started < timeout_s:
                if process.poll() is not None:
                    raise RuntimeError(f"kbbot serve stopped: see {log_path}")
                try:
                    if faults.request(port, "GET", "/healthz", timeout=5)[0] == 200:
                        return time.perf_counter() - started
                except OSError:
                    pass
                time.sleep(0.1)
            raise RuntimeError(f"kbbot serve was not ready in {timeout_s} s: see {log_path}")
        finally:
            process.terminate()
            process.wait()


def first_start(workdir):
    """Seconds of a first `kbbot serve` on an empty instance (its own instance folder: the ONNX model
    exported too), importing the sample articles and embedding them."""
    workdir.mkdir(parents=True)
    env = faults.environment(workdir)
    env["KBBOT_SYNC_ON_FIRST_START"] = "1"
    return start_seconds(env, workdir / "first-start.log")


def warm_start(size, workdir):
    """Seconds of `kbbot serve` on a copy of the help center of `size` articles (its index current)."""
    copy_instance(size, workdir)
    return start_seconds(environment(workdir), workdir / "warm-start.log")


# -- the staff side --


def reports(workdir, conversations, runs):
    """bench/report_scale.py's `run` on SQLite over `conversations` seeded conversations, the
    sample's cached index copied first (nothing embedded): (seed seconds, {what: (first s, again s)})."""
    shutil.copytree(instance(SAMPLE) / "index", workdir / "index")
    return report_scale.run(f"sqlite:///{workdir / 'scale.sqlite3'}", workdir, conversations, runs)


# -- the table --


@dataclass
class Row:
    """One figure beside what it is measured against (its raw limit, or another figure), the target."""

    figure: str
    measured: str
    against: str = "—"
    ratio: float | None = None  # measured / against, where both are numbers of one kind
    target: str = "—"
    met: bool | None = None
    load: float = field(default_factory=lambda: os.getloadavg()[0])  # when the figure was taken

    def line(self):
        ratio = "—" if self.ratio is None else f"{self.ratio:.2f}×"
        met = "—" if self.met is None else ("yes" if self.met else "**no**")
        return f"| {self.figure} | {self.measured} | {self.against} | {ratio} | {self.target} | {met} | {self.load:.1f} |"


def _ms(value):
    return f"{value:.1f} ms"


def chat_rows(size, timings, sample_p50=None):
    chat, raw = sections.percentiles(timings["chat"]), sections.percentiles(timings["raw"])
    rows = [
        Row(f"chat {name}, {size:,} articles", _ms(c), f"raw {_ms(r)}", c / r, "≤ 1.25× raw", c / r <= 1.25)
        for name, c, r in zip(("p50", "p95"), chat, raw)
    ]
    if sample_p50 is not None:
        ratio = chat[0] / sample_p50
        rows.append(
            Row(f"chat p50, {size:,} articles, against the sample's", _ms(chat[0]), f"{SAMPLE} articles {_ms(sample_p50)}",
                ratio, "≤ 1.3×", ratio <= 1.3)
        )  # fmt: skip
    return rows


def throughput_rows(size, measured):
    rate, latencies, failures = measured.distinct
    repeated_rate, repeated_latencies, repeated_failures = measured.repeated
    single_p50 = sections.percentiles(measured.single_ms)[0]
    many_p95 = sections.percentiles(latencies)[1]
    where = f"{WORKERS} workers, {CLIENTS} clients, {size:,} articles"
    raw = f"raw × {WORKERS} processes {measured.raw:.1f}/s"
    return [
        Row(f"answers/s, distinct questions, {where}", f"{rate:.1f}/s{_failed(failures)}", raw,
            rate / measured.raw, "≥ 0.8× raw", rate / measured.raw >= 0.8),
        Row(f"answers/s, Zipf-repeated questions ({measured.repeats:.0%} repeats), {where}",
            f"{repeated_rate:.1f}/s{_failed(repeated_failures)}", raw, repeated_rate / measured.raw, "≥ 3× raw",
            repeated_rate / measured.raw >= 3),
        Row(f"answers/s, distinct questions, {where}, KBBOT_ENGINE_CALLS_AT_ONCE=0 (no cap)",
            f"{measured.uncapped[0]:.1f}/s{_failed(measured.uncapped[2])}", raw, measured.uncapped[0] / measured.raw),
        Row(f"chat p95, {CLIENTS} clients, distinct questions", _ms(many_p95), f"1 client p50 {_ms(single_p50)}",
            many_p95 / single_p50, "≤ 3×", many_p95 / single_p50 <= 3),
        Row(f"chat p95, {CLIENTS} clients, Zipf-repeated questions", _ms(sections.percentiles(repeated_latencies)[1]),
            f"1 client p50 {_ms(single_p50)}"),
    ]  # fmt: skip


def _failed(failures):
    return (
        ""
        if not failures
        else " (" + ", ".join(f"{n} × HTTP {status}" for status, n in failures.items()) + ")"
    )


def indexing_rows(size, build, raw, speeds, latency, entries):
    torch_p50, onnx_p50 = (sections.percentiles(latency[name])[0] for name in ("torch", "onnx"))
    return [
        Row(f"index build, {size:,} articles ({entries:,} entries, every core)", f"{build:.1f} entries/s", f"encoder alone {raw:.1f}/s",
            build / raw, "≥ 0.9× raw", build / raw >= 0.9),
        Row("ONNX encoder, batches of 16, one thread", f"{speeds['onnx']:.1f} entries/s",
            f"PyTorch {speeds['torch']:.1f}/s", speeds["onnx"] / speeds["torch"], "> 1× (faster)",
            speeds["onnx"] > speeds["torch"]),
        Row("ONNX encoder, one question, p50", _ms(onnx_p50), f"PyTorch {_ms(torch_p50)}", onnx_p50 / torch_p50,
            "< 1× (faster)", onnx_p50 < torch_p50),
    ]  # fmt: skip


def cli_rows(timings):
    return [
        Row(f"`{timing.command}`, wall ({timing.runs} runs, median)", f"{timing.wall_s:.2f} s", f"CPU {timing.cpu_s:.2f} s",
            None, "< 3 s, no model", timing.wall_s < 3 and not timing.model_loaded)
        for timing in timings
    ]  # fmt: skip


def report_rows(conversations, seeded, results):
    rows = []
    for name, (first, again) in results.items():
        for when, seconds in (("first", first), ("again", again)):
            rows.append(
                Row(f"{name}, {conversations:,} conversations, {when}", f"{seconds:.2f} s", target="< 2 s",
                    met=seconds < 2)
            )  # fmt: skip
    return rows


def table(rows, command, loads):
    lines = [
        f"Measured with `{command}` on {date.today().isoformat()} on this machine ({os.cpu_count()} cores, shared "
        f"with other work: load average {loads[0]} at the start, {loads[1]} at the end; the last column is the "
        "1-minute load average as each figure was taken).",
        "",
        "| figure | measured | against | ratio | target | met | load |",
        "|---|---|---|---|---|---|---|",
    ]
    return lines + [row.line() for row in rows]


def _load():
    return ", ".join(f"{value:.1f}" for value in os.getloadavg())


def measure(args, effort, workdir):
    """The table's rows, printed as each part is measured (a long run may be cut short)."""
    rows = []

    def add(new):
        rows.extend(new)
        for row in new:
            print(row.line(), flush=True)

    use_threads(1)  # as each serving worker does; the index build takes every core, as `kbbot index`
    questions = [question for question in distinct_questions()][: effort.chat_questions]
    sample_p50 = None
    for size in args.sizes:
        timings = chat_and_raw(size, workdir / f"chat-{size}", questions)
        add(chat_rows(size, timings, sample_p50 if size != SAMPLE else None))
        if size == SAMPLE:
            sample_p50 = sections.percentiles(timings["chat"])[0]
    add(throughput_rows(SAMPLE, throughput(SAMPLE, workdir / "throughput", effort)))
    build, raw, texts = index_build(effort.build_size, workdir / "build")
    speeds, latency = onnx_gain(texts[: effort.speed_texts], questions[: effort.speed_questions])
    add(indexing_rows(effort.build_size, build, raw, speeds, latency, len(texts)))
    cli = copy_instance(SAMPLE, workdir / "cli")  # its sync and index find nothing to do
    add(cli_rows(cli_startup.measure_cli(cli, runs=effort.cli_runs, commands=effort.cli_commands)))
    if not args.quick:
        add(
            [
                Row(
                    f"first `kbbot serve`, sample ({SAMPLE} articles), to /healthz ok",
                    f"{first_start(workdir / 'first'):.1f} s",
                )
            ]
        )
    for size in args.sizes:
        seconds = warm_start(size, workdir / f"start-{size}")
        add([Row(f"`kbbot serve` on a current index, {size:,} articles, to /healthz ok", f"{seconds:.1f} s",
                 target="< 10 s", met=seconds < 10)])  # fmt: skip
    seeded, results = reports(workdir / "report", args.conversations, effort.report_runs)
    add(report_rows(args.conversations, seeded, results))
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", help=f"Help-center sizes, in articles. [default: {SAMPLE},1000,10000; "
                        f"--quick: {SAMPLE}]")  # fmt: skip
    parser.add_argument("--conversations", type=int, help="Seeded for the report and the dashboard. [default: "
                        "2000; --quick: 300]")  # fmt: skip
    parser.add_argument("--quick", action="store_true", help="Fewer of everything, no first start: a check.")
    parser.add_argument(
        "--build-only", action="store_true", help="Build the cached help centers; measure nothing."
    )
    parser.add_argument("--write", type=Path, help="Markdown file whose `perf` section gets the table.")
    args = parser.parse_args(argv)
    args.sizes = [
        int(size)
        for size in (args.sizes or (f"{SAMPLE}" if args.quick else f"{SAMPLE},1000,10000")).split(",")
    ]
    args.conversations = args.conversations or (300 if args.quick else 2000)
    if args.build_only:
        for size in args.sizes:
            instance(size)
        return 0
    os.environ["KBBOT_INSTANCE_PATH"] = str(CACHE / "instance")  # the in-process apps' ONNX export
    for size in {*args.sizes, (QUICK if args.quick else FULL).build_size}:
        instance(size)
    loads = [_load()]
    command = (
        "python bench/perf.py"
        + (" --quick" if args.quick else "")
        + (f" --sizes {','.join(map(str, args.sizes))} --conversations {args.conversations}")
    )
    with tempfile.TemporaryDirectory() as workdir:
        rows = measure(args, QUICK if args.quick else FULL, Path(workdir))
    loads.append(_load())
    lines = table(rows, command, loads)
    print("\n".join(lines))
    if args.write:
        sections.replace_section(args.write, "perf", lines)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
