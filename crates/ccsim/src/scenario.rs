//! The scenario file as written: its shape, read key by key from a TOML document.
//!
//! Reading goes through `toml_edit`'s span-keeping [`toml_edit::Document`] rather than
//! serde's derive so that every problem of a file is collected (not just the first), each
//! with its line, column and dotted field path, unknown keys get a "did you mean", and
//! tagged forms such as `{ dist = "lognormal", … }` get precise messages. Nothing here
//! checks meaning across fields (that is [`crate::model`]); values keep their location so
//! the model can point back at them.

use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;

use toml_edit::{Item, TableLike, Value};

use crate::error::{Diagnostic, Error, SourceMap, did_you_mean};
use crate::model::limits;

/// Where a value stands in the file: its span and its dotted field path.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Loc {
    pub span: Option<Range<usize>>,
    pub field: String,
}

/// A value with its location, so that later checks can point at it.
#[derive(Debug, Clone, PartialEq)]
pub struct Spanned<T> {
    pub value: T,
    pub loc: Loc,
}

/// The whole file.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub source: SourceMap,
    pub settings: Settings,
    pub call_types: Vec<CallTypeSpec>,
    pub agent_groups: Vec<AgentGroupSpec>,
    pub expectations: Vec<ExpectSpec>,
    /// A digest of what the scenario read from other files (each CSV column: its file,
    /// its name and its values, in reading order; 0 if none): the text alone does not
    /// say what a run simulated, so parts of runs that read different files are told
    /// apart (see [`crate::shard`]).
    pub inputs_digest: u64,
}

/// `[scenario]`: horizon, statistics and defaults.
#[derive(Debug, Clone)]
pub struct Settings {
    pub name: String,
    /// Clock time where measuring starts, seconds after midnight.
    pub start: Spanned<f64>,
    /// Measured time per replication, seconds.
    pub duration: Spanned<f64>,
    pub warmup: Spanned<f64>,
    pub interval: Spanned<f64>,
    /// How long contacts open at the end of the window are followed, seconds.
    pub drain_limit: Spanned<f64>,
    pub replications: Spanned<u64>,
    pub seed: u64,
    pub service_level_threshold: Spanned<f64>,
    pub service_level_target: Spanned<f64>,
    /// Abandons within this many seconds are short: left out of the service level.
    pub short_abandon: Option<Spanned<f64>>,
    pub answer_rate_target: Spanned<f64>,
    /// Coefficient of variation of the day-level volume multiplier (forecast error).
    pub forecast_error_cv: Option<Spanned<f64>>,
    /// The currency costs are in (a label: "EUR", "USD"); empty if not given.
    pub currency: String,
    /// How `ccsim staff` searches and which targets it must meet.
    pub staffing: StaffingSpec,
    /// Which idle agent answers a contact, for every call type that sets none.
    pub agent_selection: AgentSelection,
    /// Trunk lines: voice contacts in the centre at once (waiting or talking).
    pub lines: Option<Spanned<u64>>,
    /// The most voice contacts that may wait at once, all voice queues together.
    pub queue_capacity: Option<Spanned<u64>>,
    /// What becomes of calls and chats still waiting when the window ends.
    pub at_close: Spanned<AtClose>,
}

/// `at_close`: what becomes of calls and chats still waiting when the window ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AtClose {
    /// Followed to their end for at most the drain limit (the default).
    Serve,
    /// Disconnected at once (`disconnected`).
    Disconnect,
}

impl AtClose {
    pub const NAMES: [&str; 2] = ["serve", "disconnect"];
}

/// `[scenario.staffing]`: targets beyond service level and answer rate, and how the
/// staffing search runs.
#[derive(Debug, Clone, PartialEq)]
pub struct StaffingSpec {
    /// Targets hold in every interval (`false`) or over the whole day (`true`).
    pub over_day: bool,
    /// Targets must hold on this fraction of simulated days, not only on the mean.
    pub confidence: Option<f64>,
    /// Largest mean wait of answered contacts, seconds (every call type).
    pub max_asa: Option<f64>,
    /// Largest occupancy of an in-house group.
    pub max_occupancy: Option<f64>,
    /// Most agents the search may put in a group in one interval.
    pub max_agents: u32,
    /// Replications per candidate at first, and at most (then `within_noise`).
    pub replications: Option<u64>,
    pub max_replications: u64,
}

/// `[[call_type]]`.
#[derive(Debug, Clone)]
pub struct CallTypeSpec {
    pub name: Spanned<String>,
    pub arrivals: Spanned<ArrivalSpec>,
    /// Average handle time (talk) per measured interval, seconds, where the forecast gives it.
    pub aht_per_interval: Option<Spanned<Vec<f64>>>,
    pub handle_time: Spanned<Dist>,
    pub patience: Option<Spanned<Dist>>,
    /// This call type's own service-level threshold, seconds.
    pub service_level_threshold: Option<Spanned<f64>>,
    /// This call type's own short-abandon threshold, seconds.
    pub short_abandon: Option<Spanned<f64>>,
    /// Larger is answered first; default 0.
    pub priority: i64,
    /// Seconds this call type's contacts count as having waited already when an agent
    /// picks the longest-waiting contact; default 0.
    pub head_start: Option<Spanned<f64>>,
    /// CV of this call type's own day-level volume multiplier (forecast error).
    pub forecast_error_cv: Option<Spanned<f64>>,
    /// Where a fitted call type's calls come from in a call log (for `backtest`).
    pub from_log: Option<crate::model::FromLog>,
    /// After-call work (wrap-up) per answered call.
    pub wrap_up: Option<Spanned<Dist>>,
    /// What a caller who abandons does.
    pub redial: Option<RedialSpec>,
    /// What a caller who was blocked (busy signal) does: the same shape as `redial`.
    pub retry: Option<Spanned<RedialSpec>>,
    /// The most calls of this type that may wait at once (voice only).
    pub queue_capacity: Option<Spanned<u64>>,
    /// `max_wait = { after, outcome = "message" }`: a caller still waiting after `after`
    /// leaves a message.
    pub max_wait: Option<Spanned<f64>>,
    /// `max_wait.to`: the email call type a message becomes work of.
    pub message_to: Option<Spanned<String>>,
    /// `callback = { … }`: a virtual-hold offer (voice only).
    pub callback: Option<Spanned<CallbackSpec>>,
    /// Groups in routing order, each eligible after a wait; `None`: every group with
    /// the skill, in file order, at once.
    pub routing: Option<Spanned<Vec<RouteSpec>>>,
    /// Probability that an answered contact is resolved (default 1); a skill may set
    /// its own.
    pub resolution: Option<Spanned<f64>>,
    /// What becomes of a contact the agent did not resolve.
    pub unresolved: Option<Spanned<UnresolvedSpec>>,
    /// `voice` (default), `chat` or `email`.
    pub channel: Spanned<Channel>,
    /// This call type's own service-level (response-time) target, a fraction.
    pub service_level_target: Option<Spanned<f64>>,
    /// Which idle agent answers this call type's contacts (default: the scenario's).
    pub agent_selection: Option<AgentSelection>,
    /// This call type's own answer-rate target, a fraction.
    pub answer_rate_target: Option<Spanned<f64>>,
    /// Largest mean wait of answered contacts `ccsim staff` allows, seconds.
    pub max_asa: Option<Spanned<f64>>,
}

/// How contacts reach the centre: callers wait on the line, chats share an agent with
/// other chats, emails wait in a backlog.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    Voice,
    Chat,
    Email,
}

impl Channel {
    pub const ALL: [Channel; 3] = [Channel::Voice, Channel::Chat, Channel::Email];

