"""The fast paths of the monthly step give the same numbers, bit for bit, as the plain forms
they replace (kept here as the reference): the Gini's radix sort, the water-filling rationing,
the navigator's draw and the per-fifth rates. The whole model is checked the same way by
``benchmarks/identity_check.py`` (before/after a change, at a fixed seed)."""

from __future__ import annotations

import numpy as np
import pytest

from coauthor_sim import groups, kernels, outcomes
from coauthor_sim.groups import GroupSums
from coauthor_sim.mechanisms import servants, support


def reference_ration(demand, priority, group, supply, rounds=support.RATION_ROUNDS):
    """The water filling as first written: every round indexes those still waiting."""
    weighted = demand * priority
    given = np.zeros_like(weighted, dtype=float)
    asking = np.flatnonzero(weighted > 0)
    if asking.size == 0:
        return given
    n_groups = len(supply)
    want, weight, where = demand[asking], weighted[asking], group[asking]
    got = np.zeros(asking.size)
    left = np.maximum(np.asarray(supply, dtype=float), 0.0)
    waiting = np.arange(asking.size)
    for _ in range(rounds):
        g, w = where[waiting], weight[waiting]
        asked = np.bincount(g, w, minlength=n_groups)
        offer = left[g] * (w / asked[g])
        room = want[waiting] - got[waiting]
        take = np.minimum(room, offer)
        got[waiting] += take
        left = np.maximum(left - np.bincount(g, take, minlength=n_groups), 0.0)
        served = offer >= room
        if not served.any() or not left.any():
            break
        waiting = waiting[~served]
        if waiting.size == 0:
            break
    given[asking] = got
    return given


def reference_gini(values):
    x = np.sort(values)
    n, total = x.size, x.sum()
    if n == 0 or total <= 0:
        return 0.0
    value = 2.0 * np.dot(np.arange(1, n + 1), x) / (n * total) - (n + 1) / n
    return float(min(max(value, 0.0), 1.0))


def same(a, b) -> bool:
    """Equal bit for bit, the sign of zero included."""
    a, b = np.asarray(a), np.asarray(b)
    return a.shape == b.shape and a.tobytes() == b.tobytes()


