//! Figures a planner reads, checked the way a planner would read them: defects found by
//! independent checks (a share route sending everything to one group, a channel's
//! occupancy halved, cost without paid shrinkage, transfers of warm-up calls counted).

use ccsim::engine::run_replication;
use ccsim::stats::{call, group};

use crate::common::{ci, mean, model, named, summary};

const SHARED_LINE: &str = r#"
[scenario]
name = "shares"
duration = "8h"
interval = "8h"
replications = 10
seed = 3

[[call_type]]
name = "sales"
arrivals = { per_hour = 300 }
handle_time = { dist = "exponential", mean = "3m" }
routing = ROUTES
"#;

fn group_text(name: &str) -> String {
    format!("\n[[agent_group]]\nname = \"{name}\"\nagents = 12\nskills = [\"sales\"]\n")
}

/// Each group's share of everything handled, with the half-width of its count.
fn shares_handled(routes: &str, groups: &[&str]) -> Vec<(f64, f64)> {
    let mut text = SHARED_LINE.replace("ROUTES", routes);
    for g in groups {
        text += &group_text(g);
    }
    let s = summary(&text);
    let total: f64 = groups.iter().map(|g| mean(named(&s.groups, g), "handled")).sum();
    groups
        .iter()
        .map(|g| {
            let m = named(&s.groups, g);
            (mean(m, "handled") / total, ci(m, "handled") / total)
        })
        .collect()
}

#[test]
fn shares_that_add_up_to_one_split_the_arrivals_as_written() {
    let two = shares_handled(
        r#"[{ group = "a", share = 0.5 }, { group = "b", share = 0.5 }]"#,
        &["a", "b"],
    );
    for &(share, half) in &two {
        assert!(half < 0.02, "interval ±{half} too wide");
        assert!((share - 0.5).abs() <= 3.0 * half, "{two:?}");
    }
    let three = shares_handled(
        r#"[{ group = "a", share = 0.2 }, { group = "b", share = 0.3 }, { group = "c", share = 0.5 }]"#,
        &["a", "b", "c"],
    );
    for (&(share, half), expected) in three.iter().zip([0.2, 0.3, 0.5]) {
        assert!(half < 0.02, "interval ±{half} too wide");
        assert!((share - expected).abs() <= 3.0 * half, "{three:?}");
    }
}

#[test]
fn a_group_with_two_skills_of_a_channel_counts_its_time_once() {
    let text = r#"
[scenario]
name = "two voice skills"
duration = "8h"
interval = "1h"
replications = 4
seed = 9

[[call_type]]
name = "billing"
arrivals = { per_hour = 120 }
handle_time = { dist = "exponential", mean = "4m" }

[[call_type]]
name = "orders"
arrivals = { per_hour = 60 }
handle_time = { dist = "exponential", mean = "4m" }

[[call_type]]
name = "chat"
channel = "chat"
arrivals = { per_hour = 30 }
handle_time = { dist = "exponential", mean = "6m" }

[[agent_group]]
name = "team"
agents = 12
skills = ["billing", "orders"]

[[agent_group]]
name = "chatters"
agents = 3
skills = ["chat"]
"#;
    let s = summary(text);
    let team = mean(named(&s.groups, "team"), "occupancy");
    let voice = mean(named(&s.channels, "voice"), "occupancy");
    assert!(team > 0.5, "a busy team: {team}");
    // Voice time is the team's whole time: the channel's occupancy is the team's.
    assert!((voice - team).abs() < 1e-9, "voice {voice} vs team {team}");
    let chat = mean(named(&s.channels, "chat"), "occupancy");
    let chatters = mean(named(&s.groups, "chatters"), "occupancy");
    assert!((chat - chatters).abs() < 1e-9, "chat {chat} vs chatters {chatters}");
    for i in &s.intervals {
        let (v, t) = (named(&i.channels, "voice"), named(&i.groups, "team"));
        assert!(
            (mean(v, "occupancy") - mean(t, "occupancy")).abs() < 1e-9,
            "{}",
            i.start
        );
    }
}

