"""The CLI reads inputs streamed and refuses one past max_input_bytes (issue 17, F2: a 50 MB
text file once ran past 300 s in `briefing build`)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefing.cli import app
from briefing.config import get_settings
from briefing.ingest import read_paths

LINE = b"The council said 12 workers were hurt near the bridge on Monday.\n"


@pytest.fixture
def small_cap(monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    monkeypatch.setenv("BRIEFING_MAX_INPUT_BYTES", "1000")
    get_settings.cache_clear()
    yield 1000
    get_settings.cache_clear()


def test_a_50_mb_file_is_refused_with_the_limit_named_and_a_non_zero_exit(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    with big.open("wb") as fh:  # sparse: the size is real, the disk is spared
        fh.write(LINE)
        fh.truncate(50 * 1024 * 1024)
    result = CliRunner().invoke(app, ["build", str(big)])
    assert result.exit_code == 1
    assert "larger than the 20,000,000-byte limit on input read at once" in result.output
    assert "BRIEFING_MAX_INPUT_BYTES" in result.output
    assert "no usable articles" in result.output


def test_stdin_past_the_cap_is_refused(small_cap: int) -> None:
    result = CliRunner().invoke(app, ["build", "-"], input=LINE * 40)
    assert result.exit_code == 1
    assert "<stdin>" in result.output and "larger than the 1,000-byte limit" in result.output


def test_a_file_under_the_cap_still_builds_beside_one_over_it(tmp_path: Path, small_cap: int) -> None:
    """Files are read in name order ("big" first): what it would have used is left to "small"."""
    (tmp_path / "big.txt").write_bytes(LINE * 40)
    (tmp_path / "small.txt").write_bytes(
        b"Council approves bridge repairs\n\nThe council approved the repairs on Monday, officials said. "
        b"The work will cost 4 million euros and take 18 months, the city engineer said.\n"
    )
    result = CliRunner().invoke(app, ["build", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "skipped" in result.output and "big.txt" in result.output
    assert "4 million euros" in result.output


class Endless(io.RawIOBase):
    """A stream that never ends, counting what was read from it."""

    def __init__(self) -> None:
        self.served = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray) -> int:  # type: ignore[override]
        n = len(buffer)
        buffer[:n] = (LINE * (n // len(LINE) + 1))[:n]
        self.served += n
        return n


def test_stdin_is_read_streamed_and_left_once_past_the_cap() -> None:
    stream = Endless()
    result = read_paths(["-"], stdin=io.BufferedReader(stream), max_bytes=5_000_000)
    assert not result.articles
    assert "larger than the 5,000,000-byte limit" in result.problems[0].message
    assert stream.served < 5_000_000 + 2 * (1 << 20)  # stopped within a chunk or two of the cap


def test_the_cap_holds_for_all_inputs_together(tmp_path: Path) -> None:
    for name in "abc":
        (tmp_path / f"{name}.txt").write_bytes(LINE * 10)  # 650 bytes each
    result = read_paths([tmp_path], max_bytes=1_500)
    assert [a.id for a in result.articles] == ["a", "b"]
    assert result.problems[0].source.endswith("c.txt")
    assert "with the 1,300 bytes read before it" in result.problems[0].message


def test_ingest_says_what_it_left_unread(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRIEFING_MAX_SENTENCES", "5")
    get_settings.cache_clear()
    try:
        (tmp_path / "long.txt").write_bytes(LINE * 30)
        result = CliRunner().invoke(app, ["ingest", str(tmp_path / "long.txt")])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "not all read" in result.output and "BRIEFING_MAX_SENTENCES" in result.output
