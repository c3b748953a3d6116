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
        rows, cols = block_ties(sizes, mean_degree, bridging_share, seed)
        graph = nx.Graph()
        graph.add_nodes_from(range(n))
        graph.add_edges_from(zip(rows.tolist(), cols.tolist(), strict=True))
    else:
        raise ValueError(f"network_kind = {kind!r} is not allowed: expected one of {NETWORK_KINDS}")
    graph.graph["kind"] = kind
    return graph


def block_ties(
    sizes: np.ndarray, mean_degree: float, bridging: float, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """The neighbourhood-block network drawn directly as tie lists ``rows < cols`` (sorted as
    ``tie_list`` gives them), with numpy only: no networkx graph, no Python loop over citizens.

    The graph model is a stochastic block model: inside each neighbourhood an Erdos-Renyi
    graph G(size, p_in) giving each member ``mean_degree x (1 - bridging)`` expected ties, and
    over everybody one sparse G(n, p_out) of bridging ties giving each ``mean_degree x
    bridging`` (a bridging draw that lands inside a neighbourhood is kept as an ordinary tie;
    a pair drawn twice is one tie). Each G(m, p) is drawn exactly: its number of ties is
    Binomial(m(m-1)/2, p) and the ties are a uniform set of that many distinct pairs
    (``_distinct_pairs``); dense neighbourhoods (p >= DENSE_P) draw every pair instead. This is
    the graph model of the networkx construction used before (one ``fast_gnp_random_graph`` per
    neighbourhood), with a different random stream: the same seed gives another network of the
    same distribution."""
    rng = np.random.default_rng(seed)
    sizes = np.asarray(sizes, dtype=np.int64)
    n = int(sizes.sum())
    starts = np.cumsum(sizes) - sizes
    p_in = np.minimum(1.0, max(mean_degree * (1 - bridging), 0.0) / np.maximum(sizes - 1, 1))
    p_in[p_in < 1e-12] = 0.0  # as _tie_probability
    dense = p_in >= DENSE_P
    keys = [_dense_pairs(sizes[dense], starts[dense], p_in[dense], n, rng)]
    keys.append(_distinct_pairs(sizes[~dense], starts[~dense], p_in[~dense], n, rng))
    p_out = _tie_probability(mean_degree * bridging, n)
    keys.append(_distinct_pairs(np.array([n]), np.array([0]), np.array([p_out]), n, rng))
    keys = sorted_unique(np.concatenate(keys))
    return keys // n, keys % n


def sorted_unique(values: np.ndarray) -> np.ndarray:
    """``np.unique`` of integer keys by one sort: numpy 2.4's ``unique`` (hash-based) took
    0.8 s for 1.5 million int64 keys where a sort takes 0.1 s, here."""
    values = np.sort(values)
    keep = np.ones(values.size, dtype=bool)
    np.not_equal(values[1:], values[:-1], out=keep[1:])
    return values[keep]


DENSE_P = 0.05  # tie probability from which a neighbourhood draws every pair (few citizens)
DENSE_CHUNK = 4_000_000  # pairs drawn at once for dense neighbourhoods (32 MB of draws)


def _pairs_of(index: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pair number ``k`` of a group, in the order (1,0), (2,0), (2,1), (3,0) ...: (j, i)
    with j < i. The float square root is corrected to exact integers."""
    i = ((1.0 + np.sqrt(1.0 + 8.0 * index.astype(np.float64))) / 2.0).astype(np.int64)
    i -= i * (i - 1) // 2 > index
    i += (i + 1) * i // 2 <= index
    return index - i * (i - 1) // 2, i


def _distinct_pairs(
    sizes: np.ndarray, starts: np.ndarray, p: np.ndarray, n: int, rng: np.random.Generator
) -> np.ndarray:
    """Ties of one G(size, p) per group, as sorted keys ``low x n + high`` of citizen ids:
    Binomial(pairs, p) ties per group, each a uniform distinct pair (drawn with replacement,
    repeats redrawn until every group has its count)."""
    pairs = sizes * (sizes - 1) // 2
    wanted = rng.binomial(pairs, p) if sizes.size else np.zeros(0, dtype=np.int64)
    keys = np.zeros(0, dtype=np.int64)
    short = wanted.astype(np.int64)
    group = np.repeat(np.arange(sizes.size), short)
    while group.size:
        j, i = _pairs_of(np.floor(rng.random(group.size) * pairs[group]).astype(np.int64))
        keys = sorted_unique(np.concatenate([keys, (starts[group] + j) * n + starts[group] + i]))
        have = np.bincount(_group_of(keys, starts, n), minlength=sizes.size)
        group = np.repeat(np.arange(sizes.size), wanted - have)
    return keys


def _group_of(keys: np.ndarray, starts: np.ndarray, n: int) -> np.ndarray:
    """Which group (by its first id ``starts``, increasing) the tie ``keys`` belong to."""
    return np.searchsorted(starts, keys // n, side="right") - 1


def _dense_pairs(
    sizes: np.ndarray, starts: np.ndarray, p: np.ndarray, n: int, rng: np.random.Generator
) -> np.ndarray:
    """Ties of one G(size, p) per group by a draw for every pair: for small groups, where
    redrawing repeats would be slow. Groups of one size are drawn together."""
    keys = [np.zeros(0, dtype=np.int64)]
    for size in np.unique(sizes).tolist():
        which = np.flatnonzero(sizes == size)
        low, high = np.triu_indices(size, 1)
        step = max(1, DENSE_CHUNK // max(low.size, 1))  # rows of draws at a time (memory)
        for part in np.array_split(which, range(step, which.size, step)):
            tied = rng.random((part.size, low.size)) < p[part][:, None]
            first = starts[part][:, None]
            keys.append(((first + low) * n + first + high)[tied])
    return np.concatenate(keys)


def _tie_probability(expected_ties: float, size: int) -> float:
    """Tie probability giving ``expected_ties`` per member of a group of ``size``, in [0, 1].
    Below 1e-12 it is 0: networkx's ``fast_gnp_random_graph`` divides by log(1 - p), which is
    0 in floating point for so tiny a p (bridging_share = 0.9999999999999999 made p_in ~1e-17
    and crashed with ZeroDivisionError)."""
    p = min(1.0, max(expected_ties, 0.0) / max(size - 1, 1))
    return 0.0 if p < 1e-12 else p


def tie_list(matrix: sp.csr_array) -> tuple[np.ndarray, np.ndarray]:
    """The ties of a symmetric adjacency matrix as two arrays ``rows < cols``, sorted by row and
    then by column."""
    if not matrix.has_sorted_indices:
        matrix = matrix.sorted_indices()
    n = matrix.shape[0]
    rows = np.repeat(np.arange(n, dtype=np.int64), np.diff(matrix.indptr))
    cols = matrix.indices.astype(np.int64)
    upper = cols > rows
    return rows[upper], cols[upper]


def adjacency_from_ties(
    rows: np.ndarray, cols: np.ndarray, n: int, ones: np.ndarray | None = None
) -> sp.csr_array:
    """Symmetric 0/1 CSR matrix (int32 indices, sorted within rows) of the ties ``rows < cols``
    (sorted as ``tie_list`` gives them), linear in the number of ties: one compiled pass
    (``kernels.symmetric_csr``) writes every row's lower entries (columns below the row) and
    then its upper ones straight into the index arrays, with no intermediate matrices.

    ``ones``, if given (float64 ones, at least ``2 x len(rows)`` of them, best read-only), lends
    its leading part as the matrix's entries instead of a fresh array: the model keeps one such
    buffer, so a yearly rebuild does not write 80 MB of ones anew at a million citizens."""
    from .kernels import symmetric_csr

    index = np.int32 if 2 * rows.size < np.iinfo(np.int32).max else np.int64
    indptr, indices = np.zeros(n + 1, dtype=index), np.empty(2 * rows.size, dtype=index)
    symmetric_csr(rows, cols, indptr, indices)  # one compiled pass, no scipy merge
    nnz = indices.size
    data = ones[:nnz] if ones is not None and ones.size >= nnz else np.ones(nnz)
    matrix = sp.csr_array((data, indices, indptr), shape=(n, n), copy=False)
    matrix.has_sorted_indices = True
    return matrix


def evolve_ties(
    rows: np.ndarray,
    cols: np.ndarray,
    n: int,
    used: np.ndarray,
    new_ties: np.ndarray,
    starts: np.ndarray,
    sizes: np.ndarray,
    fade: float,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """A year of change in the network, on the sorted tie lists (``tie_list``), with no networkx
    and no sort of the whole network: linear in the number of ties.

    Each tie between two citizens who were both idle all year (``used`` false at both ends)
    fades with chance ``fade``. Citizen ``i`` makes ``Poisson(new_ties[i])`` new ties, each to
    a citizen drawn uniformly from its own neighbourhood (``starts`` and ``sizes`` of the
    contiguous blocks of ids). Self-ties and ties already present are dropped. Returns the new
    sorted lists."""
    idle = np.flatnonzero(~(used[rows] | used[cols]))
    gone = idle[rng.random(idle.size) < fade]
    keys = np.delete(rows * n + cols, gone)  # one key per tie: one delete and one insert
    makers = np.flatnonzero(new_ties > 0)  # only those who make ties draw
    makers = np.repeat(makers, rng.poisson(new_ties[makers]))
    if makers.size == 0:
        return np.divmod(keys, n)
    hood = np.searchsorted(starts, makers, side="right") - 1
    partners = starts[hood] + np.floor(rng.random(makers.size) * sizes[hood]).astype(np.int64)
    fresh = makers != partners
    a, b = makers[fresh], partners[fresh]
    new = sorted_unique(np.minimum(a, b) * n + np.maximum(a, b))
    place = np.searchsorted(keys, new)
    present = (place < keys.size) & (keys[np.minimum(place, keys.size - 1)] == new)
    keys = np.insert(keys, place[~present], new[~present])
    rows = keys // n
    return rows, np.remainder(keys, n, out=keys)  # in place: one 40 MB array less at 1M


def adjacency(graph: nx.Graph) -> sp.csr_array:
    """Symmetric 0/1 adjacency matrix of ``graph`` in CSR form, rows in node order 0..n-1.

    Indices are stored as int32 (networkx gives int64): the monthly product reads half the
    index bytes and runs about 15% faster, with bit-identical results."""
    n = graph.number_of_nodes()
    a = nx.to_scipy_sparse_array(graph, nodelist=range(n), dtype=np.float64, format="csr")
    if a.nnz < np.iinfo(np.int32).max:
        a = sp.csr_array((a.data, a.indices.astype(np.int32), a.indptr.astype(np.int32)),
                         shape=a.shape)  # fmt: skip
    return a
