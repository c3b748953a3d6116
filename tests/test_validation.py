"""`coauthor-sim validate` regenerates the validation page from computed numbers."""

from __future__ import annotations

import os
from pathlib import Path

from coauthor_sim.calibration import load_targets
from coauthor_sim.validation import write_validation

ROOT = Path(__file__).resolve().parents[1]


def test_validation_page_covers_docking_and_every_target(tmp_path):
    here = os.getcwd()
    os.chdir(ROOT)  # the page names repository paths (data/, scenarios/)
    try:
        page = write_validation(tmp_path, realisations=3, replications=3, seed=2, jobs=1)
    finally:
        os.chdir(here)
    text = page.read_text()
    assert "**100** take" in text and "**1** takes" in text  # Granovetter's two crowds
    assert "1.02 < z < 5.76" in text  # Watts's analytic window for phi = 0.18
    for target in load_targets(ROOT / "data" / "targets.toml"):
        assert f"| {target.name} |" in text
    assert "## 3 What the model does not reproduce" in text
    for name in ("validation_granovetter", "validation_watts", "validation_fit"):
        assert (tmp_path / "img" / f"{name}.png").stat().st_size > 10_000
        assert f"img/{name}.png" in text


def test_shipped_validation_page_is_generated():
    text = (ROOT / "docs" / "validation.md").read_text()
    assert text.startswith("# Validation") and "coauthor-sim validate" in text
    for name in ("validation_granovetter", "validation_watts", "validation_fit"):
        assert (ROOT / "docs" / "img" / f"{name}.png").exists()
