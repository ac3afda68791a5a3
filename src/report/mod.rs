//! Writing a [`Summary`](crate::Summary): a table for people, JSON and CSV for programs.

pub mod csv;
pub mod html;
pub mod json;
pub mod junit;
pub mod roster;
pub mod staff;
pub mod table;
