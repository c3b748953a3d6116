"""The history test: the 2010-2019 decade lived from a 2010 baseline, judged against what
England saw, with criteria written down before the first run (``data/history.toml``).

The decade is driven only by published inputs (``Decade.inputs``: the council grant per
person, the deprivation premium of the needs formula, the share of money on prevention, need
from an ageing population, unemployment), each a yearly path from 2010/11. An ``index`` input
scales the baseline's own value in each plausible world (so a drawn or calibrated value keeps
its draw); a ``level`` input sets the value. Nothing is fitted to the decade: a miss is a
finding about the model.

``run_history`` runs the decade over plausible worlds (each a seed and a draw of the 2010
baseline's posterior, as comparisons draw them) and reduces it to yearly means by deprivation
fifth; ``judge`` applies the pre-registered criteria. The command ``coauthor-sim history``
writes the table, the pictures and a manifest; the validation page reports the result.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .inputs import read_toml
from .messages import ScenarioError
from .params import SPECS, ParameterError, parse_paths, paths_text
from .shipped import shipped_folder

DEFAULT_HISTORY = shipped_folder("data") / "history.toml"
INPUT_KINDS = ("index", "level")
CHANGES = ("difference", "relative")
MONTHS_PER_YEAR = 12
# Years run at the decade's first inputs before it starts, so that 2010/11 is a settled year
# and not the model's settling-in from its initial state (docs/ODD.md 5).
BURN_IN_YEARS = 3


@dataclass(frozen=True)
class Input:
    """One driver of the decade: a yearly path of one parameter, with its source."""

    name: str
    kind: str  # "index" (relative to the baseline's value) or "level" (the value itself)
    values: tuple[float, ...]
    source: str
    status: str = ""


@dataclass(frozen=True)
class Criterion:
    """One pre-registered check: the change of a statistic between two years, and the band
    its median over plausible worlds must fall in."""

    name: str
    description: str
    statistic: str
    from_year: str
    to_year: str
    change: str
    observed: float
    low: float
    high: float
    source: str
    status: str = ""


@dataclass(frozen=True)
class Decade:
    """The decade: its years (financial years, the first is months 1-12), its inputs and its
    pre-registered criteria."""

    years: tuple[str, ...]
    inputs: tuple[Input, ...]
    criteria: tuple[Criterion, ...]
    path: Path

    def year_index(self, year: str) -> int:
        """The position (1 = first) of a year named as in ``years``."""
        return self.years.index(year) + 1

    def paths(self, base: dict[str, Any], burn_in: int = 0) -> str:
        """The ``paths`` parameter for a world whose baseline values are ``base``: index
        inputs scale the world's own value, level inputs set it, each value checked; the first
        year's values repeated for ``burn_in`` years before it."""
        found = {}
        for item in self.inputs:
            values = (item.values[0],) * burn_in + item.values
            if item.kind == "index":
                found[item.name] = [base[item.name] * v for v in values]
            else:
                found[item.name] = list(values)
        text = paths_text(found)
        parse_paths(text)  # every value inside its parameter's range
        return text


def _fail(path: Path, message: str) -> ScenarioError:
    return ScenarioError(f"{path}: {message}")


def load_decade(path: str | Path = DEFAULT_HISTORY) -> Decade:
    """Load and check a history file: its years, each input (a known parameter that may
    follow a path, one value per year) and each criterion (a statistic the runs report, two of
    its years, a change kind and a band around the observed change)."""
    from .calibration.targets import STATISTICS

    path = Path(path)
    data = read_toml(path, "history file")
    years = data.get("years")
    if not isinstance(years, list) or not years or not all(isinstance(y, str) for y in years):
        raise _fail(path, "years must be a list of year names, e.g. ['2010/11', '2011/12']")
    inputs = []
    for name, item in (data.get("inputs") or {}).items():
        spec = SPECS.get(name)
        if spec is None:
            raise _fail(path, f"[inputs.{name}]: unknown parameter")
        kind, values = item.get("kind"), item.get("values")
        if kind not in INPUT_KINDS:
            raise _fail(path, f"[inputs.{name}] kind = {kind!r}: expected one of {INPUT_KINDS}")
        if (
            not isinstance(values, list)
            or len(values) != len(years)
            or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)
        ):
            raise _fail(path, f"[inputs.{name}] values: expected {len(years)} numbers, one a year")
        if not str(item.get("source", "")).strip():
            raise _fail(path, f"[inputs.{name}] needs a source")
        try:
            parse_paths(paths_text({name: [spec.default] if kind == "index" else values}))
        except ParameterError as err:
            raise _fail(path, f"[inputs.{name}] {err}") from None
        inputs.append(Input(name, kind, tuple(float(v) for v in values), item["source"],
                            item.get("status", "")))  # fmt: skip
    criteria = []
    for name, item in (data.get("criteria") or {}).items():
        band = item.get("band")
        if item.get("statistic") not in STATISTICS:
            raise _fail(path, f"[criteria.{name}] statistic {item.get('statistic')!r} is not "
                              "one the runs report")  # fmt: skip
        if item.get("from_year") not in years or item.get("to_year") not in years:
            raise _fail(path, f"[criteria.{name}] from_year and to_year must be among years")
        if item.get("change") not in CHANGES:
            raise _fail(path, f"[criteria.{name}] change must be one of {CHANGES}")
        if not (isinstance(band, list) and len(band) == 2 and band[0] < band[1]):
            raise _fail(path, f"[criteria.{name}] band must be [low, high] with low < high")
        criteria.append(Criterion(
            name, item["description"], item["statistic"], item["from_year"], item["to_year"],
            item["change"], float(item["observed"]), float(band[0]), float(band[1]),
            item["source"], item.get("status", ""),
        ))  # fmt: skip
    return Decade(tuple(years), tuple(inputs), tuple(criteria), path)


