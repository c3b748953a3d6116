"""Scenario comparison: every scenario in the same plausible worlds, then statistics.

``run_comparison`` runs each scenario ``replications`` times. Replication ``r`` is one plausible
world, shared by every scenario (paired): one seed, one draw of the calibrated posterior (the
behavioural parameters fitted to published figures) and one draw of every effect-size prior
(``data/effects.toml``). Every run is reduced to a row of summaries as it finishes; the tables a
policy reader needs (how much better, how sure, where it fails) are computed from them. Writing
files is left to ``coauthor_sim.analysis.report``.
"""

from __future__ import annotations

import time
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .analysis import caveats, costs, payers, robustness, stats
from .api import FINAL_MONTHS, final_outcomes
from .councils import Council, council_of, in_real_terms, per_resident
from .effects import EffectPrior, draw_effects
from .experiment import RunSpec, execute, replication_seeds
from .outcomes import HEADLINE_OUTCOMES
from .params import SPECS
from .scenario import Scenario, ScenarioError

SUMMARY_MONTHS = FINAL_MONTHS  # outcomes are averaged over the final year of each run
COMPARED = [
    "life_satisfaction",
    "wellbeing_least_deprived",
    "wellbeing_most_deprived",
    "wellbeing_gap",
    "gini_wellbeing",
    "low_wellbeing_share",
    "engagement_rate",
    "coproduction_rate",
    "civic_participation",
    "influence_share",
    "voice_share_most_deprived",
    "unmet_need",
    "crisis_rate",
    "spending_total",
    # the outcomes checked against English experience (robustness.EXPERIENCE)
    "engaged_last_year",
    "civic_activism",
    "older_unmet_share",
]
FIFTHS = [f"wellbeing_fifth_{q}" for q in range(1, 6)]
TOTALS = ["total_spending", "wellbys"]
# Followed month by month: the headline outcomes, and what the net value by month needs to
# price the full cost (repayments are transfers; citizens' hours are a cost).
TRAJECTORY = [*HEADLINE_OUTCOMES, "spending_repayment", "volunteer_hours", "coproduction_hours"]


@dataclass
class Comparison:
    """Everything a comparison produced: per-run rows, trajectories, and the statistics."""

    scenarios: list[Scenario]
    seeds: list[int]
    runs: pd.DataFrame
    trajectories: pd.DataFrame
    summary: pd.DataFrame
    differences: pd.DataFrame
    cost_effectiveness: pd.DataFrame = field(default_factory=pd.DataFrame)  # not reported
    worlds: pd.DataFrame = field(default_factory=pd.DataFrame)  # one row per world
    robust: pd.DataFrame = field(default_factory=pd.DataFrame)  # P(better) etc. per group
    regret: pd.DataFrame = field(default_factory=pd.DataFrame)
    boxes: pd.DataFrame = field(default_factory=pd.DataFrame)  # PRIM boxes of failure
    box_words: dict[str, str] = field(default_factory=dict)
    plausibility: pd.DataFrame = field(default_factory=pd.DataFrame)
    money: pd.DataFrame = field(default_factory=pd.DataFrame)  # committed, spent, returned
    appraisal: pd.DataFrame = field(default_factory=pd.DataFrame)  # value for money vs baseline
    cost_items: pd.DataFrame = field(default_factory=pd.DataFrame)  # the same as rows, by payer
    profile: pd.DataFrame = field(default_factory=pd.DataFrame)  # cumulative net value by month
    payers: pd.DataFrame = field(default_factory=pd.DataFrame)  # extra cost by who bears it
    switching: pd.DataFrame = field(default_factory=pd.DataFrame)  # switching values, if any
    settings: dict[str, Any] = field(default_factory=dict)
    council: Council | None = None  # the council every scenario ran in (``councils``)

    @property
    def baseline(self) -> str:
        return self.scenarios[0].name


def run_summary(
    table: pd.DataFrame, n_citizens: float, adults: float | None = None
) -> dict[str, float]:
    """One run reduced to numbers: final-year means of the compared outcomes and of well-being
    by deprivation fifth, spending over the whole run, and WELLBYs over the whole run; money
    committed, returned and in reserve, spending and WELLBYs at present value
    (``analysis.costs``, with the money by who bears it); and the statistics of the
    calibration's targets (``analysis.caveats``). ``n_citizens``: the people the run's money
    stands for (a council's residents when its money is in real terms, ``summarise_table``);
    ``adults``: the people whose life satisfaction WELLBYs count, when not all of them (a
    council's residents aged 16+)."""
    months = table.iloc[1:]
    final = final_outcomes(table)  # the one definition of final-year outcomes
    row = {name: final[name] for name in COMPARED + FIFTHS}
    row["total_spending"] = float(months["spending_total"].sum())
    people = n_citizens if adults is None else adults
    row["wellbys"] = float(months["life_satisfaction"].sum() * people / 12.0)
    row.update(costs.run_money(table, n_citizens, adults=adults))  # money and present values
    row.update(caveats.target_statistics(table))  # to check the calibration's targets
    return row


