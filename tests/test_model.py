"""The model as a whole: construction, agents as faces on arrays, reproducibility, bad input."""

from __future__ import annotations

import subprocess
import sys

import networkx as nx
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from coauthor_sim import Citizen, CoauthorModel, ParameterError, Provider, PublicServant
from coauthor_sim.outcomes import OUTCOME_NAMES

SMALL = {"n_citizens": 300, "n_neighbourhoods": 10, "steps": 24}


def test_defaults_build_and_run():
    model = CoauthorModel(seed=3)
    table = model.run(6)
    assert list(table.columns) == list(OUTCOME_NAMES)
    assert len(table) == 7 and table.index.name == "month"
    assert not table.isna().any().any()


def test_agent_counts_and_types():
    model = CoauthorModel(seed=1, **SMALL)
    assert len(model.agents_by_type[Citizen]) == 300
    assert len(model.agents_by_type[PublicServant]) == 3  # 10 per 1,000 of 300 citizens
    assert len(model.agents_by_type[Provider]) == model.p.n_providers
    model.run()
    assert len(model.agents) == 300 + 3 + model.p.n_providers


def test_citizen_face_reads_and_writes_the_arrays():
    model = CoauthorModel(seed=1, **SMALL)
    citizen = model.citizen_agents[7]
    assert citizen.wellbeing == model.citizens.wellbeing[7]
    citizen.wellbeing = 0.25
    assert model.citizens.wellbeing[7] == 0.25
    model.step()  # the face follows the arrays the step replaces
    assert citizen.wellbeing == model.citizens.wellbeing[7]
    with pytest.raises(AttributeError):
        citizen.connectedness = 0.9  # derived from ties, never set


def test_mesa_agentset_tools_work_on_citizens():
    model = CoauthorModel(seed=2, **SMALL)
    model.run(3)
    citizens = model.agents_by_type[Citizen]
    assert citizens.agg("wellbeing", np.mean) == pytest.approx(model.citizens.wellbeing.mean())
    engaged = citizens.select(lambda a: a.engaged)
    assert len(engaged) == int(model.citizens.engaged.sum())
    by_quintile = citizens.groupby("deprivation_quintile").count()
    assert sum(by_quintile.values()) == 300


def test_network_and_sparse_matrix_agree():
    model = CoauthorModel(seed=4, **SMALL)
    assert isinstance(model.network, nx.Graph)
    assert sp.issparse(model.adjacency)
    dense = nx.to_numpy_array(model.network, nodelist=range(300))
    assert np.array_equal(model.adjacency.toarray(), dense)
    citizen = model.citizen_agents[0]
    assert {n.index for n in citizen.neighbours} == set(model.network.neighbors(0))


@pytest.mark.parametrize("kind", ["neighbourhood_blocks", "small_world", "scale_free", "random"])
def test_every_network_kind_runs(kind):
    model = CoauthorModel(seed=5, network_kind=kind, **SMALL)
    assert model.network.number_of_nodes() == 300
    mean_degree = 2 * model.network.number_of_edges() / 300
    assert 6 <= mean_degree <= 14  # default mean degree 10
    assert not model.run().isna().any().any()


def test_block_network_keeps_most_ties_inside_neighbourhoods():
    model = CoauthorModel(seed=6, n_citizens=2000, bridging_share=0.1)
    hood = model.citizens.neighbourhood
    edges = np.array(model.network.edges())
    inside = np.mean(hood[edges[:, 0]] == hood[edges[:, 1]])
    assert 0.8 < inside < 0.97


def test_neighbourhoods_differ_in_context():
    model = CoauthorModel.uncalibrated(seed=7, **SMALL)  # the schema's spread of context
    c = model.citizens
    most = c.context[c.deprivation_quintile == 4].mean()
    least = c.context[c.deprivation_quintile == 0].mean()
    assert least - most > 0.3


def test_same_seed_same_table_in_process():
    a = CoauthorModel(seed=11, **SMALL).run()
    b = CoauthorModel(seed=11, **SMALL).run()
    pd.testing.assert_frame_equal(a, b, check_exact=True)


