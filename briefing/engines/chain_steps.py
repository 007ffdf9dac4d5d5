"""The model's wording steps and code's checks on them: merge a corroborated point, write a headline and lead.

Each step renders one prompt file and asks `LLMClient.complete` for a short pydantic answer.
Whatever the model writes is then checked by code, and anything that fails a check is
replaced by the code result (the verbatim sentence, the extractive title, no lead) and
recorded in `dropped` with the reasons. The model never writes offsets, ids of sources or
citations: a merged point keeps the base point's citations and flags, a headline and lead
are checked against the citations of the points they summarise.

Checks on a merged point (`merge_problems`): a complete sentence; shorter than the base
sentence by a margin; every figure, named entity and attribution of the base sentence kept;
no content word the sentences do not have, and no subject-verb or verb-object link they do
not have (so the same words cannot tell another fact); no word beyond the base sentence's that
only one corroborating sentence has (one origin's detail told as corroborated); no hedge or
anonymous-source cue the point is not flagged for; the checker's verdict on its cited spans no
worse than the base sentence's, and every cited span that earns precision credit for the base
sentence still earning it. A headline and lead likewise add no content word to the points'
cited sentences and are checked by the checker, sentence by sentence.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel, Field, ValidationError

from briefing.checks import check_attribution, check_point, extract_quantities, spans_used, split_sentences
from briefing.claims import find_cues
from briefing.engines.chain_rules import RULES, HeadlineRules, MergeRules
from briefing.errors import LLMOutputError
from briefing.flags import CUE_FLAGS
from briefing.lang import nlp
from briefing.models import Citation, DroppedPoint, Point, Source, Verdict
from briefing.prompts import render
from briefing.sentence_form import START, fragment_problem
from briefing.text import content_stems, stem

log = logging.getLogger(__name__)

T = TypeVar("T", bound=BaseModel)
R = TypeVar("R")
_FENCE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.DOTALL)
_RANK = {"unsupported": 0, "partial": 1, "supported": 2}
# entity types a merged point must keep (spaCy's labels): who, what and where
_KEEP_ENTITIES = {"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "LAW", "PRODUCT"}
_CONTENT = {"NOUN", "PROPN", "VERB", "ADJ", "ADV", "NUM"}
_CORE_DEPS = {"nsubj", "nsubjpass", "dobj", "iobj"}


# ---------------------------------------------------------------- answer models


class Merged(BaseModel):
    """The numbered sentences as one concise sentence."""

    text: str = Field(min_length=1, max_length=400, description="One complete sentence.")


class Headline(BaseModel):
    """A neutral headline and a short lead for the briefing."""

    headline: str = Field(min_length=1, max_length=150, description="At most 14 words, no final full stop.")
    lead: str = Field(min_length=1, max_length=500, description="One or two complete sentences.")


# ---------------------------------------------------------------- shared


@dataclass
class ChainLog:
    """What the steps rejected (model text that failed a check) and where they degraded."""

    dropped: list[DroppedPoint] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _parse_lenient(reply: str | None, model: type[T]) -> T | None:
    """The last rejected reply, if it at least matches the schema."""
    if not reply:
        return None
    m = _FENCE.match(reply)
    try:
        return model.model_validate_json(m.group(1) if m else reply.strip())
    except ValidationError:
        return None


async def ask(
    client: Any, step: str, messages: list[dict[str, str]], model: type[T], validate: Any, max_tokens: int
) -> tuple[T | None, LLMOutputError | None]:
    """A validated answer; after the bounded retries, (the last answer if it parses, the error)."""
    try:
        return await client.complete(step, messages, model, validate=validate, max_tokens=max_tokens), None
    except LLMOutputError as exc:
        log.warning("%s", exc)
        return _parse_lenient(exc.last_reply, model), exc


async def gather(tasks: Sequence[Awaitable[R]]) -> list[R]:
    """Run concurrently (the client bounds concurrency); the first failure cancels the rest and
    is raised as itself (not wrapped in an ExceptionGroup), so callers can catch LLMError."""
    running = [asyncio.ensure_future(t) for t in tasks]
    try:
        return list(await asyncio.gather(*running))
    except BaseException:
        for r in running:
            r.cancel()
        await asyncio.gather(*running, return_exceptions=True)
        raise


def clean_text(text: str) -> str:
    """A model's sentence without list markers or stray spaces."""
    return " ".join(re.sub(r"^\s*(?:[-*•]|\d{1,2}[.)]|S\d+:)\s+", "", text.strip()).split())


