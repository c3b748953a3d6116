"""Provenance of results: package version, git commit, library versions, timings.

Every results folder carries a ``manifest.json`` built here, so any number in it can be traced
to the code, the parameters and the seeds that produced it.
"""

from __future__ import annotations

import datetime as _dt
import functools
import os
import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

from . import __version__

LIBRARIES = ("mesa", "numpy", "scipy", "networkx", "pandas", "matplotlib")


def git_commit() -> dict[str, Any] | None:
    """Commit of the source tree the package was imported from, and whether it had uncommitted
    changes; None when the package is not in a git checkout."""
    here = Path(__file__).resolve().parent
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=here, capture_output=True, text=True, timeout=5
        )
        if commit.returncode != 0:
            return None
        status = subprocess.run(
            ["git", "status", "--porcelain", "--", str(here)],
            cwd=here, capture_output=True, text=True, timeout=5,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    return {"commit": commit.stdout.strip(), "dirty": bool(status.stdout.strip())}


@functools.cache
def code_identity() -> str:
    """Package version and git commit (when known): results kept by one code may be reused
    only by the same code."""
    git = git_commit()
    return f"{__version__}+{git['commit']}" if git else __version__


def library_versions() -> dict[str, str]:
    """Installed versions of the libraries results depend on."""
    found = {}
    for name in LIBRARIES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def now() -> str:
    """Current UTC time in ISO 8601."""
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")


def manifest(**fields: Any) -> dict[str, Any]:
    """The common provenance fields, updated with ``fields`` (parameters, seeds, timings...)."""
    base = {
        "package": "coauthor-sim",
        "version": __version__,
        "git": git_commit(),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "host": platform.node(),
        "libraries": library_versions(),
        "command": sys.argv,
        "created": now(),
    }
    base.update(fields)
    return base


def write_json(path: Path, data: dict[str, Any]) -> None:
    """Write ``data`` as indented JSON (keys in insertion order), atomically: a reader or a
    later session sees the old manifest or the new one, never a torn file."""
    from .safe_output import write_json_atomic

    write_json_atomic(Path(path), data)


def begin_session(path: Path, entry: dict[str, Any]) -> list[dict[str, Any]]:
    """The sessions recorded in the manifest at ``path``, with any left "running" by a process
    that was killed marked "interrupted", and a new running ``entry`` appended; the manifest is
    rewritten at once so a session killed with ``kill -9`` is still on record."""
    from .safe_output import read_json_or_none

    old = read_json_or_none(path) if Path(path).exists() else {}
    if old is None:  # torn by an older version's in-place write: start the record again
        old = {"sessions": [{"status": "unknown", "note": "earlier manifest was unreadable"}]}
    sessions = [s for s in old.get("sessions", []) if isinstance(s, dict)]
    for session in sessions:
        if session.get("status") == "running":
            session["status"] = "interrupted"
            session.setdefault("ended", None)
    sessions.append({**entry, "status": "running", "pid": os.getpid()})
    write_json(path, {**old, "sessions": sessions})
    return sessions