def summarise_table(table: pd.DataFrame, params: Any) -> tuple[dict[str, float], pd.DataFrame]:
    """A run's summary row (``run_summary``) and its outcome table; a council's (``params``
    name a locality table) with its money in real terms (``councils.in_real_terms``), its
    citizens' hours counted for its residents and its WELLBYs for its residents aged 16+."""
    council = council_of(params)
    if council is None:
        return run_summary(table, params["n_citizens"]), table
    table = in_real_terms(table, council)
    return run_summary(table, council.residents, council.wellby_people), table


def _summarise_run(spec: RunSpec) -> tuple[dict[str, float], pd.DataFrame]:
    """Worker: simulate one run, return its summary row and its trajectory of key outcomes
    (a council's money and WELLBYs scaled to its real population, ``summarise_table``)."""
    from .experiment.runner import simulate

    summary, table = summarise_table(simulate(spec), spec.params)
    return summary, table[TRAJECTORY]


def load_posterior(path: Path) -> pd.DataFrame:
    """A posterior sample written by ``coauthor-sim calibrate``: one row per draw, one column
    per calibrated uncertain parameter."""
    try:
        sample = pd.read_csv(path)
    except (OSError, ValueError) as err:
        raise ScenarioError(f"{path}: cannot read the posterior sample: {err}") from None
    from .calibration.targets import calibratable

    bad = [c for c in sample.columns if not calibratable(c)]
    if bad or sample.empty:
        raise ScenarioError(f"{path}: a posterior sample needs rows and only uncertainty "
                            f"parameters as columns (found {bad or 'no rows'})")  # fmt: skip
    return sample


def posterior_draws(sample: pd.DataFrame, replications: int, seed: int) -> list[int]:
    """Which posterior row each replication uses: drawn with replacement, from a stream
    spawned off the experiment seed (separate from the run seeds)."""
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(1,)))
    return rng.integers(len(sample), size=replications).tolist()


def plausible_worlds(
    replications: int,
    seed: int,
    posterior: pd.DataFrame | None = None,
    effects: list[EffectPrior] | None = None,
) -> pd.DataFrame:
    """One row per world: its seed, which posterior row it uses, and the value of every drawn
    uncertain parameter. Seeds, posterior rows and effect sizes come from three independent
    streams spawned off ``seed``, so adding effect priors leaves seeds and posterior draws
    unchanged."""
    worlds = pd.DataFrame({"seed": replication_seeds(seed, replications)})
    worlds.index.name = "replication"
    if posterior is not None:
        draws = posterior_draws(posterior, replications, seed)
        worlds["posterior_draw"] = draws
        for name in posterior.columns:
            worlds[name] = posterior[name].to_numpy()[draws]
    if effects:
        drawn = draw_effects(effects, replications, seed)
        for name in drawn.columns:
            worlds[name] = drawn[name].to_numpy()
    return worlds


def world_parameters(
    scenario: Scenario, baseline: Scenario, world: pd.Series, drawn: list[str]
) -> dict[str, Any]:
    """The scenario's parameters in one world: each drawn uncertain parameter takes the
    world's value, unless the scenario sets it differently from the baseline (a stress test),
    in which case it keeps its own value."""
    values = dict(scenario.params)
    for name in drawn:
        if scenario.params[name] == baseline.params[name]:
            values[name] = SPECS[name].check(world[name].item())
    return values


