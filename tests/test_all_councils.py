"""Every council side by side (issue 27): the synthetic national table, the all-councils run
through the sweep store (resumed after a real kill -9, bit-identical on a real Dask cluster),
the per-council table and picture."""

from __future__ import annotations

import gzip
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import test_dask
from coauthor_sim.all_councils import (
    MIN_CITIZENS,
    MIN_LSOAS,
    CouncilRecorder,
    build_experiment,
    load_plan,
    write_outputs,
)
from coauthor_sim.experiment.store import load_results
from coauthor_sim.experiment.sweep import run_sweep
from coauthor_sim.localities import N_LSOA_ENGLAND, authorities, load_locality
from coauthor_sim.messages import ScenarioError
from helpers import ROOT, run_cli

cluster = test_dask.cluster  # the real scheduler and two workers of tests/test_dask.py

SYNTHETIC = ROOT / "data" / "localities" / "synthetic_england_iod2019.csv.gz"
VOLATILE = ["seconds", "worker", "finished"]
# A small all-councils run: eight councils of the synthetic table, a citizen for every 1,000
# residents (at least MIN_CITIZENS per council), two years, two worlds with the uncertain
# parameters at the scenarios' values: 32 runs of a tenth of a second each.
PLAN = """
description = "test"
table = "{table}"
policy = "local_public_support"
councils = {councils}
scale = 0.001
steps = 24
worlds = 2
seed = 11
uncertainty = "fixed"
"""


def _plan(folder: Path, councils: list[str], name: str = "plan") -> Path:
    path = folder / f"{name}.toml"
    path.write_text(PLAN.format(table=SYNTHETIC, councils=repr(councils).replace("'", '"')))
    return path


@pytest.fixture(scope="module")
def councils() -> pd.DataFrame:
    return authorities(SYNTHETIC)


def stable(runs: pd.DataFrame) -> pd.DataFrame:
    return runs.drop(columns=VOLATILE).sort_values("run_id").reset_index(drop=True)


def test_synthetic_table_is_englands_size_and_spread_and_regenerates(tmp_path, councils):
    assert len(councils) == 317 and councils["lsoas"].sum() == N_LSOA_ENGLAND
    assert councils["council"].is_unique and councils["code"].is_unique
    table = pd.read_csv(SYNTHETIC)
    deciles = table.iloc[:, 6].value_counts()
    assert deciles.between(3_284, 3_285).all()  # a tenth of England in every decile
    assert sorted(table.iloc[:, 5]) == list(range(1, N_LSOA_ENGLAND + 1))
    ages = table.iloc[:, 8:11].sum(axis=1)
    assert (ages == table.iloc[:, 7]).all()
    fifth = 5 - (table.iloc[:, 6] - 1) // 2  # 1 least ... 5 most deprived
    present = fifth.groupby(table.iloc[:, 3]).agg(set)
    assert sum(p == {2, 3, 4, 5} for p in present) >= 3  # deprived: no least deprived fifth
    assert sum(p == {1, 2, 3, 4} for p in present) >= 3  # affluent: no most deprived fifth
    deprived = next(c for c, p in present.items() if p == {2, 3, 4, 5})
    assert load_locality(SYNTHETIC, deprived).missing_fifths == [1]
    share = (table.iloc[:, 6] == 1).groupby(table.iloc[:, 3]).mean()
    assert share.max() > 0.35 and (share == 0).sum() > 20  # councils differ as in England
    sys.path.insert(0, str(ROOT / "experiments" / "councils"))
    try:
        import synthetic_england
    finally:
        sys.path.pop(0)
    again = synthetic_england.write(tmp_path / "again.csv.gz")
    assert again.read_bytes() == SYNTHETIC.read_bytes()  # the script makes the shipped file
    assert gzip.decompress(again.read_bytes()).startswith(b"LSOA code (2011)")


def test_plan_is_checked_before_any_work(tmp_path, capsys):
    path = _plan(tmp_path, ["Langworth", "Nowhereton"])
    with pytest.raises(ScenarioError, match="council 'Nowhereton' is not in the table"):
        build_experiment(load_plan(path))
    for old, new, words in (
        ("scale = 0.001", "scale = 0", "scale = 0.0 is not allowed"),
        ("worlds = 2", "worlds = 1", "worlds = 1 is not allowed"),
        ("seed = 11", 'seed = 11\nfifths = "regional"', "fifths = 'regional' is not allowed"),
        ("seed = 11", "seed = 11\nreplications = 3", "unknown key 'replications'"),
    ):
        bad = tmp_path / "bad.toml"
        bad.write_text(path.read_text().replace(old, new))
        with pytest.raises(ScenarioError, match=words):
            load_plan(bad)
    out = tmp_path / "out"
    code, _, err = run_cli(capsys, "councils", "--table", SYNTHETIC, "--policy", "nowhere",
                           "--out", out)  # fmt: skip
    assert code == 2 and "nowhere" in err and len(err.strip().splitlines()) == 1
    code, _, err = run_cli(capsys, "councils", "--policy", "local_public_support", "--out", out)
    assert code == 2 and "--table FILE" in err and not out.exists()