/// One group of a shift 08:00–16:00 (or on-duty agents), no calls, 100 an hour.
fn payroll(staffing: &str, shrinkage: f64) -> f64 {
    let text = format!(
        r#"
[scenario]
name = "payroll"
start = "08:00"
duration = "8h"
interval = "1h"
replications = 2

[[call_type]]
name = "sales"
arrivals = {{ per_hour = 0 }}
handle_time = {{ dist = "exponential", mean = "3m" }}

[[agent_group]]
name = "team"
{staffing}
shrinkage = {shrinkage}
skills = ["sales"]
cost = {{ per_hour = 100 }}
"#
    );
    let s = summary(&text);
    let cost = mean(named(&s.groups, "team"), "cost");
    assert_eq!(mean(&s.totals, "cost"), cost);
    cost
}

#[test]
fn paid_shrinkage_is_charged_and_breaks_are_paid_unless_said() {
    let shift = |breaks: &str| format!("shifts = [{{ start = \"08:00\", end = \"16:00\", agents = 10{breaks} }}]");
    // 10 agents × 8 h × 100, whatever share of them is away (absence, training).
    assert_eq!(payroll(&shift(""), 0.3), 8000.0);
    assert_eq!(payroll(&shift(""), 0.0), 8000.0);
    // A break is paid by default; an unpaid lunch is not charged.
    let lunch = |paid: &str| format!(", breaks = [{{ start = \"12:00\", duration = \"30m\"{paid} }}]");
    assert_eq!(payroll(&shift(&lunch("")), 0.3), 8000.0);
    assert_eq!(payroll(&shift(&lunch(", paid = true")), 0.3), 8000.0);
    assert_eq!(payroll(&shift(&lunch(", paid = false")), 0.3), 7500.0);
    // Agents on duty are the paid headcount less shrinkage: 7 on duty at 30 % are 10 paid.
    assert!((payroll("agents = 7", 0.3) - 8000.0).abs() < 1e-6);
    assert_eq!(payroll("agents = 7", 0.0), 5600.0);
}

const WARM_TIERS: &str = r#"
[scenario]
name = "warm tiers"
duration = "6h"
interval = "1h"
warmup = "2h"
drain_limit = "30d"
replications = 6
seed = 21

[[call_type]]
name = "front"
arrivals = { per_hour = 240 }
handle_time = { dist = "exponential", mean = "3m" }
patience = { dist = "exponential", mean = "2m" }
resolution = 0.7
unresolved = { escalate_to = "expert" }

[[call_type]]
name = "expert"
arrivals = { per_hour = 0 }
handle_time = { dist = "exponential", mean = "8m" }

[[agent_group]]
name = "tier1"
agents = 11
skills = ["front"]

[[agent_group]]
name = "tier2"
agents = 8
skills = ["expert"]
"#;

#[test]
fn a_tier_receives_exactly_the_escalations_counted_upstream() {
    let m = model(WARM_TIERS);
    for r in 0..m.replications {
        let stats = run_replication(&m, r);
        let (front, expert) = (stats.call_column(0, None), stats.call_column(1, None));
        assert!(front[call::ESCALATED] > 100, "escalations happen");
        // Transfers of warm-up calls (escalated while the window runs) are not counted.
        assert_eq!(
            expert[call::TRANSFERS_IN],
            front[call::ESCALATED],
            "replication {r}: tier 2 received {} transfers, tier 1 escalated {}",
            expert[call::TRANSFERS_IN],
            front[call::ESCALATED]
        );
        assert_eq!(expert[call::OFFERED], expert[call::TRANSFERS_IN]);
    }
}

#[test]
fn groups_count_work_and_call_types_count_contacts() {
    // Without a warm-up and without redials, every counted contact answered is a service
    // begun (in the window or the drain), and every service is of a counted contact.
    let cold = WARM_TIERS.replace("warmup = \"2h\"\n", "");
    let m = model(&cold);
    for r in 0..m.replications {
        let stats = run_replication(&m, r);
        let answered: u64 = (0..2).map(|c| stats.call_column(c, None)[call::ANSWERED]).sum();
        let handled: u64 = (0..2).map(|g| stats.group_column(Some(g), None)[group::HANDLED]).sum();
        assert_eq!(handled, answered, "replication {r}");
    }
    // With a warm-up, the groups also serve warm-up callers in the window.
    let m = model(WARM_TIERS);
    let stats = run_replication(&m, 0);
    let answered: u64 = (0..2).map(|c| stats.call_column(c, None)[call::ANSWERED]).sum();
    let handled: u64 = (0..2).map(|g| stats.group_column(Some(g), None)[group::HANDLED]).sum();
    assert!(
        handled > answered,
        "warm-up callers served in the window: {handled} vs {answered}"
    );
}