def sentence_problem(text: str) -> str | None:
    """Why `text` is not one complete sentence, or None: the shape test, one sentence, a verb."""
    t = " ".join(text.split())
    if (why := fragment_problem(t)) is not None:
        return why
    if len(split_sentences(t)) > 1:
        return "more than one sentence"
    doc = nlp.parse_one(t, components=("tok2vec", "tagger", "attribute_ruler"))
    if not any(tok.pos_ in ("VERB", "AUX") for tok in doc):
        return "has no verb"
    return None


def _entities(text: str) -> list[str]:
    doc = nlp.parse_one(text, components=("tok2vec", "ner"))
    names = (re.sub(r"^(?:the|The)\s+", "", e.text) for e in doc.ents if e.label_ in _KEEP_ENTITIES)
    return list(dict.fromkeys(names))


def _content_lemmas(text: str) -> dict[str, str]:
    """Lemma -> word, for the words that carry content (nouns, verbs, adjectives, adverbs, names, numbers)."""
    doc = nlp.parse_one(text, components=("tok2vec", "tagger", "attribute_ruler", "lemmatizer"))
    return {t.lemma_.lower(): t.text for t in doc if t.pos_ in _CONTENT and t.is_alpha and not t.is_stop}


def new_words(text: str, sources: Sequence[str]) -> list[str]:
    """Content words of `text` that none of `sources` has (as the same lemma or word): what a
    model added. A merge, headline or lead may reorder and drop, never add."""
    known: set[str] = set()
    for s in sources:
        known |= set(_content_lemmas(s)) | {stem(w.lower()) for w in re.findall(r"\w+", s)}
    return [w for lemma, w in _content_lemmas(text).items() if lemma not in known and stem(w.lower()) not in known]


def one_voice_words(text: str, sentences: Sequence[str]) -> list[str]:
    """Content words of `text` that the base sentence (first) lacks and only one of the others
    has: a detail from one origin, which the merged point, cited and flagged as corroborated,
    would state as if several origins did."""
    base, others = sentences[0], sentences[1:]
    return [w for w in new_words(text, [base]) if sum(not new_words(w, [s]) for s in others) < 2]


def _relations(text: str) -> set[tuple[str, str]]:
    """Who does what: (subject or object lemma, its verb's lemma) pairs from the parse."""
    doc = nlp.parse_one(text, components=("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer"))
    return {(t.lemma_.lower(), t.head.lemma_.lower()) for t in doc if t.dep_ in _CORE_DEPS}


def new_relations(text: str, sources: Sequence[str]) -> list[str]:
    """Subject-verb and verb-object links of `text` that no source sentence has: the same words
    recombined into another fact ("X exchanged A for A" from "X handed A over in exchange for B")."""
    known: set[tuple[str, str]] = set()
    for s in sources:
        known |= _relations(s)
    return [f"{a} / {b}" for a, b in sorted(_relations(text) - known)]


def _words(text: str) -> int:
    return len(text.split())


def _verdict(text: str, citations: list[Citation], sources: dict[str, Source]) -> Verdict:
    return check_point(Point(text=text, citations=citations, origins=1), sources)


# ---------------------------------------------------------------- step: merge


@dataclass
class MergeJob:
    """One corroborated point to merge: its index in the briefing and its cited sentences (base first)."""

    index: int
    point: Point
    sentences: list[str]


