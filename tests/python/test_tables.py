"""The tables (DataFrames with pandas) hold the figures of the JSON document: one row
per interval and call type, group, channel; a metric's mean and half-width in
`<metric>` and `<metric>_ci95`; targets and verdicts beside them."""

import math

import pandas
import pytest

import ccsim

RETAIL = "scenarios/retail-helpdesk.toml"


@pytest.fixture(scope="module")
def day():
    return ccsim.run(RETAIL, replications=6, seed=4)


def metrics_of(columns):
    """The metrics of a table: the columns that have a `_ci95` beside them."""
    return [c for c in columns if f"{c}_ci95" in columns]


def same(cell, value):
    """A cell holds the JSON's value (NaN where the JSON has null)."""
    if value is None:
        return cell is None or (isinstance(cell, float) and math.isnan(cell))
    return cell == value


def assert_row(row, figures, targets=None, verdict="absent"):
    """The row holds every figure of the JSON object `figures`, bit for bit."""
    for m in metrics_of(list(row.index)):
        estimate = figures.get(m, {"mean": None, "ci95": None})
        assert same(row[m], estimate["mean"]), (m, row[m], estimate)
        assert same(row[f"{m}_ci95"], estimate["ci95"]), (m, row[f"{m}_ci95"], estimate)
    if targets is not None:
        judged = {t["metric"]: t for t in targets}
        for column in row.index:
            if column.startswith("target_"):
                figure = column[len("target_"):]
                t = judged.get(figure)
                bound = None if t is None else t.get("min", t.get("max"))
                assert same(row[column], bound), (column, row[column], t)
                assert same(row[f"status_{figure}"], None if t is None else t["status"])
    if verdict != "absent":
        assert same(row["verdict"], verdict)


def test_intervals_hold_every_interval_and_call_type_of_the_json(day):
    data, table = day.data, day.intervals
    assert isinstance(table, pandas.DataFrame)
    types = [c["name"] for c in data["call_types"]]
    assert table.shape[0] == len(data["intervals"]) * (len(types) + 1) == 24 * 4
    assert list(table.columns[:3]) == ["interval", "call_type", "channel"]
    assert table.columns[-1] == "verdict"
    # Every metric of the JSON's interval rows is a column.
    assert {"offered", "service_level", "asa_seconds", "abandon_rate"} <= set(table.columns)
    assert table["service_level"].dtype == "float64"
    rows = table.itertuples(index=False)
    for interval in data["intervals"]:
        row = pandas.Series(next(rows)._asdict())
        assert (row["interval"], row["call_type"], row["channel"]) == (interval["start"], "all", "all")
        assert_row(row, interval, targets=[], verdict=interval["verdict"])
        for c in interval["call_types"]:
            row = pandas.Series(next(rows)._asdict())
            assert (row["interval"], row["call_type"]) == (interval["start"], c["name"])
            assert_row(row, c, targets=c["targets"], verdict=c["verdict"])


def test_call_types_channels_and_groups_hold_the_json(day):
    data = day.data
    call_types = day.call_types
    assert list(call_types["call_type"]) == ["all"] + [c["name"] for c in data["call_types"]]
    assert_row(call_types.iloc[0], data["totals"], targets=[], verdict=data["verdict"])
    for k, c in enumerate(data["call_types"], start=1):
        assert_row(call_types.iloc[k], c, targets=c["targets"], verdict=c["verdict"])

    channels = day.channels
    assert channels.shape[0] == len(data["channels"]) * (len(data["intervals"]) + 1)
    for k, c in enumerate(data["channels"]):
        row = channels.iloc[k]
        assert (row["interval"], row["channel"]) == ("all", c["name"])
        assert_row(row, c, targets=c["targets"], verdict=c["verdict"])

    groups = day.groups
    names = [g["name"] for g in data["groups"]]
    assert groups.shape[0] == (len(names) + 1) * (len(data["intervals"]) + 1)
    assert list(groups["group"][: len(names) + 1]) == ["all"] + names
    for k, g in enumerate(data["groups"], start=1):
        assert_row(groups.iloc[k], g)
    # The groups of the last interval close the table.
    last = data["intervals"][-1]
    for k, g in enumerate(last["groups"]):
        row = groups.iloc[len(groups) - len(names) + k]
        assert (row["interval"], row["group"]) == (last["start"], g["name"])
        assert_row(row, g)
    # An undefined figure is NaN in a float column, not an object column of None.
    assert groups["slot_utilisation"].dtype == "float64"
    assert groups["slot_utilisation"].isna().all()


def test_the_staffing_table_is_the_json_staffing_per_interval_and_group():
    answer = ccsim.staff("scenarios/two-tier-helpdesk.toml", replications=40, seed=5)
    data, table = answer.data, answer.staffing
    groups = list(data["intervals"][0]["groups"])
    assert table.shape[0] == len(data["intervals"]) * len(groups)
    assert list(table.columns[:4]) == ["interval", "group", "agents", "paid"]
    assert table["agents"].dtype == "int64" and table["within_noise"].dtype == "bool"
    rows = iter(table.to_dict("records"))
    for interval in data["intervals"]:
        for group in groups:
            row = next(rows)
            assert (row["interval"], row["group"]) == (interval["start"], group)
            assert row["agents"] == interval["groups"][group]
            assert row["paid"] == interval["paid"][group]
            assert row["erlang"] == interval["erlang"][group]
            for flag in ("within_noise", "unreachable", "missed"):
                assert row[flag] is interval[flag] or row[flag] == interval[flag]
            assert same(row["p_met"], interval["p_met"])
            assert row["verdict"] == interval["verdict"] and row["note"] == interval["note"]
            assert_row(pandas.Series(row), interval)
    # The day at the staffing found: the run's tables.
    assert answer.intervals.shape[0] == len(data["intervals"]) * (len(data["call_types"]) + 1)
    assert list(answer.tables)[:1] == ["staffing"]


def test_differences_hold_every_paired_row_of_the_json():
    a = "scenarios/retail-helpdesk.toml"
    text = open(a, encoding="utf-8").read().replace("agents = 19", "agents = 23", 1)
    result = ccsim.compare(a, text, replications=8, seed=2)
    data, table = result.data, result.differences
    assert table.shape == (len(data["rows"]), 11)
    assert table["significant"].dtype == "bool"
    # More billing agents: billing's service level rises, significantly.
    billing = table[(table["of"] == "call_types[billing]") & (table["metric"] == "service_level")].iloc[0]
    assert billing["difference"] > 0 and billing["significant"]
    for row, json_row in zip(table.to_dict("records"), data["rows"]):
        assert same(row["difference"], json_row["difference"]), (row, json_row)
        assert same(row["ci95"], json_row["ci95"])


def test_erlang_neighbours_are_the_json_rows():
    answer = ccsim.erlang(per_hour=240, aht="4m", target_sl=0.8, shrinkage=0.25)
    table = answer.neighbours
    rows = answer.data["neighbours"]
    assert table.columns[0] == "agents" and len(table) == len(rows)
    for row, json_row in zip(table.to_dict("records"), rows):
        assert row == json_row
    assert table["agents"].dtype == "int64" and table["meets_targets"].dtype == "bool"
    chosen = table[table["agents"] == answer.data["agents"]].iloc[0]
    assert chosen["meets_targets"] and chosen["service_level"] >= 0.8
    below = table[table["agents"] == answer.data["agents"] - 1].iloc[0]
    assert not below["meets_targets"]