/// Front line escalating a quarter of its calls to a helpdesk fed by nothing else, over
/// four half hours; `helpdesk_agents` staffs the helpdesk in `run`.
fn escalating_front(helpdesk_agents: u32) -> String {
    format!(
        r#"
[scenario]
name = "escalations"
start = "08:00"
duration = "2h"
interval = "30m"
warmup = "30m"
replications = 12
seed = 17

[[call_type]]
name = "front"
arrivals = {{ per_hour = 240 }}
handle_time = {{ dist = "exponential", mean = "3m" }}
patience = {{ dist = "exponential", mean = "3m" }}
resolution = 0.75
unresolved = {{ escalate_to = "helpdesk" }}

[[call_type]]
name = "helpdesk"
arrivals = {{ per_hour = 0 }}
handle_time = {{ dist = "exponential", mean = "8m" }}
patience = {{ dist = "exponential", mean = "5m" }}

[[agent_group]]
name = "tier1"
agents = 17
skills = ["front"]

[[agent_group]]
name = "tier2"
agents = {helpdesk_agents}
skills = ["helpdesk"]
"#
    )
}

#[test]
fn staff_gives_a_tier_fed_only_by_escalations_the_agents_its_load_needs() {
    let m = model(&escalating_front(1));
    // The starting estimate sees the tier's inflow: 240/h × 25 % escalated = 60/h of
    // 8-minute contacts, 8 erlangs.
    let inflow = ccsim::staff::inflow(&m);
    for k in 0..m.clock.intervals {
        assert!((inflow[1][k] * 3600.0 - 60.0).abs() < 1e-9, "{:?}", inflow[1]);
    }
    let plan = ccsim::staff::staff(&m, 0, &|_| {}).expect("staffing found");
    for (k, row) in plan.agents.iter().enumerate() {
        // Erlang C for 8 erlangs at 80/20 needs 11 or 12 agents; never a bare handful.
        assert!(row[1] >= 9, "interval {k}: helpdesk staffed with {}", row[1]);
        assert!(!plan.unreachable[k], "interval {k}");
    }
    let helpdesk = named(&plan.summary.call_types, "helpdesk");
    assert!(mean(helpdesk, "answered") > 50.0);
    assert_ne!(plan.summary.verdict, Some(ccsim::targets::Status::Missed));
    let table = ccsim::report::staff::to_table(&plan);
    assert!(!table.contains("MISSED"), "{table}");
}

#[test]
fn no_verdict_reads_met_while_a_call_type_misses() {
    use ccsim::targets::Status;
    // The front line is fine; the helpdesk, with one agent, answers a fraction.
    let s = summary(&escalating_front(1));
    let front = s.call_types.iter().find(|c| c.name == "front").unwrap();
    let helpdesk = s.call_types.iter().find(|c| c.name == "helpdesk").unwrap();
    assert_eq!(front.verdict, Some(Status::Met));
    assert_eq!(helpdesk.verdict, Some(Status::Missed));
    assert_eq!(s.verdict, Some(Status::Missed), "the day misses when a call type does");
    let voice = s.channels.iter().find(|c| c.name == "voice").unwrap();
    assert_eq!(voice.verdict, Some(Status::Missed));
    // The channel's shared targets take their members' verdicts, not the pooled figure's.
    for j in &voice.targets {
        let worst = Status::worst(
            s.call_types
                .iter()
                .flat_map(|c| c.targets.iter().filter(|x| x.metric == j.metric).map(|x| x.status)),
        );
        assert_eq!(j.status, worst, "{}", j.metric);
    }
    assert_eq!(voice.targets[0].metric, "service_level");
    assert_eq!(voice.targets[0].status, Some(Status::Missed));
    for i in &s.intervals {
        assert_eq!(i.verdict, Some(Status::Missed), "{}", i.start);
    }
    // Every face says so: the table's headline, the JSON and the CSV.
    let table = ccsim::report::table::render(&s, false);
    assert!(table.contains("✗ helpdesk service level"), "{table}");
    assert!(!table.contains("every call type meets"), "{table}");
    let json: serde_json::Value = serde_json::from_str(&ccsim::report::json::to_json(&s)).unwrap();
    assert_eq!(json["verdict"], "missed");
    assert_eq!(json["call_types"][1]["verdict"], "missed");
    assert_eq!(json["call_types"][1]["targets"][0]["metric"], "service_level");
    assert_eq!(json["call_types"][1]["targets"][0]["min"], 0.8);
    assert_eq!(json["call_types"][1]["targets"][0]["status"], "missed");
    let csv = ccsim::report::csv::call_types_csv(&s);
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header = reader.headers().unwrap().clone();
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(&rows[2][column("call_type")], "helpdesk");
    assert_eq!(&rows[2][column("channel")], "voice");
    assert_eq!(&rows[2][column("status_service_level")], "missed");
    assert_eq!(&rows[2][column("target_service_level")], "0.8");
    assert_eq!(&rows[0][column("verdict")], "missed");
    // Enough helpdesk agents: everything met.
    let s = summary(&escalating_front(16));
    assert_eq!(
        s.verdict,
        Some(Status::Met),
        "{}",
        ccsim::report::table::render(&s, false)
    );
}

