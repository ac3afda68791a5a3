//! A roster's rules, checked against the horizon and expanded into the shifts the integer
//! program chooses from, before any of it is built.
//!
//! A pattern rule becomes one [`ShiftType`] per start × length, each break with the list
//! of offsets (from the shift's start) it may begin at; a shift written out becomes one
//! shift type whose breaks have a single offset. Everything whose size a planner's rule
//! decides (starts, break placements, days) is counted here, so an integer program that
//! would not fit is refused at validation, naming the rule that makes it too large.

use crate::model::{Clock, Micros, clock_text};
use crate::scenario::{BreakRuleSpec, Loc, PatternSpec, RosterSpec, ShiftSpec, Spanned, StartsSpec, duration_text};

const DAY: f64 = 86400.0;

/// Variables of one group's integer program (shifts on days, break placements, tours):
/// microlp's branch and bound stays within minutes up to a few thousand.
pub const MAX_VARIABLES: u64 = 20_000;
/// Non-zero coefficients of its coverage rows.
pub const MAX_NONZEROS: u64 = 2_000_000;
/// The longest `time_limit`.
pub const MAX_TIME_LIMIT: f64 = 3600.0;
/// The largest `max_nodes`.
pub const MAX_NODES: u64 = 10_000_000;

/// The checked, expanded rules of a group's roster.
#[derive(Debug, Clone, PartialEq)]
pub struct RosterRules {
    /// Names of the patterns (the rules, then the shifts written out), by index.
    pub patterns: Vec<String>,
    pub shift_types: Vec<ShiftType>,
    pub contracts: Vec<Contract>,
    /// Seconds between the end of an agent's shift and the start of their next.
    pub min_rest: f64,
    pub part_time_below: f64,
    pub max_part_time: f64,
    /// Seconds the solver may take.
    pub time_limit: f64,
    /// Branch-and-bound nodes it may use.
    pub max_nodes: u64,
    pub gap: f64,
}

/// One shift an agent may work on a day.
#[derive(Debug, Clone, PartialEq)]
pub struct ShiftType {
    /// Index into [`RosterRules::patterns`].
    pub pattern: usize,
    /// Clock time, seconds after midnight, in [0, 86400).
    pub start: f64,
    /// Seconds, in (0, 86400].
    pub length: f64,
    /// In the order they are taken.
    pub breaks: Vec<BreakRule>,
}

impl ShiftType {
    /// Paid seconds: the length less unpaid breaks.
    pub fn paid(&self) -> f64 {
        self.length - self.breaks.iter().filter(|b| !b.paid).map(|b| b.duration).sum::<f64>()
    }
}

/// A break and the offsets from the shift's start it may begin at (ascending).
#[derive(Debug, Clone, PartialEq)]
pub struct BreakRule {
    pub duration: f64,
    pub paid: bool,
    pub offsets: Vec<f64>,
}

/// What an agent's week may hold.
#[derive(Debug, Clone, PartialEq)]
pub struct Contract {
    pub name: String,
    /// Working days in every week, 1 to 7.
    pub days: u32,
    /// The days off of a week are one block (Saturday and Sunday, or Sunday and Monday).
    pub consecutive_days_off: bool,
    /// Paid hours a week.
    pub min_hours: f64,
    pub max_hours: Option<f64>,
    /// Share of the group's agents on this contract.
    pub min_share: f64,
    pub max_share: f64,
}

impl Contract {
    /// The weeks this contract allows, as 7-bit masks of working days (bit d: day d of
    /// the week, counted from the horizon's first day), in increasing order.
    pub fn weeks(&self) -> Vec<u8> {
        (0u8..128)
            .filter(|m| m.count_ones() == self.days)
            .filter(|&m| !self.consecutive_days_off || days_off_together(m))
            .collect()
    }

    /// Whether `paid` seconds a shift, `days` times a week, fit the contract's hours.
    pub fn fits(&self, paid: f64) -> bool {
        let hours = f64::from(self.days) * paid / 3600.0;
        hours + 1e-9 >= self.min_hours && self.max_hours.is_none_or(|max| hours <= max + 1e-9)
    }
}

