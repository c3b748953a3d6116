"""Worker functions that misbehave on purpose, for the sweep tests. Kept in a module of their
own that imports nothing heavy: every worker process unpickles them by importing this module,
and the kill tests start a dozen such processes (importing the test module with pandas and the
model cost about half a second more each)."""

from __future__ import annotations

import os
import signal
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from coauthor_sim.experiment.runner import RunSpec


def fail_on_odd_points(spec: RunSpec) -> dict:
    """A worker that raises for runs of odd design points (a real exception, in a worker)."""
    if spec.labels["point"] % 2:
        raise ValueError(f"point {spec.labels['point']} is broken")
    return {"final": {"life_satisfaction": float(spec.seed % 7)}}


def die_on_run_3(spec: RunSpec) -> int:
    """A worker that kills its own process on run 3: the pool breaks for real."""
    if spec.key == "3":
        os.kill(os.getpid(), signal.SIGKILL)
    time.sleep(0.05)
    return int(spec.key)
