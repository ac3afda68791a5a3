//! The queue discipline of a log: how far priority callers advance in the queue.
//!
//! A switch may serve its priority callers strictly first, or let them advance by a head
//! start: a priority caller counts as if they had waited `h` seconds longer. The log
//! tells which by the order in which it served callers who were waiting together. Each
//! time an agent took a caller while a caller of the other class of the same log type
//! was still waiting, the pair says on which side of `h` the switch was:
//!
//! - a priority caller who arrived `d` seconds after a waiting regular caller, taken
//!   first, is consistent only with `h ≥ d`;
//! - a regular caller taken while a priority caller who arrived `e` seconds later waited
//!   is consistent only with `h ≤ e`.
//!
//! The fitted head start is the one that the fewest pairs contradict (the middle of the
//! best plateau), compared with strict priority (`h` = ∞) and first come, first served
//! (`h` = 0). Pairs are counted only within a log type, whose callers share agents.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::Call;

/// Head starts considered, in whole seconds.
pub const LONGEST_HEAD_START: usize = 1800;

/// What the order of service says of the discipline.
#[derive(Debug, Clone, PartialEq)]
pub struct DisciplineFit {
    /// Pairs of callers of different classes waiting together when one was taken.
    pub pairs: usize,
    /// Pairs contradicted by first come, first served, by the best head start, and by
    /// strict priority.
    pub fifo_violations: usize,
    pub head_start: f64,
    pub head_start_violations: usize,
    pub strict_violations: usize,
}

/// How the fitted scenario should order priority callers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Discipline {
    /// Served strictly before regular callers (`priority = 1`).
    Strict,
    /// Advanced by this many seconds of waiting (`head_start`).
    HeadStart(f64),
}

impl DisciplineFit {
    pub fn discipline(&self) -> Discipline {
        if self.strict_violations <= self.head_start_violations {
            Discipline::Strict
        } else {
            Discipline::HeadStart(self.head_start)
        }
    }

    pub fn describe(&self) -> String {
        let share = |n: usize| 100.0 * n as f64 / self.pairs.max(1) as f64;
        format!(
            "{} pairs of waiting regular and priority callers of one type; the order of service contradicts \
             first come, first served in {:.1} %, a head start of {:.0} s in {:.1} %, strict priority in {:.1} %",
            self.pairs,
            share(self.fifo_violations),
            self.head_start,
            share(self.head_start_violations),
            share(self.strict_violations)
        )
    }
}

