//! Integration tests, one binary, one module per behaviour.

mod bounds;
mod calibration;
mod callbacks;
mod channels;
mod ci;
mod common;

mod calculator;
mod cli;
mod counting;
mod determinism;
mod errors;
mod forecasts;
mod lines_and_messages;
mod outputs;
mod planner_figures;
mod queue_order;
mod realistic_day;
mod reliability;
mod reports;
mod rostering;
mod round_trip;
mod routing_preference;
mod safety;
mod staffing;
mod theory;
mod tiers;
mod wait_distributions;
mod workbench;
mod workbooks;
