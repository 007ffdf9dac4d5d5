"""The checker: does every briefing sentence say only what its cited spans say?

Public API (engines and the eval harness depend on these names):

    check_citation(c, sources) -> list[str]                 # problems; [] = valid
    check_support(sentence, evidence, *, judge=None) -> Verdict
    check_attribution(sentence, evidence) -> str | None     # "drops attribution: ..." or None
    check_point(point, sources, *, judge=None) -> Verdict
    check_briefing(briefing, *, judge=None) -> BriefingCheck
    annotate(briefing, *, judge=None) -> Briefing           # copy with point.support set
    spans_used(text, evidence) -> set[int]                  # cited spans earning precision credit

Judge = Callable[[str, Sequence[str]], JudgeResult], JudgeResult.label in
SUPPORTED / CONTRADICTED / NOT_MENTIONED.
"""

from .attribution import check_attribution
from .citations import check_citation
from .metrics import BriefingCheck, PointCheck, SentenceCheck, annotate, check_briefing, check_point, spans_used
from .normalize import extract_quantities, split_sentences
from .support import Judge, JudgeResult, Signals, analyze, check_support

__all__ = [
    "BriefingCheck",
    "Judge",
    "JudgeResult",
    "PointCheck",
    "SentenceCheck",
    "Signals",
    "analyze",
    "annotate",
    "check_attribution",
    "check_briefing",
    "check_citation",
    "check_point",
    "check_support",
    "extract_quantities",
    "split_sentences",
    "spans_used",
]
