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
- spurious_conflicts: reported conflicts that match no expected one / briefings (per briefing).
- false_conflict_traps: expected false-conflict pairs reported as a conflict / pairs.
- update_latest, update_stale: updates whose new value some point states / updates; updates
  whose old value a point states while no point states the new one / updates.
- thin_flag_recall: (point stating a single-source or hedged claim, flag family it must
  carry) pairs where the point carries it / such pairs (hedged and unverified are one family).
- false_single_source: points stating a key fact corroborated by 2+ origins that carry
  ``single_source`` / points stating such a fact.
- title_ok: briefings whose title is no page furniture and names the story / briefings.
- lead_ok: briefings whose first point states a key fact of the most independent origins any
  key fact has (the story's best-corroborated fact leads) / briefings with key facts.
- boilerplate_titles: shown titles (the briefing's and every source's) that are page
  furniture / shown titles.
- off_topic_cited: off-topic articles cited anywhere / off-topic articles.
- fragments: points that are not complete sentences (``prose.fragment_problem``) / points.
- datelines: points opening with a dateline or byline (``prose.dateline``) / points.
- repeats: points whose content words another, longer point mostly holds (``prose.repeated_in``:
  the same fact told twice) / points.
- words_per_fact: words in all points / key facts they cover (conciseness: the same facts in
  fewer words is better; a briefing that covers no key fact has none).

The project's own cases (evals/expect.py) and the shared eval sets (evals/evalset.py) are
scored by this one scorer; a metric a schema has no data for is n/a.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from itertools import permutations
from typing import Literal

from pydantic import BaseModel, Field

from briefing.checks import BriefingCheck, check_citation
from briefing.models import Briefing, Citation, Conflict
from evals.evalset import EvalsetExpect, mentions_any
from evals.expect import contains_text, number_tokens, tokens, value_matches
from evals.loader import Case

from .prose import dateline, fragment_problem, junk_title, repeated_in, title_problem

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
    MetricSpec(name="spurious_conflicts", label="spurious/brief", numerator="conflicts_spurious",
               denominator="briefings", better="lower"),
    MetricSpec(name="false_conflict_traps", label="traps hit", numerator="traps_hit",
               denominator="traps", better="lower"),
    MetricSpec(name="update_latest", label="update latest", numerator="updates_latest",
               denominator="updates", better="higher"),
    MetricSpec(name="update_stale", label="update stale", numerator="updates_stale",
               denominator="updates", better="lower"),
    MetricSpec(name="thin_flag_recall", label="thin flag R", numerator="thin_flags_carried",
               denominator="thin_flags_required", better="higher"),
    MetricSpec(name="false_single_source", label="false single", numerator="corroborated_single",
               denominator="corroborated_points", better="lower"),
    MetricSpec(name="title_ok", label="title ok", numerator="titles_ok",
               denominator="briefings", better="higher"),
    MetricSpec(name="lead_ok", label="lead ok", numerator="leads_ok",
               denominator="leads", better="higher"),
    MetricSpec(name="boilerplate_titles", label="junk titles", numerator="shown_titles_junk",
               denominator="shown_titles", better="lower"),
    MetricSpec(name="off_topic_cited", label="off-topic", numerator="off_topic_cited",
               denominator="off_topic", better="lower"),
    MetricSpec(name="fragments", label="fragments", numerator="points_fragment",
               denominator="points", better="lower"),
    MetricSpec(name="datelines", label="datelines", numerator="points_dateline",
               denominator="points", better="lower"),
    MetricSpec(name="repeats", label="repeats", numerator="points_repeated",
               denominator="points", better="lower"),
    MetricSpec(name="words_per_fact", label="words/fact", numerator="point_words",
               denominator="key_facts_covered", better="lower"),
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
    point_words: int = 0
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
    briefings: int = 0
    conflicts_spurious: int = 0
    traps: int = 0
    traps_hit: int = 0
    updates: int = 0
    updates_latest: int = 0
    updates_stale: int = 0
    thin_flags_required: int = 0
    thin_flags_carried: int = 0
    corroborated_points: int = 0
    corroborated_single: int = 0
    titles_ok: int = 0
    leads: int = 0
    leads_ok: int = 0
    shown_titles: int = 0
    shown_titles_junk: int = 0
    off_topic: int = 0
    off_topic_cited: int = 0
    points_fragment: int = 0
    points_dateline: int = 0
    points_repeated: int = 0

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
    false_conflict_traps: list[str] = []
    updates_missed: list[str] = []
    thin_flag_errors: list[str] = []
    false_single_source: list[str] = []
    title_problems: list[str] = []
    lead_problems: list[str] = []
    off_topic_citations: list[str] = []
    fragments: list[str] = []
    datelines: list[str] = []
    repeats: list[str] = []
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


def conflict_matches(expected: Sequence[str | Sequence[str]], reported: Conflict) -> bool:
    """Each expected side matches a distinct reported value (kinds are not compared). A side is
    one value (the project's cases) or a list of alternatives (the shared schema's sides)."""
    got = [v.value for v in reported.values]
    sides = [[e] if isinstance(e, str) else list(e) for e in expected]
    if len(got) < len(sides):
        return False
    for perm in permutations(range(len(got)), len(sides)):
        if all(any(loose_value_match(alt, got[j]) for alt in side) for side, j in zip(sides, perm, strict=True)):
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


class _Expected(BaseModel):
    """What both schemas ask of a briefing, in one shape the scorer reads."""

    conflicts: list[tuple[str, list[list[str]]]] = Field(description="(label, sides of alternatives)")
    payloads: list[str] = []
    syndicated_groups: list[list[str]] = []
    independent: list[str] = []
    origins: int | None = None
    headlines: list[str] = Field(default_factory=list, description="texts a good title shares words with")


def _expected(case: Case) -> _Expected:
    if case.evalset is not None:
        ev = case.evalset
        by_origin: dict[str, list[str]] = {}
        for art, a in ev.articles.items():
            by_origin.setdefault(a.origin, []).append(art)
        return _Expected(
            conflicts=[(f"{c.id}: {c.text[:60]}", c.values) for c in ev.conflicts],
            payloads=ev.injection.payload_markers if ev.injection else [],
            syndicated_groups=[g for g in by_origin.values() if len(g) > 1],
            independent=[g[0] for g in by_origin.values() if len(g) == 1],
            origins=len(by_origin) or None,
            headlines=list(ev.headlines.values()),
        )
    exp = case.expect
    assert exp is not None
    return _Expected(
        conflicts=[(f"{c.subject} ({c.kind}: {' vs '.join(c.values)})", [[v] for v in c.values]) for c in exp.conflicts],
        payloads=exp.injection.payload if exp.injection else [],
        syndicated_groups=exp.syndicated_groups,
        independent=exp.independent,
        origins=exp.origins,
        headlines=[" ".join(k.any_of) for k in exp.key_facts],  # no real headlines: the facts' words
    )


def _cited_ids(b: Briefing) -> set[str]:
    return {c.source_id for _, c in _all_citations(b)}


def score_case(case: Case, briefing: Briefing, check: BriefingCheck) -> tuple[Counts, Details]:
    """Counts and details for one case's briefing (already checked by the checker)."""
    want = _expected(case)
    c = Counts(points=len(briefing.points), briefings=1)
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
    c.point_words = sum(len(t.split()) for t in texts)
    facts = case.evalset.key_facts if case.evalset else case.expect.key_facts  # type: ignore[union-attr]
    c.key_facts = len(facts)
    for fact in facts:
        if any(fact.covered_by(t) for t in texts):
            c.key_facts_covered += 1
        else:
            d.key_facts_missed.append(fact.id)

    # conflicts: found, and reported ones that match nothing expected
    c.conflicts_expected = len(want.conflicts)
    c.conflicts_reported = len(briefing.conflicts)
    matched_reported: set[int] = set()
    for label, sides in want.conflicts:
        hits = [k for k, rc in enumerate(briefing.conflicts) if conflict_matches(sides, rc)]
        if hits:
            c.conflicts_found += 1
            matched_reported.update(hits)
        else:
            d.conflicts_missed.append(label)
    c.conflicts_reported_matched = len(matched_reported)
    for k, rc in enumerate(briefing.conflicts):
        if k not in matched_reported:
            c.conflicts_spurious += 1
            d.conflicts_unexpected.append(f"{rc.subject} ({rc.kind}: {' vs '.join(v.value for v in rc.values)})")

    # flags (the project's schema: must_have / must_not_have per claim)
    c.flags_on_points = sum(len(p.flags) for p in briefing.points)
    if case.expect is not None:
        _score_flags(case, briefing, c, d)

    # boilerplate: point texts and every quote
    visible = _reader_texts(briefing, everything=False)
    c.boilerplate = len(case.boilerplate)
    for bp in case.boilerplate:
        seen_in = [w for w, t in visible if contains_text(t, bp)]
        if seen_in:
            c.boilerplate_leaked += 1
            d.boilerplate_leaks.append(f"{bp!r} in {', '.join(dict.fromkeys(seen_in))}")

    # injection: anything a reader of the briefing sees
    if want.payloads:
        everything = _reader_texts(briefing, everything=True)
        c.payloads = len(want.payloads)
        for payload in want.payloads:
            seen_in = [w for w, t in everything if contains_text(t, payload)]
            if seen_in:
                c.payload_leaked += 1
                d.injection_leaks.append(f"{payload!r} in {', '.join(dict.fromkeys(seen_in))}")

    # titles: the briefing's must name the story; no shown title may be page furniture
    problem = title_problem(briefing.title, case.story, want.headlines, case.boilerplate)
    if problem is None:
        c.titles_ok += 1
    else:
        d.title_problems.append(f"briefing title {briefing.title[:60]!r}: {problem}")
    shown = [("briefing title", briefing.title)] + [(f"source {s.id} title", s.title) for s in briefing.sources]
    for where, title in shown:
        c.shown_titles += 1
        junk = junk_title(title, case.boilerplate)
        if junk:
            c.shown_titles_junk += 1
            if where != "briefing title":
                d.title_problems.append(f"{where} {title[:50]!r}: {junk}")

    # fragments
    for i, text in enumerate(texts):
        why = fragment_problem(text)
        if why:
            c.points_fragment += 1
            d.fragments.append(f"point {i + 1} {text[:50]!r}: {why}")
        if line := dateline(text):
            c.points_dateline += 1
            d.datelines.append(f"point {i + 1}: {line!r}")
        others = texts[:i] + texts[i + 1 :]
        if (other := repeated_in(text, others)) is not None:
            c.points_repeated += 1
            d.repeats.append(f"point {i + 1} {text[:50]!r} repeats point {other + 1 + (other >= i)}")

    if case.evalset is not None:
        _score_evalset(case.evalset, briefing, c, d)

    # dedup / origins
    _score_origins(want, {s.id: s.origin for s in briefing.sources}, c, d)
    return c, d


def _score_flags(case: Case, briefing: Briefing, c: Counts, d: Details) -> None:
    texts = [p.text for p in briefing.points]
    for ef in case.expect.flags:  # type: ignore[union-attr]
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


_FAMILY = {"unverified": "hedged"}  # the README: hedged and unverified count as one family


def _score_evalset(ev: EvalsetExpect, briefing: Briefing, c: Counts, d: Details) -> None:
    """The metrics only the shared schema has data for."""
    texts = [p.text for p in briefing.points]

    # false-conflict traps: a reported conflict with one value from each side of the pair
    c.traps = len(ev.false_conflicts)
    for fc in ev.false_conflicts:
        hit = [rc for rc in briefing.conflicts if conflict_matches(fc.values, rc)]
        if hit:
            c.traps_hit += 1
            d.false_conflict_traps.append(f"{fc.id}: {' vs '.join(v.value for v in hit[0].values)}")

    # updates: the latest value stated; the old one alone is stale
    c.updates = len(ev.updates)
    for u in ev.updates:
        new = any(mentions_any(t, u.new) for t in texts)
        old = [i for i, t in enumerate(texts) if mentions_any(t, u.old)]
        c.updates_latest += new
        if old and not new:
            c.updates_stale += 1
            d.updates_missed.append(f"{u.id}: stale ({'/'.join(u.old)} in point {old[0] + 1}, never {'/'.join(u.new)})")
        elif not new:
            d.updates_missed.append(f"{u.id}: latest value {'/'.join(u.new)} not stated")

    # thin claims: a point stating one carries its flags
    for claim in [*ev.single_source, *ev.hedged]:
        families = {_FAMILY.get(k, k) for k in claim.flags}
        for i, p in enumerate(briefing.points):
            if not claim.stated_by(p.text):
                continue
            have = {_FAMILY.get(f.kind, f.kind) for f in p.flags}
            for fam in sorted(families):
                c.thin_flags_required += 1
                if fam in have:
                    c.thin_flags_carried += 1
                else:
                    d.thin_flag_errors.append(f"point {i + 1} [{claim.id}] lacks {fam}")

    # false single-source: a point stating a corroborated key fact flagged single_source
    corroborated = [f for f in ev.key_facts if ev.origin_count(f.sources) >= 2]
    for i, p in enumerate(briefing.points):
        facts = [f.id for f in corroborated if f.covered_by(p.text)]
        if not facts:
            continue
        c.corroborated_points += 1
        if any(f.kind == "single_source" for f in p.flags):
            c.corroborated_single += 1
            d.false_single_source.append(f"point {i + 1} [{', '.join(facts)}] flagged single_source")

    # the lead: the first point states a fact of the most origins any key fact has
    most = max((ev.origin_count(f.sources) for f in ev.key_facts), default=0)
    if most and texts:
        c.leads = 1
        c.leads_ok = int(any(f.covered_by(texts[0]) for f in ev.key_facts if ev.origin_count(f.sources) == most))
        if not c.leads_ok:
            d.lead_problems.append(f"point 1 states no key fact of {most} origins")

    # off-topic articles cited anywhere
    c.off_topic = len(ev.off_topic)
    cited = _cited_ids(briefing)
    for art in ev.off_topic:
        if art in cited:
            c.off_topic_cited += 1
            d.off_topic_citations.append(art)


def _score_origins(want: _Expected, origin_of: Mapping[str, str], c: Counts, d: Details) -> None:
    label = {a: f"group{i}" for i, g in enumerate(want.syndicated_groups) for a in g}
    label.update({a: a for a in want.independent})
    for group in want.syndicated_groups:
        c.dedup_checks += 1
        missing = [a for a in group if a not in origin_of]
        origins = {origin_of[a] for a in group if a in origin_of}
        if not missing and len(origins) == 1:
            c.dedup_passed += 1
        elif missing:
            d.dedup_failures.append(f"group {group}: {missing} not in briefing.sources")
        else:
            d.dedup_failures.append(f"group {group} split across origins {sorted(origins)}")
    for art in want.independent:
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
    if want.origins is not None:
        c.dedup_checks += 1
        n = len(set(origin_of.values()))
        if n == want.origins:
            c.dedup_passed += 1
        else:
            d.dedup_failures.append(f"{n} origins, expected {want.origins}")


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
