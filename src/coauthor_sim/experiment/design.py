"""Experimental designs: which parameter values each design point takes.

Designs work on ``Factor``s. A factor has either levels (a list of values) or a range
``[low, high]``:

- ``full_factorial``: every combination of every factor's levels;
- ``points``: an explicit list of points;
- ``latin_hypercube``: ``samples`` points, one per stratum of every range
  (``scipy.stats.qmc.LatinHypercube``);
- ``sobol``: the Saltelli scheme for Sobol sensitivity indices: two Sobol-sequence matrices A
  and B of ``samples`` rows and, for each factor i, the matrix A with column i taken from B
  (``samples x (factors + 2)`` points in all), in the layout ``scipy.stats.sobol_indices``
  expects.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.stats import qmc

DESIGNS = ("full_factorial", "points", "latin_hypercube", "sobol")


@dataclass(frozen=True)
class Factor:
    """A parameter varied by an experiment: its levels, or the range it is sampled from."""

    name: str
    group: str
    levels: tuple[Any, ...] | None = None
    low: float | None = None
    high: float | None = None
    integer: bool = False

    def scale(self, unit: np.ndarray) -> np.ndarray:
        """Map numbers in [0, 1) onto the factor's range (rounded for integer parameters)."""
        values = self.low + unit * (self.high - self.low)
        return np.round(values) if self.integer else values


@dataclass(frozen=True)
class Point:
    """One design point: the factor values, and its place in a Sobol design if any."""

    values: dict[str, Any]
    role: str = ""  # "A", "B" or "AB:<factor>" in a Sobol design
    row: int = -1


def full_factorial(factors: list[Factor]) -> list[Point]:
    """Every combination of the factors' levels, the last factor varying fastest."""
    names = [f.name for f in factors]
    combos = itertools.product(*(f.levels for f in factors))
    return [Point(dict(zip(names, combo, strict=True))) for combo in combos]


def latin_hypercube(factors: list[Factor], samples: int, seed: int) -> list[Point]:
    """``samples`` Latin hypercube points over the factors' ranges."""
    unit = qmc.LatinHypercube(d=len(factors), rng=np.random.default_rng(seed)).random(samples)
    return _points(factors, unit)


def sobol_matrices(factors: list[Factor], samples: int, seed: int) -> list[Point]:
    """Saltelli's A, B and AB_i matrices from one scrambled Sobol sequence of twice the
    dimension (A = first half of the columns, B = second half), rows in that order."""
    d = len(factors)
    unit = qmc.Sobol(d=2 * d, scramble=True, rng=np.random.default_rng(seed)).random(samples)
    a, b = unit[:, :d], unit[:, d:]
    points = _points(factors, a, "A") + _points(factors, b, "B")
    for i, factor in enumerate(factors):
        ab = a.copy()
        ab[:, i] = b[:, i]
        points += _points(factors, ab, f"AB:{factor.name}")
    return points


def _points(factors: list[Factor], unit: np.ndarray, role: str = "") -> list[Point]:
    columns = [f.scale(unit[:, i]) for i, f in enumerate(factors)]
    points = []
    for row in range(unit.shape[0]):
        values = {
            f.name: (int(col[row]) if f.integer else float(col[row]))
            for f, col in zip(factors, columns, strict=True)
        }
        points.append(Point(values, role, row if role else -1))
    return points
