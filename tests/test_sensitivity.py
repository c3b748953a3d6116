"""Sobol sensitivity: the design and the index computation recover known indices (Ishigami),
and `coauthor-sim sensitivity` runs end to end on a small experiment."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from coauthor_sim.analysis.sensitivity import arrange, sobol_table
from coauthor_sim.experiment.design import Factor, sobol_matrices
from helpers import ROOT, experiment_file, run_cli

# Ishigami function, a = 7, b = 0.1, inputs uniform on [-pi, pi]: analytic indices
# (Ishigami & Homma 1990; Sobol' & Levitan 1999).
A, B = 7.0, 0.1
FIRST = [0.3139, 0.4424, 0.0]
TOTAL = [0.5576, 0.4424, 0.2437]


def ishigami(x1, x2, x3):
    return np.sin(x1) + A * np.sin(x2) ** 2 + B * x3**4 * np.sin(x1)


def ishigami_outputs(n: int) -> tuple[dict, list[str]]:
    """The Ishigami function on Saltelli's design of ``n`` base samples, arranged for
    ``sobol_table``, and the factor names."""
    factors = [Factor(f"x{i}", "uncertainty", low=-np.pi, high=np.pi) for i in (1, 2, 3)]
    points = sobol_matrices(factors, n, seed=3)
    table = pd.DataFrame(
        [{"role": p.role, "row": p.row, "y": ishigami(p.values["x1"], p.values["x2"],
                                                       p.values["x3"])} for p in points]
    )  # fmt: skip
    names = [f.name for f in factors]
    return arrange(table, names, ["y"], n), names


def test_design_and_indices_recover_the_ishigami_indices():
    n = 2048
    outputs, names = ishigami_outputs(n)
    result = sobol_table(outputs, names, ["y"], n, n_resamples=200)
    assert result["first_order"].to_numpy() == pytest.approx(FIRST, abs=0.04)
    assert result["total"].to_numpy() == pytest.approx(TOTAL, abs=0.04)
    assert (result["first_order_low"] <= result["first_order_high"]).all()


def test_arrange_refuses_an_incomplete_design():
    table = pd.DataFrame({"role": ["A", "B"], "row": [0, 0], "y": [1.0, 2.0]})
    with pytest.raises(ValueError, match="AB:x"):
        arrange(table, ["x"], ["y"], 1)


def test_sensitivity_command_end_to_end(tmp_path):
    path = experiment_file(
        tmp_path,
        """
description = "tiny sensitivity"
scenario = "status_quo"
seed = 5
replications = 1
[fixed]
n_citizens = 100
steps = 13
[design]
kind = "sobol"
samples = 8
[uncertainties]
need_growth = {low = 0.05, high = 0.12}
self_help_rate = {low = 0.05, high = 0.15}
""",
        "tiny",
    )
    out = tmp_path / "out"
    done = subprocess.run(
        [sys.executable, "-m", "coauthor_sim.cli", "sensitivity", str(path), "--out", str(out),
         "--quiet", "--jobs", "2", "--outcomes", "life_satisfaction", "unmet_need"],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    table = pd.read_csv(out / "sobol_indices.csv")
    assert len(table) == 4 and set(table["factor"]) == {"need_growth", "self_help_rate"}
    assert (out / "sobol_indices.png").stat().st_size > 0
    assert "32/32 runs done" in done.stdout


def _contrast_setup():
    from coauthor_sim.analysis.sensitivity import NOISE, Contrast, Uncertain
    from coauthor_sim.scenario import load_scenario
    from helpers import ROOT

    small = {"n_citizens": 100, "steps": 24}
    base = load_scenario(ROOT / "scenarios" / "status_quo.toml", small)
    treated = load_scenario(ROOT / "scenarios" / "prevention_first.toml", small)
    contrast = Contrast(dict(base.params), dict(treated.params), "unmet_need", 1, seed=3)
    # rewiring_prob only shapes small-world networks: with neighbourhood blocks it has exactly
    # no effect, the known answer
    factors = [
        Uncertain("prevention_effect", 0.0, 1.0),
        Uncertain("rewiring_prob", 0.0, 1.0),
        Uncertain(NOISE),
    ]
    return contrast, factors, NOISE


def test_contrast_screening_puts_a_zero_effect_parameter_at_the_noise_floor():
    import pickle

    from coauthor_sim.analysis.sensitivity import morris_screen
    from coauthor_sim.experiment.runner import RunSpec

    contrast, factors, noise = _contrast_setup()
    # worker processes (--jobs 2, a cluster) get the contrast pickled: the same numbers there
    point = RunSpec("0", {"prevention_effect": 0.7, noise: 0.3}, 0)
    assert pickle.loads(pickle.dumps(contrast))(point) == contrast(point)
    table = morris_screen(contrast, factors, trajectories=4, seed=2, jobs=1).set_index("factor")
    assert table.loc["rewiring_prob", "mu_star"] == 0.0  # same seeds: no effect is exactly 0
    assert not table.loc["rewiring_prob", "above_noise"]
    assert table.loc["rewiring_prob", "mu_star"] <= table.loc[noise, "mu_star"]
    assert table.loc["prevention_effect", "mu_star"] > 0


def test_contrast_sobol_ranks_a_zero_effect_parameter_at_the_noise_floor():
    from coauthor_sim.analysis.sensitivity import sobol_contrast

    contrast, factors, noise = _contrast_setup()
    table = sobol_contrast(contrast, factors, samples=8, seed=4, n_resamples=99, jobs=1)
    table = table.set_index("factor")
    assert table.loc["rewiring_prob", "total"] == pytest.approx(0.0, abs=1e-12)
    assert not table.loc["rewiring_prob", "above_noise"]
    assert table.loc["rewiring_prob", "total"] <= table.loc[noise, "total"]
    assert table.loc["prevention_effect", "total"] > table.loc["rewiring_prob", "total"]


def test_a_sobol_experiment_uses_common_seeds_within_its_design(tmp_path):
    from coauthor_sim.experiment.definition import load_experiment

    path = experiment_file(tmp_path, """
