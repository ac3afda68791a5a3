//! Memory a run will hold, estimated from the model before anything is allocated, and
//! the budget it must fit in.
//!
//! What a run holds grows with the model, not with the calls: per worker thread, one
//! replication's cells (intervals × call types and groups) and the engine's tables (a
//! slot per agent, per group × call type, per interval × call type); across threads the
//! accumulators of sums over replications (threads + 1 of them); replications kept
//! whole (`staff`, `compare`); and the summary with its JSON text. The estimate is
//! compared with a budget, 2 GiB unless the environment variable `CCSIM_MEMORY_LIMIT`
//! says otherwise (`8GiB`, `512MiB`, `3G`, or bytes), and a run over it is refused with
//! the products that make it and what to change. Contacts waiting and events pending are
//! bounded by the engine's own caps ([`crate::model::limits`]), not estimated here.

use crate::error::Error;
use crate::model::Model;
use crate::stats::{Accumulator, CALL_METRICS, CHANNELS, GROUP_METRICS, RepStats, call};

/// The memory budget without `CCSIM_MEMORY_LIMIT`: 2 GiB.
pub const DEFAULT_BUDGET: u64 = 2 << 30;

/// The environment variable that sets the budget.
pub const BUDGET_VARIABLE: &str = "CCSIM_MEMORY_LIMIT";

/// Bytes of the summary per reported figure: a mean and its interval, two f64 (the
/// names are shared by every cell of a kind). The JSON, CSV and HTML are streamed to
/// their files, never held whole (measured: a 7.4-million-figure report peaks at the
/// same 345 MiB as the table alone).
const SUMMARY_BYTES_PER_FIGURE: u128 = 16;

/// Engine bytes per agent (an idle-since time, and a chat record when chatting), per
/// group × call type pair, and per interval × call type (arrival rates).
const ENGINE_BYTES_PER_AGENT: u128 = 16;
const ENGINE_BYTES_PER_PAIR: u128 = 56;
const ENGINE_BYTES_PER_RATE: u128 = 8;

/// The budget: `CCSIM_MEMORY_LIMIT` read as bytes with an optional unit (`k`, `M`, `G`,
/// `T`, each with or without `i`/`B`: powers of 1024), else [`DEFAULT_BUDGET`].
pub fn budget() -> Result<u64, Error> {
    match std::env::var(BUDGET_VARIABLE) {
        Ok(text) => parse_bytes(&text).ok_or_else(|| {
            Error::Other(format!(
                "{BUDGET_VARIABLE}={text}: expected a size such as 8GiB, 512MiB, 3G or a number of bytes"
            ))
        }),
        Err(_) => Ok(DEFAULT_BUDGET),
    }
}

/// A size such as `8GiB`, `512 MiB`, `3G`, `64k` or `1000000` (bytes).
pub fn parse_bytes(text: &str) -> Option<u64> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: f64 = number.parse().ok()?;
    let scale: f64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "k" | "kb" | "kib" => 1024.0,
        "m" | "mb" | "mib" => 1024.0 * 1024.0,
        "g" | "gb" | "gib" => 1024.0 * 1024.0 * 1024.0,
        "t" | "tb" | "tib" => 1024.0 * 1024.0 * 1024.0 * 1024.0,
        _ => return None,
    };
    let bytes = number * scale;
    (1.0..1.8e19).contains(&bytes).then_some(bytes as u64)
}

/// A size for people: `3.52 GiB`, `940 MiB`, `12 KiB`, `512 B`.
pub fn bytes_text(bytes: u128) -> String {
    let b = bytes as f64;
    let units = [
        ("TiB", 1u64 << 40),
        ("GiB", 1 << 30),
        ("MiB", 1 << 20),
        ("KiB", 1 << 10),
    ];
    for (unit, size) in units {
        if b >= size as f64 {
            let v = b / size as f64;
            let digits = if v < 10.0 {
                2
            } else if v < 100.0 {
                1
            } else {
                0
            };
            let text = format!("{v:.digits$}");
            let text = if text.contains('.') {
                text.trim_end_matches('0').trim_end_matches('.')
            } else {
                &text
            };
            return format!("{text} {unit}");
        }
    }
    format!("{bytes} B")
}

/// One part of an estimate: what it is (the product that makes it) and its bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct Part {
    pub what: String,
    pub bytes: u128,
}

