"""Every verb's .json() is the document the command line prints for the same input and
options, byte for byte, on the shipped scenarios."""

import re

import pytest

import ccsim
from conftest import SCENARIOS, cli_ok


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_run_is_the_cli_document_on_every_shipped_scenario(path):
    rel = path.relative_to(path.parents[1])
    assert ccsim.run(str(rel)).json() == cli_ok("run", rel, "--format", "json")
    # Options as the command line's flags; the thread count changes no byte.
    python = ccsim.run(rel, replications=3, seed=11, threads=1).json()
    assert python == cli_ok(
        "run", rel, "--replications", 3, "--seed", 11, "--threads", 2, "--format", "json"
    )


@pytest.mark.parametrize(
    "name, options",
    [
        ("retail-helpdesk", {}),
        ("two-tier-helpdesk", {"replications": 40, "seed": 5}),
        # Rosters: the roster's tables and check are part of the document.
        ("week-roster", {}),
    ],
)
def test_staff_is_the_cli_document(name, options):
    path = f"scenarios/{name}.toml"
    flags = [x for k, v in options.items() for x in (f"--{k}", v)]
    answer = ccsim.staff(path, **options)
    assert answer.json() == cli_ok("staff", path, *flags, "--format", "json")
    # The workbook's sheets, the roster's among them where the scenario has rosters.
    roster = ["roster_shifts", "roster_lines", "roster_coverage"] if "roster" in answer.data else []
    assert list(answer.tables) == ["staffing", *roster, "intervals", "call_types", "channels", "groups"]
    assert bool(roster) == (name == "week-roster")


def test_compare_is_the_cli_document(tmp_path):
    a = "scenarios/retail-helpdesk.toml"
    text = open(a, encoding="utf-8").read()
    # B: two more agents on the billing team's early shift.
    b = tmp_path / "more-billing.toml"
    b.write_text(text.replace("agents = 19", "agents = 21", 1), encoding="utf-8")
    assert "agents = 21" in b.read_text(encoding="utf-8")
    python = ccsim.compare(a, b, replications=10, seed=3)
    assert python.json() == cli_ok(
        "compare", a, b, "--replications", 10, "--seed", 3, "--format", "json"
    )
    assert str(python) == cli_ok("compare", a, b, "--replications", 10, "--seed", 3)


ERLANG_QUESTIONS = [
    # Erlang C at given agents.
    {"per_hour": 100, "aht": "3m", "agents": 6},
    # Erlang A with a target, neighbours and paid headcount.
    {"per_hour": 240, "aht": "4m", "patience": "2m", "target_sl": 0.8, "shrinkage": 0.3},
    # Every target at once, threshold changed.
    {
        "per_hour": 500,
        "aht": "200s",
        "threshold": "30s",
        "target_sl": 0.85,
        "target_answer_rate": 0.97,
        "max_asa": "15s",
        "patience": "90s",
    },
    # Erlang B, and M/M/n/K with retries.
    {"per_hour": 60, "aht": "5m", "lines": 8},
    {"per_hour": 60, "aht": "5m", "agents": 6, "lines": 10, "retry": 0.5, "patience": "3m"},
]


def erlang_flags(question):
    return [x for k, v in question.items() for x in (f"--{k.replace('_', '-')}", v)]


@pytest.mark.parametrize("question", ERLANG_QUESTIONS)
def test_erlang_is_the_cli_document(question):
    answer = ccsim.erlang(**question)
    assert answer.json() == cli_ok("erlang", *erlang_flags(question), "--format", "json")
    assert str(answer) == cli_ok("erlang", *erlang_flags(question))


def test_numbers_of_seconds_are_durations():
    in_text = ccsim.erlang(per_hour=100, aht="180s", patience="120", target_sl=0.8)
    in_numbers = ccsim.erlang(per_hour=100, aht=180, patience=120.0, target_sl=0.8)
    assert in_numbers.json() == in_text.json()
    assert in_numbers.data["agents"] == in_text.data["agents"] == 7


def test_run_text_is_the_cli_table():
    path = "scenarios/single-skill.toml"
    assert str(ccsim.run(path, replications=4)) == cli_ok("run", path, "--replications", 4)
    assert re.search(r"service level", str(ccsim.run(path, replications=4)))