def criteria_markdown(decade: Decade) -> str:
    """The pre-registered criteria as a Markdown table."""
    rows = ["| criterion | statistic | change | observed | passes if the median is in | source |",
            "|---|---|---|---|---|---|"]  # fmt: skip
    for c in decade.criteria:
        unit = "%" if c.change == "relative" else ""
        scale = 100 if c.change == "relative" else 1

        def shown(v: float, scale: float = scale, unit: str = unit) -> str:
            return f"{v * scale:+.3g}{unit}"

        rows.append(
            f"| {c.description} | `{c.statistic}` | {c.from_year} to {c.to_year}, "
            f"{c.change} | {shown(c.observed)} | {shown(c.low)} to {shown(c.high)} | "
            f"{c.source} ({c.status}) |"
        )
    return "\n".join(rows)


def inputs_markdown(decade: Decade) -> str:
    """The decade's inputs as a Markdown table, one row per driver."""
    rows = ["| input | kind | " + " | ".join(decade.years) + " | source |",
            "|---|---|" + "---|" * len(decade.years) + "---|"]  # fmt: skip
    for item in decade.inputs:
        values = " | ".join(f"{v:.3g}" for v in item.values)
        rows.append(f"| `{item.name}` | {item.kind} | {values} | {item.source} ({item.status}) |")
    return "\n".join(rows)


# --- Running the decade ----------------------------------------------------------------------
MEANS = ("life_satisfaction", "low_wellbeing_share", "engagement_rate", "older_unmet_share",
         "unmet_need", "crisis_rate", *(f"wellbeing_fifth_{q}" for q in range(1, 6)))  # fmt: skip
YEAR_END = ("engaged_last_year", "civic_participation")  # "in the last 12 months" measures
SCENARIOS = ("decade", "no_cuts")  # the decade, and the same decade with the grant held


def yearly(table: Any, years: int, burn_in: int = 0) -> list[dict[str, float]]:
    """One run's outcome table reduced to its years after ``burn_in`` years: the mean over
    each year's twelve months of ``MEANS`` (life satisfaction by fifth on the 0-10 scale) and
    the year's last month of ``YEAR_END``."""
    out = []
    for y in range(1, years + 1):
        first = MONTHS_PER_YEAR * (burn_in + y - 1) + 1
        months = table.iloc[first : first + MONTHS_PER_YEAR]
        row = {name: float(months[name].mean()) for name in MEANS}
        for q in range(1, 6):
            row[f"wellbeing_fifth_{q}"] *= 10.0
        row |= {name: float(months[name].iloc[-1]) for name in YEAR_END}
        out.append({"year": y, **row})
    return out


def _decade_run(spec: Any) -> list[dict[str, float]]:
    """Worker: one decade in one world (a ``RunSpec`` whose parameters hold its paths)."""
    from .experiment.runner import simulate

    years = spec.params["steps"] // MONTHS_PER_YEAR - spec.labels["burn_in"]
    return yearly(simulate(spec), years, spec.labels["burn_in"])


