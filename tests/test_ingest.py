"""Ingest: every supported input becomes Articles; every bad input becomes a named problem.

`Article.text` is the text as received (decoded file for text, extracted text for HTML
and feeds), because every later offset indexes it.
"""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from briefing.errors import InputError
from briefing.ingest import articles_from_records, read_bytes, read_paths
from briefing.headlines import guess_title
from briefing.ingest.text import parse_date
from briefing.models import IngestResult

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"
EXAMPLE = Path(__file__).parents[1] / "examples" / "pow-exchange"
KYIV_SUMMER = timezone(timedelta(hours=3))


def ids(result: IngestResult) -> list[str]:
    return [a.id for a in result.articles]


def only_article(result: IngestResult):
    assert not result.problems, result.problems
    assert len(result.articles) == 1
    return result.articles[0]


# ------------------------------------------------------------------ plain text


def test_text_file_is_kept_byte_for_byte_as_decoded() -> None:
    path = FIXTURES / "plain.txt"
    article = only_article(read_paths([path]))
    assert article.text == path.read_bytes().decode("utf-8")
    assert article.id == "plain"
    assert article.path == str(path)


def test_text_keeps_crlf_and_drops_only_the_bom() -> None:
    data = "\ufeffHeadline with four words\r\n\r\n  Body line.  \r\n".encode()
    article = only_article(read_bytes("crlf.txt", data))
    assert article.text == "Headline with four words\r\n\r\n  Body line.  \r\n"


@pytest.mark.parametrize("name", ["note.txt", "note.md", "note"])
def test_txt_md_and_suffixless_files_are_plain_text(name: str) -> None:
    data = b"# Ceasefire talks resume in Istanbul\n\nDelegations met on Monday.\n"
    article = only_article(read_bytes(name, data))
    assert article.id == "note"
    assert article.title == "Ceasefire talks resume in Istanbul"
    assert article.text == data.decode()


@pytest.mark.parametrize(
    ("text", "title"),
    [
        pytest.param(
            "logo\n#\n\nLatest news with #DmytroUsov\n\nThe Secret Channel Russia Uses\nBody.",
            "The Secret Channel Russia Uses",
            id="skips-logo-hash-and-hashtag-lines",
        ),
        pytest.param(
            "Ukraine\n\nUkrainian intelligence discloses a channel\n",
            "Ukrainian intelligence discloses a channel",
            id="skips-section-label",
        ),
        pytest.param(
            "## Markdown heading of four words\n", "Markdown heading of four words", id="markdown"
        ),
        pytest.param("Short\n\nTiny text\n", "Short", id="falls-back-to-first-line"),
        pytest.param("  \n\n", "", id="blank"),
    ],
)
def test_title_is_the_first_line_of_at_least_four_words(text: str, title: str) -> None:
    assert guess_title(text) == title


def test_very_long_first_line_gives_a_shortened_title() -> None:
    title = guess_title("word " * 100)
    assert len(title) <= 201 and title.endswith("…")


def test_cp1252_file_decodes_without_crashing() -> None:
    article = only_article(read_paths([FIXTURES / "cp1252.txt"]))
    assert article.title == "Café talks “productive”, officials say"
    assert "envoy’s café meeting lasted two hours – longer" in article.text


def test_html_declared_charset_is_honoured() -> None:
    page = (
        '<html><head><meta charset="windows-1251"><title>Обмін полоненими</title></head>'
        "<body><p>Київ підтвердив обмін полоненими в п'ятницю.</p></body></html>"
    )
    article = only_article(read_bytes("kyiv.html", page.encode("cp1251")))
    assert article.text == "Київ підтвердив обмін полоненими в п'ятницю."
    assert article.title == "Обмін полоненими"


def test_example_corpus_reads_as_five_articles_named_by_stem() -> None:
    result = read_paths([EXAMPLE])
    assert not result.problems
    files = sorted(EXAMPLE.glob("*.txt"))
    assert ids(result) == [f.stem for f in files]
    for article, file in zip(result.articles, files, strict=True):
        assert article.text == file.read_text(encoding="utf-8")
        assert len(article.title.split()) >= 4
    titles = {a.id[:3]: a.title for a in result.articles}
    assert titles["000"].startswith("Ukrainian intelligence discloses existence")
    assert titles["001"] == "The Secret Channel Russia and Ukraine Use to Trade Prisoners of War"


