"""Error messages users read: one line, safe for a terminal, with a useful suggestion.

Two kinds of failure leave the command line:

- ``UsageError``, ``ScenarioError`` (``FolderMismatch`` among them) and the schema's
  ``ParameterError``: the user asked for something not allowed. One line naming the file or
  flag, the key and what is allowed; exit code 2; raised before any work, so nothing is written.
- ``Fault``: something outside the user's input went wrong (disk full, a corrupt store, a
  folder that cannot be written). One line with the cause and what to do; exit code 1.

Everything printed passes through ``one_line``: text from files (keys with newlines, terminal
escape sequences in a description) can neither break the line nor drive the terminal.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

# C0 and C1 control characters (ESC among them) and the Unicode line/paragraph separators;
# tabs become spaces, everything else is shown escaped so the user can still see it.
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")
SUGGEST_CUTOFF = 0.7  # difflib ratio: 'co_prodution' -> 'co_production' (0.96), not
# 'replication' -> 'deprivation_spread' (0.55)
MAX_LISTED = 80  # allowed names listed in full up to this many


class UsageError(Exception):
    """Bad input that argparse cannot see (files, folders, key=value pairs, sizes)."""


class ScenarioError(ValueError):
    """A file (scenario, experiment, targets, priors ...) cannot be used; the message names the
    file and what is wrong."""


class FolderMismatch(ScenarioError):
    """A results folder holds work the requested work would not match: another experiment or
    calibration, or results made by other code. Nothing is written; the message says what
    differs and what to do."""


class Fault(Exception):
    """An unexpected failure that is not the user's input: the message gives the cause and
    what to do about it."""


def printable(text: str) -> str:
    """``text`` with control characters (newlines, ESC, ...) shown as escapes, tabs as
    spaces: safe to print on a terminal as part of one line."""
    text = str(text).replace("\t", " ")
    return _CONTROL.sub(lambda m: m.group(0).encode("unicode_escape").decode("ascii"), text)


def one_line(text: str, limit: int = 2000) -> str:
    """A message as one printable line, shortened to ``limit`` characters."""
    flat = printable(str(text).strip())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


def closest(name: str, options: Iterable[str]) -> str | None:
    """The option a mistyped ``name`` most likely meant, or None when none is close.

    Close means a difflib ratio of at least ``SUGGEST_CUTOFF``, or one name containing the
    other (``citizens`` -> ``n_citizens``) when both have four or more characters."""
    options = list(options)
    best, score = None, 0.0
    low = name.lower()
    for option in options:
        ratio = difflib.SequenceMatcher(None, low, option.lower()).ratio()
        contained = len(low) >= 4 and (low in option.lower() or option.lower() in low)
        if contained:
            ratio = max(ratio, SUGGEST_CUTOFF)
        if ratio >= SUGGEST_CUTOFF and ratio > score:
            best, score = option, ratio
    return best


def unknown_name(name: str, options: Iterable[str], what: str = "key", where: str = "") -> str:
    """ "unknown key 'x' in [levers]; did you mean 'y'?" or, with nothing close, the list of
    allowed names."""
    options = list(options)
    place = f" in {where}" if where else ""
    head = f"unknown {what} {printable(repr(name))}{place}"
    hint = closest(name, options)
    if hint is not None:
        return f"{head}; did you mean '{hint}'?"
    if not options:
        return head
    shown = sorted(options)
    listed = ", ".join(shown[:MAX_LISTED]) + (", ..." if len(shown) > MAX_LISTED else "")
    return f"{head} (allowed: {listed})"
