"""Social networks: networkx generators, neighbourhood membership, and the sparse matrix the
dynamics use.

Citizens are nodes ``0 .. n-1``. Neighbourhoods are contiguous blocks of node ids, so in the
small-world ring they are stretches of the ring (places), and in the block network they are the
blocks themselves.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import scipy.sparse as sp

from .params import NETWORK_KINDS


def neighbourhood_sizes(n: int, n_neighbourhoods: int) -> np.ndarray:
    """Sizes of ``n_neighbourhoods`` blocks of citizens that differ by at most one."""
    base, extra = divmod(n, n_neighbourhoods)
    return np.array([base + (h < extra) for h in range(n_neighbourhoods)], dtype=np.int64)


def build_network(
    kind: str,
    sizes: np.ndarray,
    mean_degree: float,
    rewiring_prob: float,
    bridging_share: float,
    seed: int,
) -> nx.Graph:
    """Build the social network of ``sum(sizes)`` citizens.

    kind:
        ``neighbourhood_blocks``: a stochastic block model; a share ``bridging_share`` of each
        citizen's expected ties go to other neighbourhoods, the rest stay inside its own.
        ``small_world``: Watts-Strogatz ring with ``round(mean_degree)`` (made even) neighbours
        and rewiring probability ``rewiring_prob``.
        ``scale_free``: Barabasi-Albert preferential attachment with ``round(mean_degree / 2)``
        ties per newcomer.
        ``random``: Erdos-Renyi graph with tie probability ``mean_degree / (n - 1)``.
    """
    n = int(sizes.sum())
    if kind == "small_world":
        k = max(2, 2 * round(mean_degree / 2))
        graph = nx.watts_strogatz_graph(n, min(k, n - 1 - (n - 1) % 2), rewiring_prob, seed=seed)
    elif kind == "scale_free":
        m = max(1, min(round(mean_degree / 2), n - 1))
        graph = nx.barabasi_albert_graph(n, m, seed=seed)
    elif kind == "random":
        graph = nx.fast_gnp_random_graph(n, mean_degree / (n - 1), seed=seed)
    elif kind == "neighbourhood_blocks":
        graph = _block_graph(sizes, mean_degree, bridging_share, seed)
    else:
        raise ValueError(f"network_kind = {kind!r} is not allowed: expected one of {NETWORK_KINDS}")
    graph.graph["kind"] = kind
    return graph


def _block_graph(sizes: np.ndarray, mean_degree: float, bridging: float, seed: int) -> nx.Graph:
    n = int(sizes.sum())
    k = len(sizes)
    inside = np.minimum(1.0, mean_degree * (1 - bridging) / np.maximum(sizes - 1, 1))
    outside = min(1.0, mean_degree * bridging / max(n - sizes.mean(), 1))
    probs = np.full((k, k), outside)
    np.fill_diagonal(probs, inside)
    graph = nx.stochastic_block_model(
        sizes.tolist(), probs.tolist(), seed=seed, sparse=True, selfloops=False
    )
    # Keep a plain graph with integer nodes only; block labels live in the model's arrays.
    plain = nx.Graph()
    plain.add_nodes_from(range(n))
    plain.add_edges_from(graph.edges())
    return plain


def adjacency(graph: nx.Graph) -> sp.csr_array:
    """Symmetric 0/1 adjacency matrix of ``graph`` in CSR form, rows in node order 0..n-1."""
    n = graph.number_of_nodes()
    return nx.to_scipy_sparse_array(graph, nodelist=range(n), dtype=np.float64, format="csr")
