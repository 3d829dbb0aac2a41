"""The encoder, with the real model: its model read on first use, inputs cut to a number of word pieces
with every backend, batches sorted by length, bulk encodes that report their progress, and its
backends and devices."""

import json
import logging
import shutil
import subprocess
import sys

import numpy as np
import pytest
import torch

from kbbot.errors import ModelError
from kbbot.search import embedding, onnx_encoder
from kbbot.search.backends import resolve_backend, resolve_device
from kbbot.search.embedding import default_model_path, length_sorted_batches, load_encoder
from tests.helpers import ROOT, with_onnx_file

TEXTS = [
    "refund",
    "How do I export my invoices to a spreadsheet at the end of the quarter?",
    "Reset a forgotten password",
    "Two-factor codes stop working after I changed phones; what can I do to sign in again?",
    "VAT",
]


def test_a_new_encoder_knows_its_model_and_size_without_reading_the_model(monkeypatch):
    monkeypatch.setattr(embedding, "_encoders", {})  # not the process's shared, maybe loaded, one
    encoder = load_encoder()
    assert (encoder.name, encoder.dimension, encoder.loaded) == ("all-MiniLM-L6-v2", 384, False)


def test_a_text_is_cut_after_its_first_word_pieces():
    encoder = load_encoder()
    tokenizer = encoder.load().tokenizer
    text = "please help me reset the password of my account " * 100
    cut = encoder.truncate(text, 16)
    assert text.startswith(cut) and len(tokenizer.tokenize(cut)) == 16
    assert encoder.truncate("reset my password", 16) == "reset my password"


@pytest.mark.parametrize("backend", ["torch", "onnx", "onnx-int8"])
def test_a_capped_encode_reads_only_the_first_word_pieces_with_every_backend(backend, tmp_path):
    encoder = load_encoder(backend=backend, device="cpu", cache_dir=tmp_path)
    long_question = "how do I reset my password " + "and also many other unrelated things " * 200
    capped = encoder.encode([long_question], max_word_pieces=8)
    assert np.allclose(capped, encoder.encode(["how do I reset my password and also"]), atol=1e-5)


def test_batches_take_every_text_once_longest_first():
    batches = length_sorted_batches(TEXTS, batch_size=2)
    assert [len(batch) for batch in batches] == [2, 2, 1]
    order = np.concatenate(batches)
    assert sorted(order) == list(range(len(TEXTS)))
    assert [len(TEXTS[i]) for i in order] == sorted((len(text) for text in TEXTS), reverse=True)


def test_a_bulk_encode_in_batches_gives_each_text_its_own_vector_and_logs_progress(monkeypatch, caplog):
    encoder = load_encoder(backend="torch", device="cpu")
    alone = np.stack([encoder.encode([text])[0] for text in TEXTS])
    monkeypatch.setattr(embedding, "PROGRESS_SECONDS", 0)
    with caplog.at_level(logging.INFO, logger="kbbot.search.embedding"):
        batched = encoder.encode(TEXTS, batch_size=2)
    np.testing.assert_allclose(batched, alone, atol=1e-5)
    messages = [record.getMessage() for record in caplog.records]
    assert messages[0].startswith("embedded 2 of 5 entries (") and "a second, about" in messages[0]
    assert messages[1].startswith("embedded 4 of 5 entries")
    assert messages[2].startswith("embedded 5 entries in ")


def test_onnx_gives_torchs_vectors_under_the_same_model_name(tmp_path):
    reference = load_encoder(backend="torch", device="cpu")
    encoder = load_encoder(backend="onnx", device="cpu", cache_dir=tmp_path)
    cosines = np.sum(encoder.encode(TEXTS) * reference.encode(TEXTS), axis=1)
    assert cosines.min() > 0.9999
    assert encoder.name == reference.name  # an index built by either serves both


def test_int8_vectors_are_close_but_name_a_model_of_their_own(monkeypatch, tmp_path):
    monkeypatch.setattr(embedding, "_encoders", {})
    encoder = load_encoder(backend="onnx-int8", device="cpu", cache_dir=tmp_path)
    assert (encoder.name, encoder.loaded) == ("all-MiniLM-L6-v2+int8", False)  # known before loading
    reference = load_encoder(backend="torch", device="cpu")
    cosines = np.sum(encoder.encode(TEXTS) * reference.encode(TEXTS), axis=1)
    assert cosines.mean() > 0.97
    assert encoder.name == reference.name + "+int8"  # so a torch-built index is rebuilt, not mixed


