"""Without pandas the tables are lists of dicts, one per row, holding the same cells."""

import math
import sys

import ccsim


def test_tables_are_lists_of_dicts_without_pandas(monkeypatch):
    with_pandas = ccsim.run("scenarios/omnichannel.toml", replications=3)
    frames = with_pandas.tables  # made now, with pandas
    monkeypatch.setitem(sys.modules, "pandas", None)  # `import pandas` now fails
    without = ccsim.run("scenarios/omnichannel.toml", replications=3)
    assert without.json() == with_pandas.json()
    for name in ("intervals", "call_types", "channels", "groups"):
        rows = getattr(without, name)
        frame = frames[name]
        assert isinstance(rows, list) and all(isinstance(r, dict) for r in rows)
        assert len(rows) == len(frame) and list(rows[0]) == list(frame.columns)
        for row, record in zip(rows, frame.to_dict("records")):
            for column, cell in row.items():
                other = record[column]
                if cell is None:
                    assert other is None or math.isnan(other), (name, column, other)
                else:
                    assert cell == other, (name, column, cell, other)
    # The cells keep their kinds: text, numbers, verdicts; None where undefined.
    first = without.call_types[0]
    assert first["call_type"] == "all" and isinstance(first["offered"], float)
    assert first["verdict"] in ("met", "within_noise", "missed", None)
    staffing = ccsim.staff("scenarios/two-tier-helpdesk.toml", replications=40).staffing
    assert isinstance(staffing[0]["agents"], int) and isinstance(staffing[0]["within_noise"], bool)
    answer = ccsim.erlang(per_hour=100, aht="3m", target_sl=0.8)
    assert answer.neighbours == [
        {k: row[k] for k in sorted(row, key=lambda n: (n != "agents", n))}
        for row in answer.data["neighbours"]
    ]
