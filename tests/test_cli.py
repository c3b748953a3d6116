"""The command line as a user meets it: real subprocesses, real files."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest


def cli(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "coauthor_sim.cli", *args],
        capture_output=True, text=True, cwd=cwd, timeout=300,
    )  # fmt: skip


def test_run_writes_table_and_manifest(tmp_path):
    out = tmp_path / "run"
    done = cli("run", "--steps", "12", "--citizens", "200", "--seed", "9", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "life satisfaction" in done.stdout and str(out) in done.stdout
    table = pd.read_csv(out / "outcomes.csv", index_col="month")
    assert len(table) == 13
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 9
    assert manifest["parameters"]["n_citizens"] == 200
    assert manifest["parameters"]["steps"] == 12
    assert manifest["version"]
    assert set(manifest["timings"]) == {"build_s", "run_s", "total_s"}
    assert "git" in manifest and "libraries" in manifest


def test_default_folder_is_new_under_results(tmp_path):
    for _ in range(2):
        done = cli("run", "--steps", "2", "--citizens", "100", cwd=tmp_path)
        assert done.returncode == 0, done.stderr
    assert len(list((tmp_path / "results").iterdir())) == 2


def test_same_seed_same_csv(tmp_path):
    for name in ("a", "b"):
        cli("run", "--steps", "6", "--citizens", "150", "--out", str(tmp_path / name))
    assert (tmp_path / "a/outcomes.csv").read_bytes() == (tmp_path / "b/outcomes.csv").read_bytes()


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--citizens", "-3"], ["n_citizens", "-3"]),
        (["--set", "co_production=2"], ["co_production", "2"]),
        (["--set", "co_productoin=0.2"], ["did you mean 'co_production'"]),
        (["--set", "network_kind=lattice"], ["network_kind", "lattice"]),
        (["--set", "servants_per_1000=2000"], ["servants_per_1000", "2000", "0 to 1000"]),
        (
            ["--set", "n_neighbourhoods=900", "--citizens", "100"],
            ["n_neighbourhoods", "n_citizens"],
        ),
        (["--set", "novalue"], ["key=value"]),
        (["--steps", "ten"], ["invalid int value"]),
    ],
)
def test_bad_input_is_one_line_exit_2_nothing_written(tmp_path, monkeypatch, capsys, args, words):
    from helpers import run_cli  # in-process: refused before any work, no interpreter to start

    monkeypatch.chdir(tmp_path)
    code, _, err = run_cli(capsys, "run", *args)
    assert code == 2
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    for word in words:
        assert word in err
    assert not (tmp_path / "results").exists()


def test_refuses_to_write_into_a_non_empty_folder(tmp_path):
    (tmp_path / "keep.txt").write_text("precious")
    done = cli("run", "--steps", "2", "--citizens", "100", "--out", str(tmp_path))
    assert done.returncode == 2 and "not empty" in done.stderr
    assert (tmp_path / "keep.txt").read_text() == "precious"


@pytest.mark.parametrize("command", ["run", "compare", "sweep", "sensitivity", "calibrate"])
def test_every_long_command_can_be_quiet(command):
    """Each command that may show a progress bar takes --quiet (scripts and CI logs)."""
    from coauthor_sim.cli import build_parser

    needs = {"sweep": ["x.toml"], "calibrate": ["status_quo"]}.get(command, [])
    args = build_parser().parse_args([command, *needs, "--quiet"])
    assert args.quiet is True
    assert build_parser().parse_args([command, *needs]).quiet is False


def test_contrast_sensitivity_dry_run_counts_and_runs_nothing(tmp_path):
    done = cli("sensitivity", "--contrast", "local_public_support", "status_quo",
               "--trajectories", "3", "--samples", "8", "--replications", "2", "--dry-run",
               cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "contrast sensitivity (at most):" in done.stdout and "runs" in done.stdout
    assert not (tmp_path / "results").exists()
