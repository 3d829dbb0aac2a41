"""Where the engine's dense index comes from: loaded from the index directory or started over, and
rebuilt as the store its size wants (`DenseIndex.needs_rebuild`), in a thread of its own in a worker
so that answers go on from the old index meanwhile."""

import logging
import threading

from .. import db
from ..errors import IndexCorrupt, IndexMissing, IndexNotSaved
from .index import DenseIndex, saved_generation, saved_index_holds
from .knowledge_base import published_hashes

log = logging.getLogger(__name__)


class DenseIndexes:
    """The dense indexes of one engine: `encoder` names and sizes them, `index_dir` keeps them; an
    HNSW graph from `hnsw_from` entries on (None: always flat); rebuilt `in_background` or at once."""

    def __init__(self, encoder, index_dir, hnsw_from=None, in_background=False):
        self.encoder = encoder
        self.index_dir = index_dir
        self.hnsw_from = hnsw_from
        self.in_background = in_background
        self._rebuilding = None  # the thread rebuilding an index, if one runs

    def new(self):
        return DenseIndex(self.encoder.dimension, self.encoder.name, hnsw_from=self.hnsw_from)

    def load_or_start_over(self):
        """(the saved dense index, False), or (a new empty one to be filled, True) when it cannot be used."""
        try:
            return DenseIndex.load(
                self.index_dir, self.encoder.name, self.encoder.dimension, self.hnsw_from
            ), False
        except IndexMissing as e:
            log.info("building the dense index from the database: %s", e)
        except IndexCorrupt as e:
            log.warning("rebuilding the dense index from the database: %s", e)
        return self.new(), True

    def to_update(self, in_use, full):
        """(the dense index a refresh updates, whether it starts empty): a new one when `full`, else
        `in_use`, else the saved one (`load_or_start_over`)."""
        if full:
            return self.new(), True
        if in_use is None:
            return self.load_or_start_over()
        return in_use, False

    def saved_at(self, generation):
        """Whether the index saved is of content `generation`: another process that published it
        saved the same index already, so a worker catching up need not write it again."""
        return saved_generation(self.index_dir) == generation

    def saved_is_current(self, session):
        """Whether the index on disk holds the published entries as they are now, at the database's
        content generation: then a refresh would embed and save nothing. Neither the model nor the
        index is loaded to tell."""
        return saved_index_holds(
            self.index_dir,
            self.encoder.name,
            self.encoder.dimension,
            published_hashes(session),
            db.generation(session),
        )

    def rebuild(self, dense, lock, swap):
        """Rebuild `dense` without tombstones in the store its size wants; `swap(dense, rebuilt)`,
        called under `lock`, puts it in use and says whether it did (not when an edit changed `dense`
        meanwhile: the next refresh tries again); then it is saved. One rebuild at a time."""
        if self._rebuilding is not None and self._rebuilding.is_alive():
            return
        with lock:
            snapshot = dense.snapshot()

        def rebuild():
            rebuilt = dense.rebuilt(snapshot)
            with lock:
                if not swap(dense, rebuilt):
                    return
                try:
                    rebuilt.save(self.index_dir)
                except IndexNotSaved as e:
                    log.error("%s", e)
            log.info("dense index rebuilt: %s, %d entries", rebuilt.kind, len(rebuilt))

        if not self.in_background:
            return rebuild()
        self._rebuilding = threading.Thread(target=rebuild, name="kbbot-index-rebuild", daemon=True)
        self._rebuilding.start()

    def wait(self):
        """Return once a rebuild running in the background is done."""
        if self._rebuilding is not None:
            self._rebuilding.join()
