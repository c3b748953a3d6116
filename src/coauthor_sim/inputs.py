"""Reading the files users give us: any bytes in, either TOML data or a one-line error out.

Files are read as UTF-8; a byte-order mark is tolerated (editors on Windows add one). Binary
files, UTF-16 and Latin-1 text, files too large to be a settings file, folders and unreadable
files are each refused with a message naming the file and what to do. A TOML syntax error keeps
tomllib's position and, for a key given twice, names the key.
"""

from __future__ import annotations

import math
import re
import tomllib
from pathlib import Path
from typing import Any

from .messages import ScenarioError, printable

MAX_SETTINGS_BYTES = 5_000_000  # no scenario, experiment, targets or priors file is this big
_AT_LINE = re.compile(r"\(at line (\d+), column \d+\)")


def read_text(path: str | Path, what: str = "file", limit: int = MAX_SETTINGS_BYTES) -> str:
    """The text of ``path`` (UTF-8, BOM tolerated, at most ``limit`` bytes); ScenarioError on
    anything else."""
    path = Path(path)
    if not path.exists():
        raise ScenarioError(f"{path}: no such {what}")
    if not path.is_file():
        raise ScenarioError(f"{path}: is a folder or device, not a {what}")
    try:
        size = path.stat().st_size
        if size > limit:
            raise ScenarioError(f"{path}: {size:,} bytes is too large for a {what} "
                                f"(at most {limit:,})")  # fmt: skip
        raw = path.read_bytes()
    except OSError as err:
        raise ScenarioError(f"{path}: cannot be read ({err.strerror or err})") from None
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ScenarioError(f"{path}: is UTF-16 text; save it as UTF-8")
    if b"\x00" in raw:
        raise ScenarioError(f"{path}: is a binary file, not a {what} (UTF-8 text)")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise ScenarioError(
            f"{path}: is not UTF-8 text (byte 0x{raw[err.start]:02x} at position {err.start}, "
            "perhaps Latin-1 or Windows-1252); save it as UTF-8"
        ) from None


def parse_toml(text: str, path: str | Path) -> dict[str, Any]:
    """TOML data of ``text`` read from ``path``; ScenarioError naming the line (and, for a key
    set twice, the key)."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        message = str(err)
        line = _AT_LINE.search(message)
        if line and message.startswith("Cannot overwrite a value"):
            key = _key_on_line(text, int(line.group(1)))
            if key:
                message = f"'{key}' is given twice {line.group(0)}"
        raise ScenarioError(f"{path}: not valid TOML: {printable(message)}") from None


def read_toml(path: str | Path, what: str = "file") -> dict[str, Any]:
    """Read and parse a TOML file given by a user (see ``read_text`` and ``parse_toml``)."""
    return parse_toml(read_text(path, what), path)


def _key_on_line(text: str, number: int) -> str | None:
    lines = text.splitlines()
    if not 1 <= number <= len(lines):
        return None
    key, sep, _ = lines[number - 1].partition("=")
    return printable(key.strip().strip("\"'")) if sep and key.strip() else None


def first_non_finite(data: Any, where: str = "") -> str | None:
    """Where the first NaN or infinite number sits in parsed TOML data (e.g. "[a] weight"),
    or None when every number is finite."""
    if isinstance(data, float) and not math.isfinite(data):
        return where or "a value"
    if isinstance(data, dict):
        for key, value in data.items():
            inner = f"[{key}]" if isinstance(value, dict) and not where else f"{where} {key}"
            found = first_non_finite(value, inner.strip())
            if found:
                return found
    if isinstance(data, list):
        for k, value in enumerate(data):
            found = first_non_finite(value, f"{where}[{k}]")
            if found:
                return found
    return None
