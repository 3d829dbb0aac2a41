"""Faults, measured: kill -9, load on SQLite, database and Redis outages, a full disk, backup and restore.

Each scenario runs real processes (the `kbbot` command line, gunicorn with 2 workers) on loopback
against a scratch instance, and counts what a user would have seen fail, index loads refused as
corrupt, and committed rows missing afterwards. The PostgreSQL and Redis scenarios stop and start a
server of their own (a new cluster by initdb, a redis-server on a free port; skipped where those
programs are not installed), so the shared servers keep running.

    python bench/faults.py [--kills 100] [--seconds 30] [--writer-seconds 60] [--no-write]

The table goes to docs/benchmarks.md and docs/security.md (their `faults` sections).

The full-disk scenarios mount a 1 MiB tmpfs (root only; skipped otherwise).
"""

import argparse
import http.client
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import sections
from fault_injection import PostgresServer, RedisServer, fill_disk, free_port, postgres_program
from sqlalchemy import create_engine, text

from kbbot.errors import IndexCorrupt, IndexMissing
from kbbot.search.embedding import load_encoder
from kbbot.search.index import DenseIndex

ROOT = Path(__file__).resolve().parent.parent
SECURITY = ROOT / "docs" / "security.md"
QUESTIONS = [json.loads(line)["query"] for line in (ROOT / "bench" / "data" / "sample_dev.jsonl").open()]
SMALL_ARTICLES = ("account-and-login", "billing-and-plans")  # sample folders the kill scenarios sync


# -- a scratch instance ------------------------------------------------------------


def environment(workdir, database_url=None, **settings):
    return dict(
        os.environ,
        PYTHONPATH=str(ROOT),
        KBBOT_DATABASE_URL=database_url or f"sqlite:///{workdir / 'kbbot.sqlite3'}",
        KBBOT_INDEX_DIR=str(workdir / "index"),
        KBBOT_INSTANCE_PATH=str(workdir / "instance"),
        KBBOT_ARTICLES_DIR=str(ROOT / "articles"),
        KBBOT_SYNC_ON_FIRST_START="0",
        KBBOT_RATE_LIMIT_PER_VISITOR="off",
        KBBOT_RATE_LIMIT_PER_ADDRESS="off",
        KBBOT_RATE_LIMIT_WORDS_PER_ADDRESS="off",
        KBBOT_ENGINE_CALLS_PER_ADDRESS="100",  # every client here shares one address
        SECRET_KEY="bench-faults",
        **settings,
    )


def kbbot(*arguments):
    return [sys.executable, "-c", "from kbbot.cli import main; main()", *arguments]


def run(env, *arguments, check=True, stdin=""):
    return subprocess.run(
        kbbot(*arguments), env=env, check=check, capture_output=True, text=True, input=stdin
    )


class Gunicorn:
    """`gunicorn wsgi:app` with 2 sync workers on a free port, for the duration of a `with`."""

    def __init__(self, env, workdir):
        self.port = free_port()
        self.log = open(workdir / "gunicorn.log", "w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", "2", "--timeout", "120", "--chdir", str(ROOT),
             "--bind", f"127.0.0.1:{self.port}", "wsgi:app"],
            env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )  # fmt: skip

    def __enter__(self):
        for _ in range(600):
            try:
                if request(self.port, "GET", "/healthz")[0] == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.5)
        raise RuntimeError("gunicorn did not start")

    def __exit__(self, *_):
        self.process.send_signal(signal.SIGTERM)
        self.process.wait()
        self.log.close()