/// Whether the days off of week `mask` form one block, around the week's end included.
fn days_off_together(mask: u8) -> bool {
    let off = !mask & 0x7f;
    if off == 0 || off == 0x7f {
        return true;
    }
    // One block of days off: exactly one day off follows a working day (cyclically).
    (0..7)
        .filter(|&d| off & (1 << d) != 0 && mask & (1 << ((d + 6) % 7)) != 0)
        .count()
        == 1
}

/// The calendar days a roster covers and how its week wraps.
#[derive(Debug, Clone, PartialEq)]
pub struct Horizon {
    /// The measured window, µs after the midnight that begins its first day.
    pub start: i64,
    pub end: i64,
    pub interval: i64,
    pub intervals: usize,
    /// Days shifts may start on (0: the window's first day; −1: the day before, for
    /// night shifts that reach into the window).
    pub days: Vec<i64>,
    /// A horizon of whole weeks from midnight is rostered as a week that repeats: a
    /// night shift of its last day runs on into its first, and an agent's week wraps.
    pub cyclic: bool,
}

pub const DAY_US: i64 = 86_400_000_000;

fn us(seconds: f64) -> i64 {
    (seconds * 1e6).round() as i64
}

impl Horizon {
    pub fn of(clock: &Clock, shift_types: &[ShiftType]) -> Horizon {
        let start = us(clock.start_of_day);
        let end = start + (clock.interval * clock.intervals as Micros) as i64;
        let last = (end + DAY_US - 1) / DAY_US;
        let cyclic = start == 0 && end % (7 * DAY_US) == 0;
        let night = shift_types.iter().any(|s| us(s.start) + us(s.length) - DAY_US > start);
        let first = if !cyclic && night { -1 } else { 0 };
        Horizon {
            start,
            end,
            interval: clock.interval as i64,
            intervals: clock.intervals,
            days: (first..last).collect(),
            cyclic,
        }
    }

    /// Length of the repeating period of a cyclic horizon, µs.
    pub fn period(&self) -> i64 {
        self.end - self.start
    }
}

/// A rule that cannot be used, where it is written.
#[derive(Debug, Clone)]
pub struct RuleError {
    pub loc: Loc,
    pub message: String,
    pub help: Option<String>,
}

struct Check {
    errors: Vec<RuleError>,
}

impl Check {
    fn error(&mut self, loc: &Loc, message: impl Into<String>) -> &mut RuleError {
        self.errors.push(RuleError {
            loc: loc.clone(),
            message: message.into(),
            help: None,
        });
        self.errors.last_mut().expect("just pushed")
    }
}

fn text(seconds: f64) -> String {
    duration_text(seconds)
}

/// How many steps of `every` from 0 fit in `span` (inclusive of both ends), as a float so
/// that an absurd count is seen before anything is generated.
fn steps(span: f64, every: f64) -> f64 {
    (span / every + 1e-9).floor() + 1.0
}

