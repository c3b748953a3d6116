"""The model's mechanisms: pure functions over numpy arrays, one family per module.

No Mesa, no I/O. Each function is one submodel of ``docs/ODD.md`` and carries its name; the
model's ``step`` calls them in the order of the ODD process overview.
"""
