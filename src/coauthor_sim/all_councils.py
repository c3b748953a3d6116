"""Every council side by side: one policy against the status quo in every council of a table.

``coauthor-sim councils PLAN.toml`` (or the same settings as flags) runs a policy scenario and
its baseline in every local authority of a deprivation table (the whole of England in File 7:
317 districts, 32,844 LSOAs), each council at its own size and with its own neighbourhoods, in
the same plausible worlds: world ``r`` is one seed, one draw of the calibrated posterior and
one draw of the effect-size priors, shared by both scenarios and every council (as
``compare`` shares them between scenarios), so each council's gain is paired world by world.

The runs go through the project's sweep (``experiment.sweep.run_sweep``: one SQLite store,
one transaction per run), so the run is resumable after ``kill -9`` with nothing lost or
repeated and gives the same tables on local processes or Dask. Each run is reduced to the
comparison's summary (``compare.summarise_table``) with its money and WELLBYs in the council's
real terms (``councils.in_real_terms``). ``council_table`` then gives one row per council: its
size and deprivation, the policy's change in life satisfaction for everyone and for its most
deprived fifth, its extra (full) cost and net value per resident, each with the range holding 90% of
worlds; ``analysis.council_pages.councils_figure`` draws each council's gain against its
deprivation.

A plan file::

    description = "Local public support against the status quo in every council"
    table = "synthetic_england_iod2019.csv.gz"   # beside this file, else a shipped table
    baseline = "status_quo"
    policy = "local_public_support"
    scale = 0.002                 # citizens per resident (councils below MIN_CITIZENS finer)
    steps = 36
    worlds = 3
    seed = 2027
    councils = []                 # optional: names or codes; default every council
    fifths = "national"           # or "local"
    uncertainty = "drawn"         # or "fixed": worlds differ in seeds only
"""

from __future__ import annotations

import difflib
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .analysis import costs
from .councils import SMALL_FIFTH_CITIZENS, council_of
from .experiment.definition import Experiment
from .experiment.design import Point
from .experiment.runner import RunSpec
from .localities import FIFTHS, LocalityError, authorities, find_table, shipped_table_name
from .messages import ScenarioError, printable

# A council below this many citizens at the plan's scale is simulated finer (its own scale,
# column ``scale``): below it, the whole council is a small sample (councils.SMALL_...), and in
# the synthetic national run at 0.002 the councils under 200 citizens gained visibly more than
# the rest, a sign of the model's resolution (whole servants and providers), not of the place.
MIN_CITIZENS = 300
MIN_LSOAS = 5  # the model's fewest neighbourhoods (params: n_neighbourhoods); fewer: not run
WELLBY_CENTRAL = costs.WELLBY_VALUES["central"]  # GBP per WELLBY (HM Treasury 2021)
WORLD_Q = (0.05, 0.95)  # the range holding 90% of worlds
PLAN_KEYS = ("description", "table", "baseline", "policy", "councils", "scale", "steps",
             "worlds", "seed", "fifths", "uncertainty")  # fmt: skip
UNCERTAINTY = ("drawn", "fixed")


@dataclass(frozen=True)
class CouncilsPlan:
    """What an all-councils run asks: a table, a baseline and a policy, the councils (all by
    default), the resolution, the horizon, the worlds and their seed."""

    name: str
    path: Path | None  # the plan file (None: from flags alone)
    description: str
    table: str
    baseline: str
    policy: str
    councils: tuple[str, ...] = ()
    scale: float = 0.002
    steps: int = 36
    worlds: int = 3
    seed: int = 2027
    fifths: str = "national"
    uncertainty: str = "drawn"

    def record(self) -> dict[str, Any]:
        return {k: (str(v) if isinstance(v, Path) else v) for k, v in self.__dict__.items()}


def _fail(where: str, message: str) -> ScenarioError:
    return ScenarioError(f"{where}: {message}")