/// Phone calls and emails on one team over an evening; `email` sets the email's
/// volume, response target and the team's size.
fn evening(emails_per_hour: u32, target: &str, agents: u32) -> String {
    format!(
        r#"
[scenario]
name = "evening email"
start = "16:00"
duration = "4h"
interval = "1h"
replications = 8
seed = 8

[[call_type]]
name = "phone"
arrivals = {{ per_hour = 60 }}
handle_time = {{ dist = "exponential", mean = "3m" }}
patience = {{ dist = "exponential", mean = "3m" }}

[[call_type]]
name = "email"
channel = "email"
arrivals = {{ per_hour = {emails_per_hour} }}
handle_time = {{ dist = "exponential", mean = "6m" }}
service_level_threshold = "{target}"
service_level_target = 0.9

[[agent_group]]
name = "team"
agents = {agents}
skills = ["phone", "email"]
"#
    )
}

#[test]
fn email_is_judged_by_its_response_target_not_by_the_phone_targets() {
    use ccsim::targets::Status;
    let email = |s: &ccsim::Summary| s.call_types.iter().find(|c| c.name == "email").unwrap().clone();
    // Enough agents: emails arriving in the last hour are still open at 20:00, but their
    // deadline lies after the window, so they are pending, not late; no answer-rate
    // target applies to email.
    let s = summary(&evening(30, "1h", 6));
    let e = email(&s);
    assert!(mean(&e.metrics, "backlog_end") > 0.0, "some emails stay open");
    assert!(mean(&e.metrics, "answer_rate") < 1.0);
    let metrics: Vec<&str> = e.targets.iter().map(|j| j.metric).collect();
    assert_eq!(metrics, ["within_target"]);
    assert_eq!(e.verdict, Some(Status::Met), "{:?}", e.targets);
    let phone = s.call_types.iter().find(|c| c.name == "phone").unwrap();
    let metrics: Vec<&str> = phone.targets.iter().map(|j| j.metric).collect();
    assert_eq!(metrics, ["service_level", "answer_rate"]);
    // A scenario-wide ASA limit is for calls and chats, not for an email's wait.
    let m = model(&evening(30, "1h", 6).replace("seed = 8\n", "seed = 8\n\n[scenario.staffing]\nmax_asa = \"30s\"\n"));
    let figures = |c: usize| -> Vec<&str> {
        ccsim::targets::of_call_type(&m.call_types[c])
            .iter()
            .map(|t| t.figure.metric())
            .collect()
    };
    assert_eq!(figures(0), ["service_level", "answer_rate", "asa_seconds"]);
    assert_eq!(figures(1), ["within_target"]);
    // Too few agents for the emails: the response target is missed.
    let s = summary(&evening(70, "1h", 6));
    assert_eq!(email(&s).verdict, Some(Status::Missed), "{:?}", email(&s).targets);
    assert_eq!(s.verdict, Some(Status::Missed));
    // The table labels pooled rows as every channel's customers, not as phone figures.
    let table = ccsim::report::table::render(&s, false);
    assert!(table.contains("all contacts (every channel)"), "{table}");
}