def test_different_seeds_differ():
    a = CoauthorModel(seed=11, **SMALL).run()
    b = CoauthorModel(seed=12, **SMALL).run()
    assert not a.equals(b)


def test_same_seed_same_table_across_processes(tmp_path):
    script = (
        "import sys; from coauthor_sim import CoauthorModel; "
        "CoauthorModel(seed=11, n_citizens=300, n_neighbourhoods=10, steps=24)"
        ".run().to_pickle(sys.argv[1])"
    )
    paths = []
    for k, hashseed in enumerate(("0", "12345")):
        path = tmp_path / f"run{k}.pkl"
        env = {"PYTHONHASHSEED": hashseed, "PATH": "/usr/bin:/bin"}
        subprocess.run([sys.executable, "-c", script, str(path)], check=True, env=env)
        paths.append(path)
    here = CoauthorModel(seed=11, **SMALL).run()
    for path in paths:
        pd.testing.assert_frame_equal(pd.read_pickle(path), here, check_exact=True)


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"n_citizens": -5}, ["n_citizens", "-5", "10"]),
        ({"co_production": 1.5}, ["co_production", "1.5", "0 to 1"]),
        ({"network_kind": "lattice"}, ["network_kind", "lattice", "small_world"]),
        ({"servants_per_1000": 5000}, ["servants_per_1000", "5000", "0 to 1000"]),
        ({"n_neighbourhoods": 5000}, ["n_neighbourhoods", "5000", "n_citizens"]),
        ({"n_citizens": 2.5}, ["n_citizens", "2.5", "integer"]),
        ({"collect_agents": "yes"}, ["collect_agents", "true or false"]),
        ({"prevention_share": float("nan")}, ["prevention_share", "nan"]),
        ({"co_productoin": 0.2}, ["co_productoin", "co_production"]),
        ({"young_share": 0.6, "older_share": 0.6}, ["young_share + older_share"]),
    ],
)
def test_bad_arguments_raise_value_error_naming_them(kwargs, words):
    with pytest.raises(ValueError) as err:
        CoauthorModel(seed=1, **kwargs)
    assert isinstance(err.value, ParameterError)
    for word in words:
        assert word in str(err.value)


def test_agent_series_are_optional():
    off = CoauthorModel(seed=1, **SMALL)
    off.run(2)
    assert off.datacollector.agenttype_reporters == {}
    on = CoauthorModel(seed=1, collect_agents=True, **SMALL)
    on.run(2)
    frame = on.datacollector.get_agenttype_vars_dataframe(Citizen)
    assert len(frame) == 3 * 300
    assert set(frame.columns) >= {"wellbeing", "need", "engaged"}


def test_evolve_ties_fades_idle_ties_and_adds_ties_inside_neighbourhoods():
    """On sorted tie lists alone: with fade 1 every tie idle at both ends goes, ties with a
    used end stay; new ties land inside the maker's neighbourhood; the matrix rebuilt from the
    lists is symmetric 0/1, sorted, with no self-ties, and round-trips through ``tie_list``."""
    import scipy.sparse as sp

    from coauthor_sim.network import adjacency_from_ties, evolve_ties, tie_list

    a = sp.csr_array((np.ones(4), ([0, 1, 2, 3], [1, 2, 3, 4])), shape=(6, 6))
    a = (a + a.T).tocsr()
    rows, cols = tie_list(a)
    assert rows.tolist() == [0, 1, 2, 3] and cols.tolist() == [1, 2, 3, 4]
    rebuilt = adjacency_from_ties(rows, cols, 6)
    assert (rebuilt != a).nnz == 0 and rebuilt.has_sorted_indices
    used = np.array([True, False, False, False, False, False])
    rng = np.random.default_rng(0)
    starts, sizes = np.array([0, 3]), np.array([3, 3])
    kept = evolve_ties(rows, cols, 6, used, np.zeros(6), starts, sizes, 1.0, rng)
    assert kept[0].tolist() == [0] and kept[1].tolist() == [1]  # only the tie with a used end
    grown = evolve_ties(rows, cols, 6, used, np.array([0, 0, 0, 0, 0, 20.0]), starts, sizes,
                        0.0, rng)  # fmt: skip
    keys = grown[0] * 6 + grown[1]
    assert np.all(np.diff(keys) > 0) and np.all(grown[0] < grown[1])  # sorted, upper
    assert {0 * 6 + 1, 1 * 6 + 2, 2 * 6 + 3, 3 * 6 + 4} <= set(keys.tolist())  # nothing lost
    matrix = adjacency_from_ties(*grown, 6)
    assert (matrix != matrix.T).nnz == 0 and matrix.diagonal().sum() == 0
    assert set(np.unique(matrix.data)) == {1.0}
    assert (matrix != matrix.sorted_indices()).nnz == 0
    assert np.array_equal(matrix.indices, matrix.sorted_indices().indices)
    before = set(zip(rows.tolist(), cols.tolist(), strict=True))
    added = [(r, c) for r, c in zip(*grown, strict=True) if (r, c) not in before]
    assert added and all((r >= 3) == (c >= 3) for r, c in added)


