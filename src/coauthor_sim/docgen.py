"""Documentation tables generated from the code, and the command that writes them in place.

``docs/ODD.md`` and ``docs/levers.md`` contain marked sections such as::

    <!-- BEGIN params:lever -->
    (generated table)
    <!-- END params:lever -->

``python -m coauthor_sim.docgen`` replaces what lies between each pair of markers with a table
rendered from ``coauthor_sim.params.SPECS`` (or from the constants of
``coauthor_sim.mechanisms``) and leaves every other line alone, so running it twice changes
nothing. ``--check`` writes nothing and exits with status 1 if a file is out of date.

Section keys:
    ``params:<group>``         every parameter of one group (population, network, lever,
                               uncertainty, run): name, default, unit, range, meaning, reason
    ``params:lever-summary``   the levers in one short table (no reasons)
    ``params:lever:<name>``    one line with one lever's default, range and unit
    ``constants``              fixed numeric constants of the mechanisms (not in the schema)
"""

from __future__ import annotations

import argparse
import ast
import pkgutil
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from . import mechanisms
from .params import GROUPS, SPECS, Spec

DOCS = Path(__file__).resolve().parents[2] / "docs"
DEFAULT_FILES = (DOCS / "ODD.md", DOCS / "levers.md")

_SECTION = re.compile(
    r"^<!-- BEGIN (?P<key>[\w:.-]+) -->\n(?P<body>.*?)^<!-- END (?P=key) -->$",
    re.DOTALL | re.MULTILINE,
)
_MARKER = re.compile(r"^<!-- (?:BEGIN|END) [\w:.-]+ -->$", re.MULTILINE)
_CONSTANT_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")


# ---------------------------------------------------------------------------------------------
# Cells
# ---------------------------------------------------------------------------------------------
def cell(text: str) -> str:
    """Text made safe for one cell of a Markdown table (no pipes, no line breaks)."""
    return " ".join(str(text).split()).replace("|", "\\|")


def format_value(value: object) -> str:
    """A parameter value as a reader expects it: ``true``, ``5,000,000``, ``0.045``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f"`{value}`"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return f"{int(value):,}"
        return f"{value:g}"
    return str(value)


def format_range(spec: Spec) -> str:
    """The allowed values of ``spec``: its choices, true/false, or ``low to high``."""
    if spec.choices is not None:
        return ", ".join(f"`{c}`" for c in spec.choices)
    if spec.kind is bool:
        return "true, false"
    return f"{format_value(spec.kind(spec.low))} to {format_value(spec.kind(spec.high))}"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(x) for x in row) + " |" for row in rows]
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------------------------
def group_table(group: str, specs: Mapping[str, Spec] = SPECS) -> str:
    """Every parameter of ``group``: name, default, unit, range, meaning and reason."""
    if group not in GROUPS:
        raise ValueError(f"unknown parameter group {group!r}: expected one of {GROUPS}")
    rows = [
        (f"`{s.name}`", format_value(s.default), s.unit or "-", format_range(s), s.meaning,
         s.reason or "(missing)")
        for s in specs.values()
        if s.group == group
    ]  # fmt: skip
    return _table(("name", "default", "unit", "range", "meaning", "reason"), rows)


def lever_summary(specs: Mapping[str, Spec] = SPECS) -> str:
    """The levers in one table: name, status-quo default, range, unit and meaning."""
    rows = [
        (f"`{s.name}`", format_value(s.default), format_range(s), s.unit or "-", s.meaning)
        for s in specs.values()
        if s.group == "lever"
    ]
    return _table(("lever", "status quo", "range", "unit", "meaning"), rows)


def lever_line(name: str, specs: Mapping[str, Spec] = SPECS) -> str:
    """One sentence giving a lever's parameter name, status-quo default, range and unit."""
    s = specs[name]
    if s.group != "lever":
        raise ValueError(f"{name!r} is a {s.group} parameter, not a lever")
    unit = f" ({s.unit})" if s.unit else ""
    return (
        f"**Parameter** `{s.name}`{unit}: status quo {format_value(s.default)}, "
        f"allowed {format_range(s)}."
    )