def load_plan(path: str | Path, overrides: dict[str, Any] | None = None) -> CouncilsPlan:
    """Read and check a plan file; ``overrides`` (from flags) win over its keys. Raises
    ``ScenarioError`` naming the file (or flag), the key and what is allowed."""
    from .inputs import read_toml
    from .shipped import find_experiment

    path = find_experiment(str(path))  # a path, or a shipped plan's name (councils/every_council)
    data = dict(read_toml(path, "plan file"))
    for key in data:
        if key not in PLAN_KEYS:
            raise _fail(str(path), f"unknown key {printable(repr(key))} (allowed: "
                        f"{', '.join(PLAN_KEYS)})")  # fmt: skip
    if "table" in data and isinstance(data["table"], str):
        data["table"] = str(find_table(data["table"], path.parent))
    return plan_of(path.stem, path, {**data, **(overrides or {})}, str(path))


def plan_of(name: str, path: Path | None, data: dict[str, Any], where: str) -> CouncilsPlan:
    """A checked plan from its settings (a file's keys, flags, or both)."""

    def want(key: str, kind, what: str, default=None):
        value = data.get(key, default)
        if value is None:
            raise _fail(where, f"'{key}' is missing: expected {what}")
        if isinstance(value, bool) or not isinstance(value, kind):
            raise _fail(where, f"{key} = {value!r} is not allowed: expected {what}")
        return value

    description = want("description", str, "a sentence saying what is asked",
                       "Every council of the table: the policy against the baseline")  # fmt: skip
    table = want("table", str, "a deprivation table (IoD2019 File 7 saved as CSV)")
    baseline = want("baseline", str, "a scenario name or file", "status_quo")
    policy = want("policy", str, "a scenario name or file")
    councils = want("councils", list, "a list of council names or codes", [])
    if not all(isinstance(c, str) and c.strip() for c in councils):
        raise _fail(where, "councils must list names or codes in quotes")
    scale = float(want("scale", int | float, "citizens per resident, above 0 up to 1", 0.002))
    if not 0 < scale <= 1:
        raise _fail(where, f"scale = {scale!r} is not allowed: expected above 0 up to 1")
    steps = want("steps", int, "a whole number of months from 12", 36)
    worlds = want("worlds", int, "a whole number of worlds from 2", 3)
    seed = want("seed", int, "a whole number from 0", 2027)
    for key, value, low in (("steps", steps, 12), ("worlds", worlds, 2), ("seed", seed, 0)):
        if value < low:
            raise _fail(where, f"{key} = {value} is not allowed: expected {low} or more")
    fifths = want("fifths", str, "'national' or 'local'", "national")
    uncertainty = want("uncertainty", str, "'drawn' or 'fixed'", "drawn")
    for key, value, allowed in (("fifths", fifths, FIFTHS), ("uncertainty", uncertainty,
                                                             UNCERTAINTY)):  # fmt: skip
        if value not in allowed:
            raise _fail(where, f"{key} = {value!r} is not allowed: expected one of "
                        + ", ".join(allowed))  # fmt: skip
    return CouncilsPlan(name, path, description.strip(), table, baseline, policy,
                        tuple(c.strip() for c in councils), scale, steps, worlds, seed, fifths,
                        uncertainty)  # fmt: skip


@dataclass(frozen=True)
class CouncilsExperiment(Experiment):
    """An all-councils run as a sweep: one point per council and scenario, one run per world.
    Its runs are built here (paired seeds and drawn worlds) rather than from a design."""

    specs: tuple[RunSpec, ...] = field(default=(), repr=False)
    plan: CouncilsPlan | None = None
    left_out: tuple[tuple[str, str, float, int], ...] = ()  # (council, code, residents, LSOAs)

    def runs(self) -> list[RunSpec]:
        return list(self.specs)

    def fingerprint(self) -> str:
        """Everything that decides the runs (every parameter and seed) and the code's
        definition of a summary: a results folder holds one plan's runs only."""
        canonical = [[s.key, s.seed, dict(s.params)] for s in self.specs]
        blob = json.dumps({"runs": canonical, "kind": self.kind}, sort_keys=True, default=str)
        return hashlib.sha256(blob.encode()).hexdigest()


