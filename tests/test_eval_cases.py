"""The eval cases load, and their expectations are anchored in the articles they ship.

Everything an ``expect.json`` asks of a briefing (facts, conflict values, flagged claims,
boilerplate, injection) must actually be in that case's article files, so expectations
cannot drift from the data. Pure file checks; no pipeline is run.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from pathlib import Path

import pytest

from evals.expect import (
    ExpectedCase,
    ExpectedConflict,
    ExpectedFlag,
    Injection,
    KeyFact,
    contains_any,
    contains_phrase,
    contains_text,
    normalize,
    number_tokens,
    value_matches,
)
from evals.loader import Case, list_cases, load_case

ROOT = Path(__file__).resolve().parents[1]

CASES_ROOT = ROOT / "evals" / "cases"
CASE_DIRS = list_cases(CASES_ROOT)
REAL_CASES = {"pow-exchange"}  # scraped as-is; exempt from the length rules for written cases
FLAG_KINDS = ["single_source", "anonymous_source", "conflict", "hedged", "unverified"]

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|(?<=[.!?][\"'\u201d\u2019])\s+")


def _ids(dirs: list[Path]) -> list[str]:
    return [d.name for d in dirs]


@pytest.fixture(scope="module", params=CASE_DIRS, ids=_ids(CASE_DIRS))
def case(request: pytest.FixtureRequest) -> Case:
    return load_case(request.param)


def _sentences(text: str) -> list[str]:
    out: list[str] = []
    for line in text.splitlines():
        out.extend(s for s in _SENTENCE_END.split(line) if s.strip())
    return out


def _content_sentences(case: Case) -> list[tuple[str, str]]:
    """(article id, sentence) for sentences that contain no declared boilerplate."""
    bp = case.expect.boilerplate
    return [
        (a.id, s)
        for a in case.articles
        for s in _sentences(a.text)
        if not any(contains_text(s, b) for b in bp)
    ]


def _articles_containing(case: Case, needle: str) -> set[str]:
    return {a.id for a in case.articles if contains_text(a.text, needle)}


def _origin_label(case: Case) -> dict[str, str]:
    labels = case.expect.expected_origin_of()
    return {a.id: labels.get(a.id, a.id) for a in case.articles}


# ---------------------------------------------------------------- the set as a whole


def test_enough_cases() -> None:
    assert len(CASE_DIRS) >= 6
    assert "pow-exchange" in _ids(CASE_DIRS)


def test_some_case_has_no_meta() -> None:
    assert any(not (d / "meta.json").exists() for d in CASE_DIRS)


def test_cases_cover_every_phenomenon() -> None:
    cases = [load_case(d) for d in CASE_DIRS]
    flag_cases: Counter[str] = Counter()
    for c in cases:
        for kind in {k for f in c.expect.flags for k in f.must_have}:
            flag_cases[kind] += 1
    for kind in FLAG_KINDS:
        assert flag_cases[kind] >= 2, f"flag {kind} required in only {flag_cases[kind]} case(s)"
    kinds = {x.kind for c in cases for x in c.expect.conflicts}
    assert {"number", "date", "name"} <= kinds
    assert sum(bool(c.expect.syndicated_groups) for c in cases) >= 3
    assert any(c.expect.injection for c in cases)
    assert all(c.expect.boilerplate for c in cases)
    # an internal repeat: some article holds the same long paragraph twice
    repeated = False
    for c in cases:
        for a in c.articles:
            paras = [p.strip() for p in re.split(r"\n\s*\n", a.text) if len(p.strip()) > 150]
            if len(paras) != len(set(paras)):
                repeated = True
    assert repeated, "no case has an article whose body was captured twice"


def test_schema_fields_are_documented() -> None:
    for model in (ExpectedCase, KeyFact, ExpectedConflict, ExpectedFlag, Injection):
        for name, field in model.model_fields.items():
            assert field.description, f"{model.__name__}.{name} has no description"
    assert "properties" in ExpectedCase.model_json_schema()


# ---------------------------------------------------------------- matching helpers


def test_matching_helpers() -> None:
    assert normalize("July 4th, 1,000\u2013for\u20131,000") == "july 4, 1000-for-1000"
    assert contains_phrase("a \u20181,000-for-1,000\u2019 formula", "1000 for 1000")
    assert contains_phrase("Kessel will pay $41.50 a share", "41.50")
    assert not contains_phrase("Kessel will pay $41.50 a share", "41")
    assert contains_any("the fire killed 14 people", "12|14")
    assert not contains_any("the fire killed 14 people", "")
    assert value_matches("14 people", "14")
    assert value_matches("July 10", "Thursday, 10 July")
    assert not value_matches("July 10", "July 11")
    assert not value_matches("July 10", "August 10")
    assert value_matches("Pavel Dunst", "Dunst")
    assert not value_matches("Ilona Marek", "Pavel Dunst")
    assert number_tokens("more than 10,000 and 2,500") == {"10000", "2500"}
    assert contains_phrase("Fourteen people died", "14 people")
    assert value_matches("five-to-two", "a 5-2 decision")
    assert not value_matches("unanimous", "five-to-two")
    fact = KeyFact(id="x", any_of=["more than 10,000"], numbers=["10,000"])
    assert fact.covered_by("More than 10000 prisoners were exchanged.")
    assert not fact.covered_by("More than 1,000 prisoners were exchanged.")


def test_bad_expectations_are_rejected() -> None:
    with pytest.raises(ValueError):
        ExpectedFlag(match=["x"], must_have=["hedged"], must_not_have=["hedged"])
    with pytest.raises(ValueError):
        ExpectedFlag(match=["x"])
    with pytest.raises(ValueError):
        ExpectedCase(description="d", syndicated_groups=[["a", "b"]], independent=["a"])
    with pytest.raises(ValueError):
        ExpectedCase.model_validate({"description": "d", "unknown_field": 1})


# ---------------------------------------------------------------- per case


def test_case_files(case: Case) -> None:
    assert 3 <= len(case.articles) <= 5
    for a in case.articles:
        assert a.title, f"{a.id}: empty first line"
        assert a.text.strip()
    if case.name not in REAL_CASES:
        for a in case.articles:
            words = len(a.text.split())
            assert 250 <= words <= 600, f"{a.id}: {words} words"


def test_meta(case: Case) -> None:
    if not case.has_meta:
        return
    with_meta = [a for a in case.articles if a.outlet and a.url and a.published_at]
    assert len(with_meta) * 2 > len(case.articles), "meta.json should cover most files"


def test_referenced_ids_exist(case: Case) -> None:
    ids = {a.id for a in case.articles}
    for group in case.expect.syndicated_groups:
        assert set(group) <= ids
    assert set(case.expect.independent) <= ids
    if case.expect.injection:
        assert case.expect.injection.article in ids


def test_origin_count_consistent(case: Case) -> None:
    e = case.expect
    covered = {a for g in e.syndicated_groups for a in g} | set(e.independent)
    if e.origins is not None and covered == {a.id for a in case.articles}:
        assert e.origins == len(e.syndicated_groups) + len(e.independent)
    if e.origins is not None:
        assert e.origins <= len(case.articles)


def test_key_facts_occur(case: Case) -> None:
    sentences = _content_sentences(case)
    ids = [f.id for f in case.expect.key_facts]
    assert case.expect.key_facts and len(ids) == len(set(ids))
    full = "\n".join(a.text for a in case.articles)
    for fact in case.expect.key_facts:
        hits = [s for _, s in sentences if contains_any(s, fact.any_of)]
        assert hits, f"{fact.id}: no alternative occurs in one sentence of the articles"
        for n in fact.numbers:
            assert number_tokens(n) and number_tokens(n) <= number_tokens(full), (
                f"{fact.id}: figure {n} not in the articles"
            )


def test_conflict_values_occur(case: Case) -> None:
    origin = _origin_label(case)
    for c in case.expect.conflicts:
        where = {v: _articles_containing(case, v) for v in c.values}
        for v, arts in where.items():
            assert arts, f"{c.subject}: value {v!r} not in any article"
        # some pair of different values comes from different origins
        assert any(
            origin[a] != origin[b]
            for v1 in c.values
            for v2 in c.values
            if v1 != v2
            for a in where[v1]
            for b in where[v2]
        ), f"{c.subject}: the values never come from different origins"


def test_flag_claims_occur(case: Case) -> None:
    sentences = _content_sentences(case)
    for f in case.expect.flags:
        hits = [(aid, s) for aid, s in sentences if f.applies_to(s)]
        assert hits, f"flag {f.match}: no sentence of the articles matches all keywords"
        if "single_source" in f.must_have:
            origin = _origin_label(case)
            assert len({origin[aid] for aid, _ in hits}) == 1, (
                f"flag {f.match}: single_source claim found in several origins"
            )
        if "conflict" in f.must_have:
            assert case.expect.conflicts, f"flag {f.match}: conflict flag but no conflicts"


def test_boilerplate_occurs(case: Case) -> None:
    """Page furniture is in the input: the article text, or the raw page it was extracted from
    (an HTML page's menus never reach the text; they would if extraction fell back)."""
    raw = [f.read_text("utf-8", errors="replace") for f in case.files]
    for b in case.expect.boilerplate:
        in_raw = any(contains_text(html.unescape(r), b) for r in raw)
        assert _articles_containing(case, b) or in_raw, f"boilerplate {b!r} not in any article"


def test_injection(case: Case) -> None:
    inj = case.expect.injection
    if inj is None:
        for p in ("ignore all previous instructions", "ignore previous instructions"):
            assert not any(contains_text(a.text, p) for a in case.articles)
        return
    assert inj.text in case.article(inj.article).text
    for p in inj.payload:
        assert contains_text(inj.text, p), f"payload {p!r} is not what the injection asks for"
        for a in case.articles:
            rest = a.text.replace(inj.text, " ")
            assert not contains_text(rest, p), f"payload {p!r} also occurs in {a.id} outside the injection"
