"""Every result knows which code made it: sweeps from the command line and from Python write
the same manifest; a folder made by other code (a real second commit of a real git copy of
the package) is refused, nothing written, or resumed with each run labelled when mixing is
asked for."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

from coauthor_sim import __version__, load_experiment, load_results, run_sweep
from coauthor_sim.provenance import code_version
from helpers import experiment_file, run_cli

ROOT = Path(__file__).resolve().parents[1]

TINY = """
description = "provenance test"
scenario = "status_quo"
seed = 5
replications = 2
[fixed]
n_citizens = 100
steps = 6
[design]
kind = "full_factorial"
[levers]
co_production = [0.1, 0.4]
"""
# differ between two sessions by nature (times, process, how it was called)
VOLATILE = {"created", "command"}
VOLATILE_SESSION = {"started", "ended", "pid"}


def _comparable(manifest: dict) -> dict:
    out = {k: v for k, v in manifest.items() if k not in VOLATILE}
    out["sessions"] = [{k: v for k, v in s.items() if k not in VOLATILE_SESSION}
                       for s in manifest["sessions"]]  # fmt: skip
    return out


def test_python_run_sweep_writes_the_same_manifest_as_the_command_line(tmp_path, capsys):
    path = experiment_file(tmp_path, TINY)
    code, _, err = run_cli(capsys, "sweep", path, "--out", tmp_path / "cli", "--jobs", "1",
                           "--quiet")  # fmt: skip
    assert code == 0, err
    run_sweep(load_experiment(path), tmp_path / "py", jobs=1, progress=False)
    cli = json.loads((tmp_path / "cli" / "manifest.json").read_text())
    py = json.loads((tmp_path / "py" / "manifest.json").read_text())
    assert _comparable(cli) == _comparable(py)
    assert list(cli) == list(py)  # the same keys in the same order
    here = code_version()
    assert py["code_id"] == here["id"] and py["runs_by_code"] == {here["id"]: 4}
    assert {"mesa", "numpy", "dask", "ema_workbench", "SALib", "pyabc"} <= set(py["libraries"])
    (session,) = py["sessions"]
    assert session["status"] == "finished" and session["code"]["commit"] == here["commit"]
    assert session["code"]["libraries"] == py["libraries"]
    runs, _ = load_results(tmp_path / "py")
    assert (runs["code_id"] == here["id"]).all() and (runs["code_version"] == here["version"]).all()
    assert session["figures"] == ["figures/main_effects.png"]  # the standard figures
    assert (tmp_path / "py" / "figures" / "main_effects.png").stat().st_size > 1000


def _git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=test", "-c", "user.email=test@example.org", *args],
        cwd=repo, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return done.stdout.strip()


def _sweep(repo: Path, cwd: Path, *extra: str) -> subprocess.CompletedProcess:
    """``coauthor-sim sweep`` with the package imported from ``repo`` (a copy in its own git
    repository), as a user of that checkout would run it."""
    env = {**os.environ, "PYTHONPATH": str(repo)}
    command = [sys.executable, "-m", "coauthor_sim.cli", "sweep", "experiments/exp.toml",
               "--out", "res", "--jobs", "1", "--quiet", *extra]  # fmt: skip
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def test_a_sweep_resumed_by_other_code_is_refused_or_labelled_run_by_run(tmp_path):
    repo = tmp_path / "checkout"
    shutil.copytree(ROOT / "src" / "coauthor_sim", repo / "coauthor_sim",
                    ignore=shutil.ignore_patterns("__pycache__"))  # fmt: skip
    # as in a real checkout, Python's and numba's caches are ignored (the kernels' compiled
    # cache lands in coauthor_sim/__pycache__ on the first run)
    shutil.copy(ROOT / ".gitignore", repo / ".gitignore")
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "first")
    first = _git(repo, "rev-parse", "HEAD")
    experiment_file(tmp_path, TINY)
    done = _sweep(repo, tmp_path)
    assert done.returncode == 0, done.stderr
    res = tmp_path / "res"
    assert set(load_results(res)[0]["code_commit"]) == {first}
    with sqlite3.connect(res / "results.sqlite") as db:  # as if killed after two runs
        db.execute("DELETE FROM runs WHERE run_id >= 2")
    db.close()

    _git(repo, "commit", "-q", "--allow-empty", "-m", "second")  # other code, same files
    second = _git(repo, "rev-parse", "HEAD")
    before = _snapshot(res)
    refused = _sweep(repo, tmp_path)
    assert refused.returncode == 2
    assert refused.stderr.count("\n") == 1, refused.stderr
    assert f"made by {__version__}+{first[:12]}" in refused.stderr
    assert second[:12] in refused.stderr and "--allow-mixed-code" in refused.stderr
    assert _snapshot(res) == before  # nothing written

    mixed = _sweep(repo, tmp_path, "--allow-mixed-code")
    assert mixed.returncode == 0, mixed.stderr
    runs, _ = load_results(res)
    assert runs.set_index("run_id")["code_commit"].to_dict() == {
        0: first, 1: first, 2: second, 3: second,
    }  # fmt: skip
    assert not runs["code_dirty"].astype(bool).any()
    manifest = json.loads((res / "manifest.json").read_text())
    assert [s["code"]["commit"] for s in manifest["sessions"]] == [first, second]
    assert manifest["sessions"][-1]["allow_mixed_code"] is True
    assert sorted(manifest["runs_by_code"].values()) == [2, 2]
    assert manifest["git"]["commit"] == second
