//! Ctrl-C: a request to stop, seen by every replication within a few thousand events.
//!
//! The first Ctrl-C sets a flag: replications stop where they are, the command notices
//! before it writes anything, says so and exits 130 (files are only ever written
//! whole, after the work is done, so nothing is left half-written; a call log streamed
//! into a device or pipe is the exception, and the message then says its rows stay
//! there: [`crate::output::streamed_into`]). A second Ctrl-C exits at once.
//!
//! A run can also be stopped on its own, leaving others going (the workbench's cancel
//! button): a [`Cancel`] token entered on a thread makes [`requested`] true there once
//! it is cancelled, and the worker pools of [`crate::simulate::thread_pool`] enter the
//! token of the thread that made them, so every replication of that run sees it.

use std::cell::RefCell;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::error::Error;

static STOP: AtomicBool = AtomicBool::new(false);

/// Asks everything running to stop.
pub fn request() {
    STOP.store(true, Ordering::Relaxed);
}

thread_local! {
    /// The cancel token of the run this thread works for, if any.
    static RUN: RefCell<Option<Cancel>> = const { RefCell::new(None) };
}

/// A request to stop one run (not the whole process); clones share it.
#[derive(Debug, Clone, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    pub fn new() -> Cancel {
        Cancel::default()
    }

    /// Asks the run holding this token to stop.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }

    /// Makes this token the current thread's for the rest of its life (a pool's worker).
    pub fn enter(&self) {
        RUN.with(|run| *run.borrow_mut() = Some(self.clone()));
    }

    /// Runs `f` with this token as the current thread's, then puts back the one before.
    pub fn scope<R>(&self, f: impl FnOnce() -> R) -> R {
        let before = RUN.with(|run| run.borrow_mut().replace(self.clone()));
        let result = f();
        RUN.with(|run| *run.borrow_mut() = before);
        result
    }
}

/// The current thread's run token, for threads that work for the same run.
pub fn current() -> Option<Cancel> {
    RUN.with(|run| run.borrow().clone())
}

/// Whether a stop was asked for: Ctrl-C, or the cancel of the run this thread works for.
#[inline]
pub fn requested() -> bool {
    STOP.load(Ordering::Relaxed) || RUN.with(|run| run.borrow().as_ref().is_some_and(Cancel::is_cancelled))
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
