//! Rostering: a week (or a day) of shifts generated from pattern rules, with days off,
//! weekly hours, rest between shifts and breaks placed against the requirement, solved
//! as an integer program; checked here from the roster's own rows and lines, not from the
//! figures it reports.

use std::collections::BTreeMap;

use ccsim::staff::roster::{Roster, roster_group, rostered_model};
use ccsim::summary::Summary;

use crate::common::{ccsim, ccsim_fails, ccsim_ok, model, named};

const DAY: i64 = 86_400_000_000;
const HOUR: i64 = 3_600_000_000;

/// A week of half hours: weekdays 07:00–21:00 rising to a midday peak, weekends half as
/// busy, nobody needed at night.
fn week_requirement() -> Vec<u32> {
    (0..336)
        .map(|k| {
            let (day, slot) = (k / 48, k % 48);
            if !(14..42).contains(&slot) {
                return 0;
            }
            let hour = slot as f64 / 2.0;
            let shape = 3.0 + 7.0 * (-(hour - 12.5f64).powi(2) / 18.0).exp();
            let scale = if day >= 5 { 0.5 } else { 1.0 };
            (shape * scale).round() as u32
        })
        .collect()
}

/// A scenario around a group `team` with `roster` (the calls only give the model a load).
fn scenario(start: &str, duration: &str, shrinkage: f64, roster: &str) -> String {
    format!(
        r#"
[scenario]
name = "roster"
start = "{start}"
duration = "{duration}"
interval = "30m"
replications = 4

[[call_type]]
name = "calls"
arrivals = {{ per_hour = 20 }}
handle_time = {{ dist = "exponential", mean = "3m" }}
patience = {{ dist = "exponential", mean = "3m" }}

[[agent_group]]
name = "team"
agents = 1
shrinkage = {shrinkage}
skills = ["calls"]
cost = {{ per_hour = 20 }}

[agent_group.roster]
{roster}
"#
    )
}

/// Full-time agents on 8h30 shifts (a paid coffee break and an unpaid lunch, each in its
/// window), part-time agents on 6h shifts; starts every hour from 07:00 to 13:00.
const WEEK_RULES: &str = r#"max_nodes = 600
min_rest = "11h"
patterns = [
  { name = "day", starts = { from = "07:00", to = "13:00", every = "1h" }, lengths = ["8h30m", "6h"], breaks = [
    { duration = "15m", after = "1h30m", before = "2h30m", every = "30m" },
    { duration = "30m", paid = false, after = "3h", before = "5h", every = "30m" },
  ] },
]
contracts = [
  { name = "full-time", days = 5, max_hours = 40, min_hours = 35 },
  { name = "part-time", days = 4, max_hours = 24, max_share = 0.3 },
]
"#;

fn week_roster() -> (ccsim::Model, Roster) {
    let m = model(&scenario("00:00", "7d", 0.2, WEEK_RULES));
    let r = roster_group(&m, 0, &week_requirement()).expect("a roster");
    (m, r)
}

/// Paid agents working (not on break) from each moment on, over the roster's rows, µs
/// after the first midnight; on a cyclic horizon what runs past its end wraps round.
fn working(r: &Roster) -> BTreeMap<i64, i64> {
    let period = r.horizon.end - r.horizon.start;
    let mut change: BTreeMap<i64, i64> = BTreeMap::new();
    let mut span = |a: i64, z: i64, n: i64| {
        let pieces = if r.horizon.cyclic && z > r.horizon.end {
            vec![(a, r.horizon.end), (r.horizon.start, z - period)]
        } else {
            vec![(a, z)]
        };
        for (a, z) in pieces {
            *change.entry(a).or_default() += n;
            *change.entry(z).or_default() -= n;
        }
    };
    for s in &r.shifts {
        let n = i64::from(s.agents);
        span(s.begin, s.begin + s.length, n);
        for &(offset, duration, _) in &s.breaks {
            span(s.begin + offset, s.begin + offset + duration, -n);
        }
    }
    let mut level = 0;
    change
        .into_iter()
        .map(|(t, d)| {
            level += d;
            (t, level)
        })
        .collect()
}