# ------------------------------------------------------------------ HTML


def test_html_page_gives_main_text_and_metadata() -> None:
    article = only_article(read_paths([FIXTURES / "page.html"]))
    assert article.id == "page"
    assert article.title == "Prisoner swap agreed"
    assert article.outlet == "Example News"
    assert article.url == "https://news.example.com/world/prisoner-swap"
    assert article.published_at == datetime(2025, 7, 4, 10, tzinfo=KYIV_SUMMER)
    lines = article.text.splitlines()
    paragraph = "Ukraine and Russia exchanged prisoners of war on Friday, officials in Kyiv said"
    assert f"{paragraph} in a statement." in lines
    assert "Sport" not in article.text and "Subscribe" not in article.text  # menus and footers go


def test_html_with_too_little_for_trafilatura_falls_back_to_visible_text() -> None:
    data = (
        b"<html><head><title>Brief</title><style>p{}</style></head>"
        b"<body><div>Only one line.</div></body></html>"
    )
    article = only_article(read_bytes("tiny.html", data))
    assert article.text == "Only one line."
    assert article.title == "Brief"


def test_html_without_any_text_is_a_problem() -> None:
    result = read_bytes("blank.html", b"<html><body><script>var x = 1;</script></body></html>")
    assert result.articles == []
    assert result.problems[0].source == "blank.html"
    assert "no readable text" in result.problems[0].message


# ------------------------------------------------------------------ JSON and JSONL


@pytest.mark.parametrize(
    ("name", "expected_ids"),
    [
        pytest.param("one.json", ["one"], id="object"),
        pytest.param("list.json", ["list#1", "b-42"], id="list-with-a-given-id"),
        pytest.param("wrapper.json", ["wrapper#1", "wrapper#2"], id="articles-wrapper"),
    ],
)
def test_json_shapes(name: str, expected_ids: list[str]) -> None:
    result = read_paths([FIXTURES / name])
    assert not result.problems
    assert ids(result) == expected_ids
    assert all(a.path == str(FIXTURES / name) for a in result.articles)


def test_json_record_fields_and_exact_text() -> None:
    article = only_article(read_paths([FIXTURES / "one.json"]))
    record = json.loads((FIXTURES / "one.json").read_text())
    assert article.text == record["text"]
    assert article.title == "Swap confirmed by defence ministry"
    assert (article.outlet, article.url) == ("Example Wire", "https://wire.example.org/swap")
    assert article.published_at == datetime(2025, 7, 4, 8, 30, tzinfo=UTC)


def test_json_record_with_html_is_extracted() -> None:
    article = read_paths([FIXTURES / "wrapper.json"]).articles[1]
    assert article.title == "HTML report"
    assert article.text == "Moscow described the swap as a humanitarian gesture."


def test_jsonl_broken_line_is_named_and_the_others_still_read() -> None:
    result = read_paths([FIXTURES / "lines.jsonl"])
    assert ids(result) == ["lines#1", "lines#4"]  # ids carry the line number
    assert [p.source for p in result.problems] == [f"{FIXTURES / 'lines.jsonl'}:2"]
    assert "not valid JSON" in result.problems[0].message


def test_json_lines_saved_as_json_are_read_as_lines() -> None:
    result = read_bytes("stream.json", (FIXTURES / "lines.jsonl").read_bytes())
    assert ids(result) == ["stream#1", "stream#4"]
    assert [p.source for p in result.problems] == ["stream.json:2"]


