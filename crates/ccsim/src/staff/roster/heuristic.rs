//! A whole-number roster built from the relaxation with whole agents per tour, for
//! branch and bound to start from (microlp seldom finds one of its own on a week's
//! program: breaks make the relaxation fractional everywhere) and to fall back on.
//!
//! Agents per tour are the guide's; each band's shifts on each day are the guide's
//! rounded down, the rest placed where the requirement is least covered; breaks go, agent
//! by agent and in order, where taking them leaves the least shortfall. Local search then
//! moves an agent's shift on a day (another start of their band, other break times) or
//! their whole week (another tour of the same cost) wherever that leaves less shortfall,
//! and simulated annealing takes moves that leave as much or a little more, so that a
//! chain of moves can close a gap no single move closes. A piece still short gets the
//! change that covers the most per paid hour: a new agent, or an agent moved to a dearer
//! tour (a part-timer made full-time). Contract shares are then restored by adding
//! agents; last, agents are removed, or moved to cheaper tours, wherever the others can
//! then be moved to cover for them. Every step keeps the program's rules, which
//! [`super::program::Program::feasible`] and microlp check again. Random choices come from
//! a fixed stream: the same program gives the same roster.

use microlp::ComparisonOp;

use super::program::{Cover, Family, Layout, Program, Tour, share_rules, weekday};
use super::rules::{Horizon, RosterRules};

/// One agent's shifts: (day index, shift type, break placements).
#[derive(Clone)]
struct Line {
    tour: usize,
    shifts: Vec<(usize, usize, Vec<usize>)>,
}

/// A repair: a new agent on a tour (working a given shift type on a given day), or an
/// agent moved to another tour.
#[derive(Clone, Copy)]
enum Change {
    Add(usize, Option<(usize, usize)>),
    Move(usize, usize),
}

/// What undoes a change made just before (nothing else moved since): the agent added, or
/// the agent moved and their line before.
enum Undo {
    Added,
    Moved(usize, Line),
}

struct State<'a> {
    rules: &'a RosterRules,
    horizon: &'a Horizon,
    families: &'a [Family],
    tours: &'a [Tour],
    cover: &'a Cover,
    /// Paid agents working (not on break) in each piece.
    covered: Vec<f64>,
    lines: Vec<Line>,
}