/// Asserts that every moment of every interval has at least the paid agents working that
/// the requirement needs (on duty ÷ (1 − shrinkage), whole agents), breaks included.
#[track_caller]
fn covers_every_moment(r: &Roster, required: &[u32], shrinkage: f64) {
    let levels = working(r);
    let interval = (r.horizon.end - r.horizon.start) / required.len() as i64;
    for (k, &need) in required.iter().enumerate() {
        let paid = (f64::from(need) / (1.0 - shrinkage) - 1e-9).ceil() as i64;
        let (from, to) = (
            r.horizon.start + k as i64 * interval,
            r.horizon.start + (k as i64 + 1) * interval,
        );
        let at_start = levels.range(..=from).next_back().map_or(0, |(_, &n)| n);
        let lowest = levels.range(from + 1..to).map(|(_, &n)| n).fold(at_start, i64::min);
        assert!(
            lowest >= paid,
            "interval {k}: {lowest} paid agents working at some moment, {paid} needed ({need} on duty)"
        );
        // The roster's own figure says the same (after shrinkage, as the engine rounds).
        let engine = (lowest as f64 * (1.0 - shrinkage)).round() as u32;
        assert!(
            r.lowest[k] >= need && r.lowest[k] <= engine,
            "interval {k}: reported {}",
            r.lowest[k]
        );
    }
}

#[test]
fn a_week_roster_covers_every_moment_of_every_interval_breaks_included() {
    let (_, r) = week_roster();
    assert!(r.horizon.cyclic, "a week from midnight repeats");
    covers_every_moment(&r, &week_requirement(), 0.2);
    // Breaks lie inside their windows: coffee 1h30–2h30, lunch 3h–5h after the start.
    for s in &r.shifts {
        let [(coffee, c, true), (lunch, l, false)] = s.breaks[..] else {
            panic!("two breaks, paid then unpaid: {s:?}");
        };
        assert!(coffee >= 90 * 60_000_000 && coffee + c <= 150 * 60_000_000, "{s:?}");
        assert!(lunch >= 3 * HOUR && lunch + l <= 5 * HOUR, "{s:?}");
        assert!(s.begin.rem_euclid(DAY) >= 7 * HOUR && s.begin.rem_euclid(DAY) <= 13 * HOUR);
    }
    // Lunches are spread: not every agent of a busy day eats at the same time.
    let lunches: std::collections::BTreeSet<i64> = r.shifts.iter().map(|s| s.begin + s.breaks[1].0).collect();
    assert!(lunches.len() > 7, "{lunches:?}");
}

#[test]
fn every_agent_keeps_the_days_off_hours_and_rest_of_their_contract() {
    let (m, r) = week_roster();
    let rules = m.groups[0].roster.as_ref().unwrap();
    let agents_on_rows: u32 = r.shifts.iter().map(|s| s.agents).sum();
    let shifts_on_lines = r.lines.iter().map(|l| l.shifts.iter().flatten().count()).sum::<usize>();
    assert_eq!(
        agents_on_rows as usize, shifts_on_lines,
        "every rostered shift is someone's"
    );
    let mut per_contract = vec![0; rules.contracts.len()];
    for (i, line) in r.lines.iter().enumerate() {
        let contract = &rules.contracts[line.contract];
        per_contract[line.contract] += 1;
        let worked: Vec<usize> = (0..7).filter(|&d| line.shifts[d].is_some()).collect();
        assert_eq!(worked.len() as u32, contract.days, "agent {i}: {worked:?}");
        // The days off, as a week that wraps round, form one block.
        let off: Vec<usize> = (0..7).filter(|d| !worked.contains(d)).collect();
        let starts_of_blocks = off.iter().filter(|&&d| !off.contains(&((d + 6) % 7))).count();
        assert!(off.is_empty() || starts_of_blocks == 1, "agent {i}: days off {off:?}");
        let rows: Vec<_> = line.shifts.iter().flatten().map(|&j| &r.shifts[j]).collect();
        let hours: f64 = rows.iter().map(|s| s.paid() as f64 / HOUR as f64).sum();
        assert!(hours <= contract.max_hours.unwrap() + 1e-9, "agent {i}: {hours} h");
        assert!(hours + 1e-9 >= contract.min_hours, "agent {i}: {hours} h");
        // Rest from each shift to the next, the last to the first of next week included.
        let mut begins: Vec<(i64, i64)> = rows.iter().map(|s| (s.begin, s.begin + s.length)).collect();
        begins.sort_unstable();
        let next_week = (begins[0].0 + 7 * DAY, begins[0].1 + 7 * DAY);
        for pair in begins.iter().chain([&next_week]).collect::<Vec<_>>().windows(2) {
            let rest = pair[1].0 - pair[0].1;
            assert!(rest >= 11 * HOUR, "agent {i}: {} h of rest", rest as f64 / HOUR as f64);
        }
    }
    // At most 30 % of the agents part-time.
    assert!(per_contract[1] as f64 <= 0.3 * r.lines.len() as f64, "{per_contract:?}");
    assert!(per_contract[0] > 0 && per_contract[1] > 0, "{per_contract:?}");
}