def _chosen(frame: pd.DataFrame, wanted: tuple[str, ...], where: str) -> pd.DataFrame:
    """The councils asked for (by name or code, any case), in the table's order."""
    if not wanted:
        return frame
    keys = {k.casefold(): i for i, k in enumerate(frame["council"])}
    keys |= {str(k).casefold(): i for i, k in enumerate(frame["code"]) if k}
    rows = []
    for name in wanted:
        if name.casefold() not in keys:
            close = difflib.get_close_matches(name, frame["council"].tolist(), n=1)
            hint = f"did you mean {close[0]!r}?" if close else "see the table's district names"
            raise _fail(where, f"council {name!r} is not in the table: {hint}")
        rows.append(keys[name.casefold()])
    return frame.iloc[sorted(set(rows))]


def build_experiment(plan: CouncilsPlan) -> CouncilsExperiment:
    """Every run of ``plan``, checked before any work: the whole table (every problem in one
    line), the councils, the scenarios, and each council's model at its size."""
    from .compare import plausible_worlds, world_parameters
    from .params import resolve
    from .scenario import load_scenario, scenario_path, with_locality

    where = str(plan.path) if plan.path else "command line"
    path = find_table(plan.table)
    table_name = shipped_table_name(path) or str(path.resolve() if path.is_file() else path)
    try:
        frame = _chosen(authorities(path), plan.councils, where)
    except LocalityError as err:
        raise _fail(where, f"table: {err}") from None
    baseline = load_scenario(scenario_path(plan.baseline))
    policy = load_scenario(scenario_path(plan.policy))
    if baseline.name == policy.name:
        raise _fail(where, f"policy and baseline are the same scenario ({policy.name})")
    posterior, effects = _uncertainty(plan, baseline)
    worlds = plausible_worlds(plan.worlds, plan.seed, posterior, effects)
    drawn = [c for c in worlds.columns if c not in ("seed", "posterior_draw")]
    points, specs = [], []
    too_few = frame["lsoas"] < MIN_LSOAS  # listed in the table as not simulated, not hidden
    left_out = tuple(frame.loc[too_few, ["council", "code", "residents", "lsoas"]]
                     .itertuples(index=False, name=None))  # fmt: skip
    if too_few.all():
        raise _fail(where, f"no council of the table has {MIN_LSOAS} or more neighbourhoods "
                    "(LSOAs), the fewest the model runs")  # fmt: skip
    for council in frame[~too_few].itertuples(index=False):
        scale = min(1.0, max(plan.scale, MIN_CITIZENS / max(council.residents, 1.0)))
        for scenario in (baseline, policy):
            index = len(points)
            for r in range(plan.worlds):
                values = world_parameters(scenario, baseline, worlds.loc[r], drawn)
                values |= {"locality_table": table_name, "local_authority": council.council,
                           "locality_scale": scale, "locality_fifths": plan.fifths,
                           "steps": plan.steps}  # fmt: skip
                params = dict(with_locality(resolve(values), f"{where}: {council.council}"))
                run_id = index * plan.worlds + r
                specs.append(RunSpec(
                    key=str(run_id), params=params, seed=int(worlds.loc[r, "seed"]),
                    labels={"run_id": run_id, "point": index, "replication": r},
                ))  # fmt: skip
            points.append(Point({"local_authority": council.council, "scenario": scenario.name,
                                 "n_citizens": params["n_citizens"],
                                 "locality_scale": scale}))  # fmt: skip
    text = (plan.path.read_text(encoding="utf-8") if plan.path else "") + json.dumps(
        plan.record(), sort_keys=True
    )
    return CouncilsExperiment(
        name=plan.name, path=plan.path or Path("command-line"), description=plan.description,
        scenario=baseline, base=dict(specs[0].params), factors=(), kind="councils",
        points=tuple(points), seed=plan.seed, replications=plan.worlds, every=0, series=(),
        text=text, specs=tuple(specs), plan=plan, left_out=left_out,
    )  # fmt: skip


def _uncertainty(plan: CouncilsPlan, baseline):
    """The posterior sample and effect-size priors worlds are drawn from (none when fixed)."""
    if plan.uncertainty == "fixed":
        return None, None
    from .compare import load_posterior
    from .effects import DEFAULT_EFFECTS, load_effects

    posterior = load_posterior(baseline.posterior) if baseline.posterior else None
    exclude = set(posterior.columns) if posterior is not None else set()
    return posterior, load_effects(DEFAULT_EFFECTS, exclude)


