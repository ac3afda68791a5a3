//! Reading input files: only regular files, and only up to a size limit.
//!
//! A scenario may name any path (`csv = "/dev/zero"`), and a file may be far larger than
//! what it describes needs (parsing a scenario holds about 65 bytes of memory per byte of
//! text). So every input is checked before it is read: it must be a regular file (after
//! symbolic links; not a device, a pipe or a folder) no larger than its kind's limit,
//! and it is read through a reader that stops at the limit even if the file grows.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use crate::error::Error;

/// The largest scenario file read: 10 MiB.
pub const MAX_SCENARIO_BYTES: u64 = 10 << 20;

/// The largest CSV file a scenario reads (forecasts, empirical samples): 100 MiB.
pub const MAX_CSV_BYTES: u64 = 100 << 20;

/// CSV bytes one scenario reads in all, each file once per column however many
/// references name it: 512 MiB (a few seconds of parsing).
pub const MAX_CSV_BYTES_READ: u64 = 512 << 20;

/// Numbers one scenario takes from CSV files in all, counted at every reference (each
/// holds its own copy): 20,000,000 (160 MB as `f64`).
pub const MAX_CSV_VALUES: u64 = 20_000_000;

/// The largest part file (`merge`): 1 GiB. A part is read as its header first, then its
/// sums one part at a time, each at most what its layout claims.
pub const MAX_RESULT_BYTES: u64 = 1 << 30;

/// The largest baseline summary (`check --baseline`): 256 MiB, read whole into a JSON
/// value of about twice its size (a summary of 2.8 million figures).
pub const MAX_BASELINE_BYTES: u64 = 256 << 20;

/// The largest call log `fit` and `backtest` read: 1 GiB (the bank's month is 3.3 MB).
pub const MAX_LOG_BYTES: u64 = 1 << 30;

/// Why a file is not read: not a regular file, or too large (the message names the file
/// and the limit).
fn refuse(path: &Path, what: &str, limit: u64) -> Result<(), String> {
    let meta = std::fs::metadata(path).map_err(|e| e.to_string())?;
    if !meta.is_file() {
        let kind = if meta.is_dir() {
            "a folder"
        } else {
            "a device, pipe or socket"
        };
        return Err(format!(
            "not a regular file ({kind}): a {what} is read from a regular file only"
        ));
    }
    if meta.len() > limit {
        return Err(format!(
            "{} bytes, larger than the {} a {what} may be",
            meta.len(),
            crate::budget::bytes_text(u128::from(limit))
        ));
    }
    Ok(())
}

/// Opens `path` for reading if it is a regular file of at most `limit` bytes (`what`
/// names the kind of file in messages); the reader stops after `limit` bytes. The error
/// is the reason alone (the caller names the file).
pub fn open(path: &Path, what: &str, limit: u64) -> Result<std::io::Take<File>, String> {
    refuse(path, what, limit)?;
    let file = File::open(path).map_err(|e| e.to_string())?;
    Ok(file.take(limit))
}

/// The text of `path`, a regular file of at most `limit` bytes (`what` names its kind).
pub fn read_text(path: &Path, what: &str, limit: u64) -> Result<String, Error> {
    let name = path.display().to_string();
    let mut reader = open(path, what, limit).map_err(|why| Error::Other(format!("{name}: {why}")))?;
    let mut bytes = Vec::new();
    reader.read_to_end(&mut bytes).map_err(|e| Error::io(name.clone(), e))?;
    String::from_utf8(bytes).map_err(|_| Error::Other(format!("{name}: not UTF-8 text")))
}

/// A scenario file's text (at most [`MAX_SCENARIO_BYTES`]).
pub fn scenario_text(path: &Path) -> Result<String, Error> {
    read_text(path, "scenario file", MAX_SCENARIO_BYTES)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_folders_and_large_files_are_refused() {
        #[cfg(unix)]
        {
            let e = read_text(Path::new("/dev/zero"), "CSV file", MAX_CSV_BYTES).unwrap_err();
            assert!(e.to_string().contains("/dev/zero: not a regular file"), "{e}");
        }
        let dir = tempfile::tempdir().unwrap();
        let e = read_text(dir.path(), "scenario file", MAX_SCENARIO_BYTES).unwrap_err();
        assert!(e.to_string().contains("(a folder)"), "{e}");
        let big = dir.path().join("big.toml");
        std::fs::write(&big, vec![b'#'; 2048]).unwrap();
        let e = read_text(&big, "scenario file", 1024).unwrap_err();
        assert!(
            e.to_string()
                .ends_with("big.toml: 2048 bytes, larger than the 1 KiB a scenario file may be"),
            "{e}"
        );
        assert_eq!(read_text(&big, "scenario file", 4096).unwrap().len(), 2048);
    }
}