#[test]
fn a_week_with_days_off_has_the_hand_checked_optimum() {
    // One agent needed 09:00–17:00 every day; the only shift is 09:00–17:00, worked five
    // days a week with the two days off together. One agent covers 5 of the 7 days, so
    // at least two are needed; two whose days off do not meet (Sat–Sun and Tue–Wed) cover
    // every day, working 10 shifts between them: 80 paid hours at 20 = 1,600.
    let rules = r#"patterns = [{ starts = "09:00", lengths = ["8h"] }]
contracts = [{ name = "full-time", days = 5, max_hours = 40 }]"#;
    let m = model(&scenario("00:00", "7d", 0.0, rules));
    let required: Vec<u32> = (0..336).map(|k| u32::from((18..34).contains(&(k % 48)))).collect();
    let r = roster_group(&m, 0, &required).unwrap();
    assert_eq!(r.solve.status, "optimal");
    assert_eq!(r.lines.len(), 2);
    assert_eq!(r.paid_hours, 80.0);
    assert_eq!(r.cost, 1600.0);
    covers_every_moment(&r, &required, 0.0);
    let days_off: Vec<Vec<usize>> = r
        .lines
        .iter()
        .map(|l| (0..7).filter(|&d| l.shifts[d].is_none()).collect())
        .collect();
    assert!(days_off[0].iter().all(|d| !days_off[1].contains(d)), "{days_off:?}");
}

#[test]
fn a_day_with_lunches_has_the_hand_checked_optimum() {
    // Two agents on duty 09:00–17:00. Full-time shifts run 09:00–17:00 with an unpaid
    // 30-minute lunch starting 3h to 5h30 in (7.5 paid hours); part-time shifts are 4
    // hours without a break, starting on the hour from 09:00 to 13:00, and at most half of
    // the agents may work them. Two full-timers leave one agent during each lunch, so a
    // third agent is needed: a part-timer covering both lunches (one at 12:00, one at
    // 12:30, the part-timer 09:00–13:00 or 10:00–14:00 …) makes 7.5 + 7.5 + 4 = 19 paid
    // hours. Cheaper rosters fail: two agents leave a lunch uncovered, one full-timer
    // with part-timers needs at least two part-timers working at every moment of the
    // other hours, i.e. more part-timers than full-timers (4 part-timers alone would be
    // 16 hours, but all part-time); three full-timers cost 22.5. So 19 hours, 380.
    let rules = r#"max_part_time = 0.5
part_time_below = "6h"
patterns = [
  { name = "full", starts = "09:00", lengths = ["8h"], breaks = [{ duration = "30m", paid = false, after = "3h", before = "6h", every = "30m" }] },
  { name = "part", starts = { from = "09:00", to = "13:00", every = "1h" }, lengths = ["4h"] },
]"#;
    let m = model(&scenario("09:00", "8h", 0.0, rules));
    let r = roster_group(&m, 0, &[2; 16]).unwrap();
    assert_eq!(r.solve.status, "optimal");
    assert_eq!(r.paid_hours, 19.0);
    assert_eq!(r.cost, 380.0);
    assert_eq!(r.lines.len(), 3);
    covers_every_moment(&r, &[2; 16], 0.0);
}