@pytest.mark.parametrize(
    ("data", "source", "message"),
    [
        pytest.param(b'{"title": "x", "text": ', "bad.json:1", "not valid JSON", id="broken"),
        pytest.param(b'"just a string"', "bad.json", "expected an article object", id="scalar"),
        pytest.param(b"[]", "bad.json", "empty", id="empty-list"),
        pytest.param(
            b'{"articles": {"a": 1}}', "bad.json", '"articles" must be a list', id="bad-wrapper"
        ),
        pytest.param(b'{"title": "No body"}', "bad.json", "no article text", id="no-text"),
        pytest.param(b"[1]", "bad.json#1", "expected an object", id="not-an-object"),
    ],
)
def test_unusable_json_is_a_problem(data: bytes, source: str, message: str) -> None:
    result = read_bytes("bad.json", data)
    assert result.articles == []
    assert [p.source for p in result.problems] == [source]
    assert message in result.problems[0].message


DEEP_OBJECTS = '{"a": ' * 100_000 + "1" + "}" * 100_000  # issue 17 F4
DEEP_BRACKETS = "[" * 100_000 + "]" * 100_000
GOOD_RECORD = '{"title": "River rises", "text": "The river rose two metres on Monday, officials said."}'


def test_a_line_nested_too_deeply_is_named_and_the_other_lines_still_read(tmp_path: Path) -> None:
    (tmp_path / "feed.jsonl").write_text(f"{GOOD_RECORD}\n{DEEP_OBJECTS}\n{GOOD_RECORD}\n")
    result = read_paths([tmp_path / "feed.jsonl"])
    assert ids(result) == ["feed#1", "feed#3"]
    assert [p.source for p in result.problems] == [f"{tmp_path / 'feed.jsonl'}:2"]
    assert "nested too deeply" in result.problems[0].message


@pytest.mark.parametrize(
    ("name", "data"),
    [("deep.json", DEEP_BRACKETS), ("deep.json", DEEP_OBJECTS), ("deep.jsonl", DEEP_OBJECTS),
     ("meta.json", DEEP_BRACKETS)],
)
def test_a_file_nested_too_deeply_is_skipped_and_its_neighbours_read(tmp_path: Path, name: str, data: str) -> None:
    (tmp_path / name).write_text(data)
    (tmp_path / "good.json").write_text(GOOD_RECORD)
    result = read_paths([tmp_path])
    assert ids(result) == ["good"]
    assert [p.source.split(":")[0] for p in result.problems] == [str(tmp_path / name)]
    assert "nested too deeply" in result.problems[0].message


def test_stdin_nested_too_deeply_is_a_problem() -> None:
    result = read_paths(["-"], stdin=io.BytesIO(DEEP_OBJECTS.encode()))
    assert result.articles == []
    assert [(p.source, "nested too deeply" in p.message) for p in result.problems] == [("<stdin>", True)]


# ------------------------------------------------------------------ text with nothing to read (issue 17 F8)

INVISIBLE = "\u200b\ufeff\u200d\u2060\u00ad \u202e\x00\n"


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("blank.txt", "\u200b\u200c\ufeff\u2060\n\u200b"),
        ("blank.jsonl", json.dumps({"title": "Nothing", "text": INVISIBLE})),
        ("blank.json", json.dumps([{"title": "Nothing", "text": INVISIBLE}])),
        ("blank.html", "<html><body><p>\u200b\u200b\ufeff</p></body></html>"),
    ],
)
def test_text_of_invisible_characters_is_a_named_problem(tmp_path: Path, name: str, data: str) -> None:
    (tmp_path / name).write_text(data, encoding="utf-8")
    (tmp_path / "good.json").write_text(GOOD_RECORD)
    result = read_paths([tmp_path])
    assert ids(result) == ["good"]
    assert [p.source.split(":")[0].split("#")[0] for p in result.problems] == [str(tmp_path / name)]
    assert any(w in result.problems[0].message for w in ("no article text", "no readable text"))


def test_records_of_invisible_text_are_problems() -> None:
    result = articles_from_records([{"text": INVISIBLE}, {"text": "Rain fell on Monday."}])
    assert ids(result) == ["request#2"]
    assert [p.source for p in result.problems] == ["request#1"]
    assert "no article text" in result.problems[0].message


# ------------------------------------------------------------------ feeds


