"""Faults from outside: a sweep's main process killed alone (as the out-of-memory killer does),
two sweeps on one folder, a comparison killed part-way and run again. Real processes and real
signals; waits poll the state they wait for, with a generous deadline."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from coauthor_sim.cli import main
from helpers import run_cli

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")

SLOW = """
description = "slow enough to be killed part-way"
scenario = "status_quo"
seed = 5
replications = 2
[fixed]
n_citizens = 300
steps = 48
[design]
kind = "full_factorial"
[levers]
co_production = [{levels}]
"""
DEADLINE = 120.0  # generous: the machine running CI may be busy


def slow_experiment(folder: Path, levels: int = 40) -> Path:
    path = folder / "slow.toml"
    levels = ", ".join(f"{0.05 + 0.01 * k:.2f}" for k in range(levels))
    path.write_text(SLOW.format(levels=levels))
    return path


def start(*args, cwd) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "coauthor_sim.cli", *map(str, args)],
                            cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip


def children(pid: int) -> set[int]:
    """Every process whose parent is ``pid``."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def wait_for(condition, what: str, deadline: float = DEADLINE):
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def stored_runs(folder: Path) -> int:
    import sqlite3

    try:
        db = sqlite3.connect(f"file:{folder / 'results.sqlite'}?mode=ro", uri=True)
        try:
            return db.execute("SELECT COUNT(*) FROM runs").fetchone()[0]
        finally:
            db.close()
    except sqlite3.Error:
        return 0


def test_killing_the_main_process_alone_leaves_no_process_behind(tmp_path):
    exp = slow_experiment(tmp_path)
    sweep = start("sweep", exp, "--out", tmp_path / "res", "--jobs", "2", "--quiet",
                  "--force", cwd=tmp_path)  # fmt: skip
    workers = wait_for(lambda: len(children(sweep.pid)) >= 2 and children(sweep.pid),
                       "the workers to start")  # fmt: skip
    family = children(sweep.pid)  # workers and any helper process (resource tracker ...)
    for pid in list(family):
        family |= children(pid)
    assert len(family) >= len(workers)
    os.kill(sweep.pid, signal.SIGKILL)  # only the main process, as the OOM killer would
    sweep.wait(timeout=DEADLINE)
    wait_for(lambda: not any(alive(p) for p in family), "every worker to end")


def test_a_second_sweep_on_the_same_folder_is_refused_and_kill_9_is_on_record(tmp_path, capsys):
    exp = slow_experiment(tmp_path, levels=8)
    out = tmp_path / "res"
    first = start("sweep", exp, "--out", out, "--jobs", "1", "--quiet", cwd=tmp_path)
    try:
        wait_for(lambda: stored_runs(out) >= 1, "the first sweep to store a run")
        code = main(["sweep", str(exp), "--out", str(out), "--jobs", "1", "--quiet"])
        err = capsys.readouterr().err
        assert code == 2
        assert err.count("\n") == 1 and "another sweep is writing here" in err
    finally:
        first.kill()
        first.wait(timeout=DEADLINE)
    done_before = stored_runs(out)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["sessions"][-1]["status"] == "running"  # on record from its start
    # once the first is gone, the folder is free again: the rerun resumes and notes the kill
    code = main(["sweep", str(exp), "--out", str(out), "--jobs", "1", "--quiet"])
    assert code == 0, capsys.readouterr().err
    sessions = json.loads((out / "manifest.json").read_text())["sessions"]
    assert [s["status"] for s in sessions] == ["interrupted", "finished"]
    assert sessions[-1]["ran"] == 16 - done_before
    assert stored_runs(out) == 16


COMPARE = ["compare", "status_quo", "austerity", "--replications", "8", "--citizens", "300",
           "--steps", "36", "--no-posterior", "--jobs", "1"]  # fmt: skip


def test_a_killed_comparison_leaves_no_folder_and_resumes(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "cmp"
    staged = tmp_path / ".cmp.incomplete"
    first = start(*COMPARE, "--out", out, cwd=tmp_path)
    wait_for(lambda: len(list((staged / "runs").glob("*.pickle"))) >= 3, "three kept runs")
    first.kill()
    first.wait(timeout=DEADLINE)
    assert not out.exists()  # nothing half-written in place
    kept = len(list((staged / "runs").glob("*.pickle")))
    # the rerun and the uninterrupted reference run in this process (the kill needed another)
    code, _, err = run_cli(capsys, *COMPARE, "--out", out)
    assert code == 0, err
    assert (out / "report.html").is_file() and not staged.exists()
    assert f"resuming: {kept} runs kept" in err
    # kept runs were not run again, and the result is what an uninterrupted run gives
    whole = tmp_path / "whole"
    code, _, err = run_cli(capsys, *COMPARE, "--out", whole)
    assert code == 0, err
    resumed, uninterrupted = pd.read_csv(out / "runs.csv"), pd.read_csv(whole / "runs.csv")
    pd.testing.assert_frame_equal(resumed, uninterrupted)
