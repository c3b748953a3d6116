"""What a release needs agrees with itself: one version (package, metadata, --version,
CITATION.cff, CHANGELOG, a tag on the commit), a valid citation file, the licence pyproject
names, experiments found by name outside the repository, and data that points nowhere outside
it."""

from __future__ import annotations

import re
import subprocess
import tomllib
from importlib import metadata
from pathlib import Path

import yaml

from coauthor_sim import __version__, load_experiment
from coauthor_sim.shipped import shipped_folder
from helpers import run_cli

ROOT = Path(__file__).resolve().parents[1]


def test_one_version_everywhere(capsys):
    assert re.fullmatch(r"\d+\.\d+\.\d+", __version__)
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "version" in pyproject["project"]["dynamic"]
    attr = pyproject["tool"]["setuptools"]["dynamic"]["version"]["attr"]
    assert attr == "coauthor_sim._version.__version__"
    assert metadata.version("coauthor-sim") == __version__, "reinstall: pip install -e ."
    code, out, _ = run_cli(capsys, "--version")
    assert code == 0 and out.strip() == f"coauthor-sim {__version__}"
    changelog = (ROOT / "CHANGELOG.md").read_text()
    sections = re.findall(r"^## \[([^\]]+)\]", changelog, re.MULTILINE)
    assert sections[0] == "Unreleased" and sections[1] == __version__


def test_a_tag_on_this_commit_names_its_version():
    tags = subprocess.run(["git", "tag", "--points-at", "HEAD"], cwd=ROOT, capture_output=True,
                          text=True).stdout.split()  # fmt: skip
    for tag in (t for t in tags if t.startswith("v")):
        assert tag == f"v{__version__}", f"tag {tag} on a commit whose version is {__version__}"


def test_citation_file_is_valid_cff_1_2():
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert cff["cff-version"] == "1.2.0"
    for key in ("message", "title", "authors"):
        assert cff[key], key
    for person in cff["authors"] + [a for r in cff.get("references", []) for a in r["authors"]]:
        assert person.get("name") or person.get("family-names"), person
    assert str(cff["version"]) == __version__
    assert cff["license"] == "MIT" and cff["type"] == "software"
    if "date-released" in cff:
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(cff["date-released"]))


def test_licence_is_the_one_pyproject_names():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert pyproject["project"]["license"]["text"] == "MIT"
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")


def test_experiments_are_found_by_name_outside_the_repository(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    experiment = load_experiment("small_example")
    assert experiment.path == shipped_folder("experiments") / "small_example.toml"
    assert experiment.n_runs > 0
    assert (ROOT / "experiments").resolve() == shipped_folder("experiments")
    (tmp_path / "experiments").mkdir()  # the user's own folder comes first
    (tmp_path / "experiments" / "small_example.toml").write_text(
        experiment.text.replace("seed = 7", "seed = 8")
    )
    assert load_experiment("small_example").seed == 8


def test_shipped_files_point_nowhere_outside_the_repository():
    for path in [
        *shipped_folder("data").rglob("*.toml"),
        *ROOT.glob("docs/*.md"),
        ROOT / "README.md",
    ]:
        text = path.read_text(encoding="utf-8")
        assert "../shared" not in text and "/work/" not in text, path
