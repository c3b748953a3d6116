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
from helpers import experiment_file

# Ishigami function, a = 7, b = 0.1, inputs uniform on [-pi, pi]: analytic indices
# (Ishigami & Homma 1990; Sobol' & Levitan 1999).
A, B = 7.0, 0.1
FIRST = [0.3139, 0.4424, 0.0]
TOTAL = [0.5576, 0.4424, 0.2437]


def ishigami(x1, x2, x3):
    return np.sin(x1) + A * np.sin(x2) ** 2 + B * x3**4 * np.sin(x1)


def test_design_and_indices_recover_the_ishigami_indices():
    factors = [Factor(f"x{i}", "uncertainty", low=-np.pi, high=np.pi) for i in (1, 2, 3)]
    n = 2048
    points = sobol_matrices(factors, n, seed=3)
    table = pd.DataFrame(
        [{"role": p.role, "row": p.row, "y": ishigami(p.values["x1"], p.values["x2"],
                                                       p.values["x3"])} for p in points]
    )  # fmt: skip
    names = [f.name for f in factors]
    result = sobol_table(arrange(table, names, ["y"], n), names, ["y"], n, n_resamples=200)
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