/// Fits the head start from the order of service; `None` when no two callers of
/// different classes ever waited together.
pub fn fit_discipline(calls: &[&Call]) -> Option<DisciplineFit> {
    // Violations for each whole head start 0..=LONGEST, as a difference array, plus
    // strict priority.
    let mut change = vec![0i64; LONGEST_HEAD_START + 2];
    let mut strict = 0usize;
    let mut pairs = 0usize;
    let mut by_day_and_type: BTreeMap<(NaiveDate, &str), Vec<&Call>> = BTreeMap::new();
    for c in calls.iter().filter(|c| c.queued) {
        by_day_and_type.entry((c.date, c.kind.as_str())).or_default().push(c);
    }
    for (_, mut group) in by_day_and_type {
        if !group.iter().any(|c| c.priority) || group.iter().all(|c| c.priority) {
            continue;
        }
        group.sort_by(|a, b| a.arrival.total_cmp(&b.arrival));
        let longest_wait = group.iter().map(|c| c.wait).fold(0.0, f64::max);
        for taken in group.iter().filter(|c| c.served) {
            let at = taken.arrival + taken.wait;
            // Callers who arrived before `at` and were still waiting after it.
            let end = group.partition_point(|c| c.arrival < at);
            for other in group[..end].iter().rev() {
                if other.arrival < at - longest_wait {
                    break;
                }
                if other.priority == taken.priority || other.arrival + other.wait <= at {
                    continue;
                }
                pairs += 1;
                if taken.priority {
                    // Contradicts every h < taken.arrival − other.arrival.
                    let d = taken.arrival - other.arrival;
                    if d > 0.0 {
                        let upto = (d.ceil() as usize).min(LONGEST_HEAD_START + 1);
                        change[0] += 1;
                        change[upto] -= 1;
                    }
                } else {
                    // Contradicts every h > other.arrival − taken.arrival, and strict.
                    strict += 1;
                    let e = other.arrival - taken.arrival;
                    let from = if e < 0.0 { 0 } else { e.floor() as usize + 1 };
                    if from <= LONGEST_HEAD_START {
                        change[from] += 1;
                        change[LONGEST_HEAD_START + 1] -= 1;
                    }
                }
            }
        }
    }
    if pairs == 0 {
        return None;
    }
    let mut violations = Vec::with_capacity(LONGEST_HEAD_START + 1);
    let mut running = 0i64;
    for c in &change[..=LONGEST_HEAD_START] {
        running += c;
        violations.push(running as usize);
    }
    let fewest = *violations.iter().min().expect("non-empty");
    // The middle of the first plateau of fewest violations.
    let first = violations.iter().position(|&v| v == fewest).expect("present");
    let last = first + violations[first..].iter().take_while(|&&v| v == fewest).count() - 1;
    Some(DisciplineFit {
        pairs,
        fifo_violations: violations[0],
        head_start: ((first + last) / 2) as f64,
        head_start_violations: fewest,
        strict_violations: strict,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(arrival: f64, wait: f64, priority: bool) -> Call {
        Call {
            wrap_up: None,
            date: NaiveDate::from_ymd_opt(2000, 1, 1).unwrap(),
            arrival,
            queued: true,
            served: true,
            abandoned: false,
            wait,
            handle: 100.0,
            service: None,
            kind: "A".into(),
            priority,
            agent: None,
        }
    }

    /// One agent freed every 10 s serves by arrival − 30 s for priority callers: the fit
    /// finds a head start consistent with 30 s and fewer violations than strict
    /// priority or first come, first served.
    #[test]
    fn a_head_start_is_recovered_from_the_order_of_service() {
        // Arrivals every 4 s alternate classes in a pattern; service every 5 s by key.
        let mut waiting: Vec<(f64, bool)> = Vec::new();
        let mut calls = Vec::new();
        let (mut next_arrival, mut next_service) = (0.0, 100.0);
        let mut i = 0;
        while next_arrival < 4000.0 || !waiting.is_empty() {
            if next_arrival < 4000.0 && next_arrival <= next_service {
                waiting.push((next_arrival, i % 3 == 0));
                i += 1;
                next_arrival += 4.0;
            } else {
                let best = (0..waiting.len())
                    .min_by(|&a, &b| {
                        let key = |k: usize| waiting[k].0 - if waiting[k].1 { 30.0 } else { 0.0 };
                        key(a).total_cmp(&key(b))
                    })
                    .unwrap();
                let (arrival, priority) = waiting.remove(best);
                calls.push(call(arrival, next_service - arrival, priority));
                next_service += 4.5;
            }
        }
        let refs: Vec<&Call> = calls.iter().collect();
        let fit = fit_discipline(&refs).unwrap();
        assert_eq!(fit.head_start_violations, 0, "{}", fit.describe());
        assert!(
            fit.fifo_violations > 0 && fit.strict_violations > 0,
            "{}",
            fit.describe()
        );
        assert!((fit.head_start - 30.0).abs() <= 4.0, "{}", fit.describe());
        assert_eq!(fit.discipline(), Discipline::HeadStart(fit.head_start));
    }

    #[test]
    fn strict_priority_is_recognised() {
        // Priority callers always taken first: no regular caller is taken while a
        // priority caller waits.
        let calls = [
            call(0.0, 50.0, false),
            call(10.0, 20.0, true),
            call(20.0, 20.0, true),
            call(5.0, 60.0, false),
        ];
        let refs: Vec<&Call> = calls.iter().collect();
        let fit = fit_discipline(&refs).unwrap();
        assert_eq!(fit.strict_violations, 0);
        assert_eq!(fit.discipline(), Discipline::Strict);
        let one_class = [call(0.0, 5.0, false), call(1.0, 5.0, false)];
        let refs: Vec<&Call> = one_class.iter().collect();
        assert!(fit_discipline(&refs).is_none());
    }
}