def run_history(
    decade: Decade,
    baseline: Any,
    worlds: int = 30,
    seed: int = 2010,
    *,
    n_citizens: int | None = None,
    counterfactual: bool = True,
    jobs: int | None = None,
    executor: Any = None,
    progress: bool = True,
) -> Any:
    """The decade in ``worlds`` plausible worlds of the ``baseline`` scenario (seeds and
    posterior draws as comparisons make them, ``compare.plausible_worlds``): one row per world,
    scenario ("decade", and with ``counterfactual`` "no_cuts", the grant held at its 2010
    level) and year. Each world's paths scale its own baseline values (``Decade.paths``)."""
    import pandas as pd

    from .compare import load_posterior, plausible_worlds
    from .experiment.runner import RunSpec, execute

    posterior = load_posterior(baseline.posterior) if baseline.posterior else None
    table = plausible_worlds(worlds, seed, posterior)
    drawn = [c for c in table.columns if c not in ("seed", "posterior_draw")]
    held = Decade(decade.years, tuple(
        Input(i.name, "index", (1.0,) * len(i.values), i.source) if i.name == "grant_per_citizen"
        else i for i in decade.inputs), decade.criteria, decade.path)  # fmt: skip
    specs = []
    for r, world in table.iterrows():
        base = dict(baseline.params) | {k: SPECS[k].check(world[k].item()) for k in drawn}
        base["steps"] = MONTHS_PER_YEAR * (BURN_IN_YEARS + len(decade.years))
        if n_citizens is not None:
            base["n_citizens"] = n_citizens
        for name, version in zip(SCENARIOS, (decade, held), strict=True):
            if name == "no_cuts" and not counterfactual:
                continue
            params = {**base, "paths": version.paths(base, BURN_IN_YEARS)}
            specs.append(RunSpec(f"{name}/{r}", params, int(world["seed"]),
                                 {"scenario": name, "world": int(r),
                                  "burn_in": BURN_IN_YEARS}))  # fmt: skip
    rows = []
    for result in execute(specs, _decade_run, jobs=jobs, executor=executor, progress=progress,
                          desc="decade runs"):  # fmt: skip
        if not result.ok:
            raise RuntimeError(f"history run {result.spec.key} failed: {result.error}")
        labels = {k: v for k, v in result.spec.labels.items() if k != "burn_in"}
        rows += [{**labels, **row} for row in result.value]
    frame = pd.DataFrame(rows).sort_values(
        ["scenario", "world", "year"],
        key=lambda c: c.map({s: k for k, s in enumerate(SCENARIOS)}) if c.name == "scenario" else c,
    )
    frame.insert(3, "year_name", [decade.years[y - 1] for y in frame["year"]])
    return frame.reset_index(drop=True)


def summary(runs: Any) -> Any:
    """Per scenario, year and statistic: the median over worlds and the range holding 90%."""
    import pandas as pd

    stats = [c for c in runs.columns if c not in ("scenario", "world", "year", "year_name")]
    long = runs.melt(id_vars=["scenario", "world", "year", "year_name"], value_vars=stats,
                     var_name="statistic")  # fmt: skip
    grouped = long.groupby(["scenario", "year", "year_name", "statistic"], sort=False)["value"]
    return pd.DataFrame({
        "median": grouped.median(), "p05": grouped.quantile(0.05),
        "p95": grouped.quantile(0.95),
    }).reset_index()  # fmt: skip


def judge(decade: Decade, runs: Any, scenario: str = "decade") -> Any:
    """Each pre-registered criterion on ``scenario``'s runs: the change in every world, its
    median, 90% range and share of worlds in band, and whether the median is in band."""
    import numpy as np
    import pandas as pd

    part = runs[runs["scenario"] == scenario].set_index(["world", "year"])
    rows = []
    for c in decade.criteria:
        before = part.xs(decade.year_index(c.from_year), level="year")[c.statistic]
        after = part.xs(decade.year_index(c.to_year), level="year")[c.statistic]
        change = after - before if c.change == "difference" else after / before - 1.0
        change = change.replace([np.inf, -np.inf], np.nan).dropna()
        median = float(change.median())
        rows.append({
            "criterion": c.name, "statistic": c.statistic, "from_year": c.from_year,
            "to_year": c.to_year, "change": c.change, "observed": c.observed,
            "band_low": c.low, "band_high": c.high, "median": median,
            "p05": float(change.quantile(0.05)), "p95": float(change.quantile(0.95)),
            "share_in_band": float(change.between(c.low, c.high).mean()),
            "worlds": len(change), "passes": bool(c.low <= median <= c.high),
        })  # fmt: skip
    return pd.DataFrame(rows)


# --- What the history says -------------------------------------------------------------------
SHOWN = (  # statistic, label, scale for the table (1 or 100 for shares)
    ("life_satisfaction", "life satisfaction (0-10)", 1),
    ("older_unmet_share", "older people with unmet need (%)", 100),
    ("crisis_rate", "crises per 1,000 a month", 1000),
    ("engaged_last_year", "volunteered in the last year (%)", 100),
    ("unmet_need", "mean unmet need", 1),
)


