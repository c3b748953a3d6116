"""The history test's inputs and pre-registered criteria (data/history.toml)."""

from __future__ import annotations

import pytest

from coauthor_sim.history import load_decade
from coauthor_sim.messages import ScenarioError
from coauthor_sim.params import SPECS, defaults, parse_paths


def test_the_shipped_decade_has_ten_years_sourced_inputs_and_criteria():
    decade = load_decade()
    assert decade.years[0] == "2010/11" and len(decade.years) == 10
    assert {i.name for i in decade.inputs} >= {"grant_per_citizen", "unemployment_rate"}
    assert all(i.source for i in decade.inputs) and all(c.source for c in decade.criteria)
    assert all(c.low < c.observed < c.high or c.low <= c.observed <= c.high
               for c in decade.criteria)  # fmt: skip
    assert decade.year_index("2015/16") == 6


def test_index_inputs_scale_each_worlds_own_value_and_level_inputs_set_it():
    decade = load_decade()
    base = {**defaults(), "need_growth": 0.05, "grant_per_citizen": 50.0}
    paths = parse_paths(decade.paths(base))
    grant = next(i for i in decade.inputs if i.name == "grant_per_citizen")
    assert paths["grant_per_citizen"] == pytest.approx([50.0 * v for v in grant.values], rel=1e-5)
    assert paths["need_growth"][0] == pytest.approx(0.05)
    jobless = next(i for i in decade.inputs if i.name == "unemployment_rate")
    assert paths["unemployment_rate"] == pytest.approx(jobless.values, rel=1e-5)


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (('kind = "level"', 'kind = "sideways"'), "kind = 'sideways'"),
        (("[inputs.grant_per_citizen]", "[inputs.grant_per_citizn]"), "unknown parameter"),
        (('statistic = "crisis_rate"', 'statistic = "crises_rate"'), "not one the runs report"),
        (('to_year = "2019/20"', 'to_year = "2020/21"'), "must be among years"),
        (("band = [-0.25, 0.25]", "band = [0.25, -0.25]"), "low < high"),
    ],
)
def test_a_bad_history_file_is_refused_naming_what_is_wrong(tmp_path, change, words):
    text = load_decade().path.read_text().replace(*change, 1)
    path = tmp_path / "history.toml"
    path.write_text(text)
    with pytest.raises(ScenarioError, match=r"history\.toml") as err:
        load_decade(path)
    assert words in str(err.value)
    assert SPECS  # the schema is what inputs are checked against


def test_the_decade_runs_in_worlds_and_is_judged_on_its_criteria(tmp_path, capsys):
    """The command end to end on a tiny decade: yearly rows for both scenarios, every
    criterion judged, the files and a manifest written, the same seed giving the same table."""
    from helpers import run_cli

    args = ("history", "--worlds", "2", "--citizens", "120", "--jobs", "1", "--quiet")
    code, out, err = run_cli(capsys, *args, "--out", str(tmp_path / "a"))
    assert code == 0, err
    assert "pre-registered criteria pass" in out
    folder = tmp_path / "a"
    names = {p.name for p in folder.iterdir()}
    assert {"history.csv", "criteria.csv", "history.md", "history.png", "manifest.json"} <= names
    import pandas as pd

    runs = pd.read_csv(folder / "history_runs.csv")
    assert set(runs["scenario"]) == {"decade", "no_cuts"} and runs["year"].max() == 10
    criteria = pd.read_csv(folder / "criteria.csv")
    assert len(criteria) == len(load_decade().criteria)
    code, _, err = run_cli(capsys, *args, "--out", str(tmp_path / "b"))
    assert code == 0, err
    again = pd.read_csv(tmp_path / "b" / "history_runs.csv")
    pd.testing.assert_frame_equal(runs, again)


def test_the_shipped_decade_scenario_follows_history_toml():
    """scenarios/history/austerity_decade.toml is data/history.toml at the 2010 baseline's
    values."""
    from coauthor_sim.api import scenario_parameters

    base = dict(scenario_parameters("history/baseline_2010"))
    decade = parse_paths(dict(scenario_parameters("history/austerity_decade"))["paths"])
    expected = parse_paths(load_decade().paths(base))
    assert decade.keys() == expected.keys()
    for name, values in expected.items():
        assert decade[name] == pytest.approx(values, rel=1e-5), name
