"""Which process holds a lease, and whether it is certainly gone.

    owner = this_process()            # "host:pid:start", stored with the claim
    if is_dead(owner): ...            # take the claim over now instead of waiting

A digest run records `this_process()` on each delivery it claims. When a run is killed
mid-send (SIGKILL, OOM, a reboot of the container) its claim would otherwise block the
next run for the whole stale window. `is_dead` answers True only when that is certain:
the owner ran on this host and its pid no longer exists, is a zombie, or now belongs to
a process that started later (pid reuse, told apart by the start time in /proc). On
another host, or without /proc, it answers False and the caller waits for the window.

"This host" means the same host name: replicas that share one database must not share a
host name unless they share a pid namespace too (distinct container host names, the
default, are fine).
"""

from __future__ import annotations

import os
import socket
from functools import cache
from pathlib import Path


def _stat(pid: int) -> list[str] | None:
    """/proc/<pid>/stat fields from the state on (the name in parentheses may hold spaces)."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return raw.rpartition(")")[2].split()


def _start(pid: int) -> str:
    """The process's start time in clock ticks since boot ('' where /proc is missing)."""
    fields = _stat(pid)
    return fields[19] if fields and len(fields) > 19 else ""


@cache
def _host() -> str:
    return socket.gethostname()


def this_process() -> str:
    """'host:pid:start' naming the current process (start: '' where unknown)."""
    pid = os.getpid()
    return f"{_host()}:{pid}:{_start(pid)}"


def is_dead(owner: str | None) -> bool:
    """True if `owner` (from `this_process`) certainly no longer runs; False when unsure."""
    if not owner:
        return False
    host, pid_text, start = _split(owner)
    if host != _host() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return start not in ("", _start(pid))
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # exists, under another user
        pass
    except OSError:
        return False
    fields = _stat(pid)
    if fields is None:
        return False
    if fields[0] in ("Z", "X"):  # killed, not yet reaped by its parent
        return True
    return bool(start) and start != _start(pid)


def _split(owner: str) -> tuple[str, str, str]:
    """'host:pid:start' → parts; the host name may itself hold ':' (IPv6-style names)."""
    head, _, start = owner.rpartition(":")
    host, _, pid = head.rpartition(":")
    return host, pid, start
