"""Every bad input is refused before any work: exit 2, one line naming the file or flag, and
nothing written. Hand-made cases (each a mistake seen in a corpus of bad inputs) and a fuzz
test over the schema and the file formats. The command line is called in-process
(``cli.main``) so the whole module runs in seconds."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coauthor_sim.cli import main
from coauthor_sim.outcomes import OUTCOME_NAMES
from coauthor_sim.params import SPECS
from coauthor_sim.scenario import TABLES
from helpers import run_cli as call

EXPERIMENT = """
description = "test"
scenario = "status_quo"
seed = 3
replications = {replications}
[fixed]
n_citizens = 60
steps = 13
{fixed}
[design]
kind = "{kind}"
{samples}
[levers]
{levers}
"""


def experiment(kind="full_factorial", replications=1, samples="", levers=None, fixed=""):
    levers = levers or ("co_production = [0.1, 0.4]" if kind == "full_factorial"
                        else "co_production = {low = 0.1, high = 0.4}")  # fmt: skip
    return EXPERIMENT.format(kind=kind, replications=replications, samples=samples,
                             levers=levers, fixed=fixed)  # fmt: skip


def snapshot(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


@pytest.fixture
def here(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


LATIN1_TARGETS = '[x]\ndescription = "Zufriedenheit für alle"\n'.encode("latin-1")
STATUS_QUO_COMPARE = ["compare", "status_quo", "austerity", "--replications", "2",
                      "--citizens", "60", "--steps", "13"]  # fmt: skip
SMALL_RUN = ["run", "--citizens", "60", "--steps", "2"]
# fmt: off
# (id, files to create, arguments, words the one-line message must hold)
CASES = [
    ("targets-binary", {"t.toml": b"\x89PNG\r\n\x1a\n\x00\x00"},
     ["calibrate", "status_quo", "--targets", "t.toml"], ["t.toml", "binary"]),
    ("targets-latin1", {"t.toml": LATIN1_TARGETS},
     ["calibrate", "status_quo", "--targets", "t.toml"], ["t.toml", "not UTF-8", "0xfc"]),
    ("targets-utf16", {"t.toml": "[x]\n".encode("utf-16")},
     ["validate", "--targets", "t.toml", "--out", "v"], ["t.toml", "UTF-16"]),
    ("priors-not-a-table", {"p.toml": "uncertainties = 5\n"},
     ["calibrate", "status_quo", "--priors", "p.toml"], ["p.toml", "uncertainties", "table"]),
    ("priors-bom", {"p.toml": b"\xef\xbb\xbf[uncertainties]\n"},
     ["calibrate", "status_quo", "--priors", "p.toml"], ["p.toml", "byte-order mark"]),
    ("targets-weight-nan", {"t.toml": "[a]\nweight = nan\nband = [0, 1]\n"},
     ["calibrate", "status_quo", "--targets", "t.toml"], ["t.toml", "weight", "finite"]),
    ("targets-band-inf", {"t.toml": "[a]\nweight = 1\nband = [0, inf]\n"},
     ["validate", "--targets", "t.toml", "--out", "v"], ["t.toml", "band", "finite"]),
    ("run-seed-negative", {}, [*SMALL_RUN, "--seed", "-1"], ["--seed -1", "from 0"]),
    ("compare-seed-negative", {}, [*STATUS_QUO_COMPARE, "--seed", "-1"], ["--seed -1"]),
    ("write-scenario-no-folder", {},
     ["calibrate", "status_quo", "--write-scenario", "no/such/dir/x.toml"],
     ["--write-scenario", "no/such/dir", "does not exist"]),
    ("out-under-a-file", {"f": "x"}, [*SMALL_RUN, "--out", "f/run"], ["--out", "is a file"]),
    ("sensitivity-outcome", {"e.toml": experiment("sobol", samples="samples = 4")},
     ["sensitivity", "e.toml", "--outcomes", "nonsense"], ["--outcomes", "nonsense", "allowed"]),
    ("scheduler-not-url", {"e.toml": experiment()},
     ["sweep", "e.toml", "--scheduler", "not a url"], ["--scheduler", "tcp://"]),
    ("port-high", {}, ["viz", "--port", "99999"], ["--port 99999", "65535"]),
    ("port-negative", {}, ["viz", "--port", "-1"], ["--port -1"]),
    ("sobol-2-40", {"e.toml": experiment("sobol", samples=f"samples = {2**40}")},
     ["sweep", "e.toml"], ["e.toml", "design points", "at most"]),
    ("lhs-1e9", {"e.toml": experiment("latin_hypercube", samples=f"samples = {10**9}")},
     ["sweep", "e.toml"], ["e.toml", "1,000,000,000"]),
    ("factorial-1e12", {"e.toml": experiment(levers="\n".join(
        f"{n} = [{', '.join(str(0.01 * k + 0.01) for k in range(40))}]"
        for n in ("co_production", "prevention_share", "deliberation_inclusion", "learning",
                  "local_priority_setting", "plural_provision", "local_control", "servant_training")
    ))}, ["sweep", "e.toml"], ["e.toml", "design points"]),
    ("replications-1e12", {"e.toml": experiment(replications=10**12)},
     ["sweep", "e.toml"], ["e.toml", "replications"]),
    ("compare-replications-1e9", {}, [*STATUS_QUO_COMPARE[:3], "--replications", "1000000000"],
     ["compare", "2,000,000,000 runs", "at most"]),
    ("memory-5m-citizens", {},
     ["run", "--citizens", "5000000", "--set", "mean_degree=200", "--steps", "1"],
     ["memory", "mean_degree", "--force"]),
    ("work-limit", {}, [*STATUS_QUO_COMPARE[:3], "--replications", "400000", "--citizens",
                        "1000000"], ["citizen-months", "--force"]),
    ("sweep-jobs-0", {"e.toml": experiment()}, ["sweep", "e.toml", "--jobs", "0"], ["--jobs 0"]),
    ("sweep-jobs-negative", {"e.toml": experiment()}, ["sweep", "e.toml", "--jobs", "-3"],
     ["--jobs -3"]),
    ("calibrate-jobs-0", {}, ["calibrate", "status_quo", "--jobs", "0"], ["--jobs 0"]),
    ("fixed-and-factor", {"e.toml": experiment(fixed="co_production = 0.3")},
     ["sweep", "e.toml"], ["e.toml", "co_production", "[fixed]", "factor"]),
    ("compare-one-month", {}, [*STATUS_QUO_COMPARE[:-1], "1"], ["final 12 months", "--steps"]),
    ("compare-one-scenario", {}, ["compare", "status_quo"], ["two or more", "austerity"]),
    ("key-with-newline", {"s.toml": 'description = "x"\n[levers]\n"a\\nb" = 1\n'},
     ["run", "s.toml"], ["s.toml", "a\\nb"]),
    ("argparse-error", {}, ["run", "--steps", "ten"], ["invalid int value", "--help"]),
    ("unknown-key-lists-allowed", {"s.toml": 'description = "x"\n[levers]\nzzz = 1\n'},
     ["run", "s.toml"], ["'zzz'", "allowed:", "co_production"]),
    ("duplicate-key", {"s.toml": 'description = "x"\n[levers]\nco_production = 0.1\n'
                       "co_production = 0.2\n"}, ["run", "s.toml"],
     ["s.toml", "'co_production' is given twice", "line 4"]),
    ("citizens-blamed-on-flag", {}, ["run", "status_quo", "--citizens", "5"],
     ["--citizens 5", "n_citizens"]),
    ("set-typo-blamed-on-flag", {}, ["run", "status_quo", "--set", "co_prodution=0.5"],
     ["--set co_prodution=0.5", "did you mean 'co_production'"]),
    ("fixed-blamed-on-experiment", {"e.toml": experiment().replace("steps = 13", "steps = 0")},
     ["sweep", "e.toml"], ["e.toml: [fixed]", "steps = 0"]),
    ("posterior-any-file", {"secret.csv": "password=hunter2\n1\n"},
     [*STATUS_QUO_COMPARE, "--posterior", "secret.csv"], ["--posterior", "not a posterior"]),
    ("posterior-not-csv", {"notes.txt": "hello\n"},
     [*STATUS_QUO_COMPARE, "--posterior", "notes.txt"], ["--posterior", ".csv"]),
    ("scenario-posterior-key", {"s.toml": 'description = "x"\nposterior = "s.toml"\n'},
     ["run", "s.toml"], ["s.toml", "posterior"]),
    ("extends-missing", {"s.toml": 'description = "x"\nextends = "nowhere"\n'},
     ["run", "s.toml"], ["s.toml", "nowhere"]),
]
# fmt: on


@pytest.mark.parametrize(("files", "args", "words"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])  # fmt: skip
def test_bad_input_is_one_line_exit_2_nothing_written(here, capsys, files, args, words):
    for name, content in files.items():
        path = here / name
        path.write_bytes(content) if isinstance(content, bytes) else path.write_text(content)
    before = snapshot(here)
    code, _, err = call(capsys, *args)
    assert code == 2, err
    assert err.count("\n") == 1 and err.startswith("coauthor-sim"), err
    assert "\x1b" not in err and "Traceback" not in err
    for word in words:
        assert word in err
    assert snapshot(here) == before


def test_no_silly_suggestion_and_secrets_not_echoed(here, capsys):
    (here / "s.toml").write_text('description = "x"\n[run]\nreplication = 3\n')
    code, _, err = call(capsys, "run", "s.toml")
    assert code == 2 and "deprivation_spread" not in err and "allowed:" in err
    (here / "secret.csv").write_text("password=hunter2\n1\n")
    code, _, err = call(capsys, *STATUS_QUO_COMPARE, "--posterior", "secret.csv")
    assert code == 2 and "hunter2" not in err


def test_bom_is_tolerated_in_scenario_and_experiment_files(here, capsys):
    (here / "s.toml").write_bytes(
        b'\xef\xbb\xbfdescription = "with a BOM"\nextends = "austerity"\n'
    )
    code, out, err = call(capsys, "scenarios", "show", "s.toml")
    assert code == 0, err
    assert "with a BOM" in out
    (here / "e.toml").write_bytes(b"\xef\xbb\xbf" + experiment().encode())
    code, out, err = call(capsys, "sweep", "e.toml", "--dry-run")
    assert code == 0, err
    assert "2 runs" in out and not (here / "results").exists()


def test_descriptions_cannot_drive_the_terminal(here, capsys):
    folder = here / "mine"
    folder.mkdir()
    (folder / "evil.toml").write_text('description = "Fine.\\u001b[2J\\u001b]0;owned\\u0007 ok"\n')
    code, out, _ = call(capsys, "scenarios", "--dir", folder)
    assert code == 0
    assert "\x1b" not in out and "\x07" not in out and "evil" in out
    code, out, _ = call(capsys, "scenarios", "show", folder / "evil.toml")
    assert code == 0 and "\x1b" not in out


def test_jobs_above_the_cores_are_lowered_unless_forced(here, capsys):
    (here / "e.toml").write_text(experiment())
    code, _, err = call(capsys, "sweep", "e.toml", "--jobs", "512", "--dry-run")
    assert code == 0 and "lowered" in err and "--force" in err
    code, _, err = call(capsys, "sweep", "e.toml", "--jobs", "512", "--dry-run", "--force")
    assert code == 0 and "lowered" not in err


def test_version_and_help_exit_0(capsys):
    from coauthor_sim import __version__

    assert main(["--version"]) == 0
    assert __version__ in capsys.readouterr().out


def test_corrupt_results_store_is_a_one_line_fault(here, capsys):
    folder = here / "res"
    folder.mkdir()
    (folder / "results.sqlite").write_bytes(b"this is not a database, only bytes" * 100)
    code, _, err = call(capsys, "results", "export", folder)
    assert code == 1
    assert err.count("\n") == 1 and "damaged" in err and "Traceback" not in err


# --- fuzz: any bytes, and documents built from the schema -----------------------------------
SETTINGS = settings(max_examples=40, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])  # fmt: skip
KEYS = st.sampled_from([*SPECS, "replication", "seed", "a\nb", "é", "", "[x]", "description"])
VALUES = st.one_of(
    st.integers(min_value=-(10**13), max_value=10**13),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.text(max_size=12),
    st.sampled_from([0, 1, 0.5, 10, 120, 1000, 5_000_000, "small_world", "\x1b[2J"]),
)


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "nan" if value != value else ("inf" if value > 0 else "-inf") if abs(
            value) == float("inf") else repr(value)  # fmt: skip
    if isinstance(value, str):
        return '"' + value.encode("unicode_escape").decode().replace('"', '\\"') + '"'
    return repr(value)


def _document(draw_tables) -> str:
    lines = []
    for table, items in draw_tables.items():
        lines.append(f"[{table}]")
        for key, value in items.items():
            lines.append(f'"{key.encode("unicode_escape").decode()}" = {_toml_value(value)}')
    return "\n".join(lines) + "\n"


TABLE_NAMES = st.sampled_from([*TABLES, "fixed", "design", "record", "levers2"])
DOCUMENTS = st.dictionaries(TABLE_NAMES, st.dictionaries(KEYS, VALUES, max_size=4), max_size=3)
FORMATS = st.sampled_from(["scenario", "experiment", "targets", "priors"])


def _write_and_call(here, capsys, kind: str, body: bytes):
    if kind == "scenario":
        (here / "f.toml").write_bytes(body)
        args = ["run", "f.toml", "--dry-run", "--citizens", "50", "--steps", "2"]
    elif kind == "experiment":
        (here / "f.toml").write_bytes(body)
        args = ["sweep", "f.toml", "--dry-run"]
    else:
        (here / "f.toml").write_bytes(body)
        args = ["calibrate", "status_quo", f"--{kind}", "f.toml", "--dry-run", "--samples",
                "8", "--citizens", "50", "--steps", "13"]  # fmt: skip
    before = snapshot(here)
    code, _, err = call(capsys, *args)
    assert code in (0, 2), err
    if code == 2:
        assert err.count("\n") == 1 and "\x1b" not in err and "Traceback" not in err
    assert snapshot(here) == before


@SETTINGS
@given(kind=FORMATS, body=st.binary(max_size=200))
def test_fuzz_any_bytes_in_any_file_format(here, capsys, kind, body):
    _write_and_call(here, capsys, kind, body)


@SETTINGS
@given(kind=FORMATS, tables=DOCUMENTS, top=st.dictionaries(
    st.sampled_from(["description", "extends", "scenario", "seed", "replications", "posterior"]),
    VALUES, max_size=3))  # fmt: skip
def test_fuzz_documents_built_from_the_schema(here, capsys, kind, tables, top):
    head = "".join(f"{k} = {_toml_value(v)}\n" for k, v in top.items())
    _write_and_call(here, capsys, kind, (head + _document(tables)).encode())


@SETTINGS
@given(
    kind=st.sampled_from(["full_factorial", "latin_hypercube", "sobol", "points", "nope"]),
    samples=st.one_of(st.integers(-3, 2**45), st.sampled_from([0, 2, 4, 8, 2**40])),
    replications=st.integers(-2, 10**13),
    outcome=st.sampled_from([*OUTCOME_NAMES[:3], "nonsense", ""]),
)
def test_fuzz_experiment_designs_are_bounded(here, capsys, kind, samples, replications, outcome):
    body = experiment(kind if kind != "points" else "full_factorial", replications,
                      f"samples = {samples}").replace('kind = "full_factorial"',
                                                      f'kind = "{kind}"')  # fmt: skip
    body += f'[record]\nevery = 1\noutcomes = ["{outcome}"]\n'
    _write_and_call(here, capsys, "experiment", body.encode())


# --- faults: a disk that fills part-way ------------------------------------------------------
@pytest.fixture
def small_disk(tmp_path):
    """A 300 kB tmpfs (needs root and a kernel that allows mounting here), else skipped."""
    import subprocess

    mount = tmp_path / "disk"
    mount.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount)],
                          capture_output=True)  # fmt: skip
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def test_full_disk_is_one_line_and_the_store_stays_consistent(small_disk, capsys, monkeypatch):
    import subprocess

    exp = small_disk.parent / "e.toml"
    levels = ", ".join(f"{0.05 + 0.01 * k:.2f}" for k in range(60))
    exp.write_text(experiment(replications=2, levers=f"co_production = [{levels}]")
                   + "[record]\nevery = 1\n")  # fmt: skip
    out = small_disk / "res"
    monkeypatch.chdir(small_disk.parent)
    code, _, err = call(capsys, "sweep", exp, "--out", out, "--jobs", "1", "--quiet")
    assert code == 1, err
    assert err.count("\n") == 1 and "disk is full" in err and "Traceback" not in err
    db = sqlite3.connect(out / "results.sqlite")
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    stored = db.execute("SELECT COUNT(*) FROM runs").fetchone()[0]
    months = db.execute("SELECT run_id, COUNT(*) FROM series GROUP BY run_id").fetchall()
    assert 0 < stored < 120 and all(n == 14 for _, n in months) and len(months) == stored
    db.close()
    # free space and rerun: it finishes the missing runs only, none twice
    subprocess.run(["mount", "-o", "remount,size=40m", str(small_disk)], check=True)
    code, _, err = call(capsys, "sweep", exp, "--out", out, "--jobs", "1", "--quiet")
    assert code == 0, err
    db = sqlite3.connect(out / "results.sqlite")
    ids = [r[0] for r in db.execute("SELECT run_id FROM runs")]
    db.close()
    assert sorted(ids) == list(range(120))


# --- output folders that cannot be written ---------------------------------------------------
@pytest.fixture
def readonly(tmp_path):
    """A read-only folder: a read-only tmpfs as root (root ignores permission bits), a folder
    without write permission otherwise."""
    import subprocess

    folder = tmp_path / "ro"
    folder.mkdir()
    if os.geteuid() != 0:
        folder.chmod(0o555)
        yield folder
        folder.chmod(0o755)
        return
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", str(folder)],
                          capture_output=True)  # fmt: skip
    if done.returncode != 0:
        pytest.skip(f"cannot mount a read-only tmpfs here: {done.stderr.decode().strip()}")
    yield folder
    subprocess.run(["umount", "-l", str(folder)], check=False)


@pytest.fixture
def sweep_folder(tmp_path):
    """A small finished sweep's results folder."""
    exp = tmp_path / "tiny.toml"
    exp.write_text(experiment())
    assert main(["sweep", str(exp), "--out", str(tmp_path / "res"), "--jobs", "1", "--quiet"]) == 0
    return tmp_path / "res"