    pub fn name(self) -> &'static str {
        match self {
            Channel::Voice => "voice",
            Channel::Chat => "chat",
            Channel::Email => "email",
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

/// How a group's freed agent picks among the waiting contacts of its skills, once the
/// channel rank and the priority are equal (`serve` of an agent group).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServeOrder {
    /// The longest wait (a call type's head start counted): the default.
    LongestWait,
    /// The skills in the order the group lists them (a later skill's head that has waited
    /// `skill_order_after` goes ahead of the earlier skills).
    SkillOrder,
}

impl ServeOrder {
    pub const ALL: [(ServeOrder, &'static str); 2] = [
        (ServeOrder::LongestWait, "longest_wait"),
        (ServeOrder::SkillOrder, "skill_order"),
    ];
}

/// Which idle agent answers a contact that arrives (or overflows) while agents of
/// several eligible groups are idle (`agent_selection`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgentSelection {
    /// The agent idle longest (the default).
    LongestIdle,
    /// An idle agent at random: a group with probability proportional to its idle agents.
    Random,
}

impl AgentSelection {
    pub const ALL: [(AgentSelection, &'static str); 2] = [
        (AgentSelection::LongestIdle, "longest_idle"),
        (AgentSelection::Random, "random"),
    ];
}

/// `unresolved = { escalate_to = "tier2" }` or
/// `unresolved = { repeat_after = { dist = … }, probability = 0.8 }`.
#[derive(Debug, Clone)]
pub enum UnresolvedSpec {
    /// Transferred at once into another call type's queue.
    Escalate { to: Spanned<String> },
    /// The customer calls again after a delay, with `probability` (else gives up).
    Repeat { after: Spanned<Dist>, probability: f64 },
}

/// What a called-back customer's place in the queue is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallbackMode {
    /// The callback keeps the caller's place in the lane (a virtual queue).
    KeepPlace,
    /// The callback joins the back of the lane `delay` after it was accepted.
    Scheduled,
}

/// `callback = { predicted_wait_over, after, accept, answer, mode, delay, no_answer_time }`
/// (durations in seconds).
#[derive(Debug, Clone)]
pub struct CallbackSpec {
    /// Offered at arrival when the predicted wait exceeds this.
    pub predicted_wait_over: Option<f64>,
    /// Offered to a caller who has waited this long.
    pub after: Option<f64>,
    pub accept: f64,
    pub answer: f64,
    pub mode: CallbackMode,
    pub delay: f64,
    pub no_answer_time: f64,
}

/// `redial = { probability = 0.3, delay = { dist = … } }`.
#[derive(Debug, Clone)]
pub struct RedialSpec {
    pub probability: f64,
    pub delay: Spanned<Dist>,
}

/// One step of a call type's routing: a group, eligible once the call has waited `after`
/// and while at least `queue_length` contacts wait; or a group that takes a fixed `share`
/// of the arrivals (and only those).
#[derive(Debug, Clone)]
pub struct RouteSpec {
    pub group: Spanned<String>,
    pub after: f64,
    pub queue_length: u64,
    pub share: Option<Spanned<f64>>,
    pub loc: Loc,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ArrivalSpec {
    /// Constant-rate Poisson, calls per hour.
    PerHour(f64),
    /// Expected calls in each measured interval; Poisson within the interval.
    PerInterval(Vec<f64>),
}

/// A distribution as written, with where each of its parameters stands, so that a
/// message about one parameter points at it.
#[derive(Debug, Clone, PartialEq)]
pub struct Dist {
    pub spec: DistSpec,
    /// Each parameter given (`mean`, `cv`, …; not `samples`) and its location.
    pub params: Vec<(&'static str, Loc)>,
}

impl Dist {
    /// Where the parameter `name` was written, if it was.
    pub fn param(&self, name: &str) -> Option<&Loc> {
        self.params.iter().find(|(p, _)| *p == name).map(|(_, loc)| loc)
    }
}

/// A distribution of durations as written; parameters in seconds (cv and shape unitless).
#[derive(Debug, Clone, PartialEq)]
pub enum DistSpec {
    Exponential {
        mean: f64,
    },
    LogNormal {
        mean: f64,
        cv: f64,
    },
    Gamma {
        mean: f64,
        cv: f64,
    },
    Weibull {
        shape: f64,
        scale: f64,
    },
    Uniform {
        min: f64,
        max: f64,
    },
    Triangular {
        min: f64,
        mode: f64,
        max: f64,
    },
    Constant {
        value: f64,
    },
    /// Draws one of the given samples, each equally likely; mean = their average.
    Empirical {
        samples: Vec<f64>,
    },
    /// A piecewise-constant hazard rate: `rate[i]` per second from `from[i]` (seconds)
    /// until the next piece starts, the last piece forever.
    Hazard {
        from: Vec<f64>,
        rate: Vec<f64>,
    },
}

/// `[[agent_group]]`.
#[derive(Debug, Clone)]
pub struct AgentGroupSpec {
    pub name: Spanned<String>,
    /// Agents on duty; exactly one of `agents` and `shifts` is given.
    pub agents: Option<Spanned<AgentsSpec>>,
    pub shifts: Option<Spanned<Vec<ShiftSpec>>>,
    /// Share of paid headcount not on duty (absence, meetings); applies to shifts.
    pub shrinkage: f64,
    pub skills: Vec<SkillSpec>,
    /// An outsourcing vendor's agents rather than the centre's own.
    pub outsourced: bool,
    pub cost: Option<Spanned<CostSpec>>,
    /// Chats an agent holds at once, and how much each extra one slows them all.
    pub chat_concurrency: u32,
    pub chat_slowdown: f64,
    /// Channels in the order the group's agents serve them (first: served first).
    pub channel_order: Option<Spanned<Vec<Channel>>>,
    /// The shifts `ccsim staff` may roster this group with.
    pub roster: Option<Spanned<RosterSpec>>,
    /// How a freed agent picks among the waiting contacts of the group's skills.
    pub serve: ServeOrder,
    /// With `serve = "skill_order"`: a later skill's contact that has waited this long
    /// (seconds) goes ahead of the earlier skills.
    pub skill_order_after: Option<Spanned<f64>>,
}

/// `roster = { patterns = [...], shifts = [...], contracts = [...], min_rest = "11h" }`:
/// the shifts a planner may give the group's agents (rules that generate them, or shifts
/// written out), the contracts agents work under (days a week, hours, shares), the rest
/// between two shifts, and the solver's budget. Checked and expanded by
/// [`crate::staff::roster::rules`].
#[derive(Debug, Clone, PartialEq)]
pub struct RosterSpec {
    pub patterns: Vec<Spanned<PatternSpec>>,
    /// Shifts written out (their `agents` is not given: the roster decides it).
    pub shifts: Vec<Spanned<ShiftSpec>>,
    pub contracts: Vec<Spanned<ContractSpec>>,
    /// Seconds between the end of one shift and the start of the next of the same agent.
    pub min_rest: Spanned<f64>,
    /// Shorter than this many seconds is part-time.
    pub part_time_below: f64,
    pub max_part_time: f64,
    /// Seconds the integer program may take.
    pub time_limit: Spanned<f64>,
    /// Branch-and-bound nodes it may use (a budget of work: the same on every machine).
    pub max_nodes: Spanned<u64>,
    /// Relative gap between the roster and the best bound at which the solver may stop.
    pub gap: f64,
}

/// A rule that generates shifts: every start × every length, with breaks placed inside
/// windows measured from the shift's start.
#[derive(Debug, Clone, PartialEq)]
pub struct PatternSpec {
    pub name: Option<String>,
    pub starts: Spanned<StartsSpec>,
    pub lengths: Vec<Spanned<f64>>,
    pub breaks: Vec<Spanned<BreakRuleSpec>>,
}

/// Start times: listed clock times, or every `every` seconds from `from` to `to`
/// (inclusive; a `to` before `from` runs past midnight).
#[derive(Debug, Clone, PartialEq)]
pub enum StartsSpec {
    Times(Vec<f64>),
    Every { from: f64, to: f64, every: Spanned<f64> },
}

/// A break of a generated shift: `duration` long, lying between `after` and `before`
/// (seconds after the shift's start), starting on a step of `every` from `after`.
#[derive(Debug, Clone, PartialEq)]
pub struct BreakRuleSpec {
    pub duration: Spanned<f64>,
    pub paid: bool,
    pub after: Spanned<f64>,
    pub before: Spanned<f64>,
    pub every: Spanned<f64>,
}

/// A contract: `days` working days in every week (the days off together when
/// `consecutive_days_off`), paid hours a week between `min_hours` and `max_hours`, and
/// the share of the group's agents on it between `min_share` and `max_share`.
#[derive(Debug, Clone, PartialEq)]
pub struct ContractSpec {
    pub name: String,
    pub days: Spanned<u64>,
    pub consecutive_days_off: bool,
    pub min_hours: Spanned<f64>,
    pub max_hours: Option<Spanned<f64>>,
    pub min_share: Spanned<f64>,
    pub max_share: Spanned<f64>,
}

/// What a group costs: an hourly cost for paid hours, or a price per handled call or
/// per handled minute, with an optional monthly minimum (in the price's unit).
#[derive(Debug, Clone, PartialEq)]
pub enum CostSpec {
    PerHour {
        rate: f64,
        overtime: f64,
        minimum_monthly: f64,
    },
    PerCall {
        price: f64,
        minimum_monthly: f64,
    },
    PerMinute {
        price: f64,
        minimum_monthly: f64,
    },
}

/// A skill with its proficiency: handle time × `factor`, and its own resolution
/// probability where given.
#[derive(Debug, Clone)]
pub struct SkillSpec {
    pub call_type: Spanned<String>,
    pub factor: f64,
    pub resolution: Option<f64>,
}

/// Paid headcount working from `start` to `end` (clock times, seconds after midnight;
/// `end` ≤ `start` runs past midnight) every day of the horizon, less its breaks.
#[derive(Debug, Clone, PartialEq)]
pub struct ShiftSpec {
    pub start: f64,
    pub end: f64,
    pub headcount: u64,
    pub breaks: Vec<BreakSpec>,
    /// The days it is worked (1: the window's first day, 0: the day before); `None`:
    /// every day.
    pub days: Option<Vec<i64>>,
}

/// A break inside a shift: the shift's agents are off duty during it.
#[derive(Debug, Clone, PartialEq)]
pub struct BreakSpec {
    /// Clock time it starts, seconds after midnight.
    pub start: f64,
    /// Seconds.
    pub duration: f64,
    /// Paid (the default, like a coffee break) or unpaid (like most lunches): an unpaid
    /// break is not charged.
    pub paid: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum AgentsSpec {
    Constant(u64),
    PerInterval(Vec<u64>),
}

/// `[[expect]]`: a bound on the mean of one metric, checked by `ccsim check`.
#[derive(Debug, Clone)]
pub struct ExpectSpec {
    pub metric: Spanned<String>,
    pub call_type: Option<Spanned<String>>,
    pub group: Option<Spanned<String>>,
    pub interval: Option<Spanned<String>>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub loc: Loc,
}

/// The keys each table of a scenario file may have: what the reader accepts and what
/// `ccsim schema` describes.
pub mod keys {
    pub const ROOT: &[&str] = &["scenario", "call_type", "agent_group", "expect"];
    pub const SCENARIO: &[&str] = &[
        "name",
        "start",
        "duration",
        "warmup",
        "interval",
        "replications",
        "seed",
        "service_level",
        "answer_rate_target",
        "forecast_error",
        "drain_limit",
        "currency",
        "staffing",
        "agent_selection",
        "lines",
        "queue_capacity",
        "at_close",
        "short_abandon",
    ];
    pub const STAFFING: &[&str] = &[
        "scope",
        "confidence",
        "max_asa",
        "max_occupancy",
        "max_agents",
        "replications",
        "max_replications",
    ];
    pub const SERVICE_LEVEL: &[&str] = &["threshold", "target"];
    pub const FORECAST_ERROR: &[&str] = &["cv"];
    pub const CALL_TYPE: &[&str] = &[
        "name",
        "arrivals",
        "handle_time",
        "patience",
        "service_level_threshold",
        "short_abandon",
        "priority",
        "head_start",
        "wrap_up",
        "redial",
        "routing",
        "resolution",
        "unresolved",
        "channel",
        "service_level_target",
        "answer_rate_target",
        "max_asa",
        "forecast_error",
        "from_log",
        "agent_selection",
        "retry",
        "queue_capacity",
        "max_wait",
        "callback",
    ];
    pub const MAX_WAIT: &[&str] = &["after", "outcome", "to"];
    pub const CALLBACK: &[&str] = &[
        "predicted_wait_over",
        "after",
        "accept",
        "answer",
        "mode",
        "delay",
        "no_answer_time",
    ];
    pub const FROM_LOG: &[&str] = &["types", "calls"];
    pub const ARRIVALS: &[&str] = &[
        "per_hour",
        "per_interval",
        "csv",
        "column",
        "aht_per_interval",
        "aht_column",
    ];
    pub const REDIAL: &[&str] = &["probability", "delay"];
    pub const ROUTE: &[&str] = &["group", "after", "queue_length", "share"];
    pub const UNRESOLVED: &[&str] = &["escalate_to", "repeat_after", "probability"];
    pub const AGENT_GROUP: &[&str] = &[
        "name",
        "agents",
        "shifts",
        "shrinkage",
        "skills",
        "outsourced",
        "cost",
        "chat",
        "channel_order",
        "roster",
        "serve",
        "skill_order_after",
    ];
    pub const SKILL: &[&str] = &["call_type", "factor", "resolution"];
    pub const COST: &[&str] = &[
        "per_hour",
        "overtime_per_hour",
        "per_call",
        "per_minute",
        "minimum_monthly",
    ];
    pub const CHAT: &[&str] = &["concurrency", "slowdown"];
    pub const ROSTER: &[&str] = &[
        "patterns",
        "shifts",
        "contracts",
        "min_rest",
        "max_part_time",
        "part_time_below",
        "time_limit",
        "max_nodes",
        "gap",
    ];
    pub const PATTERN: &[&str] = &["name", "starts", "lengths", "breaks"];
    pub const STARTS: &[&str] = &["from", "to", "every"];
    pub const BREAK_RULE: &[&str] = &["duration", "paid", "after", "before", "every"];
    pub const CONTRACT: &[&str] = &[
        "name",
        "days",
        "consecutive_days_off",
        "min_hours",
        "max_hours",
        "min_share",
        "max_share",
    ];
    pub const SHIFT: &[&str] = &["start", "end", "agents", "breaks", "days"];
    pub const BREAK: &[&str] = &["start", "duration", "paid"];
    pub const EXPECT: &[&str] = &["metric", "call_type", "group", "interval", "min", "max"];
}

impl Scenario {
    /// Reads (a regular file of at most [`crate::input::MAX_SCENARIO_BYTES`]) and parses a
    /// scenario file.
    pub fn load(path: &Path) -> Result<Scenario, Error> {
        let text = crate::input::scenario_text(path)?;
        Scenario::parse(&path.display().to_string(), &text)
    }

    /// Parses scenario text; `file` names it in messages.
    pub fn parse(file: &str, text: &str) -> Result<Scenario, Error> {
        Scenario::parse_reading(file, text, None)
    }

    /// Parses scenario text as [`Scenario::parse`] does, reading the files it names
    /// (`csv = …`) only from inside `folder` (canonical): a path that leads outside it
    /// (absolute, through `..` or a symbolic link) is an error at its field. The
    /// workbench (`ccsim serve`) reads scenarios this way.
    pub fn parse_within(file: &str, text: &str, folder: &Path) -> Result<Scenario, Error> {
        Scenario::parse_reading(file, text, Some(folder))
    }

