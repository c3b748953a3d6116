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


def run_cli(capsys, *args) -> tuple[int, str, str]:
    """Call ``coauthor-sim`` in-process (``cli.main``): exit code, stdout, stderr.

    For inputs refused before any work: the same parser, checks and exit codes as the
    installed command, without a second interpreter importing the package (about a second
    each). The real entry point stays covered by the tests that run it as a subprocess."""
    from coauthor_sim.cli import main

    capsys.readouterr()  # start from empty streams
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err