def test_every_council_once_paired_by_world_with_tiny_councils_listed(tmp_path, councils):
    tiny = councils.loc[councils["lsoas"] < MIN_LSOAS, "council"].tolist()
    chosen = [*tiny, *councils["council"].iloc[:4]]
    experiment = build_experiment(load_plan(_plan(tmp_path, chosen)))
    assert [c for c, *_ in experiment.left_out] == tiny
    specs = experiment.runs()
    assert len(specs) == 4 * 2 * 2 == experiment.n_runs
    frame = pd.DataFrame([{**s.labels, "seed": s.seed, "council": s.params["local_authority"],
                           "n": s.params["n_citizens"]} for s in specs])  # fmt: skip
    seeds = frame.groupby("replication")["seed"].nunique()
    assert (seeds == 1).all()  # world r: one seed for both scenarios and every council
    assert (frame["n"] >= MIN_CITIZENS).all()  # small councils are simulated finer
    out = tmp_path / "out"
    run_sweep(experiment, out, jobs=1, progress=False, worker=CouncilRecorder())
    table = write_outputs(out, experiment)
    assert len(table) == 5 and (out / "councils.png").stat().st_size > 10_000
    listed = table.set_index("council")
    assert listed.loc[tiny[0], "status"].startswith("not simulated: 1 neighbourhood")
    ran = listed[listed["worlds"] == 2]
    assert len(ran) == 4 and ran["gain_mean"].notna().all()
    assert (ran["gain_low"] <= ran["gain_mean"]).all() and (
        ran["gain_mean"] <= ran["gain_high"]
    ).all()
    assert ran["net_value_per_resident_mean"].notna().all()
    assert ran["deprivation_percentile"].between(0, 100).all()


def _done(folder: Path) -> int:
    """Runs stored as done, read without creating anything: a plain connect would create an
    empty results.sqlite in the folder the sweep is setting up, which it then refuses."""
    path = folder / "results.sqlite"
    if not path.is_file():
        return 0
    try:
        with sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=1) as db:
            return db.execute("SELECT COUNT(*) FROM runs WHERE status='done'").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def test_resumes_after_kill_9_with_nothing_lost_or_repeated(tmp_path, capsys, councils):
    chosen = councils.loc[councils["lsoas"] >= MIN_LSOAS, "council"].iloc[:8].tolist()
    path = _plan(tmp_path, chosen)
    out = tmp_path / "killed"
    proc = subprocess.Popen(
        [sys.executable, "-m", "coauthor_sim.cli", "councils", str(path), "--out", str(out),
         "--jobs", "2", "--quiet"], start_new_session=True,
    )  # fmt: skip
    end = time.monotonic() + 180
    while _done(out) < 5:
        assert time.monotonic() < end and proc.poll() is None, "the run did not start"
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)  # the command and its workers, mid-flight
    proc.wait()
    interrupted = _done(out)
    assert 5 <= interrupted < 32, interrupted
    code, stdout, err = run_cli(capsys, "councils", path, "--out", out, "--jobs", "1", "--quiet")
    assert code == 0, err
    assert f"{interrupted} were already done, {32 - interrupted} run now" in stdout
    straight = tmp_path / "straight"  # the same plan uninterrupted, in this process
    experiment = build_experiment(load_plan(path))
    assert run_sweep(experiment, straight, jobs=1, progress=False,
                     worker=CouncilRecorder()).failed == 0  # fmt: skip
    resumed, _ = load_results(out)
    assert resumed["run_id"].is_unique and len(resumed) == 32
    pd.testing.assert_frame_equal(stable(resumed), stable(load_results(straight)[0]),
                                  check_exact=True)  # fmt: skip
    write_outputs(straight, experiment)
    resumed_table, straight_table = (pd.read_csv(f / "councils.csv") for f in (out, straight))
    pd.testing.assert_frame_equal(resumed_table, straight_table, check_exact=True)


def test_bit_identical_on_a_dask_cluster(cluster, tmp_path, capsys, councils):
    chosen = councils.loc[councils["lsoas"] >= MIN_LSOAS, "council"].iloc[12:16].tolist()
    path = _plan(tmp_path, chosen)
    for out, extra in (("dask", ["--scheduler", cluster]), ("local", ["--jobs", "1"])):
        code, stdout, err = run_cli(capsys, "councils", path, "--out", tmp_path / out, "--quiet",
                                    *extra)  # fmt: skip
        assert code == 0, err
        assert "16/16 runs done, 0 failed" in stdout
    dask_runs, _ = load_results(tmp_path / "dask")
    local_runs, _ = load_results(tmp_path / "local")
    assert set(dask_runs["worker"]).isdisjoint(local_runs["worker"])  # ran elsewhere
    pd.testing.assert_frame_equal(stable(dask_runs), stable(local_runs), check_exact=True)
    tables = [pd.read_csv(tmp_path / out / "councils.csv") for out in ("dask", "local")]
    pd.testing.assert_frame_equal(*tables, check_exact=True)
    assert np.isfinite(pd.read_csv(tmp_path / "dask" / "councils.csv")["gain_mean"]).all()
