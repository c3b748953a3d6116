"""The fast array model and the per-agent Mesa reference follow the same trajectory.

``benchmarks/reference_mesa.py`` writes every mechanism again for one agent at a time, in plain
Python, with citizens as Mesa ``FixedAgent``s on a ``mesa.discrete_space.Network``. Started from
the same state with the same random numbers, the two must agree month by month. This is the
check that the vectorised step does what the per-agent description of the model says (an index
or broadcasting slip would show here), and it keeps the speed benchmark honest: the reference it
is timed against computes the same thing.

Why "allclose" and not bitwise equality: a citizen's connectedness and the help it receives are
sums over its neighbours. The fast model adds them up in the order of a sparse matrix row; the
reference loops over ``cell.neighborhood`` in the order of the networkx adjacency, and a few model
totals (means, the architects' effort) are numpy pairwise sums in one model and running Python
sums in the other. Floating-point addition is not associative, so the two differ in the last bit
or so (about 1e-16 relative), and these differences are carried forward but not amplified: every
update is a contraction or a bounded map. Thresholds (crisis, help-seeking, engagement, a uniform
draw against a probability) could in principle flip on such a difference, but only if a value
lands within ~1e-16 of its threshold; with a few hundred citizens, 24 months and continuous
values, that chance is of the order of 1e-10, so a tight tolerance (rtol 1e-9, atol 1e-12) is
both safe and strict: a real discrepancy moves numbers by far more than that.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest
from mesa.discrete_space import FixedAgent, Network

from coauthor_sim import CoauthorModel
from coauthor_sim.outcomes import OUTCOME_NAMES

RTOL, ATOL = 1e-9, 1e-12
MONTHS = 24  # crosses the provider reviews at months 12 and 24
# Mechanisms the reference does not mirror are switched off here: the dynamic network (ties
# made and faded once a year; the reference keeps its citizens on a fixed Mesa Network), the
# entitlement floor (a second, ring-fenced rationing pass) and the council's misjudgement of
# places. Everything else, including spells and rests of engagement, hours, the reserve and
# its settlement, bond repayments, rescue money, training and deliberation time, connective
# access and costs, gaming, exit and switching disruption, is mirrored and compared.
# The social impact bond (pooled money) is not mirrored either: its outcome test steps a
# counterfactual twin of the whole model (tests/test_model.py checks it).
NOT_MIRRORED = {"tie_formation": 0.0, "tie_fade": 0.0, "entitlements": 0.0, "council_error": 0.0,
                "pooled_budget": 0.0}  # fmt: skip
SMALL = {
    "n_citizens": 300,
    "n_neighbourhoods": 10,
    "servants_per_1000": 16.7,
    "steps": MONTHS,
    **NOT_MIRRORED,
}

# Every lever away from its default, so every mechanism runs (community money, capacity
# building, restructuring, outcome contracts, learning, inclusive deliberation, local control).
LEVERS = {
    "co_production": 0.6,
    "prevention_share": 0.4,
    "outcome_commissioning": 0.5,
    "learning": 1.0,
    "servant_new_roles": 0.8,
    "community_resources": 0.1,
    "capacity_building": 0.1,
    "deliberation_inclusion": 1.0,
    "local_control": 0.9,
    "local_priority_setting": 0.8,
    "servant_training": 0.7,
    "connective_government": 0.6,
    "provider_exit_rate": 1.0,
}
# Scarcity: the money does not go round (payments scaled down, crises only partly funded),
# crises trigger central ring-fencing, and a budget cut arrives mid-run.
SCARCITY = {
    "grant_per_citizen": 52.0,
    "need_growth": 0.15,
    "self_help_rate": 0.0,
    "central_intervention": 1.0,
    "budget_shock": -0.2,
    "shock_step": 6,
    "learning": 0.5,
    "plural_provision": 0.7,
    "servants_per_1000": 40.0,  # 12 servants, more than neighbourhoods: the other layout
}


def _load_reference():
    """Import benchmarks/reference_mesa.py (benchmarks/ is not a package)."""
    path = Path(__file__).resolve().parents[1] / "benchmarks" / "reference_mesa.py"
    spec = importlib.util.spec_from_file_location("reference_mesa", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("reference_mesa", module)
    spec.loader.exec_module(module)
    return module


reference_mesa = _load_reference()
ReferenceModel = reference_mesa.ReferenceModel


def assert_same_state(fast: CoauthorModel, ref) -> None:
    """Every citizen, servant and provider attribute, the council and the generator agree."""
    for name, values in ref.citizen_arrays().items():
        expected = getattr(fast.citizens, name)
        assert values.shape == expected.shape, name
        np.testing.assert_allclose(
            values.astype(float), expected.astype(float), rtol=RTOL, atol=ATOL, err_msg=name
        )
    for name, values in ref.servant_arrays().items():
        expected = getattr(fast.servants, name)
        np.testing.assert_allclose(
            values.reshape(expected.shape).astype(float),
            expected.astype(float),
            rtol=RTOL,
            atol=ATOL,
            err_msg=name,
        )
    for name, values in ref.provider_arrays().items():
        expected = getattr(fast.providers, name)
        np.testing.assert_allclose(
            values.astype(float), expected.astype(float), rtol=RTOL, atol=ATOL, err_msg=name
        )
    gov = fast.local
    priorities = [place.priority for place in ref.places]
    np.testing.assert_allclose(priorities, gov.priorities, rtol=RTOL, atol=ATOL)
    assert ref.council.fragmentation == pytest.approx(gov.fragmentation, rel=RTOL, abs=ATOL)
    assert ref.council.budget == pytest.approx(gov.budget, rel=RTOL, abs=ATOL)
    assert ref.council.ring_fenced_until == gov.ring_fenced_until
    if gov.allocation is not None:
        np.testing.assert_allclose(ref.council.allocation, gov.allocation, rtol=RTOL, atol=ATOL)
    # Both consumed exactly the same random numbers from every stream.
    assert ref.streams.keys() == fast.streams.keys()
    for name, stream in fast.streams.items():
        assert ref.streams[name].bit_generator.state == stream.bit_generator.state, name


def run_both(months: int = MONTHS, warm_up: int = 0, **params):
    """Build the fast model, run it ``warm_up`` months, copy it into the reference, then run
    both ``months`` more. Returns both models and both outcome tables (from the copy on)."""
    fast = CoauthorModel(seed=11, **{**SMALL, **params})
    for _ in range(warm_up):
        fast.step()
    ref = ReferenceModel(fast)
    for _ in range(months):
        fast.step()
        ref.step()
    return fast, ref, fast.outcome_table().iloc[warm_up:], ref.outcome_table()


CASES = {
    "blocks-defaults": ("neighbourhood_blocks", {}),
    "small_world-levers": ("small_world", LEVERS),
    "scale_free-levers": ("scale_free", LEVERS),
    "random-scarcity": ("random", SCARCITY),
}


@pytest.mark.parametrize("case", list(CASES))
def test_same_state_and_draws_give_the_same_trajectory(case):
    kind, params = CASES[case]
    fast, ref, fast_table, ref_table = run_both(network_kind=kind, **params)
    assert list(ref_table.columns) == list(OUTCOME_NAMES)
    assert len(ref_table) == len(fast_table) == MONTHS + 1
    np.testing.assert_allclose(
        ref_table.to_numpy(), fast_table.to_numpy(), rtol=RTOL, atol=ATOL, equal_nan=True
    )
    assert_same_state(fast, ref)
    # The case exercises what it is meant to.
    if params is SCARCITY:
        assert fast.local.ring_fenced_until > 0, "scarcity case no longer triggers ring-fencing"
    if params is LEVERS:
        for kind in ("community_action", "capacity_building", "transition",
                     "contract_management"):  # fmt: skip
            assert fast_table[f"spending_{kind}"].iloc[1:].gt(0).any(), kind


def test_reference_copied_mid_run_continues_identically():
    """Copying after a few months (ring-fencing, voices and prevention stocks already set)
    carries the whole state across."""
    fast, ref, fast_table, ref_table = run_both(
        months=14, warm_up=5, network_kind="small_world", **LEVERS
    )
    np.testing.assert_allclose(
        ref_table.to_numpy(), fast_table.to_numpy(), rtol=RTOL, atol=ATOL, equal_nan=True
    )
    assert_same_state(fast, ref)


def test_reference_is_made_of_mesa_agents_on_a_network():
    fast = CoauthorModel(seed=2, **SMALL)
    ref = ReferenceModel(fast)
    assert isinstance(ref.grid, Network)
    citizens = list(ref.citizens)
    assert len(citizens) == fast.citizens.n
    assert all(isinstance(c, FixedAgent) for c in citizens)
    for i in (0, 17, 299):
        neighbours = {agent.cell.coordinate for agent in citizens[i].cell.neighborhood.agents}
        assert neighbours == set(fast.network.neighbors(i))
        assert citizens[i].cell.coordinate == i
        assert isinstance(citizens[i].capacity, float)
