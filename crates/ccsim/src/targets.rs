//! The planner's targets and the verdict on each figure: one definition that the
//! terminal table, the JSON, the CSV, the HTML report and `staff` all read, so no face
//! can judge a figure differently or call a day "met" while any call type misses.
//!
//! Each call type is judged by the targets of its own channel: voice and chat by their
//! service level and answer rate (each with its own threshold and bounds), email by its
//! response target (`within_target`, answered within the threshold of the contacts due);
//! a `max_asa` bound where one is set. A verdict is `met`, `missed`, or `within_noise`
//! when the figure lies within its 95 % half-width of the bound (SPEC.md's rule for
//! `staff`), and none where the figure is undefined (nothing offered). Pooled rows
//! (customer totals, a channel, an interval's totals) are judged by their call types:
//! missed if any call type misses, else within the noise if any is, else met.

use serde::{Deserialize, Serialize};

use crate::model::{CallType, Channel};
use crate::summary::{Estimate, Metrics};

/// The figure a target bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Figure {
    /// `service_level` at least the bound (voice, chat).
    ServiceLevel,
    /// `answer_rate` at least the bound (voice, chat).
    AnswerRate,
    /// `within_target` at least the bound: an email's response target.
    WithinTarget,
    /// `asa_seconds` at most the bound.
    MaxAsa,
}

impl Figure {
    pub const ALL: [Figure; 4] = [
        Figure::ServiceLevel,
        Figure::AnswerRate,
        Figure::WithinTarget,
        Figure::MaxAsa,
    ];

    /// The metric it reads.
    pub fn metric(self) -> &'static str {
        match self {
            Figure::ServiceLevel => "service_level",
            Figure::AnswerRate => "answer_rate",
            Figure::WithinTarget => "within_target",
            Figure::MaxAsa => "asa_seconds",
        }
    }

    /// Whether the figure must reach the bound (else stay under it).
    pub fn at_least(self) -> bool {
        self != Figure::MaxAsa
    }

    /// How a planner names it in a note.
    pub fn label(self) -> &'static str {
        match self {
            Figure::ServiceLevel => "service level",
            Figure::AnswerRate => "answer rate",
            Figure::WithinTarget => "within target",
            Figure::MaxAsa => "ASA",
        }
    }

    /// A value of this figure as people read it: "81.2%" or "34.0s".
    pub fn show(self, value: f64) -> String {
        match self {
            Figure::MaxAsa => format!("{value:.1}s"),
            _ => format!("{:.1}%", value * 100.0),
        }
    }
}

/// One bound on one figure.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Target {
    pub figure: Figure,
    pub bound: f64,
}

impl Target {
    /// "service level ≥ 80.0%", "ASA ≤ 30.0s".
    pub fn describe(&self) -> String {
        let op = if self.figure.at_least() { "≥" } else { "≤" };
        format!("{} {op} {}", self.figure.label(), self.figure.show(self.bound))
    }
}

/// The targets of a call type, by its channel.
pub fn of_call_type(ct: &CallType) -> Vec<Target> {
    let mut out = match ct.channel {
        Channel::Voice | Channel::Chat => vec![
            Target {
                figure: Figure::ServiceLevel,
                bound: ct.service_level_target,
            },
            Target {
                figure: Figure::AnswerRate,
                bound: ct.answer_rate_target,
            },
        ],
        Channel::Email => vec![Target {
            figure: Figure::WithinTarget,
            bound: ct.service_level_target,
        }],
    };
    if let Some(asa) = ct.max_asa {
        out.push(Target {
            figure: Figure::MaxAsa,
            bound: asa,
        });
    }
    out
}

/// How a figure stands against its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Met,
    /// Contacts were offered but the figure is undefined: an email whose response target
    /// is longer than the horizon has no contact due inside it. Never reads as met.
    NotJudged,
    /// Within its 95 % half-width of the bound: more replications would decide it.
    WithinNoise,
    Missed,
}

impl Status {
    pub fn name(self) -> &'static str {
        match self {
            Status::Met => "met",
            Status::NotJudged => "not_judged",
            Status::WithinNoise => "within_noise",
            Status::Missed => "missed",
        }
    }

    /// The verdict on a figure; `None` when it is undefined (nothing to judge).
    pub fn of(e: Estimate, target: &Target) -> Option<Status> {
        let m = e.mean?;
        Some(if e.ci95.is_some_and(|c| (m - target.bound).abs() < c) {
            Status::WithinNoise
        } else if (m >= target.bound) == target.figure.at_least() || m == target.bound {
            Status::Met
        } else {
            Status::Missed
        })
    }

    /// The verdict on several: the worst of them; `None` if none was judged.
    pub fn worst(all: impl IntoIterator<Item = Option<Status>>) -> Option<Status> {
        all.into_iter().flatten().max()
    }
}

/// A target judged on one row's figures.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Judged {
    /// The metric judged (`service_level`, `answer_rate`, `within_target`, `asa_seconds`).
    pub metric: &'static str,
    /// The bound: a least value, or for `asa_seconds` a largest.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// `met`, `missed` or `within_noise`; `null` when the figure is undefined.
    pub status: Option<Status>,
    #[serde(skip)]
    pub target: Target,
    #[serde(skip)]
    pub estimate: Estimate,
}

