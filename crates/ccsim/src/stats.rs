//! Streaming statistics: integer sums per cell, exact under any merge order.
//!
//! One replication fills a [`RepStats`]: for every measured interval × call type a row of
//! counts and microsecond sums, and for every interval × agent group a row of time
//! integrals. Nothing is kept per call. Across replications, an [`Accumulator`] keeps the
//! moments SPEC.md's estimators need (Σx, Σx² per field and Σ numerator·denominator per
//! ratio metric) for every aggregate cell (each interval and the whole day, each call type
//! or group and all of them). All sums are integers, so accumulators merge with `+=` to
//! the same bytes in any order: across threads, shards or machines.
//!
//! No sum wraps. A replication's cells are `u64` (the model's limits keep each one below
//! 2^64, and the engine ends a replication with an error rather than pass it); the day's
//! and the centre's totals are summed in `u128`; Σx² and Σnum·den over replications can
//! pass 2^128 (a day's agent time in µs passes 2^64 with a million agents over a year), so
//! each moment is kept as its value modulo 2^128 plus, for the few that pass it, the
//! multiples of 2^128 ([`Wide`]): exact, and the same bytes in any merge order.
//!
//! The metric tables [`CALL_METRICS`] and [`GROUP_METRICS`] are the single definition of
//! what is reported and how it is computed.

use std::ops::AddAssign;

use serde::{Deserialize, Serialize};

use crate::histogram::{WaitCounts, WaitMoments};

/// Channel columns of the call grid (voice, chat, email).
pub const CHANNELS: usize = 3;

/// Fields of a call-type cell. A contact belongs to the interval in which it arrived.
pub mod call {
    // Numbered so that the fields an offered and answered call updates lie side by
    // side in the cell's first two cache lines (0–15), those of an abandon in its third
    // (16–23), then the rarer outcomes: with hundreds of call types the cells do not
    // stay in the first-level cache between calls (see [`super::CallCell`]).
    pub const OFFERED: usize = 0;
    /// Offered contacts due inside the window: every call and chat; an email whose
    /// response deadline (arrival + threshold) falls by the window's end.
    pub const DUE: usize = 1;
    /// Offered contacts that are a caller's first attempt.
    pub const FRESH: usize = 2;
    /// Offered contacts that are customer contacts: fresh + redials + retries + repeats.
    pub const CONTACTS: usize = 3;
    pub const ANSWERED: usize = 4;
    /// Answered with a wait ≤ the call type's service-level threshold.
    pub const ANSWERED_IN_SL: usize = 5;
    /// Sum of waits of answered calls, µs.
    pub const WAIT_ANSWERED_US: usize = 6;
    /// Sum of handle times (talk, then after-call work) of answered calls, µs.
    pub const HANDLE_US: usize = 7;
    /// Answered contacts the agent resolved.
    pub const RESOLVED: usize = 8;
    /// Answered contacts at the customer's first queue (not transfers).
    pub const FIRST_ANSWERED: usize = 9;
    /// Of those, resolved by that first agent.
    pub const FIRST_RESOLVED: usize = 10;
    /// Of the contacts due ([`DUE`]), those answered within the threshold.
    pub const DUE_IN_SL: usize = 11;
    /// Maximum: the longest wait of a contact answered, µs.
    pub const MAX_WAIT_US: usize = 12;
    /// Answered contacts that are a caller's first attempt or a redial (each customer at
    /// most once: a caller's attempts end with the first answer).
    pub const CUSTOMERS_ANSWERED: usize = 13;
    /// Of those, answered within the threshold.
    pub const CUSTOMERS_IN_SL: usize = 14;
    /// Answered contacts answered by an outsourced group.
    pub const OUTSOURCED: usize = 37;
    pub const ABANDONED: usize = 16;
    /// Sum of waits of abandoned calls (time to abandon), µs.
    pub const WAIT_ABANDONED_US: usize = 17;
    /// Sum of those waits, µs.
    pub const WAIT_ENDED_US: usize = 18;
    /// Offered contacts that are a caller trying again after abandoning.
    pub const REDIALS: usize = 41;
    /// Offered contacts that are a customer calling again after an unresolved contact.
    pub const REPEATS: usize = 20;
    /// Offered contacts escalated here from another call type (not new customer contacts).
    pub const TRANSFERS_IN: usize = 21;
    /// Answered contacts not resolved and transferred to another call type's queue.
    pub const ESCALATED: usize = 22;
    /// Answered contacts not resolved whose customer will call again.
    pub const REPEATED: usize = 23;
    /// Answered contacts not resolved and closed without follow-up.
    pub const UNRESOLVED: usize = 24;
    /// Transfers of the customer contacts that began here (booked where the contact began).
    pub const TRANSFERS: usize = 25;
    /// Cost, in millionths of the scenario's currency, by clock interval.
    pub const COST: usize = 26;
    pub const UNFINISHED: usize = 27;
    /// Agent time spent on this call type inside the window, by clock interval, µs: each
    /// group's busy time (on schedule) shared by the time its agents spent on each type.
    pub const BUSY_US: usize = 28;
    /// Staffed time of the groups that serve this call type, by clock interval, µs.
    pub const STAFFED_US: usize = 29;
    /// Level at the interval's end: email contacts waiting (the backlog).
    pub const BACKLOG: usize = 30;
    /// Level at the interval's end: age of the oldest email waiting, µs.
    pub const OLDEST_AGE_US: usize = 31;
    /// Redials and repeats that arrived after the window: followed (their work is
    /// overtime) but not counted as offered contacts; booked on the last interval.
    pub const AFTER_WINDOW: usize = 32;
    /// Offered contacts that found every line busy or the queue full (a busy signal).
    pub const BLOCKED: usize = 33;
    /// Offered contacts whose caller left a message after waiting `max_wait`.
    pub const MESSAGES: usize = 34;
    /// Offered contacts still waiting when the window closed with `at_close = "disconnect"`.
    pub const DISCONNECTED: usize = 35;
    /// Offered contacts that are a blocked caller trying again.
    pub const RETRIES: usize = 36;
    /// Contacts waiting × time, inside the window, by clock interval, µs.
    pub const QUEUE_US: usize = 15;
    /// The interval's length, µs (the window's, summed): the time `QUEUE_US` is averaged over.
    pub const CLOCK_US: usize = 38;
    /// Maximum: the most contacts waiting at once, by clock interval.
    pub const MAX_QUEUE: usize = 39;
    /// Offered contacts whose wait ended: answered, abandoned, a message or disconnected.
    pub const WAITS_ENDED: usize = 40;
    /// Abandoned with a wait ≤ the call type's `short_abandon` threshold.
    pub const SHORT_ABANDONED: usize = 19;
    /// Offered minus short abandons: the service level's denominator.
    pub const SL_OFFERED: usize = 42;
    /// Offered calls whose caller accepted a callback (virtual hold).
    pub const CALLBACKS: usize = 43;
    /// Of the callbacks, those whose customer answered the agent's call (then served).
    pub const CALLBACKS_REACHED: usize = 44;
    /// Of the callbacks, those whose customer did not answer (counted `abandoned` too).
    pub const CALLBACKS_MISSED: usize = 45;
    /// Sum over the callbacks reached of the time from acceptance to the answer, µs.
    pub const CALLBACK_DELAY_US: usize = 46;
    /// 1 if a contact was answered in the cell in this replication, else 0 (set at the
    /// close; over the day, the largest): the replications the longest wait of an
    /// answered contact is averaged over.
    pub const ANSWERED_ANY: usize = 47;
    pub const FIELDS: usize = 48;