/// What running `model` on `threads` worker threads needs, holding `held` replications'
/// cells besides (what `staff` and `compare` keep).
pub fn estimate(model: &Model, threads: usize, held: u64) -> Vec<Part> {
    estimate_with(model, threads, threads.max(1) + 1, held)
}

/// [`estimate`] with `accumulators` accumulators held at once.
fn estimate_with(model: &Model, threads: usize, accumulators: usize, held: u64) -> Vec<Part> {
    let (intervals, types, groups) = (model.clock.intervals, model.call_types.len(), model.groups.len());
    let threads = threads.max(1) as u128;
    let sums = CALL_METRICS
        .iter()
        .filter(|m| matches!(m.measure, crate::stats::Measure::Ratio { .. }))
        .count()
        + 2 * call::FIELDS;
    let one = Accumulator::bytes_for(intervals, types, groups);
    let accumulators = accumulators as u128;
    let why = if accumulators == threads + 1 {
        format!("{threads} threads + 1")
    } else {
        format!("on {threads} threads")
    };
    let mut parts = vec![Part {
        what: format!(
            "sums over replications: {} intervals × {} columns ({types} call types, {CHANNELS} channels, all) × ({sums} figures + {} of the wait histogram) × 16 B (and the window's wait histograms, {} per column, and the groups') = {} per accumulator × {accumulators} accumulators ({why})",
            intervals + 1,
            types + CHANNELS + 1,
            3 * crate::histogram::COARSE.buckets,
            3 * crate::histogram::FINE.buckets,
            bytes_text(one)
        ),
        bytes: one * accumulators,
    }];
    let rep = RepStats::bytes_for(intervals, types, groups);
    let agents: u128 = model
        .groups
        .iter()
        .map(|g| g.staffing.iter().map(|&(_, n)| u128::from(n)).max().unwrap_or(0))
        .sum();
    let engine = agents * ENGINE_BYTES_PER_AGENT
        + (groups * types) as u128 * ENGINE_BYTES_PER_PAIR
        + (intervals * types) as u128 * ENGINE_BYTES_PER_RATE;
    parts.push(Part {
        what: format!(
            "one replication per thread: {intervals} intervals × ({types} call types and {groups} groups) of cells, and {} agents = {} × {threads} threads",
            agents,
            bytes_text(rep + engine)
        ),
        bytes: (rep + engine) * threads,
    });
    if held > 0 {
        // Kept without their wait histograms (see `WaitCounts::clear`).
        let kept = rep - crate::histogram::WaitCounts::bytes_for(intervals, types + CHANNELS + 1);
        parts.push(Part {
            what: format!("{held} replications kept whole × {}", bytes_text(kept)),
            bytes: kept * u128::from(held),
        });
    }
    parts.push(report(
        intervals,
        types,
        channels_in_use(model),
        groups,
        model_name_bytes(model),
    ));
    parts
}

/// How many channels (voice, chat, email) the model's call types use.
fn channels_in_use(model: &Model) -> usize {
    let mut channels: Vec<usize> = model.call_types.iter().map(|c| c.channel.index()).collect();
    channels.sort_unstable();
    channels.dedup();
    channels.len()
}

/// The bytes of the report (summary and JSON text) of a centre of this size, with
/// `channels` channels in use, whose call types' and groups' names hold `name_bytes`
/// ([`name_bytes`]): each interval's rows hold a copy of them.
fn report(intervals: usize, types: usize, channels: usize, groups: usize, name_bytes: u128) -> Part {
    let rows = (intervals as u128 + 1) * (types + channels + 1) as u128;
    let figures =
        rows * CALL_METRICS.len() as u128 + (intervals as u128 + 1) * groups as u128 * GROUP_METRICS.len() as u128;
    let names = (intervals as u128 + 1) * name_bytes;
    Part {
        what: format!(
            "the report: {figures} figures (every metric of every interval, call type, channel and group) × {} B, and the names in every interval's rows, {}",
            SUMMARY_BYTES_PER_FIGURE,
            bytes_text(names)
        ),
        bytes: figures * SUMMARY_BYTES_PER_FIGURE + names,
    }
}

/// Bytes of one copy of these names as a report's rows hold them (the text and a
/// `String`'s 24 bytes each).
pub fn name_bytes<'a>(names: impl IntoIterator<Item = &'a str>) -> u128 {
    names.into_iter().map(|n| n.len() as u128 + 24).sum()
}

