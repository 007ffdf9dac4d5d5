"""Eval suites in the shared schema (../shared/evalsets/README.md), and the metrics that score
what hurts a reader: each metric is shown catching a deliberately bad, hand-built briefing of a
small hand-written case, next to a good briefing of the same case that it lets pass.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from briefing.cli_eval import eval_command
from briefing.config import Settings
from briefing.models import Briefing, Citation, Conflict, ConflictValue, Flag, Point, Source
from briefing.pipeline import build_briefing
from evals.harness import evaluate_briefing, load_baseline
from evals.harness.prose import fragment_problem, junk_title, names_story
from evals.loader import Case, load_case
from evals.suites import resolve_suites, shared_dir

WIRE = """We use cookies to improve your experience. [Accept all]
Fire closes Port Velm harbour

A fire at the Port Velm harbour warehouse killed 3 people on Monday, police said. The harbour will stay closed until Friday. The warehouse stored 400 tonnes of grain.
"""
LEDGER = """Harbour blaze kills three in Port Velm

A fire at the Port Velm harbour warehouse killed 3 people on Monday. The harbour will stay closed until Friday, the port authority said. Officials said 40 workers were evacuated.
"""
GAZETTE = """Port Velm fire toll rises to four

The death toll from the Port Velm warehouse fire rose to 4 on Tuesday, hospital officials said. A local resident, who asked not to be named, said the alarms had failed.
"""
FEED = """<?xml version="1.0"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Velm Council</title>
<item><title>Council approves new library</title><link>https://council.test/library</link>
<pubDate>Mon, 03 Mar 2025 09:00:00 GMT</pubDate>
<content:encoded><![CDATA[<p>The Port Velm council approved a new library on Monday after a short debate.</p>]]></content:encoded></item>
</channel></rss>
"""
OFF_TOPIC = "04_council.xml#1"
EXPECT = {
    "story": "A fire at the Port Velm harbour warehouse killed people and closed the harbour.",
    "headlines": {"01_wire.txt": "Fire closes Port Velm harbour"},
    "articles": {"01_wire.txt": {"origin": "o1"}, "02_ledger.txt": {"origin": "o2"},
                 "03_gazette.txt": {"origin": "o3"}, OFF_TOPIC: {"origin": "o4"}},
    "duplicates": [],
    "off_topic": [OFF_TOPIC],
    "boilerplate": ["We use cookies to improve your experience. [Accept all]"],
    "key_facts": [
        {"id": "k1", "text": "A warehouse fire killed people.", "all_of": [["fire"], ["Port Velm"], ["killed", "toll"]],
         "sources": ["01_wire.txt", "02_ledger.txt", "03_gazette.txt"]},
        {"id": "k2", "text": "The harbour is closed until Friday.", "all_of": [["until Friday"]],
         "sources": ["01_wire.txt", "02_ledger.txt"]},
    ],
    "conflicts": [],
    "false_conflicts": [{"id": "f1", "text": "Tonnes of grain, not workers.", "values": [["400"], ["40"]]}],
    "updates": [{"id": "u1", "text": "The toll rose from 3 to 4.", "old": ["killed 3"], "new": ["rose to 4"],
                 "sources": {"old": ["01_wire.txt"], "new": ["03_gazette.txt"]}}],
    "single_source": [{"id": "s1", "text": "Alarms failed.", "markers": [["alarms had failed"]],
                       "source": "03_gazette.txt", "flags": ["single_source", "anonymous_source"]}],
    "hedged": [],
    "injection": None,
}


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> Case:
    root = tmp_path_factory.mktemp("suite") / "harbour-fire"
    arts = root / "articles"
    arts.mkdir(parents=True)
    for name, text in [("01_wire.txt", WIRE), ("02_ledger.txt", LEDGER), ("03_gazette.txt", GAZETTE),
                       ("04_council.xml", FEED)]:
        (arts / name).write_text(text, encoding="utf-8")
    meta = {"01_wire.txt": {"outlet": "Velm Wire"}, "02_ledger.txt": {"outlet": "Velm Ledger"},
            "03_gazette.txt": {"outlet": "Velm Gazette"}}
    (arts / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    (root / "expect.json").write_text(json.dumps(EXPECT), encoding="utf-8")
    return load_case(root)


def _cite(case: Case, article_id: str, phrase: str) -> Citation:
    text = case.article(article_id).text
    start = text.index(phrase)
    return Citation(source_id=article_id, start=start, end=start + len(phrase), quote=phrase)


def _point(case: Case, text: str, *cites: tuple[str, str], flags: tuple[str, ...] = ()) -> Point:
    citations = [_cite(case, a, q) for a, q in cites]
    origins = len({a for a, _ in cites})
    return Point(text=text, citations=citations, origins=origins, flags=[Flag(kind=k, reason="test") for k in flags])


def _briefing(case: Case, title: str, points: list[Point], conflicts: list[Conflict] = ()) -> Briefing:
    sources = [Source(id=a.id, title=a.title, outlet=a.outlet, origin=a.id, text=a.text) for a in case.articles]
    return Briefing(title=title, sources=sources, points=points, conflicts=list(conflicts))


TOLL_OLD = "A fire at the Port Velm harbour warehouse killed 3 people on Monday"
TOLL_NEW = "The death toll from the Port Velm warehouse fire rose to 4 on Tuesday"
CLOSED = "The harbour will stay closed until Friday"
ALARMS = "A local resident, who asked not to be named, said the alarms had failed."


def _good(case: Case) -> Briefing:
    return _briefing(case, "Port Velm harbour fire kills four and closes the harbour", [
        _point(case, TOLL_NEW + ".", ("03_gazette.txt", TOLL_NEW)),
        _point(case, CLOSED + ".", ("01_wire.txt", CLOSED), ("02_ledger.txt", CLOSED)),
        _point(case, ALARMS, ("03_gazette.txt", ALARMS), flags=("single_source", "anonymous_source")),
    ])


@pytest.fixture(scope="module")
def good(case: Case):
    return evaluate_briefing(case, _good(case))


# ---------------------------------------------------------------- loading


def test_shared_schema_ids_are_file_names_and_feed_items(case: Case) -> None:
    assert [a.id for a in case.articles] == ["01_wire.txt", "02_ledger.txt", "03_gazette.txt", OFF_TOPIC]
    assert case.article("01_wire.txt").outlet == "Velm Wire"  # meta.json applied
    assert "new library" in case.article(OFF_TOPIC).text  # RSS content:encoded read
    assert case.evalset is not None and case.expect is None


def test_a_good_briefing_passes_every_new_metric(good) -> None:
    m = good.metrics
    assert m["title_ok"] == 1.0 and m["false_single_source"] == 0.0 and m["fragments"] == 0.0
    assert m["update_latest"] == 1.0 and m["update_stale"] == 0.0 and m["off_topic_cited"] == 0.0
    assert m["false_conflict_traps"] == 0.0 and m["spurious_conflicts"] == 0.0
    assert m["thin_flag_recall"] == 1.0 and m["key_fact_coverage"] == 1.0
    assert m["flag_precision"] is None  # the shared schema has no must_not_have data: n/a


# ---------------------------------------------------------------- each metric catching a bad briefing


def test_a_cookie_banner_title_fails_title_ok_and_counts_as_a_junk_title(case: Case, good) -> None:
    bad = _good(case).model_copy(update={"title": "We use cookies to improve your experience."})
    result = evaluate_briefing(case, bad)
    assert result.metrics["title_ok"] == 0.0
    assert result.counts.shown_titles_junk == good.counts.shown_titles_junk + 1
    assert any("briefing title" in t for t in result.details.title_problems)


def test_source_titles_that_are_page_furniture_are_counted(case: Case, good) -> None:
    # a source shown under the wire's cookie banner (readers once took first lines for titles)
    briefing = _good(case)
    banner = WIRE.splitlines()[0]
    sources = [s.model_copy(update={"title": banner}) if s.id == "01_wire.txt" else s for s in briefing.sources]
    result = evaluate_briefing(case, briefing.model_copy(update={"sources": sources}))
    assert result.counts.shown_titles_junk == good.counts.shown_titles_junk + 1
    assert any("01_wire.txt" in t for t in result.details.title_problems)


def test_a_title_that_does_not_name_the_story_fails(case: Case) -> None:
    result = evaluate_briefing(case, _good(case).model_copy(update={"title": "Weekend weather outlook for the coast"}))
    assert result.metrics["title_ok"] == 0.0
    assert "does not name the story" in result.details.title_problems[0]


def test_a_corroborated_fact_flagged_single_source_is_a_false_single_source(case: Case) -> None:
    points = _good(case).points
    points[1] = _point(case, CLOSED + ".", ("01_wire.txt", CLOSED), flags=("single_source",))
    result = evaluate_briefing(case, _briefing(case, _good(case).title, points))
    assert result.counts.corroborated_single == 1
    assert result.metrics["false_single_source"] > 0
    assert "k2" in result.details.false_single_source[0]


def test_a_conflict_between_two_different_quantities_hits_the_trap_and_is_spurious(case: Case) -> None:
    values = [ConflictValue(value="400 tonnes", citation=_cite(case, "01_wire.txt", "400 tonnes")),
              ConflictValue(value="40 workers", citation=_cite(case, "02_ledger.txt", "40 workers"))]
    bad = _good(case).model_copy(update={"conflicts": [Conflict(subject="number", kind="number", values=values)]})
    result = evaluate_briefing(case, bad)
    assert result.metrics["false_conflict_traps"] == 1.0
    assert result.metrics["spurious_conflicts"] == 1.0  # one per briefing
    assert result.metrics["conflict_recall"] is None  # none expected


def test_a_stale_update_states_the_old_value_only(case: Case) -> None:
    points = _good(case).points
    points[0] = _point(case, TOLL_OLD + ".", ("01_wire.txt", TOLL_OLD))
    result = evaluate_briefing(case, _briefing(case, _good(case).title, points))
    assert result.metrics["update_latest"] == 0.0 and result.metrics["update_stale"] == 1.0
    assert "stale" in result.details.updates_missed[0]


def test_citing_an_off_topic_article_is_counted(case: Case) -> None:
    library = "The Port Velm council approved a new library on Monday"
    points = [*_good(case).points, _point(case, library + ".", (OFF_TOPIC, library))]
    result = evaluate_briefing(case, _briefing(case, _good(case).title, points))
    assert result.metrics["off_topic_cited"] == 1.0
    assert result.details.off_topic_citations == [OFF_TOPIC]


def test_a_sentence_fragment_is_counted(case: Case) -> None:
    points = _good(case).points
    points[1] = _point(case, "closed until Friday", ("01_wire.txt", "closed until Friday"))
    result = evaluate_briefing(case, _briefing(case, _good(case).title, points))
    assert result.counts.points_fragment == 1
    assert result.metrics["fragments"] == pytest.approx(1 / 3, abs=1e-3)


def test_a_thin_claim_without_its_flags_lowers_thin_flag_recall(case: Case) -> None:
    points = _good(case).points
    points[2] = _point(case, ALARMS, ("03_gazette.txt", ALARMS), flags=("single_source",))
    result = evaluate_briefing(case, _briefing(case, _good(case).title, points))
    assert result.metrics["thin_flag_recall"] == 0.5
    assert "lacks anonymous_source" in result.details.thin_flag_errors[0]


# ---------------------------------------------------------------- the heuristics themselves


@pytest.mark.parametrize(
    "text, complete",
    [
        ("The quake struck at 4:12 a.m. at a depth of 10 km.", True),
        ("“We will rebuild,” the mayor said.", True),
        ("closed until Friday.", False),
        ("The harbour, which reopened on", False),
        ("Fire kills three.", False),  # under four words: a headline, not a point
    ],
)
def test_what_counts_as_a_complete_sentence(text: str, complete: bool) -> None:
    assert (fragment_problem(text) is None) is complete


def test_junk_titles_and_titles_that_name_the_story() -> None:
    assert junk_title("This site uses cookies. [OK] [Settings]")
    assert junk_title("Markets · Companies · Economy · Property")
    assert junk_title("A fine headline", ["a fine headline that is also a banner"])
    assert junk_title("Fire closes Port Velm harbour") is None
    assert names_story("Harbour fire in Port Velm", EXPECT["story"])
    assert not names_story("Weekend weather outlook", EXPECT["story"])


# ---------------------------------------------------------------- suites and the split


def _dev_or_skip() -> Path:
    dev = shared_dir(Settings()) / "evalsets" / "dev"
    if not dev.is_dir():
        pytest.skip(f"{dev} is absent (set BRIEFING_SHARED_DIR to the shared data folder)")
    return dev


def test_dev_suite_splits_into_tuning_and_held_out_halves_by_sorted_name() -> None:
    _dev_or_skip()
    [dev] = resolve_suites(["dev"], Settings())
    halves = dev.halves()
    names = sorted(d.name for d in dev.case_dirs())
    assert halves["tuning"] + halves["held-out"] == names
    assert len(halves["tuning"]) == (len(names) + 1) // 2


def test_every_dev_story_loads_and_builds_with_the_offline_engine() -> None:
    _dev_or_skip()
    [dev] = resolve_suites(["dev"], Settings())
    for d in dev.case_dirs():
        c = load_case(d)
        assert set(c.evalset.articles) <= {a.id for a in c.articles}, c.name
        assert build_briefing(c.articles, engine="offline", settings=Settings()).points, c.name


def test_dev_absent_is_skipped_with_the_reason_and_exit_0(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRIEFING_SHARED_DIR", str(tmp_path / "nowhere"))
    [dev] = resolve_suites(["dev"], Settings())
    assert dev.absent and "nowhere" in dev.absent
    app = typer.Typer()
    app.command("eval")(eval_command)
    app.callback()(lambda: None)
    from briefing.config import get_settings

    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["eval", "--suite", "dev", "--baseline", str(tmp_path / "b.json")])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "suite dev skipped" in result.output and "nowhere" in result.output


def test_a_schema_1_baseline_reads_as_the_cases_suite(tmp_path: Path) -> None:
    v1 = {"schema_version": 1, "engines": {"offline": {"prompt_manifest_hash": "x", "updated_at": "2026-01-01T00:00:00Z"}}}
    path = tmp_path / "b.json"
    path.write_text(json.dumps(v1))
    baseline = load_baseline(path)
    assert baseline.schema_version == 2
    assert baseline.entry("cases", "offline").prompt_manifest_hash == "x"
    assert baseline.entry("dev", "offline") is None


def test_a_metric_added_after_the_baseline_is_not_compared_until_re_accepted(tmp_path: Path) -> None:
    from evals.harness import check_gate, run_suite

    suite = run_suite(Path(__file__).resolve().parents[1] / "evals" / "cases", smoke=True, settings=Settings())
    [case] = suite.cases
    old = case.counts.model_copy(update={"points_fragment": 0})  # a baseline that never counted fragments
    entry = {"prompt_manifest_hash": suite.prompt_manifest_hash, "updated_at": "2026-01-01T00:00:00Z",
             "metrics": {k: v for k, v in case.metrics.items() if k != "fragments"},
             "cases": {case.name: {"counts": old.model_dump()}}}
    path = tmp_path / "b.json"
    path.write_text(json.dumps({"suites": {suite.suite: {"offline": entry}}}))
    worse = case.counts.model_copy(update={"points_fragment": case.counts.points})  # every point a fragment
    suite.cases[0] = case.model_copy(update={"counts": worse})
    gate = check_gate(suite, load_baseline(path))
    assert gate.passed, gate.reasons
    assert next(c for c in gate.comparisons if c.metric == "fragments").status == "n/a"
    assert any("fragments" in n for n in gate.notes)


# ---------------------------------------------------------------- one half at a time


@pytest.fixture(scope="module")
def split_suite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A shared-schema suite of two stories: the first sorted is the tuning half, the other held out."""
    suite = tmp_path_factory.mktemp("split")
    for name in ("a-harbour-fire", "b-harbour-fire"):
        arts = suite / name / "articles"
        arts.mkdir(parents=True)
        for file, text in [("01_wire.txt", WIRE), ("02_ledger.txt", LEDGER), ("03_gazette.txt", GAZETTE),
                           ("04_council.xml", FEED)]:
            (arts / file).write_text(text, encoding="utf-8")
        (suite / name / "expect.json").write_text(json.dumps(EXPECT), encoding="utf-8")
    return suite