def wellbeing_like(rng, n):
    """Values like a month's well-being: clustered, clipped to [0, 1] (many exact 0s and 1s),
    with near-duplicates closer than the radix key can tell apart."""
    x = np.clip(rng.normal(0.7, 0.25, n), 0.0, 1.0)
    x[: n // 10] = x[n // 10 : n // 5] + rng.normal(0, 1e-12, n // 10)  # near-duplicates
    return np.clip(rng.permutation(x), 0.0, 1.0)


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("one_pass_from", [0, 10**9])  # one 16-bit pass; two passes
def test_sorted_values_equal_np_sort_on_large_arrays(seed, one_pass_from, monkeypatch):
    monkeypatch.setattr(outcomes, "ONE_PASS_MIN_SIZE", one_pass_from)
    rng = np.random.default_rng(seed)
    n = outcomes.RADIX_MIN_SIZE + 1_234
    for x in (
        wellbeing_like(rng, n),
        rng.random(n) * 1e6,  # any positive scale
        np.repeat(rng.random(50), n // 50),  # heavy ties
        rng.exponential(1.0, n) * 1e-300,  # tiny numbers
    ):
        assert same(outcomes.sorted_values(x), np.sort(x))
        assert outcomes.gini(x) == reference_gini(x)


def test_sorted_values_falls_back_outside_its_domain():
    rng = np.random.default_rng(7)
    n = outcomes.RADIX_MIN_SIZE + 10
    negative = rng.normal(0, 1, n)
    with_nan = rng.random(n)
    with_nan[5] = np.nan
    zeros = np.zeros(n)
    ints = rng.integers(0, 100, n)
    with_inf = rng.random(n)
    with_inf[7] = np.inf
    for x in (negative, with_nan, with_inf, zeros, ints, rng.random(100)):
        assert same(outcomes.sorted_values(x), np.sort(x))


@pytest.mark.parametrize("seed", range(20))
def test_ration_equals_the_plain_water_filling(seed):
    rng = np.random.default_rng(seed)
    n, groups = int(rng.integers(1, 400)), int(rng.integers(1, 6))
    demand = np.where(rng.random(n) < 0.3, 0.0, rng.random(n))
    priority = np.where(rng.random(n) < 0.1, 0.0, rng.random(n))
    group = np.sort(rng.integers(0, groups, n))
    supply = rng.random(groups) * rng.choice([0.01, 1.0, 10.0, 1e3]) * n / groups
    supply[rng.random(groups) < 0.2] = 0.0
    expected = reference_ration(demand, priority, group, supply)
    assert same(support.ration(demand, priority, group, supply), expected)
    asking, got = support.ration(demand, priority, group, supply, sparse=True)
    kernel_asking, kernel_got = kernels.ration(demand, priority, group, supply)  # compiled
    assert same(kernel_asking, asking) and same(kernel_got, got)
    dense = np.zeros(n)
    dense[asking] = got
    assert same(dense, expected)
    # Group sums over those who asked are the sums over everyone.
    assert same(
        np.bincount(group[asking], got, minlength=groups),
        np.bincount(group, expected, minlength=groups),
    )
    uniform = rng.random(n)
    wants = (priority > 0).astype(float)
    plain = uniform < reference_ration(wants, priority, group, supply)
    assert same(servants.navigate(priority, group, supply, uniform), plain)


@pytest.mark.parametrize("dtype", [np.int8, np.int64])
def test_fifth_ratio_counts_equal_float_sums(dtype):
    rng = np.random.default_rng(3)
    quintile = rng.integers(0, 5, 5_000).astype(dtype)
    counts = np.bincount(quintile, minlength=5)
    for share in (0.0, 0.01, 0.4, 1.0):
        flags = rng.random(5_000) < share
        rates = outcomes.quintile_means(flags.astype(float), quintile, counts)
        most = rates[outcomes.MOST_DEPRIVED]
        expected = rates[outcomes.LEAST_DEPRIVED] / most if most > 0 else float("nan")
        got = outcomes._ratio(flags, quintile, counts)
        assert same(got, expected)


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("matrix_from", [0, 10**9])  # the CSR form always; np.bincount always
def test_group_sums_equal_bincount(seed, matrix_from, monkeypatch):
    monkeypatch.setattr(groups, "MATRIX_MIN_SIZE", matrix_from)
    rng = np.random.default_rng(seed)
    n, n_groups = int(rng.integers(1, 3_000)), int(rng.integers(1, 40))
    members = rng.integers(0, n_groups, n)  # unsorted, some groups empty
    if seed % 2:
        members = np.sort(members)  # as neighbourhoods are: contiguous blocks
    sums = GroupSums(members, n_groups)
    values = rng.normal(0, 1, n) * rng.choice([1e-300, 1.0, 1e300], n)
    values[rng.random(n) < 0.2] = 0.0
    values[rng.random(n) < 0.05] = -0.0
    flags = rng.random(n) < 0.3
    for x in (values, flags, np.abs(values)):
        assert same(sums(x), np.bincount(members, x, minlength=n_groups))


@pytest.mark.parametrize("seed", range(5))
def test_adjacency_from_ties_equals_the_plain_symmetric_csr(seed):
    """The merged upper and lower triangles are the CSR matrix scipy makes from both directions
    of every tie, with sorted rows: same pointers, columns, index type and ones."""
    import scipy.sparse as sp

    from coauthor_sim.network import adjacency_from_ties, sorted_unique

    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 400))
    a, b = rng.integers(0, n, size=(2, int(rng.integers(0, 3 * n))))
    keys = sorted_unique(np.minimum(a, b) * n + np.maximum(a, b))
    rows, cols = np.divmod(keys[keys // n != keys % n], n)  # no self-ties, as tie lists hold
    matrix = adjacency_from_ties(rows, cols, n)
    both = np.concatenate([rows, cols]), np.concatenate([cols, rows])
    plain = sp.csr_array((np.ones(2 * rows.size), both), shape=(n, n))
    plain.sort_indices()
    assert matrix.has_sorted_indices
    assert np.array_equal(matrix.indptr, plain.indptr)
    assert np.array_equal(matrix.indices, plain.indices)
    assert matrix.indices.dtype == np.int32 and matrix.data.dtype == np.float64
    assert np.array_equal(matrix.data, np.ones(2 * rows.size))
    ones = np.ones(2 * rows.size + 3)
    ones.flags.writeable = False
    lent = adjacency_from_ties(rows, cols, n, ones)  # the entries are the buffer's, shared
    assert np.shares_memory(lent.data, ones) and lent.data.size == 2 * rows.size
    assert np.array_equal(lent.indices, plain.indices) and np.array_equal(lent.indptr, plain.indptr)
    x = rng.random(n)
    assert same(lent @ x, matrix @ x)


@pytest.mark.parametrize("seed", range(3))
def test_engagement_thresholds_and_rest_equal_their_masked_forms(seed):
    """Thresholds computed for all and set to infinity for the unwilling by index, and the pause
    after a spell written by index, equal the boolean-mask forms they replace."""
    from coauthor_sim.mechanisms import engagement

    rng = np.random.default_rng(seed)
    n = 5_000
    willingness = rng.beta(2.0, 3.0, n)
    willingness[rng.random(n) < 0.05] = 0.0
    level = rng.random(n) * (rng.random(n) < 0.5)
    odds = np.divide(1.0 - willingness, willingness, out=np.zeros(n), where=willingness > 0)
    plain = np.where(willingness > 0, 0.4 * odds * (1.0 - 0.6 * level), np.inf)
    assert same(engagement.engagement_thresholds(willingness, level, 0.4, 0.6), plain)
    scalar = engagement.engagement_thresholds(np.float64(0.0), 0.2, 0.4, 0.6)
    assert np.isinf(scalar)

    ended, uniform = rng.random(n) < 0.1, rng.random(n)
    rest_until = rng.integers(-5, 20, n).astype(np.float64)
    for months in (0.0, 3.0):
        expected = rest_until.copy()
        if months <= 0:
            expected[ended] = 7
        else:
            expected[ended] = 7 + np.ceil(-months * np.log1p(-uniform[ended]))
        assert same(engagement.rest_after_spell(ended, rest_until, 7, months, uniform), expected)


@pytest.mark.parametrize(("n_servants", "n_hood"), [(3_000, 200), (7, 20), (40, 40)])
def test_sparse_coverage_sums_each_neighbourhood_in_servant_order(n_servants, n_hood):
    """by_neighbourhood on the sparse coverage (as the model passes it) adds each
    neighbourhood's servants one after another in servant order, and agrees with the dense
    product to rounding; so do the navigators' caseloads."""
    import scipy.sparse as sp

    from coauthor_sim.state import servant_coverage

    rng = np.random.default_rng(n_servants)
    dense = servant_coverage(n_servants, n_hood)
    coverage = sp.csr_array(dense)
    effort, per_hood = rng.random((n_servants, 4)), rng.random(n_hood)
    summed = servants.by_neighbourhood(effort, coverage)
    plain = np.zeros((4, n_hood))
    for s, h in zip(*np.nonzero(dense), strict=True):  # servant order, from 0
        plain[:, h] += dense[s, h] * effort[s]
    assert summed.shape == (4, n_hood) and same(summed, plain)
    assert np.allclose(summed, servants.by_neighbourhood(effort, dense), rtol=1e-12, atol=0)
    assert np.allclose(coverage @ per_hood, dense @ per_hood, rtol=1e-12, atol=0)
    assert same(servants.by_neighbourhood(effort[:, 0], coverage), plain[0])
    assert same(servants.by_neighbourhood(effort, coverage, coverage.T), plain)