/// [`name_bytes`] of a model's call types and groups.
fn model_name_bytes(model: &Model) -> u128 {
    name_bytes(
        model
            .call_types
            .iter()
            .map(|c| c.name.as_str())
            .chain(model.groups.iter().map(|g| g.name.as_str())),
    )
}

/// Refuses a run of `model` whose [`estimate`] is over the [`budget`].
pub fn check(model: &Model, threads: usize, held: u64) -> Result<(), Error> {
    let mut remedy = vec!["use longer intervals or fewer call types"];
    if threads > 1 {
        remedy.push("fewer --threads");
    }
    if held > 0 {
        remedy.push("fewer replications");
    }
    refuse_over(
        &model.file,
        "this run",
        estimate(model, threads, held),
        &remedy.join(", "),
    )
}

/// [`check`] for a run that holds `accumulators` accumulators at once.
pub fn check_accumulators(model: &Model, threads: usize, accumulators: usize) -> Result<(), Error> {
    let remedy = "use longer intervals or fewer call types, fewer --threads";
    refuse_over(
        &model.file,
        "this run",
        estimate_with(model, threads, accumulators, 0),
        remedy,
    )
}

/// Refuses a workbook (`--xlsx`) of `model` of `cells` cells taking `bytes` while it is
/// built and saved, when it and the summary it is made from are over the [`budget`].
pub fn check_workbook(model: &Model, bytes: u128, cells: u128) -> Result<(), Error> {
    let (intervals, types, groups) = (model.clock.intervals, model.call_types.len(), model.groups.len());
    let parts = vec![
        report(
            intervals,
            types,
            channels_in_use(model),
            groups,
            model_name_bytes(model),
        ),
        Part {
            what: format!("the workbook (--xlsx): {cells} cells and their text"),
            bytes,
        },
    ];
    refuse_over(
        &model.file,
        "writing this workbook",
        parts,
        "use longer intervals or fewer call types, or --out DIR for CSV files",
    )
}

/// Refuses a merge whose parts claim a layout of `sums` sums (see
/// [`crate::stats::Accumulator::bytes`]) over the [`budget`]: the total and one part
/// are held at once, then the report.
pub fn check_merge(
    file: &str,
    intervals: usize,
    types: usize,
    channels: usize,
    groups: usize,
    name_bytes: u128,
    sums: u128,
) -> Result<(), Error> {
    let one = sums * 16;
    let parts = vec![
        Part {
            what: format!(
                "sums: {} intervals × {types} call types and {groups} groups = {} per part × 2 (the total and one part)",
                intervals + 1,
                bytes_text(one)
            ),
            bytes: 2 * one,
        },
        report(intervals, types, channels, groups, name_bytes),
    ];
    refuse_over(
        file,
        "merging these parts",
        parts,
        "merge on a machine with more memory",
    )
}

fn refuse_over(file: &str, what: &str, parts: Vec<Part>, remedy: &str) -> Result<(), Error> {
    let limit = budget()?;
    let total: u128 = parts.iter().map(|p| p.bytes).sum();
    if total <= u128::from(limit) {
        return Ok(());
    }
    let mut largest = parts;
    largest.sort_by_key(|p| std::cmp::Reverse(p.bytes));
    Err(Error::Other(format!(
        "{file}: {what} would hold about {}, over the {} memory limit:\n{}\n  help: {remedy}, or raise the limit with {BUDGET_VARIABLE} (e.g. {BUDGET_VARIABLE}=8GiB)",
        bytes_text(total),
        bytes_text(u128::from(limit)),
        largest
            .iter()
            .map(|p| format!("  {}: {}", bytes_text(p.bytes), p.what))
            .collect::<Vec<_>>()
            .join("\n"),
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_read_with_their_units() {
        assert_eq!(parse_bytes("8GiB"), Some(8 << 30));
        assert_eq!(parse_bytes("512 MiB"), Some(512 << 20));
        assert_eq!(parse_bytes("3G"), Some(3 << 30));
        assert_eq!(parse_bytes("1000"), Some(1000));
        assert_eq!(parse_bytes("1.5k"), Some(1536));
        for bad in ["", "GiB", "-1G", "8 parsecs", "1e400"] {
            assert_eq!(parse_bytes(bad), None, "{bad}");
        }
        assert_eq!(bytes_text(3_780_000_000), "3.52 GiB");
        assert_eq!(bytes_text(2 << 30), "2 GiB");
        assert_eq!(bytes_text(3 << 29), "1.5 GiB");
        assert_eq!(bytes_text(512), "512 B");
    }
}
