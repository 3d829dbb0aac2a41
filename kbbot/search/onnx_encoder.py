"""The model's transformer run by ONNX Runtime: about 1.7 times the speed of PyTorch on a CPU, or
3 times int8-quantized (docs/benchmarks.md, "Encoder backends").

The ONNX file is exported from the local sentence-transformers model with PyTorch's own exporter,
once, into a cache directory, and reused after: nothing is downloaded. (sentence-transformers'
`backend="onnx"` needs optimum-onnx, whose releases require transformers < 4.58 while
sentence-transformers 6 requires transformers 5.) Only the transformer is exported.

Serving needs neither PyTorch nor sentence-transformers once the file exists (`OnnxModel`): the
model directory's tokenizer.json read by `tokenizers`, the transformer in ONNX Runtime, then the
pooling its 1_Pooling/config.json declares and the normalization modules.json lists, in NumPy: the
vectors of the model's own `encode` (max difference under 1e-5, tests/search/test_embedding.py).
Importing PyTorch, transformers and sentence-transformers was most of a warm start: `kbbot serve`
on the sample's current index answers /healthz in 3.5 s instead of 18.5 s, and a worker holds 300 MB
instead of 700 MB after its first question (docs/benchmarks.md, "Warm start without PyTorch"; 2
shared cores at load 6). A model whose modules are others (a Dense layer, a pooling mode not here)
keeps sentence-transformers' own modules around the file (`ModulesEmbedder`), as the export does.
"""

import hashlib
import json
import os
import tempfile
import warnings
from pathlib import Path

import numpy as np

from .. import threads
from ..errors import ModelError


def require_runtime(export=False):
    """Raise a ModelError that says what to install when ONNX Runtime (or, to `export`, ONNX) is missing."""
    try:
        import onnxruntime  # noqa: F401

        if export:
            import onnx  # noqa: F401 (the exporter and the quantizer write it)
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


def onnx_file(read_model, model_path: Path, cache_dir: Path, quantization=None) -> Path:
    """The model's transformer as an ONNX file in `cache_dir`, exported (and int8-quantized when
    `quantization` is "int8") on first use from the SentenceTransformer `read_model()` returns
    (called then only: it imports PyTorch); written atomically, so processes exporting at once never
    read half a file."""
    directory = Path(cache_dir) / f"{model_path.name}-{model_fingerprint(model_path)}"
    plain = directory / "model.onnx"
    target = directory / f"model-{quantization}.onnx" if quantization else plain
    if target.is_file():
        return target
    require_runtime(export=True)
    directory.mkdir(parents=True, exist_ok=True)
    if not plain.is_file():
        model = read_model()
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


class Unsupported(Exception):
    """The model directory declares modules `OnnxModel` does not run (the message says which)."""


# Pooling modes `OnnxModel` runs, by their names in sentence-transformers' Pooling configuration
# (its legacy `pooling_mode_*_tokens` keys, in the order sentence-transformers concatenates them).
LEGACY_POOLING_KEYS = {
    "pooling_mode_cls_token": "cls",
    "pooling_mode_max_tokens": "max",
    "pooling_mode_mean_tokens": "mean",
    "pooling_mode_mean_sqrt_len_tokens": "mean_sqrt_len_tokens",
    "pooling_mode_weightedmean_tokens": "weightedmean",
    "pooling_mode_lasttoken": "lasttoken",
}
POOLING_MODES = ("cls", "max", "mean", "mean_sqrt_len_tokens")


class _Session:
    """An ONNX Runtime session on the CPU with the model's threads (`kbbot.threads.model_threads`,
    read at each call: a new session when the count changed)."""

    def __init__(self, path: Path):
        self.path = path
        self._session, self._threads = None, None
        self.current()  # now: a bad file shows at load, not at the first question

    def current(self):
        import onnxruntime

        count = threads.model_threads()
        if self._session is None or count != self._threads:
            options = onnxruntime.SessionOptions()
            options.intra_op_num_threads = count  # 0: ONNX Runtime's default, a thread per core
            options.inter_op_num_threads = 1
            self._session = onnxruntime.InferenceSession(
                str(self.path), options, providers=["CPUExecutionProvider"]
            )
            self._threads = count
        return self._session


