"""Checks of command-line values that need more than argparse: run before any work.

Each check raises ``UsageError`` (one line naming the flag, the value and what is allowed) or
``ScenarioError`` (naming the file), so a mistake costs nothing: no simulation has run and no
file has been written.
"""

from __future__ import annotations

import re
from pathlib import Path

from .inputs import first_non_finite, read_toml
from .messages import ScenarioError, UsageError, printable, unknown_name

MAX_SEED = 2**63 - 1
SCHEDULER_SCHEMES = ("tcp", "tls", "ws", "wss", "inproc", "ucx")
_ADDRESS = re.compile(r"^(?:(?P<scheme>[a-z]+)://)?(?P<host>\[[0-9a-fA-F:.]+\]|[A-Za-z0-9_.-]+)"
                      r"(?::(?P<port>\d{1,5}))?/?$")  # fmt: skip


class DryRun(Exception):
    """Raised after a ``--dry-run`` has checked everything and told the size of the work."""


def check_seed(seed: int, flag: str = "--seed") -> None:
    if not 0 <= seed <= MAX_SEED:
        raise UsageError(f"{flag} {seed}: expected a whole number from 0 to {MAX_SEED:,}")


def check_at_least(value: int, low: int, flag: str, why: str = "") -> None:
    if value < low:
        raise UsageError(f"{flag} {value}: expected at least {low:,}" + (f" ({why})" if why
                                                                         else ""))  # fmt: skip


def check_scheduler(address: str | None) -> None:
    """A Dask scheduler address such as tcp://127.0.0.1:8786 (scheme and port optional)."""
    if address is None:
        return
    match = _ADDRESS.match(address.strip())
    scheme = match and match.group("scheme")
    port = match and match.group("port")
    if not match or (scheme and scheme not in SCHEDULER_SCHEMES) or (port and int(port) > 65535):
        raise UsageError(
            f"--scheduler {printable(repr(address))}: not a scheduler address; expected e.g. "
            f"tcp://127.0.0.1:8786 (schemes: {', '.join(SCHEDULER_SCHEMES)})"
        )


def check_port(port: int, host: str) -> None:
    if not 0 <= port <= 65535:
        raise UsageError(f"--port {port}: expected 0 (any free port) to 65535")
    if not host.strip() or any(c.isspace() for c in host):
        raise UsageError(f"--host {printable(repr(host))}: expected an address such as "
                         "127.0.0.1 or 0.0.0.0")  # fmt: skip


def check_outcomes(outcomes: list[str] | None, flag: str = "--outcomes") -> None:
    """Every name in ``outcomes`` must be a model outcome."""
    from .outcomes import OUTCOME_NAMES

    for name in outcomes or ():
        if name not in OUTCOME_NAMES:
            raise UsageError(f"{flag}: " + unknown_name(name, OUTCOME_NAMES, "outcome"))


def check_data_file(path: str | Path, flag: str, what: str) -> None:
    """A targets or priors file must be UTF-8 TOML without a byte-order mark, hold only tables
    at its top level, and only finite numbers (no nan or inf weights or bands)."""
    path = Path(path)
    data = read_toml(path, what)
    if path.read_bytes().startswith(b"\xef\xbb\xbf"):
        raise ScenarioError(f"{path}: starts with a byte-order mark; save it as UTF-8 without "
                            f"one ({flag})")  # fmt: skip
    for key, value in data.items():
        if not isinstance(value, dict):
            raise ScenarioError(f"{path}: {printable(repr(key))} must be a table "
                                f"[{printable(key)}]")  # fmt: skip
    bad = first_non_finite(data)
    if bad:
        raise ScenarioError(f"{path}: {printable(bad)} is not a finite number (nan and inf are "
                            "not allowed)")  # fmt: skip


def check_new_file(target: str, flag: str) -> None:
    """A file to be written later: its folder must exist and be writable."""
    from .safe_output import check_writable

    path = Path(target)
    if path.is_dir():
        raise UsageError(f"{flag} {target}: is a folder; give a file name")
    if not path.parent.is_dir():
        raise UsageError(f"{flag} {target}: folder {path.parent} does not exist")
    check_writable(path, flag)