def request(port, method, path, body=None, headers=None, timeout=120):
    """(status, headers, body bytes) of one request."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, json.dumps(body) if body is not None else None,
                           {"Content-Type": "application/json", **(headers or {})})  # fmt: skip
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


class Outcomes:
    """What the clients saw, thread-safe: status counts, unclean failures, acknowledged writes."""

    def __init__(self):
        self.lock = threading.Lock()
        self.statuses = Counter()
        self.unclean = 0  # a 5xx other than a 503 with Retry-After, a stack trace, or no response
        self.acknowledged = Counter()  # kind of write -> how many the server said it committed
        self.conversations = set()

    def saw(self, status, headers, body):
        with self.lock:
            self.statuses[status] += 1
            clean_503 = status == 503 and "Retry-After" in headers
            if (status >= 500 and not clean_503) or b"Traceback" in body:
                self.unclean += 1

    def failed_to_connect(self):
        with self.lock:
            self.statuses["no response"] += 1
            self.unclean += 1

    @property
    def failures(self):
        return sum(n for status, n in self.statuses.items() if status == "no response" or status >= 500)


def chat_client(port, outcomes, until, seed, vote=False):
    """Ask questions (half of them follow-ups) until `until`; optionally vote on each answer."""
    pick = random.Random(seed)
    conversation, visitor = None, None
    while time.monotonic() < until:
        body = {"message": pick.choice(QUESTIONS)}
        if conversation and pick.random() < 0.5:
            body["conversation_id"] = conversation
        headers = {"X-Kbbot-Visitor": visitor} if visitor else {}
        try:
            status, got, data = request(port, "POST", "/api/v1/chat", body, headers)
        except OSError:
            outcomes.failed_to_connect()
            time.sleep(0.2)
            continue
        outcomes.saw(status, got, data)
        if status != 200:
            time.sleep(0.2)
            continue
        reply = json.loads(data)
        conversation, visitor = reply["conversation_id"], got.get("X-Kbbot-Visitor", visitor)
        with outcomes.lock:
            outcomes.acknowledged["chat turns"] += 1
            outcomes.conversations.add(conversation)
        if vote and reply["action"] == "answer":
            try:
                status, got, data = request(port, "POST", "/api/v1/feedback",
                                            {"message_id": reply["message_id"], "helpful": True}, headers)  # fmt: skip
            except OSError:
                outcomes.failed_to_connect()
                continue
            outcomes.saw(status, got, data)
            if status in (200, 201):
                with outcomes.lock:
                    outcomes.acknowledged["votes"] += 1


def editor_client(port, outcomes, until, token, article_id):
    """Edit one article again and again, each time on its current revision, until `until`."""
    headers = {"Authorization": f"Bearer {token}"}
    edit = 0
    while time.monotonic() < until:
        try:
            status, got, data = request(port, "GET", f"/api/v1/staff/articles/{article_id}", None, headers)
            if status != 200:
                outcomes.saw(status, got, data)
                continue
            fields = json.loads(data)
            edit += 1
            body = {"title": fields["title"], "category": fields["category"], "questions": fields["questions"],
                    "body": f"{fields['body']}\n\nEdit {edit}.", "base_revision": fields["revision"]}  # fmt: skip
            status, got, data = request(port, "PUT", f"/api/v1/staff/articles/{article_id}", body, headers)
        except OSError:
            outcomes.failed_to_connect()
            continue
        outcomes.saw(status, got, data)
        if status == 200:
            with outcomes.lock:
                outcomes.acknowledged["revisions"] += 1


def run_clients(targets):
    threads = [threading.Thread(target=target, args=args) for target, args in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


PREPARED = {}  # a synced and indexed SQLite instance, made once and copied for each scenario


def prepared_instance(workdir, database_url=None):
    """The environment of an instance holding the sample help center, synced and indexed."""
    env = environment(workdir, database_url)
    if "template" not in PREPARED:
        template = PREPARED["template"] = Path(tempfile.mkdtemp(prefix="kbbot-faults-template-"))
        template_env = environment(template)
        run(template_env, "sync", str(ROOT / "articles"))
        run(template_env, "index")
    if database_url is not None:
        # An import of its own; the same import gives the same entry ids, so the template's index
        # needs no entry embedded again.
        shutil.copytree(PREPARED["template"] / "index", workdir / "index")
        run(env, "sync", str(ROOT / "articles"))
        run(env, "index")
        return env
    source, target = (
        sqlite3.connect(PREPARED["template"] / "kbbot.sqlite3"),
        sqlite3.connect(workdir / "kbbot.sqlite3"),
    )
    source.backup(target)  # its WAL included
    source.close()
    target.close()
    shutil.copytree(PREPARED["template"] / "index", workdir / "index")
    return env


def row_count(database_url, table):
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
    finally:
        engine.dispose()


def lost_rows(database_url, outcomes, revisions_before=0):
    """Acknowledged writes missing from the database (chat turns: 2 messages each)."""
    messages = row_count(database_url, "messages")
    lost = max(0, 2 * outcomes.acknowledged["chat turns"] - messages)
    lost += max(0, outcomes.acknowledged["votes"] - row_count(database_url, "feedback"))
    if outcomes.acknowledged["revisions"]:
        lost += max(
            0, revisions_before + outcomes.acknowledged["revisions"] - row_count(database_url, "revisions")
        )
    return lost


# -- scenarios -------------------------------------------------------------------------


def small_articles(workdir):
    """Two versions (A, B) of a few sample folders, every body different."""
    versions = {}
    for version in "AB":
        directory = versions[version] = workdir / f"articles-{version}"
        for folder in SMALL_ARTICLES:
            for path in (ROOT / "articles" / folder).glob("*.md"):
                target = directory / folder / path.name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(path.read_text().rstrip("\n") + f"\n\nVersion {version}.\n")
    return versions


class RandomKiller:
    """Runs a command and SIGKILLs it at a moment drawn uniformly over how long the command takes (a
    running estimate: the machine's load changes)."""

    def __init__(self, duration, seed=20):
        self.duration, self.pick, self.finished = duration, random.Random(seed), 0

    def run(self, command, env):
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        started = time.monotonic()
        try:
            process.wait(timeout=self.pick.uniform(0, self.duration))
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGKILL)
            process.wait()
        else:  # it finished first: it takes less than thought
            self.finished += 1
            self.duration = (self.duration + time.monotonic() - started) / 2


