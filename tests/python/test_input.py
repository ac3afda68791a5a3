"""Scenarios as paths, TOML text or dicts, and bad input: the command line's messages,
with line and column, as exceptions that are ValueErrors."""

import pathlib
import tomllib
import warnings

import pytest

import ccsim
from conftest import ROOT, SCENARIOS, cli

RETAIL = "scenarios/retail-helpdesk.toml"


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_a_dict_of_the_toml_runs_as_the_file_does(path):
    if "csv" in path.read_text(encoding="utf-8"):
        pytest.fail(f"{path.name} reads a CSV file: give this test one that does not")
    with open(path, "rb") as f:
        as_dict = tomllib.load(f)
    # The dict's TOML reads back as the same data.
    assert tomllib.loads(ccsim.to_toml(as_dict)) == as_dict
    from_dict = ccsim.run(as_dict, replications=3, seed=9)
    from_file = ccsim.run(path, replications=3, seed=9)
    assert from_dict.json() == from_file.json()


def test_toml_text_runs_as_the_file_does():
    text = (ROOT / RETAIL).read_text(encoding="utf-8")
    assert ccsim.run(text, replications=2).json() == ccsim.run(RETAIL, replications=2).json()


def test_a_dict_built_in_python_runs():
    scenario = {
        "scenario": {"name": "tiny", "duration": "2h", "replications": 4, "seed": 1},
        "call_type": [
            {
                "name": "sales",
                "arrivals": {"per_hour": 120},
                "handle_time": {"dist": "exponential", "mean": "4m"},
                "patience": {"dist": "exponential", "mean": "2m"},
                "service_level_threshold": "20s",
                "service_level_target": 0.8,
            }
        ],
        "agent_group": [{"name": "team", "agents": 10, "skills": ["sales"]}],
    }
    day = ccsim.run(scenario)
    assert day.data["scenario"] == "tiny" and day.data["replications"] == 4
    assert day.intervals["call_type"].tolist().count("sales") == len(day.data["intervals"])
    offered = day.data["totals"]["offered"]["mean"]
    assert 150 < offered < 330


def test_a_bad_file_raises_the_cli_message_with_line_and_column(tmp_path):
    bad = tmp_path / "bad.toml"
    text = (ROOT / RETAIL).read_text(encoding="utf-8").replace('mean = "4m30s"', 'mean = "5 parsecs"', 1)
    assert "5 parsecs" in text
    bad.write_text(text, encoding="utf-8")
    _, stderr, code = cli("run", bad)
    assert code == 2
    with pytest.raises(ccsim.ScenarioError) as caught:
        ccsim.run(bad)
    assert isinstance(caught.value, ValueError) and isinstance(caught.value, ccsim.InputError)
    assert f"error: {caught.value}\n" == stderr
    line = next(n for n, l in enumerate(text.splitlines(), 1) if "parsecs" in l)
    (d,) = caught.value.diagnostics
    assert (d["file"], d["line"], d["field"]) == (str(bad), line, "call_type[0].handle_time.mean")
    assert str(caught.value).startswith(f"{bad}:{line}:{d['column']}: call_type[0].handle_time.mean: ")


def test_text_is_named_text_and_a_dict_dict_in_messages():
    with pytest.raises(ccsim.ScenarioError) as caught:
        ccsim.run('[scenario]\nname = "x"\nduration = "zz"\n')
    first = str(caught.value).splitlines()[0]
    assert first.startswith("<text>:3:12: scenario.duration: cannot read duration"), first
    # Every problem of the file, as the command line lists them.
    assert [d["field"] for d in caught.value.diagnostics] == ["scenario.duration", "call_type", "agent_group"]

    with open(ROOT / RETAIL, "rb") as f:
        scenario = tomllib.load(f)
    scenario["call_type"][1]["handel_time"] = scenario["call_type"][1].pop("handle_time")
    with pytest.raises(ccsim.ScenarioError) as caught:
        ccsim.run(scenario)
    message = str(caught.value)
    assert message.startswith("<dict>:") and "call_type[1].handel_time" in message, message
    assert "did you mean `handle_time`?" in message
    # The line and column point into the dict's TOML.
    d = caught.value.diagnostics[0]
    line = ccsim.to_toml(scenario).splitlines()[d["line"] - 1]
    assert line[d["column"] - 1:].startswith("handel_time"), line


