"""`coauthor-sim validate` regenerates the validation page from computed numbers: docking,
the calibration's diagnostics, the noise of its distance, and the posterior predictive check of
every fitted and held-out target."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from coauthor_sim.calibration import diagnostics as diag
from coauthor_sim.calibration.targets import load_priors, load_targets
from coauthor_sim.validation import write_validation

ROOT = Path(__file__).resolve().parents[1]
IMAGES = ("validation_granovetter", "validation_watts", "validation_fit", "validation_posterior",
          "validation_correlations")  # fmt: skip


def test_validation_page_covers_docking_diagnostics_and_every_target(tmp_path):
    # the calibrated baseline (and its posterior) at a small size: the page's runs are cheap
    small = tmp_path / "small_status_quo.toml"
    small.write_text(f'description = "small"\nextends = "{ROOT}/scenarios/status_quo"\n'
                     "[population]\nn_citizens = 300\n[run]\nsteps = 24\n")  # fmt: skip
    here = os.getcwd()
    os.chdir(ROOT)  # the page names repository paths (data/, scenarios/)
    try:
        page = write_validation(tmp_path / "page", realisations=2, replications=2, seed=2,
                                jobs=1, scenario=small, noise_repeats=2, history_worlds=2,
                                history_citizens=120)  # fmt: skip
    finally:
        os.chdir(here)
    text = page.read_text()
    assert "**100** take" in text and "**1** takes" in text  # Granovetter's two crowds
    assert "1.02 < z < 5.76" in text  # Watts's analytic window for phi = 0.18
    targets = load_targets(ROOT / "data" / "targets.toml")
    for target in targets:
        if target.role != "inactive":
            assert f"| {target.name} |" in text
    fitted_section = text.split("## 3 ")[1].split("## 4 ")[0]
    held_section = text.split("## 4 ")[1].split("## 5 ")[0]
    for target in targets:
        section = fitted_section if target.fitted else held_section
        if target.role != "inactive":
            assert f"| {target.name} |" in section, target.name
    assert "### 2.1 Noise of the distance" in text and "| 16 |" in text
    for f in load_priors(ROOT / "data" / "priors.toml"):
        assert f"| {f.name} |" in text  # every calibrated parameter against its prior
    assert "## 5 What the model does not reproduce" in text
    history = text.split("## 6 ")[1]
    assert "Pre-registration" in history and "criteria pass" in history
    assert (tmp_path / "page" / "img" / "validation_history.png").stat().st_size > 10_000
    for name in IMAGES:
        assert (tmp_path / "page" / "img" / f"{name}.png").stat().st_size > 10_000
        assert f"img/{name}.png" in text


def test_predictive_check_judges_median_and_interval_against_the_band():
    targets = [t for t in load_targets(ROOT / "data" / "targets.toml") if t.fitted][:1]
    t = targets[0]
    inside = pd.DataFrame({t.statistic: [t.value] * 5 + [t.high + 10 * t.half_band]})
    outside = pd.DataFrame({t.statistic: [t.high + 10 * t.half_band] * 6})
    ok = diag.predictive_check(inside, targets).iloc[0]
    bad = diag.predictive_check(outside, targets).iloc[0]
    assert ok["median_in_band"] and ok["interval_overlaps"]
    assert not bad["median_in_band"] and not bad["interval_overlaps"]


def test_posterior_table_flags_a_posterior_pressing_on_a_prior_edge():
    priors = load_priors(ROOT / "data" / "priors.toml")[:2]
    a, b = priors
    sample = pd.DataFrame({
        a.name: [a.high - 0.001 * (a.high - a.low) * k for k in range(20)],
        b.name: [b.low + (b.high - b.low) * k / 19 for k in range(20)],
    })  # fmt: skip
    table = diag.posterior_table(sample, priors).set_index("parameter")
    assert table.loc[a.name, "at_edge"] == "high"
    assert table.loc[b.name, "share_of_prior"] > 0.8


def test_shipped_validation_page_is_generated():
    text = (ROOT / "docs" / "validation.md").read_text()
    assert text.startswith("# Validation") and "coauthor-sim validate" in text
    for name in IMAGES:
        assert (ROOT / "docs" / "img" / f"{name}.png").exists()
