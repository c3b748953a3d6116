"""Helpers shared by several test modules (imported as ``helpers``: pytest puts tests/ on the
path)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def experiment_file(folder: Path, body: str, name: str = "exp") -> Path:
    """Write an experiment file into ``folder/experiments``, with ``folder/scenarios`` linked to
    the shipped scenarios so that ``scenario = "status_quo"`` resolves as in the repository."""
    exp_dir = folder / "experiments"
    exp_dir.mkdir(parents=True, exist_ok=True)
    scenarios = folder / "scenarios"
    if not scenarios.exists():
        scenarios.symlink_to(ROOT / "scenarios")
    path = exp_dir / f"{name}.toml"
    path.write_text(body)
    return path