def test_adjacency_rebuilt_from_ties_equals_the_original_on_a_real_network():
    from coauthor_sim.network import adjacency_from_ties, tie_list

    model = CoauthorModel(seed=3, n_citizens=500, n_neighbourhoods=10)
    rebuilt = adjacency_from_ties(*tie_list(model.adjacency), 500)
    assert (rebuilt != model.adjacency).nnz == 0
    assert np.array_equal(rebuilt.indices, model.adjacency.indices)
    assert np.array_equal(rebuilt.indptr, model.adjacency.indptr)


def test_network_changes_yearly_and_stays_about_the_same_size_in_the_status_quo():
    model = CoauthorModel(seed=4, n_citizens=600, n_neighbourhoods=10)
    before = model.adjacency.copy()
    model.run(11)
    assert (model.adjacency != before).nnz == 0  # nothing changes before month 12
    model.run(1)
    assert (model.adjacency != before).nnz > 0
    assert np.array_equal(model.citizens.degree, np.diff(model.adjacency.indptr))
    assert set(model.network.neighbors(0)) == set(model.adjacency[[0]].indices.tolist())
    model.run(48)
    assert 0.8 < model.adjacency.nnz / before.nnz < 1.25


def test_static_network_when_ties_neither_form_nor_fade():
    model = CoauthorModel(seed=4, n_citizens=300, tie_formation=0.0, tie_fade=0.0)
    before = model.adjacency.copy()
    model.run(24)
    assert (model.adjacency != before).nnz == 0


def _returning_next_month(rest_months: float) -> float:
    """Share of citizens whose spell ended in a month who are in a spell the next month."""
    model = CoauthorModel(seed=8, n_citizens=800, rest_months=rest_months)
    back, ended = 0, 0
    previous = model.citizens.spell.copy()
    model.step()
    for _ in range(24):
        stopped = previous & ~model.citizens.spell
        previous = model.citizens.spell.copy()
        model.step()
        back += int((stopped & model.citizens.spell).sum())
        ended += int(stopped.sum())
    return back / max(ended, 1)


def test_people_who_stop_do_not_simply_return_next_month():
    assert _returning_next_month(8.0) < 0.05
    assert _returning_next_month(0.0) > _returning_next_month(8.0)


def test_hours_are_heavy_tailed_and_yearly_participation_exceeds_monthly():
    table = CoauthorModel(seed=9, n_citizens=800).run(36)
    last = table.iloc[-1]
    assert last["engaged_last_year"] > last["engagement_rate"] > 0
    assert last["volunteering_year_month_ratio"] > 1.2
    assert last["hours_top_fifth_share"] > 0.3  # the top fifth gives far more than a fifth
    assert last["volunteer_hours"] > 0 and 0 <= last["starts_via_ties"] <= 1