    fn parse_reading(file: &str, text: &str, within: Option<&Path>) -> Result<Scenario, Error> {
        let source = SourceMap::new(file, text);
        let doc = match toml_edit::Document::parse(text.to_owned()) {
            Ok(doc) => doc,
            Err(e) => {
                let message = e.message().trim().to_owned();
                let field = e.span().map_or(String::new(), |span| key_at(text, span.start));
                return Err(Error::Invalid(vec![source.diagnostic(e.span(), &field, message)]));
            }
        };
        let mut r = Reader {
            base: Path::new(file).parent().map(Path::to_path_buf).unwrap_or_default(),
            within,
            map: &source,
            diagnostics: Vec::new(),
            inputs_digest: 0,
            csv_columns: HashMap::new(),
            csv_bytes_read: 0,
            csv_values: 0,
        };
        let root = Table {
            table: doc.as_table(),
            path: String::new(),
            span: None,
        };
        root.check_keys(&mut r, keys::ROOT);
        let settings = match root.get("scenario") {
            Some(node) => r.table(&node).map(|t| read_settings(&mut r, &t)),
            None => {
                r.error(
                    None,
                    "scenario",
                    "missing the [scenario] table (with at least `name` and `duration`)",
                );
                None
            }
        };
        let call_types = r.tables_of(&root, "call_type", true, read_call_type);
        let agent_groups = r.tables_of(&root, "agent_group", true, read_agent_group);
        let expectations = r.tables_of(&root, "expect", false, read_expect);
        let (diagnostics, inputs_digest) = (r.diagnostics, r.inputs_digest);
        match settings {
            Some(settings) if diagnostics.is_empty() => Ok(Scenario {
                source,
                settings,
                call_types,
                agent_groups,
                expectations,
                inputs_digest,
            }),
            _ => Err(Error::Invalid(diagnostics)),
        }
    }
}

fn read_settings(r: &mut Reader, t: &Table) -> Settings {
    t.check_keys(r, keys::SCENARIO);
    let name = r
        .required(t, "name", Reader::string)
        .map(|s| s.value)
        .unwrap_or_default();
    let start = r.optional(t, "start", Reader::clock_time, 0.0);
    let duration = r
        .required(t, "duration", Reader::duration)
        .unwrap_or_else(|| placeholder(1.0));
    let warmup = r.optional(t, "warmup", Reader::duration, 0.0);
    let interval = r.optional(t, "interval", Reader::duration, 1800.0);
    let drain_limit = r.optional(t, "drain_limit", Reader::duration, 4.0 * 3600.0);
    let replications = r.optional(t, "replications", Reader::uint, 10);
    let seed = r.optional(t, "seed", Reader::uint, 1).value;
    let answer_rate_target = r.optional(t, "answer_rate_target", Reader::fraction, 0.90);
    let forecast_error_cv = t.get("forecast_error").and_then(|n| r.forecast_error(&n));
    let currency = t
        .get("currency")
        .and_then(|n| r.string(&n))
        .map(|s| s.value)
        .unwrap_or_default();
    let agent_selection = r
        .optional(
            t,
            "agent_selection",
            |r, n| r.keyword(n, "agent selection", &AgentSelection::ALL),
            AgentSelection::LongestIdle,
        )
        .value;
    let staffing = match t.get("staffing").and_then(|n| r.table(&n)) {
        Some(st) => read_staffing(r, &st),
        None => StaffingSpec::default(),
    };
    let lines = t.get("lines").and_then(|n| r.uint(&n)).and_then(|l| {
        if !(1..=limits::MAX_AGENTS_TOTAL).contains(&l.value) {
            r.error(
                l.loc.span.clone(),
                &l.loc.field,
                format!(
                    "must be between 1 and {} (the trunk lines: voice calls in the centre at once), got {}",
                    limits::MAX_AGENTS_TOTAL,
                    l.value
                ),
            );
            return None;
        }
        Some(l)
    });
    let queue_capacity = t.get("queue_capacity").and_then(|n| r.queue_capacity(&n));
    let at_close = r.optional(t, "at_close", Reader::at_close, AtClose::Serve);
    let (mut service_level_threshold, mut service_level_target) = (placeholder(20.0), placeholder(0.80));
    if let Some(sl) = t.get("service_level").and_then(|n| r.table(&n)) {
        sl.check_keys(r, keys::SERVICE_LEVEL);
        service_level_threshold = r.optional(&sl, "threshold", Reader::duration, 20.0);
        service_level_target = r.optional(&sl, "target", Reader::fraction, 0.80);
    }
    let short_abandon = t.get("short_abandon").and_then(|n| r.duration(&n));
    Settings {
        name,
        start,
        duration,
        warmup,
        interval,
        drain_limit,
        replications,
        seed,
        service_level_threshold,
        service_level_target,
        short_abandon,
        answer_rate_target,
        forecast_error_cv,
        currency,
        staffing,
        agent_selection,
        lines,
        queue_capacity,
        at_close,
    }
}

impl Default for StaffingSpec {
    fn default() -> Self {
        StaffingSpec {
            over_day: false,
            confidence: None,
            max_asa: None,
            max_occupancy: None,
            max_agents: 10_000,
            replications: None,
            max_replications: 320,
        }
    }
}

fn read_staffing(r: &mut Reader, t: &Table) -> StaffingSpec {
    t.check_keys(r, keys::STAFFING);
    let mut spec = StaffingSpec::default();
    if let Some(scope) = t.get("scope").and_then(|n| r.string(&n)) {
        match scope.value.as_str() {
            "interval" => {}
            "day" => spec.over_day = true,
            other => {
                let suggestion = did_you_mean(other, ["interval", "day"]);
                let d = r.map.diagnostic(
                    scope.loc.span.clone(),
                    &scope.loc.field,
                    format!("unknown scope `{other}`: targets hold per `interval` or over the `day`"),
                );
                r.diagnostics.push(d);
                r.diagnostics.last_mut().expect("just pushed").suggestion = suggestion;
            }
        }
    }
    spec.confidence = t.get("confidence").and_then(|n| r.fraction(&n)).and_then(|c| {
        if c.value <= 0.0 {
            r.error(
                c.loc.span.clone(),
                &c.loc.field,
                "must be above 0: the share of simulated days on which the targets must hold",
            );
            return None;
        }
        Some(c.value)
    });
    spec.max_asa = t.get("max_asa").and_then(|n| r.duration(&n)).map(|d| d.value);
    spec.max_occupancy = t.get("max_occupancy").and_then(|n| r.fraction(&n)).map(|o| o.value);
    let max_agents = r.optional(t, "max_agents", Reader::uint, 10_000);
    if !(1..=1_000_000).contains(&max_agents.value) {
        r.error(
            max_agents.loc.span.clone(),
            &max_agents.loc.field,
            format!("must be between 1 and 1000000, got {}", max_agents.value),
        );
    }
    spec.max_agents = max_agents.value.clamp(1, 1_000_000) as u32;
    let reps = t.get("replications").and_then(|n| r.uint(&n));
    let max_reps = r.optional(t, "max_replications", Reader::uint, 320);
    for v in reps.iter().chain([&max_reps]) {
        if !(2..=100_000).contains(&v.value) {
            r.error(
                v.loc.span.clone(),
                &v.loc.field,
                format!("must be between 2 and 100000, got {}", v.value),
            );
        }
    }
    spec.replications = reps.map(|v| v.value.clamp(2, 100_000));
    spec.max_replications = max_reps.value.clamp(2, 100_000);
    spec
}

fn read_call_type(r: &mut Reader, t: &Table) -> Option<CallTypeSpec> {
    t.check_keys(r, keys::CALL_TYPE);
    let name = r.required(t, "name", Reader::string);
    let (arrivals, aht_per_interval) = match r.required(t, "arrivals", Reader::arrivals) {
        Some(a) => (Some(a.value.0), a.value.1),
        None => (None, None),
    };
    let handle_time = r.required(t, "handle_time", Reader::dist);
    let patience = t.get("patience").and_then(|n| r.dist(&n));
    let service_level_threshold = t.get("service_level_threshold").and_then(|n| r.duration(&n));
    let short_abandon = t.get("short_abandon").and_then(|n| r.duration(&n));
    let priority = t.get("priority").and_then(|n| r.int(&n)).map_or(0, |p| p.value);
    let head_start = t.get("head_start").and_then(|n| r.duration(&n));
    let forecast_error_cv = t.get("forecast_error").and_then(|n| r.forecast_error(&n));
    let from_log = t.get("from_log").and_then(|n| r.log_source(&n)).map(|s| s.value);
    let wrap_up = t.get("wrap_up").and_then(|n| r.dist(&n));
    let redial = t.get("redial").and_then(|n| {
        let rt = r.table(&n)?;
        rt.check_keys(r, keys::REDIAL);
        let probability = r.required(&rt, "probability", Reader::fraction);
        let delay = r.required(&rt, "delay", Reader::dist);
        Some(RedialSpec {
            probability: probability?.value,
            delay: delay?,
        })
    });
    let retry = t.get("retry").and_then(|n| {
        let rt = r.table(&n)?;
        rt.check_keys(r, keys::REDIAL);
        let probability = r.required(&rt, "probability", Reader::fraction);
        let delay = r.required(&rt, "delay", Reader::dist);
        Some(Spanned {
            value: RedialSpec {
                probability: probability?.value,
                delay: delay?,
            },
            loc: n.loc(),
        })
    });
    let queue_capacity = t.get("queue_capacity").and_then(|n| r.queue_capacity(&n));
    let max_wait = t.get("max_wait").and_then(|n| r.max_wait(&n));
    let callback = t.get("callback").and_then(|n| r.callback(&n));
    let message_to = t
        .get("max_wait")
        .and_then(|n| {
            let table = n.table_like()?;
            let mw = Table {
                table,
                path: n.path.clone(),
                span: n.span.clone(),
            };
            mw.get("to")
        })
        .and_then(|n| r.string(&n));
    let routing = t.get("routing").and_then(|n| {
        let items = r.array(&n)?;
        let mut steps = Vec::new();
        for item in &items {
            let Some(st) = r.table(item) else { continue };
            st.check_keys(r, keys::ROUTE);
            let group = r.required(&st, "group", Reader::string);
            let after = r.optional(&st, "after", Reader::duration, 0.0).value;
            let queue_length = r.optional(&st, "queue_length", Reader::uint, 0).value;
            let share = st.get("share").and_then(|n| r.fraction(&n));
            if share.is_some() && (st.get("after").is_some() || st.get("queue_length").is_some()) {
                r.error(
                    st.span.clone(),
                    &st.child_path("share"),
                    "a `share` route takes its contacts at arrival: give it without `after` or `queue_length`",
                );
            }
            let loc = item.loc();
            steps.extend(group.map(|group| RouteSpec {
                group,
                after,
                queue_length,
                share,
                loc,
            }));
        }
        (steps.len() == items.len()).then(|| Spanned {
            value: steps,
            loc: n.loc(),
        })
    });
    let resolution = t.get("resolution").and_then(|n| r.fraction(&n));
    let unresolved = t.get("unresolved").and_then(|n| r.unresolved(&n));
    let channel = r.optional(t, "channel", Reader::channel, Channel::Voice);
    let service_level_target = t.get("service_level_target").and_then(|n| r.fraction(&n));
    let answer_rate_target = t.get("answer_rate_target").and_then(|n| r.fraction(&n));
    let max_asa = t.get("max_asa").and_then(|n| r.duration(&n));
    let agent_selection = t
        .get("agent_selection")
        .and_then(|n| r.keyword(&n, "agent selection", &AgentSelection::ALL))
        .map(|a| a.value);
    if channel.value == Channel::Email {
        for key in ["patience", "redial"] {
            if let Some(n) = t.get(key) {
                r.error(
                    n.span.clone(),
                    &n.path,
                    format!("an email waits in the backlog and never abandons: `{key}` does not apply"),
                );
            }
        }
    }
    // Lines and queue capacity block calls; a message is left by a caller (or a chat)
    // still waiting live.
    let live_only: &[(&str, &str)] = match channel.value {
        Channel::Voice => &[],
        Channel::Chat => &[
            ("queue_capacity", "only calls are blocked by lines and queue capacity"),
            ("retry", "only a blocked call tries again, and only calls are blocked"),
            ("callback", "only a caller on the line is offered a callback"),
        ],
        Channel::Email => &[
            ("queue_capacity", "only calls are blocked by lines and queue capacity"),
            ("retry", "only a blocked call tries again, and only calls are blocked"),
            ("max_wait", "an email waits in the backlog: no one leaves a message"),
            ("callback", "only a caller on the line is offered a callback"),
        ],
    };
    for &(key, why) in live_only {
        if let Some(n) = t.get(key) {
            r.error(
                n.span.clone(),
                &n.path,
                format!(
                    "`{key}` does not apply to {} call type: {why}",
                    if channel.value == Channel::Email {
                        "an email"
                    } else {
                        "a chat"
                    }
                ),
            );
        }
    }
    Some(CallTypeSpec {
        agent_selection,
        resolution,
        unresolved,
        channel,
        service_level_target,
        answer_rate_target,
        max_asa,
        name: name?,
        arrivals: arrivals?,
        aht_per_interval,
        handle_time: handle_time?,
        patience,
        service_level_threshold,
        short_abandon,
        priority,
        head_start,
        forecast_error_cv,
        from_log,
        wrap_up,
        redial,
        retry,
        queue_capacity,
        max_wait,
        message_to,
        callback,
        routing,
    })
}

fn read_agent_group(r: &mut Reader, t: &Table) -> Option<AgentGroupSpec> {
    t.check_keys(r, keys::AGENT_GROUP);
    let name = r.required(t, "name", Reader::string);
    let agents = t.get("agents").and_then(|n| r.agents(&n));
    let shifts = t.get("shifts").and_then(|n| r.shifts(&n));
    match (t.get("agents").is_some(), t.get("shifts").is_some()) {
        (false, false) => r.error(
            t.span.clone(),
            &t.child_path("agents"),
            "give `agents` (on duty) or `shifts`",
        ),
        (true, true) => r.error(
            t.span.clone(),
            &t.child_path("shifts"),
            "give `agents` or `shifts`, not both",
        ),
        _ => {}
    }
    let shrinkage = r.optional(t, "shrinkage", Reader::fraction, 0.0);
    if shrinkage.value >= 1.0 {
        r.error(
            shrinkage.loc.span.clone(),
            &shrinkage.loc.field,
            "must be below 1 (100 % shrinkage leaves no one on duty)",
        );
    }
    let skills = r.required(t, "skills", |r, n| {
        let items = r.array(n)?;
        let skills: Vec<SkillSpec> = items.iter().filter_map(|i| r.skill(i)).collect();
        (skills.len() == items.len()).then(|| Spanned {
            value: skills,
            loc: n.loc(),
        })
    });
    let outsourced = t.get("outsourced").and_then(|n| r.boolean(&n)).is_some_and(|b| b.value);
    let cost = t.get("cost").and_then(|n| r.cost(&n));
    let (mut chat_concurrency, mut chat_slowdown) = (1, 0.0);
    if let Some(ct) = t.get("chat").and_then(|n| r.table(&n)) {
        ct.check_keys(r, keys::CHAT);
        let concurrency = r.optional(&ct, "concurrency", Reader::uint, 1);
        if !(1..=100).contains(&concurrency.value) {
            r.error(
                concurrency.loc.span.clone(),
                &concurrency.loc.field,
                format!("must be between 1 and 100 chats at once, got {}", concurrency.value),
            );
        }
        chat_concurrency = concurrency.value.clamp(1, 100) as u32;
        let slowdown = r.optional(&ct, "slowdown", Reader::float, 0.0);
        if !(0.0..=10.0).contains(&slowdown.value) {
            r.error(
                slowdown.loc.span.clone(),
                &slowdown.loc.field,
                format!(
                    "must be between 0 and 10 (0.2: each extra chat makes all 20 % slower), got {}",
                    slowdown.value
                ),
            );
        }
        chat_slowdown = slowdown.value.clamp(0.0, 10.0);
    }
    let channel_order = t.get("channel_order").and_then(|n| {
        let items = r.array(&n)?;
        let channels: Vec<Channel> = items.iter().filter_map(|i| r.channel(i).map(|c| c.value)).collect();
        if channels.len() != items.len() {
            return None;
        }
        let mut sorted = channels.clone();
        sorted.sort();
        sorted.dedup();
        if sorted.len() != channels.len() {
            r.error(n.span.clone(), &n.path, "a channel is listed twice");
            return None;
        }
        Some(Spanned {
            value: channels,
            loc: n.loc(),
        })
    });
    let roster = t.get("roster").and_then(|n| r.roster(&n));
    // `None` if `serve` is written but wrong (reported already): then nothing is said
    // about `skill_order_after`.
    let serve = match t.get("serve") {
        Some(n) => r.keyword(&n, "serve order", &ServeOrder::ALL).map(|s| s.value),
        None => Some(ServeOrder::LongestWait),
    };
    let skill_order_after = t.get("skill_order_after").and_then(|n| r.duration(&n));
    if let Some(after) = &skill_order_after
        && serve.is_some_and(|s| s != ServeOrder::SkillOrder)
    {
        let d = r.map.diagnostic(
            after.loc.span.clone(),
            &after.loc.field,
            "applies only to a group that serves its skills in order",
        );
        r.diagnostics.push(d);
        r.diagnostics.last_mut().expect("just pushed").suggestion =
            Some("add `serve = \"skill_order\"` to the group, or drop `skill_order_after`".into());
    }
    Some(AgentGroupSpec {
        serve: serve.unwrap_or(ServeOrder::LongestWait),
        skill_order_after,
        roster,
        outsourced,
        cost,
        chat_concurrency,
        chat_slowdown,
        channel_order,
        name: name?,
        agents,
        shifts,
        shrinkage: shrinkage.value,
        skills: skills?.value,
    })
}

fn read_expect(r: &mut Reader, t: &Table) -> Option<ExpectSpec> {
    t.check_keys(r, keys::EXPECT);
    let metric = r.required(t, "metric", Reader::string);
    let call_type = t.get("call_type").and_then(|n| r.string(&n));
    let group = t.get("group").and_then(|n| r.string(&n));
    let interval = t.get("interval").and_then(|n| r.string(&n));
    let min = t.get("min").and_then(|n| r.float(&n)).map(|s| s.value);
    let max = t.get("max").and_then(|n| r.float(&n)).map(|s| s.value);
    if min.is_none() && max.is_none() {
        r.error(t.span.clone(), &t.path, "an expectation needs `min`, `max` or both");
    }
    Some(ExpectSpec {
        metric: metric?,
        call_type,
        group,
        interval,
        min,
        max,
        loc: Loc {
            span: t.span.clone(),
            field: t.path.clone(),
        },
    })
}

fn placeholder<T>(value: T) -> Spanned<T> {
    Spanned {
        value,
        loc: Loc::default(),
    }
}

/// A table (or inline table) of the document, with its path.
struct Table<'a> {
    table: &'a dyn TableLike,
    path: String,
    span: Option<Range<usize>>,
}

impl<'a> Table<'a> {
    fn child_path(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_owned()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    fn get(&self, key: &str) -> Option<Node<'a>> {
        let (k, item) = self.table.get_key_value(key)?;
        let span = item.span().or_else(|| k.span());
        Some(Node {
            item: NodeItem::Item(item),
            path: self.child_path(key),
            span,
        })
    }

