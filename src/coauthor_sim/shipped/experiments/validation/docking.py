"""Docking figures: the model's engagement rule against Granovetter (1978) and Watts (2002).

Runs ``coauthor_sim.docking`` over the full parameter ranges of the two papers' figures and
writes, into ``--out``:

* ``granovetter.csv`` / ``granovetter.png`` -- final participation in a crowd of 100 against
  the standard deviation sigma (0 to 25) of normally distributed thresholds with mean 25:
  the deterministic docking curve (quantile thresholds), sampled crowds (mean and 10-90%
  band) and Granovetter's continuous calculation, with his critical sigma marked.
  Source: Granovetter, M. (1978), Threshold models of collective behavior, American Journal of
  Sociology 83(6): 1420-1443, fig. 2.
* ``watts.csv`` / ``watts.png`` -- frequency and mean size of global cascades (>= 10% of nodes)
  against mean degree z (0.5 to 12) on Erdos-Renyi graphs of 10,000 nodes with fractional
  threshold 0.18 and one random initial adopter, with the analytic cascade window shaded.
  Source: Watts, D. J. (2002), A simple model of global cascades on random networks, PNAS
  99(9): 5766-5771, fig. 1.
* ``manifest.json`` -- versions, git commit, arguments, seeds, timings and headline numbers.

Usage::

    python experiments/validation/docking.py --out results/validation --realisations 200 --seed 0

The Watts part dominates the run time: about 0.1-0.2 s per realisation on one core (drawing the
graph with networkx and converting it to a sparse matrix is most of it), so the default of 200
realisations at 24 mean degrees takes about a quarter of an hour; 60 realisations took 5 minutes.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from coauthor_sim import docking
from coauthor_sim.provenance import manifest, write_json
from coauthor_sim.validation import plot_granovetter, plot_watts

REPORT_Z = (1.0, 3.0, 5.0, 6.0, 7.0, 8.0)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--out", type=Path, default=Path("results/validation"), help="output folder"
    )
    parser.add_argument(
        "--realisations", type=int, default=200, help="realisations per sigma and per z"
    )
    parser.add_argument("--seed", type=int, default=0, help="root seed of all random streams")
    parser.add_argument("--n", type=int, default=docking.WATTS_N, help="nodes of Watts graphs")
    parser.add_argument("--phi", type=float, default=docking.WATTS_PHI, help="Watts threshold")
    parser.add_argument("--z-step", type=float, default=0.5, help="mean-degree grid step")
    parser.add_argument("--sigma-step", type=float, default=0.1, help="sigma grid step")
    args = parser.parse_args(argv)
    if args.realisations < 1:
        parser.error("--realisations must be at least 1")
    return args


def main(argv: list[str] | None = None) -> None:
    """Compute both docking experiments and write CSVs, PNGs and a manifest."""
    args = parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    timings = {}

    start = time.perf_counter()
    sigmas = np.round(np.arange(0.0, 25.0 + 1e-9, args.sigma_step), 6)
    gran = docking.granovetter_curve(sigmas, realisations=args.realisations, seed=args.seed)
    critical = docking.granovetter_critical_sigma()
    jump = docking.granovetter_jump_sigma()
    gran.to_csv(args.out / "granovetter.csv", index=False)
    plot_granovetter(gran, critical, jump).savefig(args.out / "granovetter.png", dpi=130)
    timings["granovetter_seconds"] = round(time.perf_counter() - start, 2)
    print(f"Granovetter: critical sigma (continuous) {critical:.3f}, docked jump {jump:.3f}")

    start = time.perf_counter()
    z_values = np.round(np.arange(0.5, 12.0 + 1e-9, args.z_step), 6)
    watts = docking.watts_frequency(
        z_values, phi=args.phi, n=args.n, realisations=args.realisations, seed=args.seed
    )
    window = docking.watts_window(args.phi)
    watts.to_csv(args.out / "watts.csv", index=False)
    plot_watts(watts, window, args.n, args.phi).savefig(args.out / "watts.png", dpi=130)
    timings["watts_seconds"] = round(time.perf_counter() - start, 2)
    print(f"Watts: analytic window {window}")
    print(watts[watts["z"].isin(REPORT_Z)].to_string(index=False))

    write_json(
        args.out / "manifest.json",
        manifest(
            experiment="docking of the engagement rule (Granovetter 1978; Watts 2002)",
            arguments={k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
            seed_scheme="numpy SeedSequence(seed, spawn_key=(stream, key)).spawn(realisations)",
            granovetter={"critical_sigma_continuous": critical, "docked_jump_sigma": jump},
            watts={"analytic_window": window, "global_share": docking.GLOBAL_SHARE},
            timings=timings,
            files=["granovetter.csv", "granovetter.png", "watts.csv", "watts.png"],
        ),
    )


if __name__ == "__main__":
    main()