    /// Fields that are levels at an interval's end, not sums: over the day they take the
    /// last interval's value; over call types, the sum (the backlog) or the maximum (the
    /// oldest age).
    pub const LEVELS: [usize; 2] = [BACKLOG, OLDEST_AGE_US];
    /// Fields that are maxima: over the day and over call types, the largest.
    pub const MAXIMA: [usize; 3] = [MAX_WAIT_US, MAX_QUEUE, ANSWERED_ANY];
}

/// Fields of an agent-group cell. Times are integrals over the clock interval.
pub mod group {
    /// Agent busy time inside the measured window, by agents on their schedule, µs.
    pub const BUSY_US: usize = 0;
    /// Agents on duty × time, µs.
    pub const STAFFED_US: usize = 1;
    /// Contacts whose service began in this interval (after the window: the last one).
    pub const HANDLED: usize = 2;
    /// Work beyond the schedule (agents finishing calls after their staffing ended, and
    /// all work after the measured window, which is booked on the last interval), µs.
    pub const OVERTIME_US: usize = 3;
    /// Cost, in millionths of the scenario's currency (paid hours, prices, minimums).
    pub const COST: usize = 4;
    /// Chat slots in use × time inside the window, µs.
    pub const SLOTS_US: usize = 5;
    /// Chat slots on duty (agents on duty × chats each may hold) × time, µs; only for
    /// groups that serve chat.
    pub const SLOT_CAPACITY_US: usize = 6;
    /// Busy time inside the measured window of every busy agent, on schedule or past it
    /// (`BUSY_US` before its clamp to the agents on schedule), µs. Not a reported metric:
    /// it lets tests check the engine's raw agent time (agents past their schedule
    /// appear only where the schedule drops).
    pub const RAW_BUSY_US: usize = 7;
    pub const FIELDS: usize = 8;
}

/// How a metric is computed from a cell's fields.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Measure {
    /// Mean per replication of `field × scale`.
    Count { field: usize, scale: f64 },
    /// Ratio estimator Σnum / Σden (over intervals and replications) × scale.
    Ratio { num: usize, den: usize, scale: f64 },
    /// A level at an interval's end (the backlog): mean per replication of `field ×
    /// scale`; over the whole day, its value at the end of the window.
    Level { field: usize, scale: f64 },
    /// A maximum (the longest wait): mean per replication of `field × scale`, each
    /// replication's maximum over the cell; over the day, the largest of the intervals'.
    /// With `defined_by`, a 0/1 field marking the replications that had anything to take
    /// the maximum of (an answered contact): the mean is over those replications only
    /// (Σ max ÷ Σ marks, a ratio estimator with its delta-method half-width), and
    /// undefined where no replication had any. Without it (a queue length, 0 where nobody
    /// waited) it is the mean over every replication.
    Max {
        field: usize,
        scale: f64,
        defined_by: Option<usize>,
    },
    /// The `p`-quantile of the waits of answered contacts, from the wait histograms (see
    /// [`crate::histogram`]).
    Quantile { p: f64 },
}

/// A reported metric: its JSON name, how it is computed, and what it means.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MetricDef {
    pub name: &'static str,
    pub measure: Measure,
    pub doc: &'static str,
}

const fn count(name: &'static str, field: usize, doc: &'static str) -> MetricDef {
    MetricDef {
        name,
        measure: Measure::Count { field, scale: 1.0 },
        doc,
    }
}

const fn ratio(name: &'static str, num: usize, den: usize, scale: f64, doc: &'static str) -> MetricDef {
    MetricDef {
        name,
        measure: Measure::Ratio { num, den, scale },
        doc,
    }
}