/// Checks `spec` against the horizon of `clock` and expands it.
pub fn build(spec: &RosterSpec, loc: &Loc, clock: &Clock) -> Result<RosterRules, Vec<RuleError>> {
    let mut c = Check { errors: Vec::new() };
    if spec.patterns.is_empty() && spec.shifts.is_empty() {
        c.error(loc, "gives no shifts").help =
            Some("add `patterns` (rules that generate shifts) or `shifts` (shifts written out)".into());
    }
    let min_rest = spec.min_rest.value;
    if min_rest >= DAY {
        c.error(
            &spec.min_rest.loc,
            format!("must be less than a day, got {}", text(min_rest)),
        );
    }
    let time_limit = spec.time_limit.value;
    if !(time_limit > 0.0 && time_limit <= MAX_TIME_LIMIT) {
        c.error(
            &spec.time_limit.loc,
            format!("must be above 0 and at most 1h, got {}", text(time_limit)),
        );
    }
    if !(1..=MAX_NODES).contains(&spec.max_nodes.value) {
        c.error(
            &spec.max_nodes.loc,
            format!("must be 1 to {MAX_NODES}, got {}", spec.max_nodes.value),
        );
    }
    if spec.gap >= 1.0 {
        c.error(loc, "`gap` must be below 1 (0.01 stops within 1 % of the best bound)");
    }
    // Days: the horizon's, with the day before where a night shift reaches in.
    let days_of = |types: &[ShiftType]| Horizon::of(clock, types).days.len() as f64;
    let mut patterns = Vec::new();
    let mut shift_types = Vec::new();
    for (i, p) in spec.patterns.iter().enumerate() {
        patterns.push(p.value.name.clone().unwrap_or_else(|| format!("pattern {}", i + 1)));
        if let Some(types) = pattern(&mut c, i, p, min_rest, &days_of) {
            shift_types.extend(types);
        }
    }
    for (j, s) in spec.shifts.iter().enumerate() {
        patterns.push(format!("{}–{}", clock_text(s.value.start), clock_text(s.value.end)));
        if let Some(t) = written_shift(&mut c, spec.patterns.len() + j, s, min_rest) {
            shift_types.push(t);
        }
    }
    let contracts = contracts(&mut c, spec, loc, &shift_types);
    if c.errors.is_empty() {
        size(&mut c, spec, loc, &shift_types, days_of(&shift_types));
    }
    if !c.errors.is_empty() {
        return Err(c.errors);
    }
    Ok(RosterRules {
        patterns,
        shift_types,
        contracts,
        min_rest,
        part_time_below: spec.part_time_below,
        max_part_time: spec.max_part_time,
        time_limit,
        max_nodes: spec.max_nodes.value,
        gap: spec.gap,
    })
}

/// Integer-program variables of one shift type over `days`: its count each day and
/// those of each break placement where there is a choice.
fn variables_per_day(breaks: impl Iterator<Item = f64>) -> f64 {
    1.0 + breaks.filter(|&n| n > 1.0).sum::<f64>()
}

/// Break placements of a break rule (as a float: counted before they are generated).
fn placements(b: &BreakRuleSpec) -> f64 {
    let every = b.every.value;
    let span = b.before.value - b.duration.value - b.after.value;
    if every > 0.0 && span >= 0.0 {
        steps(span, every)
    } else {
        1.0
    }
}

