//! From the integer program's counts to agents: each tour's lines get, on each day their
//! week works, a start of their band, a shift type and a place for every break.
//!
//! On a day, a family's starts go to its bands earliest first (bands are ordered by both
//! ends, so if any split of the counts exists this one does); within a band, any line may
//! take any start (the band guarantees the rest). Within a shift, the j-th agent takes the
//! j-th earliest placement of every break, so each agent's breaks come in order.

use super::program::{Answer, Family, Tour, weekday};
use super::rules::{DAY_US, Horizon, RosterRules};

fn us(seconds: f64) -> i64 {
    (seconds * 1e6).round() as i64
}

/// One row of the roster: agents working one shift type on one day with the same break
/// times.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct DayShift {
    /// Roster day (0: the window's first day; −1 the day before).
    pub day: i64,
    /// Start, µs after the midnight that begins day 0.
    pub begin: i64,
    /// µs.
    pub length: i64,
    /// Index into the rules' patterns.
    pub pattern: usize,
    /// Index into the rules' shift types.
    pub shift_type: usize,
    /// (offset from the start, duration, paid), µs, in the order taken.
    pub breaks: Vec<(i64, i64, bool)>,
    pub agents: u32,
}

impl DayShift {
    /// Paid µs of one agent on it.
    pub fn paid(&self) -> i64 {
        self.length - self.breaks.iter().filter(|b| !b.2).map(|b| b.1).sum::<i64>()
    }
}

/// What an agent works on a day: a shift type and the placement of each break.
type Worked = (usize, Vec<usize>);

/// One agent's schedule.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub contract: usize,
    /// Working days of the week (bit d: day d of every week of the horizon).
    pub week: u8,
    /// Per day of the horizon (as [`Horizon::days`]): the row of the roster worked.
    pub shifts: Vec<Option<usize>>,
}

/// The roster's rows and lines, or why the counts could not be shared out (a defect: the
/// program's constraints make it always possible).
pub fn assign(
    rules: &RosterRules,
    horizon: &Horizon,
    families: &[Family],
    tours: &[Tour],
    answer: &Answer,
) -> Result<(Vec<DayShift>, Vec<Line>), String> {
    let days = &horizon.days;
    let mut lines: Vec<Line> = Vec::new();
    let mut tour_of: Vec<usize> = Vec::new();
    for (t, tour) in tours.iter().enumerate() {
        for _ in 0..answer.tours[t] {
            lines.push(Line {
                contract: tour.contract,
                week: tour.week,
                shifts: vec![None; days.len()],
            });
            tour_of.push(t);
        }
    }
    // (shift type, break placements) of each line on each day.
    let mut worked: Vec<Vec<Option<Worked>>> = vec![vec![None; days.len()]; lines.len()];
    let mut last_start: Vec<i64> = vec![0; lines.len()];
    for (f, family) in families.iter().enumerate() {
        for (di, &d) in days.iter().enumerate() {
            // The day's starts, earliest first, each with its shift type.
            let mut slots: Vec<(usize, usize)> = Vec::new();
            for (i, at) in family.types_at.iter().enumerate() {
                for &s in at {
                    slots.extend(std::iter::repeat_n((i, s), answer.shifts[s][di] as usize));
                }
            }
            let mut next = 0;
            let mut taken: Vec<(usize, usize)> = Vec::new(); // (line, shift type)
            for (bd, &(lo, hi)) in family.bands.iter().enumerate() {
                let mut members: Vec<usize> = (0..lines.len())
                    .filter(|&l| {
                        let t = tours[tour_of[l]];
                        t.family == f && t.band == bd && t.week & (1 << weekday(d)) != 0
                    })
                    .collect();
                if next + members.len() > slots.len() {
                    return Err(format!("day {d}: band {bd} has more agents than starts"));
                }
                let band_slots = &slots[next..next + members.len()];
                next += members.len();
                if band_slots.iter().any(|&(i, _)| i < lo || i > hi) {
                    return Err(format!("day {d}: a start falls outside band {bd}"));
                }
                // Agents keep their order of starts from one day to the next.
                members.sort_by_key(|&l| (last_start[l], l));
                for (&l, &(i, s)) in members.iter().zip(band_slots) {
                    last_start[l] = family.starts[i];
                    taken.push((l, s));
                }
            }
            if next != slots.len() {
                return Err(format!("day {d}: {} starts without an agent", slots.len() - next));
            }
            // Break placements: the j-th agent of a shift type takes the j-th earliest
            // placement of each break.
            for &s in family.types_at.iter().flatten() {
                let agents: Vec<usize> = {
                    let mut a: Vec<usize> = taken.iter().filter(|t| t.1 == s).map(|t| t.0).collect();
                    a.sort_unstable();
                    a
                };
                let placements: Vec<Vec<usize>> = answer.breaks[s][di]
                    .iter()
                    .map(|counts| {
                        counts
                            .iter()
                            .enumerate()
                            .flat_map(|(p, &n)| std::iter::repeat_n(p, n as usize))
                            .collect()
                    })
                    .collect();
                for (j, &l) in agents.iter().enumerate() {
                    let at: Vec<usize> = placements.iter().map(|p| p.get(j).copied().unwrap_or(0)).collect();
                    worked[l][di] = Some((s, at));
                }
                if placements
                    .iter()
                    .any(|p| p.len() != agents.len() && !rules.shift_types[s].breaks.is_empty())
                {
                    return Err(format!("day {d}: break placements do not add up to the shift's agents"));
                }
            }
        }
    }
    // Rows: identical (day, shift type, break placements) together, in order of day and
    // start.
    let row_of = |di: usize, s: usize, at: &[usize]| -> DayShift {
        let t = &rules.shift_types[s];
        let d = days[di];
        DayShift {
            day: d,
            begin: d * DAY_US + us(t.start),
            length: us(t.length),
            pattern: t.pattern,
            shift_type: s,
            breaks: t
                .breaks
                .iter()
                .zip(at)
                .map(|(b, &p)| (us(b.offsets[p]), us(b.duration), b.paid))
                .collect(),
            agents: 0,
        }
    };
    let mut rows: std::collections::BTreeMap<DayShift, Vec<usize>> = std::collections::BTreeMap::new();
    for (l, per_line) in worked.iter().enumerate() {
        for (di, w) in per_line.iter().enumerate() {
            if let Some((s, at)) = w {
                rows.entry(row_of(di, *s, at)).or_default().push(l);
            }
        }
    }
    let mut out: Vec<DayShift> = Vec::with_capacity(rows.len());
    for (mut row, agents) in rows {
        row.agents = agents.len() as u32;
        let di = days.iter().position(|&d| d == row.day).expect("a roster day");
        for l in agents {
            lines[l].shifts[di] = Some(out.len());
        }
        out.push(row);
    }
    let rows = out;
    // Lines in a planner's order: by contract, then by their first start.
    let first = |line: &Line| {
        line.shifts
            .iter()
            .flatten()
            .next()
            .map(|&r| (rows[r].begin % DAY_US, r))
    };
    lines.sort_by_key(|line| (line.contract, first(line), line.week));
    Ok((rows, lines))
}