def articles_state(database):
    """({slug: version letter}, {slug: revisions}, problems found: integrity, an article apart from its
    current revision)."""
    connection = sqlite3.connect(database)
    try:
        problems = 0 if connection.execute("PRAGMA integrity_check").fetchone() == ("ok",) else 1
        rows = connection.execute(
            "SELECT a.slug, a.body, a.content_hash = r.content_hash, "
            "(SELECT count(*) FROM revisions WHERE article_id = a.id) FROM articles a JOIN revisions r "
            "ON r.article_id = a.id AND r.number = (SELECT max(number) FROM revisions WHERE article_id = a.id)"
        ).fetchall()
    finally:
        connection.close()
    problems += sum(1 for _, _, same, _ in rows if not same)
    return (
        {slug: body.rstrip()[-2] for slug, body, _, _ in rows},
        {slug: n for slug, _, _, n in rows},
        problems,
    )


def kill_sync(workdir, kills, minutes):
    versions = small_articles(workdir)
    env = environment(workdir)
    started = time.monotonic()
    run(env, "sync", str(versions["A"]))
    duration = time.monotonic() - started
    letters, revisions, corrupt = articles_state(workdir / "kbbot.sqlite3")
    lost = half = 0
    killer, ends = RandomKiller(duration), time.monotonic() + 60 * minutes
    runs = 0
    for kill in range(kills):
        if time.monotonic() > ends:
            break
        runs += 1
        target = "BA"[kill % 2]
        killer.run(kbbot("sync", str(versions[target])), env)
        now, now_revisions, problems = articles_state(workdir / "kbbot.sqlite3")
        corrupt += problems
        lost += len(letters.keys() - now.keys()) + sum(
            max(0, revisions[slug] - now_revisions.get(slug, 0)) for slug in revisions
        )
        half += len(set(now.values())) > 1  # some articles at one version, others at the other
        letters, revisions = now, now_revisions
    return {
        "scenario": "`kill -9` of `kbbot sync` at a random moment",
        "runs": runs,
        "failures": "n/a",
        "corrupt": corrupt,
        "lost": lost + half,
        "notes": f"each run re-imports {len(letters)} articles (a new revision each); "
        f"{killer.finished} finished before the kill; a run took {duration:.1f} s here at first",
    }