#[test]
fn an_email_target_longer_than_the_horizon_is_not_judged_met() {
    use ccsim::targets::Status;
    // A 24-hour response target on a 4-hour evening: no email falls due inside the
    // window, whatever the staffing, so nothing can be judged — never "met".
    for agents in [1, 8] {
        let s = summary(&evening(70, "24h", agents));
        let email = s.call_types.iter().find(|c| c.name == "email").unwrap();
        assert_eq!(email.verdict, Some(Status::NotJudged), "{:?}", email.targets);
        assert_ne!(s.verdict, Some(Status::Met));
        let table = ccsim::report::table::render(&s, false);
        assert!(table.contains("email within target not judged"), "{table}");
    }
    // `staff` says so instead of staffing email with nobody.
    let err = ccsim::staff::staff(&model(&evening(70, "24h", 8)), 0, &|_| {}).unwrap_err();
    assert!(err.to_string().contains("no email falls due inside it"), "{err}");
}

#[test]
fn the_three_tier_weekday_staffs_every_tier_and_reads_met_only_when_all_call_types_do() {
    use ccsim::targets::Status;
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/three-tier-weekday.toml"
    ))
    .expect("shipped scenario");
    // Fewer replications per candidate than a planner would use, to keep the test short.
    let text = text.replace(
        "answer_rate_target = 0.90\n",
        "answer_rate_target = 0.90\n\n[scenario.staffing]\nreplications = 6\nmax_replications = 24\n",
    );
    let plan = ccsim::staff::staff(&model(&text), 0, &|_| {}).expect("staffing found");
    let names: Vec<&str> = plan
        .groups
        .iter()
        .map(|&g| plan.model.groups[g].name.as_str())
        .collect();
    let column = |name: &str| names.iter().position(|n| *n == name).unwrap();
    for (k, row) in plan.agents.iter().enumerate() {
        // The helpdesk and technical support receive only escalations.
        assert!(row[column("helpdesk")] >= 4, "interval {k}: {row:?}");
        assert!(row[column("technical")] >= 2, "interval {k}: {row:?}");
        assert!(!plan.unreachable[k], "interval {k}");
    }
    let s = &plan.summary;
    for c in &s.call_types {
        assert!(
            matches!(c.verdict, Some(Status::Met | Status::WithinNoise)),
            "{}: {:?}",
            c.name,
            c.targets
        );
    }
    // The table's day line names exactly the call types within the noise, or says all
    // are met.
    let table = ccsim::report::staff::to_table(&plan);
    let day = table
        .lines()
        .find(|l| l.starts_with("Targets over the day"))
        .expect("a day line");
    let noisy: Vec<&str> = s
        .call_types
        .iter()
        .filter(|c| c.verdict == Some(Status::WithinNoise))
        .map(|c| c.name.as_str())
        .collect();
    if noisy.is_empty() {
        assert!(day.contains("every call type meets its targets"), "{day}");
    } else {
        for name in &noisy {
            assert!(day.contains(name), "{day}");
        }
    }
}

#[test]
fn the_load_of_each_tier_follows_escalations_and_repeats_to_the_front_door() {
    let text = r#"
[scenario]
name = "loops"
duration = "1h"
interval = "1h"

[[call_type]]
name = "front"
arrivals = { per_hour = 100 }
handle_time = { dist = "exponential", mean = "3m" }
resolution = 0.75
unresolved = { escalate_to = "helpdesk" }

[[call_type]]
name = "helpdesk"
arrivals = { per_hour = 0 }
handle_time = { dist = "exponential", mean = "8m" }
resolution = 0.5
unresolved = { repeat_after = { dist = "exponential", mean = "1h" }, probability = 1.0 }

[[call_type]]
name = "self"
arrivals = { per_hour = 30 }
handle_time = { dist = "exponential", mean = "3m" }
resolution = 0.6
unresolved = { repeat_after = { dist = "exponential", mean = "1h" }, probability = 1.0 }

[[agent_group]]
name = "tier1"
agents = 10
skills = ["front", "self"]

[[agent_group]]
name = "tier2"
agents = 5
skills = ["helpdesk"]
"#;
    let per_hour = |v: f64| v * 3600.0;
    let load = ccsim::staff::inflow(&model(text));
    // A front contact reaches the helpdesk a quarter of the time and comes back to the
    // front door as a repeat half of that: 1 / (1 − 0.125) contacts per caller.
    let contacts = 1.0 / (1.0 - 0.25 * 0.5);
    assert!((per_hour(load[0][0]) - 100.0 * contacts).abs() < 1e-9, "{load:?}");
    assert!((per_hour(load[1][0]) - 25.0 * contacts).abs() < 1e-9, "{load:?}");
    // A call type that repeats into itself: a geometric series, 1 / (1 − 0.4).
    assert!((per_hour(load[2][0]) - 30.0 / 0.6).abs() < 1e-9, "{load:?}");
}