/// Metrics of call types, intervals and totals (SPEC.md's table, and more).
pub const CALL_METRICS: &[MetricDef] = &[
    count("offered", call::OFFERED, "contacts that arrived in the measured window"),
    count("answered", call::ANSWERED, "offered contacts that reached an agent"),
    count(
        "abandoned",
        call::ABANDONED,
        "offered contacts whose caller hung up before an answer",
    ),
    count(
        "unfinished",
        call::UNFINISHED,
        "offered contacts still waiting when the drain limit ended the run",
    ),
    count(
        "blocked",
        call::BLOCKED,
        "offered calls that found every line busy or the queue full (a busy signal)",
    ),
    count(
        "messages",
        call::MESSAGES,
        "offered contacts whose caller left a message after waiting `max_wait`",
    ),
    count(
        "disconnected",
        call::DISCONNECTED,
        "offered contacts still waiting when the window closed with `at_close = \"disconnect\"`",
    ),
    count("callbacks", call::CALLBACKS, "offered calls that accepted a callback"),
    count(
        "callbacks_reached",
        call::CALLBACKS_REACHED,
        "callbacks whose customer answered the agent's call (counted answered)",
    ),
    count(
        "callbacks_missed",
        call::CALLBACKS_MISSED,
        "callbacks whose customer did not answer the agent's call (counted abandoned)",
    ),
    ratio(
        "callback_success",
        call::CALLBACKS_REACHED,
        call::CALLBACKS,
        1.0,
        "callbacks reached ÷ callbacks",
    ),
    ratio(
        "avg_callback_delay_seconds",
        call::CALLBACK_DELAY_US,
        call::CALLBACKS_REACHED,
        1e-6,
        "mean time from accepting a callback to being reached, of the callbacks reached, seconds",
    ),
    count(
        "fresh",
        call::FRESH,
        "offered contacts that are a caller's first attempt",
    ),
    count(
        "redials",
        call::REDIALS,
        "offered contacts that are a caller trying again after abandoning",
    ),
    count(
        "retries",
        call::RETRIES,
        "offered contacts that are a blocked caller trying again",
    ),
    count(
        "unique_callers",
        call::FRESH,
        "distinct callers: each fresh contact is a new caller, each redial one already counted",
    ),
    ratio("answer_rate", call::ANSWERED, call::OFFERED, 1.0, "answered ÷ offered"),
    ratio(
        "abandon_rate",
        call::ABANDONED,
        call::OFFERED,
        1.0,
        "abandoned ÷ offered",
    ),
    ratio("block_rate", call::BLOCKED, call::OFFERED, 1.0, "blocked ÷ offered"),
    ratio(
        "service_level",
        call::ANSWERED_IN_SL,
        call::SL_OFFERED,
        1.0,
        "answered within the threshold ÷ offered (abandons, blocked calls, messages and disconnections count as misses; abandons within `short_abandon`, where set, are left out of offered)",
    ),
    ratio(
        "asa_seconds",
        call::WAIT_ANSWERED_US,
        call::ANSWERED,
        1e-6,
        "mean wait of answered contacts, seconds",
    ),
    ratio(
        "avg_abandon_wait_seconds",
        call::WAIT_ABANDONED_US,
        call::ABANDONED,
        1e-6,
        "mean time to abandon of abandoned contacts, seconds",
    ),
    ratio(
        "aht_seconds",
        call::HANDLE_US,
        call::ANSWERED,
        1e-6,
        "mean handle time of answered contacts, seconds",
    ),
    ratio(
        "occupancy",
        call::BUSY_US,
        call::STAFFED_US,
        1.0,
        "time agents spent on this call type ÷ staffed time of the groups serving it (in totals and intervals: the groups' occupancy)",
    ),
    count(
        "repeats",
        call::REPEATS,
        "offered contacts that are a customer calling again after an unresolved contact",
    ),
    count(
        "transfers_in",
        call::TRANSFERS_IN,
        "offered contacts escalated here from another call type (0 in totals: a transfer is not a new contact)",
    ),
    count("resolved", call::RESOLVED, "answered contacts the agent resolved"),
    count(
        "escalated",
        call::ESCALATED,
        "answered contacts not resolved and transferred to another call type's queue",
    ),
    count(
        "repeated",
        call::REPEATED,
        "answered contacts not resolved whose customer will call again (a repeat)",
    ),
    count(
        "unresolved",
        call::UNRESOLVED,
        "answered contacts not resolved and closed without follow-up",
    ),
    ratio(
        "escalation_rate",
        call::ESCALATED,
        call::ANSWERED,
        1.0,
        "escalated ÷ answered",
    ),
    ratio(
        "resolution_rate",
        call::RESOLVED,
        call::ANSWERED,
        1.0,
        "resolved ÷ answered",
    ),
    ratio(
        "fcr",
        call::FIRST_RESOLVED,
        call::FIRST_ANSWERED,
        1.0,
        "first-contact resolution: contacts resolved by the first agent ÷ contacts answered at their first queue",
    ),
    ratio(
        "transfers_per_contact",
        call::TRANSFERS,
        call::CONTACTS,
        1.0,
        "transfers of the customer contacts that began at this call type ÷ those contacts",
    ),
    count(
        "outsourced",
        call::OUTSOURCED,
        "answered contacts answered by an outsourced group (vendor)",
    ),
    ratio(
        "outsourced_share",
        call::OUTSOURCED,
        call::ANSWERED,
        1.0,
        "answered by vendors ÷ answered",
    ),
    MetricDef {
        name: "cost",
        measure: Measure::Count {
            field: call::COST,
            scale: 1e-6,
        },
        doc: "cost in the scenario's currency: paid agent hours, vendor prices and pro-rated minimums (a group's hourly cost is shared among its call types by the time spent on each)",
    },
    ratio(
        "cost_per_contact",
        call::COST,
        call::RESOLVED,
        1e-6,
        "cost ÷ resolved contacts",
    ),
    ratio(
        "within_target",
        call::DUE_IN_SL,
        call::DUE,
        1.0,
        "of the contacts due inside the window (every call and chat; an email whose response deadline falls by the window's end), those answered within the threshold (undefined when no email is due: the target is longer than the horizon)",
    ),
    count(
        "after_window",
        call::AFTER_WINDOW,
        "redials, retries and repeats that arrived after the window: followed to their end (their work is overtime) but not counted as offered (booked on the last interval)",
    ),
    MetricDef {
        name: "backlog_end",
        measure: Measure::Level {
            field: call::BACKLOG,
            scale: 1.0,
        },
        doc: "emails waiting at the end of the interval (in totals: at the end of the window)",
    },
    MetricDef {
        name: "oldest_age_seconds",
        measure: Measure::Level {
            field: call::OLDEST_AGE_US,
            scale: 1e-6,
        },
        doc: "how long the oldest email waiting at the end of the interval has waited (in totals: at the end of the window), seconds",
    },
    quantile("wait_p50_seconds", 0.50),
    quantile("wait_p90_seconds", 0.90),
    quantile("wait_p95_seconds", 0.95),
    MetricDef {
        name: "max_wait_seconds",
        measure: Measure::Max {
            field: call::MAX_WAIT_US,
            scale: 1e-6,
            defined_by: Some(call::ANSWERED_ANY),
        },
        doc: "the longest wait of an answered contact, seconds: mean, over the replications that answered a contact, of each one's longest (undefined where none did)",
    },
    ratio(
        "mean_wait_seconds",
        call::WAIT_ENDED_US,
        call::WAITS_ENDED,
        1e-6,
        "mean wait of the contacts whose wait ended: answered, abandoned, a message or disconnected (blocked calls never waited; what some calculators call ASA), seconds",
    ),
    ratio(
        "avg_queue_length",
        call::QUEUE_US,
        call::CLOCK_US,
        1.0,
        "contacts waiting, time-averaged over the window (the interval)",
    ),
    MetricDef {
        name: "max_queue_length",
        measure: Measure::Max {
            field: call::MAX_QUEUE,
            scale: 1.0,
            defined_by: None,
        },
        doc: "the most contacts waiting at once in the window (the interval): mean over replications of each replication's most",
    },
    count(
        "short_abandoned",
        call::SHORT_ABANDONED,
        "abandoned contacts that waited at most the `short_abandon` threshold",
    ),
    ratio(
        "service_level_answered",
        call::ANSWERED_IN_SL,
        call::ANSWERED,
        1.0,
        "answered within the threshold ÷ answered",
    ),
    ratio(
        "answer_rate_per_customer",
        call::CUSTOMERS_ANSWERED,
        call::FRESH,
        1.0,
        "callers answered at their first attempt, a redial or a retry ÷ callers (fresh contacts): a caller who abandons (or hears a busy signal), tries again and is answered counts once",
    ),
    ratio(
        "service_level_per_customer",
        call::CUSTOMERS_IN_SL,
        call::FRESH,
        1.0,
        "callers answered within the threshold at their first attempt, a redial or a retry ÷ callers (fresh contacts)",
    ),
];

const fn quantile(name: &'static str, p: f64) -> MetricDef {
    MetricDef {
        name,
        measure: Measure::Quantile { p },
        doc: "a quantile of the waits of answered contacts, seconds (exact integer histograms; Woodruff's interval)",
    }
}

/// Metrics of agent groups (also in intervals and totals, over all groups).
pub const GROUP_METRICS: &[MetricDef] = &[
    ratio(
        "occupancy",
        group::BUSY_US,
        group::STAFFED_US,
        1.0,
        "agent busy time ÷ agent staffed time, both inside the measured window",
    ),
    count(
        "handled",
        group::HANDLED,
        "contacts whose service began in the interval (services begun after the window count on the last interval, as overtime does)",
    ),
    MetricDef {
        name: "agent_hours",
        measure: Measure::Count {
            field: group::STAFFED_US,
            scale: 1.0 / 3.6e9,
        },
        doc: "agents on duty × hours",
    },
    MetricDef {
        name: "overtime_hours",
        measure: Measure::Count {
            field: group::OVERTIME_US,
            scale: 1.0 / 3.6e9,
        },
        doc: "agent hours worked beyond the schedule (after a staffing drop or after the window)",
    },
    MetricDef {
        name: "cost",
        measure: Measure::Count {
            field: group::COST,
            scale: 1e-6,
        },
        doc: "cost in the scenario's currency: paid hours (overtime included) or vendor prices, with any pro-rated monthly minimum",
    },
    ratio(
        "slot_utilisation",
        group::SLOTS_US,
        group::SLOT_CAPACITY_US,
        1.0,
        "chat slots in use ÷ chat slots on duty (agents × chats each may hold), inside the window; only groups that serve chat",
    ),
];

/// One call column's fields in one interval, on whole cache lines of its own: with
/// hundreds of call types the cells do not stay in the first-level cache between calls,
/// and an offered and answered call then touches the cell's first two lines only (see
/// the numbering of [`call`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(C, align(64))]
pub struct CallCell(pub [u64; call::FIELDS]);

impl std::ops::Deref for CallCell {
    type Target = [u64; call::FIELDS];
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl std::ops::DerefMut for CallCell {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

impl std::borrow::Borrow<[u64; call::FIELDS]> for CallCell {
    fn borrow(&self) -> &[u64; call::FIELDS] {
        &self.0
    }
}

/// The integer sums of one replication (or of several, added).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepStats {
    pub intervals: usize,
    pub call_types: usize,
    pub groups: usize,
    /// `[interval * columns + column]`: one column per call type, one per channel
    /// (voice, chat, email: the sums of their call types), then the customer-contacts
    /// column (see [`RepStats::contacts_cell`]).
    pub calls: Vec<CallCell>,
    /// `[interval * groups + group]`.
    pub group_cells: Vec<[u64; group::FIELDS]>,
    /// Waits of answered contacts, counted in histograms per call column.
    pub waits: WaitCounts,
    /// Why the replication stopped before its end, if it did: a limit that keeps memory,
    /// time and sums bounded was reached (the message says which). Its sums are then
    /// incomplete and must not be reported.
    pub halt: Option<String>,
}

impl RepStats {
    pub fn new(intervals: usize, call_types: usize, groups: usize) -> Self {
        RepStats {
            intervals,
            call_types,
            groups,
            calls: vec![CallCell([0; call::FIELDS]); intervals * (call_types + CHANNELS + 1)],
            group_cells: vec![[0; group::FIELDS]; intervals * groups],
            waits: WaitCounts::new(intervals, call_types + CHANNELS + 1),
            halt: None,
        }
    }

