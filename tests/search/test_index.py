import json
import multiprocessing

import numpy as np
import pytest

from kbbot import files
from kbbot.errors import IndexCorrupt, IndexNotSaved
from kbbot.search.index import MANIFEST_NAME, DenseIndex

DIMENSION = 8


def unit_vectors(n, seed=0):
    vectors = np.random.default_rng(seed).normal(size=(n, DIMENSION)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


class CountingEncoder:
    """Deterministic vectors per text; records how many texts it was asked to embed."""

    def __init__(self):
        self.texts = []

    def __call__(self, texts):
        self.texts += texts
        return np.vstack([unit_vectors(1, seed=sum(map(ord, text)))[0] for text in texts])


@pytest.fixture
def saved(tmp_path):
    index = DenseIndex(DIMENSION, "test-model", generation=3)
    index.add([1, 2, 3], unit_vectors(3), ["h1", "h2", "h3"])
    index.save(tmp_path)
    return index


def test_save_and_load_round_trip(tmp_path, saved):
    loaded = DenseIndex.load(tmp_path, "test-model", DIMENSION)
    assert len(loaded) == 3
    assert loaded.generation == 3
    assert loaded.hashes == {1: "h1", 2: "h2", 3: "h3"}
    np.testing.assert_allclose(loaded.vectors([2]), saved.vectors([2]))
    ids, scores = loaded.search(saved.vectors([3])[0], 2)
    assert ids[0] == 3 and scores[0] == pytest.approx(1.0, abs=1e-5)


def test_manifest_records_model_dimension_count_and_generation(tmp_path, saved):
    manifest = json.loads((tmp_path / MANIFEST_NAME).read_text())
    assert (manifest["model"], manifest["dimension"], manifest["count"], manifest["generation"]) == (
        "test-model", DIMENSION, 3, 3,
    )


def test_a_missing_index_is_reported(tmp_path):
    with pytest.raises(IndexCorrupt, match="no index manifest"):
        DenseIndex.load(tmp_path, "test-model", DIMENSION)


def test_a_corrupted_index_file_is_refused(tmp_path, saved):
    index_file = next(tmp_path.glob("dense-*.faiss"))
    data = bytearray(index_file.read_bytes())
    data[-10] ^= 0xFF
    index_file.write_bytes(bytes(data))
    with pytest.raises(IndexCorrupt, match="checksum"):
        DenseIndex.load(tmp_path, "test-model", DIMENSION)


def test_a_garbled_manifest_is_refused(tmp_path, saved):
    (tmp_path / MANIFEST_NAME).write_text("{not json")
    with pytest.raises(IndexCorrupt, match="unreadable index manifest"):
        DenseIndex.load(tmp_path, "test-model", DIMENSION)


def test_an_index_from_another_model_is_refused(tmp_path, saved):
    with pytest.raises(IndexCorrupt, match="other-model"):
        DenseIndex.load(tmp_path, "other-model", DIMENSION)
    with pytest.raises(IndexCorrupt, match="dimension"):
        DenseIndex.load(tmp_path, "test-model", DIMENSION * 2)


@pytest.mark.parametrize("failing_call", ["fsync", "replace"])
def test_a_crash_while_saving_leaves_the_previous_index_usable(tmp_path, saved, monkeypatch, failing_call):
    changed = DenseIndex(DIMENSION, "test-model", generation=4)
    changed.add([9], unit_vectors(1, seed=9), ["h9"])

    def crash(*args):
        raise OSError("disk gone")

    monkeypatch.setattr(files.os, failing_call, crash)
    with pytest.raises(IndexNotSaved, match="disk gone"):
        changed.save(tmp_path)
    monkeypatch.undo()

    loaded = DenseIndex.load(tmp_path, "test-model", DIMENSION)
    assert loaded.generation == 3 and len(loaded) == 3
    assert not list(tmp_path.glob(".*.tmp"))


def test_update_embeds_only_new_or_changed_content():
    index = DenseIndex(DIMENSION, "test-model")
    encode = CountingEncoder()
    first = index.update({1: ("a", "text a"), 2: ("b", "text b")}, encode)
    assert (first.added, first.embedded) == (2, 2)

    encode.texts.clear()
    second = index.update({1: ("a", "text a"), 2: ("b2", "text b changed"), 3: ("c", "text c")}, encode)
    assert encode.texts == ["text b changed", "text c"]
    assert (second.added, second.updated, second.unchanged, second.removed) == (1, 1, 1, 0)

    encode.texts.clear()
    third = index.update({1: ("a", "text a")}, encode)
    assert encode.texts == []
    assert third.removed == 2
    assert sorted(index.hashes) == [1]


def test_update_reuses_the_vector_of_content_that_only_moved():
    index = DenseIndex(DIMENSION, "test-model")
    encode = CountingEncoder()
    index.update({1: ("a", "text a")}, encode)
    encode.texts.clear()
    index.update({7: ("a", "text a")}, encode)
    assert encode.texts == []
    assert list(index.hashes) == [7]
    np.testing.assert_allclose(index.vectors([7])[0], encode(["text a"])[0], rtol=1e-6)


def test_saving_removes_superseded_index_files(tmp_path, saved):
    saved.add([4], unit_vectors(1, seed=4), ["h4"])
    saved.save(tmp_path)
    assert len(list(tmp_path.glob("dense-*.faiss"))) == 1
    assert len(DenseIndex.load(tmp_path, "test-model", DIMENSION)) == 4


def _whole_index(generation):
    """An index whose size and hashes name its generation, so that a mix of two saves shows."""
    index = DenseIndex(DIMENSION, "test-model", generation=generation)
    count = 10 * (generation + 1)
    index.add(list(range(1, count + 1)), unit_vectors(count, seed=generation), [f"g{generation}"] * count)
    return index


def _save_repeatedly(directory, generation, saves):
    index = _whole_index(generation)
    for _ in range(saves):
        index.save(directory)


def test_processes_saving_at_once_take_turns_and_a_reader_always_loads_a_whole_index(tmp_path):
    """Two processes (say `kbbot index` and a web worker after an edit) saving the same directory
    while a third loads it: without the directory lock, one save removes the file the other's
    manifest names, and the load fails."""
    _whole_index(0).save(tmp_path)
    fork = multiprocessing.get_context("fork")
    savers = [fork.Process(target=_save_repeatedly, args=(tmp_path, generation, 40)) for generation in (1, 2)]
    for saver in savers:
        saver.start()
    generations = set()
    while any(saver.is_alive() for saver in savers):
        loaded = DenseIndex.load(tmp_path, "test-model", DIMENSION)
        assert len(loaded) == 10 * (loaded.generation + 1)
        assert set(loaded.hashes.values()) == {f"g{loaded.generation}"}
        generations.add(loaded.generation)
    for saver in savers:
        saver.join()
        assert saver.exitcode == 0
    assert generations & {1, 2}
    assert len(list(tmp_path.glob("dense-*.faiss"))) == 1 and not list(tmp_path.glob(".*.tmp"))


def test_past_its_size_the_index_is_an_hnsw_graph_that_finds_what_flat_search_finds(tmp_path):
    vectors = unit_vectors(300, seed=7)
    flat, graph = DenseIndex(DIMENSION, "test-model"), DenseIndex(DIMENSION, "test-model", hnsw_from=200)
    for index in (flat, graph):
        index.add(list(range(1, 301)), vectors, ["h"] * 300)
    assert (flat.kind, graph.kind) == ("flat", "hnsw")
    for query in unit_vectors(20, seed=8):
        assert list(graph.search(query, 10)[0]) == list(flat.search(query, 10)[0])
    assert DenseIndex(DIMENSION, "test-model", hnsw_from=400).kind == "flat"


def test_an_hnsw_index_removes_by_tombstones_kept_across_a_save_until_a_rebuild(tmp_path):
    index = DenseIndex(DIMENSION, "test-model", hnsw_from=10)
    index.add(list(range(1, 101)), unit_vectors(100), [f"h{n}" for n in range(1, 101)])
    query = index.vectors([1])[0]  # a removed entry's own vector: it must not come back
    index.remove(list(range(1, 16)))
    assert 1 not in index.search(query, 10)[0] and len(index.search(query, 10)[0]) == 10
    assert len(index) == 85 and not index.needs_rebuild  # 15 % tombstones: under the rebuild share

    index.save(tmp_path)
    loaded = DenseIndex.load(tmp_path, "test-model", DIMENSION, hnsw_from=10)
    assert loaded.kind == "hnsw" and len(loaded) == 85 and set(loaded.hashes) == set(range(16, 101))
    assert list(loaded.search(query, 10)[0]) == list(index.search(query, 10)[0])

    loaded.remove(list(range(16, 26)))  # 25 of 100 stored are tombstones now
    assert loaded.needs_rebuild
    rebuilt = loaded.rebuilt(loaded.snapshot())
    assert rebuilt.kind == "hnsw" and len(rebuilt) == 75 and not rebuilt.needs_rebuild
    assert list(rebuilt.search(query, 10)[0]) == list(loaded.search(query, 10)[0])


def test_a_flat_index_grown_past_the_size_wants_a_rebuild_into_hnsw_and_back_when_it_shrinks():
    index = DenseIndex(DIMENSION, "test-model", hnsw_from=50)
    index.add(list(range(1, 41)), unit_vectors(40), ["h"] * 40)
    assert index.kind == "flat" and not index.needs_rebuild
    index.add(list(range(41, 61)), unit_vectors(20, seed=1), ["h"] * 20)
    assert index.needs_rebuild
    graph = index.rebuilt(index.snapshot())
    assert graph.kind == "hnsw" and graph.hashes == index.hashes
    graph.remove(list(range(1, 40)))  # 21 left: under half the size, so flat again
    assert graph.needs_rebuild and graph.rebuilt(graph.snapshot()).kind == "flat"
