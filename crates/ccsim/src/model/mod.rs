//! The validated, immutable model of a centre that the engine simulates.
//!
//! [`Model::build`] turns a [`Scenario`] (the file as written) into typed ids, samplers
//! and per-interval tables, checking everything that crosses fields: names that must
//! exist, lengths that must match the horizon, sizes that must be sane. Every problem is
//! collected and reported with its file position. After this point nothing can be
//! invalid, so the engine never checks input.

pub mod dist;

use std::collections::HashMap;

use crate::error::{Diagnostic, Error, did_you_mean};
use crate::rng::fnv1a;
pub use crate::scenario::{AgentSelection, AtClose, CallbackMode, Channel, ServeOrder};
use crate::scenario::{AgentsSpec, ArrivalSpec, CostSpec, Loc, Scenario, UnresolvedSpec, duration_text};
pub use crate::scenario::{RosterSpec, ShiftSpec, StaffingSpec};
use crate::stats::{CALL_METRICS, GROUP_METRICS};
pub use dist::Sampler;

/// Microseconds: the engine's clock and every accumulated time.
pub type Micros = u64;
pub const MICROS_PER_SECOND: f64 = 1e6;

/// Seconds (as written in a scenario) to the engine's integer microseconds.
pub fn micros(seconds: f64) -> Micros {
    (seconds * MICROS_PER_SECOND + 0.5) as Micros
}

/// Index of a call type in [`Model::call_types`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CallTypeId(pub u32);

/// Which calls of a log a fitted call type stands for: those of the log `types`, of one
/// priority class or both (`from_log` in a scenario).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FromLog {
    pub types: Vec<String>,
    pub calls: LogClass,
}

/// A priority class of a log's calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogClass {
    Regular,
    Priority,
    All,
}

impl LogClass {
    pub fn name(self) -> &'static str {
        match self {
            LogClass::Regular => "regular",
            LogClass::Priority => "priority",
            LogClass::All => "all",
        }
    }

    /// Whether a call of this priority belongs to the class.
    pub fn holds(self, priority: bool) -> bool {
        match self {
            LogClass::Regular => !priority,
            LogClass::Priority => priority,
            LogClass::All => true,
        }
    }
}

/// Index of an agent group in [`Model::groups`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GroupId(pub u32);

/// Limits that turn absurd input into a clear error instead of exhausted memory, a run
/// that never ends or a sum that wraps. Each is documented in docs/scenarios.md
/// ("Limits"); what the model alone decides is checked by [`Model::build`], what depends
/// on chance by the engine as it runs, and memory by [`crate::budget`].
pub mod limits {
    pub const MAX_INTERVALS: usize = 100_000;
    pub const MAX_HORIZON_DAYS: f64 = 366.0;
    pub const MAX_AGENTS_PER_GROUP: u64 = 1_000_000;
    /// Agents of all groups together (each group counted at its most on duty at once).
    pub const MAX_AGENTS_TOTAL: u64 = 10_000_000;
    pub const MAX_REPLICATIONS: u64 = 1_000_000;
    /// The most replications per candidate a staffing search may start with
    /// (`staff --replications`); at least 2.
    pub const MAX_STAFF_REPLICATIONS: u64 = 100_000;
    /// Expected legs per replication, all call types together: arrivals over the
    /// warm-up and the window, times the legs (redials, transfers, repeats) each may
    /// make. Checked from the model.
    pub const MAX_CALLS_PER_REPLICATION: f64 = 1e9;
    /// Legs a replication may actually offer (chance may exceed the expectation): the
    /// engine's hard cap.
    pub const MAX_LEGS_PER_REPLICATION: u64 = 2_000_000_000;
    /// Contacts a replication holds at once: waiting in queues, or about to call again.
    pub const MAX_WAITING: usize = 1_000_000;
    /// Events a replication holds at once (timers of waiting contacts, services).
    pub const MAX_PENDING_EVENTS: usize = 4_000_000;
    /// The longest queue head start of a call type: a day, in microseconds.
    pub const MAX_HEAD_START: super::Micros = 86_400_000_000;
    /// The longest drawn duration (talk, after-call work, patience, delays): ten years,
    /// longer than any run lasts (366 days + 30 days of warm-up + 30 days of drain). A
    /// longer draw of a heavy tail is cut to it; so no sum of times can wrap the clock.
    pub const MAX_DRAWN: super::Micros = 10 * 365 * 86_400_000_000;
    /// Agent time (agents × chat slots × (interval + drain limit)) one interval's sums may
    /// hold, µs: 2^62, about 146,000 agent-years, so that no sum of a cell passes 2^64.
    pub const MAX_AGENT_TIME_PER_INTERVAL: f64 = 4_611_686_018_427_387_904.0;
    /// Cells of the per-interval tables a model holds: call types × intervals, and
    /// groups × intervals (memory is further bounded by [`crate::budget`]).
    pub const MAX_CELLS: u64 = 10_000_000;
    /// Agent groups × call types (per-replication tables of every pair).
    pub const MAX_PAIRS: u64 = 10_000_000;
    /// Figures the `[[expect]]` tables judge together: one each, or one per measured
    /// interval for `interval = "*"`.
    pub const MAX_JUDGED_FIGURES: u64 = 2_000_000;
}

/// The time grid of one replication: warm-up, measured intervals, drain.
#[derive(Debug, Clone, PartialEq)]
pub struct Clock {
    /// Clock time of the start of the measured window, seconds after midnight.
    pub start_of_day: f64,
    pub warmup: Micros,
    pub interval: Micros,
    pub intervals: usize,
    pub drain_limit: Micros,
}

impl Clock {
    /// Engine time where measuring starts.
    pub fn window_start(&self) -> Micros {
        self.warmup
    }

    /// Engine time where the measured window ends (no arrivals after it).
    pub fn window_end(&self) -> Micros {
        self.warmup + self.interval * self.intervals as Micros
    }

    /// The measured interval holding engine time `t`, if any.
    #[inline]
    pub fn interval_of(&self, t: Micros) -> Option<usize> {
        if t < self.warmup {
            return None;
        }
        let i = ((t - self.warmup) / self.interval) as usize;
        (i < self.intervals).then_some(i)
    }

    /// Whether labels need a day prefix (the window reaches past the first midnight).
    fn multi_day(&self) -> bool {
        self.start_of_day + (self.interval * self.intervals as Micros) as f64 / MICROS_PER_SECOND > 86400.0
    }

    /// Label of interval `i`: "HH:MM", or "dN HH:MM" (N from 1) when the window spans
    /// more than one day.
    pub fn label(&self, i: usize) -> String {
        let seconds = self.start_of_day.round() as u64 + (self.interval * i as Micros) / 1_000_000;
        let day = seconds / 86400;
        let time = clock_text(seconds as f64);
        if self.multi_day() {
            format!("d{} {time}", day + 1)
        } else {
            time
        }
    }
}

/// A call type (queue) as the engine sees it.
///
/// Laid out for the engine's cache: the fields every offered and answered contact reads
/// come first, in declaration order (`repr(C)`), on four cache lines (the talk time and
/// the patience, whose parameters sit at the start of their samplers, then the rarer
/// draws behind a pointer that is null where the call type has none, the service-level
/// threshold, the forecast's handle-time factors, the share routes, the queue order and
/// the flags); the rest follows. A centre with hundreds of call types then misses four
/// lines of a call type per call, not seven.
#[derive(Debug, Clone)]
#[repr(C, align(64))]
pub struct CallType {
    pub handle_time: Sampler,
    pub patience: Option<Sampler>,
    /// After-call work: the agent stays busy after the call.
    pub wrap_up: Option<Box<Sampler>>,
    pub redial: Option<Box<Redial>>,
    pub service_level_threshold: Micros,
    /// Per measured interval, a factor on the drawn talk time (the forecast's average
    /// handle time ÷ the distribution's mean; 1 where the forecast gives none).
    pub handle_scale: Vec<f64>,
    /// Lanes of the routes that take a fixed share of arrivals (see [`Lane`]); the rest
    /// wait in lane `call type index`.
    pub share_lanes: Vec<u32>,
    /// Larger is answered first.
    pub priority: i64,
    /// When an agent picks the longest-waiting contact among equal priorities, this call
    /// type's contacts count as having waited this much longer (at most
    /// [`limits::MAX_HEAD_START`]).
    pub head_start: Micros,
    /// Abandons after a wait of at most this are short (`short_abandoned`) and left out
    /// of the service level's denominator; `None`: no abandon is short.
    pub short_abandon: Option<Micros>,
    pub channel: Channel,
    /// `gated`, with `max_wait` or with `callback`: the engine offers its legs on a path
    /// of their own.
    pub limited: bool,
    /// A voice call type of a centre with lines: its legs hold a line from arrival to
    /// the end of the talk (or to the answer by a vendor).
    pub holds_line: bool,
    /// A voice call type of a centre with lines or a queue capacity: an arriving customer
    /// contact (not a transfer) may be blocked.
    pub gated: bool,
    /// Which idle agent answers a contact when several eligible groups have idle agents.
    pub agent_selection: AgentSelection,
    pub name: String,
    /// FNV-1a of the name: keys this call type's random streams.
    pub stream_name: u64,
    /// Arrival rate (calls per second) in each measured interval; the warm-up uses the
    /// first interval's rate.
    pub rate_per_second: Vec<f64>,
    /// Means of the talk time, after-call work and patience distributions, seconds (for
    /// Erlang estimates).
    pub mean_talk: f64,
    pub mean_wrap_up: f64,
    pub mean_patience: Option<f64>,
    /// The planner's target for the share answered within the threshold.
    pub service_level_target: f64,
    /// The planner's answer-rate target.
    pub answer_rate_target: f64,
    /// The largest mean wait of answered contacts `ccsim staff` allows, seconds.
    pub max_asa: Option<f64>,
    /// CV of this call type's own day-level volume multiplier (mean 1), on top of the
    /// scenario's; `None`: none.
    pub forecast_error_cv: Option<f64>,
    /// Where a fitted call type's calls come from in a call log, so that `backtest` can
    /// replay the log's load; `None` for a call type not fitted from a log.
    pub from_log: Option<FromLog>,
    /// What a blocked caller does: tries again with `probability` after `delay`.
    pub retry: Option<Redial>,
    /// The most contacts of this call type that may wait at once (voice only).
    pub queue_capacity: Option<u32>,
    /// A caller still waiting after this long leaves a message (`messages`).
    pub max_wait: Option<Micros>,
    /// The email call type a message becomes work of (`max_wait.to`).
    pub message_to: Option<CallTypeId>,
    /// A virtual-hold offer: a caller who would wait may be called back instead.
    pub callback: Option<Callback>,
    /// Probability that an answered contact is resolved, where the serving skill sets
    /// none of its own.
    pub resolution: f64,
    pub unresolved: Unresolved,
}