def test_values_a_dict_cannot_hold_are_refused_by_name():
    with pytest.raises(ccsim.InputError, match=r"<dict>: scenario.seed: None has no TOML form"):
        ccsim.to_toml({"scenario": {"seed": None}})
    with pytest.raises(ccsim.InputError, match=r"call_type\[0\].arrivals.per_hour: a complex"):
        ccsim.to_toml({"call_type": [{"arrivals": {"per_hour": 1j}}]})
    nested = {}
    nested["again"] = nested
    with pytest.raises(ccsim.InputError, match="nested deeper than 32 levels"):
        ccsim.to_toml({"scenario": nested})
    with pytest.raises(ccsim.InputError, match="beyond TOML's integers"):
        ccsim.to_toml({"scenario": {"seed": 2**64}})


def test_a_str_is_a_path_when_the_file_exists_else_text():
    with pytest.raises(FileNotFoundError, match="no such scenario file"):
        ccsim.run("scenarios/retail-helpdsk.toml")
    with pytest.raises(TypeError):
        ccsim.run(42)
    # A folder is a path, refused as the command line refuses it.
    with pytest.raises(ccsim.InputError, match=r"scenarios: not a regular file \(a folder\)"):
        ccsim.run("scenarios")
    assert ccsim.run(pathlib.Path(RETAIL), replications=2).json() == ccsim.run(RETAIL, replications=2).json()


def test_arguments_out_of_range_raise_the_cli_messages():
    for call, flags in [
        (lambda: ccsim.run(RETAIL, replications=0), ["run", RETAIL, "--replications", "0"]),
        (lambda: ccsim.staff(RETAIL, replications=1), ["staff", RETAIL, "--replications", "1"]),
        (
            lambda: ccsim.erlang(per_hour=100, aht="3m", agents=0),
            ["erlang", "--per-hour", "100", "--aht", "3m", "--agents", "0"],
        ),
        (
            lambda: ccsim.erlang(per_hour=100, aht="3m", target_sl=80),
            ["erlang", "--per-hour", "100", "--aht", "3m", "--target-sl", "80"],
        ),
        (lambda: ccsim.erlang(per_hour=100, aht="3 parsecs", agents=5), ["erlang", "--per-hour", "100", "--aht", "3 parsecs", "--agents", "5"]),
        (lambda: ccsim.erlang(per_hour=1000, aht="3m", agents=5), ["erlang", "--per-hour", "1000", "--aht", "3m", "--agents", "5"]),
    ]:
        _, stderr, code = cli(*flags)
        assert code == 2, flags
        with pytest.raises(ccsim.InputError) as caught:
            call()
        assert f"error: {caught.value}\n" == stderr
    # Out of range: the range the command accepts, not the integer type's.
    with pytest.raises(ccsim.InputError, match=r"^--replications must be between 1 and 1000000, got -1$"):
        ccsim.run(RETAIL, replications=-1)
    with pytest.raises(ccsim.InputError, match=r"^--replications must be between 2 and 100000, got -3$"):
        ccsim.staff(RETAIL, replications=-3)
    with pytest.raises(ccsim.InputError, match=r"^--threads must be between 0 and 256, got -1$"):
        ccsim.compare(RETAIL, RETAIL, threads=-1)
    with pytest.raises(ccsim.InputError, match=r"^--agents must be between 1 and 2000000, got 1099511627776$"):
        ccsim.erlang(per_hour=100, aht="3m", agents=2**40)
    with pytest.raises(ccsim.InputError, match=r"^--seed must be between 0 and 18446744073709551615, got -1$"):
        ccsim.run(RETAIL, seed=-1)
    with pytest.raises(TypeError):
        ccsim.run(RETAIL, seed=1.5)


def test_text_larger_than_a_scenario_file_may_be_is_refused():
    with pytest.raises(ccsim.InputError, match="<text>: 10485761 bytes, larger than the 10 MiB a scenario may be"):
        ccsim.run("#" * (10 * 2**20 + 1))


def test_warnings_are_issued_as_scenario_warnings():
    with open(ROOT / RETAIL, "rb") as f:
        scenario = tomllib.load(f)
    scenario["call_type"][0]["handle_time"]["mean"] = "6s"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        day = ccsim.run(scenario, replications=2)
    issued = [w for w in caught if issubclass(w.category, ccsim.ScenarioWarning)]
    assert issued and issued[0].filename == __file__
    assert str(issued[0].message) == day.warnings[0]
    assert day.warnings[0].startswith("<dict>:15:15: call_type[0].handle_time: warning: a mean handle time of 6s")
