"""Every Python block of the README and docs/, and every script in docs/examples/, runs as
written, as a script, in a fresh process (so a missing ``if __name__ == "__main__":`` or a
stale name shows up here, not in a reader's terminal).

Each runs in an empty folder that sees the repository's ``experiments/``, ``scenarios/`` and
``data/``, so results land in the test's own folder. A block that needs what CI lacks (a Slurm
cluster, MPI) is marked in the Markdown by ``<!-- not run: why -->`` on the line before it,
and is reported as skipped with that reason.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
SCRIPTS = sorted((ROOT / "docs" / "examples").glob("*.py"))
FENCE = re.compile(r"^```python[ \t]*\n(?P<code>.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
NOT_RUN = re.compile(r"<!--\s*not run:\s*(?P<why>.*?)\s*-->\s*$")


@dataclass(frozen=True)
class Block:
    source: Path
    line: int
    code: str
    skip: str | None = None

    @property
    def id(self) -> str:
        return f"{self.source.relative_to(ROOT)}:{self.line}"


def python_blocks(text: str, source: Path) -> list[Block]:
    """The ```python blocks of a Markdown text, with their line numbers and skip marks."""
    blocks = []
    for match in FENCE.finditer(text):
        before = text[: match.start()].rstrip("\n").rsplit("\n", 1)[-1]
        mark = NOT_RUN.search(before)
        line = text.count("\n", 0, match.start()) + 1
        blocks.append(Block(source, line, match["code"], mark["why"] if mark else None))
    return blocks


BLOCKS = [b for page in PAGES for b in python_blocks(page.read_text(encoding="utf-8"), page)]
BLOCKS += [Block(path, 1, path.read_text(encoding="utf-8")) for path in SCRIPTS]


def test_the_block_finder_sees_blocks_and_marks():
    text = "x\n```python\nprint(1)\n```\n<!-- not run: needs MPI -->\n```python\nboom\n```\n"
    found = python_blocks(text, ROOT / "README.md")
    assert [(b.line, b.code, b.skip) for b in found] == [
        (2, "print(1)\n", None), (6, "boom\n", "needs MPI"),
    ]  # fmt: skip
    assert any(b.source.name == "README.md" for b in BLOCKS)


@pytest.mark.parametrize("block", BLOCKS, ids=lambda b: b.id)
def test_example_runs_as_a_script(block: Block, tmp_path: Path):
    if block.skip:
        pytest.skip(block.skip)
    for name in ("experiments", "scenarios", "data"):
        (tmp_path / name).symlink_to(ROOT / name)
    script = tmp_path / "example.py"
    script.write_text(block.code, encoding="utf-8")
    env = {**os.environ, "MPLBACKEND": "Agg"}
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True,
                          text=True, timeout=600, env=env)  # fmt: skip
    assert done.returncode == 0, f"{block.id} failed:\n{done.stderr[-3000:]}"
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    # The fallback for a missing __main__ guard works, but the docs must show the guard.
    assert "starts worker processes from the top level" not in done.stderr, done.stderr[-3000:]
