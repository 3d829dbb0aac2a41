"""The dense index: entry vectors in FAISS, persisted atomically with a JSON manifest.

Files under the index directory:
- `manifest.json`: format, model, dimension, count, content generation, the
  name and SHA-256 of the FAISS file, and each entry id's content hash.
- `dense-<token>.faiss`: the FAISS index in FAISS's own binary format.

- `.lock`: taken by each save (exclusive) and load (shared), so processes
  saving at once (web workers, `kbbot index`) take turns and a load never
  reads a manifest whose index file another save is removing.

The FAISS file is written under a fresh name and fsynced before the manifest
is atomically replaced, so a crash at any point (`kill -9` included) leaves
either the old or the new index, never a mix; the next save removes what a
killed one left. A save that fails (a full disk) leaves the old index as it
was. Nothing is unpickled: the manifest is JSON and the index file is checked
against its hash before FAISS reads it.
"""

import contextlib
import fcntl
import hashlib
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np

from ..errors import IndexCorrupt, IndexMissing, IndexNotSaved
from ..files import write_atomically
from . import ann

MANIFEST_NAME = "manifest.json"
LOCK_NAME = ".lock"
FORMAT_VERSION = 1


@contextlib.contextmanager
def _locked(directory: Path, exclusive: bool):
    """Hold the index directory's lock (released by the system if the process dies). A reader of a
    directory it may not write to reads without it."""
    try:
        descriptor = os.open(directory / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    except PermissionError:
        if exclusive:
            raise
        yield
        return
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        yield
    finally:
        os.close(descriptor)


@dataclass
class UpdateCounts:
    """What an incremental update did, in entries (and encoder calls made)."""

    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    embedded: int = 0


class DenseIndex:
    """Inner-product search over L2-normalized vectors, keyed by chunk id.

    Exact search (a flat store) up to `hnsw_from` entries, an HNSW graph from there on (`ann`): flat
    answers in milliseconds at help-center sizes and needs no build, HNSW keeps answering in about a
    millisecond past tens of thousands of entries.
    """

    def __init__(self, dimension: int, model_name: str, generation: int = 0, hnsw_from: int | None = None):
        self.dimension = dimension
        self.model_name = model_name
        self.generation = generation
        self.hnsw_from = hnsw_from
        self.hashes: dict[int, str] = {}
        self.changes = 0  # counts adds and removals, so a rebuild made meanwhile can tell it is stale
        self._store = ann.FlatStore(dimension)

    def __len__(self):
        return len(self._store)

    @property
    def kind(self):
        """ "flat" or "hnsw"."""
        return self._store.kind

    def add(self, ids, vectors: np.ndarray, hashes):
        """Add vectors, shape (n, dimension), for chunk ids not yet in the index."""
        if len(ids) == 0:
            return
        if len(self) == 0:  # a first fill: straight into the store its size wants
            self._store = self._store_for(len(ids))
        self._store.add(ids, np.ascontiguousarray(vectors, dtype=np.float32))
        self.hashes.update(zip(map(int, ids), hashes))
        self.changes += 1

    def remove(self, ids):
        if len(ids) == 0:
            return
        self._store.remove(ids)
        for entry_id in ids:
            self.hashes.pop(int(entry_id), None)
        self.changes += 1

    def vectors(self, ids) -> np.ndarray:
        """The stored vectors of `ids`, shape (len(ids), dimension)."""
        if len(ids) == 0:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.vstack([self._store.vector(entry_id) for entry_id in ids])

    def search(self, query: np.ndarray, k: int):
        """The k nearest entries of one query vector: (ids, cosine similarities), best first."""
        k = min(k, len(self))
        if k == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        return self._store.search(query.astype(np.float32), k)

    def _store_for(self, count):
        """An empty store of the kind `count` entries want."""
        return ann.new_store(ann.kind_for(count, self.hnsw_from), self.dimension)

    @property
    def needs_rebuild(self):
        """Whether the store is of the wrong kind for its size (with some slack, so that an index
        near `hnsw_from` does not flip at each edit) or crowded with tombstones."""
        count = len(self)
        if self._store.kind == ann.FLAT:
            return ann.kind_for(count, self.hnsw_from) == ann.HNSW
        too_small = ann.kind_for(count * 2, self.hnsw_from) == ann.FLAT
        return too_small or self._store.tombstones > ann.REBUILD_SHARE * (count + self._store.tombstones)

    def snapshot(self):
        """(ids, their vectors, their hashes, changes): what `rebuilt` needs, read at once (under the
        caller's lock)."""
        ids = self._store.ids()
        return ids, self.vectors(ids), dict(self.hashes), self.changes

    def rebuilt(self, snapshot):
        """A new index with the entries of `snapshot`, in the store its size wants, with no
        tombstones; slow for HNSW (seconds to minutes), so callers run it outside their lock."""
        ids, vectors, hashes, changes = snapshot
        index = DenseIndex(self.dimension, self.model_name, self.generation, self.hnsw_from)
        index._store = self._store_for(len(ids))
        if ids:
            index._store.add(ids, np.ascontiguousarray(vectors, dtype=np.float32))
        index.hashes = hashes
        index.changes = changes
        return index

    def update(self, desired: dict[int, tuple[str, str]], encode, replaced=None) -> UpdateCounts:
        """Make the index hold exactly `desired` ({id: (content_hash, text)}) in place of the ids
        `replaced` (None: in place of every id it holds); the ids it holds outside `replaced` stay.

        Only entries whose content hash is new are passed to `encode` (texts ->
        vectors); an entry that only changed id (its article was re-chunked)
        keeps its vector.
        """
        counts = UpdateCounts()
        held = self.hashes if replaced is None else {i: self.hashes[i] for i in replaced if i in self.hashes}
        stale = [entry_id for entry_id, old in held.items() if desired.get(entry_id, (None,))[0] != old]
        reusable = {}
        if stale:
            for entry_id, vector in zip(stale, self.vectors(stale)):
                reusable.setdefault(self.hashes[entry_id], vector)
        changed_ids = {entry_id for entry_id in stale if entry_id in desired}
        counts.removed = len(stale) - len(changed_ids)
        self.remove(stale)

        new = [entry_id for entry_id in desired if entry_id not in self.hashes]
        to_embed = [entry_id for entry_id in new if desired[entry_id][0] not in reusable]
        vectors = (
            dict(zip(to_embed, encode([desired[entry_id][1] for entry_id in to_embed]))) if to_embed else {}
        )
        counts.embedded = len(to_embed)
        if new:
            stacked = np.vstack(
                [vectors.get(entry_id, reusable.get(desired[entry_id][0])) for entry_id in new]
            )
            self.add(new, stacked, [desired[entry_id][0] for entry_id in new])
        counts.updated = len(changed_ids)
        counts.added = len(new) - counts.updated
        counts.unchanged = len(self) - len(new)
        return counts

    def save(self, directory: Path):
        """Write the index and its manifest atomically under `directory`.

        Raises `IndexNotSaved` when the files cannot be written (the index saved before is unchanged).
        """
        directory = Path(directory)
        data = faiss.serialize_index(self._store.index).tobytes()
        index_name = f"dense-{secrets.token_hex(8)}.faiss"
        manifest = {
            "format": FORMAT_VERSION,
            "model": self.model_name,
            "dimension": self.dimension,
            "count": len(self),
            "generation": self.generation,
            "index_file": index_name,
            "sha256": hashlib.sha256(data).hexdigest(),
            "entries": {str(entry_id): content_hash for entry_id, content_hash in self.hashes.items()},
            **self._store.manifest(),
        }
        try:
            directory.mkdir(parents=True, exist_ok=True)
            with _locked(directory, exclusive=True):
                write_atomically(directory / index_name, data)
                write_atomically(directory / MANIFEST_NAME, json.dumps(manifest).encode())
                # What this save replaced, and what a save killed half-way left (under the lock, no
                # other save is writing).
                for old in [*directory.glob("dense-*.faiss"), *directory.glob(".*.tmp")]:
                    if old.name != index_name:
                        old.unlink(missing_ok=True)
        except OSError as e:
            raise IndexNotSaved(
                f"cannot save the index in {directory}: {e.strerror or e}; the index saved before is unchanged"
            ) from e

    @classmethod
    def load(cls, directory: Path, model_name: str, dimension: int, hnsw_from=None) -> "DenseIndex":
        """The index saved under `directory`; raises `IndexCorrupt` saying why it cannot be used.
        `hnsw_from`: the size from which the loaded index wants HNSW (`needs_rebuild`)."""
        directory = Path(directory)
        manifest_path = directory / MANIFEST_NAME
        if not manifest_path.is_file():
            raise IndexMissing(f"no index manifest at {manifest_path}")
        with _locked(directory, exclusive=False):
            index = cls._read(directory, manifest_path, model_name, dimension)
        index.hnsw_from = hnsw_from
        return index

    @classmethod
    def _read(cls, directory, manifest_path, model_name, dimension):
        manifest = _read_manifest(manifest_path)
        if manifest.stamp != (FORMAT_VERSION, model_name, dimension):
            raise IndexCorrupt(
                f"index was built with model {manifest.stamp[1]!r} (dimension {manifest.stamp[2]}),"
                f" format {manifest.stamp[0]}; configured: {model_name!r} (dimension {dimension})"
            )
        index_path = directory / manifest.index_name
        data = _index_bytes(index_path, manifest.sha256)
        try:
            faiss_index = faiss.deserialize_index(np.frombuffer(data, dtype=np.uint8))
        except RuntimeError as e:
            raise IndexCorrupt(f"FAISS cannot read {index_path}: {e}") from e
        store = (
            ann.HnswStore(dimension, faiss_index, manifest.labels)
            if manifest.kind == ann.HNSW
            else ann.FlatStore(dimension, faiss_index)
        )
        stored = len(manifest.labels) if manifest.kind == ann.HNSW else manifest.count
        if (
            faiss_index.ntotal != stored
            or set(store.ids()) != set(manifest.hashes)
            or manifest.count != len(manifest.hashes)
            or faiss_index.d != dimension
        ):
            raise IndexCorrupt(
                f"index file {index_path} holds {faiss_index.ntotal} vectors, manifest says {manifest.count}"
            )
        index = cls(dimension, model_name, manifest.generation)
        index._store = store
        index.hashes = manifest.hashes
        return index


@dataclass(frozen=True)
class _Manifest:
    """What a saved index's manifest says: (format, model, dimension) it was made with, its file,
    {entry id: content hash}, the content generation, the store's kind and HNSW labels."""

    stamp: tuple
    index_name: str
    sha256: str | None
    count: int
    generation: int
    hashes: dict
    kind: str
    labels: list


def _read_manifest(manifest_path: Path) -> _Manifest:
    """The manifest at `manifest_path`; IndexCorrupt when it cannot be read or parsed."""
    try:
        manifest = json.loads(manifest_path.read_bytes())
        return _Manifest(
            stamp=(manifest["format"], manifest["model"], manifest["dimension"]),
            index_name=Path(str(manifest["index_file"])).name,
            sha256=manifest.get("sha256"),
            count=int(manifest["count"]),
            generation=int(manifest["generation"]),
            hashes={int(k): str(v) for k, v in manifest["entries"].items()},
            kind=manifest.get("kind", ann.FLAT),
            labels=[int(label) for label in manifest.get("labels", ())],
        )
    except OSError as e:
        raise IndexCorrupt(f"cannot read index manifest {manifest_path}: {e.strerror}") from e
    except (ValueError, KeyError, TypeError, AttributeError) as e:
        raise IndexCorrupt(f"unreadable index manifest {manifest_path}: {e}") from e


def _index_bytes(index_path: Path, sha256):
    """The index file's bytes; IndexCorrupt when it cannot be read or does not match `sha256`."""
    try:
        data = index_path.read_bytes()
    except OSError as e:
        raise IndexCorrupt(f"cannot read index file {index_path}: {e.strerror}") from e
    if hashlib.sha256(data).hexdigest() != sha256:
        raise IndexCorrupt(f"index file {index_path} does not match its manifest checksum")
    return data


def saved_generation(directory: Path):
    """The content generation of the index saved under `directory`, or None when none can be read:
    a process that has the same generation in memory need not write the same index again."""
    try:
        return _read_manifest(Path(directory) / MANIFEST_NAME).generation
    except IndexCorrupt:
        return None


def saved_index_holds(
    directory: Path, model_name: str, dimension: int, hashes: dict[int, str], generation: int
):
    """Whether the index saved under `directory` was made by `model_name` (vectors of `dimension`) for exactly `hashes` ({entry
    id: content hash}) at content `generation`, its file intact: then there is nothing to embed or
    save. Read from the manifest and the file's checksum, without FAISS or the model."""
    directory = Path(directory)
    try:
        with _locked(directory, exclusive=False):
            manifest = _read_manifest(directory / MANIFEST_NAME)
            _index_bytes(directory / manifest.index_name, manifest.sha256)
    except (OSError, IndexCorrupt):
        return False  # missing or unreadable: `DenseIndex.load` says why when the index is rebuilt
    return (
        manifest.stamp == (FORMAT_VERSION, model_name, dimension)
        and manifest.generation == generation
        and manifest.hashes == hashes
    )


def copy_index(source: Path, target: Path):
    """Copy the index saved under `source` to `target` (checked on the way, saved atomically); nothing
    when `source` holds none."""
    try:
        manifest = json.loads((Path(source) / MANIFEST_NAME).read_bytes())
        model_name, dimension = manifest["model"], manifest["dimension"]
    except FileNotFoundError:
        return
    except (ValueError, KeyError, TypeError) as e:
        raise IndexCorrupt(f"unreadable index manifest in {source}: {e}") from e
    DenseIndex.load(source, model_name, dimension).save(target)
