"""Provenance of results: which code made them, with which libraries, when and how.

Every results folder carries a ``manifest.json`` built here (``manifest``), and every
session that writes into a folder is recorded in it from its start (``begin_session``,
``end_session``), with the code and libraries of that session. Sweeps also label each stored
run with the code that made it (``run_code``), so a folder resumed by other code, when the
user allows that, still says which runs came from which code.

What "the code" is (``code_version``): the package version, the git commit of the source
tree the package was imported from, and whether that tree had uncommitted changes (with a
hash of them, so two different sets of edits are not taken for the same code). The versions
of Python and of the core numerical libraries go into the same identity (``code_id``): a
new numpy can change results as surely as a new commit. Both are read once per process (the
code running is the code imported).
"""

from __future__ import annotations

import datetime as _dt
import functools
import hashlib
import json
import os
import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

from ._version import __version__

# Libraries whose versions can change a run's numbers: part of the code identity.
CORE_LIBRARIES = ("mesa", "numpy", "scipy", "networkx", "pandas")
# Libraries recorded when installed: plotting, execution and analysis.
OPTIONAL_LIBRARIES = ("matplotlib", "dask", "distributed", "ema_workbench", "SALib", "pyabc")
PACKAGE = "coauthor-sim"


def git_commit() -> dict[str, Any] | None:
    """Commit of the source tree the package was imported from, whether the package's files
    have uncommitted changes, and a hash of those changes (``diff``; None when clean); None
    when the package is not in a git checkout."""
    here = Path(__file__).resolve().parent

    def git(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(["git", *args], cwd=here, capture_output=True, timeout=10)

    try:
        commit = git("rev-parse", "HEAD")
        # not a checkout, or one that merely holds an installed copy (a venv inside a project)
        if commit.returncode != 0 or git("ls-files", "--error-unmatch", "model.py").returncode:
            return None
        status = git("status", "--porcelain", "--", ".")
        dirty = bool(status.stdout.strip())
        diff = None
        if dirty:
            digest = hashlib.sha256(git("diff", "HEAD", "--binary", "--", ".").stdout)
            new = git("ls-files", "--others", "--exclude-standard", "-z", "--", ".").stdout
            for name in sorted(filter(None, new.split(b"\0"))):  # not in the diff: hash them
                path = here / os.fsdecode(name)
                digest.update(name + b"\0" + (path.read_bytes() if path.is_file() else b""))
            diff = digest.hexdigest()[:16]
    except (OSError, subprocess.SubprocessError):
        return None
    return {"commit": commit.stdout.decode().strip(), "dirty": dirty, "diff": diff}


def library_versions() -> dict[str, str]:
    """Installed versions of the core libraries (always listed) and of the optional ones that
    are installed."""
    found = {}
    for name in CORE_LIBRARIES + OPTIONAL_LIBRARIES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            if name in CORE_LIBRARIES:
                found[name] = "not installed"
    return found


@functools.cache
def code_version() -> dict[str, Any]:
    """The code of this process: package version, git commit, dirty flag (and hash of the
    uncommitted changes), Python, and the libraries; ``id`` is one short string naming the
    code and the core libraries, equal for two processes only if both ran the same code."""
    git = git_commit()
    libraries = library_versions()
    python = sys.version.split()[0]
    core = {name: libraries[name] for name in CORE_LIBRARIES}
    label = __version__
    if git:
        label += f"+{git['commit'][:12]}" + (f".dirty.{git['diff'][:8]}" if git["dirty"] else "")
    environment = json.dumps({"python": python, **core}, sort_keys=True)
    return {
        "id": f"{label}/{hashlib.sha256(environment.encode()).hexdigest()[:8]}",
        "package": PACKAGE,
        "version": __version__,
        "commit": git["commit"] if git else None,
        "dirty": git["dirty"] if git else None,
        "diff": git["diff"] if git else None,
        "python": python,
        "libraries": libraries,
    }


def code_identity() -> str:
    """``code_version()["id"]``: results kept by one code may be reused only by the same code."""
    return code_version()["id"]


def run_code() -> dict[str, Any]:
    """The columns that label a stored run with the code that made it (computed where the run
    ran: a cluster's worker may have other code than the process that stores the result)."""
    code = code_version()
    return {"code_version": code["version"], "code_commit": code["commit"],
            "code_dirty": code["dirty"], "code_id": code["id"]}  # fmt: skip


def describe(code_id: str | None) -> str:
    """A code identity for a message: version, commit and environment hash; "unrecorded
    code" for runs stored before runs were labelled."""
    return code_id if code_id else "unrecorded code (stored by a version that did not label runs)"


def now() -> str:
    """Current UTC time in ISO 8601."""
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")


def manifest(**fields: Any) -> dict[str, Any]:
    """The common provenance fields, updated with ``fields`` (parameters, seeds, timings...).

    The one writer of every manifest (``run``, ``compare``, ``sweep`` from the command line and
    from Python, ``calibrate``): the same keys, in the same order, wherever it was called."""
    code = code_version()
    base = {
        "package": PACKAGE,
        "version": __version__,
        "git": {k: code[k] for k in ("commit", "dirty", "diff")} if code["commit"] else None,
        "code_id": code["id"],
        "python": code["python"],
        "platform": platform.platform(),
        "host": platform.node(),
        "libraries": code["libraries"],
        "command": sys.argv,
        "created": now(),
    }
    base.update(fields)
    return base


def session_code() -> dict[str, Any]:
    """What a session entry of a manifest records about its code."""
    code = code_version()
    return {"code_id": code["id"], "version": code["version"], "commit": code["commit"],
            "dirty": code["dirty"], "python": code["python"],
            "libraries": code["libraries"]}  # fmt: skip


def write_json(path: Path, data: dict[str, Any]) -> None:
    """Write ``data`` as indented JSON (keys in insertion order), atomically: a reader or a
    later session sees the old manifest or the new one, never a torn file."""
    from .safe_output import write_json_atomic

    write_json_atomic(Path(path), data)


def begin_session(path: Path, entry: dict[str, Any]) -> list[dict[str, Any]]:
    """The sessions recorded in the manifest at ``path``, with any left "running" by a process
    that was killed marked "interrupted", and a new running ``entry`` appended (with this
    process's code); the manifest is rewritten at once so a session killed with ``kill -9``
    is still on record."""
    from .safe_output import read_json_or_none

    old = read_json_or_none(path) if Path(path).exists() else {}
    if old is None:  # torn by an older version's in-place write: start the record again
        old = {"sessions": [{"status": "unknown", "note": "earlier manifest was unreadable"}]}
    sessions = [s for s in old.get("sessions", []) if isinstance(s, dict)]
    for session in sessions:
        if session.get("status") == "running":
            session["status"] = "interrupted"
            session.setdefault("ended", None)
    sessions.append({**entry, "status": "running", "pid": os.getpid(), "code": session_code()})
    write_json(path, {**old, "sessions": sessions})
    return sessions