#[test]
fn run_on_the_rostered_week_charges_the_rosters_payroll() {
    let (m, r) = week_roster();
    let rostered = rostered_model(&m, std::slice::from_ref(&r));
    let s = Summary::new(&rostered, &ccsim::simulate(&rostered, 0, &|| {}).unwrap());
    let team = named(&s.groups, "team");
    let figure = |name: &str| team.get(name).and_then(|e| e.mean).unwrap();
    // A week that repeats: last Sunday's shifts reaching into Monday are this week's, so
    // the payroll is what `run` pays inside the window.
    assert!((r.paid_hours - r.paid_hours_in_window).abs() < 1e-9);
    assert!((r.cost - r.cost_in_window).abs() < 1e-6);
    // Paid hours (shrinkage is paid) × 20, plus the overtime of calls served after a shift.
    let (cost, overtime) = (figure("cost"), figure("overtime_hours"));
    assert!(
        (cost - 20.0 * overtime - r.cost).abs() < 1e-3,
        "run charges {cost} with {overtime} overtime hours; the roster costs {}",
        r.cost
    );
    // Hours on duty: the roster's paid hours less 20 % shrinkage (each moment rounded to
    // whole agents, as `run` staffs it).
    assert!(
        (figure("agent_hours") - r.agent_hours).abs() < 1e-6,
        "{}",
        figure("agent_hours")
    );
    assert!((r.agent_hours - 0.8 * r.paid_hours).abs() < 0.05 * r.paid_hours);
}

#[test]
fn the_simulated_roster_meets_the_targets_where_the_staffing_does() {
    let text = r#"
[scenario]
name = "roster day"
start = "08:00"
duration = "8h"
interval = "1h"
replications = 20
seed = 7

[[call_type]]
name = "calls"
arrivals = { per_interval = [40, 70, 90, 100, 90, 100, 80, 50] }
handle_time = { dist = "exponential", mean = "4m" }
patience = { dist = "exponential", mean = "3m" }

[[agent_group]]
name = "team"
agents = 1
shrinkage = 0.25
skills = ["calls"]
cost = { per_hour = 20 }

[agent_group.roster]
patterns = [
  { name = "day", starts = { from = "08:00", to = "08:30", every = "30m" }, lengths = ["8h"], breaks = [
    { duration = "30m", paid = false, after = "3h", before = "5h" },
  ] },
  { name = "part", starts = { from = "08:00", to = "12:00", every = "1h" }, lengths = ["4h"] },
]
"#;
    let m = model(text);
    let p = ccsim::staff::staff(&m, 2, &|_| {}).unwrap();
    let r = &p.roster[0];
    let required: Vec<u32> = p.agents.iter().map(|row| row[0]).collect();
    covers_every_moment(r, &required, 0.25);
    let (rostered, _) = p.rostered.as_ref().expect("the roster is simulated");
    use ccsim::targets::Status;
    for (k, (staffed, with_roster)) in p.summary.intervals.iter().zip(&rostered.intervals).enumerate() {
        if staffed.verdict == Some(Status::Met) {
            assert_ne!(with_roster.verdict, Some(Status::Missed), "interval {k}");
        }
    }
    let met = rostered
        .intervals
        .iter()
        .filter(|i| i.verdict == Some(Status::Met))
        .count();
    assert!(met >= 6, "{met} of 8 intervals met with the roster");
}

#[test]
fn staff_writes_the_roster_as_csv_and_json() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("day.toml");
    let rules = r#"patterns = [
  { name = "day", starts = { from = "08:00", to = "09:00", every = "30m" }, lengths = ["8h"], breaks = [
    { duration = "30m", paid = false, after = "3h", before = "5h" },
  ] },
]"#;
    let text = scenario("08:00", "8h", 0.2, rules).replace("per_hour = 20 }}", "per_hour = 20 }");
    std::fs::write(&file, text).unwrap();
    let out = dir.path().join("out");
    let o = ccsim_ok(&["staff", file.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    let table = String::from_utf8_lossy(&o.stdout);
    assert!(table.contains("Roster of team (1 day)"), "{table}");
    assert!(table.contains("unpaid"), "{table}");
    let shifts = std::fs::read_to_string(out.join("roster_shifts.csv")).unwrap();
    assert!(
        shifts.starts_with("group,day,pattern,start,end,paid_hours,breaks,agents\n"),
        "{shifts}"
    );
    assert!(shifts.lines().nth(1).unwrap().starts_with("team,d1,day,0"), "{shifts}");
    let lines = std::fs::read_to_string(out.join("roster_lines.csv")).unwrap();
    assert!(
        lines.starts_with("group,agent,contract,days_off,paid_hours,d1\n"),
        "{lines}"
    );
    let coverage = std::fs::read_to_string(out.join("roster_coverage.csv")).unwrap();
    assert_eq!(coverage.lines().count(), 1 + 16, "{coverage}");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("staffing.json")).unwrap()).unwrap();
    let roster = &json["roster"][0];
    let lunch = &roster["shifts"][0]["breaks"][0];
    assert_eq!(lunch["paid"], false);
    assert!(lunch["start"].as_str().unwrap() < lunch["end"].as_str().unwrap());
    assert_eq!(roster["solver"]["status"], "optimal");
    let agents: u64 = roster["shifts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["agents"].as_u64().unwrap())
        .sum();
    assert_eq!(agents, roster["agents"].as_u64().unwrap());
}