    /// Columns of the call grid.
    #[inline]
    pub fn columns(&self) -> usize {
        self.call_types + CHANNELS + 1
    }

    #[inline]
    pub fn call_cell(&mut self, interval: usize, call_type: usize) -> &mut [u64; call::FIELDS] {
        let columns = self.columns();
        &mut self.calls[interval * columns + call_type].0
    }

    /// The cell of one channel (by [`crate::model::Channel::index`]) in an interval.
    pub fn channel_cell(&mut self, interval: usize, channel: usize) -> &mut [u64; call::FIELDS] {
        let columns = self.columns();
        &mut self.calls[interval * columns + self.call_types + channel].0
    }

    /// The customer-contacts cell of an interval: what totals and interval rows report.
    /// It counts each customer contact once (fresh, redial or repeat, never a transfer),
    /// in the interval it arrived; what happens to it later (resolution, escalations,
    /// transfers) is booked there too. Time integrals and costs are booked by clock
    /// interval, as in the call-type cells.
    #[inline]
    pub fn contacts_cell(&mut self, interval: usize) -> &mut [u64; call::FIELDS] {
        let columns = self.columns();
        &mut self.calls[interval * columns + self.call_types + CHANNELS].0
    }

    pub fn call_cell_ref(&self, interval: usize, call_type: usize) -> &[u64; call::FIELDS] {
        &self.calls[interval * self.columns() + call_type].0
    }

    #[inline]
    pub fn group_cell(&mut self, interval: usize, group: usize) -> &mut [u64; group::FIELDS] {
        &mut self.group_cells[interval * self.groups + group]
    }

    /// Bytes of its cells: [`call::FIELDS`] × 8 per interval × call column (call types,
    /// channels and the customer-contacts column), [`group::FIELDS`] × 8 per interval ×
    /// group.
    pub fn bytes(&self) -> usize {
        std::mem::size_of_val(self.calls.as_slice())
            + std::mem::size_of_val(self.group_cells.as_slice())
            + std::mem::size_of_val(self.waits.day.as_slice())
            + std::mem::size_of_val(self.waits.intervals.as_slice())
    }

    /// Sum of one call field over the call-type cells (every leg, transfers included);
    /// saturates at `u64::MAX` rather than wrap.
    pub fn call_total(&self, field: usize) -> u64 {
        (0..self.intervals)
            .flat_map(|i| (0..self.call_types).map(move |c| (i, c)))
            .map(|(i, c)| self.call_cell_ref(i, c)[field])
            .fold(0, u64::saturating_add)
    }

    /// A call column's fields in interval `interval`, or over the day: summed (saturating
    /// at `u64::MAX`, never wrapping), except the levels ([`call::LEVELS`]), which are the
    /// last interval's (as in the "all" rows).
    pub fn call_column(&self, column: usize, interval: Option<usize>) -> [u64; call::FIELDS] {
        let cell = |i: usize| &self.calls[i * self.columns() + column].0;
        match interval {
            Some(i) => *cell(i),
            None => {
                let mut sums = [0; call::FIELDS];
                for i in 0..self.intervals {
                    sums.iter_mut()
                        .zip(cell(i))
                        .for_each(|(a, b): (&mut u64, &u64)| *a = a.saturating_add(*b));
                }
                if self.intervals > 0 {
                    for f in call::LEVELS {
                        sums[f] = cell(self.intervals - 1)[f];
                    }
                }
                for f in call::MAXIMA {
                    sums[f] = (0..self.intervals).map(|i| cell(i)[f]).max().unwrap_or(0);
                }
                sums
            }
        }
    }

    /// One group's fields (or all groups' with `None`) in `interval`, or over the day
    /// (saturating at `u64::MAX`, never wrapping).
    pub fn group_column(&self, group: Option<usize>, interval: Option<usize>) -> [u64; group::FIELDS] {
        let mut sums = [0; group::FIELDS];
        let intervals = interval.map_or(0..self.intervals, |i| i..i + 1);
        for i in intervals {
            for g in (0..self.groups).filter(|&g| group.is_none_or(|x| x == g)) {
                sums.iter_mut()
                    .zip(&self.group_cells[i * self.groups + g])
                    .for_each(|(a, b): (&mut u64, &u64)| *a = a.saturating_add(*b));
            }
        }
        sums
    }

    /// Sum of one field of the customer-contacts cells (saturating at `u64::MAX`).
    pub fn contacts_total(&self, field: usize) -> u64 {
        (0..self.intervals)
            .map(|i| self.calls[i * self.columns() + self.call_types + CHANNELS][field])
            .fold(0, u64::saturating_add)
    }

    /// Bytes one replication's cells take for a centre of this size.
    pub fn bytes_for(intervals: usize, call_types: usize, groups: usize) -> u128 {
        let calls = intervals as u128 * (call_types + CHANNELS + 1) as u128 * (call::FIELDS * 8) as u128;
        calls
            + intervals as u128 * groups as u128 * (group::FIELDS * 8) as u128
            + WaitCounts::bytes_for(intervals, call_types + CHANNELS + 1)
    }
}

impl AddAssign<&RepStats> for RepStats {
    /// Adds another replication's cells (saturating at `u64::MAX`, never wrapping); the
    /// first halt, if any, is kept.
    fn add_assign(&mut self, other: &RepStats) {
        for (a, b) in self.calls.iter_mut().zip(&other.calls) {
            a.iter_mut().zip(b.iter()).for_each(|(x, y)| *x = x.saturating_add(*y));
        }
        for (a, b) in self.group_cells.iter_mut().zip(&other.group_cells) {
            a.iter_mut().zip(b).for_each(|(x, y)| *x = x.saturating_add(*y));
        }
        self.waits.add_assign(&other.waits);
        if self.halt.is_none() {
            self.halt.clone_from(&other.halt);
        }
    }
}

/// An exact integer below 2^256: `high` × 2^128 + `low`. Σx² and Σnum·den of large sums
/// pass 2^128; they are kept exact with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Wide {
    pub high: u128,
    pub low: u128,
}

impl Wide {
    const LOW_64: u128 = u64::MAX as u128;

    pub const fn new(low: u128) -> Wide {
        Wide { high: 0, low }
    }

    /// a × b, exactly.
    #[inline]
    pub fn product(a: u128, b: u128) -> Wide {
        if (a | b) >> 64 == 0 {
            return Wide::new(a * b);
        }
        let (a1, a0, b1, b0) = (a >> 64, a & Self::LOW_64, b >> 64, b & Self::LOW_64);
        let (p00, p01, p10, p11) = (a0 * b0, a0 * b1, a1 * b0, a1 * b1);
        // Below 3 × 2^64: fits.
        let middle = (p00 >> 64) + (p01 & Self::LOW_64) + (p10 & Self::LOW_64);
        Wide {
            high: p11 + (p01 >> 64) + (p10 >> 64) + (middle >> 64),
            low: (p00 & Self::LOW_64) | (middle << 64),
        }
    }

