"""Localities from a deprivation table in the official IoD format (issue 15)."""

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from coauthor_sim.localities import LocalityError, apportion, load_locality, read_table

EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "localities" / "example_iod2019.csv"
DECILE = "Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOAs)"
POPULATION = "Total population: mid 2015 (excluding prisoners)"
LA_NAME = "Local Authority District name (2019)"


def test_example_table_builds_neighbourhoods_as_the_table_says():
    table = read_table(EXAMPLE)
    mine = table[table[LA_NAME] == "Exampleton"]
    locality = load_locality(EXAMPLE, "Exampleton")
    assert locality.codes == tuple(mine["LSOA code (2011)"])
    assert np.array_equal(locality.population, mine[POPULATION].astype(float))
    assert np.array_equal(locality.decile, mine[DECILE].astype(int))
    # At 1:1 every LSOA keeps its population; at a tenth, sizes stay proportional.
    assert np.array_equal(locality.sizes(1.0), mine[POPULATION].astype(int))
    tenth = locality.sizes(0.1)
    assert tenth.sum() == round(locality.population.sum() * 0.1)
    assert np.all(np.abs(tenth - locality.population * 0.1) < 1)
    # National deprivation: decile 1 is the most deprived, rank order is kept.
    assert np.all((locality.deprivation > 0) & (locality.deprivation < 1))
    most, least = locality.decile.argmin(), locality.decile.argmax()
    assert locality.deprivation[most] > locality.deprivation[least]
    assert set(locality.quintile[locality.decile <= 2]) == {4}


def test_authority_by_code_any_case_and_short_column_names(tmp_path):
    by_code = load_locality(EXAMPLE, "e07999902")
    assert by_code.local_authority == "Sampleford" and by_code.n_neighbourhoods == 30
    hand = tmp_path / "hand.csv"
    hand.write_text(
        '\ufefflsoa_code,population,imd_decile\nA1,1000,1\nA2,"1,500",10\n', encoding="utf-8"
    )
    locality = load_locality(hand)
    assert locality.population.tolist() == [1000.0, 1500.0]
    assert np.allclose(locality.deprivation, [0.95, 0.05])


def _bad(tmp_path, text: str) -> Path:
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "authority", "message"),
    [
        ("lsoa_code,imd_decile\nA1,3\n", None, "missing column 'Total population"),
        ("lsoa_code,population\nA1,3\n", None, "missing column 'Index of Multiple"),
        ("lsoa_code,population,imd_decile\nA1,100,11\n", None, "decile 11 is not allowed"),
        ("lsoa_code,population,imd_decile\nA1,100,0\n", None, "decile 0 is not allowed"),
        ("lsoa_code,population,imd_decile\nA1,100,2.5\n", None, "is not a whole number"),
        ("lsoa_code,population,imd_decile\nA1,-5,2\n", None, "population -5 is not allowed"),
        ("lsoa_code,population,imd_decile\nA1,,2\n", None, "'' is not a number"),
        ("lsoa_code,population,imd_decile\nA1,10,2\nA1,10,3\n", None, "more than once"),
        ("lsoa_code,population,imd_rank\nA1,10,40000\n", None, "expected 1 to 32,844"),
        ("lsoa_code,population,imd_decile,local_authority\nA1,10,2,X\n", "Y", "not in the table"),
        ("lsoa_code,population,imd_decile,local_authority\nA1,1,2,X\nA2,1,2,Y\n", None, "2 local"),
        ("lsoa_code,population,imd_decile\n", None, "no rows"),
    ],
)
def test_bad_tables_get_one_line_errors(tmp_path, text, authority, message):
    path = _bad(tmp_path, text)
    with pytest.raises(LocalityError) as caught:
        load_locality(path, authority)
    assert message in str(caught.value)
    assert str(path) in str(caught.value)
    assert "\n" not in str(caught.value)


def test_unknown_authority_suggests_the_close_one():
    with pytest.raises(LocalityError, match="did you mean 'Exampleton'"):
        load_locality(EXAMPLE, "Exampletown")


def test_unreadable_files(tmp_path):
    with pytest.raises(LocalityError, match="no such deprivation table"):
        load_locality(tmp_path / "missing.csv")
    sheet = tmp_path / "File_7.xlsx"
    sheet.write_bytes(b"PK\x03\x04")
    with pytest.raises(LocalityError, match="save the sheet as CSV"):
        load_locality(sheet)
    latin = tmp_path / "latin.csv"
    latin.write_bytes("lsoa_code,population,imd_decile\nCaf\xe9,10,2\n".encode("latin-1"))
    with pytest.raises(LocalityError, match="not UTF-8"):
        load_locality(latin)


@given(
    st.lists(st.floats(0, 5_000, allow_nan=False), min_size=1, max_size=60),
    st.integers(0, 3),
)
def test_apportion_keeps_the_total_and_stays_close(quotas, minimum):
    quotas = np.array(quotas)
    counts = apportion(quotas, minimum)
    assert counts.sum() == max(round(quotas.sum()), minimum * len(quotas))
    assert counts.min() >= minimum
    if np.all(quotas >= minimum + 1):  # the minimum never binds: largest remainders exactly
        assert np.all(np.abs(counts - quotas) < 1)


