"""The encoder's backends and devices, and its batches sorted by length, with the real model."""

import sys

import numpy as np
import pytest
import torch

from kbbot.errors import ModelError
from kbbot.search import embedding
from kbbot.search.embedding import length_sorted_batches, load_encoder, resolve_backend, resolve_device

TEXTS = [
    "refund",
    "How do I export my invoices to a spreadsheet at the end of the quarter?",
    "Reset a forgotten password",
    "Two-factor codes stop working after I changed phones; what can I do to sign in again?",
    "VAT",
]


def test_batches_take_every_text_once_longest_first():
    batches = length_sorted_batches(TEXTS, batch_size=2)
    assert [len(batch) for batch in batches] == [2, 2, 1]
    order = np.concatenate(batches)
    assert sorted(order) == list(range(len(TEXTS)))
    assert [len(TEXTS[i]) for i in order] == sorted((len(text) for text in TEXTS), reverse=True)


def test_length_sorted_batches_keep_each_texts_vector_in_its_place():
    encoder = load_encoder(backend="torch", device="cpu")
    batched = encoder.encode(TEXTS, batch_size=2)
    alone = np.stack([encoder.encode([text])[0] for text in TEXTS])
    np.testing.assert_allclose(batched, alone, atol=1e-5)


def test_onnx_gives_torchs_vectors_under_the_same_model_name(tmp_path):
    reference = load_encoder(backend="torch", device="cpu")
    encoder = load_encoder(backend="onnx", device="cpu", cache_dir=tmp_path)
    cosines = np.sum(encoder.encode(TEXTS) * reference.encode(TEXTS), axis=1)
    assert cosines.min() > 0.9999
    assert encoder.name == reference.name  # an index built by either serves both


def test_int8_vectors_are_close_but_name_a_model_of_their_own(tmp_path):
    reference = load_encoder(backend="torch", device="cpu")
    encoder = load_encoder(backend="onnx-int8", device="cpu", cache_dir=tmp_path)
    cosines = np.sum(encoder.encode(TEXTS) * reference.encode(TEXTS), axis=1)
    assert cosines.mean() > 0.97
    assert encoder.name == reference.name + "+int8"  # so a torch-built index is rebuilt, not mixed


def test_the_onnx_file_is_exported_once_into_the_cache_and_reused(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(embedding, "_encoders", {})
    load_encoder(backend="onnx", device="cpu", cache_dir=tmp_path)
    [exported] = tmp_path.rglob("*.onnx")
    written = exported.stat().st_mtime_ns
    monkeypatch.setattr(embedding, "_encoders", {})
    load_encoder(backend="onnx", device="cpu", cache_dir=tmp_path)
    assert [exported] == list(tmp_path.rglob("*.onnx"))
    assert exported.stat().st_mtime_ns == written


def test_a_missing_onnx_runtime_says_what_to_install(monkeypatch, tmp_path):
    monkeypatch.setattr(embedding, "_encoders", {})
    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    with pytest.raises(ModelError, match="need onnxruntime and onnx.*KBBOT_EMBEDDING_BACKEND=torch"):
        load_encoder(backend="onnx", device="cpu", cache_dir=tmp_path)


def test_auto_device_is_the_gpu_only_when_torch_sees_one():
    assert resolve_device("auto", cuda_available=False) == "cpu"
    assert resolve_device("auto", cuda_available=True) == "cuda"
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert load_encoder(backend="torch").device == expected


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a GPU")
def test_cuda_without_a_gpu_is_refused_with_what_to_set():
    with pytest.raises(ModelError, match="KBBOT_DEVICE=cuda, but PyTorch sees no GPU.*KBBOT_DEVICE=cpu"):
        load_encoder(device="cuda")


def test_auto_backend_is_onnx_on_the_cpu_and_torch_on_a_gpu():
    assert resolve_backend("auto", "cpu") == "onnx"
    assert resolve_backend("auto", "cuda") == "torch"
    with pytest.raises(ModelError, match="runs on the CPU only"):
        resolve_backend("onnx-int8", "cuda")