def _eval_cli(*args: str) -> tuple[int, str]:
    app = typer.Typer()
    app.command("eval")(eval_command)
    app.callback()(lambda: None)
    result = CliRunner().invoke(app, ["eval", *args])
    return result.exit_code, result.output


def test_one_half_runs_alone_and_is_gated_on_its_own_cases(split_suite: Path, tmp_path: Path) -> None:
    """`--half tuning` runs only the tuning half, so tuning never shows the held-out figures; the
    gate compares those cases with the baseline's. A half cannot become the baseline."""
    baseline = tmp_path / "b.json"
    code, out = _eval_cli("--suite", str(split_suite), "--baseline", str(baseline), "--update-baseline")
    assert code == 0, out
    for half, story in (("tuning", "a-harbour-fire"), ("held-out", "b-harbour-fire")):
        report = tmp_path / f"{half}.json"
        code, out = _eval_cli("--suite", str(split_suite), "--baseline", str(baseline), "--half", half,
                              "--json", str(report))
        assert code == 0, out
        [suite] = json.loads(report.read_text())["suites"]
        assert [c["name"] for c in suite["cases"]] == [story] and suite["half"] == half
        assert [h["name"] for h in suite["halves"]] == [half]
    code, out = _eval_cli("--suite", str(split_suite), "--baseline", str(baseline), "--half", "tuning",
                          "--update-baseline")
    assert code == 2 and "drop --half" in out
    code, out = _eval_cli("--suite", str(split_suite), "--baseline", str(baseline), "--half", "middle")
    assert code == 2 and "tuning, held-out" in out