fn pattern(
    c: &mut Check,
    index: usize,
    p: &Spanned<PatternSpec>,
    min_rest: f64,
    days_of: &dyn Fn(&[ShiftType]) -> f64,
) -> Option<Vec<ShiftType>> {
    let spec = &p.value;
    let errors = c.errors.len();
    let starts_count = match &spec.starts.value {
        StartsSpec::Times(times) => times.len() as f64,
        StartsSpec::Every { from, to, every } => {
            if every.value <= 0.0 {
                c.error(&every.loc, "must be above 0");
                1.0
            } else {
                steps((to - from).rem_euclid(DAY), every.value)
            }
        }
    };
    if spec.lengths.is_empty() {
        c.error(&p.loc, "lists no shift length").help = Some("add `lengths = [\"8h\"]`".into());
    }
    for l in &spec.lengths {
        if !(l.value > 0.0 && l.value <= DAY) {
            c.error(
                &l.loc,
                format!("a shift length must be above 0 and at most 24h, got {}", text(l.value)),
            );
        } else if l.value + min_rest > DAY {
            c.error(
                &l.loc,
                format!(
                    "a {} shift and {} of rest (`min_rest`) do not fit in a day: no agent could work two days in a row",
                    text(l.value),
                    text(min_rest)
                ),
            )
            .help = Some("shorten the shift or lower the roster's `min_rest`".into());
        }
    }
    let mut earliest_next = 0.0;
    for (k, b) in spec.breaks.iter().enumerate() {
        let r = &b.value;
        if r.duration.value <= 0.0 {
            c.error(&r.duration.loc, "a break must last more than 0s");
        }
        if r.every.value <= 0.0 {
            c.error(&r.every.loc, "must be above 0");
        }
        if r.before.value < r.after.value + r.duration.value {
            c.error(
                &r.before.loc,
                format!(
                    "the window from {} to {} after the shift's start is shorter than the {} break",
                    text(r.after.value),
                    text(r.before.value),
                    text(r.duration.value)
                ),
            );
        }
        for l in &spec.lengths {
            if r.before.value > l.value {
                c.error(
                    &r.before.loc,
                    format!(
                        "the break may end {} after the start, past the end of the {} shift",
                        text(r.before.value),
                        text(l.value)
                    ),
                )
                .help = Some("write shorter shifts as a pattern of their own, with their own breaks".into());
                break;
            }
        }
        if k > 0 && r.after.value + 1e-9 < earliest_next {
            c.error(
                &r.after.loc,
                format!(
                    "breaks are taken in the order listed: this one may start {} after the start, before breaks[{}] can end ({})",
                    text(r.after.value),
                    k - 1,
                    text(earliest_next)
                ),
            );
        }
        earliest_next = r.after.value + r.duration.value;
    }
    // The days its shifts may start on: the latest start and the longest shift say
    // whether a night shift reaches in from the day before.
    let latest_start = match &spec.starts.value {
        StartsSpec::Times(times) => times.iter().copied().fold(0.0, f64::max),
        StartsSpec::Every { from, every, .. } if every.value > 0.0 => {
            let last = from + (starts_count - 1.0) * every.value;
            if last < DAY {
                last
            } else {
                from + ((DAY - from) / every.value - 1e-9).floor() * every.value
            }
        }
        StartsSpec::Every { from, .. } => *from,
    };
    let longest = spec.lengths.iter().map(|l| l.value).fold(0.0, f64::max).min(DAY);
    let days = days_of(&[ShiftType {
        pattern: index,
        start: latest_start,
        length: longest,
        breaks: Vec::new(),
    }]);
    let per_day = variables_per_day(spec.breaks.iter().map(|b| placements(&b.value)));
    let variables = starts_count * spec.lengths.len() as f64 * days * per_day;
    if variables > MAX_VARIABLES as f64 {
        size_error(c, &p.loc, spec, starts_count, days, per_day, variables);
    }
    if c.errors.len() > errors {
        return None;
    }
    let starts: Vec<f64> = match &spec.starts.value {
        StartsSpec::Times(times) => times.clone(),
        StartsSpec::Every { from, every, .. } => (0..starts_count as u64)
            .map(|i| (from + i as f64 * every.value).rem_euclid(DAY))
            .collect(),
    };
    let mut seen = starts.clone();
    seen.sort_by(f64::total_cmp);
    if let Some(w) = seen.windows(2).find(|w| w[0] == w[1]) {
        c.error(&spec.starts.loc, format!("lists {} twice", clock_text(w[0])));
        return None;
    }
    let breaks: Vec<BreakRule> = spec
        .breaks
        .iter()
        .map(|b| {
            let r = &b.value;
            let n = placements(r) as usize;
            BreakRule {
                duration: r.duration.value,
                paid: r.paid,
                offsets: (0..n).map(|i| r.after.value + i as f64 * r.every.value).collect(),
            }
        })
        .collect();
    let mut lengths: Vec<f64> = spec.lengths.iter().map(|l| l.value).collect();
    lengths.dedup();
    Some(
        starts
            .iter()
            .flat_map(|&start| {
                let breaks = &breaks;
                lengths.iter().map(move |&length| ShiftType {
                    pattern: index,
                    start,
                    length,
                    breaks: breaks.clone(),
                })
            })
            .collect(),
    )
}

fn size_error(c: &mut Check, loc: &Loc, spec: &PatternSpec, starts: f64, days: f64, per_day: f64, variables: f64) {
    c.error(
        loc,
        format!(
            "{starts} starts × {} lengths × {days} days × {per_day} (the shift and its break placements) = {variables:.0} variables, more than a roster's integer program holds ({MAX_VARIABLES})",
            spec.lengths.len()
        ),
    )
    .help = Some(
        "start less often (a larger `every` in `starts`), place breaks in coarser steps (`every` in `breaks`, default 15m) or narrow their windows".into(),
    );
}