def merge_jobs(points: Sequence[Point], cited: Sequence[Sequence[str]], rules: MergeRules = RULES.merge) -> list[MergeJob]:
    """Points worth merging: long enough to shorten (a lower bar when several sentences back them)."""
    jobs = [
        MergeJob(k, p, list(sents))
        for k, (p, sents) in enumerate(zip(points, cited, strict=True))
        if _words(p.text) >= (rules.min_words if len(sents) >= 2 else rules.min_words_single)
    ]
    return jobs[: rules.max_points]


def merge_messages(job: MergeJob) -> list[dict[str, str]]:
    return render("merge", sentences=[{"id": f"S{k + 1}", "text": s} for k, s in enumerate(job.sentences)])


def merge_problems(text: str, job: MergeJob, sources: dict[str, Source], rules: MergeRules = RULES.merge) -> list[str]:
    """Why a merged sentence may not replace the base point (empty: it may)."""
    base = job.point.text
    problems = []
    if (why := sentence_problem(text)) is not None:
        problems.append(f"not a complete sentence ({why})")
    if _words(text) > (1 - rules.min_saving) * _words(base):
        problems.append(f"not concise ({_words(text)} words for {_words(base)})")
    have = extract_quantities(text)
    lost = [q.text for q in extract_quantities(base) if not any(q.same_value(h) for h in have)]
    if lost:
        problems.append(f"drops figures: {', '.join(lost)}")
    low = text.lower()
    gone = [e for e in _entities(base) if e.lower() not in low]
    if gone:
        problems.append(f"drops names: {', '.join(gone)}")
    if (why := check_attribution(text, [base])) is not None:
        problems.append(why)
    if added := new_words(text, job.sentences):
        problems.append(f"adds words the sentences do not have: {', '.join(added)}")
    elif links := new_relations(text, job.sentences):
        problems.append(f"links words the sentences do not link: {', '.join(links)}")
    elif lone := one_voice_words(text, job.sentences):
        problems.append(f"adds words only one corroborating sentence has: {', '.join(lone)}")
    if thin := thin_cues(text, job.point):
        problems.append(f"states a claim the point is not flagged for ({', '.join(thin)})")
    if not problems:
        before = job.point.support or _verdict(base, job.point.citations, sources)
        after = _verdict(text, job.point.citations, sources)
        if _RANK[after.label] < _RANK[before.label]:
            problems.append(f"checker: {after.label} ({'; '.join(after.reasons) or 'no reason given'})")
        elif unused := spans_dropped(base, text, job.point.citations):
            problems.append(f"no longer rests on cited span{'s' * (len(unused) > 1)} {', '.join(map(str, unused))}")
    return problems


def thin_cues(text: str, point: Point) -> list[str]:
    """Cues of thin evidence (hedged, anonymous, ...) in `text` that neither the point's own
    sentence nor its flags carry: words from a corroborating sentence may not bring in a claim
    the flags, which code set, do not warn about."""
    had = {CUE_FLAGS[fam] for fam in find_cues(point.text) if fam in CUE_FLAGS} | {f.kind for f in point.flags}
    return [f"{fam}: {phrase!r}" for fam, phrase in find_cues(text).items() if fam in CUE_FLAGS and CUE_FLAGS[fam] not in had]


def spans_dropped(base: str, text: str, citations: list[Citation]) -> list[int]:
    """Citations (1-based) that earn precision credit for the base sentence and not for the
    merged one: the point keeps its citations, so the merge must still rest on each."""
    evidence = [c.quote for c in citations]
    return [k + 1 for k in sorted(spans_used(base, evidence) - spans_used(text, evidence))]


async def merge_step(client: Any, job: MergeJob, sources: dict[str, Source], log_: ChainLog) -> Point:
    """The point merged into one concise sentence, or the base point when any check fails."""
    answer, error = await ask(client, "merge", merge_messages(job), Merged, None, 24 + 2 * _words(job.point.text))
    if answer is None:
        log_.notes.append(f"merge step: {error}; kept the source sentence")
        return job.point
    text = clean_text(answer.text)
    if text == job.point.text:
        return job.point
    problems = merge_problems(text, job, sources)
    if problems:
        log_.dropped.append(DroppedPoint(text=text, reason="merged point rejected: " + "; ".join(problems) + "; stated the source sentence instead"))
        return job.point
    return job.point.model_copy(update={"text": text, "support": _verdict(text, job.point.citations, sources)})


