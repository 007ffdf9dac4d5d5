"""The attribution rule: do not state as fact what the sources only attribute.

If every cited sentence that backs a briefing sentence carries an attribution or hedge
("officials said", "according to", "reportedly", "sources say", "allegedly", "is believed to",
a direct quote), the briefing sentence must keep one too: a verb of saying, a hedge word, or
the speaker's name. Otherwise it is at best `partial`:

    evidence: "The minister reportedly resigned on Friday."
    sentence: "The minister resigned on Friday."
    -> "drops attribution: evidence says 'reportedly'"
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from briefing.lang.tokens import Token, tokenize

from .normalize import (
    STOPWORDS,
    content_words,
    norm_word,
    split_sentences,
    stem,
)

# Hedges that mark a statement as unconfirmed, wherever they stand.
HEDGE_WORDS = frozenset(
    "reportedly allegedly purportedly apparently supposedly ostensibly unconfirmed unverified rumoured rumored".split()
)
_HEDGE_PHRASES = re.compile(
    r"\b(?:according to"
    r"|(?:is|are|was|were|being|been)\s+(?:widely\s+)?(?:believed|thought|said|understood|reported|alleged|suspected"
    r"|rumou?red|claimed|described)\s+to"
    r"|it\s+(?:is|was)\s+(?:understood|believed|alleged|thought|claimed|reported)"
    r"|sources?\s+(?:say|says|said|told|close|familiar)"
    r"|(?:media|press)\s+reports?"
    r"|claims?\s+(?:that|to)"
    r"|reports?\s+(?:say|said|suggest(?:ed)?)"
    r")\b",
    re.IGNORECASE,
)
# Verbs that attribute a statement to a speaker ("X said", "said X").
SAY_VERBS = frozenset(
    """
    said says say told tells claimed insists insisted argued argues warned warns wrote writes tweeted posted added
    adds announced asserted asserts maintained maintains testified suggested suggests estimated estimates believes
    believe alleged alleges alleging contended contends stated states
    """.split()
)
# What a briefing sentence may use to keep the attribution.
KEEP_WORDS = SAY_VERBS | HEDGE_WORDS | frozenset(
    """
    according reported reports report sources source claims claim believed thought suspected accused
    accuses denied denies deny confirmed confirms confirm acknowledged admitted described
    appears appeared seems seemed may might could possibly likely probably unclear expected alleged
    quoted quoting cited citing spokesman spokeswoman spokesperson statement statements
    """.split()
)
_PRONOUNS = frozenset("he she they it we i you who one someone".split())


@dataclass(frozen=True, slots=True)
class Marker:
    """An attribution found in an evidence sentence."""

    snippet: str  # e.g. "Dmytro Usov said", "reportedly", "according to the army"
    speaker: frozenset[str]  # lowercased name/noun words of the speaker, if any


def _speaker_before(toks: tuple[Token, ...], v: int) -> list[Token]:
    out: list[Token] = []
    j = v - 1
    while j >= 0 and len(out) < 4:
        t = toks[j]
        if t.kind not in ("word", "acro", "alnum"):
            break
        out.insert(0, t)
        if t.text[0].islower() and norm_word(t.text) in STOPWORDS and norm_word(t.text) not in _PRONOUNS:
            out.pop(0)
            break
        j -= 1
    return out


def _speaker_after(toks: tuple[Token, ...], v: int) -> list[Token]:
    out: list[Token] = []
    j = v + 1
    while j < len(toks) and len(out) < 4:
        t = toks[j]
        if t.kind not in ("word", "acro", "alnum"):
            break
        if norm_word(t.text) in ("that", "on", "in", "at", "when", "after", "before", "while", "yesterday"):
            break
        out.append(t)
        j += 1
    # "said a spokesman" / "said Usov" / "told reporters" -> only keep if it looks like a speaker
    if out and (out[0].text[0].isupper() or norm_word(out[0].text) in ("a", "an", "the")):
        return out
    return []


@lru_cache(maxsize=8192)
def attribution_markers(sentence: str) -> tuple[Marker, ...]:
    """Attributions and hedges in one evidence sentence (empty when it states things as fact)."""
    toks = tokenize(sentence)
    low = [norm_word(t.text) for t in toks]
    found: list[Marker] = []
    for i, w in enumerate(low):
        if w in HEDGE_WORDS:
            found.append(Marker(toks[i].text, frozenset()))
        elif w in SAY_VERBS or (w == "reported" and (i + 1 < len(low) and low[i + 1] in ("that", ",") or
                                                      i > 0 and toks[i - 1].text[:1].isupper())):
            if w in ("states", "state", "believe", "estimates", "posted", "adds", "add") and not (
                i > 0 and toks[i - 1].kind == "word" and toks[i - 1].text[:1].isupper()
            ):
                continue  # too ambiguous without a named subject
            before = _speaker_before(toks, i)
            after = [] if before else _speaker_after(toks, i)
            speaker = before or after
            named = frozenset(
                norm_word(t.text) for t in speaker if norm_word(t.text) not in STOPWORDS and len(t.text) > 1
            )
            if before:
                snippet = sentence[before[0].start : toks[i].end]
            elif after:
                snippet = sentence[toks[i].start : after[-1].end]
            else:
                snippet = toks[i].text
            found.append(Marker(snippet, named))
    for m in _HEDGE_PHRASES.finditer(sentence):
        snippet = m.group()
        spk: frozenset[str] = frozenset()
        if snippet.lower().startswith("according to"):
            tail = tokenize(sentence[m.end() : m.end() + 60])
            source: list[Token] = []
            for t in tail:
                if t.kind not in ("word", "acro", "alnum"):
                    break
                source.append(t)
                if len(source) >= 4:
                    break
            if source:
                snippet = sentence[m.start() : m.end() + source[-1].end]
                spk = frozenset(
                    norm_word(t.text) for t in source if norm_word(t.text) not in STOPWORDS and len(t.text) > 1
                )
        found.append(Marker(snippet, spk))
    stripped = sentence.strip()
    if not found and stripped[:1] in "\"“" and stripped.count('"') + stripped.count("“") + stripped.count("”") >= 2:
        found.append(Marker("a direct quote", frozenset()))
    return tuple(found)


def keeps_attribution(sentence: str, markers: Sequence[Marker] = ()) -> bool:
    """Does the briefing sentence attribute or hedge (or name the speaker of one of `markers`)?"""
    toks = tokenize(sentence)
    words = {norm_word(t.text) for t in toks if t.kind in ("word", "acro", "alnum")}
    if words & KEEP_WORDS or _HEDGE_PHRASES.search(sentence):
        return True
    if sentence.count('"') >= 2 or ("“" in sentence and "”" in sentence):
        return True  # a quotation in the briefing sentence is itself an attribution
    for m in markers:
        if m.speaker and m.speaker & words:
            return True
    return False


def _content_stems(text: str) -> frozenset[str]:
    return frozenset(stem(t.text) for t in content_words(tokenize(text)))


def check_attribution(sentence: str, evidence: Sequence[str]) -> str | None:
    """A reason string when `sentence` states as fact what every backing evidence sentence attributes; else None.

    "Backing" evidence sentences are those sharing most of the sentence's content words. If any of them
    states the content plainly, the sentence may too.
    """
    claim = _content_stems(sentence)
    if not claim:
        return None
    scored: list[tuple[float, str]] = []
    for ev in evidence:
        for s, e in split_sentences(ev):
            text = ev[s:e]
            stems = _content_stems(text)
            if not stems:
                continue
            scored.append((len(claim & stems) / len(claim), text))
    if not scored:
        return None
    best = max(f for f, _ in scored)
    if best < 0.34:
        return None  # nothing in the evidence backs the sentence; coverage reports that instead
    backing = [t for f, t in scored if f >= max(0.34, best * 0.75)]
    markers: list[Marker] = []
    for text in backing:
        ms = attribution_markers(text)
        if not ms:
            return None  # some backing sentence states it as fact
        markers.extend(ms)
    if keeps_attribution(sentence, markers):
        return None
    return f"drops attribution: evidence says '{markers[0].snippet}'"
