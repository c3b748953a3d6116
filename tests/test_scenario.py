"""Scenario files: the shipped ones load, extends works, and every bad file gets a clean error."""

from __future__ import annotations

import string
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coauthor_sim.params import SPECS, defaults
from coauthor_sim.scenario import (
    TABLES,
    ScenarioError,
    find_scenarios,
    load_scenario,
    to_toml,
)

SHIPPED = Path(__file__).resolve().parents[1] / "scenarios"
EXPECTED = {
    "status_quo",
    "local_public_support",
    "austerity",
    "big_society_unfunded",
    "market_commissioning",
    "prevention_first",
    "co_production_only",
}


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / f"{name}.toml"
    path.write_text(text)
    return path


def test_all_shipped_scenarios_load_with_a_description():
    found = {p.stem for p in find_scenarios(SHIPPED)}
    assert found >= EXPECTED
    for path in find_scenarios(SHIPPED):
        scenario = load_scenario(path)
        assert len(scenario.description) > 40
        assert scenario.summary.endswith(".")
        assert set(scenario.params) == set(SPECS)


def test_extends_overrides_only_what_differs():
    base = load_scenario(SHIPPED / "status_quo.toml")
    austerity = load_scenario(SHIPPED / "austerity.toml")
    unfunded = load_scenario(SHIPPED / "big_society_unfunded.toml")
    assert austerity.params["grant_per_citizen"] < base.params["grant_per_citizen"]
    assert unfunded.params["grant_per_citizen"] == austerity.params["grant_per_citizen"]
    assert [p.stem for p in unfunded.chain] == [
        "big_society_unfunded", "austerity", "status_quo", "calibrated_baseline",
    ]  # fmt: skip
    differing = {k for k in SPECS if austerity.params[k] != base.params[k]}
    assert differing == {"grant_per_citizen"}


def test_scenarios_differ_in_the_levers_their_descriptions_name():
    base = load_scenario(SHIPPED / "status_quo.toml").params
    lps = load_scenario(SHIPPED / "local_public_support.toml").params
    money = ("grant_per_citizen", "formula_deprivation_weight")  # the centre's: unchanged
    levers = [k for k, s in SPECS.items() if s.group == "lever" and k not in money]
    assert all(lps[k] != base[k] for k in levers)  # all ten features and the conditions
    assert all(lps[k] == base[k] for k in money)
    market = load_scenario(SHIPPED / "market_commissioning.toml").params
    assert market["co_production"] == 0 and market["plural_provision"] > base["plural_provision"]
    unfunded = load_scenario(SHIPPED / "big_society_unfunded.toml").params
    assert (
        unfunded["community_resources"] == 0 and unfunded["co_production"] > base["co_production"]
    )


def test_resolved_toml_round_trips(tmp_path):
    scenario = load_scenario(SHIPPED / "local_public_support.toml")
    again = load_scenario(write(tmp_path, "copy", to_toml(scenario)))
    assert dict(again.params) == dict(scenario.params)


def test_command_line_overrides_apply_last():
    scenario = load_scenario(SHIPPED / "austerity.toml", {"steps": 7, "n_citizens": 150})
    assert scenario.params["steps"] == 7 and scenario.params["n_citizens"] == 150


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('description = "x"\n[levers]\nco_productoin = 0.2\n',
         ["bad.toml", "co_productoin", "did you mean 'co_production'"]),
        ('description = "x"\n[levers]\nco_production = 1.5\n',
         ["bad.toml", "co_production", "1.5", "from 0 to 1"]),
        ('description = "x"\n[levers]\nco_production = "lots"\n',
         ["bad.toml", "co_production", "'lots'", "a number"]),
        ('description = "x"\n[population]\nco_production = 0.2\n',
         ["bad.toml", "co_production", "belongs in [levers]"]),
        ('description = "x"\n[lever]\nco_production = 0.2\n',
         ["bad.toml", "'lever'", "did you mean 'levers'"]),
        ('description = "x"\nco_production = 0.2\n',
         ["bad.toml", "co_production", "[levers]"]),
        ('description = "x"\n[levers\nco_production = 0.2\n', ["bad.toml", "line 2"]),
        ('[levers]\nco_production = 0.2\n', ["bad.toml", "description"]),
        ('description = "x"\n[population]\nn_neighbourhoods = 5000\n',
         ["bad.toml", "n_neighbourhoods", "n_citizens"]),
        ('description = "x"\nextends = "nowhere"\n', ["bad.toml", "nowhere", "does not exist"]),
        ('description = 3\n', ["bad.toml", "description"]),
        ('description = "x"\n[network]\nnetwork_kind = "lattice"\n',
         ["bad.toml", "network_kind", "small_world"]),
    ],
)  # fmt: skip
def test_bad_files_name_file_key_and_allowed_values(tmp_path, text, words):
    with pytest.raises(ScenarioError) as err:
        load_scenario(write(tmp_path, "bad", text))
    for word in words:
        assert word in str(err.value)


