"""The build pool: offline briefings built on worker processes, as `briefing serve` does."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.builds import BuildPool
from briefing.config import Settings
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
    built = pool.build(articles, engine="offline", max_points=5)
    assert comparable(built) == comparable(in_thread.build(articles, engine="offline", max_points=5))
    assert len(built.points) == 5 and built.stats.origins == 3


def test_a_dead_worker_costs_no_request(pool: BuildPool) -> None:
    articles = read_paths([EXAMPLE]).articles
    executor = pool._executor
    assert executor is not None
    os.kill(next(iter(executor._processes)), signal.SIGKILL)
    rebuilt = pool.build(articles, engine="offline", max_points=3)
    assert len(rebuilt.points) == 3
    assert pool._executor is not executor  # the broken pool was replaced


def test_input_errors_come_back_from_the_worker(pool: BuildPool) -> None:
    from briefing.errors import InputError
    from briefing.models import Article

    with pytest.raises(InputError, match="no article with any text"):
        pool.build([Article(id="a", title="t", text="   ")], engine="offline", max_points=3)