/// What becomes of a contact its agent did not resolve.
#[derive(Debug, Clone)]
pub enum Unresolved {
    /// Closed unresolved: the customer gives up.
    Close,
    /// Transferred at once (when the talk ends) into this call type's queue.
    Escalate(CallTypeId),
    /// With `probability`, the customer calls again after `after` (to the call type
    /// where the contact began); otherwise gives up.
    Repeat {
        after: Sampler,
        /// Mean of `after`, seconds.
        mean_after: f64,
        probability: f64,
    },
}

/// A call type's callback offer (see docs/scenarios.md, "Callbacks").
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Callback {
    /// Offered at arrival when the predicted wait exceeds this (`None`: not at arrival).
    pub predicted_wait_over: Option<Micros>,
    /// Offered to a caller still waiting after this long (`None`: not while waiting).
    pub after: Option<Micros>,
    /// Probability that the caller accepts the offer.
    pub accept: f64,
    /// Probability that the customer answers when an agent calls back.
    pub answer: f64,
    pub mode: CallbackMode,
    /// With `CallbackMode::Scheduled`: from acceptance to joining the queue.
    pub delay: Micros,
    /// The agent's time on a callback nobody answers.
    pub no_answer_time: Micros,
}

/// A caller who abandons calls again with `probability`, after `delay`.
#[derive(Debug, Clone)]
pub struct Redial {
    pub probability: f64,
    pub delay: Sampler,
    /// Mean of `delay`, seconds.
    pub mean_delay: f64,
}

/// One step of a lane's routing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Route {
    pub group: GroupId,
    /// The contact must have waited this long before this group may answer it.
    pub after: Micros,
    /// The group answers only while at least this many contacts wait in the lane (the
    /// one being routed included); 0 or 1: always.
    pub queue_length: u32,
}

/// A queue of one call type with the groups that serve it. Lane `c` (for call type
/// index `c`) is the call type's main queue; a route that takes a fixed share of the
/// arrivals has a lane of its own after them, which only its group serves.
#[derive(Debug, Clone, PartialEq)]
pub struct Lane {
    pub call_type: CallTypeId,
    /// Share of the call type's arrivals sent to this lane (main lanes: what is left).
    pub share: f64,
    pub routes: Vec<Route>,
    /// Some route looks at the queue's length, which must then be exact: every waiting
    /// contact with patience gets an abandonment event.
    pub counts_queue: bool,
    /// Its call type's: which idle agent answers when several eligible groups have one.
    pub agent_selection: AgentSelection,
    /// The lane's length must be exact: a route looks at it (`counts_queue`), or lines
    /// or a queue capacity count its waiting contacts. Every waiting contact with
    /// patience then gets an abandonment event.
    pub exact: bool,
    /// Its call type is a chat (which a chatting agent may take).
    pub chat: bool,
}

/// A skill of a group: which call type, and the group's proficiency at it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Skill {
    pub call_type: CallTypeId,
    /// Handle-time factor (proficiency): 1.2 takes 20 % longer.
    pub factor: f64,
    /// Probability that this group resolves an answered contact of the call type.
    pub resolution: f64,
}

/// A lane a group serves, with the conditions of its route (copied from the lane).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Serve {
    pub lane: u32,
    pub call_type: CallTypeId,
    pub after: Micros,
    pub queue_length: u32,
    /// The call type's channel's place in the group's `channel_order` (0 first).
    pub rank: u8,
    /// The skill's place in the group's `skills` when the group serves in skill order
    /// (0 first); 0 for every skill of a group that serves the longest wait.
    pub position: u32,
    pub chat: bool,
}

/// What a group costs, in millionths of the scenario's currency. A monthly minimum is
/// pro-rated to the measured horizon (a month is 365.25 / 12 days).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Cost {
    /// Per µs of an agent on duty, and per µs of overtime.
    pub per_paid_us: f64,
    pub per_overtime_us: f64,
    /// Per handled contact (charged when service begins).
    pub per_call: f64,
    /// Per µs of handle time (talk and after-call work).
    pub per_handled_us: f64,
    /// The least charged over one replication's horizon.
    pub minimum: f64,
}

/// An agent group as the engine sees it.
#[derive(Debug, Clone)]
pub struct Group {
    pub name: String,
    /// Agents on duty as a step function of engine time: (from, agents), the first
    /// from 0, strictly increasing times. The warm-up has the window start's staffing;
    /// after the window the last value holds.
    pub staffing: Vec<(Micros, u32)>,
    /// Call types this group serves.
    pub skills: Vec<Skill>,
    /// Lanes this group takes contacts from, in skill order.
    pub serves: Vec<Serve>,
    /// An outsourcing vendor's agents.
    pub outsourced: bool,
    pub cost: Cost,
    /// Chats an agent holds at once (1: one, like a call).
    pub chat_concurrency: u32,
    /// With k chats at once, each progresses at 1 / (1 + slowdown × (k − 1)).
    pub chat_slowdown: f64,
    /// Rank of each channel (indexed by [`Channel::index`]): lower is served first.
    pub channel_rank: [u8; 3],
    /// How a freed agent picks among the heads of the group's lanes (after channel rank
    /// and priority).
    pub serve: ServeOrder,
    /// A head that has waited at least this long is *overdue*: overdue heads go ahead of
    /// the others, then [`Serve::position`] decides, then the longest wait. 0 under
    /// longest-wait (every head is overdue, every position 0: the longest wait alone);
    /// under skill order, `skill_order_after`, or [`Micros::MAX`] without it (no head is
    /// overdue: skill order alone).
    pub overdue_after: Micros,
    /// Share of paid headcount not on duty.
    pub shrinkage: f64,
    /// Paid agent time in each measured interval, µs, where shifts fix it (their
    /// headcount, less unpaid breaks); `None`: agents on duty ÷ (1 − shrinkage).
    pub paid_agent_us: Option<Vec<u64>>,
    /// The shifts and contracts `ccsim staff` may roster the group with.
    pub roster: Option<crate::staff::roster::rules::RosterRules>,
}

impl Group {
    pub fn serves_chat(&self) -> bool {
        self.serves.iter().any(|s| s.chat)
    }
}

/// Where an expectation looks: totals, one call type, one group, or one interval of them.
#[derive(Debug, Clone, PartialEq)]
pub struct Expectation {
    pub metric: String,
    pub call_type: Option<CallTypeId>,
    pub group: Option<GroupId>,
    pub interval: Option<usize>,
    /// `interval = "*"`: the bound must hold in every interval (`interval` is then `None`).
    pub every_interval: bool,
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// How the expectation reads in messages, e.g. `answer_rate[call_type=sales]`.
    pub description: String,
    pub loc: Loc,
    /// Line of its `[[expect]]` table in the file (1-based; 0 if unknown).
    pub line: usize,
}

/// A validated centre.
#[derive(Debug, Clone)]
pub struct Model {
    pub name: String,
    pub file: String,
    pub seed: u64,
    pub replications: u64,
    pub clock: Clock,
    pub call_types: Vec<CallType>,
    /// Queues: first the main lane of each call type (same index), then share lanes.
    pub lanes: Vec<Lane>,
    pub groups: Vec<Group>,
    /// The currency costs are in (a label).
    pub currency: String,
    /// How `ccsim staff` searches, and its targets beyond service level and answer rate.
    pub staffing: StaffingSpec,
    pub service_level_target: f64,
    pub answer_rate_target: f64,
    /// CV of the gamma day-level volume multiplier (mean 1); `None`: no forecast error.
    pub forecast_error_cv: Option<f64>,
    /// Trunk lines: voice contacts in the centre at once (waiting or talking).
    pub lines: Option<u32>,
    /// The most voice contacts that may wait at once, all voice queues together.
    pub queue_capacity: Option<u32>,
    /// What becomes of calls and chats still waiting when the window ends.
    pub at_close: AtClose,
    pub expectations: Vec<Expectation>,
    /// Values that run but are most likely unit mistakes (a 6 s handle time), as
    /// diagnostics of [`crate::error::Severity::Warning`]: the caller shows them.
    pub warnings: Vec<Diagnostic>,
    /// [`crate::scenario::Scenario::inputs_digest`]: what the scenario read from its
    /// CSV files.
    pub inputs_digest: u64,
}

