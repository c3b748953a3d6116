"""The neighbourhood-block network drawn as arrays, and Mesa faces made only when used
(issue 15)."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from coauthor_sim.agents import Citizen, Provider, PublicServant
from coauthor_sim.model import CoauthorModel
from coauthor_sim.network import (
    _pairs_of,
    adjacency_from_ties,
    block_ties,
    neighbourhood_sizes,
    sorted_unique,
)


def test_pair_numbers_map_to_every_pair_once():
    size = 300
    j, i = _pairs_of(np.arange(size * (size - 1) // 2))
    assert np.all(j < i) and i.max() == size - 1
    assert len(set(zip(j.tolist(), i.tolist(), strict=True))) == size * (size - 1) // 2
    big = np.array([10**12 - 1, 10**12, 5 * 10**12 + 7])  # pairs of a million citizens
    j, i = _pairs_of(big)
    assert np.all(i * (i - 1) // 2 + j == big) and np.all((j >= 0) & (j < i))


@pytest.mark.parametrize(
    ("n", "hoods", "bridging"),
    [(3000, 20, 0.1), (3000, 300, 0.3), (20_000, 8, 0.0), (500, 50, 1.0)],
)
def test_block_ties_have_the_graph_model_of_the_block_network(n, hoods, bridging):
    sizes = neighbourhood_sizes(n, hoods)
    rows, cols = block_ties(sizes, 8.0, bridging, seed=4)
    keys = rows * n + cols
    assert np.all(rows < cols) and np.all(np.diff(keys) > 0)  # no self-ties, sorted, no repeats
    hood = np.repeat(np.arange(hoods), sizes)
    degree = np.bincount(np.concatenate([rows, cols]), minlength=n)
    # The expected degree is 8 (a little less where neighbourhoods are too small to hold it,
    # or where a bridging tie repeats a tie inside); its spread is binomial-like.
    expected = min(8.0 * (1 - bridging), sizes.min() - 1) + 8.0 * bridging
    assert abs(degree.mean() - expected) < 4 * np.sqrt(expected / n) + 0.05 * expected
    within = np.mean(hood[rows] == hood[cols])
    expected_within = 1 - bridging * (1 - 1 / hoods) if expected else 0
    assert abs(within - expected_within) < 0.05
    again = block_ties(sizes, 8.0, bridging, seed=4)
    assert np.array_equal(again[0], rows) and np.array_equal(again[1], cols)


def test_a_complete_neighbourhood_is_drawn_whole():
    rows, cols = block_ties(np.array([6, 6, 6]), 50.0, 0.0, seed=1)  # p_in = 1
    assert rows.size == 3 * 15
    graph = nx.Graph(list(zip(rows.tolist(), cols.tolist(), strict=True)))
    assert [len(c) for c in nx.connected_components(graph)] == [6, 6, 6]


def test_sorted_unique_is_numpy_unique():
    values = np.random.default_rng(0).integers(0, 50, size=400)
    assert np.array_equal(sorted_unique(values), np.unique(values))
    assert sorted_unique(np.zeros(0, dtype=np.int64)).size == 0


def test_block_network_is_built_without_networkx_and_faces_come_on_first_use():
    model = CoauthorModel(seed=2, n_citizens=400, steps=3)
    assert model._graph is None and model._faces is None  # a batch run pays for neither
    model.run()
    assert model._faces is None
    # First use: the faces appear, in citizen order, and see the arrays as they are now.
    citizens = model.agents_by_type[Citizen]
    assert len(citizens) == 400 and len(model.agents) == 400 + model.servants.n + 12
    assert [a.index for a in model.citizen_agents[:5]] == [0, 1, 2, 3, 4]
    assert citizens.agg("wellbeing", np.mean) == pytest.approx(model.citizens.wellbeing.mean())
    assert len(model.agents_by_type[PublicServant]) == model.servants.n
    assert len(model.agents_by_type[Provider]) == 12
    assert set(model.agent_types) == {Citizen, PublicServant, Provider}
    assert model.agents is model.agents  # made once
    graph = model.network
    assert graph.number_of_edges() == model.adjacency.nnz // 2
    assert nx.to_scipy_sparse_array(graph, nodelist=range(400)).nnz == model.adjacency.nnz
    neighbours = {a.index for a in model.citizen_agents[7].neighbours}
    assert neighbours == set(model.adjacency.indices[
        model.adjacency.indptr[7]:model.adjacency.indptr[8]].tolist())  # fmt: skip


def test_agent_series_make_the_faces_and_are_collected():
    model = CoauthorModel(seed=2, n_citizens=200, steps=2, collect_agents=True)
    model.run()
    table = model.datacollector.get_agenttype_vars_dataframe(Citizen)
    assert len(table) == 3 * 200 and table["wellbeing"].between(0, 1).all()


def test_the_csr_of_the_ties_is_the_symmetric_matrix_of_the_graph():
    sizes = neighbourhood_sizes(2000, 10)
    rows, cols = block_ties(sizes, 10.0, 0.1, seed=9)
    matrix = adjacency_from_ties(rows, cols, 2000)
    assert (matrix != matrix.T).nnz == 0 and matrix.nnz == 2 * rows.size


def test_dense_neighbourhoods_drawn_in_chunks_give_the_same_network(monkeypatch):
    import coauthor_sim.network as network

    sizes = np.full(40, 30)  # p_in = 9/29: every pair drawn
    whole = block_ties(sizes, 10.0, 0.1, seed=3)
    monkeypatch.setattr(network, "DENSE_CHUNK", 1000)  # two neighbourhoods' pairs at a time
    chunked = block_ties(sizes, 10.0, 0.1, seed=3)
    assert all(np.array_equal(a, b) for a, b in zip(whole, chunked, strict=True))