def test_rss_entries_become_articles() -> None:
    result = read_paths([FIXTURES / "wire.rss"])
    assert not result.problems
    first, second = result.articles
    assert ids(result) == ["wire#1", "wire#2"]
    assert first.title == "Prisoners return home"
    assert (
        first.text == "Ukrainian soldiers returned home on Friday.\nFamilies waited at the border."
    )
    assert first.outlet == "Example Wire"
    assert first.url == "https://wire.example.org/1"
    assert first.published_at == datetime(2025, 7, 4, 10, tzinfo=KYIV_SUMMER)
    assert second.published_at is None  # "not a date" is unknown, not an error


def test_atom_entry_uses_content_and_published() -> None:
    article = only_article(read_paths([FIXTURES / "news.atom"]))
    assert article.id == "news#1"
    assert article.title == "Exchange channel revealed"
    assert article.text == "A secret channel handled the swaps.\nIt began in 2022."
    assert article.outlet == "Example Atom News"
    assert article.url == "https://atom.example.net/channel"
    assert article.published_at == datetime(2025, 7, 5, 9, tzinfo=UTC)


def test_feed_entry_without_text_is_a_problem() -> None:
    rss = b'<rss version="2.0"><channel><item><title>Empty</title></item></channel></rss>'
    result = read_bytes("empty.rss", rss)
    assert result.articles == []
    assert result.problems[0].source == "empty.rss#1"


# ------------------------------------------------------------------ stdin and sniffing


@pytest.mark.parametrize(
    ("stream", "expected_ids", "title"),
    [
        pytest.param(
            io.StringIO("Plain words from a pipe today\n"),
            ["stdin"],
            "Plain words from a pipe today",
            id="text",
        ),
        pytest.param(
            io.TextIOWrapper(
                io.BytesIO("Caf\xe9 owner reports record sales today\n".encode("cp1252"))
            ),
            ["stdin"],
            "Café owner reports record sales today",
            id="cp1252-bytes-under-a-text-wrapper",
        ),
        pytest.param(
            io.BytesIO((FIXTURES / "one.json").read_bytes()),
            ["stdin"],
            "Swap confirmed by defence ministry",
            id="json",
        ),
        pytest.param(
            io.BytesIO((FIXTURES / "lines.jsonl").read_bytes()),
            ["stdin#1", "stdin#4"],
            "Line one",
            id="jsonl",
        ),
        pytest.param(
            io.BytesIO((FIXTURES / "page.html").read_bytes()),
            ["stdin"],
            "Prisoner swap agreed",
            id="html",
        ),
        pytest.param(
            io.BytesIO((FIXTURES / "wire.rss").read_bytes()),
            ["stdin#1", "stdin#2"],
            "Prisoners return home",
            id="rss",
        ),
    ],
)
def test_stdin_format_is_sniffed(stream: io.IOBase, expected_ids: list[str], title: str) -> None:
    result = read_paths(["-"], stdin=stream)  # type: ignore[arg-type]
    assert ids(result) == expected_ids
    assert result.articles[0].title == title
    assert result.articles[0].path == "<stdin>"


@pytest.mark.parametrize(
    ("name", "data", "title"),
    [
        pytest.param(
            "upload.bin",
            b"[Updated] Talks resume on Monday morning\n",
            "[Updated] Talks resume on Monday morning",
            id="bracket-text",
        ),
        pytest.param(
            "upload.dat", b'[{"title": "Listed", "text": "Body."}]', "Listed", id="json-list"
        ),
        pytest.param(
            "upload",
            b"<p>Fragment of HTML about the talks.</p>",
            "Fragment of HTML about the talks.",
            id="html-fragment",
        ),
        pytest.param(
            "",
            b"Nameless upload with enough words\n",
            "Nameless upload with enough words",
            id="no-name",
        ),
    ],
)
def test_read_bytes_sniffs_unknown_suffixes(name: str, data: bytes, title: str) -> None:
    assert only_article(read_bytes(name, data)).title == title


# ------------------------------------------------------------------ folders and meta.json