    /// Reports every key not in `known`, suggesting the nearest known one.
    fn check_keys(&self, r: &mut Reader, known: &[&str]) {
        for (key, _) in self.table.iter() {
            if !known.contains(&key) {
                let span = self.table.key(key).and_then(|k| k.span());
                let mut d = r.map.diagnostic(
                    span,
                    self.child_path(key),
                    format!("unknown key `{key}` (expected one of: {})", known.join(", ")),
                );
                d.suggestion = did_you_mean(key, known.iter().copied());
                r.diagnostics.push(d);
            }
        }
    }
}

enum NodeItem<'a> {
    Item(&'a Item),
    Value(&'a Value),
}

/// One value of the document, with its path and span.
struct Node<'a> {
    item: NodeItem<'a>,
    path: String,
    span: Option<Range<usize>>,
}

impl<'a> Node<'a> {
    fn value(&self) -> Option<&'a Value> {
        match self.item {
            NodeItem::Item(i) => i.as_value(),
            NodeItem::Value(v) => Some(v),
        }
    }

    fn table_like(&self) -> Option<&'a dyn TableLike> {
        match self.item {
            NodeItem::Item(i) => i.as_table_like(),
            NodeItem::Value(v) => v.as_inline_table().map(|t| t as &dyn TableLike),
        }
    }

    fn type_name(&self) -> &'static str {
        match self.item {
            NodeItem::Item(Item::Table(_)) => "a table",
            NodeItem::Item(Item::ArrayOfTables(_)) => "an array of tables",
            NodeItem::Item(Item::None) => "nothing",
            _ => match self.value() {
                Some(Value::String(_)) => "a string",
                Some(Value::Integer(_)) => "an integer",
                Some(Value::Float(_)) => "a float",
                Some(Value::Boolean(_)) => "a boolean",
                Some(Value::Datetime(_)) => "a date-time",
                Some(Value::Array(_)) => "an array",
                Some(Value::InlineTable(_)) => "a table",
                None => "nothing",
            },
        }
    }

    fn loc(&self) -> Loc {
        Loc {
            span: self.span.clone(),
            field: self.path.clone(),
        }
    }
}

/// `path`, canonical, if it lies inside `folder` (canonical); else why not. A path that
/// leads outside by its words (absolute, `..`) is refused whether or not it exists.
fn inside(path: &Path, folder: &Path) -> Result<std::path::PathBuf, String> {
    use std::path::Component;
    let mut plain = std::path::PathBuf::new();
    for part in path.components() {
        match part {
            Component::ParentDir => {
                plain.pop();
            }
            Component::CurDir => {}
            other => plain.push(other),
        }
    }
    let why = "outside the folder the workbench serves, whose scenarios may read only files inside it";
    if !plain.starts_with(folder) {
        return Err(why.into());
    }
    let canonical = path.canonicalize().map_err(|e| e.to_string())?;
    if !canonical.starts_with(folder) {
        return Err(format!("a symbolic link leads {why}"));
    }
    Ok(canonical)
}

/// The key whose value a TOML syntax error at byte `at` lies in, as far as the line
/// shows it (`scenario.duration` for `duration = 18446744073709551615` under
/// `[scenario]`); empty where the line holds no `key =` before `at`.
fn key_at(text: &str, at: usize) -> String {
    let at = at.min(text.len());
    let Some(line_start) = text.get(..at).map(|t| t.rfind('\n').map_or(0, |i| i + 1)) else {
        return String::new();
    };
    let Some((key, _)) = text[line_start..at].split_once('=') else {
        return String::new();
    };
    let key = key.trim().trim_matches('"');
    if key.is_empty() || key.contains(['[', '{', '#']) {
        return String::new();
    }
    // The nearest table header above: `[name]` or `[[name]]`.
    let table = text[..line_start].lines().rev().find_map(|l| {
        let l = l.trim();
        l.starts_with('[')
            .then(|| l.trim_matches(|c| c == '[' || c == ']').trim().to_owned())
    });
    match table {
        Some(t) if !t.is_empty() => format!("{t}.{key}"),
        _ => key.to_owned(),
    }
}

/// Converts nodes to typed values, collecting diagnostics instead of stopping.
struct Reader<'m> {
    map: &'m SourceMap,
    /// Folder of the scenario file: CSV files are found relative to it.
    base: std::path::PathBuf,
    /// The folder (canonical) the files read must lie in, if confined.
    within: Option<&'m Path>,
    diagnostics: Vec<Diagnostic>,
    /// [`Scenario::inputs_digest`] so far.
    inputs_digest: u64,
    /// Each CSV column read (file as found, column), for the references that name it
    /// again: a file is read once per column, however many references name it (`None`:
    /// it was refused, with a message, when first named).
    csv_columns: HashMap<(std::path::PathBuf, String), Option<Vec<f64>>>,
    /// CSV bytes read so far ([`crate::input::MAX_CSV_BYTES_READ`]), and numbers taken
    /// at every reference ([`crate::input::MAX_CSV_VALUES`]).
    csv_bytes_read: u64,
    csv_values: u64,
}

type Read<T> = Option<Spanned<T>>;

