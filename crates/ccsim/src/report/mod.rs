//! Writing a [`Summary`](crate::Summary): a table for people, JSON and CSV for programs,
//! an HTML report and an Excel workbook for planners.

pub mod csv;
pub mod html;
pub mod json;
pub mod junit;
pub mod roster;
pub mod staff;
pub mod table;
pub mod xlsx;
