"""scripts/digest_screenshot.py: the example digest as HTML, and its screenshot (needs Chromium)."""

from __future__ import annotations

import importlib.util
import struct
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def load_script():  # noqa: ANN201
    spec = importlib.util.spec_from_file_location("digest_screenshot", ROOT / "scripts" / "digest_screenshot.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_example_html_has_the_three_stories():
    html = load_script().example_html()
    assert html.count(">Story ") == 3
    assert "Lessington" in html and "Tidewater" in html and "Russia" in html
    assert "<script" not in html and 'href="http://127.0.0.1:8000/unsubscribe/example-unsubscribe-token"' in html


def test_screenshot(tmp_path):
    script = load_script()
    chromium = script.find_chromium()
    if chromium is None:
        pytest.skip("no Chromium on PATH (Debian: apt-get install -y chromium)")

    assert script.main(["--out-dir", str(tmp_path), "--chromium", chromium]) == 0

    png = (tmp_path / "digest-example.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert width == script.WIDTH and 1500 < height < 6000  # the whole page, not one screenful
    assert (tmp_path / "digest-example.html").read_text(encoding="utf-8").count(">Story ") == 3
