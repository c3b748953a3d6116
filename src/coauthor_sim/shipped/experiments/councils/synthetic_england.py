"""Write the synthetic national deprivation table shipped with the package.

    python experiments/councils/synthetic_england.py      # rewrites the shipped .csv.gz

A made-up England in the format of the English Indices of Deprivation 2019 File 7 (the official
column names, a subset of the columns): 317 local authority districts and 32,844 LSOAs, as many
as the real file, with made-up names and codes that no real area has (districts E0[6-9]999xxx,
LSOAs E019xxxxx). It is for tests, examples and the all-councils run at full national size;
for a real council, download File 7 itself.

How it is drawn (seed ``SEED``, so the file is the same on every machine):

- District sizes: a lognormal spread of LSOA counts (the real ones run from a handful to over
  600, about a hundred on average), rescaled to 32,844 in all, with two tiny districts (1 and 6
  LSOAs, like the Isles of Scilly and the City of London) to exercise small samples.
- Deprivation: each district has a level, each LSOA its district's level plus its own noise
  (most of the spread is within districts, as in the real indices); all 32,844 are ranked
  nationally (1 = most deprived) and the deciles follow from the ranks, so every national
  decile holds a tenth of England. Some districts end up with no LSOA in the most, or the
  least, deprived fifth, as real ones do. Larger districts lean deprived, as cities do.
- Populations (mid-2015 in the real file): about 1,700 residents per LSOA; children, people
  aged 16-59 and 60+ add up to the total, with more children and fewer older people in more
  deprived LSOAs.
"""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import numpy as np
import pandas as pd

from coauthor_sim.localities import FILE7_COLUMNS, apportion

SEED = 20_191_001
N_DISTRICTS = 317
N_LSOA = 32_844
# This file lives in the package's shipped/experiments/councils/; the table in shipped/data/.
TARGET = (
    Path(__file__).resolve().parents[2] / "data" / "localities" / "synthetic_england_iod2019.csv.gz"
)
COLUMNS = list(FILE7_COLUMNS)
FIRST = ["Ash", "Bram", "Cold", "Dun", "East", "Fern", "Gras", "Hol", "Ivy", "Kings", "Lang",
         "Mar", "Nor", "Oak", "Pen", "Red", "Stan", "Thorn", "Up", "Wes", "Wil", "Yar", "Ald",
         "Brock", "Chel"]  # fmt: skip
LAST = ["ford", "ley", "bury", "ham", "ton", "wick", "field", "mere", "dale", "stow", "combe",
        "worth", "by", "minster", "bridge"]  # fmt: skip


def district_names(rng: np.random.Generator) -> list[str]:
    """N_DISTRICTS distinct made-up names (a syllable and an ending)."""
    pairs = [a + b for a in FIRST for b in LAST]
    return [str(name) for name in rng.choice(pairs, size=N_DISTRICTS, replace=False)]


def district_sizes(rng: np.random.Generator) -> np.ndarray:
    """LSOAs per district: lognormal, two tiny ones, 32,844 in all (largest remainders)."""
    raw = rng.lognormal(np.log(90.0), 0.55, size=N_DISTRICTS)
    sizes = np.empty(N_DISTRICTS, dtype=np.int64)
    sizes[:2] = (1, 6)
    rest = raw[2:] * (N_LSOA - 7) / raw[2:].sum()
    sizes[2:] = apportion(rest, minimum=20)
    return sizes


def build(seed: int = SEED) -> pd.DataFrame:
    """The whole synthetic table, one row per LSOA, in district order."""
    rng = np.random.default_rng(seed)
    names = district_names(rng)
    sizes = district_sizes(rng)
    order = rng.permutation(N_DISTRICTS)  # the tiny districts anywhere in the table
    names, sizes = [names[i] for i in order], sizes[order]
    size_z = (np.log(sizes + 1) - np.log(sizes + 1).mean()) / np.log(sizes + 1).std()
    level = 0.25 * size_z + rng.normal(0.0, 0.55, N_DISTRICTS)  # district deprivation
    district = np.repeat(np.arange(N_DISTRICTS), sizes)
    latent = level[district] + rng.normal(0.0, 1.0, N_LSOA)  # higher = more deprived
    rank = np.empty(N_LSOA, dtype=np.int64)
    rank[np.argsort(-latent, kind="stable")] = np.arange(1, N_LSOA + 1)
    decile = np.clip(np.ceil(rank * 10 / N_LSOA), 1, 10).astype(np.int64)
    score = np.round(np.clip(21.7 + 13.0 * latent, 0.5, 92.0), 3)
    score = -np.sort(-score)[rank - 1]  # scores in the same order as the ranks
    z = (latent - latent.mean()) / latent.std()
    people = np.clip(np.round(rng.normal(1_700, 320, N_LSOA)), 1_000, 3_600).astype(np.int64)
    children = np.round(people * np.clip(0.19 + 0.035 * z + rng.normal(0, 0.025, N_LSOA),
                                         0.05, 0.4)).astype(np.int64)  # fmt: skip
    older = np.round(people * np.clip(0.235 - 0.05 * z + rng.normal(0, 0.05, N_LSOA),
                                      0.04, 0.55)).astype(np.int64)  # fmt: skip
    working = people - children - older
    kinds = np.array(["E06", "E07", "E08", "E09"])[rng.integers(0, 4, N_DISTRICTS)]
    codes = [f"{kind}999{k + 1:03d}" for k, kind in enumerate(kinds)]
    within = np.concatenate([np.arange(n) for n in sizes])
    letters = np.array(list("ABCDEFGHJK"))[rng.integers(0, 10, N_LSOA)]
    values = [
        [f"E019{k + 1:05d}" for k in range(N_LSOA)],
        [f"{names[d]} {w + 1:03d}{c}" for d, w, c in zip(district, within, letters, strict=True)],
        [codes[d] for d in district],
        [names[d] for d in district],
        [f"{s:.3f}" for s in score],
        rank, decile, people, children, working, older,
    ]  # fmt: skip
    return pd.DataFrame(dict(zip(COLUMNS, values, strict=True)))


def write(path: Path = TARGET, seed: int = SEED) -> Path:
    """Write the table as gzip-compressed CSV, byte for byte the same on every run (no time
    stamp in the gzip header)."""
    text = io.StringIO()
    build(seed).to_csv(text, index=False, lineterminator="\n")
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0,
                                                 filename="") as out:  # fmt: skip
        out.write(text.getvalue().encode("utf-8"))
    return path


if __name__ == "__main__":
    written = write()
    print(f"wrote {written.name} ({written.stat().st_size:,} bytes)")
