"""The build pool: offline briefings built on worker processes, as `briefing serve` does."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.builds import BuildPool
from briefing.config import Settings
from briefing.engines import BuildOptions
from briefing.ingest import read_paths
from briefing.models import Briefing

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "pow-exchange"


def comparable(briefing: Briefing) -> dict:
    """A briefing less its timings, which differ run to run."""
    data = briefing.model_dump(mode="json")
    data["stats"].pop("timings")
    return data


@pytest.fixture(scope="module")
def pool(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BuildPool]:
    pool = BuildPool(2, Settings(data_dir=tmp_path_factory.mktemp("data")))
    pool.start()
    yield pool
    pool.stop()


def test_a_worker_process_builds_what_the_request_thread_would(pool: BuildPool) -> None:
    articles = read_paths([EXAMPLE]).articles
    in_thread = BuildPool(0, pool.settings)
    built = pool.build(articles, BuildOptions(engine="offline", max_points=5))
    assert comparable(built) == comparable(in_thread.build(articles, BuildOptions(engine="offline", max_points=5)))
    assert len(built.points) == 5 and built.stats.origins == 3


def test_a_dead_worker_costs_no_request(pool: BuildPool) -> None:
    articles = read_paths([EXAMPLE]).articles
    executor = pool._executor
    assert executor is not None
    os.kill(next(iter(executor._processes)), signal.SIGKILL)
    rebuilt = pool.build(articles, BuildOptions(engine="offline", max_points=3))
    assert len(rebuilt.points) == 3
    assert pool._executor is not executor  # the broken pool was replaced


def test_input_errors_come_back_from_the_worker(pool: BuildPool) -> None:
    from briefing.errors import InputError
    from briefing.models import Article

    with pytest.raises(InputError, match="no article with any text"):
        pool.build([Article(id="a", title="t", text="   ")], BuildOptions(engine="offline", max_points=3))


def test_a_build_running_past_kill_after_is_stopped_and_its_worker_replaced(tmp_path: Path) -> None:
    """Issue 17, F2: the backstop when a build does not stop itself (its budget is off here)."""
    from bench.adversarial import shared_words
    from briefing.errors import BuildBudgetExceeded
    from briefing.models import Article

    slow = [Article(**a) for a in shared_words(100, 2_000)]  # about a second or more of work
    pool = BuildPool(1, Settings(data_dir=tmp_path, build_seconds=0), kill_after=0.2)
    pool.start()
    try:
        executor = pool._executor
        assert executor is not None
        stuck = list(executor._processes)
        with pytest.raises(BuildBudgetExceeded, match="still running after 0.2 seconds"):
            pool.build(slow, BuildOptions(engine="offline", max_points=3))
        assert pool._executor is not executor
        deadline = time.monotonic() + 10
        while any(_running(pid) for pid in stuck) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not any(_running(pid) for pid in stuck)
        pool.kill_after = None
        quick = pool.build(read_paths([EXAMPLE]).articles, BuildOptions(engine="offline", max_points=3))
        assert len(quick.points) == 3
    finally:
        pool.stop()


def _running(pid: int) -> bool:
    """Not exited (a zombie, killed but not yet reaped, has exited)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_request_articles_are_read_on_a_worker_as_in_the_thread(pool: BuildPool) -> None:
    """HTML extraction is CPU work too; on the pool it does not hold the server's GIL."""
    from api.schemas import ArticleIn

    page = "<html><head><title>Bridge shut</title></head><body><article><p>" + (
        "The council closed the bridge on Monday after engineers found cracks, officials said. " * 3
    ) + "</p></article></body></html>"
    articles = [ArticleIn(html=page, outlet="Valley Times"), ArticleIn(text="Plain text, read as is.")]
    read = pool.ingest(articles)
    assert read == BuildPool(0, pool.settings).ingest(articles)
    assert "closed the bridge" in read.articles[0].text and read.articles[0].title == "Bridge shut"