impl Reader<'_> {
    fn error(&mut self, span: Option<Range<usize>>, field: &str, message: impl Into<String>) {
        let d = self.map.diagnostic(span, field, message);
        self.diagnostics.push(d);
    }

    fn expected(&mut self, n: &Node, what: &str) {
        let got = n.type_name();
        self.error(n.span.clone(), &n.path, format!("expected {what}, got {got}"));
    }

    fn ok<T>(n: &Node, value: T) -> Read<T> {
        Some(Spanned { value, loc: n.loc() })
    }

    fn required<T>(&mut self, t: &Table, key: &str, read: impl FnOnce(&mut Self, &Node) -> Read<T>) -> Read<T> {
        match t.get(key) {
            Some(n) => read(self, &n),
            None => {
                self.error(
                    t.span.clone(),
                    &t.child_path(key),
                    format!("missing required key `{key}`"),
                );
                None
            }
        }
    }

    /// Reads `key` if present; on absence or error falls back to `default` (the error is
    /// recorded, so the file is rejected anyway).
    fn optional<T>(
        &mut self,
        t: &Table,
        key: &str,
        read: impl FnOnce(&mut Self, &Node) -> Read<T>,
        default: T,
    ) -> Spanned<T> {
        t.get(key).and_then(|n| read(self, &n)).unwrap_or_else(|| Spanned {
            value: default,
            loc: Loc {
                span: t.span.clone(),
                field: t.child_path(key),
            },
        })
    }

    fn table<'a>(&mut self, n: &Node<'a>) -> Option<Table<'a>> {
        match n.table_like() {
            Some(table) => Some(Table {
                table,
                path: n.path.clone(),
                span: n.span.clone(),
            }),
            None => {
                self.expected(n, "a table");
                None
            }
        }
    }

    fn array<'a>(&mut self, n: &Node<'a>) -> Option<Vec<Node<'a>>> {
        match n.value() {
            Some(Value::Array(a)) => Some(
                a.iter()
                    .enumerate()
                    .map(|(i, v)| Node {
                        item: NodeItem::Value(v),
                        path: format!("{}[{i}]", n.path),
                        span: v.span(),
                    })
                    .collect(),
            ),
            _ => {
                self.expected(n, "an array");
                None
            }
        }
    }

    /// `[[key]]` tables of the root, each read by `read`.
    fn tables_of<T>(
        &mut self,
        root: &Table,
        key: &str,
        required: bool,
        read: fn(&mut Self, &Table) -> Option<T>,
    ) -> Vec<T> {
        let Some(node) = root.get(key) else {
            if required {
                self.error(None, key, format!("the scenario needs at least one [[{key}]] table"));
            }
            return Vec::new();
        };
        let NodeItem::Item(Item::ArrayOfTables(tables)) = node.item else {
            self.expected(&node, &format!("[[{key}]] tables"));
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, table) in tables.iter().enumerate() {
            let t = Table {
                table,
                path: format!("{key}[{i}]"),
                span: table.span(),
            };
            out.extend(read(self, &t));
        }
        out
    }

    fn string(&mut self, n: &Node) -> Read<String> {
        match n.value() {
            Some(Value::String(s)) => {
                // Names end up in terminals, JUnit XML and spreadsheets: printable only.
                if let Some(why) = crate::error::unprintable(s.value()) {
                    self.error(n.span.clone(), &n.path, format!("must be printable text: {why}"));
                    return None;
                }
                Reader::ok(n, s.value().clone())
            }
            _ => {
                self.expected(n, "a string");
                None
            }
        }
    }

    /// A finite number (integer or float).
    fn float(&mut self, n: &Node) -> Read<f64> {
        let v = match n.value() {
            Some(Value::Float(f)) => *f.value(),
            Some(Value::Integer(i)) => *i.value() as f64,
            _ => {
                self.expected(n, "a number");
                return None;
            }
        };
        if !v.is_finite() {
            self.error(n.span.clone(), &n.path, format!("must be a finite number, got {v}"));
            return None;
        }
        Reader::ok(n, v)
    }

    fn uint(&mut self, n: &Node) -> Read<u64> {
        match n.value() {
            Some(Value::Integer(i)) if *i.value() >= 0 => Reader::ok(n, *i.value() as u64),
            Some(Value::Integer(i)) => {
                self.error(n.span.clone(), &n.path, format!("must be ≥ 0, got {}", i.value()));
                None
            }
            _ => {
                self.expected(n, "a whole number");
                None
            }
        }
    }

    /// A whole number, possibly negative.
    fn int(&mut self, n: &Node) -> Read<i64> {
        match n.value() {
            Some(Value::Integer(i)) => Reader::ok(n, *i.value()),
            _ => {
                self.expected(n, "a whole number");
                None
            }
        }
    }

    /// A skill: `"billing"` or `{ call_type = "billing", factor = 1.2 }`.
    fn skill(&mut self, n: &Node) -> Option<SkillSpec> {
        if let Some(Value::String(_)) = n.value() {
            return Some(SkillSpec {
                call_type: self.string(n)?,
                factor: 1.0,
                resolution: None,
            });
        }
        if n.table_like().is_none() {
            self.expected(n, "a call type name or { call_type = \"…\", factor = … }");
            return None;
        }
        let t = self.table(n)?;
        t.check_keys(self, keys::SKILL);
        let resolution = t.get("resolution").and_then(|n| self.fraction(&n)).map(|r| r.value);
        let call_type = self.required(&t, "call_type", Reader::string);
        let factor = self.optional(&t, "factor", Reader::float, 1.0);
        if !(factor.value > 0.0 && factor.value <= 100.0) {
            self.error(
                factor.loc.span.clone(),
                &factor.loc.field,
                format!("must be > 0 and at most 100, got {}", factor.value),
            );
        }
        Some(SkillSpec {
            call_type: call_type?,
            factor: factor.value,
            resolution,
        })
    }

    /// `forecast_error = { cv = 0.1 }`: the CV of a day-level volume multiplier, 0 to 2.
    fn forecast_error(&mut self, n: &Node) -> Read<f64> {
        let t = self.table(n)?;
        t.check_keys(self, keys::FORECAST_ERROR);
        let cv = self.required(&t, "cv", Reader::float)?;
        if !(0.0..=2.0).contains(&cv.value) {
            self.error(
                cv.loc.span.clone(),
                &cv.loc.field,
                format!("must be between 0 and 2, got {}", cv.value),
            );
            return None;
        }
        Some(cv)
    }

    /// `from_log = { types = ["PS"], calls = "priority" }`: the log types and the class
    /// of their calls (`regular`, `priority` or `all`) a fitted call type stands for.
    fn log_source(&mut self, n: &Node) -> Read<crate::model::FromLog> {
        let t = self.table(n)?;
        t.check_keys(self, keys::FROM_LOG);
        let types = self.required(&t, "types", |r, n| {
            let items = r.array(n)?;
            let names: Vec<String> = items.iter().filter_map(|i| r.string(i).map(|s| s.value)).collect();
            (names.len() == items.len()).then(|| Spanned {
                value: names,
                loc: n.loc(),
            })
        })?;
        let calls = self.required(&t, "calls", Reader::string)?;
        let class = match calls.value.as_str() {
            "regular" => crate::model::LogClass::Regular,
            "priority" => crate::model::LogClass::Priority,
            "all" => crate::model::LogClass::All,
            other => {
                self.error(
                    calls.loc.span.clone(),
                    &calls.loc.field,
                    format!("expected `regular`, `priority` or `all`, got `{other}`"),
                );
                return None;
            }
        };
        Reader::ok(
            n,
            crate::model::FromLog {
                types: types.value,
                calls: class,
            },
        )
    }

    /// One of the keywords of `all` (a `what`, e.g. "serve order"), with a "did you mean".
    fn keyword<T: Copy>(&mut self, n: &Node, what: &str, all: &[(T, &'static str)]) -> Read<T> {
        let name = self.string(n)?;
        match all.iter().find(|(_, k)| *k == name.value) {
            Some(&(value, _)) => Reader::ok(n, value),
            None => {
                let names: Vec<&str> = all.iter().map(|(_, k)| *k).collect();
                let d = self.map.diagnostic(
                    n.span.clone(),
                    &n.path,
                    format!(
                        "unknown {what} `{}` (expected one of: {})",
                        name.value,
                        names.join(", ")
                    ),
                );
                self.diagnostics.push(d);
                if let Some(s) = did_you_mean(&name.value, names) {
                    self.diagnostics.last_mut().expect("just pushed").suggestion = Some(s);
                }
                None
            }
        }
    }

    /// `"voice"`, `"chat"` or `"email"`.
    fn channel(&mut self, n: &Node) -> Read<Channel> {
        let name = self.string(n)?;
        match Channel::ALL.iter().find(|c| c.name() == name.value) {
            Some(&c) => Reader::ok(n, c),
            None => {
                let names = Channel::ALL.map(Channel::name);
                let d = self.map.diagnostic(
                    n.span.clone(),
                    &n.path,
                    format!("unknown channel `{}` (expected one of: voice, chat, email)", name.value),
                );
                self.diagnostics.push(d);
                if let Some(s) = did_you_mean(&name.value, names) {
                    self.diagnostics.last_mut().expect("just pushed").suggestion = Some(s);
                }
                None
            }
        }
    }

    fn boolean(&mut self, n: &Node) -> Read<bool> {
        match n.value() {
            Some(Value::Boolean(b)) => Reader::ok(n, *b.value()),
            _ => {
                self.expected(n, "true or false");
                None
            }
        }
    }

    /// `at_close = "serve"` or `"disconnect"`.
    fn at_close(&mut self, n: &Node) -> Read<AtClose> {
        let name = self.string(n)?;
        match AtClose::NAMES.iter().position(|&x| x == name.value) {
            Some(0) => Reader::ok(n, AtClose::Serve),
            Some(_) => Reader::ok(n, AtClose::Disconnect),
            None => {
                let d = self.map.diagnostic(
                    n.span.clone(),
                    &n.path,
                    format!(
                        "unknown value `{}`: at the close, calls and chats still waiting are served (`serve`, the drain) or disconnected (`disconnect`)",
                        name.value
                    ),
                );
                self.diagnostics.push(d);
                if let Some(s) = did_you_mean(&name.value, AtClose::NAMES) {
                    self.diagnostics.last_mut().expect("just pushed").suggestion = Some(s);
                }
                None
            }
        }
    }

    /// A queue capacity: a whole number of waiting calls, 0 (no one waits) up to
    /// [`limits::MAX_WAITING`].
    fn queue_capacity(&mut self, n: &Node) -> Read<u64> {
        let c = self.uint(n)?;
        if c.value > limits::MAX_WAITING as u64 {
            self.error(
                n.span.clone(),
                &n.path,
                format!(
                    "must be at most {} (the most contacts a replication holds waiting), got {}",
                    limits::MAX_WAITING,
                    c.value
                ),
            );
            return None;
        }
        Some(c)
    }

    /// `max_wait = { after = DURATION, outcome = "message" }`: the wait after which a
    /// caller leaves a message; `after` > 0.
    fn max_wait(&mut self, n: &Node) -> Read<f64> {
        let t = self.table(n)?;
        t.check_keys(self, keys::MAX_WAIT);
        let after = self.required(&t, "after", Reader::signed_duration);
        let outcome = self.required(&t, "outcome", Reader::string);
        if let Some(o) = &outcome
            && o.value != "message"
        {
            let d = self.map.diagnostic(
                o.loc.span.clone(),
                &o.loc.field,
                format!(
                    "unknown outcome `{}`: a caller who has waited `after` leaves a `message`",
                    o.value
                ),
            );
            self.diagnostics.push(d);
            if let Some(s) = did_you_mean(&o.value, ["message"]) {
                self.diagnostics.last_mut().expect("just pushed").suggestion = Some(s);
            }
            return None;
        }
        let after = after?;
        if after.value <= 0.0 || after.value > 30.0 * 86400.0 {
            self.error(
                after.loc.span.clone(),
                &after.loc.field,
                format!(
                    "must be a duration above 0 and at most 30 days, got {}",
                    duration_text(after.value)
                ),
            );
            return None;
        }
        outcome?;
        Some(Spanned {
            value: after.value,
            loc: n.loc(),
        })
    }

    /// `callback = { predicted_wait_over = DURATION, after = DURATION, accept = P, answer
    /// = Q, mode = "keep_place" | "scheduled", delay = DURATION, no_answer_time =
    /// DURATION }`: at least one of `predicted_wait_over` and `after`; `accept` required;
    /// `delay` only (and required) with `mode = "scheduled"`.
    fn callback(&mut self, n: &Node) -> Read<CallbackSpec> {
        let t = self.table(n)?;
        t.check_keys(self, keys::CALLBACK);
        let bounded = |r: &mut Self, key: &str, above_zero: bool| -> Option<Option<f64>> {
            let Some(node) = t.get(key) else {
                return Some(None);
            };
            let d = r.signed_duration(&node)?;
            let low_ok = if above_zero { d.value > 0.0 } else { d.value >= 0.0 };
            if !low_ok || d.value > 30.0 * 86400.0 {
                r.error(
                    d.loc.span.clone(),
                    &d.loc.field,
                    format!(
                        "must be a duration {} and at most 30 days, got {}",
                        if above_zero { "above 0" } else { "≥ 0" },
                        duration_text(d.value)
                    ),
                );
                return None;
            }
            Some(Some(d.value))
        };
        let predicted = bounded(self, "predicted_wait_over", false);
        let after = bounded(self, "after", false);
        let delay = bounded(self, "delay", false);
        let no_answer_time = bounded(self, "no_answer_time", false);
        let accept = self.required(&t, "accept", Reader::fraction);
        let answer = self.optional(&t, "answer", Reader::fraction, 1.0).value;
        let mode = match t.get("mode") {
            None => Some(CallbackMode::KeepPlace),
            Some(m) => {
                let text = self.string(&m)?;
                match text.value.as_str() {
                    "keep_place" => Some(CallbackMode::KeepPlace),
                    "scheduled" => Some(CallbackMode::Scheduled),
                    other => {
                        let d = self.map.diagnostic(
                            text.loc.span.clone(),
                            &text.loc.field,
                            format!(
                                "unknown mode `{other}`: `keep_place` (the callback keeps the caller's place in the queue) or `scheduled` (it joins the queue `delay` after it was accepted)"
                            ),
                        );
                        self.diagnostics.push(d);
                        if let Some(s) = did_you_mean(other, ["keep_place", "scheduled"]) {
                            self.diagnostics.last_mut().expect("just pushed").suggestion = Some(s);
                        }
                        None
                    }
                }
            }
        };
        let (predicted, after, delay, no_answer_time, mode) = (predicted?, after?, delay?, no_answer_time?, mode?);
        if predicted.is_none() && after.is_none() {
            self.error(
                t.span.clone(),
                &t.child_path("predicted_wait_over"),
                "give `predicted_wait_over` (offered at arrival when the predicted wait exceeds it) or `after` (offered to a caller who has waited that long), or both",
            );
            return None;
        }
        match (mode, delay) {
            (CallbackMode::Scheduled, None) => {
                self.error(
                    t.span.clone(),
                    &t.child_path("delay"),
                    "a `scheduled` callback needs `delay`: how long after it was accepted it joins the queue",
                );
                return None;
            }
            (CallbackMode::KeepPlace, Some(_)) => {
                let node = t.get("delay").expect("delay was read");
                self.error(
                    node.span.clone(),
                    &node.path,
                    "`delay` goes with `mode = \"scheduled\"`: a `keep_place` callback keeps the caller's place in the queue",
                );
                return None;
            }
            _ => {}
        }
        Some(Spanned {
            value: CallbackSpec {
                predicted_wait_over: predicted,
                after,
                accept: accept?.value,
                answer,
                mode,
                delay: delay.unwrap_or(0.0),
                no_answer_time: no_answer_time.unwrap_or(30.0),
            },
            loc: n.loc(),
        })
    }

    /// `{ escalate_to = "tier2" }` or `{ repeat_after = { dist = … }, probability = 0.8 }`.
    fn unresolved(&mut self, n: &Node) -> Read<UnresolvedSpec> {
        let t = self.table(n)?;
        t.check_keys(self, keys::UNRESOLVED);
        let spec = match (t.get("escalate_to"), t.get("repeat_after")) {
            (Some(to), None) => {
                if t.get("probability").is_some() {
                    self.error(
                        t.span.clone(),
                        &t.child_path("probability"),
                        "`probability` goes with `repeat_after` (an escalation always happens)",
                    );
                }
                UnresolvedSpec::Escalate { to: self.string(&to)? }
            }
            (None, Some(after)) => {
                let probability = self.optional(&t, "probability", Reader::fraction, 1.0).value;
                UnresolvedSpec::Repeat {
                    after: self.dist(&after)?,
                    probability,
                }
            }
            _ => {
                self.error(
                    t.span.clone(),
                    &t.path,
                    "give `escalate_to` (a call type) or `repeat_after` (a delay distribution), exactly one",
                );
                return None;
            }
        };
        Reader::ok(n, spec)
    }

    /// `{ per_hour = 28, overtime_per_hour = 42 }`, `{ per_call = 4.5 }` or
    /// `{ per_minute = 0.9 }`, each with an optional `minimum_monthly`.
    fn cost(&mut self, n: &Node) -> Read<CostSpec> {
        let t = self.table(n)?;
        t.check_keys(self, keys::COST);
        let price = |r: &mut Self, key: &str| t.get(key).and_then(|n| r.non_negative(&n));
        let (per_hour, per_call, per_minute) = (
            price(self, "per_hour"),
            price(self, "per_call"),
            price(self, "per_minute"),
        );
        let overtime = price(self, "overtime_per_hour");
        let minimum_monthly = price(self, "minimum_monthly").unwrap_or(0.0);
        let given = ["per_hour", "per_call", "per_minute"]
            .iter()
            .filter(|key| t.get(key).is_some())
            .count();
        if given != 1 {
            self.error(
                t.span.clone(),
                &t.path,
                "give exactly one of `per_hour` (paid hours), `per_call` (handled calls) or `per_minute` (handled minutes)",
            );
            return None;
        }
        if overtime.is_some() && per_hour.is_none() {
            self.error(
                t.span.clone(),
                &t.child_path("overtime_per_hour"),
                "`overtime_per_hour` goes with `per_hour`",
            );
            return None;
        }
        let spec = match (per_hour, per_call, per_minute) {
            (Some(rate), _, _) => CostSpec::PerHour {
                rate,
                overtime: overtime.unwrap_or(rate),
                minimum_monthly,
            },
            (_, Some(price), _) => CostSpec::PerCall { price, minimum_monthly },
            (_, _, Some(price)) => CostSpec::PerMinute { price, minimum_monthly },
            (None, None, None) => return None,
        };
        Reader::ok(n, spec)
    }

    /// Shift patterns of a roster: shifts without `agents`.
    fn roster_shifts(&mut self, n: &Node) -> Option<Vec<Spanned<ShiftSpec>>> {
        let items = self.array(n)?;
        let shifts = self.shift_list(n, false)?.value;
        Some(
            shifts
                .into_iter()
                .zip(&items)
                .map(|(value, item)| Spanned { value, loc: item.loc() })
                .collect(),
        )
    }

    /// The tables of an array: inline (`key = [{ … }, { … }]`) or `[[…key]]` tables.
    fn table_items<'a>(&mut self, n: &Node<'a>) -> Option<Vec<Table<'a>>> {
        if let NodeItem::Item(Item::ArrayOfTables(tables)) = n.item {
            return Some(
                tables
                    .iter()
                    .enumerate()
                    .map(|(i, table)| Table {
                        table,
                        path: format!("{}[{i}]", n.path),
                        span: table.span(),
                    })
                    .collect(),
            );
        }
        let items = self.array(n)?;
        let tables: Vec<Table<'a>> = items.iter().filter_map(|i| self.table(i)).collect();
        (tables.len() == items.len()).then_some(tables)
    }

    /// `roster = { patterns = [...], shifts = [...], contracts = [...], min_rest = "11h", … }`
    /// (or an `[agent_group.roster]` table).
    fn roster(&mut self, n: &Node) -> Read<RosterSpec> {
        let rt = self.table(n)?;
        rt.check_keys(self, keys::ROSTER);
        let patterns = match rt.get("patterns") {
            Some(p) => self
                .table_items(&p)
                .map(|tables| tables.iter().filter_map(|t| self.pattern(t)).collect::<Vec<_>>()),
            None => Some(Vec::new()),
        };
        let shifts = match rt.get("shifts") {
            Some(sn) => self.roster_shifts(&sn),
            None => Some(Vec::new()),
        };
        let contracts = match rt.get("contracts") {
            Some(c) => self.table_items(&c).map(|tables| {
                tables
                    .iter()
                    .enumerate()
                    .filter_map(|(i, t)| self.contract(t, i))
                    .collect::<Vec<_>>()
            }),
            None => Some(Vec::new()),
        };
        let min_rest = self.optional(&rt, "min_rest", Reader::duration, 11.0 * 3600.0);
        let max_part_time = self.optional(&rt, "max_part_time", Reader::fraction, 1.0).value;
        let part_time_below = self
            .optional(&rt, "part_time_below", Reader::duration, 6.0 * 3600.0)
            .value;
        let time_limit = self.optional(&rt, "time_limit", Reader::duration, 60.0);
        let max_nodes = self.optional(&rt, "max_nodes", Reader::uint, 5000);
        let gap = self.optional(&rt, "gap", Reader::fraction, 0.0).value;
        Some(Spanned {
            value: RosterSpec {
                patterns: patterns?,
                shifts: shifts?,
                contracts: contracts?,
                min_rest,
                part_time_below,
                max_part_time,
                time_limit,
                max_nodes,
                gap,
            },
            loc: n.loc(),
        })
    }

    /// `{ name = "day", starts = { from = "07:00", to = "12:00", every = "30m" },
    /// lengths = ["8h30m", "6h"], breaks = [{ duration = "30m", paid = false, after = "3h",
    /// before = "5h" }] }`.
    fn pattern(&mut self, t: &Table) -> Option<Spanned<PatternSpec>> {
        t.check_keys(self, keys::PATTERN);
        let name = t.get("name").and_then(|n| self.string(&n)).map(|s| s.value);
        let starts = self.required(t, "starts", Reader::starts);
        let lengths = self.required(t, "lengths", |r, n| {
            let items = match n.value() {
                Some(Value::Array(_)) => r.array(n)?,
                _ => {
                    let one = Node {
                        item: NodeItem::Value(n.value()?),
                        path: n.path.clone(),
                        span: n.span.clone(),
                    };
                    vec![one]
                }
            };
            let lengths: Vec<Spanned<f64>> = items.iter().filter_map(|i| r.duration(i)).collect();
            (lengths.len() == items.len()).then(|| Spanned {
                value: lengths,
                loc: n.loc(),
            })
        });
        let breaks = match t.get("breaks") {
            Some(b) => self
                .table_items(&b)
                .map(|tables| tables.iter().filter_map(|bt| self.break_rule(bt)).collect::<Vec<_>>()),
            None => Some(Vec::new()),
        };
        Some(Spanned {
            value: PatternSpec {
                name,
                starts: starts?,
                lengths: lengths?.value,
                breaks: breaks?,
            },
            loc: Loc {
                span: t.span.clone(),
                field: t.path.clone(),
            },
        })
    }

    /// `"08:00"`, `["07:00", "09:30"]` or `{ from = "07:00", to = "12:00", every = "30m" }`.
    fn starts(&mut self, n: &Node) -> Read<StartsSpec> {
        match n.value() {
            Some(Value::String(_)) => {
                let t = self.clock_time(n)?.value;
                Reader::ok(n, StartsSpec::Times(vec![t]))
            }
            Some(Value::Array(_)) => {
                let items = self.array(n)?;
                if items.is_empty() {
                    self.error(n.span.clone(), &n.path, "lists no start time");
                    return None;
                }
                let times: Vec<f64> = items
                    .iter()
                    .filter_map(|i| self.clock_time(i).map(|t| t.value))
                    .collect();
                (times.len() == items.len()).then(|| Spanned {
                    value: StartsSpec::Times(times),
                    loc: n.loc(),
                })
            }
            _ => {
                let t = self.table(n)?;
                t.check_keys(self, keys::STARTS);
                let from = self.required(&t, "from", Reader::clock_time);
                let to = self.required(&t, "to", Reader::clock_time);
                let every = self.optional(&t, "every", Reader::duration, 1800.0);
                Reader::ok(
                    n,
                    StartsSpec::Every {
                        from: from?.value,
                        to: to?.value,
                        every,
                    },
                )
            }
        }
    }

    /// `{ duration = "30m", paid = false, after = "3h", before = "5h", every = "15m" }`.
    fn break_rule(&mut self, t: &Table) -> Option<Spanned<BreakRuleSpec>> {
        t.check_keys(self, keys::BREAK_RULE);
        let duration = self.required(t, "duration", Reader::duration);
        let after = self.required(t, "after", Reader::duration);
        let before = self.required(t, "before", Reader::duration);
        let paid = self.optional(t, "paid", Reader::boolean, true).value;
        let every = self.optional(t, "every", Reader::duration, 900.0);
        Some(Spanned {
            value: BreakRuleSpec {
                duration: duration?,
                paid,
                after: after?,
                before: before?,
                every,
            },
            loc: Loc {
                span: t.span.clone(),
                field: t.path.clone(),
            },
        })
    }

    /// `{ name = "part-time", days = 4, max_hours = 24, max_share = 0.3 }`.
    fn contract(&mut self, t: &Table, i: usize) -> Option<Spanned<ContractSpec>> {
        t.check_keys(self, keys::CONTRACT);
        let name = t.get("name").and_then(|n| self.string(&n)).map(|s| s.value);
        let days = self.optional(t, "days", Reader::uint, 5);
        let consecutive_days_off = self.optional(t, "consecutive_days_off", Reader::boolean, true).value;
        let hours = |r: &mut Self, n: &Node| {
            let v = r.non_negative(n)?;
            Reader::ok(n, v)
        };
        let min_hours = self.optional(t, "min_hours", hours, 0.0);
        let max_hours = t.get("max_hours").and_then(|n| hours(self, &n));
        let min_share = self.optional(t, "min_share", Reader::fraction, 0.0);
        let max_share = self.optional(t, "max_share", Reader::fraction, 1.0);
        Some(Spanned {
            value: ContractSpec {
                name: name.unwrap_or_else(|| format!("contract {}", i + 1)),
                days,
                consecutive_days_off,
                min_hours,
                max_hours,
                min_share,
                max_share,
            },
            loc: Loc {
                span: t.span.clone(),
                field: t.path.clone(),
            },
        })
    }

    /// `shifts = [{ start = "08:00", end = "16:30", agents = 12, breaks = [{ start = "12:00", duration = "30m" }] }]`.
    fn shifts(&mut self, n: &Node) -> Read<Vec<ShiftSpec>> {
        self.shift_list(n, true)
    }

    fn shift_list(&mut self, n: &Node, with_agents: bool) -> Read<Vec<ShiftSpec>> {
        let items = self.array(n)?;
        let mut shifts = Vec::new();
        for item in &items {
            let Some(t) = self.table(item) else { continue };
            // A roster's shifts have no `agents` or `days`: the roster decides them.
            let known: Vec<&str> = keys::SHIFT
                .iter()
                .copied()
                .filter(|k| with_agents || !["agents", "days"].contains(k))
                .collect();
            t.check_keys(self, &known);
            let start = self.required(&t, "start", Reader::clock_time);
            let end = self.required(&t, "end", Reader::clock_time);
            let headcount = if with_agents {
                self.required(&t, "agents", Reader::uint)
            } else {
                Some(placeholder(0))
            };
            let mut breaks = Vec::new();
            if let Some(b) = t.get("breaks") {
                for bn in self.array(&b).unwrap_or_default() {
                    let Some(bt) = self.table(&bn) else { continue };
                    bt.check_keys(self, keys::BREAK);
                    let bs = self.required(&bt, "start", Reader::clock_time);
                    let bd = self.required(&bt, "duration", Reader::duration);
                    let paid = self.optional(&bt, "paid", Reader::boolean, true);
                    if let (Some(bs), Some(bd)) = (bs, bd) {
                        breaks.push(BreakSpec {
                            start: bs.value,
                            duration: bd.value,
                            paid: paid.value,
                        });
                    }
                }
            }
            let days = match t.get("days").filter(|_| with_agents) {
                Some(d) => {
                    let items = self.array(&d).unwrap_or_default();
                    let days: Vec<i64> = items
                        .iter()
                        .filter_map(|i| self.uint(i))
                        .map(|v| v.value as i64)
                        .collect();
                    if items.is_empty() {
                        self.error(d.span.clone(), &d.path, "lists no day");
                    }
                    (days.len() == items.len() && !items.is_empty()).then_some(days)
                }
                None => Some(Vec::new()),
            };
            if let (Some(start), Some(end), Some(headcount), Some(days)) = (start, end, headcount, days) {
                shifts.push(ShiftSpec {
                    start: start.value,
                    end: end.value,
                    headcount: headcount.value,
                    breaks,
                    days: t.get("days").filter(|_| with_agents).map(|_| days),
                });
            }
        }
        (shifts.len() == items.len()).then(|| Spanned {
            value: shifts,
            loc: n.loc(),
        })
    }

    /// A fraction: a number from 0 to 1, or a percentage string ("80%"). A number above
    /// 1 and at most 100 is a percentage written as a number (`shrinkage = 30`): refused,
    /// with the fraction to write in the help.
    fn fraction(&mut self, n: &Node) -> Read<f64> {
        let value = match n.value() {
            Some(Value::String(s)) => match parse_percentage(s.value()) {
                Ok(v) => v,
                Err(message) => {
                    self.error(n.span.clone(), &n.path, message);
                    return None;
                }
            },
            Some(Value::Integer(_) | Value::Float(_)) => self.float(n)?.value,
            _ => {
                self.expected(n, "a fraction from 0 to 1 (0.8) or a percentage (\"80%\")");
                return None;
            }
        };
        if (0.0..=1.0).contains(&value) {
            return Reader::ok(n, value);
        }
        let mut d = self
            .map
            .diagnostic(n.span.clone(), &n.path, format!("must be between 0 and 1, got {value}"));
        if value > 1.0 && value <= 100.0 {
            d.suggestion = Some(format!("write {} (or \"{value}%\")", fraction_text(value / 100.0)));
        }
        self.diagnostics.push(d);
        None
    }

    /// A duration: a string with units ("20s", "6 min", "1h30m", see [`parse_duration`])
    /// or a number of seconds, ≥ 0.
    fn duration(&mut self, n: &Node) -> Read<f64> {
        let d = self.signed_duration(n)?;
        if d.value < 0.0 {
            self.error(
                n.span.clone(),
                &n.path,
                format!("must be a duration ≥ 0, got {}", d.value),
            );
            return None;
        }
        Some(d)
    }

    /// A finite duration of either sign: for values whose own rule (such as "must be >
    /// 0") says what is wrong with a negative one.
    fn signed_duration(&mut self, n: &Node) -> Read<f64> {
        let seconds = match n.value() {
            Some(Value::String(s)) => parse_duration(s.value()),
            Some(Value::Integer(i)) => Ok(*i.value() as f64),
            Some(Value::Float(f)) => Ok(*f.value()),
            _ => {
                self.expected(
                    n,
                    "a duration such as \"20s\", \"5m\", \"1h30m\" or a number of seconds",
                );
                return None;
            }
        };
        match seconds {
            Ok(s) if s.is_finite() => Reader::ok(n, s),
            Ok(s) => {
                self.error(n.span.clone(), &n.path, format!("must be a finite duration, got {s}"));
                None
            }
            Err(message) => {
                let mut d = self.map.diagnostic(n.span.clone(), &n.path, message);
                d.suggestion = Some(DURATION_GRAMMAR.into());
                self.diagnostics.push(d);
                None
            }
        }
    }

    /// A clock time "HH:MM" or "HH:MM:SS", as seconds after midnight.
    fn clock_time(&mut self, n: &Node) -> Read<f64> {
        let parsed = match n.value() {
            Some(Value::String(s)) => parse_clock_time(s.value()),
            _ => None,
        };
        match parsed {
            Some(seconds) => Reader::ok(n, seconds),
            None => {
                self.error(
                    n.span.clone(),
                    &n.path,
                    "expected a clock time \"HH:MM\" (00:00 to 23:59)",
                );
                None
            }
        }
    }

    /// The forecast: `per_hour`, `per_interval` or `csv` + `column`; optionally the
    /// average handle time per interval (`aht_per_interval`, or `aht_column` of the CSV).
    #[allow(clippy::type_complexity)]
    fn arrivals(&mut self, n: &Node) -> Read<(Spanned<ArrivalSpec>, Option<Spanned<Vec<f64>>>)> {
        let t = self.table(n)?;
        t.check_keys(self, keys::ARRIVALS);
        let given = ["per_hour", "per_interval", "csv"]
            .iter()
            .filter(|k| t.get(k).is_some())
            .count();
        if given != 1 {
            self.error(
                n.span.clone(),
                &n.path,
                "give exactly one of `per_hour`, `per_interval` or `csv` (with `column`)",
            );
            return None;
        }
        let mut aht = None;
        let spec = if let Some(h) = t.get("per_hour") {
            ArrivalSpec::PerHour(self.non_negative(&h)?)
        } else if let Some(p) = t.get("per_interval") {
            ArrivalSpec::PerInterval(self.numbers(&p)?)
        } else {
            let file = self.required(&t, "csv", Reader::string)?;
            let column = self.required(&t, "column", Reader::string)?;
            let values = self.csv_column(&file, &column)?;
            if let Some(aht_column) = t.get("aht_column").and_then(|c| self.string(&c)) {
                aht = Some(Spanned {
                    value: self.csv_column(&file, &aht_column)?,
                    loc: aht_column.loc,
                });
            }
            ArrivalSpec::PerInterval(values)
        };
        if let Some(a) = t.get("aht_per_interval") {
            aht = Some(Spanned {
                value: self.numbers(&a)?,
                loc: a.loc(),
            });
        }
        Reader::ok(n, (Reader::ok(n, spec)?, aht))
    }

    /// An array of numbers ≥ 0.
    fn numbers(&mut self, n: &Node) -> Option<Vec<f64>> {
        let items = self.array(n)?;
        let values: Vec<f64> = items.iter().filter_map(|i| self.non_negative(i)).collect();
        (values.len() == items.len()).then_some(values)
    }

    /// One column of numbers ≥ 0 from a CSV file with a header row (path relative to the
    /// scenario file); errors point at the key that names the file or the column.
    fn csv_column(&mut self, file: &Spanned<String>, column: &Spanned<String>) -> Option<Vec<f64>> {
        let path = self.base.join(&file.value);
        let key = (path.clone(), column.value.clone());
        let values = match self.csv_columns.get(&key) {
            Some(Some(values)) => values.clone(),
            // Refused when first named (with its message): not read again.
            Some(None) => return None,
            None => {
                let values = self.read_csv_column(&path, file, column);
                self.csv_columns.insert(key, values.clone());
                values?
            }
        };
        self.csv_values += values.len() as u64;
        if self.csv_values > crate::input::MAX_CSV_VALUES {
            self.error(
                column.loc.span.clone(),
                &column.loc.field,
                format!(
                    "the CSV columns named up to here hold {} numbers in all (each reference counts): ccsim takes at most {} from CSV files per scenario (see Limits in docs/scenarios.md)",
                    self.csv_values,
                    crate::input::MAX_CSV_VALUES
                ),
            );
            return None;
        }
        // What was read enters the digest (FNV-1a over the path as written, the column
        // and the values' bits), so a changed file changes it.
        let mut digest = if self.inputs_digest == 0 {
            0xCBF2_9CE4_8422_2325
        } else {
            self.inputs_digest
        };
        let names = [file.value.as_bytes(), &[0], column.value.as_bytes(), &[0]].concat();
        let bits = values.iter().flat_map(|v| v.to_bits().to_le_bytes());
        for byte in names.into_iter().chain(bits) {
            digest ^= u64::from(byte);
            digest = digest.wrapping_mul(0x0000_0100_0000_01B3);
        }
        self.inputs_digest = digest.max(1);
        Some(values)
    }

    /// Reads one column of [`Reader::csv_column`] from its file (`path`), within the
    /// bytes and numbers a scenario may take from CSV files.
    fn read_csv_column(&mut self, path: &Path, file: &Spanned<String>, column: &Spanned<String>) -> Option<Vec<f64>> {
        let opened = match self.within {
            Some(folder) => inside(path, folder),
            None => Ok(path.to_path_buf()),
        }
        .and_then(|readable| {
            let reader = crate::input::open(&readable, "CSV file", crate::input::MAX_CSV_BYTES)?;
            let size = std::fs::metadata(&readable)
                .map_err(|e| e.to_string())?
                .len()
                .min(crate::input::MAX_CSV_BYTES);
            if self.csv_bytes_read + size > crate::input::MAX_CSV_BYTES_READ {
                return Err(format!(
                    "the CSV columns named up to here read {} in all: ccsim reads at most {} of CSV per scenario (each file once per column; see Limits in docs/scenarios.md); put the columns this scenario needs in smaller files",
                    crate::budget::bytes_text(u128::from(self.csv_bytes_read + size)),
                    crate::budget::bytes_text(u128::from(crate::input::MAX_CSV_BYTES_READ))
                ));
            }
            self.csv_bytes_read += size;
            Ok(reader)
        });
        let mut reader = match opened {
            Ok(r) => csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(r),
            Err(e) => {
                self.error(
                    file.loc.span.clone(),
                    &file.loc.field,
                    format!("cannot read {}: {e}", path.display()),
                );
                return None;
            }
        };
        let headers: Vec<String> = match reader.headers() {
            Ok(h) => h.iter().map(str::to_owned).collect(),
            Err(e) => {
                self.error(
                    file.loc.span.clone(),
                    &file.loc.field,
                    format!("cannot read {}: {e}", path.display()),
                );
                return None;
            }
        };
        let Some(index) = headers.iter().position(|h| *h == column.value) else {
            let mut d = self.map.diagnostic(
                column.loc.span.clone(),
                &column.loc.field,
                format!(
                    "{} has no column `{}` (columns: {})",
                    path.display(),
                    column.value,
                    headers.join(", ")
                ),
            );
            d.suggestion = did_you_mean(&column.value, headers.iter().map(String::as_str));
            self.diagnostics.push(d);
            return None;
        };
        let mut values = Vec::new();
        // One record, refilled row after row.
        let mut record = csv::StringRecord::new();
        for row in 0.. {
            // Row numbers as a spreadsheet shows them: the header is row 1.
            let line = row + 2;
            match reader.read_record(&mut record) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => {
                    self.error(
                        file.loc.span.clone(),
                        &file.loc.field,
                        format!("{} row {line}: {e}", path.display()),
                    );
                    return None;
                }
            }
            let cell = record.get(index).unwrap_or("");
            if self.csv_values + values.len() as u64 >= crate::input::MAX_CSV_VALUES {
                self.error(
                    column.loc.span.clone(),
                    &column.loc.field,
                    format!(
                        "{} row {line}, column `{}`: more than {} numbers taken from CSV files in all: ccsim takes at most that many per scenario (see Limits in docs/scenarios.md)",
                        path.display(),
                        column.value,
                        crate::input::MAX_CSV_VALUES
                    ),
                );
                return None;
            }
            match cell.parse::<f64>() {
                Ok(v) if v.is_finite() && v >= 0.0 => values.push(v),
                _ => {
                    self.error(
                        column.loc.span.clone(),
                        &column.loc.field,
                        format!(
                            "{} row {line}, column `{}`: `{cell}` is not a number ≥ 0",
                            path.display(),
                            column.value
                        ),
                    );
                    return None;
                }
            }
        }
        Some(values)
    }

    fn non_negative(&mut self, n: &Node) -> Option<f64> {
        let v = self.float(n)?.value;
        if v < 0.0 {
            self.error(n.span.clone(), &n.path, format!("must be ≥ 0, got {v}"));
            return None;
        }
        Some(v)
    }

    fn agents(&mut self, n: &Node) -> Read<AgentsSpec> {
        let spec = match n.value() {
            Some(Value::Array(_)) => {
                let items = self.array(n)?;
                let counts: Vec<u64> = items.iter().filter_map(|i| self.uint(i).map(|s| s.value)).collect();
                if counts.len() != items.len() {
                    return None;
                }
                AgentsSpec::PerInterval(counts)
            }
            _ => AgentsSpec::Constant(self.uint(n)?.value),
        };
        Reader::ok(n, spec)
    }

    fn dist(&mut self, n: &Node) -> Read<Dist> {
        const KINDS: [&str; 9] = [
            "exponential",
            "lognormal",
            "gamma",
            "weibull",
            "uniform",
            "triangular",
            "constant",
            "empirical",
            "hazard",
        ];
        let t = self.table(n)?;
        let kind = self.required(&t, "dist", Reader::string)?;
        if kind.value == "hazard" {
            return self.hazard(n, &t);
        }
        if kind.value == "empirical" {
            t.check_keys(self, &["dist", "samples", "csv", "column"]);
            let samples = match (t.get("samples"), t.get("csv")) {
                (Some(s), None) => self.numbers(&s)?,
                (None, Some(_)) => {
                    let file = self.required(&t, "csv", Reader::string)?;
                    let column = self.required(&t, "column", Reader::string)?;
                    self.csv_column(&file, &column)?
                }
                _ => {
                    self.error(
                        n.span.clone(),
                        &n.path,
                        "an empirical distribution needs `samples` or `csv` (with `column`), seconds",
                    );
                    return None;
                }
            };
            return Reader::ok(
                n,
                Dist {
                    spec: DistSpec::Empirical { samples },
                    params: Vec::new(),
                },
            );
        }
        let params: &'static [&'static str] = match kind.value.as_str() {
            "exponential" => &["mean"],
            "lognormal" | "gamma" => &["mean", "cv"],
            "weibull" => &["shape", "scale"],
            "uniform" => &["min", "max"],
            "triangular" => &["min", "mode", "max"],
            "constant" => &["value"],
            other => {
                let mut d = self.map.diagnostic(
                    kind.loc.span.clone(),
                    &kind.loc.field,
                    format!("unknown distribution `{other}` (expected one of: {})", KINDS.join(", ")),
                );
                d.suggestion = did_you_mean(other, KINDS);
                self.diagnostics.push(d);
                return None;
            }
        };
        let known: Vec<&str> = std::iter::once("dist").chain(params.iter().copied()).collect();
        t.check_keys(self, &known);
        // Dimensionless parameters are plain numbers; the others are durations. Those
        // that must be > 0 are read with their sign: the model's rule refuses ≤ 0 in one
        // message, at the parameter.
        let mut values = Vec::with_capacity(params.len());
        let mut locs = Vec::with_capacity(params.len());
        for &p in params {
            let read: fn(&mut Self, &Node) -> Read<f64> = if p == "cv" || p == "shape" {
                Reader::float
            } else if crate::model::dist::POSITIVE_PARAMS.contains(&p) {
                Reader::signed_duration
            } else {
                Reader::duration
            };
            let value = self.required(&t, p, read)?;
            values.push(value.value);
            locs.push((p, value.loc));
        }
        let spec = match (kind.value.as_str(), values.as_slice()) {
            ("exponential", &[mean]) => DistSpec::Exponential { mean },
            ("lognormal", &[mean, cv]) => DistSpec::LogNormal { mean, cv },
            ("gamma", &[mean, cv]) => DistSpec::Gamma { mean, cv },
            ("weibull", &[shape, scale]) => DistSpec::Weibull { shape, scale },
            ("uniform", &[min, max]) => DistSpec::Uniform { min, max },
            ("triangular", &[min, mode, max]) => DistSpec::Triangular { min, mode, max },
            ("constant", &[value]) => DistSpec::Constant { value },
            _ => unreachable!("parameter lists match the kinds above"),
        };
        Reader::ok(n, Dist { spec, params: locs })
    }

    /// `{ dist = "hazard", from = ["0s", "10s", "1m"], rate = [0.02, 0.01, 0.004] }`: a
    /// piecewise-constant hazard. A problem with one piece is pointed at that piece; the
    /// model bounds the mean.
    fn hazard(&mut self, n: &Node, t: &Table) -> Read<Dist> {
        t.check_keys(self, &["dist", "from", "rate"]);
        let from = self.required(t, "from", |r, node| r.pieces(node, Reader::duration));
        let rate = self.required(t, "rate", |r, node| r.pieces(node, Reader::float));
        let (from, rate) = (from?, rate?);
        let values = |list: &Spanned<Vec<Spanned<f64>>>| list.value.iter().map(|v| v.value).collect::<Vec<f64>>();
        let (starts, rates) = (values(&from), values(&rate));
        if let Err(e) = crate::model::dist::check_hazard_pieces(&starts, &rates) {
            let list = if e.param == "from" { &from } else { &rate };
            let loc = e.piece.and_then(|i| list.value.get(i)).map_or(&list.loc, |v| &v.loc);
            self.error(loc.span.clone(), &loc.field, e.message);
            return None;
        }
        Reader::ok(
            n,
            Dist {
                spec: DistSpec::Hazard {
                    from: starts,
                    rate: rates,
                },
                params: vec![("from", from.loc), ("rate", rate.loc)],
            },
        )
    }

    /// An array of numbers, each read by `read` and kept with its location.
    fn pieces(&mut self, n: &Node, read: fn(&mut Self, &Node) -> Read<f64>) -> Read<Vec<Spanned<f64>>> {
        let items = self.array(n)?;
        let values: Vec<Spanned<f64>> = items.iter().filter_map(|i| read(self, i)).collect();
        (values.len() == items.len()).then(|| Spanned {
            value: values,
            loc: n.loc(),
        })
    }
}

