"""EMA Workbench and SALib through our adapters: real experiments, a real PRIM box, a real
stored Sobol sweep fed to SALib's analyser and checked against our own indices."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest

from coauthor_sim import ParameterError, load_experiment, load_results, run_sweep, simulate
from coauthor_sim.analysis.sensitivity import arrange, sobol_table
from coauthor_sim.calibration.targets import load_priors
from coauthor_sim.compare import load_posterior
from coauthor_sim.effects import load_effects
from coauthor_sim.interop import ranges, salib
from coauthor_sim.params import SPECS
from helpers import experiment_file

ema = pytest.importorskip("coauthor_sim.interop.ema", reason="EMA Workbench extra not installed")
ema_workbench = pytest.importorskip("ema_workbench")
from ema_workbench.analysis import prim  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SMALL = {"n_citizens": 120, "steps": 18}


# --- plausible ranges ------------------------------------------------------------------------
def test_ranges_come_from_posterior_then_priors_then_effects_then_lever_shares(tmp_path):
    posterior = load_posterior(ranges.default_posterior())
    name = "willingness_mean"
    assert ranges.plausible_range(name) == (posterior[name].min(), posterior[name].max())
    assert ranges.stated_range(name).source == "posterior"
    priors = {f.name: (f.low, f.high) for f in load_priors(ROOT / "data" / "priors.toml")}
    assert ranges.plausible_range(name, posterior=None) == priors[name]  # no posterior
    shipped = {e.name: (e.low, e.high) for e in load_effects()}
    effect = next(n for n in shipped if n not in priors)
    assert ranges.plausible_range(effect) == shipped[effect]
    assert ranges.stated_range("co_production") == ranges.Range("co_production", 0.0, 1.0, "lever")
    effects = tmp_path / "effects.toml"
    effects.write_text("[effects.prevention_effect]\nlow = 0.0\nhigh = 0.4\n"
                       "distribution = 'uniform'\nsource = 'x'\n")  # fmt: skip
    assert ranges.plausible_range("prevention_effect", effects=effects) == (0.0, 0.4)
    assert ranges.plausible_range(name, (0.3, 0.4), effects=effects) == (0.3, 0.4)
    effects.write_text("[effects.prevention_effect]\nlow = 0.0\nhigh = 7\n"
                       "distribution = 'uniform'\nsource = 'x'\n")  # fmt: skip
    with pytest.raises(ParameterError, match=r"effects.toml.*prevention_effect"):
        ranges.plausible_range("prevention_effect", effects=effects)
    with pytest.raises(ParameterError, match=r"co_productoin.*co_production"):
        ranges.plausible_range("co_productoin")
    with pytest.raises(ParameterError, match=r"network_kind.*no numeric range"):
        ranges.plausible_range("network_kind")


@pytest.mark.parametrize("name", ["access_base", "self_help_rate", "n_citizens",
                                  "grant_per_citizen", "mean_degree"])  # fmt: skip
def test_a_parameter_without_a_stated_range_is_refused_by_name_unless_given(name):
    with pytest.raises(ParameterError, match=rf"^{name} has no stated range.*give one"):
        ranges.plausible_range(name)
    spec = SPECS[name]
    low, high = spec.default * 0.5, spec.default * 1.5
    assert ranges.plausible_range(name, (low, high)) == (spec.check(low), spec.check(high))
    with pytest.raises(ParameterError, match=name):
        salib.problem([name])
    with pytest.raises(ParameterError, match=name):
        ema.model(uncertainties=[name]) if spec.group != "lever" else ema.model(levers=[name])


def test_every_stated_range_is_inside_the_schema():
    for name, spec in SPECS.items():
        found = ranges.stated_range(name) if spec.kind in (int, float) else None
        if found is not None:
            assert spec.low <= found.low < found.high <= spec.high, name


# --- EMA Workbench ---------------------------------------------------------------------------
def test_ema_model_takes_names_and_ranges_from_our_schema_and_posterior():
    model = ema.model(levers={"co_production": (0.1, 0.6)},
                      uncertainties=["willingness_mean", "network_kind"], **SMALL)  # fmt: skip
    (lever,) = model.levers
    assert (lever.name, lever.lower_bound, lever.upper_bound) == ("co_production", 0.1, 0.6)
    real, kind = model.uncertainties
    assert (real.lower_bound, real.upper_bound) == ranges.plausible_range("willingness_mean")
    assert set(kind.categories.keys()) == set(SPECS["network_kind"].choices)
    assert [o.name for o in model.outcomes] == list(ema.DEFAULT_OUTCOMES)
    with pytest.raises(
        ParameterError, match=r"willingness_mean is not a policy lever \(group: uncertainty\)"
    ):
        ema.model(levers=["willingness_mean"])
    with pytest.raises(ParameterError, match="co_production is a policy lever"):
        ema.model(uncertainties=["co_production"])
    with pytest.raises(ParameterError, match=r"co_production.*from 0 to 1"):
        ema.model(levers={"co_production": (0.1, 2.0)})


def test_ema_model_function_is_simulate_averaged_over_shared_seeds():
    model = ema.model(levers=["co_production"], outcomes=["life_satisfaction"], seed=3,
                      replications=2, **SMALL)  # fmt: skip
    function = pickle.loads(pickle.dumps(model.function))  # as EMA's process pool sends it
    got = function(co_production=0.3)
    seeds = function.seeds
    alone = [simulate("status_quo", s, co_production=0.3, **SMALL)["life_satisfaction"]
             for s in seeds]  # fmt: skip
    assert len(set(seeds)) == 2 and got == {"life_satisfaction": sum(alone) / 2}


def test_ema_experiments_through_the_adapter_find_a_prim_box():
    model = ema.model(levers=["co_production"],
                      uncertainties={"willingness_mean": None, "need_growth": (0.04, 0.14)},
                      outcomes=["life_satisfaction", "unmet_need"], **SMALL)  # fmt: skip
    np.random.seed(2026)  # noqa: NPY002 - EMA samples with numpy's global generator
    experiments, outcomes = ema_workbench.perform_experiments(model, scenarios=16, policies=2)
    assert len(experiments) == 32 and set(outcomes) == {"life_satisfaction", "unmet_need"}
    x = experiments[["willingness_mean", "need_growth", "co_production"]]
    worst = outcomes["life_satisfaction"] <= np.quantile(outcomes["life_satisfaction"], 0.25)
    box = prim.Prim(x, worst, threshold=0.6).find_box()
    assert box.density >= 0.6 and box.coverage > 0  # a box that holds mostly bad outcomes
    assert worst.mean() < box.density
    limits = box.box_lims[-1]
    assert set(limits.columns) == {"willingness_mean", "need_growth", "co_production"}


# --- SALib -----------------------------------------------------------------------------------
def test_salib_problem_is_a_problem_spec_over_the_calibrated_parameters():
    from SALib import ProblemSpec

    factors = load_priors(ROOT / "data" / "priors.toml")
    problem = salib.problem()
    assert isinstance(problem, ProblemSpec)
    assert problem["names"] == [f.name for f in factors]
    assert problem["bounds"] == [list(ranges.plausible_range(f.name)) for f in factors]
    assert problem["num_vars"] == len(factors) and problem["outputs"] == ["life_satisfaction"]
    chosen = salib.problem({"willingness_mean": None, "need_growth": (0.05, 0.1)})
    assert chosen["bounds"][1] == [0.05, 0.1] and chosen["names"][0] == "willingness_mean"
    with pytest.raises(ParameterError, match="unknown outcome 'happiness'"):
        salib.problem(["willingness_mean"], outputs=["happiness"])


def test_salib_evaluates_a_sample_with_the_model_and_analyses_it():
    problem = salib.problem({"willingness_mean": None, "need_growth": (0.06, 0.1)},
                            outputs=["life_satisfaction", "unmet_need"])  # fmt: skip
    problem.sample_sobol(4, calc_second_order=False, seed=3)
    small = {"n_citizens": 60, "n_neighbourhoods": 5, "steps": 6}
    function = salib.model(problem, seed=2, replications=2, **small)
    function = pickle.loads(pickle.dumps(function))  # as SALib's process pool sends it
    problem.evaluate(function)
    y = problem.results
    assert y.shape == (4 * (2 + 2), 2) and np.isfinite(y).all()
    row = problem.samples[5]
    alone = [simulate("status_quo", seed, willingness_mean=row[0], need_growth=row[1], **small)
             for seed in function.seeds]  # fmt: skip
    assert list(y[5]) == [sum(a[o] for a in alone) / 2 for o in problem["outputs"]]
    again = salib.evaluate(problem, problem.samples[:3], seed=2, replications=2, **small)
    np.testing.assert_array_equal(again, y[:3])
    problem.analyze_sobol(calc_second_order=False, num_resamples=10, seed=1)
    assert set(problem.analysis) == {"life_satisfaction", "unmet_need"}


SOBOL = """
description = "tiny Sobol design for SALib"
scenario = "status_quo"
seed = 5
replications = 2
[fixed]
n_citizens = 120
steps = 18
[design]
kind = "sobol"
samples = 16
[uncertainties]
willingness_mean = {low = 0.25, high = 0.65}
need_growth = {low = 0.05, high = 0.12}
"""


def test_stored_sobol_sweep_feeds_salib_and_matches_our_indices(tmp_path):
    sobol = pytest.importorskip("SALib.analyze.sobol")
    experiment = load_experiment(experiment_file(tmp_path, SOBOL))
    run_sweep(experiment, tmp_path / "out", jobs=1, progress=False)
    outcomes = ["life_satisfaction", "unmet_need"]
    problem, y = salib.sobol_outputs(tmp_path / "out", outcomes)
    assert problem["names"] == ["willingness_mean", "need_growth"]
    assert problem["bounds"] == [[0.25, 0.65], [0.05, 0.12]]
    assert y.shape == (16 * 4, 2)

    runs, _ = load_results(tmp_path / "out")  # our own indices, as `coauthor-sim sensitivity`
    means = runs.groupby("point")[outcomes].mean()
    means["role"] = [experiment.points[i].role for i in means.index]
    means["row"] = [experiment.points[i].row for i in means.index]
    ours = sobol_table(arrange(means, problem["names"], outcomes, 16), problem["names"],
                       outcomes, 16, n_resamples=20)  # fmt: skip
    for k, outcome in enumerate(outcomes):
        theirs = sobol.analyze(problem, y[:, k], calc_second_order=False, num_resamples=20,
                               seed=1)  # fmt: skip
        mine = ours[ours["outcome"] == outcome]
        # Same estimators (Saltelli 2010 first order, Jansen total); total indices agree to
        # rounding, first-order ones to the centring each library applies to the outputs.
        np.testing.assert_allclose(theirs["ST"], mine["total"], rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(theirs["S1"], mine["first_order"], atol=0.02)
    single_problem, single = salib.sobol_outputs(tmp_path / "out", "unmet_need")
    assert single_problem["bounds"] == problem["bounds"] and np.array_equal(single, y[:, 1])
    assert single_problem["outputs"] == ["unmet_need"] and problem["outputs"] == outcomes


def test_salib_refuses_a_sweep_that_is_not_sobol(tmp_path):
    body = SOBOL.replace('kind = "sobol"\nsamples = 16', 'kind = "latin_hypercube"\nsamples = 3')
    run_sweep(load_experiment(experiment_file(tmp_path, body)), tmp_path / "out", jobs=1,
              progress=False)  # fmt: skip
    with pytest.raises(ValueError, match="not a Sobol sweep"):
        salib.sobol_outputs(tmp_path / "out", "life_satisfaction")
