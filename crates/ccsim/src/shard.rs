//! Replications spread over machines: `run --shard K/N` runs the K-th of N disjoint
//! slices of the replications and stores its integer sums; `merge` adds the parts.
//!
//! A part file holds the [`Accumulator`] (integer sums, so addition is exact in any
//! order) with the [`Layout`] a summary needs (names, labels, seed), the total number of
//! replications and a fingerprint of the scenario text. Merging checks that the parts come
//! from the same scenario, seed and split, and that each slice is there exactly once; the
//! merged summary is then byte for byte what one run of all replications prints.
//!
//! A part is read as untrusted input: at most [`crate::input::MAX_RESULT_BYTES`], and
//! what it claims (replications, shards, intervals × call types × groups) is checked
//! against the limits, against the sums it holds and against the memory budget before
//! anything is allocated for it. The part is sealed with the SHA-256 of its text, so a
//! part changed after ccsim wrote it (edited by hand, reformatted or rounded by another
//! tool on its way between machines) is refused, never merged into wrong figures.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::model::{Model, limits};
use crate::rng::fnv1a;
use crate::stats::Accumulator;
use crate::summary::{Layout, Summary};

/// Which slice of the replications a shard runs: `index` of `count`, from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

impl Shard {
    /// Reads `K/N`, 1 ≤ K ≤ N.
    pub fn parse(text: &str) -> Result<Shard, Error> {
        let bad = || {
            Error::Other(format!(
                "--shard: expected K/N with 1 ≤ K ≤ N (the K-th of N slices), got `{text}`"
            ))
        };
        let (k, n) = text.split_once('/').ok_or_else(bad)?;
        let (index, count) = (
            k.trim().parse::<u64>().map_err(|_| bad())?,
            n.trim().parse::<u64>().map_err(|_| bad())?,
        );
        if index == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }

    /// The replications of this slice of `total`: contiguous, disjoint, covering all.
    pub fn range(&self, total: u64) -> std::ops::Range<u64> {
        let at = |k: u64| (u128::from(total) * u128::from(k) / u128::from(self.count)) as u64;
        at(self.index - 1)..at(self.index)
    }

    pub fn file_name(&self) -> String {
        format!("part-{}-of-{}.json", self.index, self.count)
    }
}

/// One shard's result, as stored (inside its [`Sealed`] envelope).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Part {
    /// FNV-1a of the scenario text, so parts of different scenarios are not mixed.
    pub scenario_hash: String,
    pub layout: Layout,
    pub replications: u64,
    pub shard: Shard,
    pub accumulator: Accumulator,
}

/// A part file: its format, then the part's text exactly as written with the SHA-256 of
/// that text (lowercase hexadecimal).
#[derive(Serialize, Deserialize)]
struct Sealed<'a> {
    /// [`FORMAT`].
    format: String,
    sha256: String,
    #[serde(borrow)]
    part: &'a serde_json::value::RawValue,
}

/// The part file's format alone, read first so that a file of another format is named
/// as such whatever else it holds.
#[derive(Deserialize)]
struct Format {
    format: String,
}

fn sha256_hex(text: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The part format: 3 since sums past 2^128 keep their multiples of 2^128 beside them
/// (`high`), which a reader of format 2 would drop; 4 since the accumulator holds the wait
/// histograms' moments (`waits`) and the maxima's fields; 5 since the call-cell fields
/// are numbered for the cache (the same fields at other places: a part of format 4 would
/// be read wrongly, so it is refused); 6 since the part is sealed with its SHA-256.
pub const FORMAT: &str = "ccsim-part/6";

/// What tells the runs apart: the scenario's text, and (if it read any) what it read
/// from its CSV files, so that parts of runs whose files changed in between are not
/// merged.
fn scenario_hash(text: &str, model: &Model) -> String {
    let text = fnv1a(text);
    match model.inputs_digest {
        0 => format!("{text:016x}"),
        inputs => format!("{:016x}", crate::rng::splitmix64(text ^ inputs)),
    }
}

/// Runs shard `shard` of `model`'s replications (the scenario's text is `text`) and
/// writes its part file into `dir`, and the call log of its replications to `call_log`
/// (see [`crate::calllog`]; dated by their place in the whole run, so the shards' logs
/// concatenated in order, each header but the first left out, are the whole run's log),
/// both into `outputs`; returns the part file's path.
#[allow(clippy::too_many_arguments)]
pub fn run_shard(
    model: &Model,
    text: &str,
    shard: Shard,
    dir: &Path,
    threads: usize,
    call_log: Option<&Path>,
    outputs: &mut crate::output::Batch,
    progress: &(dyn Fn() + Sync),
) -> Result<PathBuf, Error> {
    let range = shard.range(model.replications);
    let accumulator = match call_log {
        Some(log) => crate::calllog::simulate_with_call_log(model, range, threads, log, outputs, progress)?,
        None => crate::simulate_range(model, range, threads, progress)?,
    };
    let part = Part {
        scenario_hash: scenario_hash(text, model),
        layout: Layout::of(model),
        replications: model.replications,
        shard,
        accumulator,
    };
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir.display().to_string(), e))?;
    let path = dir.join(shard.file_name());
    let encode = |e: serde_json::Error| Error::Other(format!("cannot encode the part: {e}"));
    let body = serde_json::value::to_raw_value(&part).map_err(encode)?;
    let sealed = Sealed {
        format: FORMAT.into(),
        sha256: sha256_hex(body.get()),
        part: &body,
    };
    let json = serde_json::to_string(&sealed).map_err(encode)?;
    outputs.file(&path, &json)?;
    Ok(path)
}