impl Model {
    /// Validates a scenario; all problems are returned together.
    pub fn build(s: &Scenario) -> Result<Model, Error> {
        let mut b = Builder {
            s,
            diagnostics: Vec::new(),
            warnings: Vec::new(),
        };
        let clock = b.clock();
        // Tables of one number per interval and call type (or group) are allocated next:
        // their size is checked first.
        if !b.table_sizes(&clock) {
            return Err(Error::Invalid(b.diagnostics));
        }
        let mut call_types = b.call_types(&clock);
        let mut groups = b.groups(&clock, &call_types);
        let mut lanes = b.routing(&mut call_types, &mut groups);
        b.gates(&mut call_types, &mut lanes);
        b.unresolved(&mut call_types);
        b.agents_in_all(&clock, &groups);
        b.calls_per_replication(&clock, &call_types, &groups);
        let expectations = b.expectations(&clock, &call_types, &groups);
        b.implausible_values(&call_types);
        let replications = s.settings.replications.value;
        if !(1..=limits::MAX_REPLICATIONS).contains(&replications) {
            b.error(
                &s.settings.replications.loc,
                format!("must be between 1 and {}, got {replications}", limits::MAX_REPLICATIONS),
            );
        }
        if !b.diagnostics.is_empty() {
            return Err(Error::Invalid(b.diagnostics));
        }
        Ok(Model {
            inputs_digest: s.inputs_digest,
            name: s.settings.name.clone(),
            file: s.source.file().to_owned(),
            seed: s.settings.seed,
            replications,
            clock,
            call_types,
            lanes,
            groups,
            currency: s.settings.currency.clone(),
            staffing: s.settings.staffing.clone(),
            service_level_target: s.settings.service_level_target.value,
            answer_rate_target: s.settings.answer_rate_target.value,
            forecast_error_cv: s
                .settings
                .forecast_error_cv
                .as_ref()
                .map(|c| c.value)
                .filter(|&c| c > 0.0),
            lines: s.settings.lines.as_ref().map(|l| l.value as u32),
            queue_capacity: s.settings.queue_capacity.as_ref().map(|c| c.value as u32),
            at_close: s.settings.at_close.value,
            expectations,
            warnings: b.warnings,
        })
    }

    pub fn call_type_id(&self, name: &str) -> Option<CallTypeId> {
        self.call_types
            .iter()
            .position(|c| c.name == name)
            .map(|i| CallTypeId(i as u32))
    }

    pub fn group_id(&self, name: &str) -> Option<GroupId> {
        self.groups
            .iter()
            .position(|g| g.name == name)
            .map(|i| GroupId(i as u32))
    }

    /// A copy with a different number of replications (from the command line).
    pub fn with_replications(mut self, replications: u64) -> Result<Model, Error> {
        if !(1..=limits::MAX_REPLICATIONS).contains(&replications) {
            return Err(Error::Other(format!(
                "--replications must be between 1 and {}, got {replications}",
                limits::MAX_REPLICATIONS
            )));
        }
        self.replications = replications;
        Ok(self)
    }

    /// The model with `replications` per candidate staffing at first (`staff
    /// --replications`), from 2 to 100,000; the search may grow to at least as many.
    pub fn with_staffing_replications(mut self, replications: u64) -> Result<Model, Error> {
        if !(2..=limits::MAX_STAFF_REPLICATIONS).contains(&replications) {
            return Err(Error::Other(format!(
                "--replications must be between 2 and {}, got {replications}",
                limits::MAX_STAFF_REPLICATIONS
            )));
        }
        self.staffing.replications = Some(replications);
        self.staffing.max_replications = self.staffing.max_replications.max(replications);
        Ok(self)
    }
}

struct Builder<'s> {
    s: &'s Scenario,
    diagnostics: Vec<Diagnostic>,
    warnings: Vec<Diagnostic>,
}