def result_markdown(decade: Decade, runs: Any, judged: Any, settings: dict[str, Any]) -> str:
    """The judged history as Markdown: how it was run, each criterion's result, then the
    decade year by year (median over worlds, 90% range) with and without the cuts."""
    passed = int(judged["passes"].sum())
    rows = ["| criterion | observed | model: median (90% of worlds) | worlds in band | passes |",
            "|---|---|---|---|---|"]  # fmt: skip
    for r in judged.itertuples(index=False):
        scale, unit = (100, "%") if r.change == "relative" else (1, "")

        def pct(v: float, scale: float = scale, unit: str = unit) -> str:
            return f"{v * scale:+.3g}{unit}"

        rows.append(f"| {r.criterion} ({r.from_year} to {r.to_year}) | {pct(r.observed)} | "
                    f"{pct(r.median)} ({pct(r.p05)} to {pct(r.p95)}) | {r.share_in_band:.0%} | "
                    f"{'yes' if r.passes else '**no**'} |")  # fmt: skip
    table = summary(runs)
    lines = ["| year | scenario | " + " | ".join(label for _, label, _ in SHOWN) + " |",
             "|---|---|" + "---|" * len(SHOWN)]  # fmt: skip
    for year in decade.years:
        for scenario in dict.fromkeys(table["scenario"]):
            part = table[(table["year_name"] == year) & (table["scenario"] == scenario)]
            part = part.set_index("statistic")
            cells = [f"{part.loc[s, 'median'] * k:.3g} ({part.loc[s, 'p05'] * k:.3g}-"
                     f"{part.loc[s, 'p95'] * k:.3g})" for s, _, k in SHOWN]  # fmt: skip
            lines.append(f"| {year} | {scenario.replace('_', ' ')} | " + " | ".join(cells) + " |")
    return (
        f"**Result** ({settings['worlds']} plausible worlds of `{settings['baseline']}`, "
        f"{settings['citizens']:,} citizens, {BURN_IN_YEARS} settling years at the 2010/11 "
        f"inputs before the decade, seed {settings['seed']}; {settings['seconds']:.0f} s on "
        f"{settings['jobs']} processes): **{passed} of {len(judged)} criteria pass.**\n\n"
        + "\n".join(rows)
        + "\n\nThe decade year by year, with the cuts and, for comparison, "
        "with the grant held at its 2010/11 level (everything else as in the decade): median "
        "over worlds (90% range).\n\n" + "\n".join(lines) + "\n"
    )


def plot_history(runs: Any, decade: Decade) -> Any:
    """Each shown statistic by year: median and 90% band over worlds, with and without the
    cuts, and the criteria's observed changes as arrows from the model's starting level."""
    from matplotlib.figure import Figure

    table = summary(runs)
    fig = Figure(figsize=(11, 6.2), layout="constrained")
    axes = fig.subplots(2, 3).ravel()
    colours = {"decade": "#D55E00", "no_cuts": "#0072B2"}
    x = list(range(1, len(decade.years) + 1))
    for ax, (stat, label, scale) in zip(axes, SHOWN, strict=False):
        for scenario, colour in colours.items():
            part = table[(table["scenario"] == scenario) & (table["statistic"] == stat)]
            if part.empty:
                continue
            ax.plot(x, part["median"] * scale, color=colour, lw=1.8,
                    label="with the cuts" if scenario == "decade" else "grant held")  # fmt: skip
            ax.fill_between(x, part["p05"] * scale, part["p95"] * scale, color=colour, alpha=0.15)
        for c in decade.criteria:
            if c.statistic != stat:
                continue
            part = table[(table["scenario"] == "decade") & (table["statistic"] == stat)]
            start = float(part.set_index("year_name").loc[c.from_year, "median"])
            end = start + c.observed if c.change == "difference" else start * (1 + c.observed)
            a, b = decade.year_index(c.from_year), decade.year_index(c.to_year)
            ax.annotate("", (b, end * scale), (a, start * scale),
                        arrowprops={"arrowstyle": "->", "color": "black", "lw": 1.2})  # fmt: skip
        ax.set_title(label, fontsize=10)
        ax.set_xticks(x[::2], [decade.years[i - 1] for i in x[::2]], fontsize=8)
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=8)
    axes[-1].axis("off")
    axes[-1].text(0, 0.5, "Black arrows: what England saw (the\npre-registered criteria), "
                  "drawn from\nthe model's own starting level.", fontsize=9)  # fmt: skip
    fig.suptitle("The 2010-2019 decade: model (median and 90% of plausible worlds) and England")
    return fig