# --- a locality in the model: scenario section, sizes and national deprivation -------------
def test_model_builds_the_locality_of_the_example_table():
    from coauthor_sim.api import scenario_parameters
    from coauthor_sim.model import CoauthorModel

    params = scenario_parameters("localities/exampleton", steps=2)
    locality = load_locality(EXAMPLE, "Exampleton")
    table = read_table(EXAMPLE)
    mine = table[table[LA_NAME] == "Exampleton"]
    assert params.n_neighbourhoods == 40 == len(mine)
    assert params.n_citizens == round(mine[POPULATION].astype(float).sum() * 0.1)

    model = CoauthorModel(seed=3, **params)
    c = model.citizens
    sizes = np.bincount(c.neighbourhood, minlength=40)
    # Each neighbourhood holds a tenth of its LSOA's residents (rounded, total kept).
    assert np.array_equal(sizes, locality.sizes(0.1))
    assert np.all(np.abs(sizes - mine[POPULATION].astype(float).to_numpy() * 0.1) < 1)
    # Deprivation is the table's, national, not re-ranked within Exampleton: quintiles follow
    # the IMD deciles (1-2 most deprived = quintile 4), whatever the spread inside the council.
    deciles = mine[DECILE].astype(int).to_numpy()
    assert np.array_equal(c.deprivation_quintile, (4 - (deciles - 1) // 2)[c.neighbourhood])
    assert np.allclose(model.deprivation, locality.deprivation)
    assert np.mean(c.deprivation_quintile == 4) > 0.4  # a mostly deprived council stays so
    context = c.context[np.searchsorted(c.neighbourhood, np.arange(40))]
    assert np.all(np.diff(context[np.argsort(model.deprivation)]) <= 1e-12)  # more deprived, worse
    model.run()
    assert np.isfinite(model.outcome_table().to_numpy(dtype=float)).all()


def test_direct_model_arguments_read_the_shipped_table():
    from coauthor_sim.model import CoauthorModel

    model = CoauthorModel(
        seed=1, locality_table="example_iod2019.csv", local_authority="Sampleford",
        locality_scale=0.02, steps=1,
    )  # fmt: skip
    assert model.n_hood == 30 and model.p.n_neighbourhoods == 30
    residents = load_locality(EXAMPLE, "Sampleford").population.sum()
    assert model.p.n_citizens == model.citizens.n == round(0.02 * residents)


def _scenario(tmp_path, body: str) -> Path:
    path = tmp_path / "mine.toml"
    path.write_text(f'description = "x"\nextends = "status_quo"\n[population]\n{body}\n')
    return path


def test_scenario_table_path_is_relative_to_the_scenario_file(tmp_path):
    from coauthor_sim.scenario import load_scenario

    (tmp_path / "tables").mkdir()
    own = tmp_path / "tables" / "own.csv"
    own.write_text("lsoa_code,population,imd_decile\n" + "".join(
        f"X{i},{1000 + i},{1 + i % 10}\n" for i in range(12)))  # fmt: skip
    scenario = load_scenario(_scenario(tmp_path, 'locality_table = "tables/own.csv"'))
    assert scenario.params.n_neighbourhoods == 12
    assert scenario.params.locality_table == str(own.resolve())


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('locality_table = "example_iod2019.csv"\nlocal_authority = "Nowhere"', "not in the table"),
        ('locality_table = "missing.csv"', "no such deprivation table"),
        ('locality_table = "example_iod2019.csv"', "3 local authorities"),
        ('local_authority = "Exampleton"', "without a locality_table"),
        ('locality_table = "three.csv"', "citizens in 3 neighbourhoods"),
        ("locality_scale = 2.0", "locality_scale = 2.0 is not allowed"),
    ],
)
def test_bad_locality_in_a_scenario_is_one_line_naming_the_file(tmp_path, body, message):
    from coauthor_sim.scenario import ScenarioError, load_scenario

    path = _scenario(tmp_path, body)
    (tmp_path / "three.csv").write_text(
        "lsoa_code,population,imd_decile\nA,900,1\nB,800,2\nC,700,3\n"
    )
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert message in str(caught.value) and str(path) in str(caught.value)
    assert "\n" not in str(caught.value)


def test_cli_refuses_a_bad_local_authority_before_any_work(tmp_path, capsys):
    from coauthor_sim.cli import main

    path = _scenario(
        tmp_path, 'locality_table = "example_iod2019.csv"\nlocal_authority = "Nowhere"'
    )
    out = tmp_path / "out.csv"
    assert main(["run", str(path), "--out", str(out)]) == 2
    assert not out.exists()
    err = capsys.readouterr().err.strip()
    assert "local_authority = 'Nowhere'" in err and len(err.splitlines()) == 1


def test_councils_experiment_runs_each_council_at_its_own_size(tmp_path):
    from coauthor_sim.experiment.definition import load_experiment
    from coauthor_sim.scenario import ScenarioError

    root = Path(__file__).resolve().parents[1]
    experiment = load_experiment(root / "experiments" / "localities" / "councils.toml")
    assert experiment.n_runs == 3 * 2 * 2 * 4
    sizes = {
        run.params["local_authority"]: (run.params["n_citizens"], run.params["n_neighbourhoods"])
        for run in experiment.runs()
    }
    for council, (citizens, hoods) in sizes.items():
        locality = load_locality(EXAMPLE, council)
        assert (citizens, hoods) == (locality.sizes(0.05).sum(), locality.n_neighbourhoods)
    bad = tmp_path / "bad.toml"
    bad.write_text(
        'description = "x"\nscenario = "localities/exampleton"\n[design]\n'
        'kind = "full_factorial"\n[population]\nlocal_authority = ["Exampleton", "Nowhere"]\n'
    )
    with pytest.raises(ScenarioError, match=r"bad.toml: design point .*'Nowhere' is not in"):
        load_experiment(bad)


def test_a_size_given_with_a_locality_is_refused_not_ignored():
    from coauthor_sim.api import scenario_parameters
    from coauthor_sim.params import ParameterError

    with pytest.raises(ParameterError, match="n_citizens is not allowed with a locality_table"):
        scenario_parameters("localities/exampleton", n_citizens=500)
