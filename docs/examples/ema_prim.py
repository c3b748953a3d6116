"""Scenario discovery and robustness with EMA Workbench: when does co-production fail?

Run from the repository folder: python docs/examples/ema_prim.py (about ten seconds).
Needs the ema extra: pip install -e ".[ema]".
"""

import numpy as np
from ema_workbench import perform_experiments
from ema_workbench.analysis import prim

from coauthor_sim.interop import ema

# The calibrated status quo as an EMA model: one lever, two uncertainties (willingness_mean
# over the calibration's posterior; need_growth has no stated range, so we choose one); a small
# locality for speed.
model = ema.model(
    levers=["co_production"],
    uncertainties={"willingness_mean": None, "need_growth": (0.04, 0.14)},
    outcomes=["life_satisfaction", "wellbeing_gap"],
    n_citizens=300,
    steps=36,
)
np.random.seed(1)  # noqa: NPY002 - EMA samples with numpy's global generator
experiments, outcomes = perform_experiments(model, scenarios=24, policies=3)

# Scenario discovery: which uncertain conditions give the worst quarter of well-being?
x = experiments[["willingness_mean", "need_growth"]]
bad = outcomes["life_satisfaction"] <= np.quantile(outcomes["life_satisfaction"], 0.25)
box = prim.Prim(x, bad, threshold=0.6).find_box()
print(f"PRIM box: coverage {box.coverage:.2f}, density {box.density:.2f}")
print(box.box_lims[-1])

# Robustness of each policy across the same 24 scenarios: the 10th percentile of well-being,
# and the largest regret (how far below the best policy of each scenario it falls).
table = experiments[["scenario", "policy", "co_production"]].assign(
    wellbeing=outcomes["life_satisfaction"]
)
best = table.groupby("scenario", observed=True)["wellbeing"].transform("max")
table["regret"] = best - table["wellbeing"]
robustness = table.groupby("policy", observed=True).agg(
    co_production=("co_production", "first"),
    p10_wellbeing=("wellbeing", lambda w: w.quantile(0.1)),
    max_regret=("regret", "max"),
)
print(robustness.sort_values("max_regret"))
