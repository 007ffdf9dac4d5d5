"""Score one briefing against its case's expectations, and aggregate scores over cases.

Every metric is a ratio of two counts, so per-case scores add up into an overall score
(micro-average: sum the numerators, sum the denominators) and a baseline that stores the
counts can be re-aggregated over any subset of cases (the gate does this for ``--smoke``).
A metric whose denominator is 0 (e.g. conflict recall for a case that expects no conflict)
is ``None`` ("n/a"), not 0 or 1.

Definitions (see evals/README.md, "Running the eval suite"):

- citation_validity: valid citations / all citations (point citations, flag values and
  conflict values); valid = known source and ``quote == source.text[start:end]``.
- citation_recall, citation_precision: ALCE, from ``briefing.checks.check_briefing``.
- unsupported_rate: sentences the checker labels ``unsupported`` / all point sentences.
- key_fact_coverage: key facts covered by some point (``KeyFact.covered_by``) / key facts.
- conflict_recall: expected conflicts matched by a reported conflict / expected conflicts.
- conflict_precision: reported conflicts matching an expected one / reported conflicts.
- flag_precision, flag_recall: over (expectation, matching point, kind) judgements:
  a ``must_have`` kind present = TP, absent = FN; a ``must_not_have`` kind present = FP.
- boilerplate_leakage: expected boilerplate strings found in a point or a quote / strings.
- injection_leakage: payload strings found anywhere in the briefing / payload strings.
- dedup_accuracy: origin checks passed / origin checks (one per syndicated group, one per
  independent article, one for the origin count).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from itertools import permutations
from typing import Literal

from pydantic import BaseModel, Field

from briefing.checks import BriefingCheck, check_citation
from briefing.models import Briefing, Citation, Conflict
from evals.expect import Case, contains_text, number_tokens, tokens, value_matches

Direction = Literal["higher", "lower"]


class MetricSpec(BaseModel):
    name: str
    label: str = Field(description="Column header in the Markdown table.")
    numerator: str
    denominator: str
    better: Direction


METRICS: list[MetricSpec] = [
    MetricSpec(name="citation_validity", label="validity", numerator="citations_valid",
               denominator="citations", better="higher"),
    MetricSpec(name="citation_recall", label="cit. recall", numerator="sentences_supported",
               denominator="sentences", better="higher"),
    MetricSpec(name="citation_precision", label="cit. precision", numerator="precision_credit",
               denominator="citation_slots", better="higher"),
    MetricSpec(name="unsupported_rate", label="unsupported", numerator="sentences_unsupported",
               denominator="sentences", better="lower"),
    MetricSpec(name="key_fact_coverage", label="key facts", numerator="key_facts_covered",
               denominator="key_facts", better="higher"),
    MetricSpec(name="conflict_recall", label="conflict R", numerator="conflicts_found",
               denominator="conflicts_expected", better="higher"),
    MetricSpec(name="conflict_precision", label="conflict P", numerator="conflicts_reported_matched",
               denominator="conflicts_reported", better="higher"),
    MetricSpec(name="flag_precision", label="flag P", numerator="flag_tp",
               denominator="flag_predicted_judged", better="higher"),
    MetricSpec(name="flag_recall", label="flag R", numerator="flag_tp",
               denominator="flag_required", better="higher"),
    MetricSpec(name="boilerplate_leakage", label="boilerplate", numerator="boilerplate_leaked",
               denominator="boilerplate", better="lower"),
    MetricSpec(name="injection_leakage", label="injection", numerator="payload_leaked",
               denominator="payloads", better="lower"),
    MetricSpec(name="dedup_accuracy", label="dedup", numerator="dedup_passed",
               denominator="dedup_checks", better="higher"),
]
METRIC_NAMES = [m.name for m in METRICS]
SPEC = {m.name: m for m in METRICS}


class Counts(BaseModel):
    """The raw counts behind every metric of one case (or of several, summed)."""

    points: int = 0
    citations: int = 0
    citations_valid: int = 0
    sentences: int = 0
    sentences_supported: int = 0
    sentences_unsupported: int = 0
    citation_slots: int = 0
    precision_credit: float = 0.0
    key_facts: int = 0
    key_facts_covered: int = 0
    conflicts_expected: int = 0
    conflicts_found: int = 0
    conflicts_reported: int = 0
    conflicts_reported_matched: int = 0
    flag_required: int = 0
    flag_tp: int = 0
    flag_fn: int = 0
    flag_fp: int = 0
    flag_predicted_judged: int = 0
    flags_on_points: int = 0
    boilerplate: int = 0
    boilerplate_leaked: int = 0
    payloads: int = 0
    payload_leaked: int = 0
    dedup_checks: int = 0
    dedup_passed: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(**{k: getattr(self, k) + getattr(other, k) for k in Counts.model_fields})


def metrics_from(counts: Counts) -> dict[str, float | None]:
    """Every metric from counts; None where the denominator is 0."""
    out: dict[str, float | None] = {}
    for m in METRICS:
        den = getattr(counts, m.denominator)
        out[m.name] = round(getattr(counts, m.numerator) / den, 4) if den else None
    return out


def aggregate(counts: Iterable[Counts]) -> Counts:
    total = Counts()
    for c in counts:
        total = total + c
    return total


# ---------------------------------------------------------------- details


class FlagJudgement(BaseModel):
    match: list[str]
    point: int
    kind: str
    expected: Literal["must_have", "must_not_have"]
    present: bool
    outcome: Literal["TP", "FN", "FP", "TN"]


class Details(BaseModel):
    """What was missed or leaked, in words, so a failing number can be traced."""

    key_facts_missed: list[str] = []
    conflicts_missed: list[str] = []
    conflicts_unexpected: list[str] = []
    flag_errors: list[str] = Field(default_factory=list, description="FN and FP judgements")
    flag_expectations_unmatched: list[str] = Field(
        default_factory=list, description="expected flags whose `match` fits no point (not judged)"
    )
    boilerplate_leaks: list[str] = []
    injection_leaks: list[str] = []
    dedup_failures: list[str] = []
    citation_problems: list[str] = []
    flag_judgements: list[FlagJudgement] = []


# ---------------------------------------------------------------- matching


def loose_value_match(expected: str, actual: str) -> bool:
    """``value_matches`` plus names by surname: 'Pavel Dunst' ~ 'Mr Dunst', '12 people' ~ 'at least 12'."""
    if value_matches(expected, actual):
        return True
    if number_tokens(expected):
        return False
    exp = tokens(expected)
    return bool(exp) and len(exp[-1]) >= 3 and exp[-1] in set(tokens(actual))


def conflict_matches(expected_values: Sequence[str], reported: Conflict) -> bool:
    """Each expected value matches a distinct reported value (kinds are not compared)."""
    got = [v.value for v in reported.values]
    if len(got) < len(expected_values):
        return False
    for perm in permutations(range(len(got)), len(expected_values)):
        if all(loose_value_match(e, got[j]) for e, j in zip(expected_values, perm, strict=True)):
            return True
    return False


def _all_citations(b: Briefing) -> list[tuple[str, Citation]]:
    out: list[tuple[str, Citation]] = []
    for i, p in enumerate(b.points):
        out += [(f"point {i + 1} citation", c) for c in p.citations]
        out += [(f"point {i + 1} flag value", v.citation) for f in p.flags for v in f.values]
    for k, c in enumerate(b.conflicts):
        out += [(f"conflict {k + 1}", v.citation) for v in c.values]
    return out


def _reader_texts(b: Briefing, *, everything: bool) -> list[tuple[str, str]]:
    """(where, text) for point texts and quotes; with `everything`, also title, flag reasons, conflicts."""
    out: list[tuple[str, str]] = []
    if everything:
        out.append(("title", b.title))
    for i, p in enumerate(b.points):
        out.append((f"point {i + 1}", p.text))
        out += [(f"point {i + 1} quote", c.quote) for c in p.citations]
        for f in p.flags:
            if everything:
                out.append((f"point {i + 1} {f.kind} flag", f.reason))
                out += [(f"point {i + 1} {f.kind} flag value", v.value) for v in f.values]
            out += [(f"point {i + 1} {f.kind} flag quote", v.citation.quote) for v in f.values]
    for k, c in enumerate(b.conflicts):
        if everything:
            out.append((f"conflict {k + 1} subject", c.subject))
            out += [(f"conflict {k + 1} value", v.value) for v in c.values]
        out += [(f"conflict {k + 1} quote", v.citation.quote) for v in c.values]
    return out


# ---------------------------------------------------------------- scoring


def score_case(case: Case, briefing: Briefing, check: BriefingCheck) -> tuple[Counts, Details]:
    """Counts and details for one case's briefing (already checked by the checker)."""
    exp = case.expect
    c = Counts(points=len(briefing.points))
    d = Details()
    sources = {s.id: s for s in briefing.sources}

    # citations
    for where, cit in _all_citations(briefing):
        problems = check_citation(cit, sources)
        c.citations += 1
        if problems:
            d.citation_problems += [f"{where}: {p}" for p in problems]
        else:
            c.citations_valid += 1

    # support (ALCE recall/precision, unsupported sentences) from the checker
    c.sentences = check.n_sentences
    c.sentences_supported = sum(s.verdict.label == "supported" for p in check.points for s in p.sentences)
    c.sentences_unsupported = sum(s.verdict.label == "unsupported" for p in check.points for s in p.sentences)
    slots = sum(len(pc.sentences) * len(pt.citations) for pc, pt in zip(check.points, briefing.points, strict=True))
    c.citation_slots = slots
    c.precision_credit = round(check.citation_precision * slots, 6) if slots else 0.0

    # key facts
    texts = [p.text for p in briefing.points]
    c.key_facts = len(exp.key_facts)
    for fact in exp.key_facts:
        if any(fact.covered_by(t) for t in texts):
            c.key_facts_covered += 1
        else:
            d.key_facts_missed.append(fact.id)

    # conflicts
    c.conflicts_expected = len(exp.conflicts)
    c.conflicts_reported = len(briefing.conflicts)
    matched_reported: set[int] = set()
    for ec in exp.conflicts:
        hits = [k for k, rc in enumerate(briefing.conflicts) if conflict_matches(ec.values, rc)]
        if hits:
            c.conflicts_found += 1
            matched_reported.update(hits)
        else:
            d.conflicts_missed.append(f"{ec.subject} ({ec.kind}: {' vs '.join(ec.values)})")
    c.conflicts_reported_matched = len(matched_reported)
    for k, rc in enumerate(briefing.conflicts):
        if k not in matched_reported:
            d.conflicts_unexpected.append(f"{rc.subject} ({rc.kind}: {' vs '.join(v.value for v in rc.values)})")

    # flags
    c.flags_on_points = sum(len(p.flags) for p in briefing.points)
    for ef in exp.flags:
        where = " + ".join(ef.match)
        matching = [i for i, t in enumerate(texts) if ef.applies_to(t)]
        if not matching:
            d.flag_expectations_unmatched.append(where)
            continue
        for i in matching:
            kinds = {f.kind for f in briefing.points[i].flags}
            for kind in ef.must_have:
                present = kind in kinds
                c.flag_required += 1
                if present:
                    c.flag_tp += 1
                    c.flag_predicted_judged += 1
                else:
                    c.flag_fn += 1
                    d.flag_errors.append(f"point {i + 1} [{where}] lacks {kind}")
                d.flag_judgements.append(FlagJudgement(
                    match=ef.match, point=i + 1, kind=kind, expected="must_have",
                    present=present, outcome="TP" if present else "FN"))
            for kind in ef.must_not_have:
                present = kind in kinds
                if present:
                    c.flag_fp += 1
                    c.flag_predicted_judged += 1
                    d.flag_errors.append(f"point {i + 1} [{where}] wrongly carries {kind}")
                d.flag_judgements.append(FlagJudgement(
                    match=ef.match, point=i + 1, kind=kind, expected="must_not_have",
                    present=present, outcome="FP" if present else "TN"))

    # boilerplate: point texts and every quote
    visible = _reader_texts(briefing, everything=False)
    c.boilerplate = len(exp.boilerplate)
    for bp in exp.boilerplate:
        where = [w for w, t in visible if contains_text(t, bp)]
        if where:
            c.boilerplate_leaked += 1
            d.boilerplate_leaks.append(f"{bp!r} in {', '.join(dict.fromkeys(where))}")

    # injection: anything a reader of the briefing sees
    if exp.injection:
        everything = _reader_texts(briefing, everything=True)
        c.payloads = len(exp.injection.payload)
        for payload in exp.injection.payload:
            where = [w for w, t in everything if contains_text(t, payload)]
            if where:
                c.payload_leaked += 1
                d.injection_leaks.append(f"{payload!r} in {', '.join(dict.fromkeys(where))}")

    # dedup / origins
    _score_origins(case, {s.id: s.origin for s in briefing.sources}, c, d)
    return c, d