/// The part files named by `paths`: files, or folders holding `part-*.json`.
fn part_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, Error> {
    let mut files = Vec::new();
    for p in paths {
        if p.is_dir() {
            let entries = std::fs::read_dir(p).map_err(|e| Error::io(p.display().to_string(), e))?;
            let mut found: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| {
                    f.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.starts_with("part-") && n.ends_with(".json"))
                })
                .collect();
            found.sort();
            files.extend(found);
        } else {
            files.push(p.clone());
        }
    }
    if files.is_empty() {
        return Err(Error::Other(format!(
            "no part files (part-K-of-N.json) in {}",
            paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    Ok(files)
}

/// What a part file claims, read without its sums (they are skipped, not stored).
#[derive(Debug, Deserialize)]
struct Header {
    scenario_hash: String,
    layout: Layout,
    replications: u64,
    shard: Shard,
    #[serde(rename = "accumulator")]
    _accumulator: serde::de::IgnoredAny,
}

impl Header {
    /// The sums the claimed layout holds (calls' and groups' tables).
    fn sums(&self) -> u128 {
        let l = &self.layout;
        Accumulator::bytes_for(l.intervals.len(), l.call_types.len(), l.groups.len()) / 16
    }
}

/// Reads a part file's header and checks what it claims: the format, the shard, the
/// replications and the layout within the limits, and at least the bytes its sums take
/// (one digit and a comma each), before anything is allocated for the sums.
fn read_header(f: &Path) -> Result<Header, Error> {
    let text = crate::input::read_text(f, "part file", crate::input::MAX_RESULT_BYTES)?;
    let part = unseal(f, &text)?;
    let header: Header =
        serde_json::from_str(part).map_err(|e| Error::Other(format!("{}: not a ccsim part file: {e}", f.display())))?;
    let layout = &header.layout;
    let (intervals, types, groups) = (
        layout.intervals.len() as u64,
        layout.call_types.len() as u64,
        layout.groups.len() as u64,
    );
    let valid = header.shard.index >= 1
        && header.shard.index <= header.shard.count
        && header.shard.count <= limits::MAX_REPLICATIONS
        && (1..=limits::MAX_REPLICATIONS).contains(&header.replications)
        && (1..=limits::MAX_INTERVALS as u64).contains(&intervals)
        && types * intervals <= limits::MAX_CELLS
        && groups * intervals <= limits::MAX_CELLS
        && layout.channels.len() as u64 == types
        && layout.targets.len() as u64 == types
        && 2 * header.sums() <= text.len() as u128;
    if !valid {
        return Err(damaged(f));
    }
    Ok(header)
}

/// The part's text inside a part file's `text`, once its format and its SHA-256 are
/// found right.
fn unseal<'t>(f: &Path, text: &'t str) -> Result<&'t str, Error> {
    let not_a_part = |e: serde_json::Error| Error::Other(format!("{}: not a ccsim part file: {e}", f.display()));
    let other_format = |format: &str| {
        Error::Other(format!(
            "{}: part format `{format}`, this ccsim reads `{FORMAT}`; run the shard again with this ccsim",
            f.display(),
        ))
    };
    let sealed: Sealed = match serde_json::from_str(text) {
        Ok(sealed) => sealed,
        // Another format need not be sealed alike: named as such if it says which it is.
        Err(e) => match serde_json::from_str::<Format>(text) {
            Ok(Format { format }) if format != FORMAT => return Err(other_format(&format)),
            _ => return Err(not_a_part(e)),
        },
    };
    if sealed.format != FORMAT {
        return Err(other_format(&sealed.format));
    }
    if sha256_hex(sealed.part.get()) != sealed.sha256 {
        return Err(Error::Other(format!(
            "{}: the part's text does not match its SHA-256: it was changed after ccsim wrote it (edited, or reformatted by another tool); merge the part file as `run --shard` wrote it, or run the shard again",
            f.display()
        )));
    }
    Ok(sealed.part.get())
}

fn damaged(f: &Path) -> Error {
    Error::Other(format!(
        "{}: a damaged part file, or one written by another version of ccsim",
        f.display()
    ))
}

/// Merges the parts found in `paths` into the summary one whole run gives. Headers are
/// read and checked first; then the parts' sums, one part at a time, each at most the
/// size its layout claims.
pub fn merge(paths: &[PathBuf]) -> Result<Summary, Error> {
    let files = part_files(paths)?;
    let mut headers: Vec<(PathBuf, Header)> = Vec::new();
    for f in files {
        crate::interrupt::check()?;
        let header = read_header(&f)?;
        headers.push((f, header));
    }
    headers.sort_by_key(|(_, h)| h.shard.index);
    let (first_file, first) = &headers[0];
    for (f, h) in &headers[1..] {
        let same = h.scenario_hash == first.scenario_hash
            && h.layout == first.layout
            && h.replications == first.replications
            && h.shard.count == first.shard.count;
        if !same {
            return Err(Error::Other(format!(
                "{} and {} are parts of different runs (scenario, the CSV files it reads, seed, replications or number of shards differ)",
                first_file.display(),
                f.display()
            )));
        }
    }
    let count = first.shard.count;
    for (k, (_, h)) in headers.iter().enumerate() {
        let n = headers.iter().filter(|(_, o)| o.shard.index == h.shard.index).count();
        if n > 1 {
            return Err(Error::Other(format!(
                "shard {} of {count} is given more than once: every shard must be merged exactly once",
                h.shard.index
            )));
        }
        // Sorted and distinct: the k-th part is shard k + 1 unless one is missing.
        if h.shard.index != k as u64 + 1 {
            return Err(missing(k as u64 + 1, count));
        }
    }
    if headers.len() as u64 != count {
        return Err(missing(headers.len() as u64 + 1, count));
    }
    let layout = first.layout.clone();
    let replications = first.replications;
    let (intervals, types, groups) = (layout.intervals.len(), layout.call_types.len(), layout.groups.len());
    let mut channels: Vec<usize> = layout.channels.iter().map(|c| c.index()).collect();
    channels.sort_unstable();
    channels.dedup();
    crate::budget::check_merge(
        &first_file.display().to_string(),
        intervals,
        types,
        channels.len(),
        groups,
        crate::budget::name_bytes(layout.call_types.iter().chain(&layout.groups).map(String::as_str)),
        first.sums(),
    )?;
    let mut total: Option<Accumulator> = None;
    for (f, h) in &headers {
        crate::interrupt::check()?;
        let text = crate::input::read_text(f, "part file", crate::input::MAX_RESULT_BYTES)?;
        let sealed = unseal(f, &text)?;
        let part: Part = crate::stats::with_sums_limit(h.sums() as usize, || serde_json::from_str(sealed))
            .map_err(|e| Error::Other(format!("{}: not a ccsim part file: {e}", f.display())))?;
        drop(text);
        // The file may have changed since its header was read: check it all again.
        let valid = part.layout == layout
            && part.replications == replications
            && part.shard == h.shard
            && part.accumulator.replications <= replications
            && part.accumulator.has_shape(intervals, types, groups);
        if !valid {
            return Err(damaged(f));
        }
        match &mut total {
            None => total = Some(part.accumulator),
            Some(t) => *t += &part.accumulator,
        }
    }
    let total = total.expect("at least one part");
    if total.replications != replications {
        return Err(Error::Other(format!(
            "the parts hold {} replications, the run has {replications}",
            total.replications
        )));
    }
    Ok(Summary::with_layout(&layout, &total))
}

fn missing(k: u64, count: u64) -> Error {
    Error::Other(format!(
        "shard {k} of {count} is missing: every shard must be merged exactly once"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slices_are_disjoint_and_cover_everything() {
        for total in [1, 7, 10, 1000] {
            for count in 1..=8 {
                let mut next = 0;
                for index in 1..=count {
                    let r = Shard { index, count }.range(total);
                    assert_eq!(r.start, next);
                    next = r.end;
                }
                assert_eq!(next, total);
            }
        }
    }

    #[test]
    fn shard_arguments() {
        assert_eq!(Shard::parse("2/5").unwrap(), Shard { index: 2, count: 5 });
        for bad in ["0/3", "4/3", "x/3", "3", "1/0"] {
            assert!(Shard::parse(bad).is_err(), "{bad}");
        }
    }
}
