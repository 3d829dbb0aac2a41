"""Article pages under a search flood: what the engine's cost-aware limits keep for readers.

Serves the sample help center with gunicorn as in production (2 worker processes, 4 threads each,
the `serve` extra) on loopback. Four attacker connections from one address send 500-character
searches to /api/v1/search back to back, never waiting for Retry-After, for `--seconds`, while a
reader fetches an article page every 0.2 s. Measured twice on the same database and index: with the
limits off (no word budget, no cap on engine calls at once, every word searched, every
core for the model) and with the defaults. Reports the article page's p50 and p95 while idle and under attack, and how the attack
requests were answered.

    python bench/abuse.py [--seconds 40] [--no-write]
"""

import argparse
import http.client
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import sections

from kbbot import create_app
from kbbot.articles.sync import sync_directory
from kbbot.web.services import get_engine
from kbbot.web.session import get_session

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = "/articles/send-your-first-invoice"
ATTACKERS = 4
READER_PAUSE = 0.2
IDLE_SECONDS = 10
LIMITS_OFF = {
    "KBBOT_RATE_LIMIT_PER_VISITOR": "off",
    "KBBOT_RATE_LIMIT_PER_ADDRESS": "off",
    "KBBOT_RATE_LIMIT_WORDS_PER_ADDRESS": "off",
    "KBBOT_ENGINE_CALLS_PER_ADDRESS": "0",
    "KBBOT_ENGINE_CALLS_AT_ONCE": "0",
    "KBBOT_MAX_QUERY_WORDS": "1000",
    "KBBOT_THREADS": "0",
}
WORDS = (
    "invoice payment refund password export stripe account team plan billing vat error sign login "
    "mobile app currency tax report customer reminder recurring estimate expense bank receipt"
).split()


def prepare(workdir):
    """The sample help center synced and indexed under `workdir`; the environment that serves it."""
    environment = {
        "KBBOT_DATABASE_URL": f"sqlite:///{workdir / 'kbbot.sqlite3'}",
        "KBBOT_INDEX_DIR": str(workdir / "index"),
        "KBBOT_INSTANCE_PATH": str(workdir / "instance"),
        "KBBOT_ARTICLES_DIR": str(ROOT / "articles"),
        "KBBOT_SYNC_ON_FIRST_START": "0",
        "SECRET_KEY": "bench-abuse",
    }
    app = create_app(
        {
            "DATABASE_URL": environment["KBBOT_DATABASE_URL"],
            "INDEX_DIR": workdir / "index",
            "INSTANCE_PATH": workdir / "instance",
            "SYNC_ON_FIRST_START": False,
            "SECRET_KEY": environment["SECRET_KEY"],
        }
    )
    with app.app_context():
        sync_directory(get_session(), ROOT / "articles", app.config["MAX_ARTICLE_BYTES"])
        get_engine().refresh(get_session())
    app.extensions["kbbot.engine"].dispose()
    return environment


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(port, path, timeout=60):
    """(status, seconds) of one GET on a new connection."""
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.status, time.perf_counter() - started
    finally:
        connection.close()


def serve(environment, port):
    """gunicorn serving wsgi:app with `environment`, once it answers /healthz."""
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "2", "--threads", "4", "--bind", f"127.0.0.1:{port}",
         "--log-level", "warning", "wsgi:app"],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), **environment},
    )  # fmt: skip
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            if get(port, "/healthz", timeout=5)[0] == 200:
                for _ in range(10):  # both workers warm: the article page renders related articles
                    get(port, ARTICLE)
                return server
        except OSError:
            pass
        time.sleep(0.5)
    server.kill()
    raise RuntimeError("gunicorn did not start")


def long_query(rng):
    """A 500-character query of help-center words, different each time."""
    text = ""
    while len(text) < 500:
        text += rng.choice(WORDS) + " "
    return text[:500].strip().replace(" ", "+")


def read_for(port, seconds):
    """Article page latencies (ms) fetched every READER_PAUSE for `seconds`."""
    samples, deadline = [], time.monotonic() + seconds
    while time.monotonic() < deadline:
        status, took = get(port, ARTICLE)
        assert status == 200, status
        samples.append(took * 1000)
        time.sleep(READER_PAUSE)
    return samples


def attack(port, seconds, statuses, seed):
    rng, deadline = random.Random(seed), time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            status, _ = get(port, f"/api/v1/search?q={long_query(rng)}")
        except OSError:
            status = "error"
        statuses[status] += 1


def measure(environment, seconds):
    port = free_port()
    server = serve(environment, port)
    try:
        idle = read_for(port, IDLE_SECONDS)
        statuses = Counter()
        attackers = [
            threading.Thread(target=attack, args=(port, seconds, statuses, seed)) for seed in range(ATTACKERS)
        ]
        for thread in attackers:
            thread.start()
        time.sleep(2)  # the flood is under way
        under_attack = read_for(port, seconds - 4)
        for thread in attackers:
            thread.join()
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
    return idle, under_attack, statuses


def row(name, idle, under_attack, statuses):
    p50, p95 = sections.percentiles(under_attack)
    total = sum(statuses.values())
    refused = statuses[429] + statuses[503]
    return (
        f"| {name} | {statistics.median(idle):.0f} | {p50:.0f} | {p95:.0f} | {total} | {statuses[200]} | "
        f"{statuses[429]} | {statuses[503]} | {refused / total:.0%} |"
    )


def lines_measured_in(workdir, seconds):
    environment = prepare(workdir)
    rows = []
    for name, settings in (("limits off", LIMITS_OFF), ("default limits", {})):
        idle, under_attack, statuses = measure({**environment, **settings}, seconds)
        rows.append(row(name, idle, under_attack, statuses))
        print(rows[-1], dict(statuses), flush=True)
    return [
        f"Measured with `python bench/abuse.py`: gunicorn, 2 workers x 4 threads, on this 2-core machine "
        f"(shared with other work while it ran); {ATTACKERS} connections from one address sending "
        f"500-character searches back to back for {seconds} s, a reader fetching `{ARTICLE}` every "
        f"{READER_PAUSE} s. Article page times in ms; attack requests by status.",
        "",
        "| limits | article p50 idle | article p50 attacked | article p95 attacked | attack requests | 200 | 429 | 503 | refused |",
        "|---|---|---|---|---|---|---|---|---|",
        *rows,
    ]  # fmt: skip


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=40, help="How long each attack lasts.")
    parser.add_argument("--no-write", action="store_true", help="Print only; leave docs/benchmarks.md alone.")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as workdir:
        lines = lines_measured_in(Path(workdir), args.seconds)
    print("\n".join(lines))
    if not args.no_write:
        sections.replace_section(sections.BENCHMARKS, "abuse", lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
