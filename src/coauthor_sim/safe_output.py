"""Writing results so that no crash, kill or second process leaves a torn or mixed folder.

- ``write_atomic``: a file is written beside its target, flushed to disk and renamed over it
  (``os.replace``): readers see the old file or the new one, never half of either.
- ``folder_lock``: one writer per results folder at a time, with an advisory lock
  (``flock``) on a lock file inside it. The kernel drops the lock when its process dies, even
  by ``kill -9``, so a stale lock never blocks the next run.
- ``check_writable``: a folder that will be written is checked before any work, so a
  read-only ``--out`` fails at once rather than after hours of simulation.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .messages import Fault, UsageError

LOCK_NAME = ".coauthor-sim.lock"
_held: dict[Path, int] = {}
_UMASK = os.umask(0o022)
os.umask(_UMASK)  # folders this process holds the lock of, and how many times


def write_atomic(path: Path, data: bytes | str) -> None:
    """Replace ``path`` with ``data`` in one step (temporary file, fsync, rename)."""
    path = Path(path)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o666 & ~_UMASK)  # as an ordinary new file would be, not mkstemp's 0600
        with os.fdopen(fd, "wb") as out:
            out.write(raw)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_json_atomic(path: Path, data: dict[str, Any]) -> None:
    """``data`` as indented JSON, written atomically."""
    write_atomic(path, json.dumps(data, indent=2, default=str) + "\n")


def read_json_or_none(path: Path) -> dict[str, Any] | None:
    """A JSON file's data; None if it is missing or unreadable (e.g. torn by an older version
    that wrote in place)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


@contextlib.contextmanager
def folder_lock(folder: Path, what: str = "sweep") -> Iterator[None]:
    """Hold the lock of ``folder`` (created if needed) while the block runs; UsageError at once
    if another process holds it. Re-entrant within one process."""
    import fcntl

    folder = Path(folder).resolve()
    if folder in _held:
        _held[folder] += 1
        try:
            yield
        finally:
            _held[folder] -= 1
        return
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOCK_NAME
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as err:
        holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "another process"
        os.close(fd)
        if err.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
            raise UsageError(f"{folder}: another {what} is writing here ({holder}); wait for it "
                             "to finish, or choose another results folder") from None  # fmt: skip
        raise
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"pid {os.getpid()}".encode(), 0)
    _held[folder] = 1
    try:
        yield
    finally:
        del _held[folder]
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def check_writable(target: str | Path, flag: str) -> None:
    """Refuse (UsageError) a folder or file that could not be created or written: the nearest
    existing ancestor must be a writable folder."""
    path = Path(target)
    probe = path
    while not probe.exists():
        if probe.parent == probe:
            break
        probe = probe.parent
    if probe.exists() and not probe.is_dir() and probe != path:
        raise UsageError(f"{flag} {target}: {probe} is a file, not a folder")
    folder = probe if probe.is_dir() else probe.parent
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UsageError(f"{flag} {target}: {folder} is not writable; choose another place")


def fault_of(err: BaseException) -> Fault | None:
    """A one-line ``Fault`` for the failures a user can remedy (disk full, no permission,
    corrupt store), or None for anything else."""
    import sqlite3

    text = str(err)
    if isinstance(err, OSError) and err.errno in (errno.ENOSPC, errno.EDQUOT):
        return Fault(f"the disk is full ({err.filename or 'while writing'}); free some space "
                     "and rerun the same command: finished work is kept")  # fmt: skip
    if isinstance(err, sqlite3.OperationalError) and "full" in text:
        return Fault("the disk is full (results store); free some space and rerun the same "
                     "command: every run stored so far is kept whole")  # fmt: skip
    if isinstance(err, sqlite3.DatabaseError) and (
        "not a database" in text or "malformed" in text or "corrupt" in text
    ):
        return Fault(f"a results store is damaged ({text}); move it aside and rerun into a "
                     "new --out")  # fmt: skip
    if isinstance(err, PermissionError | IsADirectoryError | NotADirectoryError):
        return Fault(f"cannot write {err.filename}: {err.strerror}; check the folder's "
                     "permissions or choose another --out")  # fmt: skip
    if isinstance(err, OSError) and err.errno in (errno.EROFS, errno.EIO):
        return Fault(f"cannot write {err.filename}: {err.strerror}; choose another --out")
    if isinstance(err, MemoryError):
        return Fault("out of memory; use fewer citizens, a lower mean_degree or fewer --jobs")
    return None


class Staged:
    """A comparison being written: into ``out``, a hidden folder beside ``final`` that
    ``finish`` moves into place once complete, with finished runs kept in ``runs`` so that the
    same command rerun after a crash or kill resumes instead of starting again."""

    def __init__(self, final: Path):
        self.final = Path(final).resolve()
        self.root = self.final.parent / f".{self.final.name}.incomplete"
        self.out = self.root / "out"
        self.runs = self.root / "runs"
        self._stack = contextlib.ExitStack()

    def start(self, what: str) -> Staged:
        import shutil

        from .experiment.runner import cached_results

        self._stack.enter_context(folder_lock(self.root, what))
        if self.out.exists():
            shutil.rmtree(self.out)  # outputs are written again from the kept runs
        self.out.mkdir(parents=True)
        kept = len(list(self.runs.glob("*.pickle"))) if self.runs.is_dir() else 0
        if kept:
            import sys

            print(f"resuming: {kept} runs kept from an interrupted run are not run again",
                  file=sys.stderr)  # fmt: skip
        self._stack.enter_context(cached_results(self.runs))
        _open.append(self)
        return self

    def finish(self) -> None:
        """Move the complete outputs into place and drop the kept runs."""
        import shutil

        if self.final.is_dir():  # an empty folder the user made for us
            self.final.rmdir()
        os.replace(self.out, self.final)
        self.close()
        shutil.rmtree(self.root, ignore_errors=True)

    def close(self) -> None:
        """Stop writing (lock released, run cache closed); what is kept stays for a resume."""
        if self in _open:
            _open.remove(self)
        self._stack.close()


_open: list[Staged] = []


def stage_folder(final: Path, what: str = "comparison") -> Staged:
    """Start writing the outputs meant for ``final`` into a resumable hidden folder (see
    ``Staged``); call ``finish()`` when complete. Refused while another process writes there."""
    return Staged(final).start(what)


def close_all() -> None:
    """Close every staged folder left open by a command that failed (see ``Staged.close``)."""
    for staged in list(_open):
        staged.close()
