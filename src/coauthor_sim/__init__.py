"""coauthor-sim: citizens as co-authors of their well-being in local public services.

An agent-based model (Mesa) of the system of Local Public Support proposed by the University of
Birmingham Policy Commission (2011). See docs/ODD.md for the full description.
"""

from .agents import Citizen, Provider, PublicServant
from .model import CoauthorModel
from .params import ParameterError, Parameters, resolve

__version__ = "0.1.0"

__all__ = [
    "Citizen",
    "CoauthorModel",
    "ParameterError",
    "Parameters",
    "Provider",
    "PublicServant",
    "__version__",
    "resolve",
]
