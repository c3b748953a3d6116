"""``coauthor_sim.ema``: the EMA Workbench adapter under a short name (see
``coauthor_sim.interop.ema``; optional extra ``ema``)."""

from .interop.ema import DEFAULT_OUTCOMES, Simulator, model, parameter

__all__ = ["DEFAULT_OUTCOMES", "Simulator", "model", "parameter"]
