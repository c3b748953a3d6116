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