    /// The sum; `None` past 2^256.
    pub fn checked_add(self, other: Wide) -> Option<Wide> {
        let (low, carry) = self.low.overflowing_add(other.low);
        let high = self.high.checked_add(other.high)?.checked_add(u128::from(carry))?;
        Some(Wide { high, low })
    }

    /// The difference; `None` below 0.
    pub fn checked_sub(self, other: Wide) -> Option<Wide> {
        let (low, borrow) = self.low.overflowing_sub(other.low);
        let high = self.high.checked_sub(other.high)?.checked_sub(u128::from(borrow))?;
        Some(Wide { high, low })
    }

    /// × n; `None` past 2^256.
    pub fn checked_mul(self, n: u128) -> Option<Wide> {
        let low = Wide::product(self.low, n);
        let high = self.high.checked_mul(n)?;
        Wide {
            high: high.checked_add(low.high)?,
            low: low.low,
        }
        .into()
    }

    /// The value if it is below 2^128.
    pub fn narrow(self) -> Option<u128> {
        (self.high == 0).then_some(self.low)
    }

    /// The nearest `f64` (within its rounding).
    #[inline]
    pub fn to_f64(self) -> f64 {
        const TWO_128: f64 = 340_282_366_920_938_463_463_374_607_431_768_211_456.0;
        // Below 2^64 (nearly every sum), the same value by the cheap conversion of a u64
        // (that of a u128 is a call of a few dozen instructions).
        if self.high == 0
            && let Ok(small) = u64::try_from(self.low)
        {
            return small as f64;
        }
        self.high as f64 * TWO_128 + self.low as f64
    }
}

thread_local! {
    /// The most numbers a list of sums may hold when read (see [`with_sums_limit`]).
    static SUMS_LIMIT: std::cell::Cell<usize> = const { std::cell::Cell::new(usize::MAX) };
}

/// Runs `read` (which deserialises accumulators) with every list of sums limited to
/// `limit` numbers: a part file that holds more than its layout claims is refused
/// before it is stored, so reading it never takes more memory than the claim.
pub fn with_sums_limit<T>(limit: usize, read: impl FnOnce() -> T) -> T {
    let before = SUMS_LIMIT.replace(limit);
    let out = read();
    SUMS_LIMIT.set(before);
    out
}

/// Deserialises a list, refusing more than the current [`with_sums_limit`] elements.
pub(crate) fn bounded<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    struct Bounded<T>(usize, std::marker::PhantomData<T>);
    impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for Bounded<T> {
        type Value = Vec<T>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            write!(f, "a list of at most {} sums", self.0)
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
            let mut out = Vec::new();
            while let Some(x) = seq.next_element()? {
                if out.len() == self.0 {
                    return Err(serde::de::Error::custom(format!(
                        "more than the {} sums its layout holds",
                        self.0
                    )));
                }
                out.push(x);
            }
            Ok(out)
        }
    }
    deserializer.deserialize_seq(Bounded(SUMS_LIMIT.get(), std::marker::PhantomData))
}

/// Adds `cell` into `into`, except the `maxima` fields, which take the larger.
fn combine_into<const F: usize>(into: &mut [u128; F], cell: &[u128; F], maxima: &[usize]) {
    debug_assert!(maxima.len() <= call::MAXIMA.len(), "more maxima than call::MAXIMA");
    let mut before = [0u128; call::MAXIMA.len()];
    for (b, &f) in before.iter_mut().zip(maxima) {
        *b = into[f];
    }
    into.iter_mut().zip(cell).for_each(|(a, b)| *a += b);
    for (&f, b) in maxima.iter().zip(before) {
        into[f] = b.max(cell[f]);
    }
}

/// Whether a table's "all" column is the sum of its items or a column of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
enum AllColumn {
    Summed,
    /// The cells carry one more column, which is the "all" column (customer contacts).
    Provided,
}

/// Moments of one table of cells (interval × column, each with an "all" row and column).
///
/// While it holds at most one replication, only the sums Σx are stored: the second
/// moments (Σx², Σnum·den) of one replication are the squares and products of its sums,
/// computed when read, and stored only once a second replication is added (or the
/// moments are written to a part file, or merged). A one-replication run, the usual
/// whole-process case, so keeps 48 numbers per cell where the full moments take 118.
#[derive(Debug, Clone, Deserialize)]
pub struct Moments {
    fields: usize,
    all_column: AllColumn,
    /// Level fields: the "all" row takes the last interval's value.
    levels: Vec<usize>,
    /// Maximum fields: the "all" row (and a summed "all" column) takes the largest.
    #[serde(default)]
    maxima: Vec<usize>,
    ratios: Vec<(usize, usize)>,
    /// Rows: intervals then "all"; columns: items then "all".
    rows: usize,
    cols: usize,
    /// Per cell: Σx[fields], Σx²[fields], Σnum·den[ratios], each modulo 2^128; only
    /// Σx[fields] while `implied`.
    #[serde(deserialize_with = "bounded")]
    sums: Vec<u128>,
    /// The multiples of 2^128 the sums passed: (index into the full sums, as if none
    /// were implied, how many), sorted by index, none zero; empty unless some sum passed
    /// 2^128 (and then left out of part files, which stay as they were).
    #[serde(default, deserialize_with = "bounded")]
    high: Vec<(u64, u128)>,
    /// The second moments are implied by the sums (at most one replication held).
    #[serde(skip)]
    implied: bool,
    /// Replications added while `implied` (0 or 1).
    #[serde(skip)]
    held: u64,
}

/// [`Moments`] as part files hold it: every moment stored.
#[derive(Serialize)]
struct StoredMoments<'a> {
    fields: usize,
    all_column: AllColumn,
    levels: &'a [usize],
    maxima: &'a [usize],
    ratios: &'a [(usize, usize)],
    rows: usize,
    cols: usize,
    sums: &'a [u128],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    high: &'a [(u64, u128)],
}

impl Serialize for Moments {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let full = self.full();
        StoredMoments {
            fields: full.fields,
            all_column: full.all_column,
            levels: &full.levels,
            maxima: &full.maxima,
            ratios: &full.ratios,
            rows: full.rows,
            cols: full.cols,
            sums: &full.sums,
            high: &full.high,
        }
        .serialize(serializer)
    }
}

impl PartialEq for Moments {
    /// Equal moments, whether stored or implied.
    fn eq(&self, other: &Moments) -> bool {
        let (a, b) = (self.full(), other.full());
        a.fields == b.fields
            && a.all_column == b.all_column
            && a.levels == b.levels
            && a.maxima == b.maxima
            && a.ratios == b.ratios
            && a.rows == b.rows
            && a.cols == b.cols
            && a.sums == b.sums
            && a.high == b.high
    }
}

impl Eq for Moments {}

impl Moments {
    fn new(fields: usize, metrics: &[MetricDef], intervals: usize, items: usize, all_column: AllColumn) -> Self {
        let ratios: Vec<(usize, usize)> = metrics
            .iter()
            .filter_map(|m| match m.measure {
                Measure::Ratio { num, den, .. } => Some((num, den)),
                _ => None,
            })
            .collect();
        // A maximum and the marks of the replications it is defined in (over the day and
        // over items, the largest of each).
        let maxima = metrics
            .iter()
            .flat_map(|m| match m.measure {
                Measure::Max { field, defined_by, .. } => [Some(field), defined_by],
                _ => [None, None],
            })
            .flatten()
            .collect();
        let levels = metrics
            .iter()
            .filter_map(|m| match m.measure {
                Measure::Level { field, .. } => Some(field),
                _ => None,
            })
            .collect();
        Moments {
            fields,
            all_column,
            levels,
            maxima,
            rows: intervals + 1,
            cols: items + 1,
            sums: vec![0; fields * (intervals + 1) * (items + 1)],
            high: Vec::new(),
            ratios,
            implied: true,
            held: 0,
        }
    }

