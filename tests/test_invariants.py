"""Property-based tests of the model's invariants, over random valid parameter sets.

Parameter sets are drawn from the one schema, ``coauthor_sim.params.SPECS``: every value lies
within its Spec's range or choices, with a few ranges narrowed (never widened) so that models
stay small and fast. Whatever the levers and uncertainties, a month of the model must keep
every citizen state in [0, 1], produce no NaN, never spend more money than it has, keep its
books consistent and keep its agents.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from coauthor_sim import CoauthorModel
from coauthor_sim.agents import Citizen, Provider, PublicServant
from coauthor_sim.outcomes import OUTCOME_NAMES, RATIO_OUTCOMES, gini
from coauthor_sim.params import SPECS, ParameterError, Spec, paths_text, resolve
from coauthor_sim.state import SECTORS, SPENDING_KINDS

# Narrower (still valid) ranges that keep a model small; the rest use the full Spec range.
SMALL_RANGES = {
    "n_citizens": (50, 300),
    "n_providers": (2, 30),
    "steps": (1, 12),
    "shock_step": (0, 15),
}
# Citizen arrays that must stay in [0, 1] every month.
UNIT_ARRAYS = (
    "wellbeing",
    "capacity",
    "capacity_base",
    "connectedness",
    "control",
    "control_base",
    "context",
    "willingness",
    "willingness_base",
    "need",
    "prevention",
)
# Outcomes that are shares, rates or means of [0, 1] quantities.
UNIT_OUTCOMES = (
    "mean_wellbeing",
    "wellbeing_most_deprived",
    "wellbeing_least_deprived",
    "gini_wellbeing",
    "low_wellbeing_share",
    "engagement_rate",
    "coproduction_rate",
    "civic_participation",
    "influence_share",
    "voice_share_most_deprived",
    "mean_capacity",
    "mean_connectedness",
    "mean_control",
    "unmet_need",
    "crisis_rate",
    "fragmentation",
    *(name for name in OUTCOME_NAMES if name.startswith("wellbeing_fifth_")),
)
KIND_COLUMNS = [f"spending_{k}" for k in SPENDING_KINDS]
SECTOR_COLUMNS = [f"spending_{s}" for s in SECTORS]


def money_tolerance(amount: float) -> float:
    """Rounding allowance for sums of money (a billionth, at least a billionth of a pound)."""
    return 1e-9 * max(1.0, abs(amount))


# --------------------------------------------------------------------------------------------
# Strategies
# --------------------------------------------------------------------------------------------


def in_range(spec: Spec, bounds: tuple[float, float] | None = None) -> st.SearchStrategy:
    """Any value the Spec allows (within ``bounds`` if given, which must lie inside it)."""
    if spec.kind is bool:
        return st.booleans()
    if spec.name == "paths":  # yearly paths of a few numeric parameters, in their ranges
        return path_texts()
    if spec.kind is str and spec.choices is None:  # free text (a file, a council's name)
        return st.text(alphabet="abcXYZ019._-/", max_size=30)
    if spec.kind is str:
        return st.sampled_from(spec.choices)
    low, high = bounds or (spec.low, spec.high)
    assert spec.low <= low <= high <= spec.high, spec.name
    if spec.kind is int:
        return st.integers(int(low), int(high))
    return st.floats(low, high, allow_nan=False, allow_infinity=False)


def out_of_range(spec: Spec) -> st.SearchStrategy:
    """Values the Spec must reject: wrong type, outside the range, NaN, not a choice."""
    if spec.kind is bool:
        return st.one_of(st.integers(), st.floats(), st.text(max_size=5), st.none())
    if spec.name == "paths":
        return st.one_of(st.none(), st.integers(), st.just("two\nlines"),
                         st.just("grant_per_citizen: -1"), st.just("n_citizens: 10"),
                         st.just("nothing"))  # fmt: skip
    if spec.kind is str and spec.choices is None:
        return st.one_of(st.none(), st.integers(), st.just("two\nlines"), st.just("x" * 501))
    if spec.kind is str:
        return st.one_of(st.text(max_size=12).filter(lambda s: s not in spec.choices), st.none())
    outside = st.one_of(
        st.integers(max_value=math.ceil(spec.low) - 1),
        st.integers(min_value=math.floor(spec.high) + 1),
        st.floats(max_value=spec.low, allow_nan=False),
        st.floats(min_value=spec.high, allow_nan=False),
    ).filter(lambda v: not spec.low <= v <= spec.high)
    wrong = st.one_of(outside, st.just(float("nan")), st.booleans(), st.text(max_size=5))
    if spec.kind is int:
        inside_fraction = st.floats(spec.low, spec.high).filter(lambda v: not float(v).is_integer())
        wrong = st.one_of(wrong, inside_fraction)
    return wrong


PATHED = {"grant_per_citizen": (20.0, 120.0), "unemployment_rate": (0.0, 0.2),
          "need_growth": (0.02, 0.15)}  # fmt: skip


@st.composite
def path_texts(draw) -> str:
    """A ``paths`` text: none, or yearly paths of one to three parameters (1-3 values each)."""
    names = draw(st.lists(st.sampled_from(sorted(PATHED)), max_size=3, unique=True))
    paths = {name: draw(st.lists(st.floats(*PATHED[name]), min_size=1, max_size=3))
             for name in names}  # fmt: skip
    return paths_text(paths)


@st.composite
def parameter_sets(draw) -> dict:
    """A random valid parameter set for a small model, drawn from the schema."""
    values = {name: draw(in_range(spec, SMALL_RANGES.get(name))) for name, spec in SPECS.items()}
    n = values["n_citizens"]
    values["n_neighbourhoods"] = draw(st.integers(5, min(20, n)))
    values["mean_degree"] = draw(st.floats(2.0, min(50.0, n - 1)))  # < n_citizens
    values["older_share"] = draw(st.floats(0.0, 1.0 - values["young_share"]))
    values["bridging_share"] = draw(st.one_of(st.just(0.0), st.floats(0.0, 1.0)))
    values["locality_table"] = values["local_authority"] = ""  # the stylised locality
    return values


# Companions that make an in-range value of one parameter valid together with the others.
COMPANIONS = {
    "n_citizens": {"n_neighbourhoods": 5, "mean_degree": 2.0},
    "n_neighbourhoods": {"n_citizens": 5_000_000},
    "young_share": {"older_share": 0.0},
    "older_share": {"young_share": 0.0},
    "local_authority": {"locality_table": "table.csv"},
}


# --------------------------------------------------------------------------------------------
# The model's invariants
# --------------------------------------------------------------------------------------------


def agent_counts(model: CoauthorModel) -> tuple[int, int, int]:
    """Agents of each type (Mesa has no entry for a type with no agents)."""
    return tuple(len(model.agents_by_type.get(t, ())) for t in (Citizen, PublicServant, Provider))


def check_month(model: CoauthorModel, counts: tuple[int, int, int]) -> None:
    """Every invariant that must hold at the end of any month."""
    c = model.citizens
    for field in dataclasses.fields(c):
        values = getattr(c, field.name)
        if np.issubdtype(values.dtype, np.floating):
            assert np.all(np.isfinite(values)), f"non-finite citizen {field.name}"
    for name in UNIT_ARRAYS:
        values = getattr(c, name)
        assert np.all((values >= 0) & (values <= 1)), f"{name} outside [0, 1]"
    assert np.all(c.connectedness < 1)
    for name in ("support", "informal", "contribution", "burden"):
        assert np.all(getattr(c, name) >= 0), f"negative {name}"

    ledger = model.ledger
    assert ledger.spent <= ledger.available  # exactly: pay() never rounds past it
    assert sum(ledger.by_kind.values()) == pytest.approx(ledger.spent, rel=1e-9, abs=1e-6)
    assert ledger.by_sector.sum() == pytest.approx(ledger.spent, rel=1e-9, abs=1e-6)
    assert min(ledger.by_kind.values()) >= 0 and np.all(ledger.by_sector >= 0)

    gov = model.local
    # Honest money: what is not spent is carried over (less any return to the centre at a
    # settlement), never lost; the reserve never goes negative.
    assert ledger.returned >= 0 and gov.reserve >= 0
    assert gov.reserve + ledger.returned == pytest.approx(
        ledger.available - ledger.spent, rel=1e-9, abs=1e-6
    )
    assert ledger.available >= ledger.carried_in >= 0
    assert 0.0 <= gov.fragmentation <= 1.0
    assert np.all(gov.priorities >= 0) and gov.priorities.sum() == pytest.approx(1.0)

    out = model.outcomes
    # Ratios between fifths are NaN (undefined) when the most deprived rate is zero.
    for name, value in out.items():
        if name in RATIO_OUTCOMES:
            assert math.isnan(value) or value >= 0, name
        else:
            assert math.isfinite(value), f"non-finite outcome {name}"
    for name in UNIT_OUTCOMES:
        assert 0.0 <= out[name] <= 1.0, name
    assert 0.0 <= out["life_satisfaction"] <= 10.0
    assert -1.0 <= out["wellbeing_gap"] <= 1.0
    assert 0 <= out["crises"] <= c.n
    assert agent_counts(model) == counts


@given(params=parameter_sets(), seed=st.integers(0, 2**32 - 1))
def test_invariants_hold_every_month(params, seed):
    """States in [0, 1], no NaN, spending within the money available with consistent books,
    constant agent counts and a Gini in [0, 1] after every month of any valid model."""
    model = CoauthorModel(seed=seed, **params)
    counts = agent_counts(model)
    servants = round(params["servants_per_1000"] * params["n_citizens"] / 1000)
    assert counts == (params["n_citizens"], servants, params["n_providers"])
    check_month(model, counts)
    for _ in range(params["steps"]):
        model.step()
        check_month(model, counts)


@given(params=parameter_sets(), seed=st.integers(0, 2**32 - 1))
def test_outcome_table_has_no_nan_and_consistent_spending(params, seed):
    """The outcome table (what users analyse) has no NaN; every month spends at most the
    budget available, and spending by kind and by sector each add up to the total."""
    table = CoauthorModel(seed=seed, **params).run()
    assert len(table) == params["steps"] + 1
    assert not table.drop(columns=list(RATIO_OUTCOMES)).isna().any().any()
    tol = 1e-9 * np.maximum(1.0, table["budget_available"])
    assert (table["spending_total"] <= table["budget_available"] + tol).all()
    assert np.allclose(table[KIND_COLUMNS].sum(axis=1), table["spending_total"], rtol=1e-9)
    assert np.allclose(table[SECTOR_COLUMNS].sum(axis=1), table["spending_total"], rtol=1e-9)
    assert table["gini_wellbeing"].between(-1e-12, 1.0).all()


@pytest.mark.parametrize("n, value", [(2, 0.7), (6, 0.3), (8, 0.7)])
def test_gini_of_equal_values_is_exactly_in_unit_interval(n, value):
    """Equal well-being means no inequality: the Gini must be 0, never negative."""
    assert 0.0 <= gini(np.full(n, value)) <= 1.0


def test_model_builds_for_every_share_pair_resolve_accepts():
    """young 0.75 and older the next float above 0.25 sum to 1.0 in floating point, so resolve
    accepts them; building the model must not then fail with numpy's ValueError."""
    shares = {"young_share": 0.75, "older_share": math.nextafter(0.25, 1.0)}
    resolve(shares)  # accepted
    CoauthorModel(seed=0, n_citizens=50, n_neighbourhoods=5, **shares)