/// A shift written out: one start, one length, breaks at fixed clock times.
fn written_shift(c: &mut Check, index: usize, s: &Spanned<ShiftSpec>, min_rest: f64) -> Option<ShiftType> {
    let spec = &s.value;
    let length = match (spec.end - spec.start).rem_euclid(DAY) {
        0.0 => DAY,
        l => l,
    };
    if length + min_rest > DAY {
        c.error(
            &s.loc,
            format!(
                "a {} shift and {} of rest (`min_rest`) do not fit in a day: no agent could work two days in a row",
                text(length),
                text(min_rest)
            ),
        )
        .help = Some("shorten the shift or lower the roster's `min_rest`".into());
        return None;
    }
    let mut breaks: Vec<BreakRule> = spec
        .breaks
        .iter()
        .map(|b| BreakRule {
            duration: b.duration,
            paid: b.paid,
            offsets: vec![(b.start - spec.start).rem_euclid(DAY)],
        })
        .collect();
    breaks.sort_by(|a, b| a.offsets[0].total_cmp(&b.offsets[0]));
    if breaks
        .iter()
        .any(|b| b.duration <= 0.0 || b.offsets[0] + b.duration > length)
    {
        c.error(&s.loc, "a break lies outside its shift");
        return None;
    }
    if breaks
        .windows(2)
        .any(|w| w[0].offsets[0] + w[0].duration > w[1].offsets[0])
    {
        c.error(&s.loc, "two breaks of the shift overlap");
        return None;
    }
    Some(ShiftType {
        pattern: index,
        start: spec.start,
        length,
        breaks,
    })
}

fn contracts(c: &mut Check, spec: &RosterSpec, loc: &Loc, types: &[ShiftType]) -> Vec<Contract> {
    if spec.contracts.is_empty() {
        return vec![Contract {
            name: "standard".into(),
            days: 5,
            consecutive_days_off: true,
            min_hours: 0.0,
            max_hours: None,
            min_share: 0.0,
            max_share: 1.0,
        }];
    }
    let mut out: Vec<Contract> = Vec::new();
    for s in &spec.contracts {
        let v = &s.value;
        if out.iter().any(|o| o.name == v.name) {
            c.error(&s.loc, format!("contract `{}` is defined twice", v.name));
        }
        if !(1..=7).contains(&v.days.value) {
            c.error(
                &v.days.loc,
                format!("working days a week must be 1 to 7, got {}", v.days.value),
            );
        }
        if let Some(max) = &v.max_hours
            && max.value < v.min_hours.value
        {
            c.error(
                &max.loc,
                format!("is below `min_hours` ({} < {})", max.value, v.min_hours.value),
            );
        }
        if v.max_share.value < v.min_share.value {
            c.error(&v.max_share.loc, "is below `min_share`");
        }
        let contract = Contract {
            name: v.name.clone(),
            days: v.days.value.clamp(1, 7) as u32,
            consecutive_days_off: v.consecutive_days_off,
            min_hours: v.min_hours.value,
            max_hours: v.max_hours.as_ref().map(|m| m.value),
            min_share: v.min_share.value,
            max_share: v.max_share.value,
        };
        if !types.is_empty() && !types.iter().any(|t| contract.fits(t.paid())) {
            let mut paid: Vec<f64> = types.iter().map(ShiftType::paid).collect();
            paid.sort_by(f64::total_cmp);
            paid.dedup();
            let weekly: Vec<String> = paid
                .iter()
                .map(|p| {
                    format!(
                        "{} × {} = {}h",
                        contract.days,
                        text(*p),
                        round(f64::from(contract.days) * p / 3600.0)
                    )
                })
                .collect();
            c.error(
                &s.loc,
                format!(
                    "no shift of the roster fits its hours ({} to {} paid hours a week): {}",
                    round(contract.min_hours),
                    contract.max_hours.map_or("any".into(), round),
                    weekly.join(", ")
                ),
            );
        }
        out.push(contract);
    }
    let least: f64 = out.iter().map(|c| c.min_share).sum();
    if least > 1.0 + 1e-9 {
        c.error(
            loc,
            format!("the contracts' `min_share` add up to {}, above 1", round(least)),
        );
    }
    out
}

