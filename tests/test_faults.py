"""Faults: `kill -9` of `kbbot sync` and `kbbot index` and a full disk lose nothing and corrupt nothing.

A few kills here; bench/faults.py kills each command 100 times at random moments and prints the
figures (docs/security.md).
"""

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

from bench.fault_injection import fill_disk
from kbbot.search.embedding import load_encoder
from kbbot.search.index import DenseIndex
from tests.helpers import ROOT, SUPPORT_ARTICLES, write_article

DIMENSION = 8


def unit_vectors(n, seed):
    vectors = np.random.default_rng(seed).normal(size=(n, DIMENSION)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


# A process that saves a changed index and kills itself with SIGKILL at its `kill_at`-th file
# operation (opening, renaming or removing a file: Python's audit events), i.e. between any two
# steps of the save; exit status 0 when the save finished first.
SAVE_AND_DIE = textwrap.dedent(
    """
    import os, signal, sys
    import numpy as np
    from kbbot.search.index import DenseIndex

    directory, kill_at, dimension = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    index = DenseIndex.load(directory, "test-model", dimension)
    vectors = np.random.default_rng(kill_at).normal(size=(2, dimension)).astype(np.float32)
    start = max(index.hashes) + 1
    index.add([start, start + 1], vectors / np.linalg.norm(vectors, axis=1, keepdims=True), ["a", "b"])
    index.generation += 1
    seen = 0

    def die_at_the_chosen_step(event, args):
        global seen
        if event in ("open", "os.rename", "os.remove") and directory in str(args[0]):
            seen += 1
            if seen == kill_at:
                os.kill(os.getpid(), signal.SIGKILL)

    sys.addaudithook(die_at_the_chosen_step)
    index.save(directory)
    """
)


def test_kill_9_at_every_step_of_saving_the_index_leaves_a_whole_one(tmp_path):
    first = DenseIndex(DIMENSION, "test-model", generation=1)
    first.add([1, 2, 3], unit_vectors(3, seed=1), ["h1", "h2", "h3"])
    first.save(tmp_path)
    environment = dict(os.environ, PYTHONPATH=str(ROOT))
    killed = 0
    for kill_at in range(1, 30):
        before = DenseIndex.load(tmp_path, "test-model", DIMENSION)
        done = subprocess.run(
            [sys.executable, "-c", SAVE_AND_DIE, str(tmp_path), str(kill_at), str(DIMENSION)], env=environment
        )
        after = DenseIndex.load(tmp_path, "test-model", DIMENSION)  # never IndexCorrupt
        if done.returncode == 0:
            break
        assert done.returncode == -signal.SIGKILL
        killed += 1
        # Either the save before or this one, whole: its vectors and manifest agree (`load` checks).
        assert (after.generation, len(after)) in {
            (before.generation, len(before)),
            (before.generation + 1, len(before) + 2),
        }
    assert done.returncode == 0 and killed >= 6  # every step of a save was interrupted once
    assert len(list(tmp_path.glob("dense-*.faiss"))) == 1 and not list(tmp_path.glob(".*.tmp"))


def cli_environment(tmp_path):
    return dict(
        os.environ,
        PYTHONPATH=str(ROOT),
        KBBOT_DATABASE_URL=f"sqlite:///{tmp_path / 'kbbot.sqlite3'}",
        KBBOT_INDEX_DIR=str(tmp_path / "index"),
        KBBOT_INSTANCE_PATH=str(tmp_path / "instance"),
        KBBOT_ARTICLES_DIR=str(tmp_path / "articles"),
        KBBOT_SYNC_ON_FIRST_START="0",
        SECRET_KEY="test-secret",
    )


def kbbot(*arguments):
    return [sys.executable, "-c", "from kbbot.cli import main; main()", *arguments]


def two_versions_of_the_articles(tmp_path):
    """Directories A and B of the same articles, every body different: each sync between them
    writes a revision of every article."""
    versions = {}
    for version in ("A", "B"):
        directory = versions[version] = tmp_path / f"articles-{version}"
        for name, fields in SUPPORT_ARTICLES.items():
            fields = dict(fields)
            write_article(directory, name, f"{fields.pop('body')}\nVersion {version}.\n", **fields)
    return versions


def articles_state(database):
    """{slug: (version letter of the current body, revision count)}; checks each article against its
    current revision."""
    connection = sqlite3.connect(database)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        rows = connection.execute(
            "SELECT a.slug, a.body, a.content_hash, r.content_hash, "
            "(SELECT count(*) FROM revisions WHERE article_id = a.id) "
            "FROM articles a JOIN revisions r ON r.article_id = a.id "
            "AND r.number = (SELECT max(number) FROM revisions WHERE article_id = a.id)"
        ).fetchall()
    finally:
        connection.close()
    for slug, _, article_hash, revision_hash, _ in rows:
        assert article_hash == revision_hash, slug  # no article half-written apart from its revision
    return {slug: (body.rstrip()[-2], revisions) for slug, body, _, _, revisions in rows}


def run_and_kill(command, environment, seconds):
    """Start `command`, SIGKILL it after `seconds` unless it ended; its exit status."""
    process = subprocess.Popen(command, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        return process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGKILL)
        return process.wait()


def timed_run(command, environment):
    started = time.monotonic()
    subprocess.run(command, env=environment, check=True, capture_output=True)
    return time.monotonic() - started


@pytest.mark.parametrize("kills", [3])
def test_kill_9_of_kbbot_sync_loses_no_article_and_half_writes_none(tmp_path, kills):
    environment = cli_environment(tmp_path)
    versions = two_versions_of_the_articles(tmp_path)
    duration = timed_run(kbbot("sync", str(versions["A"])), environment)
    database = tmp_path / "kbbot.sqlite3"
    before = articles_state(database)
    pick = random.Random(20)
    for kill in range(kills):
        target = "B" if kill % 2 == 0 else "A"
        run_and_kill(kbbot("sync", str(versions[target])), environment, pick.uniform(0, duration))
        after = articles_state(database)
        assert after.keys() == before.keys()
        letters = {letter for letter, _ in after.values()}
        assert len(letters) == 1  # the whole sync or none of it
        for slug, (_, revisions) in after.items():
            assert revisions >= before[slug][1]  # no revision lost
        subprocess.run(kbbot("sync", str(versions[target])), env=environment, check=True, capture_output=True)
        before = articles_state(database)
        assert {letter for letter, _ in before.values()} == {target}


def test_kill_9_of_kbbot_index_leaves_an_index_that_loads(tmp_path):
    environment = cli_environment(tmp_path)
    versions = two_versions_of_the_articles(tmp_path)
    subprocess.run(kbbot("sync", str(versions["A"])), env=environment, check=True, capture_output=True)
    duration = timed_run(kbbot("index"), environment)
    encoder = load_encoder()
    pick = random.Random(20)
    for kill, target in enumerate("BAB"):
        subprocess.run(kbbot("sync", str(versions[target])), env=environment, check=True, capture_output=True)
        run_and_kill(kbbot("index"), environment, pick.uniform(duration / 3, duration * 1.2))
        loaded = DenseIndex.load(tmp_path / "index", encoder.name, encoder.dimension)  # never IndexCorrupt
        assert len(loaded) > 0
    assert len(list((tmp_path / "index").glob("dense-*.faiss"))) <= 2


@pytest.fixture
def full_disk(tmp_path):
    """A directory on a file system of 1 MiB (a tmpfs; mounting needs root), unmounted afterwards."""
    mount_point = tmp_path / "small-disk"
    mount_point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount_point)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small file system here: {mounted.stderr.decode().strip()}")
    yield mount_point
    subprocess.run(["umount", str(mount_point)], check=True)