/// `ccsim validate` on a week whose roster is `roster`: its stderr.
fn refused(roster: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("week.toml");
    std::fs::write(&file, scenario("00:00", "7d", 0.0, roster)).unwrap();
    let err = ccsim_fails(&["validate", file.to_str().unwrap()]);
    err.replace(file.to_str().unwrap(), "week.toml")
}

#[test]
fn bad_roster_rules_are_refused_where_they_are_written() {
    // Line 23 is the roster's first line.
    let err = refused(
        r#"patterns = [{ starts = "08:00", lengths = ["6h"], breaks = [{ duration = "30m", after = "3h", before = "7h" }] }]"#,
    );
    assert!(
        err.contains("week.toml:23:")
            && err.contains("patterns[0].breaks[0].before")
            && err.contains("past the end of the 6h shift"),
        "{err}"
    );
    let err = refused(
        r#"patterns = [{ starts = "08:00", lengths = ["8h"] }]
contracts = [{ days = 8 }]"#,
    );
    assert!(
        err.contains("week.toml:24:") && err.contains("contracts[0].days") && err.contains("1 to 7"),
        "{err}"
    );
    let err = refused(r#"patterns = [{ starts = "08:00", lenghts = ["8h"] }]"#);
    assert!(
        err.contains("unknown key `lenghts`") && err.contains("lengths"),
        "{err}"
    );
    let err = refused(
        r#"patterns = [{ starts = "08:00", lengths = ["8h"], breaks = [
  { duration = "15m", after = "2h", before = "3h" },
  { duration = "30m", after = "1h", before = "5h" },
] }]"#,
    );
    assert!(
        err.contains("week.toml:25:") && err.contains("breaks[1].after") && err.contains("order"),
        "{err}"
    );
    let err = refused(
        r#"min_rest = "12h"
patterns = [{ starts = "20:00", lengths = ["13h"] }]"#,
    );
    assert!(
        err.contains("lengths[0]") && err.contains("do not fit in a day"),
        "{err}"
    );
    let err = refused(
        r#"patterns = [{ starts = "08:00", lengths = ["8h"] }]
contracts = [{ name = "part-time", days = 5, max_hours = 20 }]"#,
    );
    assert!(err.contains("contracts[0]") && err.contains("5 × 8h = 40h"), "{err}");
    let err = refused(r#"patterns = [{ starts = { from = "00:00", to = "23:59", every = "0s" }, lengths = ["8h"] }]"#);
    assert!(err.contains("starts.every") && err.contains("above 0"), "{err}");
    let err = refused(r#"time_limit = "2h""#);
    assert!(err.contains("time_limit") && err.contains("gives no shifts"), "{err}");
}

#[test]
fn a_roster_too_large_to_solve_is_refused_naming_its_rule() {
    // Starts every minute all day, two lengths, a break with 51 placements, a week.
    let err = refused(
        r#"patterns = [{ starts = { from = "00:00", to = "23:59", every = "1m" }, lengths = ["8h", "6h"], breaks = [{ duration = "30m", after = "2h", before = "5h", every = "3m" }] }]"#,
    );
    assert!(
        err.contains("week.toml:23:")
            && err.contains("patterns[0]")
            && err.contains("1440 starts × 2 lengths × 7 days"),
        "{err}"
    );
    assert!(err.contains("every"), "the help says how to make it smaller: {err}");
    // `ccsim check` says the same without running anything.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("week.toml");
    std::fs::write(
        &file,
        scenario(
            "00:00",
            "7d",
            0.0,
            r#"patterns = [{ starts = { from = "00:00", to = "23:59", every = "1m" }, lengths = ["8h"] }]"#,
        ),
    )
    .unwrap();
    let o = ccsim(&["check", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn the_roster_is_the_same_every_time() {
    let (_, a) = week_roster();
    let (_, b) = week_roster();
    assert_eq!(a, b);
}

#[test]
fn a_round_the_clock_week_wraps_sunday_night_into_monday() {
    // One agent needed at every moment; 8-hour shifts start at 06:00, 14:00 and 22:00,
    // five days a week with 11 hours of rest. Starts more than a day less 8h less 11h =
    // 5h apart cannot be worked by one agent on consecutive days in either order, so an
    // agent keeps one of the three starts all week; each start is needed all 7 days and an
    // agent works 5, so each needs 2 agents: 6 agents, 30 shifts, 240 paid hours. Monday
    // 00:00–06:00 is covered by Sunday's 22:00 shift: the week repeats.
    let rules = r#"patterns = [{ starts = ["06:00", "14:00", "22:00"], lengths = ["8h"] }]"#;
    let m = model(&scenario("00:00", "7d", 0.0, rules));
    let r = roster_group(&m, 0, &[1; 336]).unwrap();
    assert_eq!(r.solve.status, "optimal");
    assert_eq!((r.lines.len(), r.paid_hours), (6, 240.0));
    covers_every_moment(&r, &[1; 336], 0.0);
    assert!(r.shifts.iter().any(|s| s.day == 6 && s.begin == 6 * DAY + 22 * HOUR));
    // The simulated week starts with Sunday night's agent on duty.
    let rostered = rostered_model(&m, std::slice::from_ref(&r));
    assert!(
        rostered.groups[0].staffing[0].1 >= 1,
        "{:?}",
        &rostered.groups[0].staffing[..3]
    );
}

#[test]
fn overlapping_break_windows_are_taken_in_order() {
    // A coffee break anywhere from 1h to 3h into the shift and a lunch from 2h to 5h: the
    // windows overlap, yet each agent's lunch starts after their coffee break ends.
    let rules = r#"patterns = [{ starts = { from = "08:00", to = "10:00", every = "30m" }, lengths = ["8h"], breaks = [
  { duration = "15m", after = "1h", before = "3h" },
  { duration = "30m", paid = false, after = "2h", before = "5h" },
] }]"#;
    let m = model(&scenario("08:00", "10h", 0.0, rules));
    let required = [2, 3, 4, 5, 6, 6, 6, 6, 5, 5, 5, 5, 5, 5, 4, 4, 3, 3, 2, 2];
    let r = roster_group(&m, 0, &required).unwrap();
    covers_every_moment(&r, &required, 0.0);
    for s in &r.shifts {
        let (coffee, lunch) = (s.breaks[0], s.breaks[1]);
        assert!(coffee.0 + coffee.1 <= lunch.0, "{s:?}");
    }
    // Some agents take coffee late enough that the windows' overlap is used.
    assert!(r.shifts.iter().any(|s| s.breaks[1].0 < 3 * HOUR), "{:?}", r.shifts);
}

#[test]
fn run_on_rostered_toml_charges_what_the_roster_says() {
    // Round the clock for a week: Sunday's night shift reaches into Monday morning, so the
    // written roster lists it on day 0 (the day before the window) as well as day 7.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("week.toml");
    let text = r#"
[scenario]
name = "round the clock"
duration = "7d"
interval = "1h"
replications = 6
seed = 5

[[call_type]]
name = "calls"
arrivals = { per_hour = 12 }
handle_time = { dist = "exponential", mean = "4m" }
patience = { dist = "exponential", mean = "3m" }

[[agent_group]]
name = "team"
agents = 1
shrinkage = 0.1
skills = ["calls"]
cost = { per_hour = 18 }

[agent_group.roster]
patterns = [{ starts = ["06:00", "14:00", "22:00"], lengths = ["8h"], breaks = [{ duration = "30m", paid = false, after = "3h", before = "5h", every = "30m" }] }]
"#;
    std::fs::write(&file, text).unwrap();
    let out = dir.path().join("out");
    ccsim_ok(&["staff", file.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("staffing.json")).unwrap()).unwrap();
    let roster = &json["roster"][0];
    let rostered = std::fs::read_to_string(out.join("rostered.toml")).unwrap();
    assert!(
        rostered.contains("start = \"22:00\", end = \"06:00\"") && rostered.contains("days = [0, "),
        "{rostered}"
    );
    let o = ccsim_ok(&["run", out.join("rostered.toml").to_str().unwrap(), "--format", "json"]);
    let run: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let team = &run["groups"][0];
    let figure = |name: &str| team[name]["mean"].as_f64().unwrap();
    // The payroll of a repeating week is all inside it: `run` charges it, plus overtime.
    assert_eq!(roster["cost"], roster["cost_in_window"]);
    let cost = roster["cost"].as_f64().unwrap();
    assert!(
        (figure("cost") - 18.0 * figure("overtime_hours") - cost).abs() < 1e-3,
        "run charges {} with {} overtime hours; the roster costs {cost}",
        figure("cost"),
        figure("overtime_hours")
    );
    assert_eq!(figure("agent_hours"), roster["agent_hours"].as_f64().unwrap());
    // Paid hours less shrinkage (10 %, each moment rounded to whole agents) are on duty.
    let paid = roster["paid_hours"].as_f64().unwrap();
    assert!(figure("agent_hours") <= paid && figure("agent_hours") >= 0.9 * paid - 1e-9);
}

#[test]
fn a_shift_on_a_day_outside_the_horizon_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("week.toml");
    let text = scenario(
        "00:00",
        "7d",
        0.0,
        r#"patterns = [{ starts = "08:00", lengths = ["8h"] }]"#,
    )
    .replace(
        "agents = 1\n",
        "shifts = [{ start = \"08:00\", end = \"16:00\", agents = 3, days = [1, 9] }]\n",
    );
    std::fs::write(&file, text).unwrap();
    let err = ccsim_fails(&["validate", file.to_str().unwrap()]);
    assert!(
        err.contains("agent_group[0].shifts") && err.contains("day 9, but the horizon has 7 days"),
        "{err}"
    );
}