impl State<'_> {
    fn short(&self, p: usize) -> f64 {
        (self.cover.need[p] - self.covered[p]).max(0.0)
    }

    fn add(&mut self, ranges: &[(usize, usize)], by: f64) {
        for &(a, z) in ranges {
            for c in &mut self.covered[a..z] {
                *c += by;
            }
        }
    }

    /// Length of the short pieces one more agent working shift (s, di) would cover.
    fn benefit(&self, s: usize, di: usize) -> f64 {
        self.cover.shift[s][di]
            .iter()
            .flat_map(|&(a, z)| a..z)
            .map(|p| self.short(p).min(1.0) * self.cover.len[p] as f64)
            .sum()
    }

    /// Places the breaks of one agent working (s, di) (already counted as working), in
    /// order, each where it adds the least shortfall, and returns the placements.
    fn place_breaks(&mut self, s: usize, di: usize) -> Vec<usize> {
        let breaks = &self.rules.shift_types[s].breaks;
        // The latest offset of each break that leaves room for those after it.
        let mut latest = vec![0.0; breaks.len()];
        for k in (0..breaks.len()).rev() {
            let own = *breaks[k].offsets.last().expect("a placement");
            latest[k] = if k + 1 < breaks.len() {
                own.min(latest[k + 1] - breaks[k].duration)
            } else {
                own
            };
        }
        let mut earliest = 0.0;
        let mut out = Vec::with_capacity(breaks.len());
        for (k, b) in breaks.iter().enumerate() {
            let mut best: Option<(f64, f64, usize)> = None;
            for (q, &o) in b.offsets.iter().enumerate() {
                if o + 1e-9 < earliest || o > latest[k] + 1e-9 {
                    continue;
                }
                let (mut harm, mut slack) = (0.0, 0.0);
                for p in self.cover.brk[s][di][k][q].iter().flat_map(|&(a, z)| a..z) {
                    let len = self.cover.len[p] as f64;
                    harm += (self.cover.need[p] - self.covered[p] + 1.0).clamp(0.0, 1.0) * len;
                    slack += (self.covered[p] - self.cover.need[p]) * len;
                }
                if best.is_none_or(|(h, sl, _)| harm < h - 1e-9 || (harm <= h + 1e-9 && slack > sl + 1e-9)) {
                    best = Some((harm, slack, q));
                }
            }
            let q = best.map_or(0, |b| b.2);
            let ranges = self.cover.brk[s][di][k][q].clone();
            self.add(&ranges, -1.0);
            earliest = b.offsets[q] + b.duration;
            out.push(q);
        }
        out
    }

    /// The shift type of band `bd` of family `f` on day `di` that covers the most
    /// shortfall (the earliest on a tie).
    fn best_in_band(&self, f: usize, bd: usize, di: usize, must_cover: Option<usize>) -> Option<usize> {
        let family = &self.families[f];
        let (lo, hi) = family.bands[bd];
        let mut best: Option<(f64, usize)> = None;
        for &s in family.types_at[lo..=hi].iter().flatten() {
            if let Some(p) = must_cover
                && !self.cover.shift[s][di].iter().any(|&(a, z)| (a..z).contains(&p))
            {
                continue;
            }
            let b = self.benefit(s, di);
            if best.is_none_or(|(bb, _)| b > bb + 1e-9) {
                best = Some((b, s));
            }
        }
        best.map(|b| b.1)
    }

    /// A new agent on tour `t`, working `first` on its day if given, elsewhere the shifts
    /// that cover the most shortfall.
    fn add_line(&mut self, t: usize, first: Option<(usize, usize)>) {
        let tour = self.tours[t];
        let mut shifts = Vec::new();
        for (di, &d) in self.horizon.days.iter().enumerate() {
            if tour.week & (1 << weekday(d)) == 0 {
                continue;
            }
            let s = match first {
                Some((fd, s)) if fd == di => s,
                _ => self
                    .best_in_band(tour.family, tour.band, di, None)
                    .expect("a band has a start"),
            };
            let ranges = self.cover.shift[s][di].clone();
            self.add(&ranges, 1.0);
            let at = self.place_breaks(s, di);
            shifts.push((di, s, at));
        }
        self.lines.push(Line { tour: t, shifts });
    }

    /// Shortfall (agent µs) over pieces `range`.
    fn shortfall(&self, range: std::ops::Range<usize>) -> f64 {
        range.map(|p| self.short(p) * self.cover.len[p] as f64).sum()
    }

    /// The pieces a shift of band `bd` of family `f` on day `di` may touch.
    fn band_span(&self, f: usize, bd: usize, di: usize) -> std::ops::Range<usize> {
        let family = &self.families[f];
        let (lo, hi) = family.bands[bd];
        let ranges = family.types_at[lo..=hi]
            .iter()
            .flatten()
            .flat_map(|&s| self.cover.shift[s][di].iter());
        let (a, z) = ranges.fold((usize::MAX, 0), |(a, z), r| (a.min(r.0), z.max(r.1)));
        if a < z { a..z } else { 0..0 }
    }

    fn take(&mut self, s: usize, di: usize, at: &[usize], by: f64) {
        let ranges = self.cover.shift[s][di].clone();
        self.add(&ranges, by);
        for (k, &q) in at.iter().enumerate() {
            let ranges = self.cover.brk[s][di][k][q].clone();
            self.add(&ranges, -by);
        }
    }

    /// Local search: each agent's shift on each day moves to the start (within its band)
    /// and break times that leave the least shortfall, until nothing improves.
    fn improve(&mut self) {
        for _ in 0..20 {
            let mut better = false;
            for l in 0..self.lines.len() {
                let tour = self.tours[self.lines[l].tour];
                for j in 0..self.lines[l].shifts.len() {
                    let (di, s, at) = self.lines[l].shifts[j].clone();
                    // Pieces a shift of the band may touch on the day (wrapping aside,
                    // a contiguous span of pieces).
                    let span = self.band_span(tour.family, tour.band, di);
                    let before = self.shortfall(span.clone());
                    self.take(s, di, &at, -1.0);
                    let family = &self.families[tour.family];
                    let (lo, hi) = family.bands[tour.band];
                    let candidates: Vec<usize> = family.types_at[lo..=hi].iter().flatten().copied().collect();
                    let mut best = (before, s, at.clone());
                    for c in candidates {
                        let ranges = self.cover.shift[c][di].clone();
                        self.add(&ranges, 1.0);
                        let placed = self.place_breaks(c, di);
                        let after = self.shortfall(span.clone());
                        if after < best.0 - 1e-6 {
                            best = (after, c, placed.clone());
                        }
                        self.take(c, di, &placed, -1.0);
                    }
                    if best.1 != s || best.2 != at {
                        better = true;
                    }
                    self.take(best.1, di, &best.2, 1.0);
                    self.lines[l].shifts[j] = (di, best.1, best.2);
                }
            }
            if !better {
                break;
            }
        }
    }

    /// Moves agents to another tour of the same cost (their contract and shift length:
    /// other working days, another band of starts) where that leaves less shortfall;
    /// returns whether any moved.
    fn move_weeks(&mut self) -> bool {
        let mut moved = false;
        for l in 0..self.lines.len() {
            if self.lines[l].shifts.is_empty() {
                continue;
            }
            let t = self.lines[l].tour;
            let tour = self.tours[t];
            let alternatives: Vec<usize> = (0..self.tours.len())
                .filter(|&u| {
                    let o = self.tours[u];
                    u != t && o.contract == tour.contract && o.family == tour.family
                })
                .collect();
            if alternatives.is_empty() {
                continue;
            }
            let before = self.shortfall(0..self.covered.len());
            let old = self.lines[l].clone();
            for (di, s, at) in &old.shifts {
                self.take(*s, *di, at, -1.0);
            }
            let mut best: (f64, Line) = (before, old.clone());
            for u in alternatives {
                self.add_line(u, None);
                let trial = self.lines.pop().expect("just added");
                let after = self.shortfall(0..self.covered.len());
                if after < best.0 - 1e-6 {
                    best = (after, trial.clone());
                }
                for (di, s, at) in &trial.shifts {
                    self.take(*s, *di, at, -1.0);
                }
            }
            for (di, s, at) in &best.1.shifts {
                self.take(*s, *di, at, 1.0);
            }
            moved |= best.1.tour != t;
            self.lines[l] = best.1;
        }
        moved
    }

    /// Shortfall left after local search: moves that leave less shortfall, then
    /// simulated annealing (which also takes moves that leave as much or a little more,
    /// so that a chain of moves can close a gap no single move closes).
    fn settle(&mut self, rng: &mut crate::rng::Stream, steps: usize) -> f64 {
        self.improve();
        for _ in 0..3 {
            if self.shortfall(0..self.covered.len()) < 1e-6 || !self.move_weeks() {
                break;
            }
            self.improve();
        }
        if steps > 0 && self.shortfall(0..self.covered.len()) > 1e-6 {
            self.anneal(rng, steps);
        }
        self.shortfall(0..self.covered.len())
    }

    /// Random break placements for an agent working (s, di), in order.
    fn random_breaks(&self, s: usize, rng: &mut crate::rng::Stream) -> Vec<usize> {
        use rand::RngExt;
        let breaks = &self.rules.shift_types[s].breaks;
        let mut latest = vec![0.0; breaks.len()];
        for k in (0..breaks.len()).rev() {
            let own = *breaks[k].offsets.last().expect("a placement");
            latest[k] = if k + 1 < breaks.len() {
                own.min(latest[k + 1] - breaks[k].duration)
            } else {
                own
            };
        }
        let mut earliest = 0.0;
        breaks
            .iter()
            .enumerate()
            .map(|(k, b)| {
                let allowed: Vec<usize> = (0..b.offsets.len())
                    .filter(|&q| b.offsets[q] + 1e-9 >= earliest && b.offsets[q] <= latest[k] + 1e-9)
                    .collect();
                let q = allowed[rng.random_range(0..allowed.len())];
                earliest = b.offsets[q] + b.duration;
                q
            })
            .collect()
    }

    /// Simulated annealing on the shortfall (agent minutes): an agent's shift on a day
    /// moves to a random start of its band with random break times, taken if it leaves
    /// less shortfall, or more with probability exp(−increase / temperature).
    fn anneal(&mut self, rng: &mut crate::rng::Stream, steps: usize) {
        use rand::RngExt;
        let working: Vec<(usize, usize)> = (0..self.lines.len())
            .flat_map(|l| (0..self.lines[l].shifts.len()).map(move |j| (l, j)))
            .collect();
        if working.is_empty() {
            return;
        }
        let minutes = |x: f64| x / 60e6;
        let (hot, cold) = (30.0f64, 0.5f64);
        let mut best = (
            self.shortfall(0..self.covered.len()),
            self.lines.clone(),
            self.covered.clone(),
        );
        for step in 0..steps {
            if best.0 < 1e-6 {
                break;
            }
            let temperature = hot * (cold / hot).powf(step as f64 / steps as f64);
            let (l, j) = working[rng.random_range(0..working.len())];
            let tour = self.tours[self.lines[l].tour];
            let (di, s, at) = self.lines[l].shifts[j].clone();
            let family = &self.families[tour.family];
            let (lo, hi) = family.bands[tour.band];
            let c = if rng.random::<f64>() < 0.3 {
                s
            } else {
                let types: Vec<usize> = family.types_at[lo..=hi].iter().flatten().copied().collect();
                types[rng.random_range(0..types.len())]
            };
            let span = self.band_span(tour.family, tour.band, di);
            let before = self.shortfall(span.clone());
            self.take(s, di, &at, -1.0);
            let placed = if rng.random::<f64>() < 0.5 {
                let ranges = self.cover.shift[c][di].clone();
                self.add(&ranges, 1.0);
                let placed = self.place_breaks(c, di);
                self.take(c, di, &placed, -1.0);
                placed
            } else {
                self.random_breaks(c, rng)
            };
            self.take(c, di, &placed, 1.0);
            let after = self.shortfall(span);
            let increase = minutes(after - before);
            if increase <= 0.0 || rng.random::<f64>() < (-increase / temperature).exp() {
                self.lines[l].shifts[j] = (di, c, placed);
                let total = best.0 + (after - before);
                let now = self.shortfall(0..self.covered.len());
                let _ = total;
                if now < best.0 - 1e-6 {
                    best = (now, self.lines.clone(), self.covered.clone());
                }
            } else {
                self.take(c, di, &placed, -1.0);
                self.take(s, di, &at, 1.0);
            }
        }
        self.lines = best.1;
        self.covered = best.2;
    }

    /// Takes a line's shifts off the coverage (`by` = −1) or puts them back (+1).
    fn count_line(&mut self, line: &Line, by: f64) {
        for (di, s, at) in &line.shifts {
            self.take(*s, *di, at, by);
        }
    }

    fn apply(&mut self, change: Change) -> Undo {
        match change {
            Change::Add(t, first) => {
                self.add_line(t, first);
                Undo::Added
            }
            Change::Move(l, t) => {
                let old = self.lines[l].clone();
                self.count_line(&old, -1.0);
                self.add_line(t, None);
                let moved = self.lines.pop().expect("just added");
                self.lines[l] = moved;
                Undo::Moved(l, old)
            }
        }
    }

    fn undo(&mut self, undo: Undo) {
        match undo {
            Undo::Added => {
                let line = self.lines.pop().expect("the agent added");
                self.count_line(&line, -1.0);
            }
            Undo::Moved(l, old) => {
                let new = std::mem::replace(&mut self.lines[l], old.clone());
                self.count_line(&new, -1.0);
                self.count_line(&old, 1.0);
            }
        }
    }

    fn counts(&self) -> Vec<usize> {
        let mut n = vec![0; self.tours.len()];
        for l in &self.lines {
            n[l.tour] += 1;
        }
        n
    }

    /// The first share rule broken: (its members, whether there are too many of them).
    fn broken_share(&self, rules: &[(Vec<usize>, f64, ComparisonOp)], counts: &[usize]) -> Option<(Vec<usize>, bool)> {
        let total: usize = counts.iter().sum();
        for (members, share, op) in rules {
            let n: usize = members.iter().map(|&t| counts[t]).sum();
            let limit = share * total as f64;
            match op {
                ComparisonOp::Le if n as f64 > limit + 1e-9 => return Some((members.clone(), true)),
                ComparisonOp::Ge if (n as f64) < limit - 1e-9 => return Some((members.clone(), false)),
                _ => {}
            }
        }
        None
    }

    /// Weekly paid µs of a tour.
    fn tour_cost(&self, t: usize) -> i64 {
        let tour = self.tours[t];
        i64::from(tour.week.count_ones()) * self.families[tour.family].paid
    }
}