/// The units of a duration, largest first, each with every spelling the reader accepts
/// (short and long forms). One table makes the grammar of [`parse_duration`], the JSON
/// Schema's pattern and the docs agree.
pub const DURATION_UNITS: [(f64, &[&str]); 5] = [
    (86400.0, &["d", "day", "days"]),
    (3600.0, &["h", "hr", "hrs", "hour", "hours"]),
    (60.0, &["m", "min", "mins", "minute", "minutes"]),
    (1.0, &["s", "sec", "secs", "second", "seconds"]),
    (0.001, &["ms", "millisecond", "milliseconds"]),
];

/// How to write a duration: the help of every message that refuses one.
pub const DURATION_GRAMMAR: &str = "write NUMBER UNIT parts, largest unit first and each unit once, \
     with units d, h, m, s, ms or their long forms (day, hour/hr, min/minute, sec/second, millisecond, \
     with or without a plural s): \"90s\", \"6 min\", \"1h30m\", \"1 h 30 min\", \"2 days\"; \
     a plain number is seconds";

/// Parses a duration into seconds: a plain number of seconds (`90`, `"4.5"`, `"1e3"`), or
/// NUMBER UNIT parts with optional spaces, largest unit first and each unit at most once
/// (`"20s"`, `"6 minutes"`, `"1h30m"`, `"1 h 30 min"`, `"1.5h"`, `"250ms"`). Refusing
/// `"1h1h"` and `"30m1h"` keeps a typo from adding up to a plausible wrong value; the
/// error says what is wrong and [`DURATION_GRAMMAR`] how to write it.
pub fn parse_duration(text: &str) -> Result<f64, String> {
    let fail = |why: String| Err(format!("cannot read duration \"{text}\": {why}"));
    let s = text.trim();
    if s.is_empty() {
        return fail("it is empty".into());
    }
    if is_plain_number(s) || s.strip_prefix('-').is_some_and(is_plain_number) {
        // A negative number is read, so that the reader can say it must be ≥ 0.
        return Ok(s.parse().expect("a plain number parses"));
    }
    let mut total = 0.0;
    // The rank (index in DURATION_UNITS) and spelling of the last unit read, and the
    // units seen so far.
    let mut last: Option<(usize, &str)> = None;
    let mut seen = [false; DURATION_UNITS.len()];
    let mut rest = s;
    while !rest.is_empty() {
        let number_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let number = &rest[..number_len];
        let after = rest[number_len..].trim_start();
        let unit_len = after.find(|c: char| !c.is_alphabetic()).unwrap_or(after.len());
        let unit = &after[..unit_len];
        if number.is_empty() {
            return match unit {
                "" => fail(format!(
                    "unexpected `{}`",
                    rest.chars().next().expect("rest is not empty")
                )),
                _ => fail(format!("`{unit}` has no number before it")),
            };
        }
        if !is_plain_number(number) {
            return fail(format!("`{number}` is not a number"));
        }
        if unit.is_empty() {
            return fail(format!("`{number}` has no unit"));
        }
        let Some(rank) = DURATION_UNITS.iter().position(|(_, names)| names.contains(&unit)) else {
            return fail(format!("`{unit}` is not a unit of time"));
        };
        if seen[rank] {
            return fail(format!("the unit `{unit}` comes twice"));
        }
        if let Some((r, before)) = last
            && r > rank
        {
            return fail(format!("`{unit}` comes after `{before}`: write the largest unit first"));
        }
        seen[rank] = true;
        let value: f64 = number.parse().expect("a plain number parses");
        total += value * DURATION_UNITS[rank].0;
        last = Some((rank, unit));
        rest = after[unit_len..].trim_start();
    }
    Ok(total)
}