def test_missing_file(tmp_path):
    with pytest.raises(ScenarioError, match="no such scenario file"):
        load_scenario(tmp_path / "absent.toml")


def test_extends_cycle_is_reported(tmp_path):
    write(tmp_path, "a", 'description = "a"\nextends = "b"\n')
    write(tmp_path, "b", 'description = "b"\nextends = "a"\n')
    with pytest.raises(ScenarioError, match="cycle: a -> b -> a"):
        load_scenario(tmp_path / "a.toml")


# Anything at all in a scenario file must end in a Scenario or a ScenarioError: never another
# exception. Fuzz raw text, and structured documents built from real and near-real keys.
_words = st.sampled_from([*SPECS, *TABLES, "description", "extends", "levers ", "x"])
_values = st.one_of(
    st.integers(-(10**12), 10**12), st.floats(allow_nan=True), st.booleans(),
    st.text(string.printable, max_size=12), st.lists(st.integers(), max_size=3),
)  # fmt: skip


def _toml_literal(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "nan" if value != value else ("inf" if value > 0 else "-inf") if abs(
            value) == float("inf") else repr(value)  # fmt: skip
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    return repr(value)


@given(text=st.text(max_size=300))
def test_fuzz_raw_text_only_gives_clean_errors(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("fuzz") / "f.toml"
    path.write_text(text)
    try:
        load_scenario(path)
    except ScenarioError as err:
        assert "f.toml" in str(err)


@given(
    top=st.dictionaries(_words, _values, max_size=3),
    tables=st.dictionaries(
        st.sampled_from([*list(TABLES), "lever", "misc"]),
        st.dictionaries(_words, _values, max_size=4),
        max_size=3,
    ),
    describe=st.booleans(),
)
def test_fuzz_structured_documents_only_give_clean_errors(tmp_path_factory, top, tables, describe):
    lines = ['description = "fuzz"'] if describe else []
    lines += [f"{k} = {_toml_literal(v)}" for k, v in top.items() if k not in ("description",)]
    for table, items in tables.items():
        lines.append(f"[{table}]")
        lines += [f"{k} = {_toml_literal(v)}" for k, v in items.items()]
    path = tmp_path_factory.mktemp("fuzz") / "g.toml"
    path.write_text("\n".join(lines) + "\n")
    try:
        scenario = load_scenario(path)
    except ScenarioError as err:
        assert "g.toml" in str(err)
    else:
        assert set(scenario.params) == set(defaults())


@given(parent=st.text(max_size=40))
def test_fuzz_extends_values_only_give_clean_errors(tmp_path_factory, parent):
    path = tmp_path_factory.mktemp("fuzz") / "h.toml"
    path.write_text(f'description = "x"\nextends = {_toml_literal(parent)}\n')
    try:
        load_scenario(path)
    except ScenarioError as err:
        assert "h.toml" in str(err)


def test_a_misspelt_extends_gets_a_did_you_mean(tmp_path):
    write(tmp_path, "mine", 'description = "x"\nextends = "status_qou"\n')
    with pytest.raises(ScenarioError) as err:
        load_scenario(tmp_path / "mine.toml")
    assert "mine.toml" in str(err.value) and "did you mean 'status_quo'?" in str(err.value)
    write(tmp_path, "base_case", 'description = "b"\n')  # a neighbour is suggested too
    write(tmp_path, "other", 'description = "x"\nextends = "base_cse"\n')
    with pytest.raises(ScenarioError, match="did you mean 'base_case'"):
        load_scenario(tmp_path / "other.toml")
    write(tmp_path, "far", 'description = "x"\nextends = "zzzz"\n')
    with pytest.raises(ScenarioError) as err:
        load_scenario(tmp_path / "far.toml")
    assert "did you mean" not in str(err.value)  # nothing close: no guess


def test_listing_skips_a_broken_file_with_a_one_line_note(tmp_path, capsys):
    from helpers import run_cli

    write(tmp_path, "good", 'description = "Works. Really."\n')
    write(tmp_path, "broken", 'description = "x"\n[levers\n')
    write(tmp_path, "typo", 'description = "x"\nextends = "god"\n')
    code, out, err = run_cli(capsys, "scenarios", "--dir", tmp_path)
    assert code == 0, err
    assert out.split() == ["good", "Works."]
    notes = err.strip().splitlines()
    assert len(notes) == 2
    assert notes[0].startswith("skipped broken.toml:") and "line 2" in notes[0]
    assert notes[1].startswith("skipped typo.toml:") and "did you mean 'good'?" in notes[1]
    (tmp_path / "good.toml").unlink()
    code, out, err = run_cli(capsys, "scenarios", "--dir", tmp_path)
    assert code == 2 and out == "" and "could be read" in err.splitlines()[-1]
