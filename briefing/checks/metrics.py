"""Point and briefing checks, with ALCE-style citation recall and precision.

ALCE (Gao et al., 2023, "Enabling Large Language Models to Generate Text with Citations"):

- citation recall: the fraction of sentences whose citations, together, support them (joint support);
- citation precision: a citation of a sentence is *irrelevant* when (a) on its own it does not support
  any part of the sentence and (b) the sentence's other citations support it without it. Precision is
  the fraction of citations that are not irrelevant, where only sentences that are jointly supported
  can earn precision credit (ALCE's `entail_prec` accounting).

Here "supports" is `check_support(...).label == "supported"` and "supports any part" is a label other
than `unsupported`. A point's citations belong to every sentence of the point.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence

from pydantic import BaseModel, Field

from briefing.models import Briefing, Point, Source, Verdict

from .citations import check_citation
from .normalize import split_sentences
from .support import Judge, check_support, worst


class SentenceCheck(BaseModel):
    text: str
    verdict: Verdict


class PointCheck(BaseModel):
    index: int
    text: str
    verdict: Verdict
    sentences: list[SentenceCheck] = []
    citation_problems: list[str] = []
    irrelevant_citations: list[int] = Field(
        default_factory=list, description="indices into point.citations that no sentence needed"
    )


class BriefingCheck(BaseModel):
    """The checker's report on a whole briefing."""

    points: list[PointCheck] = []
    citation_validity: float = Field(1.0, description="fraction of citations that are valid")
    citation_recall: float = Field(1.0, description="ALCE: fraction of sentences supported by their citations")
    citation_precision: float = Field(1.0, description="ALCE: fraction of citations that are not irrelevant")
    unsupported_rate: float = Field(0.0, description="fraction of point sentences judged unsupported")
    partial_rate: float = Field(0.0, description="fraction of point sentences judged partial")
    n_points: int = 0
    n_sentences: int = 0
    n_citations: int = 0
    seconds: float = 0.0

    @property
    def verdicts(self) -> list[Verdict]:
        """Per-point verdicts, in point order."""
        return [p.verdict for p in self.points]


def point_sentences(text: str) -> list[str]:
    spans = split_sentences(text)
    return [text[s:e] for s, e in spans] or ([text] if text.strip() else [])


def _sentence_verdicts(
    sents: Sequence[str], evidence: Sequence[str], judge: Judge | None, use_embeddings: bool | None
) -> list[Verdict]:
    return [check_support(s, evidence, judge=judge, use_embeddings=use_embeddings) for s in sents]


def _merge(sents: Sequence[str], verdicts: Sequence[Verdict]) -> Verdict:
    if len(verdicts) == 1:
        return verdicts[0]
    labelled = [
        v.model_copy(update={"reasons": [f"sentence {i + 1}: {r}" for r in v.reasons]})
        for i, v in enumerate(verdicts)
    ]
    return worst(labelled)


def check_point(
    point: Point,
    sources: Mapping[str, Source],
    *,
    judge: Judge | None = None,
    use_embeddings: bool | None = None,
) -> Verdict:
    """Citations first (any invalid one makes the point unsupported), then each sentence against the quotes.

    The point's verdict is its worst sentence's verdict; reasons name the sentence when there are several.
    """
    problems = [p for c in point.citations for p in check_citation(c, sources)]
    if problems:
        return Verdict(label="unsupported", score=0.0, reasons=problems)
    evidence = [c.quote for c in point.citations]
    sents = point_sentences(point.text)
    if not sents:
        return Verdict(label="unsupported", score=0.0, reasons=["empty point"])
    return _merge(sents, _sentence_verdicts(sents, evidence, judge, use_embeddings))


def citations_needed(sentence: str, evidence: Sequence[str], *, use_embeddings: bool | None = None) -> list[bool]:
    """ALCE's precision test for a sentence the evidence supports jointly: per cited span,
    whether it earns credit (it supports the sentence in part on its own, or the rest do not
    support it without it). The leave-one-out checks use the heuristic checker only."""
    if len(evidence) == 1:
        return [True]
    out = []
    for k in range(len(evidence)):
        if check_support(sentence, [evidence[k]], use_embeddings=use_embeddings).label != "unsupported":
            out.append(True)
            continue
        rest = check_support(sentence, [*evidence[:k], *evidence[k + 1 :]], use_embeddings=use_embeddings)
        out.append(rest.label != "supported")
    return out


