"""Scenarios, data and experiments installed with the package, found by name from any folder.

The shipped scenario files (``status_quo``, ``austerity`` ...), data files (``targets.toml``,
``priors.toml``) and experiment files (``small_example`` ...) live in this package's folders
``scenarios/``, ``data/`` and ``experiments/``, so ``pip install`` carries them and
``coauthor-sim compare`` or ``load_experiment("small_example")`` work from any folder. Files of
the user's own come first: a name is looked up in the folder given (``--dir``, default
``./scenarios``; ``./experiments`` for experiments), then among the shipped files.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from ..messages import ScenarioError, closest, printable

KINDS = ("scenarios", "data", "experiments")


def shipped_folder(kind: str) -> Path:
    """The installed folder of shipped ``scenarios``, ``data`` or ``experiments``."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}")
    return Path(str(resources.files(__name__) / kind))


def shipped_names() -> list[str]:
    """Names of the shipped scenarios, as ``scenario_path`` accepts them."""
    folder = shipped_folder("scenarios")
    return sorted(p.relative_to(folder).with_suffix("").as_posix() for p in folder.rglob("*.toml"))


def default_scenario_folder(given: str | None) -> Path:
    """The folder ``coauthor-sim scenarios`` and ``compare`` list: ``--dir`` if given, else
    ``./scenarios`` if there is one, else the shipped scenarios."""
    if given is not None:
        return Path(given)
    local = Path("scenarios")
    return local if local.is_dir() else shipped_folder("scenarios")


def find_scenario(name_or_path: str, folder: str | Path | None = None) -> Path:
    """The scenario file a user means: a path as given (``my.toml``, ``../x/y.toml``), else
    ``<folder>/<name>.toml`` (folder: ``--dir``, default ``./scenarios``), else the shipped
    scenario of that name. Raises ScenarioError listing the names when nothing matches."""
    given = Path(name_or_path)
    if given.is_file():
        return given
    if given.suffix == ".toml" and (len(given.parts) > 1 or given.exists()):
        return given  # an explicit path: its own "no such file" error
    name = name_or_path[:-5] if name_or_path.endswith(".toml") else name_or_path
    candidates = [Path(folder or "scenarios") / f"{name}.toml"]
    candidates.append(shipped_folder("scenarios") / f"{name}.toml")
    for path in candidates:
        if path.is_file():
            return path
    if name_or_path.endswith(".toml"):
        raise ScenarioError(f"{name_or_path}: no such scenario file")
    names = shipped_names()
    hint = closest(name, names)
    head = (
        f"{candidates[0]}: no such scenario file, and no shipped scenario {printable(repr(name))}"
    )
    if hint:
        raise ScenarioError(f"{head}; did you mean '{hint}'?")
    raise ScenarioError(f"{head} (shipped: {', '.join(names)})")


def find_data(name_or_path: str) -> Path:
    """A data file (targets, priors): the path as given if it exists, else the shipped file of
    that name (``targets.toml``, or ``data/targets.toml`` as older instructions say)."""
    given = Path(name_or_path)
    if given.exists():
        return given
    shipped = shipped_folder("data") / given.name
    plain = len(given.parts) == 1 or given.parts[:-1] == ("data",)
    return shipped if plain and shipped.is_file() else given


def find_experiment(name_or_path: str) -> Path:
    """The experiment file a user means: a path as given if it exists (or ends in ``.toml``
    with a folder), else ``./experiments/<name>.toml``, else the shipped experiment of that
    name (``small_example``, ``compare/robust_worlds``). Raises ScenarioError listing the
    shipped names when nothing matches."""
    given = Path(name_or_path)
    if given.is_file() or (given.suffix == ".toml" and len(given.parts) > 1):
        return given
    name = name_or_path[:-5] if name_or_path.endswith(".toml") else name_or_path
    for path in (
        Path("experiments") / f"{name}.toml",
        shipped_folder("experiments") / f"{name}.toml",
    ):
        if path.is_file():
            return path
    folder = shipped_folder("experiments")
    names = sorted(p.relative_to(folder).with_suffix("").as_posix() for p in folder.rglob("*.toml"))
    hint = closest(name, names)
    head = (f"{printable(name_or_path)}: no such experiment file, and no shipped experiment "
            f"{printable(repr(name))}")  # fmt: skip
    raise ScenarioError(
        f"{head}; did you mean '{hint}'?" if hint else f"{head} (shipped: {', '.join(names)})"
    )
