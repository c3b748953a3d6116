"""Validation report: docking with classic models and the calibrated baseline against every
published target, written as ``docs/validation.md`` with its pictures by one command,
``coauthor-sim validate``.

This module writes files (it is an application module, like the comparison report); the
science it reports on lives in ``docking``, ``calibration`` and the model.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from . import docking
from .calibration import Target, load_priors, load_targets, plot_fit
from .compare import load_posterior, posterior_draws
from .experiment.design import Factor
from .experiment.runner import RunSpec, execute, replication_seeds, simulate
from .experiment.sweep import final_outcomes
from .params import SPECS
from .scenario import ScenarioError, load_scenario

REPORT_Z = (1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0)
NOT_MODELLED = [
    "Belonging to the neighbourhood (CLS online 60-66%): the model has no sense of belonging; "
    "connectedness is resources from ties, not attachment to a place.",
    "The other ONS well-being measures (worthwhile, happiness, anxiety): the model has one "
    "well-being scale, mapped to life satisfaction only.",
    "The trend in life satisfaction from 2011/12 to 2018/19 (+0.2 to +0.3 points) and the "
    "COVID shock: the baseline is calibrated as a steady state, not run through history.",
    "The spread of mean life satisfaction between local authorities (about 1 point, mostly "
    "compositional): one model run is one locality, so between-authority spread is not "
    "simulated.",
    "Persistence of deprivation (88% of the most deprived decile stays there over four "
    "years): neighbourhood context is fixed in the model, so persistence is 100% by "
    "construction.",
    "Effect sizes of co-production, prevention and connectedness on well-being: the evidence "
    "is weak (Durose et al. 2017) or qualitative (Helliwell and Putnam 2004); they are "
    "uncertain parameters, not calibrated, and should be swept (see experiments/).",
]

GRANOVETTER_SOURCE = (
    "Source of the experiment: Granovetter, M. (1978). Threshold models of collective "
    "behavior. American Journal of Sociology 83(6): 1420-1443, fig. 2 (N = 100, mean threshold "
    "25). Curves: coauthor_sim's engagement rule (update_engagement in its limiting "
    "configuration) on a complete graph with count exposure."
)
WATTS_SOURCE = (
    "Source of the experiment: Watts, D. J. (2002). A simple model of global cascades on "
    "random networks. PNAS 99(9): 5766-5771, fig. 1 (Erdos-Renyi graphs, one random initial "
    "adopter). Points: coauthor_sim's engagement rule (update_engagement in its limiting "
    "configuration) with fractional exposure."
)


def _caption(fig: Figure, text: str) -> None:
    """Wrapped caption under the axes."""
    fig.text(0.01, 0.01, textwrap.fill(text, 120), fontsize=7.5, va="bottom", ha="left")


def plot_granovetter(table: pd.DataFrame, critical: float, jump: float) -> Figure:
    """Participation against sigma: docking curve, sampled crowds, Granovetter's calculation."""
    fig = Figure(figsize=(8, 5.6))
    ax = fig.subplots()
    fig.subplots_adjust(bottom=0.25)
    if "sampled_mean" in table:
        ax.fill_between(
            table["sigma"],
            table["sampled_q10"],
            table["sampled_q90"],
            color="tab:orange",
            alpha=0.2,
            step="mid",
            label="sampled crowds, 10-90% range",
        )
        ax.plot(
            table["sigma"], table["sampled_mean"], color="tab:orange", label="sampled crowds, mean"
        )
    ax.plot(
        table["sigma"],
        table["mean_field"],
        "k--",
        lw=1,
        label="Granovetter's continuous calculation r <- N F(r)",
    )
    ax.step(
        table["sigma"],
        table["quantile"],
        where="mid",
        color="tab:blue",
        lw=2,
        label="docked model, quantile thresholds",
    )
    ax.axvline(critical, color="grey", lw=1, ls=":")
    ax.annotate(
        f"critical sigma {critical:.2f}\n(paper: 12.2)",
        (critical, 50),
        xytext=(critical - 7.5, 40),
        arrowprops={"arrowstyle": "->"},
        fontsize=8,
    )
    ax.annotate(
        f"docked jump {jump:.2f}",
        (jump, 30),
        xytext=(jump + 2, 25),
        arrowprops={"arrowstyle": "->"},
        fontsize=8,
    )
    ax.set_xlabel("standard deviation of thresholds, sigma (mean threshold 25)")
    ax.set_ylabel("final number taking part (of N = 100)")
    ax.set_xlim(0, table["sigma"].max())
    ax.set_ylim(-2, 102)
    ax.legend(loc="upper left", fontsize=8)
    ax.set_title("Granovetter (1978): riot size against spread of thresholds")
    _caption(
        fig,
        GRANOVETTER_SOURCE
        + " Quantile thresholds: mean + sigma * Phi^-1((i - 0.5)/N). Sampled crowds draw "
        "thresholds from N(25, sigma^2), the same standard normal draws at every sigma. The "
        "docked jump lies right of 12.2 because whole people must reach a threshold.",
    )
    return fig