# ---------------------------------------------------------------- step: headline and lead


def headline_messages(points: Sequence[Point], rules: HeadlineRules = RULES.headline) -> list[dict[str, str]]:
    rows = [{"id": f"P{k + 1}", "text": p.text} for k, p in enumerate(points[: rules.lead_points])]
    return render("headline", points=rows)


@dataclass
class Front:
    """The briefing's title and the text of its lead (None: no lead; the engine makes it a
    point citing and flagged like the points it sums up)."""

    title: str
    lead: str | None = None


def headline_problems(
    headline: str, citations: list[Citation], sources: dict[str, Source], rules: HeadlineRules = RULES.headline,
    title: str = "",
) -> list[str]:
    problems = []
    n = _words(headline)
    if not rules.min_words <= n <= rules.max_words:
        problems.append(f"{n} words (a headline has {rules.min_words}-{rules.max_words})")
    if "\n" in headline or not START.match(headline):
        problems.append("does not read as a headline")
    if added := new_words(headline, [c.quote for c in citations]):
        problems.append(f"adds words the points do not have: {', '.join(added)}")
    if title and len(set(content_stems(headline)) & set(content_stems(title))) < rules.story_words:
        problems.append(f"names the story in fewer than {rules.story_words} of the title's words ({title!r})")
    if not problems:
        verdict = _verdict(headline.rstrip(".") + ".", citations, sources)
        if verdict.label == "unsupported":
            problems.append(f"checker: unsupported ({'; '.join(verdict.reasons)})")
    return problems


def lead_problems(lead: str, citations: list[Citation], sources: dict[str, Source], rules: HeadlineRules = RULES.headline) -> list[str]:
    spans = split_sentences(lead)
    if not 1 <= len(spans) <= rules.max_lead_sentences:
        return [f"{len(spans)} sentences (a lead has 1-{rules.max_lead_sentences})"]
    problems = []
    for s, e in spans:
        sentence = lead[s:e].strip()
        if (why := sentence_problem(sentence)) is not None:
            problems.append(f"{sentence!r}: {why}")
            continue
        if added := new_words(sentence, [c.quote for c in citations]):
            problems.append(f"{sentence!r}: adds words the points do not have: {', '.join(added)}")
            continue
        if links := new_relations(sentence, [c.quote for c in citations]):
            problems.append(f"{sentence!r}: links words the points do not link: {', '.join(links)}")
            continue
        verdict = _verdict(sentence, citations, sources)
        if verdict.label == "unsupported":
            problems.append(f"{sentence!r}: checker: unsupported ({'; '.join(verdict.reasons)})")
    return problems


async def headline_step(
    client: Any, points: Sequence[Point], title: str, sources: dict[str, Source], log_: ChainLog, rules: HeadlineRules = RULES.headline
) -> Front:
    """A checked headline and lead; the extractive `title` and no lead when the headline fails,
    no lead when only the lead fails."""
    top = list(points[: rules.lead_points])
    if not top:
        return Front(title)
    answer, error = await ask(client, "headline", headline_messages(top, rules), Headline, None, 140)
    if answer is None:
        log_.notes.append(f"headline step: {error}; kept the extractive title")
        return Front(title)
    citations = list({(c.source_id, c.start, c.end): c for p in top for c in p.citations}.values())
    headline = " ".join(answer.headline.split()).rstrip(".")
    problems = headline_problems(headline, citations, sources, rules, title)
    if problems:
        log_.dropped.append(DroppedPoint(text=headline, reason="headline rejected: " + "; ".join(problems) + "; kept the extractive title and no lead"))
        return Front(title)
    lead = " ".join(answer.lead.split())
    problems = lead_problems(lead, citations, sources, rules)
    if problems:
        log_.dropped.append(DroppedPoint(text=lead, reason="lead rejected: " + "; ".join(problems)))
        return Front(headline)
    return Front(headline, lead)
