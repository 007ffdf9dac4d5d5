"""Loaders for the component benchmarks (NewsQuant, NAnCo, ECB+) in ../shared/benchmarks.

One place reads the shared data, so the three bench scripts and their tests agree on what an
item is. The directory is `../shared/benchmarks` next to the repository (CI clones the repo
beside a copy of shared/), overridden by `BRIEFING_BENCHMARKS` or a script's `--data`.
Nothing is copied into the repository; a missing directory raises `MissingData` with the
path, which scripts print and tests turn into a skip.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from briefing.config import get_settings
from briefing.headlines import guess_title
from briefing.models import Article

ROOT = Path(__file__).resolve().parents[1]


class MissingData(FileNotFoundError):
    """The shared benchmark data (or one of its files) is not where we looked."""


def bench_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """Where the shared benchmarks live: the override, else $BRIEFING_BENCHMARKS (the
    `benchmarks` setting), else ../shared. The bench scripts are entry points, so they read the
    process settings here."""
    chosen = override or get_settings().benchmarks or ROOT.parent / "shared" / "benchmarks"
    return Path(chosen)


def _need(path: Path) -> Path:
    if not path.exists():
        raise MissingData(f"benchmark data not found at {path} (set BRIEFING_BENCHMARKS or pass --data)")
    return path


# ---------------------------------------------------------------- NewsQuant


@dataclass(frozen=True)
class GoldQuantity:
    """One annotated quantity: a value (a pair for a range), its unit as written and normalised."""

    value: float | tuple[float, float]
    unit: str
    normalized_unit: str
    change: str


@dataclass(frozen=True)
class QuantSentence:
    text: str
    quantities: tuple[GoldQuantity, ...]


_RANGE = re.compile(r"^\s*(-?[\d.]+(?:[eE][-+]?\d+)?)\s*-\s*(-?[\d.]+(?:[eE][-+]?\d+)?)\s*$")


def parse_gold_value(raw: str) -> float | tuple[float, float]:
    """'12.5' -> 12.5; '3-5' -> (3.0, 5.0) (a range, compared end to end, as CQE does);
    '-2' and '1.99E-29' are single numbers."""
    m = _RANGE.match(raw)
    if m:
        return float(m.group(1)), float(m.group(2))
    return float(raw)


def load_newsquant(root: Path | None = None) -> list[QuantSentence]:
    """NewsQuant's 590 sentences with their gold quantities."""
    path = _need(bench_dir(root) / "newsquant" / "NewsQuant.json")
    out = []
    for r in json.loads(path.read_text(encoding="utf-8")):
        qs = tuple(
            GoldQuantity(parse_gold_value(q["value"]), q["unit"], q["normalized_unit"].lower(), q["change"])
            for q in r["quantities"]
        )
        out.append(QuantSentence(r["text"], qs))
    return out


# ---------------------------------------------------------------- NAnCo


NANCO_VALIDATION = ("Q2", "Q3", "Q5", "Q6")
NANCO_TEST = ("Q4", "Q7", "Q8", "Q9")


@dataclass(frozen=True)
class AnswerPair:
    """Two answers to one question from different news paragraphs; label 1 = they say the same thing."""

    qid: str
    question: str
    answer1: str
    paragraph1: str
    answer2: str
    paragraph2: str
    label: int


def load_nanco_pairs(root: Path | None = None, qids: tuple[str, ...] | None = None) -> list[AnswerPair]:
    """All answer pairs within each question (the authors' `load_nanco_pairs`), optionally some questions."""
    path = _need(bench_dir(root) / "nanco" / "nanco_dataset.json")
    pairs = []
    for group in json.loads(path.read_text(encoding="utf-8")):
        qid = group["answers"][0]["qid"]
        if qids is not None and qid not in qids:
            continue
        for a, b in itertools.combinations(group["answers"], 2):
            pairs.append(
                AnswerPair(qid, group["question"], a["Answer"], a["Paragraph"], b["Answer"], b["Paragraph"],
                           int(a["cluster_global"] == b["cluster_global"]))
            )
    return pairs


# ---------------------------------------------------------------- ECB+


@dataclass(frozen=True)
class EcbDoc:
    """One ECB+ article: its topic, its subtopic (one event) and the text as an Article."""

    topic: str
    subtopic: str  # "<topic>ecb" (the original ECB event) or "<topic>ecbplus" (the added one)
    article: Article