def kill_index(workdir, kills, minutes):
    versions = small_articles(workdir)
    env = environment(workdir)
    run(env, "sync", str(versions["A"]))
    started = time.monotonic()
    run(env, "index", "--full")
    duration = time.monotonic() - started
    encoder = load_encoder()
    corrupt = replaced = 0
    manifest = (workdir / "index" / "manifest.json").read_bytes()
    killer, ends = RandomKiller(duration), time.monotonic() + 60 * minutes
    runs = 0
    for _ in range(kills):
        if time.monotonic() > ends:
            break
        runs += 1
        killer.run(kbbot("index", "--full"), env)
        try:
            DenseIndex.load(workdir / "index", encoder.name, encoder.dimension)
        except (IndexCorrupt, IndexMissing):
            corrupt += 1
        now = (workdir / "index" / "manifest.json").read_bytes()
        replaced += now != manifest
        manifest = now
    leftovers = len(list((workdir / "index").glob("dense-*.faiss")))
    return {
        "scenario": "`kill -9` of `kbbot index --full` at a random moment",
        "runs": runs,
        "failures": "n/a",
        "corrupt": corrupt,
        "lost": 0,
        "notes": f"{replaced} runs had saved a new index before the kill ({killer.finished} finished); "
        f"{leftovers} index file(s) left; a run took {duration:.1f} s here at first (mostly loading the model)",
    }


def load_on_sqlite(workdir, seconds):
    env = prepared_instance(workdir)
    outcomes = Outcomes()
    with Gunicorn(env, workdir) as server:
        until = time.monotonic() + seconds
        run_clients([(chat_client, (server.port, outcomes, until, n)) for n in range(8)])
    return {
        "scenario": f"8 clients asking, 2 gunicorn workers, SQLite, {seconds:.0f} s",
        "runs": sum(outcomes.statuses.values()),
        "failures": outcomes.failures,
        "corrupt": 0,
        "lost": lost_rows(env["KBBOT_DATABASE_URL"], outcomes),
        "notes": f"statuses {dict(outcomes.statuses)}",
    }


def writers_on_sqlite(workdir, seconds):
    env = prepared_instance(workdir)
    run(
        env,
        "user",
        "create",
        "editor@example.com",
        "--role",
        "editor",
        "--password-stdin",
        stdin="a long bench password\n",
    )
    token = run(env, "token", "create", "editor@example.com", "--name", "bench").stdout.strip()
    url = env["KBBOT_DATABASE_URL"]
    revisions_before = row_count(url, "revisions")
    engine = create_engine(url)
    with engine.connect() as connection:
        articles = connection.execute(text("SELECT id FROM articles ORDER BY id LIMIT 2")).scalars().all()
    engine.dispose()
    outcomes = Outcomes()
    with Gunicorn(env, workdir) as server:
        until = time.monotonic() + seconds
        clients = [(chat_client, (server.port, outcomes, until, n, True)) for n in range(6)]
        clients += [(editor_client, (server.port, outcomes, until, token, article)) for article in articles]
        run_clients(clients)
    locked = (workdir / "gunicorn.log").read_text().count("database is locked")
    return {
        "scenario": f"8 writers (6 chatting and voting, 2 editing), 2 workers, SQLite, {seconds:.0f} s",
        "runs": sum(outcomes.statuses.values()),
        "failures": outcomes.failures,
        "corrupt": 0,
        "lost": lost_rows(url, outcomes, revisions_before),
        "notes": f'{dict(outcomes.acknowledged)} acknowledged; "database is locked" in the log: {locked}',
    }


def outage(workdir, seconds, server, env):
    """8 chat clients for `seconds`; `server` is stopped a third of the way in and started again 5 s later."""
    outcomes = Outcomes()
    with Gunicorn(env, workdir) as gunicorn:
        until = time.monotonic() + seconds
        clients = threading.Thread(
            target=run_clients, args=([(chat_client, (gunicorn.port, outcomes, until, n)) for n in range(8)],)
        )
        clients.start()
        time.sleep(seconds / 3)
        server.stop()
        time.sleep(5)
        server.start()
        clients.join()
        after = request(gunicorn.port, "POST", "/api/v1/chat", {"message": "I forgot my password"})[0]
    return outcomes, after