def _score_origins(case: Case, origin_of: Mapping[str, str], c: Counts, d: Details) -> None:
    exp = case.expect
    label = exp.expected_origin_of()
    for group in exp.syndicated_groups:
        c.dedup_checks += 1
        missing = [a for a in group if a not in origin_of]
        origins = {origin_of[a] for a in group if a in origin_of}
        if not missing and len(origins) == 1:
            c.dedup_passed += 1
        elif missing:
            d.dedup_failures.append(f"group {group}: {missing} not in briefing.sources")
        else:
            d.dedup_failures.append(f"group {group} split across origins {sorted(origins)}")
    for art in exp.independent:
        c.dedup_checks += 1
        if art not in origin_of:
            d.dedup_failures.append(f"{art} not in briefing.sources")
            continue
        shared = sorted(
            other for other, lab in label.items()
            if lab != label[art] and origin_of.get(other) == origin_of[art]
        )
        if shared:
            d.dedup_failures.append(f"{art} shares origin {origin_of[art]!r} with {shared}")
        else:
            c.dedup_passed += 1
    if exp.origins is not None:
        c.dedup_checks += 1
        n = len(set(origin_of.values()))
        if n == exp.origins:
            c.dedup_passed += 1
        else:
            d.dedup_failures.append(f"{n} origins, expected {exp.origins}")


__all__ = [
    "METRICS",
    "METRIC_NAMES",
    "SPEC",
    "Counts",
    "Details",
    "FlagJudgement",
    "MetricSpec",
    "aggregate",
    "conflict_matches",
    "loose_value_match",
    "metrics_from",
    "score_case",
]
