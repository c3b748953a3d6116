"""The documentation agrees with the code.

Fails when the generated tables of docs/ODD.md or docs/levers.md are out of date with the
parameter schema or the mechanisms' constants (fix: ``python -m coauthor_sim.docgen``), when a
public mechanism function has no submodel section in ODD section 7 (or a section names a function
that no longer exists), when a lever has no section in docs/levers.md, or when a parameter has no
reason. The last tests show that each check can fail.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import pytest

from coauthor_sim import docgen, mechanisms
from coauthor_sim.params import GROUPS, SPECS

DOCS = Path(__file__).resolve().parents[1] / "docs"
ODD = DOCS / "ODD.md"
LEVERS = DOCS / "levers.md"

# A submodel heading in ODD section 7: "### 7.1 `name`" or "#### 7.1.1 `name`".
_SUBMODEL = re.compile(r"^#{2,5}\s+7(?:\.\d+)+\.?\s+`(?P<name>[A-Za-z_]\w*)`", re.MULTILINE)
_HEADING = re.compile(r"^#{1,6}\s+(?P<text>.*)$", re.MULTILINE)


def mechanism_functions() -> dict[str, str]:
    """Every public function defined in coauthor_sim.mechanisms: name -> module."""
    found = {}
    for info in pkgutil.iter_modules(mechanisms.__path__):
        module = importlib.import_module(f"{mechanisms.__name__}.{info.name}")
        for name, obj in inspect.getmembers(module, inspect.isfunction):
            if not name.startswith("_") and obj.__module__ == module.__name__:
                found[name] = info.name
    return found


def section_7(text: str) -> str:
    """The text of ODD section 7 (from its heading to the next top-level section)."""
    match = re.search(r"^## 7\b.*?(?=^## (?!7\b)|\Z)", text, re.MULTILINE | re.DOTALL)
    assert match, "docs/ODD.md has no '## 7 Submodels' section"
    return match.group(0)


def submodel_names(text: str) -> list[str]:
    """Function names given in the submodel headings of ODD section 7."""
    return [m["name"] for m in _SUBMODEL.finditer(section_7(text))]


def lever_sections(text: str) -> set[str]:
    """Names in backticks in the headings of docs/levers.md."""
    return {name for h in _HEADING.finditer(text) for name in re.findall(r"`(\w+)`", h["text"])}


def stale_sections(text: str) -> list[str]:
    """Keys of the marked sections of ``text`` whose content differs from a fresh render."""
    fresh = docgen.sections(docgen.update_text(text))
    return [key for key, body in docgen.sections(text).items() if fresh[key] != body]


# ---------------------------------------------------------------------------------------------
# The checks
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("path", [ODD, LEVERS], ids=lambda p: p.name)
def test_generated_sections_are_up_to_date(path):
    stale = stale_sections(path.read_text(encoding="utf-8"))
    assert not stale, (
        f"{path.name}: generated sections {stale} are out of date with the code; "
        "run `python -m coauthor_sim.docgen`"
    )


def test_odd_has_one_parameter_table_per_group_and_the_constants():
    keys = set(docgen.sections(ODD.read_text(encoding="utf-8")))
    expected = {f"params:{g}" for g in GROUPS} | {"constants"}
    assert expected <= keys, f"docs/ODD.md lacks generated sections {sorted(expected - keys)}"


def test_every_mechanism_function_has_a_submodel_section():
    documented = set(submodel_names(ODD.read_text(encoding="utf-8")))
    missing = sorted(set(mechanism_functions()) - documented)
    assert not missing, f"mechanism functions without an ODD section 7 heading: {missing}"


def test_every_submodel_section_names_an_existing_function():
    names = submodel_names(ODD.read_text(encoding="utf-8"))
    unknown = sorted(set(names) - set(mechanism_functions()))
    assert not unknown, f"ODD section 7 headings name functions that do not exist: {unknown}"
    twice = sorted({n for n in names if names.count(n) > 1})
    assert not twice, f"ODD section 7 has more than one heading for: {twice}"


def test_every_lever_has_a_section_in_levers_md():
    documented = lever_sections(LEVERS.read_text(encoding="utf-8"))
    levers = {name for name, spec in SPECS.items() if spec.group == "lever"}
    missing = sorted(levers - documented)
    assert not missing, f"levers without a section in docs/levers.md: {missing}"
    unknown = sorted(documented - set(SPECS) - set(mechanism_functions()))
    assert not unknown, f"docs/levers.md headings name unknown parameters: {unknown}"


def test_every_parameter_has_a_reason():
    empty = sorted(name for name, spec in SPECS.items() if not spec.reason.strip())
    assert not empty, f"parameters with an empty reason in params.py: {empty}"


# ---------------------------------------------------------------------------------------------
# The checks can fail
# ---------------------------------------------------------------------------------------------
def test_a_changed_table_is_detected_as_stale():
    text = ODD.read_text(encoding="utf-8")
    spec = SPECS["co_production"]
    row = f"| `{spec.name}` | {docgen.format_value(spec.default)} |"
    assert row in text
    tampered = text.replace(row, f"| `{spec.name}` | 0.999 |", 1)
    assert stale_sections(tampered) == ["params:lever"]
    assert stale_sections(docgen.update_text(tampered)) == []


def test_regeneration_is_idempotent_and_touches_only_marked_sections():
    text = "intro\n<!-- BEGIN params:run -->\nold\n<!-- END params:run -->\noutro\n"
    once = docgen.update_text(text)
    assert docgen.update_text(once) == once
    assert once.startswith("intro\n") and once.endswith("outro\n")
    assert "`steps`" in once and "old" not in once


def test_broken_markers_and_unknown_keys_are_refused():
    with pytest.raises(ValueError, match="partner"):
        docgen.sections("<!-- BEGIN params:run -->\n")
    with pytest.raises(ValueError, match="unknown"):
        docgen.update_text("<!-- BEGIN params:nonsense -->\n<!-- END params:nonsense -->\n")


def test_submodel_heading_parser_sees_missing_and_stale_functions():
    text = "## 7 Submodels\n### 7.1 `accrue_need`\n#### 7.1.2 `no_such_function`\n## 8 Next\n"
    names = submodel_names(text)
    assert names == ["accrue_need", "no_such_function"]
    assert "detect_crises" in set(mechanism_functions()) - set(names)
    assert set(names) - set(mechanism_functions()) == {"no_such_function"}


def test_lever_section_parser_only_reads_headings():
    text = "## Co-production (`co_production`)\nSee also `learning` in passing.\n"
    assert lever_sections(text) == {"co_production"}
