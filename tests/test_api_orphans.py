"""Issue 17, F5: after `kill -9` of `briefing serve`, no build worker or resource tracker
is left running (they once lived on, reparented, at 150-280 MB each)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

STARTED = "Application startup complete"  # each server process, once its build pool is warm
pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")


def _stat(pid: int) -> tuple[str, int] | None:
    """(state, parent pid) of a process, None once it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw.rsplit(")", 1)[1].split()
    return fields[0], int(fields[1])


def descendants(root: int) -> set[int]:
    """Every live process below `root`, from /proc."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (stat := _stat(int(entry.name))) is not None:
            parents[int(entry.name)] = stat[1]
    found, frontier = set(), {root}
    while frontier:
        frontier = {pid for pid, ppid in parents.items() if ppid in frontier} - found
        found |= frontier
    return found


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()[:100]
    except OSError:
        return b"(gone)"


def alive(pid: int) -> bool:
    stat = _stat(pid)
    return stat is not None and stat[0] != "Z"  # a zombie has exited; only its entry remains


@pytest.mark.parametrize("workers", [1, 2])
def test_build_workers_and_the_resource_tracker_die_with_a_killed_server(tmp_path: Path, workers: int) -> None:
    """With --workers 2 the server processes themselves are children of uvicorn's supervisor."""
    env = {
        **os.environ,
        "BRIEFING_DATA_DIR": str(tmp_path),
        "BRIEFING_DATABASE_URL": f"sqlite:///{tmp_path / 'orphans.db'}",
        "BRIEFING_API_BUILD_PROCESSES": "2",
    }
    code = f"from briefing.cli_api import serve; serve(host='127.0.0.1', port=0, workers={workers})"
    server = subprocess.Popen(
        [sys.executable, "-c", code], env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True
    )
    try:
        assert server.stderr is not None
        log = []
        for line in server.stderr:
            log.append(line)
            if sum(STARTED in seen for seen in log) == workers:
                break
        else:
            raise AssertionError("server did not start:\n" + "".join(log))
        children = descendants(server.pid)
        # per server process two build workers, and a resource tracker
        assert len(children) >= 3 * workers, {pid: _cmdline(pid) for pid in children}
        server.send_signal(signal.SIGKILL)
        server.wait(10)
        deadline = time.monotonic() + 20  # each watches every 0.5 s; a loaded machine is slower
        while any(alive(pid) for pid in children) and time.monotonic() < deadline:
            time.sleep(0.1)
        left = {pid: (_stat(pid), _cmdline(pid)) for pid in children if alive(pid)}
        assert not left, f"still running 20 s after the server was killed: {left}\n" + "".join(log)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