def postgres_restart(workdir, seconds):
    server = PostgresServer()
    try:
        server.start()
        env = prepared_instance(workdir, server.url)
        outcomes, after = outage(workdir, seconds, server, env)
        lost = lost_rows(server.url, outcomes)
    finally:
        server.remove()
    return {
        "scenario": f"PostgreSQL stopped (fast shutdown) and started 5 s later, 8 clients, {seconds:.0f} s",
        "runs": sum(outcomes.statuses.values()),
        "failures": outcomes.unclean,
        "corrupt": 0,
        "lost": lost,
        "notes": f"statuses {dict(outcomes.statuses)} (503s with Retry-After); after: {after}, no app restart",
    }


def redis_restart(workdir, seconds):
    server = RedisServer()
    try:
        server.start()
        env = prepared_instance(workdir)
        env.update(
            KBBOT_RATE_LIMIT_STORAGE=server.url,
            KBBOT_RATE_LIMIT_PER_VISITOR="100000/minute",
            KBBOT_RATE_LIMIT_PER_ADDRESS="100000/minute",
        )
        outcomes, after = outage(workdir, seconds, server, env)
    finally:
        server.stop()
    return {
        "scenario": f"Redis stopped and started 5 s later, 8 clients, {seconds:.0f} s",
        "runs": sum(outcomes.statuses.values()),
        "failures": outcomes.failures,
        "corrupt": 0,
        "lost": lost_rows(env["KBBOT_DATABASE_URL"], outcomes),
        "notes": f"statuses {dict(outcomes.statuses)}: requests go through unlimited meanwhile; after: {after}",
    }


def mounted_small_disk(directory):
    directory.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(directory)], capture_output=True
    )
    return done.returncode == 0


def full_disk(workdir):
    disk = workdir / "small-disk"
    if not mounted_small_disk(disk):
        return None
    try:
        versions = small_articles(workdir)
        env = environment(workdir)
        env["KBBOT_INDEX_DIR"] = str(disk / "index")
        run(env, "sync", str(versions["A"]))
        run(env, "index")
        before = (disk / "index" / "manifest.json").read_bytes()
        run(env, "sync", str(versions["B"]))
        fill_disk(disk)
        index = run(env, "index", check=False)
        export = run(env, "export", str(disk / "export"), check=False)
        encoder = load_encoder()
        try:
            DenseIndex.load(disk / "index", encoder.name, encoder.dimension)
            loads = (disk / "index" / "manifest.json").read_bytes() == before
        except IndexCorrupt:
            loads = False
        asked = run(env, "ask", "how do I reset my password", check=False)
    finally:
        subprocess.run(["umount", str(disk)], check=False)
    clear = [
        done.returncode == 1 and "No space left on device" in done.stderr and "Traceback" not in done.stderr
        for done in (index, export)
    ]
    return {
        "scenario": "a full disk during `kbbot index` and `kbbot export`",
        "runs": 2,
        "failures": clear.count(False),
        "corrupt": 0 if loads else 1,
        "lost": 0,
        "notes": f"index: “{index.stderr.strip().splitlines()[-1]}”; export: “{export.stderr.strip().splitlines()[0]}”; "
        f"the previous index still loads: {loads}; `kbbot ask` still answers: {asked.returncode == 0}",
    }


def answer(port, question):
    """The chat API's reply to `question`, the links in it made independent of the server's port."""
    body = request(port, "POST", "/api/v1/chat", {"message": question})[2].decode()
    return json.loads(body.replace(f"127.0.0.1:{port}", "kbbot.example"))