def test_a_full_disk_during_kbbot_index_is_a_clear_error_and_the_previous_index_still_serves(
    tmp_path, full_disk
):
    environment = cli_environment(tmp_path)
    environment["KBBOT_INDEX_DIR"] = str(full_disk / "index")
    versions = two_versions_of_the_articles(tmp_path)
    subprocess.run(kbbot("sync", str(versions["A"])), env=environment, check=True, capture_output=True)
    subprocess.run(kbbot("index"), env=environment, check=True, capture_output=True)
    before = json.loads((full_disk / "index" / "manifest.json").read_text())
    subprocess.run(kbbot("sync", str(versions["B"])), env=environment, check=True, capture_output=True)
    fill_disk(full_disk)

    done = subprocess.run(kbbot("index"), env=environment, capture_output=True, text=True)
    assert done.returncode == 1
    assert "cannot save the index" in done.stderr and "No space left on device" in done.stderr
    assert "the index saved before is unchanged" in done.stderr and "Traceback" not in done.stderr
    assert json.loads((full_disk / "index" / "manifest.json").read_text()) == before
    encoder = load_encoder()
    assert len(DenseIndex.load(full_disk / "index", encoder.name, encoder.dimension)) == before["count"]
    asked = subprocess.run(
        kbbot("ask", "can I get my money back"), env=environment, capture_output=True, text=True
    )
    assert asked.returncode == 0 and "refunds" in asked.stdout  # served, from the index in memory


def test_a_full_disk_during_kbbot_export_is_a_clear_error(tmp_path, full_disk):
    environment = cli_environment(tmp_path)
    versions = two_versions_of_the_articles(tmp_path)
    subprocess.run(kbbot("sync", str(versions["A"])), env=environment, check=True, capture_output=True)
    fill_disk(full_disk)

    done = subprocess.run(
        kbbot("export", str(full_disk / "export")), env=environment, capture_output=True, text=True
    )
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "cannot write file: No space left on device" in done.stderr
    assert not list((full_disk / "export").rglob(".*.tmp"))  # no half-written file left behind
