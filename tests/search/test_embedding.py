"""The encoder, with the real model: its model read on first use, inputs cut to a number of word pieces
with every backend, batches sorted by length, bulk encodes that report their progress, and its
backends and devices."""

import logging
import sys

import numpy as np
import pytest
import torch

from kbbot.errors import ModelError
from kbbot.search import embedding
from kbbot.search.backends import resolve_backend, resolve_device
from kbbot.search.embedding import length_sorted_batches, load_encoder

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