class Tokenizer:
    """The model's tokenizer (its tokenizer.json, in `tokenizers`), set as sentence-transformers sets
    it: truncated to the model's `max_seq_length`, each batch padded to its longest text.

    Set once here, never changed after: threads encoding at once share it."""

    def __init__(self, model_path: Path, max_length, lowercase):
        from tokenizers import Tokenizer as RustTokenizer
        from tokenizers import normalizers

        file = model_path / "tokenizer.json"
        if not file.is_file():
            raise Unsupported(f"no tokenizer.json in {model_path}")
        self.backend_tokenizer = tokenizer = RustTokenizer.from_file(str(file))
        settings = _json(model_path / "tokenizer_config.json", {})
        pad_token = settings.get("pad_token")
        pad_token = pad_token.get("content") if isinstance(pad_token, dict) else pad_token
        padding = tokenizer.padding or {}
        pad_token = pad_token or padding.get("pad_token")
        pad_id = tokenizer.token_to_id(pad_token) if pad_token else None
        if pad_id is None:
            raise Unsupported(f"the tokenizer in {model_path} names no padding token")
        tokenizer.no_padding()
        tokenizer.enable_padding(
            direction=settings.get("padding_side", "right"),
            pad_id=pad_id,
            pad_type_id=padding.get("pad_type_id", 0),
            pad_token=pad_token,
        )
        tokenizer.no_truncation()
        tokenizer.enable_truncation(
            max_length, strategy="longest_first", direction=settings.get("truncation_side", "right")
        )
        if lowercase:  # sentence_bert_config.json's do_lower_case, as sentence-transformers applies it
            tokenizer.normalizer = normalizers.Sequence(
                [normalizers.Lowercase(), *([tokenizer.normalizer] if tokenizer.normalizer else [])]
            )

    def tokenize(self, text):
        """The word pieces of `text`, without the special tokens."""
        return self.backend_tokenizer.encode(text, add_special_tokens=False).tokens

    def __call__(self, texts):
        """{input name: int64 array (texts, longest text's pieces)}: the batch's ids, mask and types."""
        encodings = self.backend_tokenizer.encode_batch(list(texts))
        return {
            "input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
            "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64),
        }


def _json(path, default=None):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        if default is None:
            raise Unsupported(f"no {path.name} in {path.parent}") from None
        return default


def _pooling_modes(config):
    """The pooling modes a 1_Pooling/config.json declares, in order, as sentence-transformers reads them."""
    modes = config.get("pooling_mode")
    if modes is None:
        modes = [mode for key, mode in LEGACY_POOLING_KEYS.items() if config.get(key) is True] or ["mean"]
    modes = [modes] if isinstance(modes, str) else list(modes)
    unsupported = [mode for mode in modes if mode not in POOLING_MODES]
    if unsupported:
        raise Unsupported(f"pooling mode {', '.join(unsupported)} (runs: {', '.join(POOLING_MODES)})")
    if config.get("include_prompt", True) is not True:
        raise Unsupported("a pooling that leaves the prompt out")
    return modes


def _max_length(model_path: Path):
    """The word pieces the model reads, as sentence-transformers sets them: sentence_bert_config.json's
    max_seq_length, else the tokenizer's maximum capped by the model's positions."""
    declared = _json(model_path / "sentence_bert_config.json", {})
    if declared.get("max_seq_length"):
        return int(declared["max_seq_length"]), bool(declared.get("do_lower_case"))
    limits = [
        _json(model_path / "tokenizer_config.json", {}).get("model_max_length"),
        _json(model_path / "config.json", {}).get("max_position_embeddings"),
    ]
    limits = [int(limit) for limit in limits if isinstance(limit, (int, float)) and 0 < limit < 1e9]
    if not limits:
        raise Unsupported(f"no maximum input length in {model_path}")
    return min(limits), bool(declared.get("do_lower_case"))


