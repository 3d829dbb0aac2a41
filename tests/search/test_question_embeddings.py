"""Stored question embeddings: each text is embedded once per model, then read from the database."""

import numpy as np
import pytest

from kbbot.search import question_embeddings
from tests.helpers import CountingEncoder


@pytest.fixture
def encoder():
    return CountingEncoder()


def test_only_texts_never_embedded_are_embedded(session, encoder):
    encode = question_embeddings.stored(session, "model-a", encoder)
    first = encode(["how do i get a refund", "do you accept paypal"])
    again = encode(["do you accept paypal", "can i pay with bitcoin", "how do i get a refund"])
    assert encoder.calls == [["how do i get a refund", "do you accept paypal"], ["can i pay with bitcoin"]]
    np.testing.assert_array_equal(again[0], first[1])
    np.testing.assert_array_equal(again[2], first[0])
    np.testing.assert_allclose(again[1], encoder.vector("can i pay with bitcoin"))


def test_stored_vectors_outlive_the_session_and_belong_to_their_model(app, session, encoder):
    question_embeddings.stored(session, "model-a", encoder)(["how do i get a refund"])
    session.close()
    assert question_embeddings.stored(session, "model-a", encoder)(["how do i get a refund"]).shape == (1, 8)
    question_embeddings.stored(session, "model-b", encoder)(["how do i get a refund"])
    assert encoder.calls == [["how do i get a refund"], ["how do i get a refund"]]


def test_nothing_to_embed_stores_nothing(session, encoder):
    assert question_embeddings.stored(session, "model-a", encoder)([]).shape == (0, 8)
    assert question_embeddings.stored(session, "model-a", encoder)(["a", "a"]).shape == (2, 8)
    assert encoder.calls == [[], ["a"]]