def test_the_onnx_file_is_exported_once_into_the_cache_and_reused(monkeypatch, tmp_path):
    monkeypatch.setattr(embedding, "_encoders", {})
    load_encoder(backend="onnx", device="cpu", cache_dir=tmp_path).load()
    [exported] = tmp_path.rglob("*.onnx")
    written = exported.stat().st_mtime_ns
    monkeypatch.setattr(embedding, "_encoders", {})
    load_encoder(backend="onnx", device="cpu", cache_dir=tmp_path).load()
    assert [exported] == list(tmp_path.rglob("*.onnx"))
    assert exported.stat().st_mtime_ns == written


def test_a_missing_onnx_runtime_says_what_to_install(monkeypatch, tmp_path):
    monkeypatch.setattr(embedding, "_encoders", {})
    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    with pytest.raises(ModelError, match="need onnxruntime and onnx.*KBBOT_EMBEDDING_BACKEND=torch"):
        load_encoder(backend="onnx", device="cpu", cache_dir=tmp_path).load()


def test_auto_device_is_the_gpu_only_when_torch_sees_one():
    assert resolve_device("auto", cuda_available=False) == "cpu"
    assert resolve_device("auto", cuda_available=True) == "cuda"
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert load_encoder(backend="torch").device == expected


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a GPU")
def test_cuda_without_a_gpu_is_refused_with_what_to_set():
    with pytest.raises(ModelError, match="KBBOT_DEVICE=cuda, but PyTorch sees no GPU.*KBBOT_DEVICE=cpu"):
        load_encoder(device="cuda").load()


def test_auto_backend_is_onnx_on_the_cpu_and_torch_on_a_gpu():
    assert resolve_backend("auto", "cpu") == "onnx"
    assert resolve_backend("auto", "cuda") == "torch"
    with pytest.raises(ModelError, match="runs on the CPU only"):
        resolve_backend("onnx-int8", "cuda")


# Short and long (past the model's 256 word pieces), unicode, markup, numbers, empty-ish.
VARIED_TEXTS = [
    *TEXTS,
    "",
    " ",
    "?",
    "\n\t",
    "a",
    "ok",
    "Où est ma facture ? Je ne la trouve plus dans l'espace client.",
    "Rechnungsübersicht für März – Gebühren, Steuern & Rabatte",
    "请问如何重置密码？",
    "パスワードを忘れました",
    "Привет, не могу войти в аккаунт",
    "emoji 🙂🚀 in a question 👍",
    "naïve café résumé façade",
    "ERROR SYNC-422: tax rate not mapped (code 0x1F)",
    "https://example.com/billing?invoice=123&year=2026",
    "<b>bold</b> and `code` and **markdown**",
    "1 2 3 4 5 6 7 8 9 10",
    "REFUND REFUND REFUND",
    "how do i cancel my subscription and get a refund for the unused months of my annual plan",
    "password " * 300,
    "The export runs every night and writes a CSV file of each invoice, its lines and its taxes. " * 20,
    " ".join(f"word{number}" for number in range(400)),
    "Ünïcödé " * 150,
]


def test_the_onnx_backend_loads_no_pytorch_model_and_gives_the_models_own_vectors(tmp_path):
    encoder = load_encoder(backend="onnx", device="cpu", cache_dir=tmp_path)
    assert isinstance(encoder.load(), onnx_encoder.OnnxModel)
    model = load_encoder(backend="torch", device="cpu").load()
    assert max(len(model.tokenizer.tokenize(text)) for text in VARIED_TEXTS) > 256  # past max_seq_length
    expected = model.encode(VARIED_TEXTS, batch_size=16, convert_to_numpy=True, show_progress_bar=False)
    assert np.abs(encoder.encode(VARIED_TEXTS) - expected).max() <= 1e-5
    alone = np.stack([encoder.encode([text])[0] for text in VARIED_TEXTS[-4:]])
    assert np.abs(alone - expected[-4:]).max() <= 1e-5  # padded in a batch or not