@pytest.mark.parametrize(
    "args",
    [
        [*SMALL_RUN, "--out", "{ro}/x"],
        [*STATUS_QUO_COMPARE, "--out", "{ro}/x"],
        ["sweep", "{exp}", "--out", "{ro}/x"],
        ["validate", "--out", "{ro}/x"],
        ["calibrate", "status_quo", "--out", "{ro}/x"],
        ["calibrate", "status_quo", "--write-scenario", "{ro}/x.toml"],
        ["results", "export", "{res}", "--to", "{ro}/x"],
    ],
    ids=["run", "compare", "sweep", "validate", "calibrate", "write-scenario", "export"],
)
def test_read_only_output_is_refused_before_any_work(readonly, sweep_folder, here, capsys, args):
    (here / "e.toml").write_text(experiment())
    values = {"ro": readonly, "exp": here / "e.toml", "res": sweep_folder}
    before = snapshot(here)
    code, _, err = call(capsys, *(a.format(**values) for a in args))
    assert code == 2, err
    assert err.count("\n") == 1 and "not writable" in err and str(readonly) in err
    assert snapshot(here) == before


def test_a_torn_manifest_does_not_break_the_next_session(sweep_folder, capsys):
    manifest = sweep_folder / "manifest.json"
    manifest.write_text(manifest.read_text()[:100])  # as an in-place write killed part-way
    exp = sweep_folder.parent / "tiny.toml"
    code = main(["sweep", str(exp), "--out", str(sweep_folder), "--jobs", "1", "--quiet"])
    assert code == 0, capsys.readouterr().err
    import json

    sessions = json.loads(manifest.read_text())["sessions"]
    assert sessions[0]["status"] == "unknown" and sessions[-1]["status"] == "finished"