def test_folder_reads_supported_files_in_name_order_with_meta_overrides(tmp_path: Path) -> None:
    (tmp_path / "b.md").write_text("Second story about the swap talks\n")
    (tmp_path / "a.txt").write_text("First story about the swap talks\n")
    (tmp_path / ".hidden.txt").write_text("never read")
    (tmp_path / "scan.pdf").write_bytes(b"%PDF-1.7")
    (tmp_path / "sub").mkdir()
    meta = {
        "a.txt": {
            "outlet": "Kyiv Post",
            "url": "https://k.example/a",
            "published_at": "2025-07-04",
            "title": "Given",
        },
        "gone.txt": {"outlet": "Nobody"},
    }
    (tmp_path / "meta.json").write_text(json.dumps(meta))

    result = read_paths([tmp_path])

    assert ids(result) == ["a", "b"]
    a = result.articles[0]
    assert (a.title, a.outlet, a.url) == ("Given", "Kyiv Post", "https://k.example/a")
    assert a.published_at == datetime(2025, 7, 4, tzinfo=UTC)
    assert a.text == "First story about the swap talks\n"  # metadata never touches text
    assert {Path(p.source).name: p.message for p in result.problems} == {
        "scan.pdf": "skipped: '.pdf' is not a supported format",
        "meta.json": "names 'gone.txt', which is not in the folder",
    }


def test_meta_json_fills_but_never_overrides_the_records_of_a_feed_export(tmp_path: Path) -> None:
    # one sidecar outlet for a file of five outlets' records would make them one origin
    records = [
        {"title": "Smoke alert raised", "text": "Officials raised the alert.\n", "outlet": "Wire A"},
        {"title": "Alert at top level", "text": "The alert is at its top level.\n"},
    ]
    (tmp_path / "feed.jsonl").write_text("\n".join(json.dumps(r) for r in records))
    meta = {"feed.jsonl": {"outlet": "Aggregated export", "title": "Export", "published_at": "2025-09-09"}}
    (tmp_path / "meta.json").write_text(json.dumps(meta))

    a, b = read_paths([tmp_path]).articles

    assert (a.outlet, b.outlet) == ("Wire A", "Aggregated export")  # the record's own wins
    assert (a.title, b.title) == ("Smoke alert raised", "Alert at top level")
    assert a.published_at == b.published_at == datetime(2025, 9, 9, tzinfo=UTC)  # blank: filled


def test_meta_json_applies_to_a_file_named_directly(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Story told by the sidecar outlet\n")
    (tmp_path / "meta.json").write_text('{"a.txt": {"outlet": "Sidecar Times"}}')
    assert only_article(read_paths([tmp_path / "a.txt"])).outlet == "Sidecar Times"


def test_broken_meta_json_is_reported_and_the_files_still_read(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Story that survives broken metadata\n")
    (tmp_path / "meta.json").write_text("{oops")
    result = read_paths([tmp_path])
    assert ids(result) == ["a"]
    assert result.problems[0].source == f"{tmp_path / 'meta.json'}:1"


def test_same_stem_in_two_inputs_gets_a_suffix(tmp_path: Path) -> None:
    for folder in ("x", "y"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "story.txt").write_text(f"Story from folder {folder} today\n")
    assert ids(read_paths([tmp_path / "x", tmp_path / "y"])) == ["story", "story-2"]


# ------------------------------------------------------------------ bad input


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        pytest.param("empty.txt", b"", "empty", id="empty"),
        pytest.param("blank.txt", b" \n\t\n", "empty", id="whitespace-only"),
        pytest.param("nul.txt", b"abc\x00\x01\x02def", "binary", id="nul-bytes"),
        pytest.param("noise.txt", bytes(range(1, 32)) * 20, "binary", id="control-bytes"),
        pytest.param("image.txt", b"\x89PNG\r\n\x1a\nrest", "PNG image", id="png-magic"),
    ],
)
def test_unusable_file_is_a_problem_not_an_exception(
    tmp_path: Path, name: str, data: bytes, message: str
) -> None:
    (tmp_path / name).write_bytes(data)
    result = read_paths([tmp_path / name])
    assert result.articles == []
    assert [p.source for p in result.problems] == [str(tmp_path / name)]
    assert message in result.problems[0].message


