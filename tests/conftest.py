"""Shared test settings.

Hypothesis runs the fixed ``ci`` profile unless told otherwise: derandomized (the examples
come from a seed derived from each test, not from the clock), no example database, no
deadline, so the same code gives the same verdict on every run, on any machine, however
loaded. ``HYPOTHESIS_PROFILE=explore`` searches afresh with more examples when hunting for
bugs; a failure found that way is fixed and pinned with ``@example`` before it goes to CI.
"""

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    max_examples=30,
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "explore", max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