def plot_watts(
    table: pd.DataFrame, window: tuple[float, float] | None, n: int, phi: float
) -> Figure:
    """Frequency and mean size of global cascades against mean degree, window shaded."""
    fig = Figure(figsize=(8, 5.6))
    ax = fig.subplots()
    fig.subplots_adjust(bottom=0.25)
    if window is not None:
        ax.axvspan(
            *window,
            color="tab:green",
            alpha=0.12,
            label=f"analytic cascade window {window[0]:.2f} < z < {window[1]:.2f}",
        )
    ax.plot(
        table["z"], table["frequency"], "o-", color="tab:blue", label="frequency of global cascades"
    )
    ax.plot(
        table["z"],
        table["mean_global_size"],
        "^--",
        color="tab:red",
        label="mean size of global cascades",
    )
    ax.set_xlabel("mean degree z")
    ax.set_ylabel("frequency / size (share of nodes)")
    ax.set_xlim(0, table["z"].max() + 0.5)
    ax.set_ylim(-0.02, 1.05)
    ax.legend(loc="upper right", fontsize=8)
    reps = int(table["realisations"].iloc[0])
    ax.set_title(f"Watts (2002): global cascades, phi = {phi}, n = {n:,}, {reps} runs per z")
    _caption(
        fig,
        WATTS_SOURCE
        + f" A cascade is global when it reaches at least {docking.GLOBAL_SHARE:.0%} of the "
        "nodes; mean size is over global cascades only. Window: z P(Poisson(z) <= K - 2) > 1 "
        "with K = floor(1/phi).",
    )
    return fig


def _final_outcomes(spec: RunSpec) -> dict[str, float]:
    """Worker: final-year outcomes of one run."""
    return final_outcomes(simulate(spec))