impl Builder<'_> {
    fn error(&mut self, loc: &Loc, message: impl Into<String>) -> &mut Diagnostic {
        let d = self.s.source.diagnostic(loc.span.clone(), loc.field.clone(), message);
        self.diagnostics.push(d);
        self.diagnostics.last_mut().expect("just pushed")
    }

    fn warn(&mut self, loc: &Loc, message: impl Into<String>, help: impl Into<String>) {
        let mut d = self
            .s
            .source
            .diagnostic(loc.span.clone(), loc.field.clone(), message)
            .warning();
        d.suggestion = Some(help.into());
        self.warnings.push(d);
    }

    /// Whether the value at `loc` was written as a plain number (`12`, `"12"`), without
    /// a unit: then it was read as seconds, which a planner may not have meant.
    fn without_unit(&self, loc: &Loc) -> bool {
        let Some(span) = &loc.span else { return false };
        let raw = self.s.source.text().get(span.clone()).unwrap_or("");
        crate::scenario::is_plain_number(raw.trim_matches(['"', '\'']).trim())
    }

    /// The help for a duration that is not a whole number of intervals. A plain number
    /// shorter than one interval was most likely meant in minutes or hours (`duration =
    /// 12` with 30-minute intervals: "12h"); otherwise the nearest whole numbers of
    /// intervals, in units a planner reads, and never an empty horizon.
    fn whole_intervals_help(&self, duration: f64, interval: f64) -> String {
        let intervals = |seconds: f64| -> Option<u64> {
            let (d, i) = (micros(seconds), micros(interval));
            (d > 0 && d % i == 0 && seconds <= limits::MAX_HORIZON_DAYS * 86400.0).then_some(d / i)
        };
        let shown = |seconds: f64, n: u64| format!("\"{}\" ({})", duration_text(seconds), plural(n, "interval"));
        if duration < interval && self.without_unit(&self.s.settings.duration.loc) {
            let meant: Vec<String> = [("m", 60.0), ("h", 3600.0)]
                .iter()
                .filter_map(|&(unit, scale)| {
                    intervals(duration * scale)
                        .map(|n| format!("\"{}{unit}\" ({})", round_text(duration), plural(n, "interval")))
                })
                .collect();
            if !meant.is_empty() {
                return format!(
                    "a number without a unit is seconds: did you mean {}?",
                    meant.join(" or ")
                );
            }
        }
        let below = (micros(duration) / micros(interval)) as f64 * interval;
        let options: Vec<String> = [below, below + interval]
            .into_iter()
            .filter_map(|s| intervals(s).map(|n| shown(s, n)))
            .collect();
        if options.is_empty() {
            // An interval longer than the horizon (or past it): no duration near this one
            // holds a whole number of them.
            return format!(
                "the interval ({}) is longer than the horizon; use an interval that divides {}, e.g. \"30m\"",
                duration_text(interval),
                duration_text(duration)
            );
        }
        format!("use a whole number of intervals: {}", options.join(" or "))
    }

    /// Whether the per-interval tables fit: call types × intervals and groups × intervals
    /// at most [`limits::MAX_CELLS`], groups × call types at most [`limits::MAX_PAIRS`].
    fn table_sizes(&mut self, clock: &Clock) -> bool {
        let s = self.s;
        let (types, groups, intervals) = (
            s.call_types.len() as u64,
            s.agent_groups.len() as u64,
            clock.intervals as u64,
        );
        let mut fits = true;
        for (n, what) in [(types, "call types"), (groups, "agent groups")] {
            if n.saturating_mul(intervals) > limits::MAX_CELLS {
                fits = false;
                self.error(
                    &s.settings.interval.loc,
                    format!(
                        "{n} {what} × {intervals} intervals = {} cells, more than ccsim holds ({}); use longer intervals or fewer {what}",
                        n * intervals,
                        limits::MAX_CELLS
                    ),
                );
            }
        }
        if types.saturating_mul(groups) > limits::MAX_PAIRS {
            fits = false;
            let loc = s.agent_groups.last().map_or(&s.settings.duration.loc, |g| &g.name.loc);
            self.error(
                loc,
                format!(
                    "{groups} agent groups × {types} call types = {} pairs, more than ccsim holds ({}); merge groups or call types",
                    groups * types,
                    limits::MAX_PAIRS
                ),
            );
        }
        fits
    }

    /// Refuses more agents in all groups together than [`limits::MAX_AGENTS_TOTAL`] (each
    /// group at its most on duty at once), and more agent time in one interval's sums than
    /// [`limits::MAX_AGENT_TIME_PER_INTERVAL`].
    fn agents_in_all(&mut self, clock: &Clock, groups: &[Group]) {
        let most = |g: &Group| g.staffing.iter().map(|&(_, n)| u64::from(n)).max().unwrap_or(0);
        let mut total = 0u64;
        let mut slots = 0u64;
        let mut reported = false;
        for (spec, g) in self.s.agent_groups.iter().zip(groups) {
            total += most(g);
            slots += most(g) * u64::from(g.chat_concurrency.max(1));
            if total > limits::MAX_AGENTS_TOTAL && !reported {
                reported = true;
                let loc = spec.agents.as_ref().map_or(&spec.name.loc, |a| &a.loc);
                let all: u64 = groups.iter().map(most).sum();
                self.error(
                    loc,
                    format!(
                        "the agents in all groups together, {all} at most at once, are more than ccsim simulates ({})",
                        limits::MAX_AGENTS_TOTAL
                    ),
                );
            }
        }
        let span = clock.interval.saturating_add(clock.drain_limit) as f64;
        let agent_time = slots as f64 * span;
        if !reported && agent_time > limits::MAX_AGENT_TIME_PER_INTERVAL {
            self.error(
                &self.s.settings.interval.loc,
                format!(
                    "{slots} agents (chat slots) × ({} interval + {} drain limit) is {:.3e} agent-hours in one interval's sums, more than ccsim sums exactly (2^62 µs, {:.3e} agent-hours); use shorter intervals",
                    duration_text(clock.interval as f64 / MICROS_PER_SECOND),
                    duration_text(clock.drain_limit as f64 / MICROS_PER_SECOND),
                    agent_time / 3.6e9,
                    limits::MAX_AGENT_TIME_PER_INTERVAL / 3.6e9
                ),
            );
        }
    }

    /// Refuses more expected legs per replication than
    /// [`limits::MAX_CALLS_PER_REPLICATION`]: the arrivals of the warm-up and the window,
    /// each times the legs its contact may make ([`legs_per_contact`]).
    fn calls_per_replication(&mut self, clock: &Clock, call_types: &[CallType], groups: &[Group]) {
        let (interval, warmup) = (
            clock.interval as f64 / MICROS_PER_SECOND,
            clock.warmup as f64 / MICROS_PER_SECOND,
        );
        let legs = legs_per_contact(call_types, groups);
        let (mut window, mut warm, mut total) = (0.0, 0.0, 0.0);
        for (c, l) in call_types.iter().zip(&legs) {
            let w = c.rate_per_second.iter().sum::<f64>() * interval;
            let u = c.rate_per_second.first().copied().unwrap_or(0.0) * warmup;
            window += w;
            warm += u;
            total += (w + u) * l;
        }
        if total.is_nan() || total > limits::MAX_CALLS_PER_REPLICATION {
            let s = self.s;
            let mut why = Vec::new();
            let arrivals = window + warm;
            if warm > 0.0 {
                why.push(format!(
                    "{window:.3e} arriving in the window + {warm:.3e} in the warm-up"
                ));
            }
            let factor = total / arrivals;
            if factor > 1.0 + 1e-9 {
                why.push(format!(
                    "{arrivals:.3e} contacts × {} legs each (first attempts, redials, transfers and repeats)",
                    round_text((factor * 1000.0).round() / 1000.0)
                ));
            }
            let remedy = match (warm > 0.0, factor > 1.0 + 1e-9) {
                (true, true) => {
                    "shorten the horizon or the warm-up, check the routing for loops, or split the scenario"
                }
                (true, false) => "shorten the horizon or the warm-up, or split the scenario",
                (false, true) => "shorten the horizon, check the routing for loops, or split the scenario",
                (false, false) => "shorten the horizon or split the scenario",
            };
            let loc = if warm > window {
                &s.settings.warmup.loc
            } else {
                &s.settings.duration.loc
            };
            let reason = if why.is_empty() {
                String::new()
            } else {
                format!(": {}", why.join("; "))
            };
            self.error(
                loc,
                format!(
                    "about {total:.3e} calls per replication is more than ccsim simulates ({:.0e}){reason}; {remedy}",
                    limits::MAX_CALLS_PER_REPLICATION
                ),
            );
        }
    }

    fn clock(&mut self) -> Clock {
        let st = &self.s.settings;
        let (duration, interval) = (st.duration.value, st.interval.value);
        let mut intervals = 1;
        if duration > limits::MAX_HORIZON_DAYS * 86400.0 {
            self.error(
                &st.duration.loc,
                format!(
                    "a horizon of {} days is longer than ccsim simulates ({} days)",
                    short_number(duration / 86400.0),
                    limits::MAX_HORIZON_DAYS
                ),
            );
        } else if duration <= 0.0 {
            self.error(&st.duration.loc, "must be > 0");
        } else if interval < 1.0 {
            self.error(&st.interval.loc, format!("must be at least 1s, got {interval}s"));
        } else {
            let (d, i) = (micros(duration), micros(interval));
            if d % i != 0 {
                let help = self.whole_intervals_help(duration, interval);
                self.error(
                    &st.duration.loc,
                    format!(
                        "{} is not a whole number of {} intervals",
                        duration_text(duration),
                        duration_text(interval)
                    ),
                )
                .suggestion = Some(help);
            } else if (d / i) as usize > limits::MAX_INTERVALS {
                self.error(
                    &st.interval.loc,
                    format!(
                        "{} intervals is more than ccsim reports ({}); use a longer interval",
                        d / i,
                        limits::MAX_INTERVALS
                    ),
                );
            } else {
                intervals = (d / i) as usize;
            }
        }
        for (what, v) in [(&st.warmup, st.warmup.value), (&st.drain_limit, st.drain_limit.value)] {
            if v > 30.0 * 86400.0 {
                self.error(&what.loc, format!("must be at most 30 days, got {v}s"));
            }
        }
        if st.service_level_threshold.value > 30.0 * 86400.0 {
            self.error(&st.service_level_threshold.loc, "must be at most 30 days");
        }
        Clock {
            start_of_day: st.start.value,
            warmup: micros(st.warmup.value.min(30.0 * 86400.0)),
            // An interval the errors above refused is still bounded by the horizon, so
            // nothing built from the clock while the other fields are checked (shift
            // days, accumulators) can grow with it.
            // `max`/`min`, not `clamp`: no panic whatever the refused values are.
            #[allow(clippy::manual_clamp)]
            interval: micros(
                interval
                    .max(1.0)
                    .min(duration.max(1.0).min(limits::MAX_HORIZON_DAYS * 86400.0)),
            ),
            intervals,
            drain_limit: micros(st.drain_limit.value.min(30.0 * 86400.0)),
        }
    }

    fn call_types(&mut self, clock: &Clock) -> Vec<CallType> {
        let mut out: Vec<CallType> = Vec::new();
        for spec in &self.s.call_types {
            let name = spec.name.value.clone();
            if name.trim().is_empty() {
                self.error(&spec.name.loc, "a call type needs a non-empty name");
            } else if out.iter().any(|c| c.name == name) {
                self.error(&spec.name.loc, format!("call type `{name}` is defined twice"));
            }
            let interval_hours = clock.interval as f64 / MICROS_PER_SECOND / 3600.0;
            let rate_per_second = match &spec.arrivals.value {
                ArrivalSpec::PerHour(h) => vec![h / 3600.0; clock.intervals],
                ArrivalSpec::PerInterval(counts) => {
                    if counts.len() != clock.intervals {
                        self.error(
                            &spec.arrivals.loc,
                            format!(
                                "per_interval has {} numbers but the horizon has {} intervals (one number per interval)",
                                counts.len(),
                                clock.intervals
                            ),
                        );
                    }
                    let mut rates: Vec<f64> = counts.iter().map(|c| c / (interval_hours * 3600.0)).collect();
                    rates.resize(clock.intervals, 0.0);
                    rates
                }
            };
            let handle_time = self.sampler(&spec.handle_time);
            let mean_talk = handle_time.mean(&spec.handle_time.value.spec);
            let handle_scale = match &spec.aht_per_interval {
                None => vec![1.0; clock.intervals],
                Some(aht) => {
                    if aht.value.len() != clock.intervals {
                        self.error(
                            &aht.loc,
                            format!(
                                "has {} average handle times but the horizon has {} intervals (one per interval)",
                                aht.value.len(),
                                clock.intervals
                            ),
                        );
                    }
                    if let Some(k) = aht.value.iter().position(|&a| a <= 0.0 || a > dist::MAX_SECONDS) {
                        let value = aht.value[k];
                        self.error(
                            &aht.loc,
                            format!(
                                "average handle times must be > 0 seconds and at most a year: interval {} ({}; row {} of a CSV column) has {value}",
                                k + 1,
                                if k < clock.intervals { clock.label(k) } else { "past the horizon".into() },
                                k + 2
                            ),
                        );
                    }
                    let mut scale: Vec<f64> = aht
                        .value
                        .iter()
                        .map(|&a| if mean_talk > 0.0 { a / mean_talk } else { 1.0 })
                        .collect();
                    scale.resize(clock.intervals, 1.0);
                    scale
                }
            };
            let patience = spec.patience.as_ref().map(|p| self.sampler(p));
            let threshold = spec
                .service_level_threshold
                .as_ref()
                .map_or(self.s.settings.service_level_threshold.value, |t| t.value);
            let short_abandon = spec.short_abandon.as_ref().or(self.s.settings.short_abandon.as_ref());
            if let Some(s) = short_abandon
                && s.value > 30.0 * 86400.0
            {
                self.error(&s.loc, "must be at most 30 days");
            }
            let short_abandon = short_abandon.map(|s| micros(s.value.min(30.0 * 86400.0)));
            let service_level_target = spec
                .service_level_target
                .as_ref()
                .map_or(self.s.settings.service_level_target.value, |t| t.value);
            let answer_rate_target = spec
                .answer_rate_target
                .as_ref()
                .map_or(self.s.settings.answer_rate_target.value, |t| t.value);
            // The scenario-wide limit is for contacts that wait live (calls, chats); an
            // email's wait is judged by its response target unless it sets its own.
            let max_asa = spec.max_asa.as_ref().map(|a| a.value).or(self
                .s
                .settings
                .staffing
                .max_asa
                .filter(|_| spec.channel.value != Channel::Email));
            let wrap_up = spec.wrap_up.as_ref().map(|w| Box::new(self.sampler(w)));
            let redial = spec.redial.as_ref().map(|r| {
                let delay = self.sampler(&r.delay);
                Box::new(Redial {
                    probability: r.probability,
                    mean_delay: delay.mean(&r.delay.value.spec),
                    delay,
                })
            });
            let retry = spec.retry.as_ref().map(|r| {
                let delay = self.sampler(&r.value.delay);
                Redial {
                    probability: r.value.probability,
                    mean_delay: delay.mean(&r.value.delay.value.spec),
                    delay,
                }
            });
            let head_start = spec.head_start.as_ref().map_or(0, |h| {
                let head_start = micros(h.value);
                if head_start > limits::MAX_HEAD_START {
                    self.error(&h.loc, format!("must be at most a day, got {}", duration_text(h.value)));
                }
                head_start.min(limits::MAX_HEAD_START)
            });
            let forecast_error_cv = spec.forecast_error_cv.as_ref().and_then(|cv| {
                if rate_per_second.iter().all(|&r| r == 0.0) {
                    self.error(
                        &cv.loc,
                        format!(
                            "call type `{name}` has no arrivals of its own: its forecast error would multiply nothing (transfers, redials and repeats follow the volumes they come from)"
                        ),
                    )
                    .suggestion = Some("put `forecast_error` on the call types whose arrivals feed it".into());
                }
                (cv.value > 0.0).then_some(cv.value)
            });
            out.push(CallType {
                stream_name: fnv1a(&name),
                name,
                rate_per_second,
                handle_time,
                handle_scale,
                mean_talk,
                mean_wrap_up: spec
                    .wrap_up
                    .as_ref()
                    .map_or(0.0, |w| wrap_up.as_ref().map_or(0.0, |s| s.mean(&w.value.spec))),
                mean_patience: spec
                    .patience
                    .as_ref()
                    .and_then(|p| patience.as_ref().map(|s| s.mean(&p.value.spec))),
                patience,
                channel: spec.channel.value,
                service_level_threshold: micros(threshold),
                short_abandon,
                service_level_target,
                answer_rate_target,
                max_asa,
                priority: spec.priority,
                head_start,
                forecast_error_cv,
                from_log: spec.from_log.clone(),
                wrap_up,
                redial,
                retry,
                queue_capacity: spec.queue_capacity.as_ref().map(|c| c.value as u32),
                max_wait: spec.max_wait.as_ref().map(|m| micros(m.value)),
                message_to: None,
                callback: spec.callback.as_ref().map(|c| {
                    let c = &c.value;
                    Callback {
                        predicted_wait_over: c.predicted_wait_over.map(micros),
                        after: c.after.map(micros),
                        accept: c.accept,
                        answer: c.answer,
                        mode: c.mode,
                        delay: micros(c.delay),
                        no_answer_time: micros(c.no_answer_time),
                    }
                }),
                gated: false,
                holds_line: false,
                limited: false,
                resolution: spec.resolution.as_ref().map_or(1.0, |r| r.value),
                unresolved: Unresolved::Close,
                share_lanes: Vec::new(),
                agent_selection: spec.agent_selection.unwrap_or(self.s.settings.agent_selection),
            });
        }
        out
    }

    /// Lines and queue capacities: which call types may be blocked and hold lines, and
    /// which lanes need exact lengths. A `retry` where nothing can block is refused.
    fn gates(&mut self, call_types: &mut [CallType], lanes: &mut [Lane]) {
        let st = &self.s.settings;
        let lines = st.lines.is_some();
        let shared_capacity = st.queue_capacity.is_some();
        for (c, ct) in call_types.iter_mut().enumerate() {
            let voice = ct.channel == Channel::Voice;
            ct.holds_line = voice && lines;
            ct.gated = voice && (lines || shared_capacity || ct.queue_capacity.is_some());
            ct.limited = ct.gated || ct.max_wait.is_some() || ct.callback.is_some();
            if let Some(retry) = &self.s.call_types[c].retry
                && !ct.gated
            {
                let loc = retry.loc.clone();
                self.error(
                    &loc,
                    format!(
                        "call type `{}` is never blocked (no `lines` and no `queue_capacity`): `retry` would never apply",
                        ct.name
                    ),
                )
                .suggestion = Some("set `lines` or `queue_capacity` in [scenario], or `queue_capacity` on the call type; a caller who abandons tries again with `redial`".into());
            }
        }
        for (c, spec) in self.s.call_types.iter().enumerate() {
            let Some(to) = &spec.message_to else { continue };
            match call_types.iter().position(|t| t.name == to.value) {
                Some(t) if call_types[t].channel == Channel::Email => {
                    call_types[c].message_to = Some(CallTypeId(t as u32));
                }
                Some(_) => {
                    self.error(
                        &to.loc,
                        format!(
                            "`{}` is not an email call type: a message becomes work of an email queue",
                            to.value
                        ),
                    );
                }
                None => {
                    let names: Vec<&str> = call_types.iter().map(|t| t.name.as_str()).collect();
                    let suggestion = did_you_mean(&to.value, names.iter().copied());
                    self.error(&to.loc, format!("unknown call type `{}`", to.value))
                        .suggestion = suggestion;
                }
            }
        }
        for lane in lanes.iter_mut() {
            // A callback's predicted wait counts the lane's callers, so they must be exact.
            let ct = &call_types[lane.call_type.0 as usize];
            lane.exact = lane.counts_queue || ct.gated || ct.callback.is_some();
        }
    }

    /// The sampler of `dist`; a refused parameter is pointed at where it is written.
    fn sampler(&mut self, dist: &crate::scenario::Spanned<crate::scenario::Dist>) -> Sampler {
        Sampler::new(&dist.value.spec).unwrap_or_else(|e| {
            match e.param.and_then(|p| dist.value.param(p)) {
                Some(loc) => self.error(loc, e.message),
                None => self.error(&dist.loc, e.to_string()),
            };
            Sampler::Constant(0.0)
        })
    }

    fn groups(&mut self, clock: &Clock, call_types: &[CallType]) -> Vec<Group> {
        let mut out: Vec<Group> = Vec::new();
        for spec in &self.s.agent_groups {
            let name = spec.name.value.clone();
            if name.trim().is_empty() {
                self.error(&spec.name.loc, "an agent group needs a non-empty name");
            } else if out.iter().any(|g| g.name == name) {
                self.error(&spec.name.loc, format!("agent group `{name}` is defined twice"));
            }
            let staffing = self.staffing(clock, spec);
            if spec.skills.is_empty() {
                self.error(
                    &spec.name.loc,
                    format!("agent group `{name}` has no skills: it could never answer a contact"),
                )
                .suggestion = Some("add the call types it answers to `skills`, or drop the group".into());
            }
            let mut skills: Vec<Skill> = Vec::new();
            for skill in &spec.skills {
                let name = &skill.call_type;
                match call_types.iter().position(|c| c.name == name.value) {
                    Some(i) if skills.iter().any(|s| s.call_type == CallTypeId(i as u32)) => {
                        self.error(&name.loc, format!("skill `{}` is listed twice", name.value));
                    }
                    Some(i) => skills.push(Skill {
                        call_type: CallTypeId(i as u32),
                        factor: skill.factor,
                        resolution: skill.resolution.unwrap_or(call_types[i].resolution),
                    }),
                    None => {
                        let suggestion = did_you_mean(&name.value, call_types.iter().map(|c| c.name.as_str()));
                        self.error(&name.loc, format!("no call type is named `{}`", name.value))
                            .suggestion = suggestion;
                    }
                }
            }
            let cost = spec.cost.as_ref().map_or(Cost::default(), |c| cost(clock, &c.value));
            let mut channel_rank = [0u8, 1, 2];
            if let Some(order) = &spec.channel_order {
                // Listed channels first, in their order; the others after, in the default order.
                let mut ordered = order.value.clone();
                ordered.extend(Channel::ALL.iter().filter(|c| !order.value.contains(c)));
                for (rank, c) in ordered.iter().enumerate() {
                    channel_rank[c.index()] = rank as u8;
                }
            }
            out.push(Group {
                name,
                staffing,
                skills,
                serves: Vec::new(),
                outsourced: spec.outsourced,
                cost,
                chat_concurrency: spec.chat_concurrency,
                chat_slowdown: spec.chat_slowdown,
                channel_rank,
                serve: spec.serve,
                overdue_after: match spec.serve {
                    ServeOrder::LongestWait => 0,
                    ServeOrder::SkillOrder => spec.skill_order_after.as_ref().map_or(Micros::MAX, |after| {
                        if after.value > limits::MAX_HORIZON_DAYS * 86400.0 {
                            self.error(
                                &after.loc,
                                format!("must be at most 366 days, got {}", duration_text(after.value)),
                            );
                        }
                        micros(after.value.min(limits::MAX_HORIZON_DAYS * 86400.0))
                    }),
                },
                shrinkage: spec.shrinkage,
                paid_agent_us: match (&spec.agents, &spec.shifts) {
                    (None, Some(shifts)) => Some(shift_paid_us(clock, &shifts.value)),
                    _ => None,
                },
                roster: spec.roster.as_ref().and_then(|r| self.roster(clock, r)),
            });
        }
        out
    }

    /// A group's roster rules, checked against the horizon and expanded.
    fn roster(
        &mut self,
        clock: &Clock,
        spec: &crate::scenario::Spanned<RosterSpec>,
    ) -> Option<crate::staff::roster::rules::RosterRules> {
        match crate::staff::roster::rules::build(&spec.value, &spec.loc, clock) {
            Ok(rules) => Some(rules),
            Err(errors) => {
                for e in errors {
                    self.error(&e.loc, e.message).suggestion = e.help;
                }
                None
            }
        }
    }

    /// A group's agents on duty as change points in engine time.
    fn staffing(&mut self, clock: &Clock, spec: &crate::scenario::AgentGroupSpec) -> Vec<(Micros, u32)> {
        let too_many = |n: u64| n > limits::MAX_AGENTS_PER_GROUP;
        let mut points: Vec<(Micros, u64)> = match (&spec.agents, &spec.shifts) {
            (Some(agents), _) => {
                let per_interval = match &agents.value {
                    AgentsSpec::Constant(n) => vec![*n],
                    AgentsSpec::PerInterval(v) => {
                        if v.len() != clock.intervals {
                            self.error(
                                &agents.loc,
                                format!(
                                    "has {} numbers but the horizon has {} intervals (one number per interval)",
                                    v.len(),
                                    clock.intervals
                                ),
                            );
                        }
                        v.clone()
                    }
                };
                if let Some(&n) = per_interval.iter().find(|&&n| too_many(n)) {
                    self.error(
                        &agents.loc,
                        format!(
                            "{n} agents is more than ccsim simulates in one group ({})",
                            limits::MAX_AGENTS_PER_GROUP
                        ),
                    );
                }
                per_interval
                    .iter()
                    .enumerate()
                    .map(|(k, &n)| {
                        (
                            if k == 0 {
                                0
                            } else {
                                clock
                                    .warmup
                                    .saturating_add((k as Micros).saturating_mul(clock.interval))
                            },
                            n,
                        )
                    })
                    .collect()
            }
            (None, Some(shifts)) => {
                let points = shift_headcount(clock, &shifts.value, spec.shrinkage);
                for shift in &shifts.value {
                    let len = (shift.end - shift.start).rem_euclid(86400.0);
                    let len = if len == 0.0 { 86400.0 } else { len };
                    for b in &shift.breaks {
                        let offset = (b.start - shift.start).rem_euclid(86400.0);
                        if offset + b.duration > len {
                            self.error(&shifts.loc, "a break lies outside its shift");
                        }
                    }
                    let last_day = ((clock.start_of_day
                        + (clock.interval * clock.intervals as Micros) as f64 / MICROS_PER_SECOND)
                        / 86400.0)
                        .ceil() as i64;
                    if let Some(day) = shift.days.iter().flatten().find(|&&d| d > last_day) {
                        self.error(
                            &shifts.loc,
                            format!(
                                "a shift works on day {day}, but the horizon has {} (1 is its first day, 0 the day before)",
                                plural(last_day as u64, "day")
                            ),
                        );
                    }
                    if too_many(shift.headcount) {
                        self.error(
                            &shifts.loc,
                            format!("{} agents is more than ccsim simulates", shift.headcount),
                        );
                    }
                }
                points
            }
            (None, None) => vec![(0, 0)],
        };
        points.dedup_by(|later, earlier| later.1 == earlier.1);
        points
            .into_iter()
            .map(|(t, n)| (t, n.min(limits::MAX_AGENTS_PER_GROUP) as u32))
            .collect()
    }

    /// Builds the lanes: each call type's main lane from its `routing` list (or every
    /// group with the skill, in file order, at once), and a lane per `share` route.
    /// Each group learns the lanes it serves, in skill order.
    fn routing(&mut self, call_types: &mut [CallType], groups: &mut [Group]) -> Vec<Lane> {
        let mut lanes: Vec<Lane> = call_types
            .iter()
            .enumerate()
            .map(|(c, _)| Lane {
                call_type: CallTypeId(c as u32),
                share: 1.0,
                routes: Vec::new(),
                counts_queue: false,
                agent_selection: call_types[c].agent_selection,
                exact: false,
                chat: call_types[c].channel == Channel::Chat,
            })
            .collect();
        for (c, spec) in self.s.call_types.iter().enumerate() {
            // A call type defined twice is reported once, as such: skills and routes name
            // the first, so the second would also read as unserved or misrouted.
            if call_types[..c].iter().any(|o| o.name == call_types[c].name) {
                continue;
            }
            let ct = CallTypeId(c as u32);
            let serving: Vec<GroupId> = (0..groups.len())
                .filter(|&g| groups[g].skills.iter().any(|s| s.call_type == ct))
                .map(|g| GroupId(g as u32))
                .collect();
            let Some(steps) = &spec.routing else {
                lanes[c].routes = serving
                    .iter()
                    .map(|&group| Route {
                        group,
                        after: 0,
                        queue_length: 0,
                    })
                    .collect();
                if serving.is_empty() {
                    self.error(
                        &spec.name.loc,
                        format!(
                            "no agent group has the skill `{}`: its calls could never be answered",
                            spec.name.value
                        ),
                    );
                }
                continue;
            };
            let mut routed: Vec<GroupId> = Vec::new();
            let mut shared = 0.0;
            for step in &steps.value {
                let name = &step.group;
                let group = match groups.iter().position(|g| g.name == name.value) {
                    None => {
                        let suggestion = did_you_mean(&name.value, groups.iter().map(|g| g.name.as_str()));
                        self.error(&name.loc, format!("no agent group is named `{}`", name.value))
                            .suggestion = suggestion;
                        continue;
                    }
                    Some(g) => GroupId(g as u32),
                };
                if !serving.contains(&group) {
                    self.error(
                        &name.loc,
                        format!("group `{}` does not have the skill `{}`", name.value, spec.name.value),
                    )
                    .suggestion = Some(format!("add \"{}\" to its skills", spec.name.value));
                    continue;
                }
                if routed.contains(&group) {
                    self.error(&name.loc, format!("group `{}` is routed to twice", name.value));
                    continue;
                }
                routed.push(group);
                if step.queue_length > u64::from(u32::MAX) {
                    self.error(&step.loc, format!("queue_length {} is too large", step.queue_length));
                }
                let route = Route {
                    group,
                    after: micros(step.after),
                    queue_length: step.queue_length.min(u64::from(u32::MAX)) as u32,
                };
                match &step.share {
                    Some(share) => {
                        shared += share.value;
                        call_types[c].share_lanes.push(lanes.len() as u32);
                        lanes.push(Lane {
                            call_type: ct,
                            share: share.value,
                            routes: vec![route],
                            counts_queue: false,
                            agent_selection: call_types[c].agent_selection,
                            exact: false,
                            chat: call_types[c].channel == Channel::Chat,
                        });
                    }
                    None => {
                        lanes[c].counts_queue |= route.queue_length > 1;
                        lanes[c].routes.push(route);
                    }
                }
            }
            lanes[c].share = 1.0 - shared;
            if shared > 1.0 + 1e-9 {
                self.error(
                    &steps.loc,
                    format!("the routes' shares add up to {}, more than 1", round_text(shared)),
                );
            } else if shared < 1.0 - 1e-9 && lanes[c].routes.is_empty() && !routed.is_empty() {
                self.error(
                    &steps.loc,
                    format!(
                        "the shares take {} of the arrivals but no route serves the rest",
                        round_text(shared)
                    ),
                )
                .suggestion = Some("add a route without `share`, or make the shares add up to 1".into());
            }
            if routed.is_empty() && serving.is_empty() {
                self.error(
                    &spec.name.loc,
                    format!(
                        "no agent group has the skill `{}`: its calls could never be answered",
                        spec.name.value
                    ),
                );
            }
            for &g in &serving {
                // A group defined twice cannot be routed to (its name is the first's): that
                // it is missing from the routing follows from the duplicate, reported already.
                let duplicate = groups[..g.0 as usize]
                    .iter()
                    .any(|o| o.name == groups[g.0 as usize].name);
                if !routed.contains(&g) && !duplicate {
                    let name = &groups[g.0 as usize].name;
                    self.error(
                        &steps.loc,
                        format!(
                            "group `{name}` has the skill `{}` but is not in its routing",
                            spec.name.value
                        ),
                    )
                    .suggestion = Some(format!(
                        "add {{ group = \"{name}\" }} to the routing, or drop the skill"
                    ));
                }
            }
        }
        for (g, group) in groups.iter_mut().enumerate() {
            for (position, skill) in group.skills.iter().enumerate() {
                for (l, lane) in lanes.iter().enumerate() {
                    if lane.call_type != skill.call_type {
                        continue;
                    }
                    if let Some(route) = lane.routes.iter().find(|r| r.group.0 as usize == g) {
                        let channel = call_types[skill.call_type.0 as usize].channel;
                        group.serves.push(Serve {
                            lane: l as u32,
                            call_type: skill.call_type,
                            after: route.after,
                            queue_length: route.queue_length,
                            rank: group.channel_rank[channel.index()],
                            position: match group.serve {
                                ServeOrder::LongestWait => 0,
                                ServeOrder::SkillOrder => position as u32,
                            },
                            chat: channel == Channel::Chat,
                        });
                    }
                }
            }
        }
        lanes
    }

    /// Reads what becomes of each call type's unresolved contacts.
    fn unresolved(&mut self, call_types: &mut [CallType]) {
        for (c, spec) in self.s.call_types.iter().enumerate() {
            let Some(unresolved) = &spec.unresolved else { continue };
            call_types[c].unresolved = match &unresolved.value {
                UnresolvedSpec::Escalate { to } => match call_types.iter().position(|ct| ct.name == to.value) {
                    Some(t) if t == c => {
                        self.error(&to.loc, "a call type cannot escalate to itself").suggestion =
                            Some("name the specialist tier's call type".into());
                        continue;
                    }
                    Some(t) => Unresolved::Escalate(CallTypeId(t as u32)),
                    None => {
                        let suggestion = did_you_mean(&to.value, call_types.iter().map(|c| c.name.as_str()));
                        self.error(&to.loc, format!("no call type is named `{}`", to.value))
                            .suggestion = suggestion;
                        continue;
                    }
                },
                UnresolvedSpec::Repeat { after, probability } => {
                    let sampler = self.sampler(after);
                    Unresolved::Repeat {
                        mean_after: sampler.mean(&after.value.spec),
                        after: sampler,
                        probability: *probability,
                    }
                }
            };
        }
    }

    /// Warnings on values that run but are most likely unit mistakes, each with what was
    /// probably meant. The list is short on purpose (a warning nobody needs teaches
    /// planners to skip them all), each bound far outside what real centres see:
    /// - a mean handle time or wrap-up under 10 s: `mean = 6` is 6 seconds, usually meant
    ///   as minutes (no real call or chat is answered and closed that fast);
    /// - an average handle time per interval under 10 s, the same mistake in a forecast;
    /// - a mean patience over a day: callers hang up within minutes; one who waits days
    ///   is one who never hangs up (omit `patience`);
    /// - a voice service-level threshold over an hour: phone thresholds are seconds, and
    ///   hours belong to email response targets;
    /// - an interval under a minute written without a unit (`interval = 30`: 30 s).
    fn implausible_values(&mut self, call_types: &[CallType]) {
        const SHORTEST_HANDLE: f64 = 10.0;
        const LONGEST_PATIENCE: f64 = 86400.0;
        const LONGEST_VOICE_THRESHOLD: f64 = 3600.0;
        let s = self.s;
        let minutes = |seconds: f64| {
            format!(
                "did you mean \"{}m\"? (a number without a unit is seconds)",
                round_text(seconds)
            )
        };
        let interval = &s.settings.interval;
        if interval.value >= 1.0 && interval.value < 60.0 && self.without_unit(&interval.loc) {
            self.warn(
                &interval.loc,
                format!(
                    "{} intervals are unusually short for planning",
                    duration_text(interval.value)
                ),
                minutes(interval.value),
            );
        }
        let mut scenario_threshold_on_voice = false;
        for (spec, c) in s.call_types.iter().zip(call_types) {
            match &spec.aht_per_interval {
                None if c.mean_talk > 0.0 && c.mean_talk < SHORTEST_HANDLE => self.warn(
                    &spec.handle_time.loc,
                    format!(
                        "a mean handle time of {} is implausibly short",
                        duration_text(c.mean_talk)
                    ),
                    minutes(c.mean_talk),
                ),
                Some(aht) => {
                    let shortest = aht
                        .value
                        .iter()
                        .copied()
                        .filter(|&a| a > 0.0)
                        .fold(f64::INFINITY, f64::min);
                    if shortest < SHORTEST_HANDLE {
                        self.warn(
                            &aht.loc,
                            format!(
                                "an average handle time of {} is implausibly short",
                                duration_text(shortest)
                            ),
                            format!(
                                "average handle times are seconds: did you mean {}?",
                                round_text(shortest * 60.0)
                            ),
                        );
                    }
                }
                None => {}
            }
            if let Some(w) = &spec.wrap_up
                && c.mean_wrap_up > 0.0
                && c.mean_wrap_up < SHORTEST_HANDLE
            {
                self.warn(
                    &w.loc,
                    format!(
                        "a mean wrap-up of {} is implausibly short",
                        duration_text(c.mean_wrap_up)
                    ),
                    minutes(c.mean_wrap_up),
                );
            }
            if let (Some(p), Some(mean)) = (&spec.patience, c.mean_patience)
                && mean > LONGEST_PATIENCE
            {
                self.warn(
                    &p.loc,
                    format!(
                        "a mean patience of {}: callers do not wait days before hanging up",
                        duration_text(mean)
                    ),
                    "write it in minutes or seconds (\"3m\"), or omit `patience` if callers never hang up",
                );
            }
            let threshold = c.service_level_threshold as f64 / MICROS_PER_SECOND;
            if c.channel == Channel::Voice && threshold > LONGEST_VOICE_THRESHOLD {
                match &spec.service_level_threshold {
                    Some(t) => self.warn(&t.loc, voice_threshold(threshold), VOICE_THRESHOLD_HELP),
                    None => scenario_threshold_on_voice = true,
                }
            }
        }
        if scenario_threshold_on_voice {
            let t = &s.settings.service_level_threshold;
            self.warn(&t.loc, voice_threshold(t.value), VOICE_THRESHOLD_HELP);
        }
    }

    fn expectations(&mut self, clock: &Clock, call_types: &[CallType], groups: &[Group]) -> Vec<Expectation> {
        let mut out = Vec::new();
        // Figures judged so far (bounded: each `interval = "*"` judges every interval).
        let (mut judged, mut every_interval_count) = (0u64, 0u64);
        // Each interval's label, made once for all the expectations that name one.
        let mut labels: Option<HashMap<String, usize>> = None;
        for e in &self.s.expectations {
            let metric = e.metric.value.clone();
            let is_group_metric = GROUP_METRICS.iter().any(|m| m.name == metric);
            let is_call_metric = CALL_METRICS.iter().any(|m| m.name == metric);
            if !is_group_metric && !is_call_metric {
                let names = CALL_METRICS.iter().chain(GROUP_METRICS).map(|m| m.name);
                let suggestion = did_you_mean(&metric, names);
                self.error(&e.metric.loc, format!("unknown metric `{metric}`"))
                    .suggestion = suggestion;
            }
            let call_type = e.call_type.as_ref().and_then(|n| {
                let found = call_types.iter().position(|c| c.name == n.value);
                if found.is_none() {
                    let suggestion = did_you_mean(&n.value, call_types.iter().map(|c| c.name.as_str()));
                    self.error(&n.loc, format!("no call type is named `{}`", n.value))
                        .suggestion = suggestion;
                }
                found.map(|i| CallTypeId(i as u32))
            });
            let group = e.group.as_ref().and_then(|n| {
                let found = groups.iter().position(|g| g.name == n.value);
                if found.is_none() {
                    let suggestion = did_you_mean(&n.value, groups.iter().map(|g| g.name.as_str()));
                    self.error(&n.loc, format!("no agent group is named `{}`", n.value))
                        .suggestion = suggestion;
                }
                found.map(|i| GroupId(i as u32))
            });
            if let (Some(ct), true) = (&e.call_type, e.group.is_some()) {
                self.error(&ct.loc, "give `call_type` or `group`, not both");
            } else if e.group.is_some() && !is_group_metric && is_call_metric {
                self.error(
                    &e.metric.loc,
                    format!("`{metric}` is a call metric; a group has: {}", names_of(GROUP_METRICS)),
                );
            } else if e.call_type.is_some() && !is_call_metric && is_group_metric {
                self.error(
                    &e.metric.loc,
                    format!(
                        "`{metric}` is a group metric; a call type has: {}",
                        names_of(CALL_METRICS)
                    ),
                );
            }
            let every_interval = e.interval.as_ref().is_some_and(|n| n.value == "*");
            every_interval_count += u64::from(every_interval);
            let before = judged;
            judged = judged.saturating_add(if every_interval { clock.intervals as u64 } else { 1 });
            if judged > limits::MAX_JUDGED_FIGURES && before <= limits::MAX_JUDGED_FIGURES {
                self.error(
                    &e.loc,
                    format!(
                        "the expectations up to this one judge {judged} figures ({every_interval_count} of them with `interval = \"*\"`, each over all {} intervals): ccsim judges at most {} (see Limits in docs/scenarios.md); name intervals, or use fewer expectations",
                        clock.intervals,
                        limits::MAX_JUDGED_FIGURES
                    ),
                );
            }
            let interval = e.interval.as_ref().filter(|_| !every_interval).and_then(|n| {
                let labels =
                    labels.get_or_insert_with(|| (0..clock.intervals).rev().map(|i| (clock.label(i), i)).collect());
                let found = labels.get(&n.value).copied();
                if found.is_none() {
                    let labels: Vec<String> = (0..clock.intervals.min(2000)).map(|i| clock.label(i)).collect();
                    let suggestion = did_you_mean(&n.value, labels.iter().map(String::as_str));
                    self.error(&n.loc, format!("no interval starts at `{}`", n.value))
                        .suggestion = suggestion;
                }
                found
            });
            let mut description = metric.clone();
            let scope: Vec<String> = [
                e.call_type.as_ref().map(|c| format!("call_type={}", c.value)),
                e.group.as_ref().map(|g| format!("group={}", g.value)),
                e.interval.as_ref().map(|i| format!("interval={}", i.value)),
            ]
            .into_iter()
            .flatten()
            .collect();
            if !scope.is_empty() {
                description = format!("{metric}[{}]", scope.join(","));
            }
            if let (Some(min), Some(max)) = (e.min, e.max)
                && min > max
            {
                self.error(&e.loc, format!("min {min} is above max {max}"));
            }
            out.push(Expectation {
                metric,
                call_type,
                group,
                interval,
                every_interval,
                min: e.min,
                max: e.max,
                description,
                loc: e.loc.clone(),
                line: e.loc.span.as_ref().map_or(0, |sp| self.s.source.line_col(sp.start).0),
            });
        }
        out
    }
}