class CouncilRecorder:
    """Sweep worker: simulate one council's run and reduce it to the comparison's summary,
    its money and WELLBYs in the council's real terms."""

    def __call__(self, spec: RunSpec) -> dict[str, Any]:
        from .compare import summarise_table
        from .experiment.runner import simulate

        return {"final": summarise_table(simulate(spec), spec.params)[0]}


def _spread(values: np.ndarray, prefix: str) -> dict[str, float]:
    if values.size == 0 or np.isnan(values).all():
        return {f"{prefix}_mean": np.nan, f"{prefix}_low": np.nan, f"{prefix}_high": np.nan}
    low, high = np.quantile(values, WORLD_Q)
    return {f"{prefix}_mean": float(values.mean()), f"{prefix}_low": float(low),
            f"{prefix}_high": float(high)}  # fmt: skip


COUNCIL_COLUMNS = [
    "council", "code", "residents", "lsoas", "citizens", "scale", "deprivation_percentile",
    "share_most_deprived_decile", "empty_fifths", "small_fifths", "status", "worlds",
    "better_in", "gain_mean", "gain_low", "gain_high", "gain_most_deprived_mean",
    "gain_most_deprived_low", "gain_most_deprived_high", "gain_least_deprived_mean",
    "gain_least_deprived_low", "gain_least_deprived_high", "extra_cost_per_resident_mean",
    "extra_cost_per_resident_low", "extra_cost_per_resident_high",
    "net_value_per_resident_mean", "net_value_per_resident_low", "net_value_per_resident_high",
]  # fmt: skip


def council_table(
    runs: pd.DataFrame, baseline: str, policy: str, left_out: tuple = ()
) -> pd.DataFrame:
    """One row per council with both scenarios done in at least one world: size, deprivation
    (population-weighted national percentile, 100 = most deprived; share of its LSOAs in the
    most deprived tenth of England), empty and small fifths, and the policy's change against
    the baseline world by world: life satisfaction (0-10) for everyone and the most and least
    deprived fifths, extra cost (the appraisal's full cost: money spent on services and
    citizens' time, ``analysis.costs.full_cost``) and net value (central WELLBY value) per
    resident at present value over the run; each the mean over worlds and the range holding
    90% of them. Councils ``left_out`` (too few neighbourhoods for the model) are listed with
    their status and no figures. The header is kept when there are no rows."""
    from .localities import locality_of

    done = runs[runs["status"] == "done"] if "status" in runs else runs
    rows = []
    for name, own in done.groupby("x_local_authority", sort=False):
        base = own[own["x_scenario"] == baseline].set_index("replication")
        pol = own[own["x_scenario"] == policy].set_index("replication")
        common = base.index.intersection(pol.index)
        if common.empty:
            continue
        base, pol = base.loc[common], pol.loc[common]
        council = council_of(base.iloc[0])
        locality = locality_of(base.iloc[0]["locality_table"], name)
        weights = locality.population / locality.population.sum()
        gain = (pol["life_satisfaction"] - base["life_satisfaction"]).to_numpy(float)
        most = 10 * (pol["wellbeing_fifth_5"] - base["wellbeing_fifth_5"]).to_numpy(float)
        least = 10 * (pol["wellbeing_fifth_1"] - base["wellbeing_fifth_1"]).to_numpy(float)
        extra = (costs.full_cost(pol) - costs.full_cost(base)).to_numpy(float)
        wellbys = (pol["pv_wellbys"] - base["pv_wellbys"]).to_numpy(float)
        net = wellbys * WELLBY_CENTRAL - extra
        small = council.citizens < SMALL_FIFTH_CITIZENS
        rows.append({
            "council": name, "code": council.code, "residents": council.residents,
            "lsoas": len(council.neighbourhoods), "citizens": council.citizens,
            "scale": council.scale,
            "deprivation_percentile": float(100 * np.dot(weights, locality.deprivation)),
            "share_most_deprived_decile": float(np.mean(locality.decile == 1)),
            "empty_fifths": " ".join(map(str, council.empty_fifths())),
            "small_fifths": " ".join(map(str, council.small_fifths())),
            "status": "small sample" if small else "", "worlds": len(common),
            "better_in": int((gain > 0).sum()),
            **_spread(gain, "gain"), **_spread(most, "gain_most_deprived"),
            **_spread(least, "gain_least_deprived"),
            **_spread(extra / council.residents, "extra_cost_per_resident"),
            **_spread(net / council.residents, "net_value_per_resident"),
        })  # fmt: skip
    for name, code, residents, lsoas in left_out:
        rows.append({"council": name, "code": code, "residents": residents, "lsoas": lsoas,
                     "citizens": 0, "worlds": 0, "better_in": 0,
                     "status": f"not simulated: {lsoas} neighbourhood"
                     f"{'s' if lsoas != 1 else ''}, the model needs {MIN_LSOAS}"})  # fmt: skip
    return pd.DataFrame(rows, columns=COUNCIL_COLUMNS)


