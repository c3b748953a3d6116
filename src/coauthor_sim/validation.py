"""Validation report: docking with classic models and the calibrated baseline against every
published target, written as ``docs/validation.md`` with its pictures by one command,
``coauthor-sim validate``.

This module writes files (it is an application module, like the comparison report); the
science it reports on lives in ``docking``, ``calibration`` and the model.
"""

from __future__ import annotations

import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from . import docking
from .calibration import diagnostics as diag
from .calibration import smc
from .calibration.noise import distance_noise
from .calibration.targets import load_priors, load_targets
from .compare import load_posterior
from .experiment.runner import default_jobs
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

NO_INACTIVE = (
    "- none in data/targets.toml; hours of engagement will need one (issue #9), with a "
    "published figure read at its source"
)
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


def _md_table(frame: pd.DataFrame) -> str:
    head = "| " + " | ".join(frame.columns) + " |"
    rule = "|" + "|".join("---" for _ in frame.columns) + "|"
    body = ["| " + " | ".join(str(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([head, rule, *body])


def _g(v: float) -> str:
    return "-" if v != v else f"{v:.3g}"


def _check_table(check: pd.DataFrame) -> str:
    return _md_table(pd.DataFrame({
        "target": check["target"],
        "observed (band)": [f"{_g(o)} ({_g(lo)}-{_g(hi)})" for o, lo, hi in
                            zip(check["observed"], check["band_low"], check["band_high"],
                                strict=True)],
        "median (5-95%)": [f"{_g(m)} ({_g(a)}-{_g(b)})" for m, a, b in
                           zip(check["median"], check["q05"], check["q95"], strict=True)],
        "median in band": ["yes" if x else "**no**" for x in check["median_in_band"]],
        "runs in band": [f"{x:.0%}" for x in check["share_in_band"]],
        "90% overlaps band": ["yes" if x else "**no**" for x in check["interval_overlaps"]],
        "source": check["source"],
    }))  # fmt: skip


def _ess_note(gens: pd.DataFrame, population: int) -> str:
    """A warning under the tolerance table when the final generation's weights have collapsed
    (``smc.ess_warning``), or nothing."""
    from .calibration.smc import ess_warning

    said = ess_warning(float(gens["ess"].iloc[-1]), population) if len(gens) else None
    return f"\n> **Collapsed weights.** {said.removeprefix('warning: ')}\n" if said else ""


HISTORY_PREAMBLE = """## 6 History test: the 2010-2019 decade (pre-registered)

A model that matches one cross-section has not shown that its dynamics are right, and the
dynamics are what a policy comparison uses. From 2010 English councils lost about a quarter of
their spending per person, far more in deprived places than in affluent ones; the decade is the
model's out-of-sample test. It starts from a 2010 baseline calibrated only on figures from the
decade's start and is driven only by the published inputs below; nothing is fitted to what
happened after 2010.

**Pre-registration.** The criteria below were written into `data/history.toml` and committed
before the decade was run for the first time, and are not changed after seeing a result. A
criterion passes when the median over plausible worlds of the model's change lies in its band;
a miss is a finding about the model, explained here, not tuned away.

Inputs (index: relative to the 2010 baseline's value in each plausible world; level: the
value itself):

{inputs}

Criteria:

{criteria}
"""


def _history_section(result: str | None) -> str:
    """The history test: its pre-registered inputs and criteria, then ``result`` (the judged
    run, ``history.result_markdown``) or a line saying it has not been run."""
    from .history import criteria_markdown, inputs_markdown, load_decade

    decade = load_decade()
    text = HISTORY_PREAMBLE.format(inputs=inputs_markdown(decade),
                                   criteria=criteria_markdown(decade))  # fmt: skip
    return text + "\n" + (result or "**Result:** not run yet.") + "\n"


def _calibration_section(
    abc: dict | None, sample: pd.DataFrame | None, steps: int | None = None
) -> str:
    """Method, settings, tolerance schedule, effective sample sizes and run time."""
    if abc is None:
        return (
            "No ABC-SMC diagnostics were found beside the posterior sample: the baseline "
            "was calibrated by an older method. Rerun `coauthor-sim calibrate` (see below)."
        )
    gens = pd.DataFrame(abc["generations"])
    small = (abc["population"] < FULL["population"] or abc["replications"] < FULL["replications"]
             or (steps is not None and abc["steps"] != steps))  # fmt: skip
    warning = (
        f"> **Provisional.** This calibration is smaller than a full one ({abc['population']} "
        f"particles, {abc['replications']} replications, {abc['steps']} months per run, against "
        f"{FULL['population']}, {FULL['replications']} and the experiments' {steps}): it checks "
        "the machinery and is not the calibration to cite. The full refit command is in "
        "section 2.1.\n\n"
        if small
        else ""
    )
    table = _md_table(pd.DataFrame({
        "generation": gens["t"],
        "tolerance": [_g(e) for e in gens["epsilon"]],
        "evaluations": gens["evaluations"],
        "accepted": gens["accepted"],
        "acceptance": [f"{a:.0%}" for a in gens["acceptance_rate"]],
        "ESS": [f"{e:.0f}" for e in gens["ess"]],
    }))  # fmt: skip
    sessions = abc.get("sessions", [])
    workers = ", ".join(sorted({f"{s.get('executor')} x{s.get('workers')}" for s in sessions}))
    return f"""{warning}Method: {abc["method"]}. Each particle is the mean of **{
        abc["replications"]
    }
runs** of {abc["n_citizens"]:,} citizens over {abc["steps"]} months (final-year means), the
population size of the experiments; {abc["population"]} particles per generation; seed
{abc["seed"]}. Fitted targets: {", ".join(abc["fitted"])}.

It stopped because: **{abc["stopped"]}**. Run time **{abc["seconds"] / 60:.1f} minutes** in
{len(sessions)} session(s) on {workers}; {abc["evaluations"]:,} particle evaluations
({abc["evaluations"] * abc["replications"]:,} model runs). The final generation's distances:
median {abc["final_particles"]["distance_median"]:.3g}, largest
{abc["final_particles"]["distance_max"]:.3g} (in band-edge units, root mean square over fitted
targets). The posterior sample comparisons draw from has {
        len(sample) if sample is not None else 0
    } rows, resampled from the final particles by weight.

Tolerance schedule and effective sample size (ESS, Kish's, of the weighted particles):

{table}
{_ess_note(gens, abc["population"])}
![Tolerance schedule](img/validation_tolerance.png)

{_point_section(abc)}"""


def _point_section(abc: dict) -> str:
    """How the calibrated point (the scenario's values for single runs) was chosen."""
    point = abc.get("point")
    if not point:
        return "The calibrated point is the posterior's medoid (an older calibration)."
    checked = pd.DataFrame(point["candidates"])
    best = int(checked["distance_again"].idxmin())
    table = _md_table(pd.DataFrame({
        "candidate": [f"**{i + 1}**" if i == best else str(i + 1) for i in checked.index],
        "distance in the calibration": [f"{d:.2f}" for d in checked["distance"]],
        "distance with fresh runs": [f"{d:.2f}" for d in checked["distance_again"]],
    }))  # fmt: skip
    return f"""**The calibrated point** (the values in `calibrated_baseline.toml`, used by single
runs of the status quo): the {point["rule"]}; the smallest re-evaluated distance wins (in bold).
Fresh runs are needed because the smallest distances in the calibration are partly luck.

{table}"""


# The defaults of `coauthor-sim calibrate`: a calibration smaller than this is flagged provisional.
FULL = {"population": 100, "replications": 4}


def _budget_text(abc: dict | None, run_seconds: float) -> str:
    """What a full calibration costs: the shipped calibration's own time per evaluation, one
    run's time measured while the page was made, how the time budget is kept, and what the
    shipped calibration took."""
    measured = (
        f"One run of the baseline took {run_seconds:.3f} s while this page was made (mean over "
        "the noise runs, measured in the worker, on whatever else the machine was doing)."
    )
    minutes = smc.Settings.__dataclass_fields__["max_minutes"].default  # as --max-minutes
    budget = (
        f"The calibration's time budget (`--max-minutes`, {minutes:g}, over all sessions) is "
        "kept two ways: a generation starts only if one as costly as the last would end within "
        "it, and a generation still running when the budget is spent starts no more particles "
        "and is abandoned, so the calibration ends with the generations before it (a "
        "generation can cost several times its predecessor when acceptance collapses; the "
        "particles already running, one per worker, finish first, and generation 0 always runs "
        "to its end). Writing the calibrated scenario afterwards (twelve candidate points, "
        "sixteen runs each) takes under a minute, so a full calibration with the defaults ends "
        f"within about {minutes + 1:g} minutes on two cores."
    )
    if abc is None:
        return f"{measured} {budget}"
    gens = len(abc["generations"])
    sessions = abc.get("sessions", [])
    workers = max((int(s.get("workers") or 1) for s in sessions), default=1)
    resumed = (f"in {len(sessions)} sessions (resumed {len(sessions) - 1} time(s))"
               if len(sessions) > 1 else "in one uninterrupted session")  # fmt: skip
    per_evaluation = abc["seconds"] / abc["evaluations"]
    abandoned = "abandoned" in str(abc["stopped"])
    overstated = " (counting the abandoned generation's time: too high)" if abandoned else ""
    return (
        f"The shipped calibration (section 2's table) ran {gens} generations in "
        f"**{abc['seconds'] / 60:.1f} minutes** {resumed}, on {workers} worker(s); it stopped "
        f"because: {abc['stopped']}. Its {abc['evaluations']:,} particle evaluations of "
        f"{abc['replications']} runs took {per_evaluation:.3f} s each on the wall clock, "
        f"{per_evaluation * workers / abc['replications']:.3f} s of a worker per run"
        f"{overstated}. {measured} {budget}"
    )


def write_validation(
    out: Path,
    realisations: int = 40,
    replications: int = 100,
    seed: int = 1,
    jobs: int | None = None,
    scenario: Path = Path("scenarios/status_quo.toml"),
    targets_path: Path = Path("data/targets.toml"),
    noise_repeats: int = 10,
    history_worlds: int = 30,
    history_citizens: int | None = None,
    history_baseline: Path = Path("scenarios/history/baseline_2010.toml"),
) -> Path:
    """Compute docking, the calibration's diagnostics, the noise of its distance, the
    posterior predictive check and the history test (``history_worlds`` plausible worlds of
    the 2010 baseline; 0 to leave it out); write ``out/validation.md`` and its pictures in
    ``out/img``.
    Returns the Markdown file's path."""
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
    watts_table = _md_table(pd.DataFrame({
        "mean degree z": watts["z"],
        "global cascades (share of runs)": [f"{f:.2f}" for f in watts["frequency"]],
        "mean size of global cascades": [
            "-" if s != s else f"{s:.2f}" for s in watts["mean_global_size"]],
    }))  # fmt: skip

    # --- calibration diagnostics --------------------------------------------------------
    targets = load_targets(targets_path)
    base = load_scenario(scenario)
    params = dict(base.params)
    sample = load_posterior(base.posterior) if base.posterior else None
    abc = diag.load_diagnostics(base.posterior) if base.posterior else None
    try:  # the priors beside the targets, to show each posterior against its prior range
        priors = load_priors(targets_path.parent / "priors.toml")
    except ScenarioError:
        priors = []
    if abc is not None:
        diag.plot_tolerance(pd.DataFrame(abc["generations"])).savefig(
            img / "validation_tolerance.png", dpi=110
        )
    posterior_md = "No posterior sample: the baseline is not calibrated."
    if sample is not None and priors:
        shown = [f for f in priors if f.name in sample]
        diag.plot_posterior_vs_prior(sample, shown).savefig(
            img / "validation_posterior.png", dpi=110
        )
        diag.plot_correlations(sample, shown).savefig(img / "validation_correlations.png", dpi=110)
        table = diag.posterior_table(sample, shown)
        edges = table[table["at_edge"] != "-"]
        posterior_md = _md_table(
            pd.DataFrame(
                {
                    "parameter": table["parameter"],
                    "prior": [
                        f"{_g(a)}-{_g(b)}"
                        for a, b in zip(table["prior_low"], table["prior_high"], strict=True)
                    ],
                    "median": [_g(v) for v in table["median"]],
                    "5-95%": [
                        f"{_g(a)}-{_g(b)}" for a, b in zip(table["q05"], table["q95"], strict=True)
                    ],
                    "share of prior": [f"{v:.0%}" for v in table["share_of_prior"]],
                    "presses on prior edge": table["at_edge"],
                }
            )
        ) + (
            "\n\nParameters whose 90% interval reaches within 5% of a prior edge: "
            + (
                ", ".join(
                    f"`{p}` ({e})"
                    for p, e in zip(edges["parameter"], edges["at_edge"], strict=True)
                )
                or "none"
            )
            + ". An edge that the posterior presses on may mean the data want values the "
            "prior rules out: widen the prior if the mechanism allows (and check whether the "
            "posterior then moves past the old edge), or say why it may not; docs/ODD.md "
            "section 6.2 records the checks made."
            "\n\n![Posterior against prior](img/validation_posterior.png)"
            "\n\n![Posterior correlations](img/validation_correlations.png)"
        )

    # --- noise of the distance, at the calibrated point ----------------------------------
    point = {f.name: params[f.name] for f in priors}
    noise, run_seconds = distance_noise(
        params, point, targets, (1, 2, 4, 8, 16), noise_repeats, seed, jobs
    )
    noise_md = _md_table(pd.DataFrame({
        "replications per evaluation": noise["replications"],
        "mean distance": [f"{v:.3f}" for v in noise["mean"]],
        "sd over repeats": [f"{v:.3f}" for v in noise["sd"]],
        "range": [f"{a:.2f}-{b:.2f}" for a, b in zip(noise["min"], noise["max"], strict=True)],
    }))  # fmt: skip
    used = abc["replications"] if abc else None

    # --- posterior predictive check ------------------------------------------------------
    runs = diag.posterior_predictive(params, sample, replications, seed, jobs)
    check = diag.predictive_check(runs, targets)
    diag.plot_predictive(check).savefig(img / "validation_fit.png", dpi=110)
    fitted, held = check[check["role"] == "fit"], check[check["role"] != "fit"]
    misses = [f"- **{r.target}** ({'fitted' if r.role == 'fit' else 'held out'}): median "
              f"{_g(r.median)} (90% {_g(r.q05)}-{_g(r.q95)}) against the band "
              f"{_g(r.band_low)}-{_g(r.band_high)}." for r in check.itertuples()
              if not r.median_in_band]  # fmt: skip
    inactive = [f"- **{t.name}**: needs {t.needs}." for t in targets if t.role == "inactive"]

    history_result = None
    if history_worlds > 0:
        from .history import judge, load_decade, plot_history, result_markdown, run_history

        decade = load_decade()
        start = time.perf_counter()
        runs = run_history(decade, load_scenario(history_baseline), history_worlds, seed=2010,
                           n_citizens=history_citizens, jobs=jobs, progress=False)  # fmt: skip
        settings = {"worlds": history_worlds, "baseline": history_baseline.stem,
                    "citizens": history_citizens or load_scenario(history_baseline).params[
                        "n_citizens"], "seed": 2010, "seconds": time.perf_counter() - start,
                    "jobs": jobs or default_jobs()}  # fmt: skip
        plot_history(runs, decade).savefig(img / "validation_history.png", dpi=110)
        history_result = (result_markdown(decade, runs, judge(decade, runs), settings)
                          + "\n![The decade](img/validation_history.png)\n")  # fmt: skip
    text = f"""# Validation

Regenerate this page with `coauthor-sim validate` (a few minutes on two cores). Every
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

## 2 Calibration: ABC-SMC against published UK figures

Targets, with sources, bands and roles, are in `data/targets.toml`: ONS Annual Population
Survey well-being 2013/14-2018/19 and the Community Life Survey online series
2016/17-2019/20. Targets with role `fit` enter the distance; `holdout` targets are published
figures kept out of the fit on purpose and reported in section 4 as validation. Priors (uniform,
uncertain parameters only, never a lever) are in `data/priors.toml`; every other parameter keeps
the status quo's value (docs/ODD.md section 6.2 lists those fixed rather than fitted, and why).
The calibration
(`coauthor_sim.calibration.smc`, with pyabc) writes
`scenarios/calibration/calibrated_baseline.toml`, its posterior sample
(`.posterior.csv`, what comparisons draw from) and these diagnostics (`.abc.json`).

{_calibration_section(abc, sample, params["steps"])}

### 2.1 Noise of the distance

The distance of a parameter point is itself random: it is computed from simulated runs. Below,
{noise_repeats} independent evaluations of the distance at the calibrated point
({params["n_citizens"]:,} citizens, {params["steps"]} months), each the mean of R runs. ABC cannot
separate points whose distances differ by less than this noise, so the tolerance should stay
above about twice the standard deviation at the replications used
({used if used else "-"} per particle).

{noise_md}

**Time budget of a full calibration.** {_budget_text(abc, run_seconds)}
The full refit:
`coauthor-sim calibrate status_quo --write-scenario
scenarios/calibration/calibrated_baseline.toml`, then `coauthor-sim validate`.

### 2.2 Posterior

{posterior_md}

## 3 Posterior predictive check: fitted targets

The baseline (`{scenario}`) run {len(runs)} times, each run with its own posterior draw (as
comparisons draw them), {params["n_citizens"]:,} citizens, {params["steps"]} months; the
median and the 5-95% interval of single runs' final-year values against each band. Passing
means: the median inside the band and the 90% interval overlapping it.

{_check_table(fitted)}

![Posterior predictive check](img/validation_fit.png)

## 4 Held-out targets (validation, not fitted)

{_check_table(held) if len(held) else "None."}

## 5 What the model does not reproduce

Targets (fitted or held out) whose posterior predictive median falls outside the band:

{chr(10).join(misses) if misses else "- none"}

Targets that need an outcome the model does not report yet:

{chr(10).join(inactive) if inactive else NO_INACTIVE}

Published patterns the model does not attempt:

{chr(10).join("- " + textwrap.fill(item, 96, subsequent_indent="  ") for item in NOT_MODELLED)}

{_history_section(history_result)}
"""
    path = out / "validation.md"
    path.write_text(text, encoding="utf-8")
    return path