description = "common seeds"
scenario = "status_quo"
seed = 5
replications = 2
[design]
kind = "sobol"
samples = 4
[uncertainties]
need_growth = {low = 0.05, high = 0.12}
""", "common")  # fmt: skip
    runs = load_experiment(path).runs()
    by_replication = {}
    for run in runs:
        by_replication.setdefault(run.labels["replication"], set()).add(run.seed)
    assert all(len(seeds) == 1 for seeds in by_replication.values())  # one seed per replication
    assert len({s for seeds in by_replication.values() for s in seeds}) == 2


def test_sensitivity_contrast_command_end_to_end(tmp_path):
    out = tmp_path / "out"
    effects = tmp_path / "effects.toml"  # two priors keep the design small
    effects.write_text(
        '[effects.prevention_effect]\nlow = 0.0\nhigh = 1.0\nsource = "judgement"\n'
        '[effects.cream_skimming]\nlow = 0.0\nhigh = 1.0\nsource = "judgement"\n'
    )
    done = subprocess.run(
        [sys.executable, "-m", "coauthor_sim.cli", "sensitivity", "--effects", str(effects),
         "--contrast",
         "prevention_first", "status_quo", "--dir", str(ROOT / "scenarios"), "--citizens", "60",
         "--steps", "12", "--trajectories", "2", "--samples", "4", "--replications", "1",
         "--jobs", "1", "--quiet", "--out", str(out)],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    screen = pd.read_csv(out / "morris.csv")
    assert "dummy_randomness" in set(screen["factor"]) and "prevention_effect" in set(
        screen["factor"]
    )
    assert (screen["mu_star"] >= 0).all() and "noise floor" in done.stdout
    assert (out / "manifest.json").exists()


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--contrast", "prevention_first", "nowhere"], ["nowhere.toml"]),
        (["--contrast", "a", "b", "--samples", "6"], ["--samples", "power of 2"]),
        (["--contrast", "a", "b", "--trajectories", "0"], ["--trajectories"]),
        ([], ["--contrast"]),
    ],
)
def test_bad_contrast_input_exit_2_nothing_written(tmp_path, monkeypatch, capsys, args, words):
    monkeypatch.chdir(tmp_path)
    code, _, err = run_cli(capsys, "sensitivity", *args, "--dir", ROOT / "scenarios")
    assert code == 2 and "Traceback" not in err and len(err.strip().splitlines()) == 1
    for word in words:
        assert word in err
    assert not (tmp_path / "results").exists()


def test_bootstrap_intervals_repeat_with_the_seed_and_leave_numpy_global_state_alone():
    n = 64
    outputs, names = ishigami_outputs(n)
    np.random.seed(123)  # noqa: NPY002 (the global stream is what is checked)
    before = np.random.get_state()[1].copy()  # noqa: NPY002
    runs = [sobol_table(outputs, names, ["y"], n, n_resamples=50, seed=s) for s in (7, 7, 8)]
    assert (np.random.get_state()[1] == before).all()  # noqa: NPY002
    bounds = ["first_order_low", "first_order_high", "total_low", "total_high"]
    pd.testing.assert_frame_equal(runs[0][bounds], runs[1][bounds])
    assert not runs[0][bounds].equals(runs[2][bounds])