    /// These moments with every second moment stored (borrowed if they are).
    fn full(&self) -> std::borrow::Cow<'_, Moments> {
        if self.implied {
            let mut full = self.clone();
            full.store_second_moments();
            std::borrow::Cow::Owned(full)
        } else {
            std::borrow::Cow::Borrowed(self)
        }
    }

    /// Stores the second moments the sums imply (see [`Moments`]), before a second
    /// replication is added.
    fn store_second_moments(&mut self) {
        if !self.implied {
            return;
        }
        debug_assert!(self.high.is_empty(), "one replication's sums stay below 2^128");
        let (f, stride) = (self.fields, self.stride());
        let cells = self.rows * self.cols;
        let mut sums = vec![0u128; stride * cells];
        let mut carries: Vec<(usize, u128)> = Vec::new();
        for c in 0..cells {
            let first = &self.sums[c * f..(c + 1) * f];
            let full = &mut sums[c * stride..(c + 1) * stride];
            let mut store = |k: usize, value: Wide| {
                full[k] = value.low;
                if value.high != 0 {
                    carries.push((c * stride + k, value.high));
                }
            };
            for (k, &x) in first.iter().enumerate() {
                store(k, Wide::new(x));
                store(f + k, Wide::product(x, x));
            }
            for (k, &(num, den)) in self.ratios.iter().enumerate() {
                store(2 * f + k, Wide::product(first[num], first[den]));
            }
        }
        self.sums = sums;
        self.implied = false;
        if !carries.is_empty() {
            self.carry(carries);
        }
    }

    /// Bytes the moments of a table of this size take (see [`Moments::new`]).
    fn bytes(fields: usize, metrics: &[MetricDef], intervals: usize, items: usize) -> u128 {
        let ratios = metrics
            .iter()
            .filter(|m| matches!(m.measure, Measure::Ratio { .. }))
            .count();
        let stride = (2 * fields + ratios) as u128;
        stride * (intervals as u128 + 1) * (items as u128 + 1) * 16
    }

    /// Adds the multiples of 2^128 in `carries` ((index, amount), any order) to `high`.
    fn carry(&mut self, mut carries: Vec<(usize, u128)>) {
        carries.sort_unstable_by_key(|c| c.0);
        for (index, amount) in carries {
            let index = index as u64;
            match self.high.binary_search_by_key(&index, |h| h.0) {
                Ok(at) => self.high[at].1 += amount,
                Err(at) => self.high.insert(at, (index, amount)),
            }
        }
    }

    fn stride(&self) -> usize {
        2 * self.fields + self.ratios.len()
    }

    /// Adds one replication whose cells are `cells[interval * items + item]` (with
    /// [`AllColumn::Provided`], `cells[interval * (items + 1) + item]`, the last column
    /// being "all"). Row by row: each interval's cells and its "all" column are added
    /// as they are read, and only the "all intervals" row is summed aside, so the
    /// scratch is one row, not a copy of the grid.
    fn add<const F: usize, C: std::borrow::Borrow<[u64; F]>>(&mut self, cells: &[C]) {
        if self.implied && self.held > 0 {
            self.store_second_moments();
        }
        self.held += 1;
        let (items, intervals, cols) = (self.cols - 1, self.rows - 1, self.cols);
        let width = match self.all_column {
            AllColumn::Summed => items,
            AllColumn::Provided => cols,
        };
        // Totals over intervals and items can pass 2^64: summed in u128.
        let widen = |cell: &[u64; F]| cell.map(u128::from);
        let mut carries: Vec<(usize, u128)> = Vec::new();
        let mut all_intervals = vec![[0u128; F]; cols];
        for i in 0..intervals {
            let row = &cells[i * width..(i + 1) * width];
            let mut all_items = [0u128; F];
            for (j, cell) in row.iter().enumerate() {
                let cell = widen(cell.borrow());
                self.add_cell(i * cols + j, &cell, &mut carries);
                combine_into(&mut all_intervals[j], &cell, &self.maxima);
                if self.all_column == AllColumn::Summed {
                    combine_into(&mut all_items, &cell, &self.maxima);
                }
            }
            if self.all_column == AllColumn::Summed {
                self.add_cell(i * cols + items, &all_items, &mut carries);
                combine_into(&mut all_intervals[items], &all_items, &self.maxima);
            }
        }
        if intervals > 0 {
            let last = &cells[(intervals - 1) * width..intervals * width];
            for (j, total) in all_intervals.iter_mut().enumerate() {
                for &f in &self.levels {
                    total[f] = match (self.all_column, last.get(j)) {
                        (_, Some(cell)) => u128::from(cell.borrow()[f]),
                        // The summed "all" column of the last interval.
                        (AllColumn::Summed, None) => last.iter().map(|c| u128::from(c.borrow()[f])).sum(),
                        (AllColumn::Provided, None) => unreachable!("every column is provided"),
                    };
                }
            }
        }
        for (j, total) in all_intervals.iter().enumerate() {
            self.add_cell(intervals * cols + j, total, &mut carries);
        }
        if !carries.is_empty() {
            self.carry(carries);
        }
    }

    /// Adds one aggregate cell's values to the moments of cell `index` of the grid,
    /// noting in `carries` what passes 2^128.
    #[inline]
    fn add_cell<const F: usize>(&mut self, index: usize, cell: &[u128; F], carries: &mut Vec<(usize, u128)>) {
        let stride = self.stride();
        let start = index * stride;
        if self.implied {
            // Only the sums: Σx of the one replication (below 2^128).
            let sums = &mut self.sums[index * F..(index + 1) * F];
            for (k, &x) in cell.iter().enumerate() {
                let (low, carried) = sums[k].overflowing_add(x);
                sums[k] = low;
                if carried {
                    carries.push((start + k, 1));
                }
            }
            return;
        }
        let ratios = &self.ratios;
        let sums = &mut self.sums[start..start + stride];
        let mut add_moment = |k: usize, value: Wide| {
            let (low, carried) = sums[k].overflowing_add(value.low);
            sums[k] = low;
            let high = value.high + u128::from(carried);
            if high != 0 {
                carries.push((start + k, high));
            }
        };
        for (f, &x) in cell.iter().enumerate() {
            add_moment(f, Wide::new(x));
            add_moment(F + f, Wide::product(x, x));
        }
        for (k, &(num, den)) in ratios.iter().enumerate() {
            add_moment(2 * F + k, Wide::product(cell[num], cell[den]));
        }
    }

    /// The moments of one cell; `None` for row or column means "all".
    pub fn cell(&self, interval: Option<usize>, item: Option<usize>) -> CellMoments<'_> {
        let row = interval.unwrap_or(self.rows - 1);
        let col = item.unwrap_or(self.cols - 1);
        let stride = self.stride();
        let index = row * self.cols + col;
        let start = index * stride;
        let held = if self.implied { self.fields } else { stride };
        CellMoments {
            moments: self,
            start,
            sums: &self.sums[index * held..(index + 1) * held],
        }
    }

    /// The multiples of 2^128 of `sums[index]`.
    #[inline]
    fn high(&self, index: usize) -> u128 {
        if self.high.is_empty() {
            return 0;
        }
        self.high
            .binary_search_by_key(&(index as u64), |h| h.0)
            .map_or(0, |at| self.high[at].1)
    }
}

