"""A day and a staffing answer, plotted: the worked example of docs/python.md.

Run it from the repository's folder (or paste it into a notebook, cell by cell):

    python docs/examples/python_day.py [OUTPUT_FOLDER]

It simulates scenarios/retail-helpdesk.toml as its shifts staff it, plots each call
type's service level per half hour with its 95 % band against the 80 % target
(day.png), then asks ccsim for the agents each team needs in each half hour to meet
every target and plots them beside the shifts' agents and the Erlang C estimate
(staffing.png). It needs pandas and matplotlib (pip install pandas matplotlib).
"""

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only; in a notebook, leave this out
import matplotlib.pyplot as plt

import ccsim

SCENARIO = "scenarios/retail-helpdesk.toml"
out = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
out.mkdir(parents=True, exist_ok=True)

# --- The day as staffed: service level per interval, with its band -------------------
day = ccsim.run(SCENARIO)  # the scenario's 20 replications and seed
print(f"{day.data['scenario']}: {day.data['replications']} replications, verdict {day.verdict}")

intervals = day.intervals  # one row per interval and call type, `all` first
targets = day.call_types.set_index("call_type")["target_service_level"]

fig, ax = plt.subplots(figsize=(10, 4.5))
for name, rows in intervals[intervals["call_type"] != "all"].groupby("call_type", sort=False):
    x = range(len(rows))
    sl, band = rows["service_level"], rows["service_level_ci95"]
    ax.plot(x, sl, marker="o", markersize=3, label=name)
    ax.fill_between(x, sl - band, sl + band, alpha=0.2)
labels = list(intervals["interval"].drop_duplicates())
ax.axhline(targets.dropna().iloc[0], color="black", linestyle="--", linewidth=1, label="target")
ax.set_xticks(range(0, len(labels), 2), labels[::2])
ax.set_ylim(0, 1.02)
ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
ax.set_xlabel("interval")
ax.set_ylabel("service level (answered within 20 s)")
ax.set_title(f"{day.data['scenario']} as staffed: service level with its 95 % band")
ax.legend(loc="lower right", ncol=4)
fig.tight_layout()
fig.savefig(out / "day.png", dpi=110)

# Where the day misses: the intervals whose whole-centre verdict is `missed`.
centre = intervals[intervals["call_type"] == "all"]
print("missed at", ", ".join(centre.loc[centre["verdict"] == "missed", "interval"]) or "no interval")

# --- The staffing answer: agents per interval and team ------------------------------
answer = ccsim.staff(SCENARIO)
staffing = answer.staffing  # one row per interval and group
print(f"staffing: verdict {answer.verdict}, {answer.data['agent_hours']:.0f} agent hours")

# The agents the shifts put on duty, per interval and group (the run's `groups` table).
on_shifts = day.groups[(day.groups["interval"] != "all") & (day.groups["group"] != "all")]
hours_per_interval = 0.5
groups = list(staffing["group"].drop_duplicates())
fig, axes = plt.subplots(1, len(groups), figsize=(12, 4), sharey=True)
for ax, group in zip(axes, groups):
    rows = staffing[staffing["group"] == group]
    x = range(len(rows))
    ax.bar(x, rows["agents"], color="tab:blue", alpha=0.7, label="needed (simulated)")
    ax.step(x, rows["erlang"], where="mid", color="tab:orange", label="Erlang C estimate")
    shifts = on_shifts[on_shifts["group"] == group]["agent_hours"] / hours_per_interval
    ax.step(x, shifts, where="mid", color="black", linestyle=":", label="on the shifts")
    ax.set_title(group)
    ax.set_xticks(range(0, len(rows), 4), list(rows["interval"])[::4])
axes[0].set_ylabel("agents on duty")
axes[-1].legend(loc="upper right", fontsize=8)
fig.suptitle(f"{answer.data['scenario']}: agents needed to meet every target")
fig.tight_layout()
fig.savefig(out / "staffing.png", dpi=110)
print(f"wrote {out / 'day.png'} and {out / 'staffing.png'}")
