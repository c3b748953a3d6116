"""Adapters to the tools researchers already use, imported one way::

    from coauthor_sim.interop import ema, salib

``ema``: the model as an EMA Workbench ``Model`` (optional extra ``ema``); ``salib``: SALib
``ProblemSpec``s, the model as a function of a sample, and stored Sobol sweeps for SALib's
analysers (optional extra ``salib``). Both take parameter ranges from ``interop.ranges``: the
project's calibration posterior, priors and effect sizes, never the schema's widest bounds."""
