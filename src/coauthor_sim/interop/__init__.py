"""Adapters to the tools researchers already use: EMA Workbench (``interop.ema``, optional
extra ``ema``) and SALib (``interop.salib``, optional extra ``salib``). Both take parameter
names and plausible ranges from ``interop.ranges``: our schema, priors and effect sizes."""