@pytest.mark.parametrize(
    "modes", [["mean"], ["cls"], ["max"], ["mean_sqrt_len_tokens"], ["cls", "mean", "max"]]
)
def test_each_pooling_mode_pools_as_sentence_transformers_does(modes):
    from sentence_transformers.sentence_transformer.modules import Pooling

    generator = np.random.default_rng(22)
    tokens = generator.standard_normal((3, 7, 5)).astype(np.float32)
    mask = np.array([[1] * 7, [1] * 4 + [0] * 3, [1] + [0] * 6], dtype=np.int64)
    pooling = Pooling(5, pooling_mode=modes[0] if len(modes) == 1 else tuple(modes))
    features = {"token_embeddings": torch.from_numpy(tokens), "attention_mask": torch.from_numpy(mask)}
    expected = pooling(features)["sentence_embedding"].numpy()
    found = np.concatenate([onnx_encoder._pool(mode, tokens, mask) for mode in modes], axis=1)
    np.testing.assert_allclose(found, expected, atol=1e-6)


def test_a_pooling_the_onnx_model_does_not_run_is_named_and_left_to_the_models_own_modules(
    monkeypatch, tmp_path
):
    """A model whose pooling OnnxModel does not run (here weighted mean) says so, and the ONNX backend
    then pools with the model's own modules: its vectors still the model's."""
    model_dir = tmp_path / "weighted-model"
    shutil.copytree(default_model_path(), model_dir, ignore=shutil.ignore_patterns("model.safetensors"))
    (model_dir / "model.safetensors").symlink_to(default_model_path() / "model.safetensors")
    config = json.loads((model_dir / "1_Pooling" / "config.json").read_text())
    config.update(pooling_mode_mean_tokens=False, pooling_mode_weightedmean_tokens=True)
    (model_dir / "1_Pooling" / "config.json").write_text(json.dumps(config))
    with pytest.raises(onnx_encoder.Unsupported, match="pooling mode weightedmean"):
        onnx_encoder.OnnxModel(model_dir, tmp_path / "unread.onnx")
    monkeypatch.setattr(embedding, "_encoders", {})
    encoder = load_encoder(model_dir, backend="onnx", device="cpu", cache_dir=tmp_path / "models")
    assert isinstance(encoder.load(), onnx_encoder.ModulesEmbedder)
    reference = load_encoder(model_dir, backend="torch", device="cpu").load()
    expected = reference.encode(TEXTS, convert_to_numpy=True, show_progress_bar=False)
    assert np.abs(encoder.encode(TEXTS) - expected).max() <= 1e-5


SERVING_PROBE = """
import json, sys
from kbbot.search.embedding import load_encoder

encoder = load_encoder(backend=sys.argv[2], device=sys.argv[3], cache_dir=sys.argv[1])
vectors = encoder.encode(json.loads(sys.argv[4]), max_word_pieces=64)
loaded = sorted({"torch", "transformers", "sentence_transformers", "sklearn", "scipy"} & set(sys.modules))
print(json.dumps({"vectors": vectors.tolist(), "loaded": loaded, "backend": encoder.backend}))
"""


@pytest.mark.parametrize("backend", ["onnx", "onnx-int8"])
def test_an_onnx_encoder_with_its_file_exported_imports_no_pytorch(backend, tmp_path):
    cache = with_onnx_file(tmp_path / "models")
    if backend == "onnx-int8":  # quantized in this process (PyTorch is loaded here already)
        model = load_encoder(backend="torch", device="cpu").load
        onnx_encoder.onnx_file(model, default_model_path(), cache, "int8")
    device = "cpu" if torch.cuda.is_available() else "auto"  # auto: the GPU check loads nothing either
    result = subprocess.run(
        [sys.executable, "-c", SERVING_PROBE, str(cache), backend, device, json.dumps(TEXTS)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.splitlines()[-1])
    assert (found["loaded"], found["backend"]) == ([], backend)
    in_process = load_encoder(backend=backend, device="cpu", cache_dir=cache).encode(
        TEXTS, max_word_pieces=64
    )
    np.testing.assert_allclose(np.array(found["vectors"]), in_process, atol=1e-5)