impl Judged {
    /// Judges one target on a row's figures. Over the whole window (`whole`), an
    /// undefined response target with contacts offered is [`Status::NotJudged`] (no email
    /// falls due inside the horizon); in one interval it has no verdict (its emails are
    /// pending), nor does any other undefined figure.
    pub fn new(metrics: &Metrics, target: Target, whole: bool) -> Judged {
        let estimate = metrics
            .get(target.figure.metric())
            .unwrap_or(Estimate { mean: None, ci95: None });
        let (min, max) = if target.figure.at_least() {
            (Some(target.bound), None)
        } else {
            (None, Some(target.bound))
        };
        let offered = metrics.get("offered").and_then(|e| e.mean).unwrap_or(0.0);
        let status = match Status::of(estimate, &target) {
            None if whole && offered > 0.0 && target.figure == Figure::WithinTarget => Some(Status::NotJudged),
            status => status,
        };
        Judged {
            metric: target.figure.metric(),
            min,
            max,
            status,
            target,
            estimate,
        }
    }

    /// "helpdesk service level 45.2% < 80.0%" for a missed or noisy figure.
    pub fn note(&self, who: &str) -> String {
        if self.status == Some(Status::NotJudged) {
            return format!(
                "{who} {} not judged: no contact is due inside the window (a response target longer than the horizon)",
                self.target.figure.label()
            );
        }
        let shown = self
            .estimate
            .mean
            .map_or("–".to_owned(), |m| self.target.figure.show(m));
        let op = match (self.status, self.target.figure.at_least()) {
            (Some(Status::WithinNoise), _) => "≈",
            (_, true) => "<",
            (_, false) => ">",
        };
        format!(
            "{who} {} {shown} {op} {}",
            self.target.figure.label(),
            self.target.figure.show(self.target.bound)
        )
    }
}

/// Judges one row's figures against its targets (`whole`: over the whole window).
pub fn judge(metrics: &Metrics, targets: &[Target], whole: bool) -> Vec<Judged> {
    targets.iter().map(|&t| Judged::new(metrics, t, whole)).collect()
}

/// The targets a pooled row (a channel) shows: those every one of its call types shares,
/// so a pooled figure is never held to a bound some of its call types do not have. Empty
/// when they differ. Their status is given by [`pooled`].
pub fn shared(per_call_type: &[&[Target]]) -> Vec<Target> {
    let Some((first, rest)) = per_call_type.split_first() else {
        return Vec::new();
    };
    first
        .iter()
        .filter(|t| rest.iter().all(|other| other.contains(t)))
        .copied()
        .collect()
}

/// A shared target on a pooled row, judged by its members: the worst status of their
/// judged figures for the same target, never the pooled figure's own (a channel whose
/// pooled service level passes while one of its call types misses is missed).
pub fn pooled(metrics: &Metrics, targets: &[Target], members: &[&[Judged]]) -> Vec<Judged> {
    targets
        .iter()
        .map(|&t| {
            let mut j = Judged::new(metrics, t, false);
            j.status = Status::worst(
                members
                    .iter()
                    .flat_map(|m| m.iter().filter(|x| x.target == t).map(|x| x.status)),
            );
            j
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(mean: f64, ci95: f64) -> Estimate {
        Estimate {
            mean: Some(mean),
            ci95: Some(ci95),
        }
    }

    #[test]
    fn verdicts_follow_the_bound_and_the_noise() {
        let sl = Target {
            figure: Figure::ServiceLevel,
            bound: 0.8,
        };
        assert_eq!(Status::of(e(0.85, 0.01), &sl), Some(Status::Met));
        assert_eq!(Status::of(e(0.75, 0.01), &sl), Some(Status::Missed));
        assert_eq!(Status::of(e(0.79, 0.02), &sl), Some(Status::WithinNoise));
        assert_eq!(Status::of(Estimate { mean: None, ci95: None }, &sl), None);
        let asa = Target {
            figure: Figure::MaxAsa,
            bound: 30.0,
        };
        assert_eq!(Status::of(e(20.0, 1.0), &asa), Some(Status::Met));
        assert_eq!(Status::of(e(40.0, 1.0), &asa), Some(Status::Missed));
        assert_eq!(
            Status::worst([Some(Status::Met), None, Some(Status::Missed)]),
            Some(Status::Missed)
        );
        assert_eq!(Status::worst([None, None]), None);
    }

    #[test]
    fn a_pool_is_judged_only_on_the_targets_all_its_members_share() {
        let t = |figure, bound| Target { figure, bound };
        let a = [t(Figure::ServiceLevel, 0.8), t(Figure::AnswerRate, 0.9)];
        let b = [t(Figure::ServiceLevel, 0.7), t(Figure::AnswerRate, 0.9)];
        assert_eq!(shared(&[&a, &b]), vec![t(Figure::AnswerRate, 0.9)]);
        assert_eq!(shared(&[&a]), a.to_vec());
    }
}
