"""The model's transformer run by ONNX Runtime: about 1.7 times the speed of PyTorch on a CPU, or
3 times int8-quantized (docs/benchmarks.md, "Encoder backends").

The ONNX file is exported from the local sentence-transformers model with PyTorch's own exporter,
once, into a cache directory, and reused after: nothing is downloaded. (sentence-transformers'
`backend="onnx"` needs optimum-onnx, whose releases require transformers < 4.58 while
sentence-transformers 6 requires transformers 5.) Only the transformer is exported: tokenizing,
pooling and normalizing stay the model's own sentence-transformers modules, so the vectors are the
model's whatever its pooling.
"""

import hashlib
import os
import tempfile
import warnings
from pathlib import Path

import numpy as np

from ..errors import ModelError


def require_runtime():
    """Raise a ModelError that says what to install when ONNX Runtime or ONNX is missing."""
    try:
        import onnx  # noqa: F401 (the exporter and the quantizer write it)
        import onnxruntime  # noqa: F401
    except ImportError as e:
        raise ModelError(
            f"the onnx embedding backends need onnxruntime and onnx ({e}): "
            "pip install -c constraints.txt onnxruntime onnx, or set KBBOT_EMBEDDING_BACKEND=torch"
        ) from e


def model_fingerprint(model_path: Path) -> str:
    """A short digest of the model directory's files (names, sizes, modification times), so an
    exported file is never used for other weights."""
    digest = hashlib.sha256(str(model_path.resolve()).encode())
    for file in sorted(p for p in model_path.rglob("*") if p.is_file()):
        stat = file.stat()
        digest.update(f"{file.relative_to(model_path)}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


def onnx_file(model, model_path: Path, cache_dir: Path, quantization=None) -> Path:
    """The model's transformer as an ONNX file in `cache_dir`, exported (and int8-quantized when
    `quantization` is "int8") on first use; written atomically, so processes exporting at once
    never read half a file."""
    directory = Path(cache_dir) / f"{model_path.name}-{model_fingerprint(model_path)}"
    plain = directory / "model.onnx"
    target = directory / f"model-{quantization}.onnx" if quantization else plain
    if target.is_file():
        return target
    directory.mkdir(parents=True, exist_ok=True)
    if not plain.is_file():
        _write_atomically(plain, lambda path: _export(model, path))
    if quantization:
        _write_atomically(target, lambda path: _quantize(plain, path))
    return target


def _write_atomically(target, write):
    handle, temporary = tempfile.mkstemp(dir=target.parent, suffix=".onnx.tmp")
    os.close(handle)
    try:
        write(temporary)
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def _export(model, path):
    """Export the transformer (token ids in, token embeddings out) with dynamic batch and length."""
    import torch

    transformer = model[0].auto_model
    features = model.preprocess(["an example question", "a"])
    names = [name for name in ("input_ids", "attention_mask", "token_type_ids") if name in features]

    class TokenEmbeddings(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.transformer = transformer

        def forward(self, *inputs):
            return self.transformer(**dict(zip(names, inputs))).last_hidden_state

    axes = {name: {0: "batch", 1: "tokens"} for name in [*names, "token_embeddings"]}
    # The tracer warns that some shapes are traced as constants: the dynamic axes cover them.
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            TokenEmbeddings().eval(),
            tuple(features[name] for name in names),
            path,
            input_names=names,
            output_names=["token_embeddings"],
            dynamic_axes=axes,
            opset_version=17,
            dynamo=False,
        )


def _quantize(source, path):
    # Per-channel weights keep the vectors closest to the float model's (cosine 0.99 on average).
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(str(source), path, weight_type=QuantType.QInt8, per_channel=True)


class OnnxEmbedder:
    """Embeds a batch of texts: the model's tokenizer, the transformer in ONNX Runtime, then the
    model's own pooling and normalization. Runs on the CPU with as many threads as PyTorch is set
    to use (`kbbot.threads.use_threads`), read at each call."""

    def __init__(self, model, path: Path):
        self._model = model
        self._path = path
        self._session, self._threads = None, None
        self._current_session()  # now: a bad file shows at load, not at the first question

    def _current_session(self):
        import onnxruntime
        import torch

        threads = torch.get_num_threads()
        if self._session is None or threads != self._threads:
            options = onnxruntime.SessionOptions()
            options.intra_op_num_threads = threads
            options.inter_op_num_threads = 1
            self._session = onnxruntime.InferenceSession(
                str(self._path), options, providers=["CPUExecutionProvider"]
            )
            self._threads = threads
        return self._session

    def __call__(self, texts) -> np.ndarray:
        """L2-normalized float32 vectors, shape (len(texts), dimension)."""
        import torch

        session = self._current_session()
        features = self._model.preprocess(list(texts))
        inputs = {item.name: features[item.name].numpy() for item in session.get_inputs()}
        features["token_embeddings"] = torch.from_numpy(session.run(None, inputs)[0])
        with torch.inference_mode():
            for module in list(self._model)[1:]:
                features = module(features)
        return features["sentence_embedding"].numpy()