/// The legs (first attempt, redials, transfers, repeats) one contact that begins at each
/// call type makes on average, at most: a leg is followed by another with the larger of
/// its chances to be redialled (when its caller may abandon) and to be passed on
/// unresolved (by the group that resolves least: escalated, or repeated with the repeat
/// probability); a loop with probability p thus counts 1/(1 − p) legs, and no contact
/// more than the engine's cap of [`crate::engine::MAX_LEGS`].
pub fn legs_per_contact(call_types: &[CallType], groups: &[Group]) -> Vec<f64> {
    let n = call_types.len();
    let unresolved: Vec<f64> = (0..n)
        .map(|c| {
            let lowest = groups
                .iter()
                .flat_map(|g| &g.skills)
                .filter(|s| s.call_type.0 as usize == c)
                .map(|s| s.resolution)
                .fold(f64::INFINITY, f64::min);
            1.0 - if lowest.is_finite() {
                lowest
            } else {
                call_types[c].resolution
            }
        })
        .collect();
    // What follows a leg at call type c: the chance of a new leg where the contact began,
    // or of one at another call type.
    let next = |c: usize| -> (f64, Option<(usize, f64)>) {
        let ct = &call_types[c];
        let redial = match (&ct.patience, &ct.redial) {
            (Some(_), Some(r)) => r.probability,
            _ => 0.0,
        };
        // A blocked caller who tries again makes a leg where the contact began, too.
        let redial = redial.max(ct.retry.as_ref().map_or(0.0, |r| r.probability));
        match ct.unresolved {
            Unresolved::Close => (redial, None),
            Unresolved::Repeat { probability, .. } => (redial.max(unresolved[c] * probability), None),
            Unresolved::Escalate(_) if redial >= unresolved[c] => (redial, None),
            Unresolved::Escalate(to) => (0.0, Some((to.0 as usize, unresolved[c]))),
        }
    };
    (0..n)
        .map(|origin| {
            // Expected legs at each step of the origin's escalation path (step 0: the
            // origin itself), leg after leg.
            let mut path = vec![origin];
            let mut mass = vec![1.0];
            let mut total = 0.0;
            for _ in 0..crate::engine::MAX_LEGS {
                let legs: f64 = mass.iter().sum();
                total += legs;
                if legs < 1e-12 {
                    break;
                }
                let mut after = vec![0.0; mass.len() + 1];
                for (j, &m) in mass.iter().enumerate() {
                    if m == 0.0 {
                        continue;
                    }
                    let (back, on) = next(path[j]);
                    after[0] += m * back;
                    if let Some((to, p)) = on {
                        if j + 1 == path.len() {
                            path.push(to);
                        }
                        after[j + 1] += m * p;
                    }
                }
                while after.len() > 1 && after.last() == Some(&0.0) {
                    after.pop();
                }
                mass = after;
            }
            total
        })
        .collect()
}

