"""Sentence embeddings: a model from a PyPI wheel, chosen by settings, vectors cached per text."""

import numpy as np
import pytest

from briefing.config import get_settings
from briefing.lang import embed


def test_a_paraphrase_is_closer_than_another_fact():
    killed, bodies, budget = embed.embed([
        "A warehouse fire in Dunmore killed three people.",
        "Firefighters recovered the bodies of three people from the burned warehouse.",
        "The town council approved next year's road budget.",
    ])
    assert killed @ bodies > killed @ budget + 0.3


def test_vectors_are_unit_length_and_rows_keep_the_input_order():
    texts = ["Two ships sank.", "Nine schools closed.", "Two ships sank."]
    vecs = embed.embed(texts)
    assert vecs.shape == (3, embed.load("wordllama").dim)
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)
    assert np.array_equal(vecs[0], vecs[2])
    assert np.array_equal(embed.embed(["Nine schools closed."])[0], vecs[1])


def test_a_text_is_embedded_once_per_process():
    embed.clear_cache()
    calls: list[int] = []
    model = embed.load("wordllama")
    original = model._encode

    def counting(texts: list[str]) -> np.ndarray:
        calls.append(len(texts))
        return original(texts)

    model._encode = counting
    try:
        embed.embed(["A dam gave way.", "A dam gave way.", "Rain fell."])
        embed.embed(["Rain fell.", "A dam gave way."])
    finally:
        model._encode = original
    assert calls == [2]


def test_the_model_is_chosen_by_settings(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("BRIEFING_EMBEDDING_MODEL", "no-such-model")
    get_settings.cache_clear()
    try:
        assert embed.model_name() == "no-such-model"
        with pytest.raises(embed.ModelMissing, match="wordllama"):
            embed.embed(["Rain fell."])
        monkeypatch.delenv("BRIEFING_EMBEDDING_MODEL")
        get_settings.cache_clear()
        assert embed.model_name() == "wordllama"  # the default: a core dependency
    finally:
        get_settings.cache_clear()
