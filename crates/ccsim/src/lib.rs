//! ccsim: a contact-centre simulator.
//!
//! Data flows one way: a scenario file is parsed into a [`Scenario`] (the file's shape,
//! with positions for messages), validated into a [`Model`] (typed ids, samplers,
//! immutable), simulated one replication at a time by the [`engine`] (no I/O), whose
//! integer sums are merged into an [`stats::Accumulator`], summarised with confidence
//! intervals into a [`Summary`], and written by a [`report`].
//!
//! ```
//! use ccsim::{Model, Scenario, Summary};
//!
//! let text = r#"
//!     [scenario]
//!     name = "tiny"
//!     duration = "2h"
//!     replications = 4
//!
//!     [[call_type]]
//!     name = "sales"
//!     arrivals = { per_hour = 120 }
//!     handle_time = { dist = "exponential", mean = "4m" }
//!     patience = { dist = "exponential", mean = "2m" }
//!
//!     [[agent_group]]
//!     name = "team"
//!     agents = 10
//!     skills = ["sales"]
//! "#;
//! let scenario = Scenario::parse("tiny.toml", text)?;
//! let model = Model::build(&scenario)?;
//! let acc = ccsim::simulate(&model, 1, &|| {})?;
//! let summary = Summary::new(&model, &acc);
//! let offered = summary.totals.get("offered").unwrap().mean.unwrap();
//! assert!(offered > 150.0 && offered < 330.0);
//! # Ok::<(), ccsim::Error>(())
//! ```

pub mod budget;
pub mod calllog;
pub mod check;
pub mod compare;
pub mod engine;
pub mod erlang;
pub mod error;
pub mod fit;
pub mod histogram;
pub mod input;
pub mod interrupt;
pub mod model;
pub mod output;
pub mod report;
pub mod rng;
pub mod scenario;
pub mod schema;
pub mod shard;
pub mod simulate;
pub mod staff;
pub mod stats;
pub mod summary;
pub mod targets;

pub use error::{Diagnostic, Error};
pub use model::Model;
pub use scenario::Scenario;
pub use simulate::{simulate, simulate_range};
pub use summary::Summary;