/// A whole-number roster meeting every rule, as values of the program's variables, or
/// `None` when the repairs do not reach one.
#[allow(clippy::too_many_arguments)]
pub fn construct(
    rules: &RosterRules,
    horizon: &Horizon,
    families: &[Family],
    tours: &[Tour],
    program: &Program,
    layout: &Layout,
    cover: &Cover,
    lp: &[f64],
    deadline: std::time::Instant,
) -> Option<Vec<f64>> {
    let days = &horizon.days;
    let mut st = State {
        rules,
        horizon,
        families,
        tours,
        cover,
        covered: vec![0.0; cover.len.len()],
        lines: Vec::new(),
    };
    let shares = share_rules(rules, families, tours);
    let lines_of: Vec<u32> = layout
        .w
        .iter()
        .map(|&v| (lp[v] + 1e-6).floor().max(0.0) as u32)
        .collect();
    // Each band's shifts per day: the relaxation's rounded down, then the rest where the
    // shortfall is largest.
    let mut part_of = std::collections::HashMap::new();
    for &(f, di, i, bd, v) in &layout.parts {
        part_of.insert((f, di, i, bd), v);
    }
    // [family][band][day] → shift types worked (one per agent).
    let mut placed: Vec<Vec<Vec<Vec<usize>>>> = families
        .iter()
        .map(|f| vec![vec![Vec::new(); days.len()]; f.bands.len()])
        .collect();
    let mut left: Vec<(usize, usize, usize, u32)> = Vec::new();
    for (f, family) in families.iter().enumerate() {
        for (di, &d) in days.iter().enumerate() {
            for (bd, &(lo, hi)) in family.bands.iter().enumerate() {
                let agents: u32 = (0..tours.len())
                    .filter(|&t| {
                        let u = tours[t];
                        u.family == f && u.band == bd && u.week & (1 << weekday(d)) != 0
                    })
                    .map(|t| lines_of[t])
                    .sum();
                let mut taken = 0u32;
                for i in lo..=hi {
                    let at = &family.types_at[i];
                    let total: f64 = at.iter().map(|&s| lp[layout.x[s][di]]).sum();
                    let band_share = match part_of.get(&(f, di, i, bd)) {
                        Some(&v) if total > 1e-9 => lp[v] / total,
                        Some(_) => 0.0,
                        None => 1.0,
                    };
                    for &s in at {
                        let n = (lp[layout.x[s][di]] * band_share + 1e-6).floor().max(0.0) as u32;
                        let n = n.min(agents - taken);
                        taken += n;
                        for _ in 0..n {
                            placed[f][bd][di].push(s);
                        }
                        let ranges = cover.shift[s][di].clone();
                        for _ in 0..n {
                            st.add(&ranges, 1.0);
                        }
                    }
                }
                if agents > taken {
                    left.push((f, bd, di, agents - taken));
                }
            }
        }
    }
    while left.iter().any(|l| l.3 > 0) {
        for l in left.iter_mut().filter(|l| l.3 > 0) {
            let (f, bd, di) = (l.0, l.1, l.2);
            let s = st.best_in_band(f, bd, di, None)?;
            placed[f][bd][di].push(s);
            let ranges = cover.shift[s][di].clone();
            st.add(&ranges, 1.0);
            l.3 -= 1;
        }
    }
    // Breaks, shift by shift in order of day and start.
    let mut agents: Vec<(usize, usize, usize, usize, usize)> = Vec::new(); // (di, start, f, bd, slot)
    for (f, per_band) in placed.iter().enumerate() {
        for (bd, per_day) in per_band.iter().enumerate() {
            for (di, list) in per_day.iter().enumerate() {
                for (slot, &s) in list.iter().enumerate() {
                    agents.push((di, (rules.shift_types[s].start * 1e6) as usize, f, bd, slot));
                }
            }
        }
    }
    agents.sort_unstable();
    let mut breaks_of: Vec<Vec<Vec<Vec<Vec<usize>>>>> = placed
        .iter()
        .map(|per_band| {
            per_band
                .iter()
                .map(|per_day| per_day.iter().map(|l| vec![Vec::new(); l.len()]).collect())
                .collect()
        })
        .collect();
    for &(di, _, f, bd, slot) in &agents {
        let s = placed[f][bd][di][slot];
        breaks_of[f][bd][di][slot] = st.place_breaks(s, di);
    }
    // Agents: each tour's lines take, on each working day, one of their band's shifts.
    for (t, tour) in tours.iter().enumerate() {
        for _ in 0..lines_of[t] {
            let mut shifts = Vec::new();
            for (di, &d) in days.iter().enumerate() {
                if tour.week & (1 << weekday(d)) != 0 {
                    let s = placed[tour.family][tour.band][di].pop()?;
                    let at = breaks_of[tour.family][tour.band][di].pop()?;
                    shifts.push((di, s, at));
                }
            }
            st.lines.push(Line { tour: t, shifts });
        }
    }
    let mut rng = crate::rng::StreamKey::replication(0, 0).named("roster").stream();
    st.settle(&mut rng, 50_000);
    // Repairs: a piece still short gets an agent whose tour works a shift over it.
    let mut guard = 0usize;
    while let Some(p) = (0..cover.len.len()).find(|&p| st.short(p) > 1e-9) {
        guard += 1;
        if guard > 4 * cover.len.len() + 1000 || std::time::Instant::now() > deadline || crate::interrupt::requested() {
            return None;
        }
        let counts = st.counts();
        let before = st.shortfall(0..cover.len.len());
        // The change that removes the most shortfall per paid hour it adds: a new agent
        // whose tour works a shift over the piece, or an agent moved to a dearer tour
        // (a part-timer made full-time); breaking a share rule comes last.
        let mut best: Option<(bool, f64, Change)> = None;
        let mut consider = |st: &mut State, change: Change, counts: &[usize]| {
            let (cost, broken) = match change {
                Change::Add(t, _) => {
                    let mut trial = counts.to_vec();
                    trial[t] += 1;
                    (st.tour_cost(t), st.broken_share(&shares, &trial).is_some())
                }
                Change::Move(l, t) => {
                    let mut trial = counts.to_vec();
                    trial[st.lines[l].tour] -= 1;
                    trial[t] += 1;
                    (
                        st.tour_cost(t) - st.tour_cost(st.lines[l].tour),
                        st.broken_share(&shares, &trial).is_some(),
                    )
                }
            };
            if cost <= 0 {
                return;
            }
            let undo = st.apply(change);
            let gain = before - st.shortfall(0..cover.len.len());
            st.undo(undo);
            let key = (broken, -gain / cost as f64);
            if gain > 1e-6 && best.as_ref().is_none_or(|b| (key.0, key.1) < (b.0, b.1)) {
                best = Some((key.0, key.1, change));
            }
        };
        for (t, tour) in tours.iter().enumerate() {
            for (di, &d) in days.iter().enumerate() {
                if tour.week & (1 << weekday(d)) == 0 {
                    continue;
                }
                if let Some(s) = st.best_in_band(tour.family, tour.band, di, Some(p)) {
                    consider(&mut st, Change::Add(t, Some((di, s))), &counts);
                }
            }
        }
        for l in 0..st.lines.len() {
            for t in 0..tours.len() {
                consider(&mut st, Change::Move(l, t), &counts);
            }
        }
        let (_, _, change) = best?;
        st.apply(change);
        st.settle(&mut rng, 50_000);
    }
    // Shares: add agents until every share rule holds.
    let mut guard = 0usize;
    while let Some((members, too_many)) = st.broken_share(&shares, &st.counts()) {
        guard += 1;
        if guard > 100_000 {
            return None;
        }
        let counts = st.counts();
        let candidates = (0..tours.len()).filter(|t| members.contains(t) != too_many);
        let t = candidates.min_by_key(|&t| {
            let mut trial = counts.clone();
            trial[t] += 1;
            (st.broken_share(&shares, &trial).is_some(), st.tour_cost(t), t)
        })?;
        st.add_line(t, None);
    }
    // Agents go, the dearest first, wherever the others can then be moved to cover what
    // they covered (and the shares still hold).
    let mut order: Vec<usize> = (0..st.lines.len()).collect();
    order.sort_by_key(|&l| (std::cmp::Reverse(st.tour_cost(st.lines[l].tour)), l));
    let mut gone = vec![false; st.lines.len()];
    for l in order {
        if std::time::Instant::now() > deadline || crate::interrupt::requested() {
            break;
        }
        let mut counts = st.counts();
        for (i, g) in gone.iter().enumerate() {
            if *g {
                counts[st.lines[i].tour] -= 1;
            }
        }
        counts[st.lines[l].tour] -= 1;
        if st.broken_share(&shares, &counts).is_some() {
            continue;
        }
        let (covered, lines) = (st.covered.clone(), st.lines.clone());
        let line = st.lines[l].clone();
        for (di, s, at) in &line.shifts {
            st.take(*s, *di, at, -1.0);
        }
        st.lines[l].shifts.clear();
        if st.settle(&mut rng, 20_000) < 1e-6 && st.lines[l].shifts.is_empty() {
            gone[l] = true;
        } else {
            st.covered = covered;
            st.lines = lines;
        }
    }
    st.lines = st
        .lines
        .iter()
        .zip(&gone)
        .filter(|(_, g)| !**g)
        .map(|(l, _)| l.clone())
        .collect();
    // Agents move to a cheaper tour (a shorter shift, fewer days), the dearest first,
    // wherever the others can then be moved to cover the difference.
    let mut order: Vec<usize> = (0..st.lines.len()).collect();
    order.sort_by_key(|&l| (std::cmp::Reverse(st.tour_cost(st.lines[l].tour)), l));
    for l in order {
        if std::time::Instant::now() > deadline || crate::interrupt::requested() {
            break;
        }
        let counts = st.counts();
        let own = st.lines[l].tour;
        let mut best: Option<(f64, usize)> = None;
        for t in 0..tours.len() {
            if st.tour_cost(t) >= st.tour_cost(own) {
                continue;
            }
            let mut trial = counts.clone();
            trial[own] -= 1;
            trial[t] += 1;
            if st.broken_share(&shares, &trial).is_some() {
                continue;
            }
            let undo = st.apply(Change::Move(l, t));
            let short = st.shortfall(0..cover.len.len());
            st.undo(undo);
            if best.is_none_or(|b| short < b.0 - 1e-6) {
                best = Some((short, t));
            }
        }
        let Some((_, t)) = best else { continue };
        // Local search moves the others too: keep the whole state to go back to.
        let (covered, lines) = (st.covered.clone(), st.lines.clone());
        st.apply(Change::Move(l, t));
        if st.settle(&mut rng, 20_000) > 1e-6 {
            st.covered = covered;
            st.lines = lines;
        }
    }
    let lines = st.lines.clone();
    // The program's values.
    let mut values = vec![0.0; program.cost.len()];
    for line in &lines {
        values[layout.w[line.tour]] += 1.0;
        let tour = tours[line.tour];
        for (di, s, at) in &line.shifts {
            values[layout.x[*s][*di]] += 1.0;
            for (k, &q) in at.iter().enumerate() {
                if rules.shift_types[*s].breaks[k].offsets.len() > 1 {
                    values[layout.y[*s][*di][k][q]] += 1.0;
                }
            }
            let family = &families[tour.family];
            let i = family
                .types_at
                .iter()
                .position(|at| at.contains(s))
                .expect("a shift type of its family");
            if let Some(&v) = part_of.get(&(tour.family, *di, i, tour.band)) {
                values[v] += 1.0;
            }
        }
    }
    Some(values)
}
