"""Render the example digest and screenshot it with headless Chromium.

    .venv/bin/python scripts/digest_screenshot.py            # → docs/digest-example.{html,png}
    .venv/bin/python scripts/digest_screenshot.py --out-dir /tmp/x --chromium /usr/bin/chromium

Three stories, as the digest job would build them: examples/pow-exchange and two eval
cases (factory-fire, merger-closing-date), clustered, ranked and briefed with the offline
engine, for a subscriber with no topics. The HTML is the email's HTML part, byte for byte.

The screenshot is the full page: a first Chromium pass measures the rendered height
(`--dump-dom` of a copy with a one-line script), the second takes the picture at that
size. Debian: `apt-get install -y chromium`.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from briefing.config import get_settings  # noqa: E402
from briefing.digest.compose import Briefer, Dated, make_stories, pick_stories  # noqa: E402
from briefing.digest.email import Recipient, build_view, public_url, render_html  # noqa: E402
from briefing.engines import BuildOptions  # noqa: E402
from briefing.ingest import read_paths  # noqa: E402

STORIES = [ROOT / "examples" / "pow-exchange", ROOT / "evals" / "cases" / "factory-fire",
           ROOT / "evals" / "cases" / "merger-closing-date"]
NOW = datetime(2026, 11, 22, 7, tzinfo=UTC)
WIDTH = 720
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--hide-scrollbars", "--force-device-scale-factor=1", "--default-background-color=00000000"]
_MEASURE = "<script>document.body.setAttribute('data-height', document.documentElement.scrollHeight)</script>"


def example_html(now: datetime = NOW) -> str:
    """The example digest's HTML part: three stories ingested over the night before `now`."""
    window = [
        Dated(article, now - timedelta(hours=2 + 3 * i))
        for i, folder in enumerate(STORIES)
        for article in read_paths([str(folder)]).articles
    ]
    settings = get_settings()
    stories = make_stories(window, now=now, settings=settings)
    picked = pick_stories(stories, [], Briefer(BuildOptions(engine="offline", max_points=4), settings=settings))
    reader = Recipient(email="ada@example.com", name="Ada", timezone="Europe/London", send_hour=7,
                       token="example-unsubscribe-token", id="s_example")
    day = date(now.year, now.month, now.day)
    return render_html(build_view(picked, reader, day=day, base_url=public_url(settings)))


def find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


def _chromium(binary: str, *args: str) -> subprocess.CompletedProcess[str]:
    with tempfile.TemporaryDirectory(prefix="digest-shot-") as profile:
        return subprocess.run(
            [binary, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
            capture_output=True, text=True, timeout=120, check=True,
        )


def page_height(binary: str, html: str, width: int = WIDTH) -> int:
    """The page's rendered height at `width` CSS pixels."""
    with tempfile.TemporaryDirectory(prefix="digest-measure-") as tmp:
        probe = Path(tmp) / "measure.html"
        probe.write_text(html.replace("</body>", _MEASURE + "</body>"), encoding="utf-8")
        dom = _chromium(binary, f"--window-size={width},1000", "--dump-dom", probe.as_uri()).stdout
    found = re.search(r'data-height="(\d+)"', dom)
    if not found:
        raise RuntimeError("could not measure the page height (Chromium printed no DOM)")
    return int(found.group(1))


def screenshot(binary: str, html_path: Path, png_path: Path, width: int = WIDTH) -> tuple[int, int]:
    """Screenshot the whole page at `html_path` into `png_path`; returns (width, height)."""
    height = page_height(binary, html_path.read_text(encoding="utf-8"), width)
    _chromium(binary, f"--window-size={width},{height}", f"--screenshot={png_path}", html_path.resolve().as_uri())
    if not png_path.exists():
        raise RuntimeError(f"Chromium wrote no screenshot to {png_path}")
    return width, height


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out-dir", type=Path, default=ROOT / "docs")
    parser.add_argument("--chromium", default=None, help="Chromium binary (default: found on PATH).")
    args = parser.parse_args(argv)

    args.out_dir.mkdir(parents=True, exist_ok=True)
    html_path = args.out_dir / "digest-example.html"
    html_path.write_text(example_html(), encoding="utf-8")
    print(f"wrote {html_path}")

    binary = args.chromium or find_chromium()
    if binary is None:
        print("no Chromium found (Debian: apt-get install -y chromium); screenshot skipped", file=sys.stderr)
        return 2
    png_path = args.out_dir / "digest-example.png"
    width, height = screenshot(binary, html_path, png_path)
    print(f"wrote {png_path} ({width}x{height})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