def run_comparison(
    scenarios: list[Scenario],
    replications: int = 30,
    seed: int = 1,
    *,
    posterior: pd.DataFrame | None = None,
    effects: list[EffectPrior] | None = None,
    mid: float = robustness.MID_DEFAULT,
    discover: bool = True,
    jobs: int | None = None,
    executor: Executor | None = None,
    progress: bool = True,
) -> Comparison:
    """Run every scenario in the same ``replications`` plausible worlds and compare them with
    the first scenario (the baseline).

    With neither ``posterior`` nor ``effects``, worlds differ only in their seeds (the
    uncertain parameters stay at the scenarios' values, as for teaching). ``mid`` is the
    minimum important difference in life-satisfaction points; ``discover`` runs PRIM scenario
    discovery when EMA Workbench is installed.
    """
    worlds = plausible_worlds(replications, seed, posterior, effects)
    seeds = worlds["seed"].tolist()
    drawn = [c for c in worlds.columns if c not in ("seed", "posterior_draw")]
    base_scenario = scenarios[0]

    specs = [
        RunSpec(
            key=f"{s.name}/{r}",
            params=world_parameters(s, base_scenario, worlds.loc[r], drawn),
            seed=run_seed,
            labels={
                "scenario": s.name,
                "replication": r,
                **(
                    {"posterior_draw": int(worlds.loc[r, "posterior_draw"])}
                    if posterior is not None
                    else {}
                ),
            },
        )
        for s in scenarios
        for r, run_seed in enumerate(seeds)
    ]
    rows, paths = [], []
    start = time.perf_counter()
    for result in execute(
        specs, _summarise_run, jobs=jobs, executor=executor, progress=progress, desc="runs"
    ):
        if not result.ok:
            raise RuntimeError(f"run {result.spec.key} failed: {result.error}\n{result.traceback}")
        summary, trajectory = result.value
        spec = result.spec
        rows.append({**spec.labels, "seed": spec.seed, **summary})
        paths.append(trajectory.assign(**spec.labels).reset_index())
    elapsed = time.perf_counter() - start
    order = {s.name: k for k, s in enumerate(scenarios)}
    runs = pd.DataFrame(rows).sort_values(
        ["scenario", "replication"], key=lambda col: col.map(order) if col.name == "scenario"
        else col,
    ).reset_index(drop=True)  # fmt: skip
    trajectories = pd.concat(paths, ignore_index=True).sort_values(
        ["scenario", "replication", "month"],
        key=lambda col: col.map(order) if col.name == "scenario" else col,
    )
    baseline = scenarios[0].name
    n_citizens, steps = base_scenario.params["n_citizens"], base_scenario.params["steps"]
    council = council_of(base_scenario.params)  # money per resident, WELLBYs of its adults
    residents = council.residents if council else n_citizens
    adults = council.wellby_people if council else None
    outcomes = COMPARED + FIFTHS + TOTALS
    boxes, words, prim_note = pd.DataFrame(columns=robustness.BOX_COLUMNS), {}, ""
    if len(scenarios) > 1 and discover and drawn:
        if robustness.prim_available():
            boxes, words = robustness.scenario_discovery(runs, worlds, baseline)
        else:
            prim_note = ("scenario discovery skipped: PRIM needs EMA Workbench "
                         "(pip install 'coauthor-sim[ema]')")  # fmt: skip
    appraisal = costs.appraisal(runs, baseline) if len(scenarios) > 1 else pd.DataFrame()
    who_pays = (
        payers.who_pays(costs.cost_rows(runs, baseline))
        if len(scenarios) > 1
        else pd.DataFrame(columns=payers.SUMMARY_COLUMNS)
    )
    robust = robustness.robust_differences(runs, baseline, mid)
    return Comparison(
        scenarios=scenarios,
        seeds=seeds,
        runs=runs,
        trajectories=trajectories.reset_index(drop=True),
        summary=stats.summarise(runs, outcomes),
        differences=stats.differences(runs, outcomes, baseline),
        worlds=worlds.reset_index(),
        robust=robust,
        regret=robustness.regret(runs),
        boxes=boxes,
        box_words=words,
        plausibility=robustness.plausibility(appraisal, robust, runs, baseline)
        if len(scenarios) > 1
        else pd.DataFrame(),
        money=costs.money_table(runs, residents, steps),
        appraisal=per_resident(appraisal, council) if council else appraisal,
        cost_items=costs.value_for_money_rows(runs, baseline, who_pays)
        if len(scenarios) > 1
        else pd.DataFrame(columns=costs.VALUE_COLUMNS),
        profile=costs.time_profile(trajectories, baseline, residents, adults=adults),
        payers=who_pays,
        settings={
            "posterior_draws": worlds["posterior_draw"].nunique() if posterior is not None else 0,
            "effect_priors": [p.name for p in effects or []],
            "drawn_parameters": drawn,
            "minimum_important_difference": mid,
            "prim_note": prim_note,
            "posterior_size": len(posterior) if posterior is not None else 0,
            "replications": replications,
            "seed": seed,
            "summary_months": SUMMARY_MONTHS,
            "run_seconds": elapsed,
        },
        council=council,
    )


