"""Bit-identity check for speed work on the monthly step: the outcome tables and the final state
of several scenarios at a fixed seed, saved before a change and compared after it, or compared
at once with another source tree (e.g. the readable numpy step of ``main``).

Run from the repository root::

    python benchmarks/identity_check.py --save results/identity_before.npz   # before
    python benchmarks/identity_check.py --compare results/identity_before.npz   # after
    git archive main src | tar -x -C /tmp/main      # or: against another tree, in one go
    python benchmarks/identity_check.py --against /tmp/main/src

A semantics-preserving speed-up must leave every number equal, bit for bit (NaN equal to NaN):
every outcome of every month, and every citizen, servant, provider and government array at the
end (ties included). The cases cover every shipped scenario plus overrides that switch on the
branches the shipped scenarios leave off (entitlement floor, capacity building, training and
inclusive deliberation, outcome contracts with exit, another network kind, tie change every
year; a social impact bond that is repaid, with its counterfactual twin; community money that
harms, mass unemployment and yearly paths of levers and uncertainties), at 6,000 citizens over
30 months (two tie changes and two reviews, three years of the paths).

What is pinned: model science v3 (issue 22) and the yearly paths and unemployment of issue 24
changed the model's results, so the reference is the numpy step of ``main`` after them (its
mechanisms called one by one, no kernels; commit 9057ca8): ``--against`` a copy of that tree
must print IDENTICAL for every case, as it did when the compiled kernels (issue 23) were merged
with it.

``--lsoa`` shapes every case as ``bench_step.py``'s localities (neighbourhoods of about 1,500
citizens, 10 servants per 1,000, mean degree 10), where each neighbourhood has many servants
and a change in the order of a sum shows; e.g. ``--lsoa --n 300000 --steps 13 --cases
status_quo levers_on`` (about a minute).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

CASES: dict[str, tuple[str, dict]] = {
    "status_quo": ("status_quo", {}),
    "local_public_support": ("local_public_support", {}),
    "market_commissioning": ("market_commissioning", {}),
    "prevention_first": ("prevention_first", {}),
    "austerity": ("austerity", {}),
    "big_society_unfunded": ("big_society_unfunded", {}),
    "co_production_only": ("co_production_only", {}),
    "levers_on": (
        "local_public_support",
        {
            "entitlements": 0.3,
            "capacity_building": 0.05,
            "servant_training": 0.5,
            "deliberation_inclusion": 0.7,
            "connective_government": 0.5,
            "cream_skimming": 0.5,
            "provider_exit_rate": 0.5,
            "pooled_budget": 0.1,
        },
    ),
    "small_world": ("status_quo", {"network_kind": "small_world"}),
    "baseline_2010": ("history/baseline_2010", {}),
    "austerity_decade": ("history/austerity_decade", {}),  # yearly paths of the history
    "bond_repaid": (  # a stretched locality: the bond beats its twin and is repaid
        "status_quo",
        {"pooled_budget": 0.3, "grant_per_citizen": 40.0},
    ),
    "harm_and_paths": (  # community money that harms, unemployment, paths crossing years
        "status_quo",
        {
            "community_resources": 0.05,
            "community_help_effect": -0.8,
            "community_action_effect": -0.6,
            "community_tie_effect": 0.0,
            "unemployment_gradient": 2.5,
            "capacity_learning": 0.08,
            "control_from_voice": 0.4,
            "co_production": 0.4,
            "paths": "unemployment_rate: 0.25 0.1 0.04; community_resources: 0.05 0.1;"
            " formula_deprivation_weight: 1.0 0.2 0.6; grant_per_citizen: 60 45",
        },
    ),
}
N, STEPS, SEED = 6_000, 30, 11


def snapshot(
    scenario: str, overrides: dict, n: int, steps: int, seed: int
) -> dict[str, np.ndarray]:
    """Every number a run leaves: its outcome table and its final state, as named arrays."""
    from coauthor_sim import CoauthorModel

    model = CoauthorModel.from_scenario(scenario, seed=seed, n_citizens=n, steps=steps, **overrides)
    table = model.run()
    out = {f"outcome/{name}": table[name].to_numpy() for name in table.columns}
    for group in ("citizens", "servants", "providers", "local", "central"):
        state = getattr(model, group)
        for field in dataclasses.fields(state):
            value = getattr(state, field.name)
            if value is not None:
                out[f"{group}/{field.name}"] = np.asarray(value)
    adjacency = model.adjacency
    out["network/indptr"], out["network/indices"] = adjacency.indptr, adjacency.indices
    return out


LSOA = 1_500  # citizens per neighbourhood with --lsoa (as bench_step.py)


def run_all(
    n: int, steps: int, seed: int, cases: list[str], lsoa: bool = False
) -> dict[str, np.ndarray]:
    """Snapshots of ``cases``, keyed ``case:name`` (with ``lsoa``, in bench-shaped localities)."""
    out = {}
    shape = {"n_neighbourhoods": max(20, n // LSOA), "servants_per_1000": 10.0,
             "mean_degree": 10.0} if lsoa else {}  # fmt: skip
    for case in cases:
        scenario, overrides = CASES[case]
        overrides = {**overrides, **shape}
        start = time.process_time()
        for key, value in snapshot(scenario, overrides, n, steps, seed).items():
            out[f"{case}:{key}"] = value
        print(f"  {case}: {time.process_time() - start:.1f} s CPU", file=sys.stderr)
    return out


def differences(before: dict, after: dict) -> tuple[list[str], list[str]]:
    """Names of the arrays that differ in value (shape, dtype or any number; NaN equals NaN),
    and of those equal in value whose bytes still differ (the sign of a zero, a NaN's
    payload): bit for bit means both lists are empty."""
    bad, signs = sorted(set(before) ^ set(after)), []
    for key in sorted(set(before) & set(after)):
        a, b = before[key], after[key]
        if a.shape != b.shape or a.dtype != b.dtype:
            bad.append(f"{key} (shape/dtype)")
        elif a.tobytes() != b.tobytes():
            same_value = np.array_equal(a, b, equal_nan=a.dtype.kind == "f")
            (signs if same_value else bad).append(key)
    return bad, signs


def against(src: str, argv: list[str]) -> int:
    """Save the cases as computed by the tree ``src`` (first on the import path, in a fresh
    process), then compare this tree with them."""
    options = [a for a in argv if a != "--against" and a != src]
    with tempfile.TemporaryDirectory() as folder:
        stored = str(Path(folder) / "other.npz")
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([src, os.environ.get("PYTHONPATH", "")])}
        print(f"the other tree ({Path(src).name}):", file=sys.stderr)
        subprocess.run([sys.executable, __file__, "--save", stored, *options], env=env,
                       check=True)  # fmt: skip
        print("this tree:", file=sys.stderr)
        return main(["--compare", stored, *options])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--save", metavar="NPZ")
    action.add_argument("--compare", metavar="NPZ")
    action.add_argument("--against", metavar="SRC", help="another tree's src folder")
    parser.add_argument("--n", type=int, default=N)
    parser.add_argument("--steps", type=int, default=STEPS)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--cases", nargs="+", default=list(CASES), choices=list(CASES))
    parser.add_argument("--lsoa", action="store_true", help="bench-shaped localities")
    args = parser.parse_args(argv)

    if args.against:
        return against(args.against, argv or sys.argv[1:])
    now = run_all(args.n, args.steps, args.seed, args.cases, args.lsoa)
    if args.save:
        np.savez_compressed(args.save, **now)
        print(f"saved {len(now)} arrays to {args.save}")
        return 0
    with np.load(args.compare) as stored:
        before = {key: stored[key] for key in stored.files if key.split(":")[0] in args.cases}
    bad, signs = differences(before, now)
    if bad:
        print(f"DIFFERENT: {len(bad)} of {len(before)} arrays, e.g. {', '.join(bad[:8])}")
        return 1
    if signs:
        print(f"EQUAL IN VALUE, bytes differ (sign of zero or NaN payload): {', '.join(signs)}")
        return 1
    print(f"IDENTICAL: all {len(now)} arrays bit for bit ({len(args.cases)} cases)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