def mechanism_constants() -> list[tuple[str, str, str, str]]:
    """Module-level numeric constants of ``coauthor_sim.mechanisms``, in source order.

    Returns ``(module, name, value as written, trailing comment)`` for every assignment of a
    number to an UPPER_CASE name. These are fixed assumptions outside the parameter schema.
    """
    found = []
    folder = Path(mechanisms.__file__).parent
    for info in sorted(pkgutil.iter_modules([str(folder)]), key=lambda m: m.name):
        source = (folder / f"{info.name}.py").read_text(encoding="utf-8")
        lines = source.splitlines()
        for node in ast.parse(source).body:
            if not (isinstance(node, ast.Assign) and len(node.targets) == 1):
                continue
            target = node.targets[0]
            if not (isinstance(target, ast.Name) and _CONSTANT_NAME.match(target.id)):
                continue
            try:
                value = ast.literal_eval(node.value)
            except ValueError:
                continue
            if isinstance(value, bool) or not isinstance(value, int | float):
                continue
            comment = lines[node.lineno - 1].partition("#")[2].strip()
            found.append((info.name, target.id, ast.get_source_segment(source, node.value) or "",
                          comment))  # fmt: skip
    return found


def constants_table() -> str:
    """The fixed constants of the mechanisms: name, value, module and meaning."""
    rows = [(f"`{name}`", value, f"`mechanisms/{module}.py`", comment or "-")
            for module, name, value, comment in mechanism_constants()]  # fmt: skip
    return _table(("constant", "value", "module", "meaning"), rows)


def render(key: str) -> str:
    """The generated Markdown for the section named ``key``."""
    if key == "constants":
        return constants_table()
    kind, _, rest = key.partition(":")
    if kind == "params":
        if rest in GROUPS:
            return group_table(rest)
        if rest == "lever-summary":
            return lever_summary()
        if rest.startswith("lever:") and rest[len("lever:") :] in SPECS:
            return lever_line(rest[len("lever:") :])
    raise ValueError(f"unknown generated section {key!r}")


# ---------------------------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------------------------
def sections(text: str) -> dict[str, str]:
    """The marked sections of ``text``: key -> current body (between the marker lines).

    Raises ValueError on a marker without its partner or a key used twice.
    """
    found: dict[str, str] = {}
    for match in _SECTION.finditer(text):
        key = match["key"]
        if key in found:
            raise ValueError(f"generated section {key!r} appears twice")
        found[key] = match["body"]
    if len(_MARKER.findall(text)) != 2 * len(found):
        raise ValueError("a BEGIN/END marker has no partner (or the pairs are nested)")
    return found


def _body(key: str) -> str:
    return f"\n{render(key).strip()}\n\n"


def update_text(text: str) -> str:
    """``text`` with every marked section regenerated; everything else untouched."""
    sections(text)  # validates the markers
    return _SECTION.sub(
        lambda m: f"<!-- BEGIN {m['key']} -->\n{_body(m['key'])}<!-- END {m['key']} -->", text
    )


def update_file(path: Path, check: bool = False) -> bool:
    """Regenerate the marked sections of ``path`` (unless ``check``); True if it was stale."""
    text = path.read_text(encoding="utf-8")
    new = update_text(text)
    if new != text and not check:
        path.write_text(new, encoding="utf-8")
    return new != text


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m coauthor_sim.docgen [--check] [FILE ...]``."""
    parser = argparse.ArgumentParser(
        prog="python -m coauthor_sim.docgen",
        description="Regenerate the marked tables of the documentation from the code.",
    )
    parser.add_argument("files", nargs="*", type=Path, default=list(DEFAULT_FILES))
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if a file is out of date"
    )
    args = parser.parse_args(argv)
    stale = []
    for path in args.files:
        try:
            if update_file(path, check=args.check):
                stale.append(path)
        except (OSError, ValueError) as err:
            print(f"{path}: {err}", file=sys.stderr)
            return 2
    for path in stale:
        print(f"{path}: {'out of date' if args.check else 'updated'}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
