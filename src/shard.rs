//! Replications spread over machines: `run --shard K/N` runs the K-th of N disjoint
//! slices of the replications and stores its integer sums; `merge` adds the parts.
//!
//! A part file holds the [`Accumulator`] (integer sums, so addition is exact in any
//! order) with the [`Layout`] a summary needs (names, labels, seed), the total number of
//! replications and a fingerprint of the scenario text. Merging checks that the parts come
//! from the same scenario, seed and split, and that each slice is there exactly once; the
//! merged summary is then byte for byte what one run of all replications prints.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::model::Model;
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

/// One shard's result, as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Part {
    /// `ccsim-part/1`.
    pub format: String,
    /// FNV-1a of the scenario text, so parts of different scenarios are not mixed.
    pub scenario_hash: String,
    pub layout: Layout,
    pub replications: u64,
    pub shard: Shard,
    pub accumulator: Accumulator,
}

const FORMAT: &str = "ccsim-part/2";

/// Runs shard `shard` of `model`'s replications (the scenario's text is `text`) and
/// writes its part file into `dir`, and the call log of its replications to `call_log`
/// (see [`crate::calllog`]; dated by their place in the whole run, so the shards' logs
/// concatenated in order, each header but the first left out, are the whole run's log);
/// returns the part file's path.
pub fn run_shard(
    model: &Model,
    text: &str,
    shard: Shard,
    dir: &Path,
    threads: usize,
    call_log: Option<&Path>,
    progress: &(dyn Fn() + Sync),
) -> Result<PathBuf, Error> {
    let range = shard.range(model.replications);
    let accumulator = match call_log {
        Some(log) => crate::calllog::simulate_with_call_log(model, range, threads, log, progress)?,
        None => crate::simulate_range(model, range, threads, progress)?,
    };
    let part = Part {
        format: FORMAT.into(),
        scenario_hash: format!("{:016x}", fnv1a(text)),
        layout: Layout::of(model),
        replications: model.replications,
        shard,
        accumulator,
    };
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir.display().to_string(), e))?;
    let path = dir.join(shard.file_name());
    let json = serde_json::to_string(&part).map_err(|e| Error::Other(format!("cannot encode the part: {e}")))?;
    crate::report::csv::write_atomic(&path, &json)?;
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

/// Merges the parts found in `paths` into the summary one whole run gives.
pub fn merge(paths: &[PathBuf]) -> Result<Summary, Error> {
    let files = part_files(paths)?;
    let mut parts: Vec<(PathBuf, Part)> = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).map_err(|e| Error::io(f.display().to_string(), e))?;
        let part: Part = serde_json::from_str(&text)
            .map_err(|e| Error::Other(format!("{}: not a ccsim part file: {e}", f.display())))?;
        if part.format != FORMAT {
            return Err(Error::Other(format!(
                "{}: part format `{}`, this ccsim reads `{FORMAT}`",
                f.display(),
                part.format
            )));
        }
        let layout = &part.layout;
        let expected = Accumulator::new(layout.intervals.len(), layout.call_types.len(), layout.groups.len());
        let valid = part.shard.index >= 1
            && part.shard.index <= part.shard.count
            && layout.channels.len() == layout.call_types.len()
            && layout.targets.len() == layout.call_types.len()
            && part.accumulator.same_shape(&expected);
        if !valid {
            return Err(Error::Other(format!(
                "{}: a damaged part file, or one written by another version of ccsim",
                f.display()
            )));
        }
        parts.push((f, part));
    }
    parts.sort_by_key(|(_, p)| p.shard.index);
    let (first_file, first) = &parts[0];
    for (f, p) in &parts[1..] {
        let same = p.scenario_hash == first.scenario_hash
            && p.layout == first.layout
            && p.replications == first.replications
            && p.shard.count == first.shard.count
            && p.accumulator.same_shape(&first.accumulator);
        if !same {
            return Err(Error::Other(format!(
                "{} and {} are parts of different runs (scenario, seed, replications or number of shards differ)",
                first_file.display(),
                f.display()
            )));
        }
    }
    let count = first.shard.count;
    for k in 1..=count {
        let n = parts.iter().filter(|(_, p)| p.shard.index == k).count();
        if n != 1 {
            return Err(Error::Other(format!(
                "shard {k} of {count} {}: every shard must be merged exactly once",
                if n == 0 {
                    "is missing"
                } else {
                    "is given more than once"
                }
            )));
        }
    }
    let mut total = first.accumulator.clone();
    for (_, p) in &parts[1..] {
        total += &p.accumulator;
    }
    if total.replications != first.replications {
        return Err(Error::Other(format!(
            "the parts hold {} replications, the run has {}",
            total.replications, first.replications
        )));
    }
    Ok(Summary::with_layout(&first.layout, &total))
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