def baseline_fit(
    scenario_path: Path,
    targets: list[Target],
    replications: int,
    seed: int,
    jobs: int | None = None,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Run the calibrated baseline ``replications`` times, each with its own posterior draw
    (when the scenario has a posterior), and set every target against the simulated mean and
    5-95% range across runs."""
    scenario = load_scenario(scenario_path)
    params = dict(scenario.params)
    posterior = load_posterior(scenario.posterior) if scenario.posterior else None
    seeds = replication_seeds(seed, replications)
    draws = posterior_draws(posterior, replications, seed) if posterior is not None else None
    specs = []
    for r, run_seed in enumerate(seeds):
        values = dict(params)
        if draws is not None:
            row = posterior.iloc[draws[r]]
            values.update({k: SPECS[k].check(row[k].item()) for k in posterior.columns})
        specs.append(RunSpec(str(r), values, run_seed, {"replication": r}))
    finals = []
    for result in execute(specs, _final_outcomes, jobs=jobs, progress=False):
        if not result.ok:
            raise RuntimeError(f"baseline run failed: {result.error}")
        finals.append(result.value)
    runs = pd.DataFrame(finals)
    rows = []
    for t in targets:
        sim = runs[t.outcome].dropna()
        mean = float(sim.mean())
        rows.append({
            "target": t.name, "outcome": t.outcome, "weight": t.weight, "observed": t.value,
            "band_low": t.low, "band_high": t.high, "simulated_mean": mean,
            "simulated_5%": float(sim.quantile(0.05)), "simulated_95%": float(sim.quantile(0.95)),
            "in_band": bool(t.low <= mean <= t.high), "source": t.source,
        })  # fmt: skip
    info = {
        "scenario": str(scenario_path),
        "posterior": str(scenario.posterior) if scenario.posterior else None,
        "posterior_size": len(posterior) if posterior is not None else 0,
        "runs": len(runs),
        "n_citizens": params["n_citizens"],
        "steps": params["steps"],
        "nesting_holds": float(
            np.mean(
                (runs["civic_activism"] < runs["civic_consultation"])
                & (runs["civic_consultation"] < runs["civic_participation"])
            )
        ),
    }
    return pd.DataFrame(rows), info


def _md_table(frame: pd.DataFrame) -> str:
    head = "| " + " | ".join(frame.columns) + " |"
    rule = "|" + "|".join("---" for _ in frame.columns) + "|"
    body = ["| " + " | ".join(str(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([head, rule, *body])


def write_validation(
    out: Path,
    realisations: int = 40,
    replications: int = 30,
    seed: int = 1,
    jobs: int | None = None,
    scenario: Path = Path("scenarios/status_quo.toml"),
    targets_path: Path = Path("data/targets.toml"),
) -> Path:
    """Compute docking and baseline fit; write ``out/validation.md`` and its pictures in
    ``out/img``. Returns the Markdown file's path."""
    img = out / "img"
    img.mkdir(parents=True, exist_ok=True)

    uniform_all = docking.granovetter_uniform()
    uniform_one = docking.granovetter_uniform(perturb=True)
    sigmas = np.round(np.arange(0.0, 25.0 + 1e-9, 0.25), 6)
    gran = docking.granovetter_curve(sigmas, realisations=realisations, seed=seed)
    critical, jump = docking.granovetter_critical_sigma(), docking.granovetter_jump_sigma()
    plot_granovetter(gran, critical, jump).savefig(img / "validation_granovetter.png", dpi=110)
    watts = docking.watts_frequency(
        np.array(REPORT_Z), phi=docking.WATTS_PHI, n=docking.WATTS_N,
        realisations=realisations, seed=seed,
    )  # fmt: skip
    window = docking.watts_window(docking.WATTS_PHI)
    plot_watts(watts, window, docking.WATTS_N, docking.WATTS_PHI).savefig(
        img / "validation_watts.png", dpi=110
    )

    targets = load_targets(targets_path)
    fit, info = baseline_fit(scenario, targets, replications, seed, jobs)
    plot_fit(fit).savefig(img / "validation_fit.png", dpi=110)
    try:  # the priors beside the targets, to show each posterior against its prior range
        priors = {f.name: f for f in load_priors(targets_path.parent / "priors.toml")}
    except ScenarioError:
        priors = {}
    posterior_table = ""
    if info["posterior"]:
        sample = pd.read_csv(info["posterior"])
        posterior_table = _md_table(pd.DataFrame({
            "parameter": sample.columns,
            "median": [f"{sample[c].median():.3g}" for c in sample.columns],
            "5%": [f"{sample[c].quantile(0.05):.3g}" for c in sample.columns],
            "95%": [f"{sample[c].quantile(0.95):.3g}" for c in sample.columns],
            "prior range": [_prior_range(priors, c) for c in sample.columns],
        }))  # fmt: skip

    fit_table = _md_table(pd.DataFrame({
        "target": fit["target"],
        "observed (band)": [f"{o:.3g} ({lo:.3g}-{hi:.3g})" for o, lo, hi in
                            zip(fit["observed"], fit["band_low"], fit["band_high"], strict=True)],
        "simulated mean (5-95%)": [f"{m:.3g} ({a:.3g}-{b:.3g})" for m, a, b in
                                   zip(fit["simulated_mean"], fit["simulated_5%"],
                                       fit["simulated_95%"], strict=True)],
        "in band": ["yes" if x else "**no**" for x in fit["in_band"]],
        "fitted": ["yes" if w > 0 else "no (reported)" for w in fit["weight"]],
        "source": fit["source"],
    }))  # fmt: skip
    watts_table = _md_table(pd.DataFrame({
        "mean degree z": watts["z"],
        "global cascades (share of runs)": [f"{f:.2f}" for f in watts["frequency"]],
        "mean size of global cascades": [
            "-" if s != s else f"{s:.2f}" for s in watts["mean_global_size"]],
    }))  # fmt: skip
    misses = [f"- **{r.target}**: simulated {r.simulated_mean:.3g} against {r.observed:.3g} "
              f"(band {r.band_low:.3g}-{r.band_high:.3g})." for r in fit.itertuples()
              if not r.in_band]  # fmt: skip

    text = f"""# Validation

Regenerate this page with `coauthor-sim validate` (under a minute on two cores). Every
number below was computed when the page was written; nothing here is typed by hand except
the prose.

## 1 Docking: the engagement rule reduces to classic threshold models

`coauthor_sim.docking` runs the model's own engagement rule (`update_engagement`) in its
limiting configuration: everyone able, no spontaneous starts, no drop-out, thresholds given.

**Granovetter (1978).** A crowd of 100 with thresholds 0, 1, ..., 99: **{uniform_all}** take
part (the paper: all 100). With the person of threshold 1 moved to 2: **{uniform_one}** takes
part (the paper: 1). With normally distributed thresholds (mean 25), Granovetter's continuous
calculation jumps from a handful to nearly everyone at sigma = {critical:.2f} (the paper: about
12.2); the docked crowd of whole people jumps at sigma = {jump:.2f}, slightly later because a
count of others must reach a threshold such as 4.3 at 5.

![Granovetter docking](img/validation_granovetter.png)

**Watts (2002).** Erdos-Renyi graphs of {docking.WATTS_N:,} nodes, fractional threshold
{docking.WATTS_PHI}, one random initial adopter, {realisations} runs per mean degree; a
cascade is global when it reaches at least {docking.GLOBAL_SHARE:.0%} of nodes. The analytic
cascade window is {window[0]:.2f} < z < {window[1]:.2f}; finite graphs push its upper edge up a
little, as in Watts's figure.

{watts_table}

![Watts docking](img/validation_watts.png)

## 2 The calibrated baseline against published UK figures

Targets (with sources) are in `data/targets.toml`: ONS Annual Population Survey well-being
2013/14-2018/19 and the Community Life Survey online series 2016/17-2019/20. Calibration
(`coauthor-sim calibrate scenarios/status_quo.toml --write-scenario
scenarios/calibration/calibrated_baseline.toml`) uses rejection ABC over a Latin hypercube of
the uncertain parameters only (never the levers); the accepted points are the posterior sample
comparisons draw from.

Posterior of the calibrated parameters ({info["posterior_size"]} accepted draws):

{posterior_table}

The baseline (`{info["scenario"]}`, {info["n_citizens"]:,} citizens, {info["steps"]} months)
run {info["runs"]} times, each with its own posterior draw; final-year means:

{fit_table}

Civic activism < consultation < participation held in {info["nesting_holds"]:.0%} of runs.

![Calibrated baseline against targets](img/validation_fit.png)

## 3 What the model does not reproduce

Targets whose simulated mean falls outside the band:

{chr(10).join(misses) if misses else "- none"}

Published patterns the model does not attempt:

{chr(10).join("- " + textwrap.fill(item, 96, subsequent_indent="  ") for item in NOT_MODELLED)}
"""
    path = out / "validation.md"
    path.write_text(text, encoding="utf-8")
    return path


def _prior_range(priors: dict[str, Factor], name: str) -> str:
    f = priors.get(name)
    return f"{f.low:.3g}-{f.high:.3g}" if f else "-"