/// A number as the schema's pattern writes it: digits with at most one decimal point
/// and a digit after it, optionally an exponent (`1e3`); no sign, no `inf`.
pub(crate) fn is_plain_number(s: &str) -> bool {
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once('.') {
        Some((whole, fraction)) => (whole.is_empty() || digits(whole)) && digits(fraction),
        None => digits(mantissa),
    };
    let exponent_ok = exponent.is_none_or(|e| digits(e.strip_prefix(['+', '-']).unwrap_or(e)));
    mantissa_ok && exponent_ok
}

/// A duration as a planner writes it, the largest units first ("1h30m", "12h", "250ms",
/// "2d"): how messages show a duration they suggest. [`parse_duration`] reads it back.
pub fn duration_text(seconds: f64) -> String {
    let ms = (seconds * 1000.0).round();
    if !(seconds.is_finite() && seconds >= 0.0) || (ms / 1000.0 - seconds).abs() > 1e-9 || ms > 1e15 {
        return format!("{seconds}s");
    }
    if ms == 0.0 {
        return "0s".into();
    }
    let mut left = ms as u64;
    let mut out = String::new();
    for (scale, names) in DURATION_UNITS {
        let unit = (scale * 1000.0) as u64;
        if left >= unit {
            out.push_str(&format!("{}{}", left / unit, names[0]));
            left %= unit;
        }
    }
    out
}