/// A group's cost spec in the engine's units (millionths of the currency, per µs),
/// its monthly minimum pro-rated to the measured horizon.
fn cost(clock: &Clock, spec: &CostSpec) -> Cost {
    const MONTH_SECONDS: f64 = 365.25 / 12.0 * 86400.0;
    let horizon = (clock.interval * clock.intervals as Micros) as f64 / MICROS_PER_SECOND;
    let months = horizon / MONTH_SECONDS;
    // Per hour of currency → millionths per µs: × 1e6 / 3.6e9.
    let per_hour = |rate: f64| rate / 3600.0;
    match *spec {
        CostSpec::PerHour {
            rate,
            overtime,
            minimum_monthly,
        } => Cost {
            per_paid_us: per_hour(rate),
            per_overtime_us: per_hour(overtime),
            minimum: minimum_monthly * months * rate * 1e6,
            ..Cost::default()
        },
        CostSpec::PerCall { price, minimum_monthly } => Cost {
            per_call: price * 1e6,
            minimum: minimum_monthly * months * price * 1e6,
            ..Cost::default()
        },
        CostSpec::PerMinute { price, minimum_monthly } => Cost {
            per_handled_us: price / 60.0,
            minimum: minimum_monthly * months * price * 1e6,
            ..Cost::default()
        },
    }
}

