//! Integration tests, one binary, one module per behaviour.

mod channels;
mod cli;
mod counting;
mod determinism;
mod errors;
mod forecasts;
mod realistic_day;
mod staffing;
mod theory;
mod tiers;
mod ci;
mod reports;
