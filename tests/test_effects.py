"""Effect-size priors: the shipped file loads, every entry has a source and contains no
effect, and bad files are refused with one line naming the file, the entry and the fault."""

from __future__ import annotations

import numpy as np
import pytest

from coauthor_sim.effects import DEFAULT_EFFECTS, draw_effects, load_effects
from coauthor_sim.params import SPECS
from coauthor_sim.scenario import ScenarioError

GOOD = """
[effects.prevention_effect]
low = 0.0
high = 0.8
distribution = "triangular"
mode = 0.5
source = "Peterborough SIB (Barrow Cadbury Trust 2017)"
"""


def test_shipped_priors_are_sourced_uncertainties_that_include_no_effect():
    priors = load_effects(DEFAULT_EFFECTS)
    assert len(priors) >= 10
    for p in priors:
        assert SPECS[p.name].group == "uncertainty"
        assert p.source and p.low <= p.no_effect <= p.high
        assert SPECS[p.name].low <= p.low < p.high <= SPECS[p.name].high


def test_draws_stay_in_range_follow_the_distribution_and_repeat_with_the_seed():
    priors = load_effects(DEFAULT_EFFECTS)
    a, b = draw_effects(priors, 2000, seed=3), draw_effects(priors, 2000, seed=3)
    assert a.equals(b) and not a.equals(draw_effects(priors, 2000, seed=4))
    for p in priors:
        assert a[p.name].between(p.low, p.high).all()
        centre = p.mode if p.distribution == "triangular" else (p.low + p.high) / 2
        expected = (p.low + p.high + centre) / 3 if p.distribution == "triangular" else centre
        assert a[p.name].mean() == pytest.approx(expected, abs=0.03 * (p.high - p.low))


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (
            GOOD.replace('source = "Peterborough SIB (Barrow Cadbury Trust 2017)"', ""),
            ["[effects.prevention_effect]", "'source' is missing"],
        ),
        (
            GOOD.replace(
                'source = "Peterborough SIB (Barrow Cadbury Trust 2017)"', 'source = "  "'
            ),
            ["'source' is missing"],
        ),
        (
            GOOD.replace("prevention_effect", "prevention_efect"),
            ["unknown parameter 'prevention_efect'", "did you mean 'prevention_effect'"],
        ),
        (GOOD.replace("prevention_effect", "co_production"), ["lever parameter"]),
        (GOOD.replace("low = 0.0", "low = 0.2"), ["must include no effect"]),
        (GOOD.replace("high = 0.8", "high = 1.5"), ["prevention_effect = 1.5", "0 to 1"]),
        (GOOD.replace('"triangular"', '"normal"'), ["distribution = 'normal'", "uniform"]),
        (GOOD.replace("mode = 0.5", "mode = 0.9"), ["mode = 0.9"]),
        (GOOD.replace("mode = 0.5", "median = 0.5"), ["unknown key 'median'"]),
        (GOOD + "\n[other]\nx = 1\n", ["unknown key or table 'other'"]),
        ("", ["no priors"]),
        ("[effects", ["not valid TOML"]),
    ],
)
def test_bad_effects_files_are_refused_in_one_line(tmp_path, text, words):
    path = tmp_path / "effects.toml"
    path.write_text(text)
    with pytest.raises(ScenarioError) as err:
        load_effects(path)
    message = str(err.value)
    assert message.startswith(str(path)) and "\n" not in message
    for word in words:
        assert word in message


def test_a_parameter_drawn_from_the_posterior_is_refused(tmp_path):
    path = tmp_path / "effects.toml"
    path.write_text(GOOD)
    with pytest.raises(ScenarioError, match="calibrated posterior"):
        load_effects(path, exclude={"prevention_effect"})
    assert np.isclose(load_effects(path)[0].ppf(np.array([0.0]))[0], 0.0)