@dataclass(frozen=True)
class ComparePlan:
    """A robust comparison asked for by a file (``coauthor-sim compare --experiment FILE``):
    scenarios, how many worlds, seed, minimum important difference, effect priors, and
    parameters fixed in every scenario."""

    path: Path
    description: str
    scenarios: list[Path]
    worlds: int
    seed: int
    mid: float
    effects: Path | None  # None: the default priors
    draw_effects: bool
    fixed: dict[str, Any]
    council: str | None = None  # one council of ``table`` for every scenario (``councils``)
    table: str | None = None
    fifths: str | None = None
    local_figures: str | None = None  # the council's own figures (``councils``)


PLAN_KEYS = ("description", "scenarios", "worlds", "seed", "minimum_important_difference",
             "effects", "fixed", "council", "table", "fifths", "local_figures")  # fmt: skip


def load_compare_plan(path: str | Path) -> ComparePlan:
    """Load and check a comparison file::

        description = "..."
        scenarios = ["status_quo", "local_public_support"]  # the first is the baseline
        worlds = 2000
        seed = 2026
        minimum_important_difference = 0.05   # life-satisfaction points (optional)
        effects = "../../data/effects.toml"   # optional; "" = no effect-size draws
        [fixed]
        n_citizens = 500

    A council's comparison names it and its deprivation table (a path relative to the file)::

        council = "Exampleton"
        table = "example_iod2019.csv"
        fifths = "national"                   # or "local" (optional)
        local_figures = "brindleford.toml"    # its own figures for the checks (optional)

    Scenario names are looked up in the repository's ``scenarios`` folder (``../../scenarios``
    from a file in ``experiments/compare/``); ``.toml`` paths are relative to the file.
    """
    import tomllib

    path = Path(path)
    fail = lambda message: ScenarioError(f"{path}: {message}")  # noqa: E731
    if not path.is_file():
        raise fail("no such comparison file")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise fail(f"cannot be read as TOML: {err}") from None
    for key in data:
        if key not in PLAN_KEYS:
            raise fail(f"unknown key '{key}' (allowed: {', '.join(PLAN_KEYS)})")
    description = data.get("description")
    if not isinstance(description, str) or not description.strip():
        raise fail("'description' is missing: say what the comparison asks")
    names = data.get("scenarios")
    if not isinstance(names, list) or len(names) < 2 or not all(isinstance(n, str) for n in names):
        raise fail("scenarios must list at least two scenario names, the baseline first")
    folder = path.parent.parent.parent / "scenarios"
    scenarios = [path.parent / n if n.endswith(".toml") else folder / f"{n}.toml" for n in names]
    values = {}
    for key, default, low in (("worlds", None, 2), ("seed", 0, 0)):
        value = data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise fail(f"{key} = {value!r} is not allowed: expected a whole number from {low}")
        values[key] = value
    mid = data.get("minimum_important_difference", robustness.MID_DEFAULT)
    if isinstance(mid, bool) or not isinstance(mid, int | float) or not 0 <= mid < 10:
        raise fail(f"minimum_important_difference = {mid!r} is not allowed: expected a number "
                   "from 0 to 10 (life-satisfaction points)")  # fmt: skip
    effects = data.get("effects")
    if effects is not None and not isinstance(effects, str):
        raise fail(f'effects = {effects!r} is not allowed: expected a file path or ""')
    fixed = data.get("fixed", {})
    if not isinstance(fixed, dict):
        raise fail("'fixed' must be a table: [fixed]")
    for key in ("council", "table", "fifths", "local_figures"):
        if key in data and (not isinstance(data[key], str) or not data[key].strip()):
            raise fail(f"{key} = {data[key]!r} is not allowed: expected a name in quotes")
    if data.get("fifths", "national") not in ("national", "local"):
        raise fail(f"fifths = {data['fifths']!r} is not allowed: expected 'national' or 'local'")
    table = data.get("table")
    if table is not None:
        from .localities import find_table

        table = str(find_table(table, path.parent))
    return ComparePlan(
        path=path, description=description.strip(), scenarios=scenarios,
        worlds=values["worlds"], seed=values["seed"], mid=float(mid),
        effects=path.parent / effects if effects else None, draw_effects=effects != "",
        fixed=fixed, council=data.get("council"), table=table, fifths=data.get("fifths"),
        local_figures=str(path.parent / data["local_figures"]) if "local_figures" in data
        else None,
    )  # fmt: skip