class OnnxModel:
    """The model without PyTorch: its tokenizer (`Tokenizer`), the exported transformer in ONNX
    Runtime (`path`), then the pooling its configuration declares and, when its modules.json lists
    Normalize, L2 normalization, in NumPy. Called with a batch of texts, it gives their float32
    vectors, shape (len(texts), dimension).

    Raises `Unsupported` for a model directory with other modules (a Dense layer, another pooling):
    `ModulesEmbedder` runs those with the model's own modules."""

    def __init__(self, model_path: Path, path: Path):
        modules = _json(model_path / "modules.json")
        kinds = [module.get("type", "").rsplit(".", 1)[-1] for module in modules]
        if (
            kinds[:2] != ["Transformer", "Pooling"]
            or set(kinds[2:]) - {"Normalize"}
            or modules[0].get("path")
        ):
            raise Unsupported(f"modules {', '.join(kinds)} (runs: Transformer, Pooling, Normalize)")
        pooling = _json(model_path / modules[1]["path"] / "config.json")
        self._modes = _pooling_modes(pooling)
        self._normalize = "Normalize" in kinds
        width = pooling.get("embedding_dimension") or pooling.get("word_embedding_dimension")
        if not width:
            raise Unsupported(f"no embedding dimension in {modules[1]['path']}/config.json")
        self._dimension = int(width) * len(self._modes)
        max_length, lowercase = _max_length(model_path)
        self.tokenizer = Tokenizer(model_path, max_length, lowercase)
        self._session = _Session(path)

    def get_embedding_dimension(self):
        return self._dimension

    def __call__(self, texts) -> np.ndarray:
        session = self._session.current()
        features = self.tokenizer(texts)
        inputs = {item.name: features[item.name] for item in session.get_inputs()}
        tokens = session.run(None, inputs)[0].astype(np.float32, copy=False)
        mask = features["attention_mask"]
        vectors = np.concatenate([_pool(mode, tokens, mask) for mode in self._modes], axis=1)
        if self._normalize:
            vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
        return vectors


def _pool(mode, tokens, mask):
    """sentence-transformers' Pooling `mode` of `tokens` (texts, pieces, width) over the pieces `mask` keeps."""
    if mode == "cls":  # the first piece kept (padding may come first)
        return tokens[np.arange(len(tokens)), mask.argmax(axis=1)]
    if mode == "max":
        return np.where(mask[:, :, None] == 0, -np.inf, tokens).max(axis=1).astype(np.float32)
    weights = mask[:, :, None].astype(np.float32)
    total = (tokens * weights).sum(axis=1, dtype=np.float32)
    count = np.maximum(weights.sum(axis=1), 1e-9)
    return total / (count if mode == "mean" else np.sqrt(count))


class ModulesEmbedder:
    """Embeds a batch of texts with the SentenceTransformer `model`'s own tokenizer, pooling and
    later modules around the transformer in ONNX Runtime: for models `OnnxModel` does not run
    (it imports PyTorch)."""

    def __init__(self, model, path: Path):
        self._model = model
        self._session = _Session(path)

    def __call__(self, texts) -> np.ndarray:
        """L2-normalized float32 vectors, shape (len(texts), dimension)."""
        import torch

        session = self._session.current()
        features = self._model.preprocess(list(texts))
        inputs = {item.name: features[item.name].numpy() for item in session.get_inputs()}
        features["token_embeddings"] = torch.from_numpy(session.run(None, inputs)[0])
        with torch.inference_mode():
            for module in list(self._model)[1:]:
                features = module(features)
        return features["sentence_embedding"].numpy()