#[test]
fn staff_prefers_the_group_cheaper_per_hour_on_duty_shrinkage_paid() {
    // 30 an hour with 40 % shrinkage is 50 per hour on duty; 40 with none is cheaper.
    let text = r#"
[scenario]
name = "cheaper"
duration = "2h"
interval = "2h"
warmup = "1h"
replications = 10
seed = 5

[[call_type]]
name = "calls"
arrivals = { per_hour = 120 }
handle_time = { dist = "exponential", mean = "3m" }
patience = { dist = "exponential", mean = "3m" }

[[agent_group]]
name = "absent-a-lot"
agents = 1
shrinkage = 0.4
skills = ["calls"]
cost = { per_hour = 30 }

[[agent_group]]
name = "present"
agents = 1
skills = ["calls"]
cost = { per_hour = 40 }
"#;
    let plan = ccsim::staff::staff(&model(text), 0, &|_| {}).expect("staffing found");
    assert_eq!(plan.agents[0][0], 0, "{:?}", plan.agents);
    assert!(plan.agents[0][1] >= 6, "{:?}", plan.agents);
}

#[test]
fn a_roster_pays_whole_shifts_even_where_they_outlast_the_horizon() {
    let text = r#"
[scenario]
name = "morning"
start = "08:00"
duration = "4h"
interval = "1h"

[[call_type]]
name = "calls"
arrivals = { per_hour = 60 }
handle_time = { dist = "exponential", mean = "3m" }

[[agent_group]]
name = "team"
agents = 1
skills = ["calls"]
cost = { per_hour = 30 }
roster = { shifts = [{ start = "06:00", end = "14:00", breaks = [{ start = "12:30", duration = "30m", paid = false }] }] }
"#;
    let m = model(text);
    let r = ccsim::staff::roster::roster_group(&m, 0, &[3, 3, 3, 3]).expect("a roster");
    assert_eq!(r.shifts[0].agents, 3);
    // 3 agents × (8 h less an unpaid half hour) is the payroll; the horizon 08:00–12:00
    // holds 3 × 4 paid hours of it.
    assert!((r.paid_hours - 22.5).abs() < 1e-9, "{}", r.paid_hours);
    assert!((r.cost - 675.0).abs() < 1e-6, "{}", r.cost);
    assert!((r.cost_in_window - 360.0).abs() < 1e-6, "{}", r.cost_in_window);
}

#[test]
fn an_email_counts_towards_its_response_target_only_when_due_inside_the_window() {
    // A 1-hour response target on a 4-hour evening: emails of the last hour are due
    // after the window; those answered early count neither way.
    let m = model(&evening(30, "1h", 6));
    let email = 1;
    let (mut due, mut in_time) = (0u64, 0u64);
    for r in 0..m.replications {
        let cell = run_replication(&m, r).call_column(email, None);
        assert!(
            cell[call::DUE] < cell[call::OFFERED],
            "replication {r}: some emails are not due yet"
        );
        assert!(cell[call::DUE_IN_SL] <= cell[call::DUE]);
        assert!(
            cell[call::ANSWERED_IN_SL] > cell[call::DUE_IN_SL],
            "replication {r}: emails answered early but due later are not counted"
        );
        due += cell[call::DUE];
        in_time += cell[call::DUE_IN_SL];
    }
    let s = summary(&evening(30, "1h", 6));
    let within = mean(named(&s.call_types, "email"), "within_target");
    assert!((within - in_time as f64 / due as f64).abs() < 1e-12, "{within}");
    // Calls and chats are always due: their within_target is their service level.
    let phone = named(&s.call_types, "phone");
    assert_eq!(mean(phone, "within_target"), mean(phone, "service_level"));
}