/// A clock time of day as written in scenarios: "HH:MM", or "HH:MM:SS" when not on a
/// whole minute (seconds past any midnight).
pub fn clock_text(seconds: f64) -> String {
    let rest = seconds.round() as u64 % 86400;
    let (h, m, s) = (rest / 3600, rest % 3600 / 60, rest % 60);
    if s == 0 {
        format!("{h:02}:{m:02}")
    } else {
        format!("{h:02}:{m:02}:{s:02}")
    }
}

/// A staffing timeline with `agents[k]` on duty in measured interval k (the warm-up has
/// the first interval's; after the window the last holds).
pub fn per_interval_staffing(clock: &Clock, agents: &[u32]) -> Vec<(Micros, u32)> {
    let mut points: Vec<(Micros, u32)> = agents
        .iter()
        .enumerate()
        .map(|(k, &n)| {
            let t = if k == 0 {
                0
            } else {
                clock.warmup + k as Micros * clock.interval
            };
            (t, n)
        })
        .collect();
    points.dedup_by(|later, earlier| later.1 == earlier.1);
    points
}

/// The staffing timeline of shifts (paid headcount each), as [`shift_headcount`].
pub fn shift_staffing(clock: &Clock, shifts: &[ShiftSpec], shrinkage: f64) -> Vec<(Micros, u32)> {
    dated_shift_staffing(clock, &on_their_days(clock, shifts), shrinkage)
}