_NO_SPACE_BEFORE = re.compile(r" (?=[,.;:!?%)\]}”]|['’](?:s|re|ll|ve|d|m|t)\b|n't\b)")
_NO_SPACE_AFTER = re.compile(r"(?<=[(\[{$£€“]) |(?<=’) (?=(?:s|re|ll|ve|d|m|t)\b)")
_JOINED: list[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]]] = [
    (re.compile(r"(\d) , (\d{3})\b"), r"\1,\2"),  # "12 , 000"
    (re.compile(r"(\d) : (\d\d)\b"), r"\1:\2"),  # "4 : 59 PM"
    (re.compile(r"(\w) - (?=\w)"), r"\1-"),  # "90 - day court - ordered"
    (re.compile(r"\b(?:[A-Za-z] \. )+[A-Za-z] \.(?!\w)"), lambda m: m.group().replace(" ", "")),  # "p . m ." "U . S ."
]


def detokenize(tokens: list[str]) -> str:
    """Tokens of one sentence back to prose: spaces before punctuation and inside brackets undone,
    PTB quotes (`` '') made plain double quotes."""
    text = " ".join(tokens).replace("`` ", '"').replace(" ''", '"')
    for rx, rep in _JOINED:
        text = rx.sub(rep, text)
    text = _NO_SPACE_AFTER.sub("", text)
    text = _NO_SPACE_BEFORE.sub("", text)
    return text.replace("``", '"').replace("''", '"')


def _sentences(path: Path) -> list[tuple[int, list[str]]]:
    root = ET.parse(path).getroot()
    by: dict[int, list[str]] = defaultdict(list)
    for tok in root.iter("token"):
        by[int(tok.get("sentence", "0"))].append(tok.text or "")
    return sorted(by.items())


def _outlet(url: str) -> str | None:
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.") or None


def read_ecb_document(path: Path) -> EcbDoc:
    """An ECB+ XML file as an Article.

    `*ecbplus.xml`: sentence 0 is the URL (→ `url`, its host → `outlet`), 1 the headline
    (→ `title`, and the text's first line). Sentence 2 is the date only in most files (some
    have a sub-headline or the lead there), so it stays in the text and `published_at` is
    left unknown. `*ecb.xml` files carry no headline: the title is what our plain-text
    reader would guess (`guess_title`). Text: one sentence per line.
    """
    name = path.stem  # "1_10ecbplus"
    topic, rest = name.split("_", 1)
    plus = rest.endswith("ecbplus")
    raw = _sentences(path)
    sents = [detokenize(toks) for _, toks in raw]
    url = title = None
    if plus and len(sents) >= 2:
        url = "".join(raw[0][1])
        title = sents[1]
        body = sents[1:]
    else:
        body = sents
    text = "\n".join(s for s in body if s.strip())
    article = Article(
        id=name,
        title=title if title is not None else guess_title(text),
        outlet=_outlet(url) if url else None,
        url=url if url and url.startswith("http") else None,
        text=text,
        path=str(path),
    )
    return EcbDoc(topic, f"{topic}{'ecbplus' if plus else 'ecb'}", article)


def _doc_key(path: Path) -> tuple[int, int, str]:
    topic, rest = path.stem.split("_", 1)
    m = re.match(r"(\d+)(ecb(?:plus)?)$", rest)
    return (int(topic), int(m.group(1)) if m else 0, m.group(2) if m else rest)


@lru_cache(maxsize=4)
def _load_ecbplus(root: str) -> tuple[EcbDoc, ...]:
    base = _need(Path(root) / "ecbplus" / "ECB+")
    files = sorted(base.glob("*/*.xml"), key=_doc_key)
    return tuple(read_ecb_document(p) for p in files)


def load_ecbplus(root: Path | None = None) -> list[EcbDoc]:
    """All 982 ECB+ documents, ordered by topic, then document number (cached per directory)."""
    return list(_load_ecbplus(str(bench_dir(root))))


def by_subtopic(docs: list[EcbDoc]) -> dict[str, list[EcbDoc]]:
    """Subtopic ("1ecb", "1ecbplus", ...) → its documents, in topic order."""
    out: dict[str, list[EcbDoc]] = {}
    for d in docs:
        out.setdefault(d.subtopic, []).append(d)
    return out


def by_topic(docs: list[EcbDoc]) -> dict[str, list[EcbDoc]]:
    """Topic → its documents (both subtopics), in document order."""
    out: dict[str, list[EcbDoc]] = {}
    for d in docs:
        out.setdefault(d.topic, []).append(d)
    return out