/// Patterns rich enough that the solver's linear relaxation alone runs for about a
/// minute: starts every 15 minutes from 05:00 to 16:00, three lengths, two breaks placed
/// every 15 minutes.
const BIG_RULES: &str = r#"min_rest = "11h"
max_nodes = 10000000
patterns = [
  { name = "day", starts = { from = "05:00", to = "16:00", every = "15m" }, lengths = ["8h30m", "8h", "7h"], breaks = [
    { duration = "15m", after = "1h30m", before = "3h30m", every = "15m" },
    { duration = "30m", paid = false, after = "3h", before = "6h", every = "15m" },
  ] },
]
contracts = [
  { name = "full-time", days = 5, max_hours = 40 },
  { name = "part-time", days = 4, max_hours = 30, max_share = 0.3 },
]
"#;

/// A stop (Ctrl-C, or the workbench's cancel) reaches a roster whose solver is inside
/// the linear relaxation, which has no way to be stopped: it took `ccsim staff` 55 s to
/// exit after Ctrl-C, and the workbench's cancel was ignored for as long. The roster now
/// returns at once, interrupted.
#[test]
fn a_stop_reaches_a_roster_inside_its_linear_relaxation() {
    let m = model(&scenario("00:00", "7d", 0.25, BIG_RULES));
    let required: Vec<u32> = week_requirement().iter().map(|&n| 2 * n).collect();
    let cancel = ccsim::interrupt::Cancel::new();
    let stopper = {
        let cancel = cancel.clone();
        std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_secs(1));
            cancel.cancel();
        })
    };
    let started = std::time::Instant::now();
    let outcome = cancel.scope(|| roster_group(&m, 0, &required));
    let took = started.elapsed();
    stopper.join().unwrap();
    assert!(
        matches!(outcome, Err(ccsim::Error::Interrupted)),
        "{:?}",
        outcome.map(|r| r.shifts.len())
    );
    assert!(took < std::time::Duration::from_secs(5), "stopped after {took:?}");
}