/// The staffing timeline of shifts on given days, as [`shift_headcount`].
pub fn dated_shift_staffing(clock: &Clock, shifts: &[DatedShift], shrinkage: f64) -> Vec<(Micros, u32)> {
    let mut points = shift_counts(clock, shifts, |_| true, 1.0 - shrinkage);
    points.dedup_by(|later, earlier| later.1 == earlier.1);
    points
        .into_iter()
        .map(|(t, n)| (t, n.min(limits::MAX_AGENTS_PER_GROUP) as u32))
        .collect()
}

/// Agents on duty from shifts that repeat every day: paid headcount, less breaks, times
/// (1 − shrinkage) rounded to the nearest agent, as change points in engine time.
fn shift_headcount(clock: &Clock, shifts: &[ShiftSpec], shrinkage: f64) -> Vec<(Micros, u64)> {
    shift_counts(clock, &on_their_days(clock, shifts), |_| true, 1.0 - shrinkage)
}

/// Paid agent time of shifts in each measured interval, µs: the headcount of every shift
/// working (shrinkage is paid: absent agents are on the payroll), on paid breaks too.
pub fn shift_paid_us(clock: &Clock, shifts: &[ShiftSpec]) -> Vec<u64> {
    dated_shift_paid_us(clock, &on_their_days(clock, shifts))
}

/// Paid agent time of shifts on given days in each measured interval, µs, as
/// [`shift_paid_us`].
pub fn dated_shift_paid_us(clock: &Clock, shifts: &[DatedShift]) -> Vec<u64> {
    let timeline = shift_counts(clock, shifts, |paid| !paid, 1.0);
    (0..clock.intervals)
        .map(|k| {
            let (from, to) = (
                clock.warmup + k as Micros * clock.interval,
                clock.warmup + (k as Micros + 1) * clock.interval,
            );
            let mut area = 0u64;
            for (i, &(t, n)) in timeline.iter().enumerate() {
                let next = timeline.get(i + 1).map_or(Micros::MAX, |p| p.0);
                let (a, b) = (t.max(from), next.min(to));
                if b > a {
                    area = area.saturating_add((b - a).saturating_mul(n));
                }
            }
            area
        })
        .collect()
}

/// One shift worked on one day: it begins `begin` seconds after the midnight that begins
/// the measured window's first day (negative: the day before), lasts `length` seconds,
/// and its `headcount` take each break (offset from the start, duration, paid).
#[derive(Debug, Clone, PartialEq)]
pub struct DatedShift {
    pub begin: f64,
    pub length: f64,
    pub headcount: u64,
    pub breaks: Vec<(f64, f64, bool)>,
}

/// Shifts on the days they are worked: every day that may meet the window, or those of
/// their `days`.
fn on_their_days(clock: &Clock, shifts: &[ShiftSpec]) -> Vec<DatedShift> {
    const DAY: f64 = 86400.0;
    let window = (clock.interval * clock.intervals as Micros) as f64 / MICROS_PER_SECOND;
    let last_day = ((clock.start_of_day + window) / DAY).floor() as i64;
    (-1..=last_day)
        .flat_map(|day| {
            let on = move |shift: &&ShiftSpec| shift.days.as_ref().is_none_or(|days| days.contains(&(day + 1)));
            shifts.iter().filter(on).map(move |shift| DatedShift {
                begin: day as f64 * DAY + shift.start,
                length: match (shift.end - shift.start).rem_euclid(DAY) {
                    0.0 => DAY,
                    l => l,
                },
                headcount: shift.headcount,
                breaks: shift
                    .breaks
                    .iter()
                    .map(|b| ((b.start - shift.start).rem_euclid(DAY), b.duration, b.paid))
                    .collect(),
            })
        })
        .collect()
}

/// The headcount timeline of shifts, less the breaks `off` selects (by whether they are
/// paid), times `scale` rounded to the nearest agent, as change points in engine time.
fn shift_counts(clock: &Clock, shifts: &[DatedShift], off: impl Fn(bool) -> bool, scale: f64) -> Vec<(Micros, u64)> {
    let warmup = clock.warmup as f64 / MICROS_PER_SECOND;
    // (engine time in µs, possibly before 0; change in headcount)
    let mut deltas: Vec<(i64, i64)> = Vec::new();
    let at = |seconds: f64| (seconds * MICROS_PER_SECOND).round() as i64;
    for shift in shifts {
        let h = shift.headcount as i64;
        let begin = warmup - clock.start_of_day + shift.begin;
        deltas.push((at(begin), h));
        deltas.push((at(begin + shift.length), -h));
        for &(offset, duration, _) in shift.breaks.iter().filter(|b| off(b.2)) {
            deltas.push((at(begin + offset), -h));
            deltas.push((at(begin + offset + duration), h));
        }
    }
    deltas.sort_unstable();
    let on_duty = |h: i64| (h.max(0) as f64 * scale).round() as u64;
    let (window_start, window_end) = (clock.warmup as i64, clock.window_end() as i64);
    // Saturating: a headcount validation refuses (past 2^63) still ends in a message.
    let at_start: i64 = deltas
        .iter()
        .filter(|d| d.0 <= window_start)
        .fold(0i64, |sum, d| sum.saturating_add(d.1));
    let mut points = vec![(0, on_duty(at_start))];
    let mut headcount = at_start;
    let mut i = deltas.partition_point(|d| d.0 <= window_start);
    while i < deltas.len() && deltas[i].0 < window_end {
        let t = deltas[i].0;
        while i < deltas.len() && deltas[i].0 == t {
            headcount = headcount.saturating_add(deltas[i].1);
            i += 1;
        }
        points.push((t as Micros, on_duty(headcount)));
    }
    points
}

/// The warning on a voice service-level threshold over an hour, and its help.
fn voice_threshold(seconds: f64) -> String {
    format!(
        "a service-level threshold of {} on voice: callers do not wait that long on the line",
        duration_text(seconds)
    )
}

const VOICE_THRESHOLD_HELP: &str =
    "voice thresholds are seconds (\"20s\" for 80/20); response targets of hours belong to email (channel = \"email\")";

fn plural(n: u64, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

/// A fraction as a planner wrote it: at most 6 decimals, no trailing zeros.
fn round_text(x: f64) -> String {
    let text = format!("{x:.6}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// A number for a message: whole below a million, else in scientific notation.
fn short_number(x: f64) -> String {
    if x < 1e6 { format!("{x:.0}") } else { format!("{x:.3e}") }
}

fn names_of(metrics: &[crate::stats::MetricDef]) -> String {
    metrics.iter().map(|m| m.name).collect::<Vec<_>>().join(", ")
}