/// Parses a percentage ("80%", "80 %", "12.5%") into a fraction (0.8).
pub fn parse_percentage(text: &str) -> Result<f64, String> {
    let number = text.trim().strip_suffix('%').map(str::trim_end);
    match number {
        Some(n) if is_plain_number(n) && !n.contains(['e', 'E']) => {
            let percent: f64 = n.parse().expect("a plain number parses");
            if percent <= 100.0 {
                Ok(percent / 100.0)
            } else {
                Err(format!("must be between 0% and 100%, got \"{text}\""))
            }
        }
        _ => Err(format!(
            "cannot read \"{text}\": write a fraction from 0 to 1 (0.8) or a percentage (\"80%\")"
        )),
    }
}

/// A fraction for a message: two decimals at least ("0.30"), more where needed ("0.125").
fn fraction_text(x: f64) -> String {
    let text = format!("{x:.6}");
    let text = text.trim_end_matches('0');
    if text.len() < 4 {
        format!("{x:.2}")
    } else {
        text.to_owned()
    }
}

/// Parses "HH:MM" or "HH:MM:SS" into seconds after midnight.
pub fn parse_clock_time(text: &str) -> Option<f64> {
    let parts: Vec<&str> = text.trim().split(':').collect();
    if !(2..=3).contains(&parts.len()) || parts.iter().any(|p| p.is_empty() || p.len() > 2) {
        return None;
    }
    let nums: Vec<u32> = parts.iter().map(|p| p.parse().ok()).collect::<Option<_>>()?;
    let (h, m, s) = (nums[0], nums[1], nums.get(2).copied().unwrap_or(0));
    (h < 24 && m < 60 && s < 60).then(|| f64::from(h * 3600 + m * 60 + s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_syntax_error_names_the_key_its_line_gives() {
        let text = "[scenario]\nname = \"x\"\nduration = 18446744073709551615\n";
        let e = Scenario::parse("t.toml", text).unwrap_err().to_string();
        assert!(e.contains("t.toml:3:12: scenario.duration: "), "{e}");
        let text = "[[call_type]]\nname = \"a\"\n\"handle time\" = 1e999999\n";
        let e = Scenario::parse("t.toml", text).unwrap_err().to_string();
        assert!(e.contains(": call_type.handle time: "), "{e}");
        assert_eq!(key_at("= 1", 2), "");
        assert_eq!(key_at("x = [1,", 6), "x");
    }

    #[test]
    fn durations_with_units() {
        assert_eq!(parse_duration("20s"), Ok(20.0));
        assert_eq!(parse_duration("5m"), Ok(300.0));
        assert_eq!(parse_duration("1h30m"), Ok(5400.0));
        assert_eq!(parse_duration("1.5h"), Ok(5400.0));
        assert_eq!(parse_duration(".5m"), Ok(30.0));
        assert_eq!(parse_duration("250ms"), Ok(0.25));
        assert_eq!(parse_duration("90"), Ok(90.0));
        assert_eq!(parse_duration(" 1e2 "), Ok(100.0));
        assert!(parse_duration("h").is_err());
        assert!(parse_duration("").is_err());
    }

    #[test]
    fn durations_in_short_and_long_forms_and_with_spaces() {
        for (text, seconds) in [
            ("6 min", 360.0),
            ("6 mins", 360.0),
            ("6 minutes", 360.0),
            ("1 minute", 60.0),
            ("90 s", 90.0),
            ("90 sec", 90.0),
            ("90 secs", 90.0),
            ("90 seconds", 90.0),
            ("1 second", 1.0),
            ("2 hours", 7200.0),
            ("1 hour", 3600.0),
            ("2 hr", 7200.0),
            ("2 hrs", 7200.0),
            ("2 days", 172_800.0),
            ("1 day", 86400.0),
            ("2d", 172_800.0),
            ("1 h 30 min", 5400.0),
            ("1h 30m", 5400.0),
            ("1d2h3m4s5ms", 93_784.005),
            ("500 milliseconds", 0.5),
            ("1 millisecond", 0.001),
        ] {
            assert_eq!(parse_duration(text), Ok(seconds), "{text}");
        }
    }

    #[test]
    fn durations_with_repeated_misordered_or_unknown_units_are_refused() {
        for (text, why) in [
            ("1h1h", "the unit `h` comes twice"),
            ("1 hour 2 hours", "the unit `hours` comes twice"),
            ("1m1min", "the unit `min` comes twice"),
            ("30m1h", "`h` comes after `m`: write the largest unit first"),
            ("1s500ms2s", "the unit `s` comes twice"),
            ("5 parsecs", "`parsecs` is not a unit of time"),
            ("1h 30", "`30` has no unit"),
            ("h", "`h` has no number before it"),
            ("-5s", "unexpected `-`"),
            ("1.2.3s", "`1.2.3` is not a number"),
            ("5.s", "`5.` is not a number"),
            ("inf", "`inf` has no number before it"),
            ("  ", "it is empty"),
        ] {
            assert_eq!(
                parse_duration(text),
                Err(format!("cannot read duration \"{text}\": {why}")),
                "{text}"
            );
        }
        // A negative plain number is read, for the reader to say it must be ≥ 0.
        assert_eq!(parse_duration("-5"), Ok(-5.0));
    }

    #[test]
    fn duration_text_reads_back() {
        for (seconds, text) in [
            (0.0, "0s"),
            (12.0, "12s"),
            (1800.0, "30m"),
            (5400.0, "1h30m"),
            (43200.0, "12h"),
            (172_800.0, "2d"),
            (0.25, "250ms"),
            (93_784.005, "1d2h3m4s5ms"),
        ] {
            assert_eq!(duration_text(seconds), text);
            assert_eq!(parse_duration(text), Ok(seconds), "{text}");
        }
    }

    #[test]
    fn percentages() {
        assert_eq!(parse_percentage("80%"), Ok(0.8));
        assert_eq!(parse_percentage(" 80 % "), Ok(0.8));
        assert_eq!(parse_percentage("12.5%"), Ok(0.125));
        assert_eq!(parse_percentage("0%"), Ok(0.0));
        assert_eq!(parse_percentage("100%"), Ok(1.0));
        assert_eq!(
            parse_percentage("120%"),
            Err("must be between 0% and 100%, got \"120%\"".into())
        );
        assert!(parse_percentage("0.8").is_err());
        assert!(parse_percentage("-5%").is_err());
        assert!(parse_percentage("%").is_err());
        assert_eq!(fraction_text(0.3), "0.30");
        assert_eq!(fraction_text(1.0), "1.00");
        assert_eq!(fraction_text(0.125), "0.125");
    }

    #[test]
    fn clock_times() {
        assert_eq!(parse_clock_time("08:00"), Some(28800.0));
        assert_eq!(parse_clock_time("23:59:59"), Some(86399.0));
        assert_eq!(parse_clock_time("24:00"), None);
        assert_eq!(parse_clock_time("8"), None);
    }
}
