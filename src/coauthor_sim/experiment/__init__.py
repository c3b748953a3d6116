"""Running many simulations: run specifications, seeds, and execution on any Executor."""

from .runner import RunSpec, execute, replication_seeds, simulate

__all__ = ["RunSpec", "execute", "replication_seeds", "simulate"]