fn round(x: f64) -> String {
    let t = format!("{x:.2}");
    t.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// The whole program's size: shifts and break placements on every day (the tours and the
/// splits between overlapping start bands are far fewer), and its coverage coefficients.
fn size(c: &mut Check, spec: &RosterSpec, loc: &Loc, types: &[ShiftType], days: f64) {
    let per_type = |t: &ShiftType| days * variables_per_day(t.breaks.iter().map(|b| b.offsets.len() as f64));
    let total: f64 = types.iter().map(per_type).sum();
    if total > MAX_VARIABLES as f64 {
        // Name the pattern that holds the most.
        let mut by_pattern = vec![0.0; spec.patterns.len() + spec.shifts.len()];
        for t in types {
            by_pattern[t.pattern] += per_type(t);
        }
        let worst = (0..by_pattern.len())
            .max_by(|&a, &b| by_pattern[a].total_cmp(&by_pattern[b]).then(b.cmp(&a)))
            .unwrap_or(0);
        let at = if worst < spec.patterns.len() {
            spec.patterns[worst].loc.clone()
        } else {
            spec.shifts[worst - spec.patterns.len()].loc.clone()
        };
        c.error(
            &at,
            format!(
                "the roster's shifts and break placements over {days} days make {total:.0} variables ({:.0} of them from this rule), more than a roster's integer program holds ({MAX_VARIABLES})",
                by_pattern[worst]
            ),
        )
        .help = Some("use fewer starts or lengths, coarser break steps, or a shorter horizon".into());
        return;
    }
    // Coverage coefficients: each shift and each break placement, on each day, touches the
    // pieces of the day it spans (cut wherever any of them starts or ends).
    let mut cuts: Vec<i64> = Vec::new();
    let mut spans: Vec<(i64, i64)> = Vec::new();
    for t in types {
        let (s, l) = (us(t.start), us(t.length));
        spans.push((s, s + l));
        for b in &t.breaks {
            for &o in &b.offsets {
                spans.push((s + us(o), s + us(o) + us(b.duration)));
            }
        }
    }
    for &(a, b) in &spans {
        cuts.push(a.rem_euclid(DAY_US));
        cuts.push(b.rem_euclid(DAY_US));
    }
    cuts.sort_unstable();
    cuts.dedup();
    // Pieces a span covers on the circular day (a span of a whole day: all of them).
    let covered = |&(a, b): &(i64, i64)| -> u64 {
        if b - a >= DAY_US {
            return cuts.len() as u64;
        }
        let (a, b) = (a.rem_euclid(DAY_US), b.rem_euclid(DAY_US));
        let count =
            |from: i64, to: i64| (cuts.partition_point(|&x| x < to) - cuts.partition_point(|&x| x < from)) as u64;
        if a <= b {
            count(a, b)
        } else {
            count(a, DAY_US) + count(0, b)
        }
    };
    let nonzeros = days as u64 * spans.iter().map(covered).sum::<u64>();
    if nonzeros > MAX_NONZEROS {
        c.error(
            loc,
            format!(
                "the roster's shifts and break placements over {days} days make about {nonzeros} coverage coefficients, more than a roster's integer program holds ({MAX_NONZEROS})"
            ),
        )
        .help = Some("use fewer starts or lengths, coarser break steps, or a shorter horizon".into());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weeks_with_their_days_off_together() {
        let c = |days, together| Contract {
            name: String::new(),
            days,
            consecutive_days_off: together,
            min_hours: 0.0,
            max_hours: None,
            min_share: 0.0,
            max_share: 1.0,
        };
        // Five days with the two days off together: 7 weeks (the pair may wrap).
        assert_eq!(c(5, true).weeks().len(), 7);
        assert!(c(5, true).weeks().contains(&0b011_1110)); // off days 0 and 6
        assert!(!c(5, true).weeks().contains(&0b101_1110)); // off days 0 and 5
        // Without the rule: 7 choose 2.
        assert_eq!(c(5, false).weeks().len(), 21);
        assert_eq!(c(7, true).weeks(), vec![0x7f]);
        assert_eq!(c(4, true).weeks().len(), 7);
        assert_eq!(c(1, true).weeks().len(), 7);
    }
}