def spans_used(text: str, evidence: Sequence[str], *, use_embeddings: bool | None = None) -> set[int]:
    """Indices of the cited spans that earn precision credit in some sentence of `text` the
    evidence supports: a rewording that uses fewer of them cites spans it no longer rests on."""
    used: set[int] = set()
    for s in point_sentences(text):
        if check_support(s, evidence, use_embeddings=use_embeddings).label == "supported":
            used |= {k for k, earns in enumerate(citations_needed(s, evidence, use_embeddings=use_embeddings)) if earns}
    return used


def check_briefing(
    briefing: Briefing, *, judge: Judge | None = None, use_embeddings: bool | None = None
) -> BriefingCheck:
    """Check every point; compute citation validity, ALCE citation recall/precision and the unsupported rate.

    Rates are over point sentences (a point's citations belong to each of its sentences); citation validity
    is over the points' citations.

    The judge (if any) is used for each sentence's joint verdict; precision's leave-one-out checks use the
    heuristic checker only, so a judge costs one call per sentence, not one per citation.
    """
    t0 = time.perf_counter()
    sources = {s.id: s for s in briefing.sources}
    points: list[PointCheck] = []
    n_cit = n_valid = 0
    n_sent = n_sent_supported = 0
    prec_credit = 0.0
    for idx, point in enumerate(briefing.points):
        problems: list[str] = []
        valid = []
        for c in point.citations:
            p = check_citation(c, sources)
            n_cit += 1
            if p:
                problems.extend(p)
            else:
                n_valid += 1
                valid.append(c)
        sents = point_sentences(point.text)
        evidence = [c.quote for c in point.citations]
        sent_checks: list[SentenceCheck] = []
        needed = [False] * len(point.citations)
        judged_irrelevant = [False] * len(point.citations)
        for s in sents:
            if problems:
                v = Verdict(label="unsupported", score=0.0, reasons=problems)
            else:
                v = check_support(s, evidence, judge=judge, use_embeddings=use_embeddings)
            sent_checks.append(SentenceCheck(text=s, verdict=v))
            n_sent += 1
            joint = v.label == "supported"
            n_sent_supported += joint
            if not joint:
                continue  # ALCE: an unsupported sentence earns no precision credit
            for k, earns in enumerate(citations_needed(s, evidence, use_embeddings=use_embeddings)):
                prec_credit += earns
                needed[k] = needed[k] or earns
                judged_irrelevant[k] = judged_irrelevant[k] or not earns
        # ALCE counts every citation once per sentence that cites it
        if problems:
            verdict = Verdict(label="unsupported", score=0.0, reasons=problems)
        elif sent_checks:
            verdict = _merge(sents, [sc.verdict for sc in sent_checks])
        else:
            verdict = Verdict(label="unsupported", score=0.0, reasons=["empty point"])
        points.append(
            PointCheck(
                index=idx,
                text=point.text,
                verdict=verdict,
                sentences=sent_checks,
                citation_problems=problems,
                irrelevant_citations=[k for k in range(len(point.citations)) if judged_irrelevant[k] and not needed[k]],
            )
        )
    total_cit_slots = sum(len(pc.sentences) * len(p.citations) for pc, p in zip(points, briefing.points, strict=True))
    n_points = len(points)
    sent_labels = [sc.verdict.label for pc in points for sc in pc.sentences]
    return BriefingCheck(
        points=points,
        citation_validity=n_valid / n_cit if n_cit else 1.0,
        citation_recall=n_sent_supported / n_sent if n_sent else 1.0,
        citation_precision=prec_credit / total_cit_slots if total_cit_slots else 1.0,
        unsupported_rate=sent_labels.count("unsupported") / len(sent_labels) if sent_labels else 0.0,
        partial_rate=sent_labels.count("partial") / len(sent_labels) if sent_labels else 0.0,
        n_points=n_points,
        n_sentences=n_sent,
        n_citations=n_cit,
        seconds=round(time.perf_counter() - t0, 6),
    )


def annotate(
    briefing: Briefing, *, judge: Judge | None = None, use_embeddings: bool | None = None
) -> Briefing:
    """A copy of the briefing with every `point.support` set by `check_point` (the input is not changed)."""
    sources = {s.id: s for s in briefing.sources}
    points = [
        p.model_copy(update={"support": check_point(p, sources, judge=judge, use_embeddings=use_embeddings)})
        for p in briefing.points
    ]
    return briefing.model_copy(update={"points": points})
