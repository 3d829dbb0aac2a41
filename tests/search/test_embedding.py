"""The encoder: its model read on first use, inputs cut to a number of word pieces, bulk encodes that
report their progress."""

import logging

import numpy as np

from kbbot.search import embedding

TEXTS = [
    "Reset your password",
    "Click Forgot password on the sign-in page and follow the link we email you.",
    "Refunds",
    "Annual plans cancelled within 30 days get a full refund; monthly plans are not refunded.",
    "Connect Stripe under Settings, Payments.",
]


def test_a_new_encoder_knows_its_model_and_size_without_reading_the_model():
    encoder = embedding.load_encoder.__wrapped__()  # not the process's shared, maybe loaded, one
    assert (encoder.name, encoder.dimension, encoder.loaded) == ("all-MiniLM-L6-v2", 384, False)


def test_a_text_is_cut_after_its_first_word_pieces():
    encoder = embedding.load_encoder()
    tokenizer = encoder.load().tokenizer
    text = "please help me reset the password of my account " * 100
    cut = encoder.truncate(text, 16)
    assert text.startswith(cut) and len(tokenizer.tokenize(cut)) == 16
    assert encoder.truncate("reset my password", 16) == "reset my password"


def test_a_capped_encode_reads_only_the_first_word_pieces():
    encoder = embedding.load_encoder()
    long_question = "how do I reset my password " + "and also many other unrelated things " * 200
    capped = encoder.encode([long_question], max_word_pieces=8)
    assert np.allclose(capped, encoder.encode(["how do I reset my password and also"]), atol=1e-5)


def test_a_bulk_encode_in_batches_gives_each_text_its_own_vector_and_logs_progress(monkeypatch, caplog):
    encoder = embedding.load_encoder()
    whole = encoder.encode(TEXTS)
    monkeypatch.setattr(embedding, "PROGRESS_SECONDS", 0)
    with caplog.at_level(logging.INFO, logger="kbbot.search.embedding"):
        batched = encoder.encode(TEXTS, batch_size=2)
    assert np.allclose(batched, whole, atol=1e-5)
    messages = [record.getMessage() for record in caplog.records]
    assert messages[0].startswith("embedded 2 of 5 entries (") and "a second, about" in messages[0]
    assert messages[1].startswith("embedded 4 of 5 entries")
    assert messages[2].startswith("embedded 5 entries in ")