impl Moments {
    /// Same fields, metrics and grid as `other`, and sums of the length they need.
    pub fn same_shape(&self, other: &Moments) -> bool {
        let consistent = |m: &Moments| {
            let full = m.stride() * m.rows * m.cols;
            let held = if m.implied { m.fields * m.rows * m.cols } else { full };
            m.sums.len() == held
                && m.high.windows(2).all(|w| w[0].0 < w[1].0)
                && m.high.iter().all(|&(i, h)| h > 0 && (i as usize) < full)
        };
        self.fields == other.fields
            && self.all_column == other.all_column
            && self.levels == other.levels
            && self.maxima == other.maxima
            && self.ratios == other.ratios
            && self.rows == other.rows
            && self.cols == other.cols
            && consistent(self)
            && consistent(other)
    }
}

impl AddAssign<&Moments> for Moments {
    fn add_assign(&mut self, other: &Moments) {
        self.store_second_moments();
        let other = other.full();
        assert_eq!(self.sums.len(), other.sums.len(), "moments of different shapes");
        let mut carries: Vec<(usize, u128)> = other.high.iter().map(|&(i, h)| (i as usize, h)).collect();
        for (k, (a, b)) in self.sums.iter_mut().zip(&other.sums).enumerate() {
            let (sum, carried) = a.overflowing_add(*b);
            *a = sum;
            if carried {
                carries.push((k, 1));
            }
        }
        if !carries.is_empty() {
            self.carry(carries);
        }
    }
}

/// The sums of one aggregate cell.
pub struct CellMoments<'a> {
    moments: &'a Moments,
    /// Index of the cell's first sum in the moments' `sums`.
    start: usize,
    sums: &'a [u128],
}

impl CellMoments<'_> {
    #[inline(always)]
    fn wide(&self, k: usize) -> Wide {
        let m = self.moments;
        if m.implied && k >= m.fields {
            // One replication's second moments: its sums' squares and products.
            let x = |f: usize| self.sums[f];
            return match k - m.fields {
                f if f < m.fields => Wide::product(x(f), x(f)),
                r => {
                    let (num, den) = m.ratios[r - m.fields];
                    Wide::product(x(num), x(den))
                }
            };
        }
        Wide {
            high: m.high(self.start + k),
            low: self.sums[k],
        }
    }

    /// Σx over replications.
    #[inline]
    pub fn sum(&self, field: usize) -> Wide {
        self.wide(field)
    }

    /// Σx² over replications.
    #[inline]
    pub fn sum_sq(&self, field: usize) -> Wide {
        self.wide(self.moments.fields + field)
    }

    /// Σ num·den for a ratio metric's pair.
    pub fn sum_cross(&self, num: usize, den: usize) -> Wide {
        let k = self
            .moments
            .ratios
            .iter()
            .position(|&p| p == (num, den))
            .expect("ratio pairs come from the metric table");
        self.wide(2 * self.moments.fields + k)
    }
}

/// Everything known across replications: mergeable with `+=`, and stored (as integers)
/// in shard files so that parts merge exactly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Accumulator {
    pub replications: u64,
    pub calls: Moments,
    pub groups: Moments,
    /// Moments of the wait histograms (see [`crate::histogram`]).
    pub waits: WaitMoments,
}

impl Accumulator {
    pub fn new(intervals: usize, call_types: usize, groups: usize) -> Self {
        Accumulator {
            replications: 0,
            calls: Moments::new(
                call::FIELDS,
                CALL_METRICS,
                intervals,
                call_types + CHANNELS,
                AllColumn::Provided,
            ),
            groups: Moments::new(group::FIELDS, GROUP_METRICS, intervals, groups, AllColumn::Summed),
            waits: WaitMoments::new(intervals, call_types + CHANNELS + 1),
        }
    }

    /// Bytes of its sums: per cell of each table ((intervals + 1) × (items + 1) cells),
    /// 16 × (2 × fields + ratio metrics): 1,856 per interval × call column (and 912 of
    /// wait buckets), 288 per interval × group.
    pub fn bytes(&self) -> usize {
        std::mem::size_of_val(self.calls.sums.as_slice())
            + std::mem::size_of_val(self.groups.sums.as_slice())
            + self.waits.bytes()
    }

    /// Adds one replication.
    pub fn add(&mut self, rep: &RepStats) {
        self.replications += 1;
        self.calls.add(&rep.calls);
        self.groups.add(&rep.group_cells);
        self.waits.add(&rep.waits);
    }
}

impl Accumulator {
    /// Whether `other` can be added to this one (parts of the same run).
    pub fn same_shape(&self, other: &Accumulator) -> bool {
        self.calls.same_shape(&other.calls)
            && self.groups.same_shape(&other.groups)
            && self.waits.same_shape(&other.waits)
    }

    /// Whether this accumulator has the shape [`Accumulator::new`] gives a centre of this
    /// size, checked without allocating one.
    pub fn has_shape(&self, intervals: usize, call_types: usize, groups: usize) -> bool {
        let fits = |m: &Moments, fields: usize, metrics: &[MetricDef], items: usize, all_column| {
            let like = Moments {
                sums: Vec::new(),
                high: Vec::new(),
                ..Moments::new(fields, metrics, 0, 0, all_column)
            };
            m.fields == like.fields
                && m.all_column == like.all_column
                && m.levels == like.levels
                && m.maxima == like.maxima
                && m.ratios == like.ratios
                && m.rows == intervals + 1
                && m.cols == items + 1
                && m.same_shape(m)
        };
        fits(
            &self.calls,
            call::FIELDS,
            CALL_METRICS,
            call_types + CHANNELS,
            AllColumn::Provided,
        ) && fits(&self.groups, group::FIELDS, GROUP_METRICS, groups, AllColumn::Summed)
            && self.waits.has_shape(intervals, call_types + CHANNELS + 1)
    }

    /// Bytes an accumulator for a centre of this size takes.
    pub fn bytes_for(intervals: usize, call_types: usize, groups: usize) -> u128 {
        Moments::bytes(call::FIELDS, CALL_METRICS, intervals, call_types + CHANNELS)
            + Moments::bytes(group::FIELDS, GROUP_METRICS, intervals, groups)
            + 16 * WaitMoments::sums_for(intervals, call_types + CHANNELS + 1)
    }
}