def write_outputs(folder: Path, experiment: CouncilsExperiment) -> pd.DataFrame:
    """Write ``councils.csv`` (one row per council) and ``councils.png`` (each council's gain
    against its deprivation) into the results folder; return the table."""
    from .analysis.council_pages import councils_figure
    from .experiment.store import load_results
    from .safe_output import write_atomic

    plan = experiment.plan
    runs, _ = load_results(folder)
    table = council_table(
        runs, experiment.scenario.name, _policy_name(experiment), experiment.left_out
    )
    write_atomic(folder / "councils.csv", table.to_csv(index=False))
    figure = councils_figure(table, _policy_name(experiment), experiment.scenario.name, plan)
    import io

    png = io.BytesIO()
    figure.savefig(png, format="png", dpi=110)
    write_atomic(folder / "councils.png", png.getvalue())
    return table


def _policy_name(experiment: CouncilsExperiment) -> str:
    return next(p.values["scenario"] for p in experiment.points
                if p.values["scenario"] != experiment.scenario.name)  # fmt: skip


def summary_lines(table: pd.DataFrame, experiment: CouncilsExperiment) -> list[str]:
    """A few lines for the terminal: how many councils gain, and the extremes."""
    left_out = table[table["worlds"] == 0]
    table = table[table["worlds"] > 0]
    if table.empty:
        return ["no council has both scenarios done yet"]
    policy, base = _policy_name(experiment), experiment.scenario.name
    gains = table["gain_mean"]
    worlds = int(table["worlds"].max())
    most = table.loc[gains.idxmax()]
    least = table.loc[gains.idxmin()]
    corr = float(np.corrcoef(table["deprivation_percentile"], gains)[0, 1]) if len(table) > 2 \
        else float("nan")  # fmt: skip
    lines = [
        f"{policy} against {base} in {len(table)} councils, {worlds} plausible worlds each:",
        f"  life satisfaction higher on average in {int((gains > 0).sum())} councils, lower in "
        f"{int((gains < 0).sum())}; better in every world in "
        f"{int((table['better_in'] == table['worlds']).sum())}",
        f"  most: {most['council']} {most['gain_mean']:+.3f} points (deprivation percentile "
        f"{most['deprivation_percentile']:.0f}); least: {least['council']} "
        f"{least['gain_mean']:+.3f} ({least['deprivation_percentile']:.0f})",
        f"  net value per resident (central WELLBY value): mean "
        f"£{table['net_value_per_resident_mean'].mean():,.0f} over councils",
    ]
    if corr == corr:
        lines.append(f"  correlation of gain with deprivation across councils: {corr:+.2f}")
    for row in left_out.itertuples():
        lines.append(f"  {row.council}: {row.status} (listed in councils.csv)")
    small = int((table["status"] == "small sample").sum())
    if small:
        lines.append(f"  {small} councils have fewer than {SMALL_FIFTH_CITIZENS} simulated "
                     "citizens (marked 'small sample'; hollow in the picture)")  # fmt: skip
    return lines