def test_model_builds_with_a_tiny_bridging_share():
    """bridging_share 1e-20 is in range, so the model must build (with, in effect, no
    bridging ties)."""
    CoauthorModel(seed=0, n_citizens=50, n_neighbourhoods=5, bridging_share=1e-20)


@pytest.mark.parametrize("share", [0.9999999999999999, 1.0, math.nextafter(1.0, 0.0) - 1e-16])
def test_model_builds_with_a_bridging_share_next_to_one(share):
    """bridging_share = 0.9999999999999999 made the in-neighbourhood tie probability ~1e-17,
    and networkx divided by log(1 - p) = 0 (ZeroDivisionError); every value the schema allows
    must build."""
    model = CoauthorModel(seed=0, n_citizens=200, n_neighbourhoods=5, bridging_share=share)
    assert model.adjacency.nnz > 0


@given(share=st.floats(0.0, 1.0), mean_degree=st.floats(2.0, 20.0))
def test_block_network_builds_for_any_bridging_share(share, mean_degree):
    CoauthorModel(
        seed=1, n_citizens=60, n_neighbourhoods=5, bridging_share=share, mean_degree=mean_degree
    )


# --------------------------------------------------------------------------------------------
# The parameter schema
# --------------------------------------------------------------------------------------------


@given(data=st.data(), name=st.sampled_from(sorted(SPECS)))
def test_resolve_accepts_every_in_range_value(data, name):
    """Every value within a Spec's range or choices is accepted and kept as given."""
    value = data.draw(in_range(SPECS[name]), label=name)
    params = resolve({name: value, **COMPANIONS.get(name, {})})
    assert params[name] == value
    assert type(params[name]) is SPECS[name].kind


@given(data=st.data(), name=st.sampled_from(sorted(SPECS)))
def test_resolve_rejects_out_of_range_values_naming_the_parameter(data, name):
    """Out-of-range, NaN, wrongly typed or unknown-choice values raise ParameterError (a
    ValueError) whose message names the parameter, before anything is built."""
    value = data.draw(out_of_range(SPECS[name]), label=name)
    with pytest.raises(ParameterError, match=name):
        resolve({name: value})


@given(n=st.integers(10, 1000), extra=st.integers(1, 1000))
def test_resolve_rejects_more_places_than_citizens(n, extra):
    """Parameters valid alone but not together are rejected, naming the parameter."""
    with pytest.raises(ParameterError, match="n_neighbourhoods"):
        resolve({"n_citizens": n, "n_neighbourhoods": n + extra})


def test_resolve_rejects_unknown_names_with_a_hint():
    with pytest.raises(ParameterError, match=r"n_citizen.*did you mean 'n_citizens'"):
        resolve({"n_citizen": 100})
