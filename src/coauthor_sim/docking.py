"""Docking the engagement rule against two classic threshold models.

"Docking" (aligning one model with another) asks whether our model, reduced to the situation a
published model describes, reproduces that model's published results. The part of our model in
question is step 9 of ``CoauthorModel.step``: ``coauthor_sim.mechanisms.engagement`` decides who
is engaged next month from the exposure to engaged neighbours and a threshold per citizen, plus a
capacity gate, spontaneous starters and drop-out. In its *limiting configuration* -- everyone
able to engage (spare capacity ones, capacity floor 0), no spontaneous starters, no drop-out,
thresholds given directly -- and iterated synchronously until nothing changes, that rule should
be exactly the threshold rule of

* Granovetter, M. (1978). Threshold models of collective behavior. *American Journal of
  Sociology* 83(6): 1420-1443. A well-mixed crowd: a person joins once the number of *others*
  already taking part reaches the person's threshold.
* Watts, D. J. (2002). A simple model of global cascades on random networks. *Proceedings of the
  National Academy of Sciences* 99(9): 5766-5771. Sparse random networks: a node adopts once
  the *share* of its neighbours that have adopted reaches its threshold.

Every function here drives the model's own functions (``update_engagement``,
``neighbour_exposure``/``exposure_from_counts`` and, through it, ``threshold_rule``); nothing in
this module decides adoption itself. The closed-form results of the two papers
(``granovetter_mean_field``, ``watts_window``) are computed separately, as yardsticks only.

Randomness. All random draws come from ``numpy.random.Generator`` objects built from an explicit
integer seed. Each experiment derives its streams with ``numpy.random.SeedSequence``: one child
sequence per realisation, under a spawn key that names the experiment and (for Watts) the mean
degree, so the result for a given seed and mean degree does not depend on which other mean
degrees are run alongside it. Rerunning with the same seed gives the same numbers.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

import networkx as nx
import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy import optimize, stats

from .mechanisms import engagement
from .network import adjacency as graph_adjacency

GRANOVETTER_MEAN = 25.0  # mean threshold of Granovetter's normal example (people)
GRANOVETTER_N = 100  # crowd size of Granovetter's examples
WATTS_PHI = 0.18  # fractional threshold of Watts's main figure
WATTS_N = 10_000  # network size of Watts's simulations
GLOBAL_SHARE = 0.10  # a cascade is "global" when it reaches at least this share of the nodes

_GRANOVETTER_STREAM = 1  # first spawn-key entry of Granovetter's sampled thresholds
_WATTS_STREAM = 2  # first spawn-key entry of Watts's cascades
_Z_KEY_SCALE = 1_000_000  # mean degree z -> integer spawn key round(z * scale)

SeedLike = int | np.random.SeedSequence | np.random.Generator


# ---------------------------------------------------------------------------------------------
# The model's rule in its limiting configuration
# ---------------------------------------------------------------------------------------------
def limiting_update(engaged: np.ndarray, exposure: np.ndarray, threshold: np.ndarray) -> np.ndarray:
    """One synchronous round of the model's ``update_engagement`` with its extras switched off.

    Everyone is able (spare capacity 1 against a floor of 0), willingness is 1 but the
    spontaneous rate is 0, and the drop-out rate is 0. The uniform draws are all 0: with both
    rates at 0 they cannot matter (``0 < 0`` never starts anyone, ``0 >= 0`` keeps everyone),
    which ``tests/test_docking.py`` checks against random draws. What is left is "stay engaged,
    or join when the exposure reaches the threshold" -- the classic rule.
    """
    n = engaged.shape[0]
    ones = np.ones(n)
    return engagement.update_engagement(
        engaged,
        exposure,
        threshold,
        spare_capacity=ones,
        willingness=ones,
        capacity_floor=0.0,
        spontaneous_rate=0.0,
        dropout_rate=0.0,
        uniform=np.zeros(n),
    )


def run_to_rest(
    adjacency: sp.sparray,
    threshold: np.ndarray,
    initial: np.ndarray,
    fractional: bool,
    max_rounds: int | None = None,
) -> tuple[np.ndarray, int]:
    """Iterate the limiting rule synchronously from ``initial`` until nobody changes.

    Each round computes everyone's exposure to the currently engaged (``neighbour_exposure``:
    a count, or a share of ties when ``fractional``) and applies ``limiting_update`` to all at
    once, as step 9 of the model does each month. Without drop-out nobody ever leaves, so the
    process stops after at most n rounds of change; a round in which someone leaves would mean
    the limiting configuration no longer holds, and raises ``RuntimeError``.

    Returns the final engaged array and the number of rounds in which someone joined.
    """
    n = adjacency.shape[0]
    degree = np.asarray(adjacency.sum(axis=1)).ravel()
    engaged = np.asarray(initial, dtype=bool).copy()
    limit = n + 1 if max_rounds is None else max_rounds
    for rounds in range(limit + 1):
        exposure = engagement.neighbour_exposure(adjacency, engaged, degree, fractional)
        new = limiting_update(engaged, exposure, threshold)
        if np.any(engaged & ~new):
            raise RuntimeError("an engaged citizen left in the limiting configuration")
        if np.array_equal(new, engaged):
            return engaged, rounds
        engaged = new
    raise RuntimeError(f"no rest after {limit} rounds")


# ---------------------------------------------------------------------------------------------
# Granovetter (1978): a well-mixed crowd, thresholds as numbers of other people
# ---------------------------------------------------------------------------------------------
def complete_graph_adjacency(n: int) -> sp.csr_array:
    """Adjacency of the complete graph on ``n`` people without self-loops (CSR, n(n-1) ones).

    With count exposure, row i times the engaged vector is the number of *others* engaged,
    which is what Granovetter's thresholds are measured against. Memory grows as n^2, which is
    harmless for his crowds of 100.
    """
    if n < 1:
        raise ValueError("n must be at least 1")
    return sp.csr_array(np.ones((n, n)) - np.eye(n))


def granovetter_participation(thresholds: np.ndarray) -> int:
    """Final number taking part in a well-mixed crowd with these thresholds.

    Nobody takes part at the start; anyone whose threshold is 0 or less joins in the first
    round (the instigators), and the model's rule is iterated on the complete graph with count
    exposure until it rests.
    """
    thresholds = np.asarray(thresholds, dtype=float)
    n = thresholds.shape[0]
    final, _ = run_to_rest(
        complete_graph_adjacency(n), thresholds, np.zeros(n, dtype=bool), fractional=False
    )
    return int(final.sum())


def granovetter_uniform(n: int = GRANOVETTER_N, perturb: bool = False) -> int:
    """Granovetter's uniform example: thresholds 0, 1, ..., n-1.

    Each joiner tips the next, so all ``n`` take part. With ``perturb`` the person whose
    threshold is 1 gets 2 instead; then the chain breaks after the first person and exactly 1
    takes part -- his point that near-identical crowds can behave entirely differently.
    """
    thresholds = np.arange(n, dtype=float)
    if perturb:
        if n < 3:
            raise ValueError("the perturbed example needs at least 3 people")
        thresholds[1] = 2.0
    return granovetter_participation(thresholds)


def normal_quantile_thresholds(
    sigma: float, mean: float = GRANOVETTER_MEAN, n: int = GRANOVETTER_N
) -> np.ndarray:
    """Deterministic stand-in for n normal thresholds: the quantiles at (i - 1/2)/n, i = 1..n.

    These are the midpoints of n equal-probability slices of N(mean, sigma^2), so the crowd has
    the normal shape without sampling noise and the participation curve against ``sigma`` is a
    single deterministic line. ``sigma = 0`` gives everyone the mean.
    """
    if sigma < 0:
        raise ValueError("sigma must be non-negative")
    probabilities = (np.arange(1, n + 1) - 0.5) / n
    return mean + sigma * stats.norm.ppf(probabilities)


def granovetter_normal(sigma: float, mean: float = GRANOVETTER_MEAN, n: int = GRANOVETTER_N) -> int:
    """Final participation with normally shaped thresholds (``normal_quantile_thresholds``).

    Granovetter (1978, fig. 2) found that with mean 25 and n = 100 the outcome stays at a few
    people as sigma grows, then jumps to nearly everyone near sigma = 12.2. With whole people
    the jump here comes a little later (about 12.55; see ``granovetter_jump_sigma``): a count
    of others only reaches a threshold of, say, 4.3 at 5, so thresholds act as if rounded up,
    whereas his continuous calculation (``granovetter_mean_field``) lets fractions of people
    join.
    """
    return granovetter_participation(normal_quantile_thresholds(sigma, mean, n))


def granovetter_normal_sampled(
    sigma: float,
    mean: float = GRANOVETTER_MEAN,
    n: int = GRANOVETTER_N,
    realisations: int = 100,
    seed: int = 0,
) -> np.ndarray:
    """Final participation in each of ``realisations`` crowds with thresholds drawn from
    N(mean, sigma^2).

    Realisation r draws n standard normal values z from its own SeedSequence child of
    ``(seed, Granovetter stream)`` and uses thresholds ``mean + sigma * z``. The same z serve
    every sigma (common random numbers), so curves against sigma are smooth and differences
    between sigmas are not sampling noise.
    """
    return np.array(
        [
            granovetter_participation(mean + sigma * z)
            for z in _standard_normal_crowds(n, realisations, seed)
        ]
    )


def _standard_normal_crowds(n: int, realisations: int, seed: int) -> list[np.ndarray]:
    """One array of n standard normal draws per realisation, from spawned seed sequences."""
    root = np.random.SeedSequence(seed, spawn_key=(_GRANOVETTER_STREAM,))
    return [np.random.default_rng(child).standard_normal(n) for child in root.spawn(realisations)]


def granovetter_mean_field(
    sigma: float, mean: float = GRANOVETTER_MEAN, n: int = GRANOVETTER_N, tol: float = 1e-9
) -> float:
    """Granovetter's own calculation, a yardstick: iterate r <- n F(r) from r = 0 to rest.

    F is the normal CDF of the thresholds, so r counts people continuously (fractions allowed).
    This is not the model's rule; it is the equilibrium the paper reports, against which the
    docking curve is compared. ``sigma = 0`` means everyone has threshold ``mean``.
    """
    r = 0.0
    for _ in range(100_000):
        if sigma == 0:
            new = float(n) if r >= mean else 0.0
        else:
            new = n * float(stats.norm.cdf((r - mean) / sigma))
        if abs(new - r) <= tol:
            return new
        r = new
    return r


def _bisect_jump(
    participation: Callable[[float], float], lo: float, hi: float, n: int, tol: float
) -> float:
    """Smallest sigma in [lo, hi] (to ``tol``) where ``participation(sigma)`` exceeds n/2."""
    if participation(lo) > n / 2 or participation(hi) <= n / 2:
        raise ValueError("the jump is not bracketed by [lo, hi]")
    while hi - lo > tol:
        mid = 0.5 * (lo + hi)
        if participation(mid) > n / 2:
            hi = mid
        else:
            lo = mid
    return hi


def granovetter_critical_sigma(
    mean: float = GRANOVETTER_MEAN,
    n: int = GRANOVETTER_N,
    lo: float = 5.0,
    hi: float = 20.0,
    tol: float = 1e-4,
) -> float:
    """Sigma at which Granovetter's continuous calculation jumps to (nearly) all: about 12.22
    for mean 25 and n = 100, the value the paper reports as 12.2."""
    return _bisect_jump(lambda s: granovetter_mean_field(s, mean, n), lo, hi, n, tol)


def granovetter_jump_sigma(
    mean: float = GRANOVETTER_MEAN,
    n: int = GRANOVETTER_N,
    lo: float = 5.0,
    hi: float = 20.0,
    tol: float = 1e-3,
) -> float:
    """Sigma at which the docked model (``granovetter_normal``) jumps to more than half the
    crowd, located by bisection on [lo, hi] (assumes a single jump there, as for mean 25)."""
    return _bisect_jump(lambda s: granovetter_normal(s, mean, n), lo, hi, n, tol)


def granovetter_curve(
    sigmas: Iterable[float],
    mean: float = GRANOVETTER_MEAN,
    n: int = GRANOVETTER_N,
    realisations: int = 100,
    seed: int = 0,
) -> pd.DataFrame:
    """Participation against sigma, one row per sigma.

    Columns: ``quantile`` (the deterministic docking curve, ``granovetter_normal``),
    ``mean_field`` (Granovetter's continuous yardstick), and over sampled crowds (skipped when
    ``realisations`` is 0): ``sampled_mean``, ``sampled_q10``/``sampled_median``/``sampled_q90``
    and ``share_nearly_all`` (share of crowds in which at least 90% take part).
    """
    crowds = _standard_normal_crowds(n, realisations, seed) if realisations > 0 else []
    rows = []
    for sigma in sigmas:
        sigma = float(sigma)
        row = {
            "sigma": sigma,
            "quantile": granovetter_normal(sigma, mean, n),
            "mean_field": granovetter_mean_field(sigma, mean, n),
        }
        if crowds:
            sampled = np.array([granovetter_participation(mean + sigma * z) for z in crowds])
            row |= {
                "sampled_mean": sampled.mean(),
                "sampled_q10": np.quantile(sampled, 0.1),
                "sampled_median": np.median(sampled),
                "sampled_q90": np.quantile(sampled, 0.9),
                "share_nearly_all": np.mean(sampled >= 0.9 * n),
            }
        rows.append(row)
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------------------------
# Watts (2002): global cascades on Erdos-Renyi random graphs, fractional thresholds
# ---------------------------------------------------------------------------------------------
def erdos_renyi_adjacency(n: int, z: float, rng: np.random.Generator) -> sp.csr_array:
    """Adjacency of a G(n, p) random graph with mean degree z (p = z / (n - 1)).

    networkx draws the graph using the numpy Generator ``rng``; the model's own
    ``network.adjacency`` turns it into the CSR matrix the engagement functions use.
    """
    p = min(1.0, z / (n - 1)) if n > 1 else 0.0
    return graph_adjacency(nx.fast_gnp_random_graph(n, p, seed=rng))


def watts_cascade(
    n: int = WATTS_N, z: float = 3.0, phi: float = WATTS_PHI, seed: SeedLike = 0
) -> float:
    """Final adopted share after one cascade (Watts 2002).

    Draws an Erdos-Renyi graph with mean degree ``z``, gives every node the fractional
    threshold ``phi``, switches on ONE node chosen uniformly at random, and iterates the
    model's rule with fractional exposure to rest. Nodes without ties have exposure 0 and never
    adopt. ``seed`` may be an int, a SeedSequence or a Generator.
    """
    rng = np.random.default_rng(seed)
    a = erdos_renyi_adjacency(n, z, rng)
    initial = np.zeros(n, dtype=bool)
    initial[rng.integers(n)] = True
    final, _ = run_to_rest(a, np.full(n, phi), initial, fractional=True)
    return float(final.mean())


def watts_seeds(z: float, realisations: int, seed: int) -> list[np.random.SeedSequence]:
    """Seed sequences of the realisations at mean degree ``z``: the children of
    ``SeedSequence(seed, spawn_key=(Watts stream, round(z * 1e6)))``, so each z has its own
    streams whatever else is run."""
    key = round(z * _Z_KEY_SCALE)
    return np.random.SeedSequence(seed, spawn_key=(_WATTS_STREAM, key)).spawn(realisations)


def watts_sizes(
    z: float, phi: float = WATTS_PHI, n: int = WATTS_N, realisations: int = 100, seed: int = 0
) -> np.ndarray:
    """Cascade sizes (adopted shares) of ``realisations`` independent graphs and seeds at z."""
    return np.array([watts_cascade(n, z, phi, s) for s in watts_seeds(z, realisations, seed)])


def watts_frequency(
    z_values: Iterable[float],
    phi: float = WATTS_PHI,
    n: int = WATTS_N,
    realisations: int = 100,
    seed: int = 0,
    global_share: float = GLOBAL_SHARE,
) -> pd.DataFrame:
    """Frequency and mean size of global cascades against mean degree (Watts 2002, fig. 1).

    One row per z: ``realisations``, ``global_cascades`` (how many reached at least
    ``global_share`` of the nodes), ``frequency`` (their share), ``mean_global_size`` (mean
    adopted share over the global cascades only; NaN when there were none) and
    ``mean_size`` (over all realisations).
    """
    rows = []
    for z in z_values:
        sizes = watts_sizes(float(z), phi, n, realisations, seed)
        is_global = sizes >= global_share
        rows.append(
            {
                "z": float(z),
                "realisations": realisations,
                "global_cascades": int(is_global.sum()),
                "frequency": float(is_global.mean()),
                "mean_global_size": float(sizes[is_global].mean()) if is_global.any() else math.nan,
                "mean_size": float(sizes.mean()),
            }
        )
    return pd.DataFrame(rows)


def watts_window(phi: float = WATTS_PHI, z_max: float = 50.0) -> tuple[float, float] | None:
    """Analytic cascade window of Watts (2002) for Poisson degrees, a yardstick.

    A node of degree k is vulnerable (one adopting neighbour tips it) when 1/k >= phi, i.e.
    k <= K = floor(1/phi). Global cascades are possible when the vulnerable nodes percolate:
    sum_k k (k - 1) p_k over vulnerable k equals z. For Poisson p_k this reads
    z * P(Poisson(z) <= K - 2) = 1. Returns the two roots (about 1.02 and 5.76 for
    phi = 0.18), or None when no z satisfies it (phi > 1/2).
    """
    k_vulnerable = math.floor(1.0 / phi + 1e-12)
    if k_vulnerable < 2:
        return None

    def excess(z: float) -> float:
        return z * float(stats.poisson.cdf(k_vulnerable - 2, z)) - 1.0

    grid = np.linspace(1e-6, z_max, 5001)
    values = np.array([excess(z) for z in grid])
    above = values > 0
    if not above.any():
        return None
    first, last = np.argmax(above), len(above) - 1 - np.argmax(above[::-1])
    lower = optimize.brentq(excess, grid[first - 1], grid[first])
    upper = optimize.brentq(excess, grid[last], grid[last + 1])
    return lower, upper