def test_missing_paths_are_problems_and_good_paths_still_read(tmp_path: Path) -> None:
    result = read_paths([tmp_path / "nope.txt", tmp_path / "no-folder", FIXTURES / "plain.txt"])
    assert ids(result) == ["plain"]
    assert [(p.source, p.message) for p in result.problems] == [
        (str(tmp_path / "nope.txt"), "no such file or folder"),
        (str(tmp_path / "no-folder"), "no such file or folder"),
    ]


def test_all_bad_input_gives_no_articles_and_a_problem_each(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "bad.jsonl").write_text("{not json\n")
    (tmp_path / "empty-dir").mkdir()
    result = read_paths(
        [
            tmp_path / "empty.txt",
            tmp_path / "bad.jsonl",
            tmp_path / "empty-dir",
            tmp_path / "missing",
        ],
        stdin=io.StringIO(""),
    )
    assert result.articles == []
    assert len(result.problems) == 4


def test_empty_stdin_is_a_problem() -> None:
    result = read_paths(["-"], stdin=io.BytesIO(b""))
    assert result.articles == [] and result.problems[0].source == "<stdin>"


def test_a_single_path_string_is_a_programming_error() -> None:
    with pytest.raises(InputError):
        read_paths("examples")  # type: ignore[arg-type]


# ------------------------------------------------------------------ records (HTTP API)


def test_records_become_articles_and_bad_records_become_problems() -> None:
    result = articles_from_records(
        [
            {"title": "A", "text": " Kept exactly. ", "published_at": date(2025, 7, 4)},
            {"title": "No text"},
            "not a record",  # type: ignore[list-item]
            {"id": 7, "text": "Numeric id becomes text.", "source": {"name": "NewsAPI Outlet"}},
            {"id": "7", "text": "Same id again."},
        ],
    )
    assert ids(result) == ["request#1", "7", "7-2"]
    first = result.articles[0]
    assert first.text == " Kept exactly. "
    assert first.published_at == datetime(2025, 7, 4, tzinfo=UTC)
    assert first.path is None
    assert result.articles[1].outlet == "NewsAPI Outlet"
    assert result.articles[1].title == "Numeric id becomes text."  # no title: guessed from text
    assert [p.source for p in result.problems] == ["request#2", "request#3"]


def test_records_source_names_ids_and_problems() -> None:
    result = articles_from_records([{"text": "Body"}, {}], source="upload")
    assert ids(result) == ["upload#1"]
    assert result.problems[0].source == "upload#2"


def test_records_must_be_a_list() -> None:
    one_record: Any = {"text": "one record, not a list"}
    with pytest.raises(InputError):
        articles_from_records(one_record)


# ------------------------------------------------------------------ dates


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-07-04T08:30:00Z", datetime(2025, 7, 4, 8, 30, tzinfo=UTC)),
        ("2025-07-04T10:00:00+03:00", datetime(2025, 7, 4, 10, tzinfo=KYIV_SUMMER)),
        ("2025-07-04", datetime(2025, 7, 4, tzinfo=UTC)),
        ("2025-07-04 10:00", datetime(2025, 7, 4, 10, tzinfo=UTC)),
        ("Fri, 04 Jul 2025 10:00:00 GMT", datetime(2025, 7, 4, 10, tzinfo=UTC)),
        ("Fri, 04 Jul 2025 10:00:00 +0300", datetime(2025, 7, 4, 10, tzinfo=KYIV_SUMMER)),
        (date(2025, 7, 4), datetime(2025, 7, 4, tzinfo=UTC)),
        (datetime(2025, 7, 4, 10), datetime(2025, 7, 4, 10, tzinfo=UTC)),
        ("yesterday", None),
        ("", None),
        (None, None),
        ([2025], None),
        ("0001-01-01T00:00:00+14:00", None),  # issue 17 F3: no UTC form, so unknown
        ("9999-12-31T23:59:59-14:00", None),
        (datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14))), None),
    ],
)
def test_dates_parse_to_aware_datetimes_or_none(value: object, expected: datetime | None) -> None:
    parsed = parse_date(value)
    assert parsed == expected
    assert parsed is None or parsed.tzinfo is not None