impl AddAssign<&Accumulator> for Accumulator {
    fn add_assign(&mut self, other: &Accumulator) {
        self.replications += other.replications;
        self.calls += &other.calls;
        self.groups += &other.groups;
        self.waits += &other.waits;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rep(values: &[(usize, usize, usize, u64)]) -> RepStats {
        let mut r = RepStats::new(2, 2, 1);
        for &(i, t, f, v) in values {
            let columns = r.columns();
            r.calls[i * columns + t][f] = v;
        }
        r
    }

    #[test]
    fn aggregates_sum_rows_and_columns() {
        let mut acc = Accumulator::new(2, 2, 1);
        // Columns 2 to 4 are the channels; column 5 is the customer-contacts column: it,
        // not the sum of the call types, is the "all" column (a transfer counted in call
        // type 1 is not a new contact).
        acc.add(&rep(&[
            (0, 0, call::OFFERED, 3),
            (1, 0, call::OFFERED, 4),
            (1, 1, call::OFFERED, 5),
            (0, 5, call::OFFERED, 3),
            (1, 5, call::OFFERED, 6),
        ]));
        assert_eq!(acc.calls.cell(None, None).sum(call::OFFERED), Wide::new(9));
        assert_eq!(acc.calls.cell(Some(1), None).sum(call::OFFERED), Wide::new(6));
        assert_eq!(acc.calls.cell(None, Some(0)).sum(call::OFFERED), Wide::new(7));
        assert_eq!(acc.calls.cell(None, Some(1)).sum(call::OFFERED), Wide::new(5));
        assert_eq!(acc.calls.cell(None, None).sum_sq(call::OFFERED), Wide::new(81));
        let mut groups = RepStats::new(2, 2, 2);
        groups.group_cell(0, 0)[group::HANDLED] = 2;
        groups.group_cell(1, 1)[group::HANDLED] = 5;
        let mut acc = Accumulator::new(2, 2, 2);
        acc.add(&groups);
        assert_eq!(acc.groups.cell(None, None).sum(group::HANDLED), Wide::new(7));
    }

    #[test]
    fn cells_take_the_bytes_the_docs_state() {
        // docs/scenarios.md (Memory) states these per interval × call type and group.
        let (intervals, types, groups) = (10, 7, 3);
        let rep = RepStats::new(intervals, types, groups);
        // Per interval × call column: 48 fields of 8 bytes and 19 coarse wait buckets of
        // 4; per call column, 1,921 fine wait buckets of 4.
        let columns = types + CHANNELS + 1;
        assert_eq!(
            rep.bytes(),
            intervals * columns * (384 + 76) + columns * 7684 + intervals * groups * 64
        );
        assert_eq!(RepStats::bytes_for(intervals, types, groups), rep.bytes() as u128);
        // Over replications: Σx, Σx² of 48 fields and Σxy of 22 ratio metrics, and ΣC, ΣC²,
        // ΣCA of every wait bucket, 16 bytes each; with one replication, only the Σx of 48
        // fields and the ΣC of every wait bucket (the rest is implied).
        let mut acc = Accumulator::new(intervals, types, groups);
        let one = (intervals + 1) * columns * 768
            + intervals * columns * 304
            + columns * 30_736
            + (intervals + 1) * (groups + 1) * 128;
        assert_eq!(acc.bytes(), one);
        acc.add(&rep);
        assert_eq!(acc.bytes(), one);
        acc.add(&rep);
        assert_eq!(
            acc.bytes(),
            (intervals + 1) * columns * 1888
                + intervals * columns * 912
                + columns * 92_208
                + (intervals + 1) * (groups + 1) * 288
        );
        assert_eq!(Accumulator::bytes_for(intervals, types, groups), acc.bytes() as u128);
    }

    /// One replication's moments are implied by its sums until a second comes: they read,
    /// merge and are written as if stored.
    #[test]
    fn implied_second_moments_read_merge_and_store_as_stored() {
        let reps = [
            rep(&[(0, 0, call::OFFERED, 3), (1, 1, call::ANSWERED, u64::MAX)]),
            rep(&[(0, 0, call::OFFERED, 5), (1, 5, call::WAIT_ANSWERED_US, 7)]),
        ];
        let mut one = Accumulator::new(2, 2, 1);
        one.add(&reps[0]);
        assert!(one.calls.implied && one.waits.implied);
        let day = one.calls.cell(None, Some(1));
        // (2^64 − 1)² passes 2^128? No: it is below, and exact.
        assert_eq!(
            day.sum_sq(call::ANSWERED),
            Wide::product(u128::from(u64::MAX), u128::from(u64::MAX))
        );
        assert_eq!(one.calls.cell(Some(0), Some(0)).sum_sq(call::OFFERED), Wide::new(9));
        // Stored by a write, the same bytes as moments stored from the start.
        let mut stored = one.clone();
        stored.calls.store_second_moments();
        stored.groups.store_second_moments();
        stored.waits.store_second_moments();
        assert!(!stored.calls.implied);
        assert_eq!(
            serde_json::to_string(&one).unwrap(),
            serde_json::to_string(&stored).unwrap()
        );
        assert_eq!(one, stored);
        let back: Accumulator = serde_json::from_str(&serde_json::to_string(&one).unwrap()).unwrap();
        assert_eq!(back, one);
        // A second replication, added or merged in either order, gives the same moments.
        let mut added = one.clone();
        added.add(&reps[1]);
        let mut other = Accumulator::new(2, 2, 1);
        other.add(&reps[1]);
        let mut merged = other.clone();
        merged += &one;
        let mut merged_stored = stored.clone();
        merged_stored += &other;
        assert_eq!(added, merged);
        assert_eq!(added, merged_stored);
        assert_eq!(added.calls.cell(Some(0), Some(0)).sum_sq(call::OFFERED), Wide::new(34));
    }

    #[test]
    fn merging_is_order_free() {
        let reps = [
            rep(&[(0, 0, call::OFFERED, 3)]),
            rep(&[(1, 1, call::ANSWERED, 2)]),
            rep(&[(0, 1, call::OFFERED, 9)]),
        ];
        let mut forward = Accumulator::new(2, 2, 1);
        reps.iter().for_each(|r| forward.add(r));
        let (mut a, mut b) = (Accumulator::new(2, 2, 1), Accumulator::new(2, 2, 1));
        b.add(&reps[2]);
        b.add(&reps[0]);
        a.add(&reps[1]);
        a += &b;
        assert_eq!(a, forward);
    }

    #[test]
    fn wide_products_and_sums_are_exact() {
        let max = u128::MAX;
        // (2^128 − 1)² = 2^256 − 2^129 + 1.
        let square = Wide::product(max, max);
        assert_eq!(square, Wide { high: max - 1, low: 1 });
        assert_eq!(Wide::product(1 << 64, 1 << 64), Wide { high: 1, low: 0 });
        assert_eq!(Wide::product(3, 5), Wide::new(15));
        let a = Wide { high: 2, low: max };
        assert_eq!(a.checked_add(Wide::new(1)), Some(Wide { high: 3, low: 0 }));
        assert_eq!(Wide { high: 3, low: 0 }.checked_sub(Wide::new(1)), Some(a));
        assert_eq!(Wide::new(1).checked_sub(Wide::new(2)), None);
        assert_eq!(Wide::new(1 << 127).checked_mul(4), Some(Wide { high: 2, low: 0 }));
        assert_eq!(Wide { high: 1, low: 0 }.to_f64(), 2f64.powi(128));
    }

    /// A day's agent time of a million agents over a year is 3.16e19 µs: past 2^64 in the
    /// day's total, past 2^128 in its square. Both stay exact, in any merge order.
    #[test]
    fn totals_past_two_to_the_64_and_squares_past_two_to_the_128_stay_exact() {
        let per_day = 1_000_000u64 * 86_400_000_000; // one day of a million agents, µs
        let rep = || {
            let mut r = RepStats::new(366, 1, 1);
            for i in 0..366 {
                r.group_cell(i, 0)[group::STAFFED_US] = per_day;
            }
            r
        };
        let total = u128::from(per_day) * 366;
        let mut one = Accumulator::new(366, 1, 1);
        let mut two = Accumulator::new(366, 1, 1);
        for _ in 0..3 {
            one.add(&rep());
        }
        two.add(&rep());
        let mut merged = Accumulator::new(366, 1, 1);
        merged.add(&rep());
        merged.add(&rep());
        two += &merged;
        assert_eq!(one, two, "the same bytes whatever the order");
        let day = one.groups.cell(None, None);
        assert_eq!(day.sum(group::STAFFED_US), Wide::new(3 * total));
        assert_eq!(
            day.sum_sq(group::STAFFED_US),
            Wide::product(total, total).checked_mul(3).unwrap()
        );
        assert!(day.sum_sq(group::STAFFED_US).high > 0);
        // A part file keeps the multiples of 2^128 and reads back to the same sums.
        let json = serde_json::to_string(&one).unwrap();
        let back: Accumulator = serde_json::from_str(&json).unwrap();
        assert_eq!(back, one);
        assert!(back.has_shape(366, 1, 1) && !back.has_shape(365, 1, 1));
    }
}