def backup_and_restore(workdir):
    live = workdir / "live"
    live.mkdir()
    env = prepared_instance(live)
    questions = QUESTIONS[:20]
    with Gunicorn(env, live) as server:
        before = [answer(server.port, question) for question in questions]
        run(env, "backup", str(workdir / "backup"))  # while serving
    restored = workdir / "restored"
    restored.mkdir()
    restored_env = environment(restored)
    run(restored_env, "init")
    run(restored_env, "restore", "--yes", str(workdir / "backup"))
    kept = row_count(restored_env["KBBOT_DATABASE_URL"], "messages")
    with Gunicorn(restored_env, restored) as server:
        after = [answer(server.port, question) for question in questions]
    keys = ("action", "answer", "confidence", "sources")
    different = sum(1 for a, b in zip(before, after) if [a[k] for k in keys] != [b[k] for k in keys])
    return {
        "scenario": "`kbbot backup` of a serving instance, `kbbot restore` into a new one",
        "runs": len(questions),
        "failures": different,
        "corrupt": 0,
        "lost": max(0, 2 * len(questions) - kept),
        "notes": f"the same {len(questions)} questions asked after the restore: answers that differ "
        f"(action, text, confidence, sources): {different}; messages restored: {kept} of {2 * len(questions)}",
    }


# -- the table ---------------------------------------------------------------------------


def table(rows):
    lines = [
        "Measured with `python bench/faults.py` on this project's 2-core machine while other work shared it "
        "(the load average when each scenario ended is in its notes). *Failures seen by users*: responses a "
        "client got as 5xx or no response at all (for the outages: anything but a 503 with Retry-After); "
        "*corrupt loads*: databases failing `PRAGMA integrity_check` or holding an article apart from its "
        "current revision, indexes refused by their manifest check; *lost rows*: acknowledged writes missing "
        "from the database afterwards, revisions gone, or a sync applied to some articles and not others.",
        "",
        "| scenario | runs | failures seen by users | corrupt loads | lost rows | notes |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row['scenario']} | {row['runs']} | {row['failures']} | {row['corrupt']} | {row['lost']} "
            f"| {row['notes']}; load average {row['load']:.1f} |"
        )
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=100, help="kill -9 runs of each command")
    parser.add_argument(
        "--kill-minutes", type=float, default=120, help="stop killing a command after this long (fewer runs)"
    )
    parser.add_argument("--seconds", type=float, default=30, help="length of the load and outage runs")
    parser.add_argument(
        "--writer-seconds", type=float, default=60, help="length of the concurrent writers run"
    )
    parser.add_argument("--only", nargs="*", help="run only these scenarios (function names)")
    parser.add_argument(
        "--save-rows", type=Path, help="also append each scenario's row to this JSON Lines file"
    )
    parser.add_argument(
        "--from-rows", type=Path, help="run nothing: make the table of the rows saved in this file"
    )
    parser.add_argument("--no-write", action="store_true", help="Print only; leave docs/benchmarks.md alone.")
    args = parser.parse_args()
    if args.from_rows:
        rows = [json.loads(line) for line in args.from_rows.read_text().splitlines()]
        return finish(table(rows), args)
    scenarios = {
        "load_on_sqlite": lambda w: load_on_sqlite(w, args.seconds),
        "writers_on_sqlite": lambda w: writers_on_sqlite(w, args.writer_seconds),
        "postgres_restart": lambda w: postgres_restart(w, args.seconds) if postgres_program("initdb") else None,
        "redis_restart": lambda w: redis_restart(w, args.seconds) if shutil.which("redis-server") else None,
        "full_disk": full_disk,
        "backup_and_restore": backup_and_restore,
        "kill_sync": lambda w: kill_sync(w, args.kills, args.kill_minutes),
        "kill_index": lambda w: kill_index(w, args.kills, args.kill_minutes),
    }
    rows = []
    for name, scenario in scenarios.items():
        if args.only and name not in args.only:
            continue
        with tempfile.TemporaryDirectory() as workdir:
            started = time.monotonic()
            row = scenario(Path(workdir))
        if row is not None:
            row["load"] = os.getloadavg()[0]
            rows.append(row)
            print(f"{name}: {row} ({time.monotonic() - started:.0f} s)", file=sys.stderr, flush=True)
            if args.save_rows:
                with args.save_rows.open("a") as saved:
                    saved.write(json.dumps(row) + "\n")
    if "template" in PREPARED:
        shutil.rmtree(PREPARED["template"])
    finish(table(rows), args)


def finish(lines, args):
    print("\n".join(lines))
    if not args.no_write:
        for document in (sections.BENCHMARKS, SECURITY):  # the guarantees' page quotes the figures
            sections.replace_section(document, "faults", lines)


if __name__ == "__main__":
    main()
