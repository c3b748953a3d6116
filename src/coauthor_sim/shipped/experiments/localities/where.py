"""For whom and where: each policy's effect in each council of a localities sweep.

After ``coauthor-sim sweep experiments/localities/councils.toml --out results/councils``::

    python experiments/localities/where.py results/councils

For every council and every policy point, the change against that council's status-quo point
(no community money, prevention share 0.1) in final-year outcomes: the mean over replications,
a 90% interval and the chance that the change is above zero (normal approximation over the
replications' spread; runs of different points have independent seeds, so the spread of both
points counts).
"""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
from scipy import stats

from coauthor_sim import load_results

OUTCOMES = ("life_satisfaction", "wellbeing_most_deprived", "wellbeing_least_deprived",
            "wellbeing_gap")  # fmt: skip
POLICY = ("x_community_resources", "x_prevention_share")


def effects(runs: pd.DataFrame, outcome: str) -> pd.DataFrame:
    """Change in ``outcome`` against each council's status-quo point, with its uncertainty."""
    rows = []
    for council, own in runs.groupby("x_local_authority"):
        groups = {key: g[outcome].to_numpy(float) for key, g in own.groupby(list(POLICY))}
        base = groups[min(groups)]  # the lowest levels: the status quo
        for key, values in groups.items():
            if values is base:
                continue
            change = values.mean() - base.mean()
            se = np.sqrt(values.var(ddof=1) / values.size + base.var(ddof=1) / base.size)
            rows.append({
                "council": council, "community_resources": key[0], "prevention_share": key[1],
                "change": change, "low_90": change - 1.645 * se, "high_90": change + 1.645 * se,
                "chance_above_0": float(stats.norm.cdf(change / se)) if se > 0 else np.nan,
            })  # fmt: skip
    return pd.DataFrame(rows)


def main(folder: str) -> None:
    runs, _ = load_results(folder)
    runs = runs[runs["status"] == "done"]
    sizes = runs.groupby("x_local_authority")[["n_citizens", "n_neighbourhoods"]].first()
    print("Councils (citizens, neighbourhoods):", sizes.to_dict("index"), "\n")
    for outcome in OUTCOMES:
        print(f"{outcome}: change against the council's status quo")
        print(effects(runs, outcome).round(3).to_string(index=False), "\n")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "results/councils")
