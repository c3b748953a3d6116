"""Running many simulations: run specifications, seeds, and execution on any Executor."""

from .runner import RunResult, RunSpec, execute, replication_seeds, simulate

__all__ = ["RunResult", "RunSpec", "execute", "replication_seeds", "simulate"]
