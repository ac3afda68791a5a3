//! Ctrl-C: a request to stop, seen by every replication within a few thousand events.
//!
//! The first Ctrl-C sets a flag: replications stop where they are, the command notices
//! before it writes anything, says so and exits 130 (outputs are only ever written
//! whole, after the work is done, so nothing is left half-written). A second Ctrl-C
//! exits at once.

use std::sync::atomic::{AtomicBool, Ordering};

use crate::error::Error;

static STOP: AtomicBool = AtomicBool::new(false);

/// Asks everything running to stop.
pub fn request() {
    STOP.store(true, Ordering::Relaxed);
}

/// Whether a stop was asked for.
#[inline]
pub fn requested() -> bool {
    STOP.load(Ordering::Relaxed)
}

/// `Err(Error::Interrupted)` once a stop was asked for: call before writing output.
pub fn check() -> Result<(), Error> {
    if requested() { Err(Error::Interrupted) } else { Ok(()) }
}

/// Installs the Ctrl-C handler (the binary does; a library user need not).
pub fn install_handler() {
    let _ = ctrlc::set_handler(|| {
        if requested() {
            crate::output::remove_temporaries();
            eprintln!("\ninterrupted again: exiting now");
            std::process::exit(130);
        }
        request();
    });
}
