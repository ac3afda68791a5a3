//! Excel workbooks (`run|staff|compare … --xlsx FILE`), for planners who work in a
//! spreadsheet: one sheet per table, numbers stored as numbers.
//!
//! Every workbook opens with an `about` sheet (the scenario, seed, replications, ccsim's
//! version, the verdict). `run` adds `intervals`, `call_types`, `channels` and `groups`:
//! the tables and columns of the CSV files ([`super::csv`]), each metric's mean and its
//! 95 % half-width (`<metric>_ci95`), targets and verdicts. `staff` puts `staffing` first
//! (the CSV of [`super::staff`]: agents per interval and group, paid headcount, the
//! search's flags, the figures at that staffing, the verdict and note of the interval),
//! then the same four tables at the chosen staffing. `compare` has `differences`: every
//! paired difference of [`crate::compare`].
//!
//! Each column has one [`Unit`] and its number format: rates as percentages, seconds as
//! `0.0 "s"`, hours as `0.0 "h"`, money with thousands separators and the scenario's
//! currency. An undefined figure is an empty cell. A verdict (`met`, `missed`,
//! `within_noise`, `not_judged`) is text filled green, red, amber or grey. Header rows
//! (and the columns that name a row) are frozen, with a filter, and columns are as wide
//! as their header or longest text. Text is only ever written as a string, never a
//! formula, so a call type named `=HYPERLINK(…)` shows as typed; text longer than Excel
//! takes (32,767 UTF-16 units) is cut there with `…`.
//!
//! The tables are written cell by cell through [`Tables`]: the workbook is one reader of
//! them, the Python module's DataFrames another ([`run_tables`], [`staff_tables`],
//! [`compare_tables`]), so both have the same rows, columns and types.
//!
//! The same run gives the same bytes: the document's creation time, which Excel files
//! carry, is fixed ([`CREATED`]), like the zip entries' times. A workbook of a model that
//! does not fit Excel's rows or the memory budget is refused before the run ([`check`]).

use std::io::Write;

use rust_xlsxwriter::{
    Color, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError,
};

use crate::Summary;
use crate::compare::Comparison;
use crate::error::Error;
use crate::model::{Channel, Model};
use crate::staff::StaffPlan;
use crate::stats::{CALL_METRICS, GROUP_METRICS, Measure, MetricDef};
use crate::summary::{Estimate, Metrics, Named};
use crate::targets::{Figure, Judged, Status};

/// Rows of a sheet in Excel (the header is one of them).
pub const MAX_ROWS: u64 = 1_048_576;

/// Characters (UTF-16 units) of a cell in Excel.
const MAX_TEXT: usize = 32_767;

/// The workbook's creation time (UTC): fixed, so that a run gives the same bytes.
pub const CREATED: (u16, u8, u8) = (2000, 1, 1);

/// Widest a column is made, in characters.
const MAX_WIDTH: usize = 60;

/// Bytes a workbook holds per cell while it is built and saved (its record in the
/// sheet's table, its XML and the compressed output): about 140 measured on a week of
/// 15-minute intervals with 20 call types (docs/scenarios.md, "Excel workbooks"), with a
/// margin. The text of the cells comes on top.
const BYTES_PER_CELL: u128 = 160;

/// How a number is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// A mean count per replication: `#,##0.0`.
    Count,
    /// A whole number (agents, a seed): `0`.
    Whole,
    /// A share from 0 to 1, shown as a percentage: `0.0%`.
    Percent,
    Seconds,
    Hours,
    /// An amount of the scenario's currency: `#,##0.00 "EUR"`.
    Money,
    /// A small ratio (transfers per contact, queue length): `#,##0.000`.
    Decimal,
}

impl Unit {
    pub const ALL: [Unit; 7] = [
        Unit::Count,
        Unit::Whole,
        Unit::Percent,
        Unit::Seconds,
        Unit::Hours,
        Unit::Money,
        Unit::Decimal,
    ];

    /// The unit of a reported metric: money for costs, seconds and hours by the name's
    /// ending, a percentage for a ratio of counts (a rate or share), a decimal for the
    /// two ratios that are not shares, else a count.
    pub fn of_metric(name: &str) -> Unit {
        let def = CALL_METRICS.iter().chain(GROUP_METRICS).find(|m| m.name == name);
        match name {
            "cost" | "cost_per_contact" => Unit::Money,
            _ if name.ends_with("_seconds") => Unit::Seconds,
            _ if name.ends_with("_hours") => Unit::Hours,
            "transfers_per_contact" | "avg_queue_length" => Unit::Decimal,
            _ => match def.map(|d| d.measure) {
                Some(Measure::Ratio { scale: 1.0, .. }) => Unit::Percent,
                _ => Unit::Count,
            },
        }
    }

    /// The Excel number format; money carries `currency` (without its `"`, and only
    /// when it is short enough for a format: 32 characters).
    fn format_code(self, currency: &str) -> String {
        match self {
            Unit::Count => "#,##0.0".into(),
            Unit::Whole => "0".into(),
            Unit::Percent => "0.0%".into(),
            Unit::Seconds => "#,##0.0 \"s\"".into(),
            Unit::Hours => "#,##0.0 \"h\"".into(),
            Unit::Decimal => "#,##0.000".into(),
            Unit::Money => {
                let label: String = currency.chars().filter(|c| *c != '"' && !c.is_control()).collect();
                if label.is_empty() || label.chars().count() > 32 {
                    "#,##0.00".into()
                } else {
                    format!("#,##0.00 \"{label}\"")
                }
            }
        }
    }
}

/// The formats of one workbook.
struct Styles {
    header: Format,
    /// The `about` sheet's fields, and its values: text wrapped, everything to the left.
    key: Format,
    value: Format,
    units: Vec<(Unit, Format)>,
    statuses: Vec<(Status, Format)>,
}

impl Styles {
    fn new(currency: &str) -> Styles {
        let fill = |background: u32, font: u32| {
            Format::new()
                .set_background_color(Color::RGB(background))
                .set_font_color(Color::RGB(font))
        };
        Styles {
            header: Format::new()
                .set_bold()
                .set_background_color(Color::RGB(0xDDE5F0))
                .set_border_bottom(FormatBorder::Thin),
            key: Format::new().set_bold().set_align(FormatAlign::Top),
            value: Format::new()
                .set_text_wrap()
                .set_align(FormatAlign::Left)
                .set_align(FormatAlign::Top),
            units: Unit::ALL
                .iter()
                .map(|&u| (u, Format::new().set_num_format(u.format_code(currency))))
                .collect(),
            statuses: vec![
                (Status::Met, fill(0xC6EFCE, 0x006100)),
                (Status::Missed, fill(0xFFC7CE, 0x9C0006)),
                (Status::WithinNoise, fill(0xFFEB9C, 0x9C5700)),
                (Status::NotJudged, fill(0xE7E6E6, 0x3A3838)),
            ],
        }
    }

    fn unit(&self, unit: Unit) -> &Format {
        &self
            .units
            .iter()
            .find(|(u, _)| *u == unit)
            .expect("every unit has a format")
            .1
    }

    fn status(&self, status: Status) -> &Format {
        &self
            .statuses
            .iter()
            .find(|(s, _)| *s == status)
            .expect("every status has a format")
            .1
    }

    /// Writes `cell` at (`row`, `col`): text as a string (never a formula), a number in
    /// its unit's format, a verdict filled by its colour, nothing for an undefined
    /// figure. In the `about` sheet (`about`), text wraps and numbers sit to the left.
    fn write(&self, sheet: &mut Worksheet, row: u32, col: u16, cell: Cell, about: bool) -> Result<(), XlsxError> {
        match cell {
            Cell::Text(text) if about => sheet.write_string_with_format(row, col, fitted(text), &self.value),
            Cell::Text(text) => sheet.write_string(row, col, fitted(text)),
            Cell::Number(Some(v), unit) if v.is_finite() => {
                let format = self.unit(unit);
                if about {
                    sheet.write_number_with_format(row, col, v, &format.clone().set_align(FormatAlign::Left))
                } else {
                    sheet.write_number_with_format(row, col, v, format)
                }
            }
            Cell::Number(..) | Cell::Status(None) => return Ok(()),
            Cell::Flag(b) => sheet.write_boolean(row, col, b),
            Cell::Status(Some(s)) => sheet.write_string_with_format(row, col, s.name(), self.status(s)),
        }
        .map(drop)
    }
}

/// One cell of a table.
#[derive(Debug, Clone, Copy)]
pub enum Cell<'a> {
    Text(&'a str),
    /// A number in its unit; `None` (or not finite) is an empty cell.
    Number(Option<f64>, Unit),
    Flag(bool),
    /// A verdict, filled by its colour; `None` is an empty cell.
    Status(Option<Status>),
}

/// Where the tables of a run, a staffing or a comparison go, row by row: a workbook's
/// sheets, or any other reader of typed tables (the Python module's DataFrames).
pub trait Tables {
    type Error;
    type Table<'t>: Table<Error = Self::Error>
    where
        Self: 't;
    /// Starts the table `name` with the columns `header`, whose first `frozen` columns
    /// name the rows.
    fn table(&mut self, name: &str, header: &[String], frozen: u16) -> Result<Self::Table<'_>, Self::Error>;
}

/// One table being read, a row of [`Cell`]s at a time (as many as the header's columns).
pub trait Table {
    type Error;
    fn row(&mut self, cells: &[Cell]) -> Result<(), Self::Error>;
    /// Ends the table.
    fn finish(self) -> Result<(), Self::Error>;
}

/// `text` cut to what a cell holds (with `…` where cut).
fn fitted(text: &str) -> std::borrow::Cow<'_, str> {
    if text.len() <= MAX_TEXT {
        // At most 32,767 bytes: as many UTF-16 units at most.
        return text.into();
    }
    let mut units = 0;
    let mut end = 0;
    for (i, c) in text.char_indices() {
        if units + c.len_utf16() > MAX_TEXT - 1 {
            break;
        }
        units += c.len_utf16();
        end = i + c.len_utf8();
    }
    if end == text.len() {
        text.into()
    } else {
        format!("{}…", &text[..end]).into()
    }
}

/// A sheet being written row by row: a header, then rows of [`Cell`]s.
struct Sheet<'w> {
    sheet: &'w mut Worksheet,
    styles: &'w Styles,
    row: u32,
    columns: u16,
    /// Widest text of each column, in characters.
    widths: Vec<usize>,
}

impl<'w> Sheet<'w> {
    /// A sheet named `name` with `header`, whose first `frozen` columns name the rows.
    fn new(
        book: &'w mut Workbook,
        styles: &'w Styles,
        name: &str,
        header: &[String],
        frozen: u16,
    ) -> Result<Sheet<'w>, XlsxError> {
        let sheet = book.add_worksheet();
        sheet.set_name(name)?;
        let columns = u16::try_from(header.len()).map_err(|_| XlsxError::RowColumnLimitError)?;
        let mut widths = Vec::with_capacity(header.len());
        for (k, name) in header.iter().enumerate() {
            sheet.write_string_with_format(0, k as u16, fitted(name), &styles.header)?;
            // Room for the filter's button.
            widths.push(name.chars().count() + 3);
        }
        sheet.set_freeze_panes(1, frozen)?;
        Ok(Sheet {
            sheet,
            styles,
            row: 1,
            columns,
            widths,
        })
    }
}

impl Table for Sheet<'_> {
    type Error = XlsxError;

    fn row(&mut self, cells: &[Cell]) -> Result<(), XlsxError> {
        for (k, &cell) in cells.iter().enumerate() {
            let width = match cell {
                Cell::Text(text) => text.chars().count(),
                Cell::Number(..) => 10,
                Cell::Flag(_) => 5,
                Cell::Status(s) => s.map_or(0, |s| s.name().len()),
            };
            if let Some(w) = self.widths.get_mut(k) {
                *w = (*w).max(width + 1);
            }
            self.styles.write(self.sheet, self.row, k as u16, cell, false)?;
        }
        self.row += 1;
        Ok(())
    }

    /// Sets the columns' widths and the filter over the header and every row.
    fn finish(self) -> Result<(), XlsxError> {
        for (k, &w) in self.widths.iter().enumerate() {
            self.sheet.set_column_width(k as u16, w.clamp(8, MAX_WIDTH) as f64)?;
        }
        if self.columns > 0 {
            self.sheet.autofilter(0, 0, self.row - 1, self.columns - 1)?;
        }
        Ok(())
    }
}

impl Tables for Book {
    type Error = XlsxError;
    type Table<'t> = Sheet<'t>;

    fn table(&mut self, name: &str, header: &[String], frozen: u16) -> Result<Sheet<'_>, XlsxError> {
        Sheet::new(&mut self.workbook, &self.styles, name, header, frozen)
    }
}

/// A workbook being built: its formats and sheets.
struct Book {
    workbook: Workbook,
    styles: Styles,
}

impl Book {
    fn new(title: &str, currency: &str) -> Result<Book, XlsxError> {
        let mut workbook = Workbook::new();
        let (y, m, d) = CREATED;
        let properties = DocProperties::new()
            .set_title(fitted(title))
            .set_comment(format!("written by ccsim {}", env!("CARGO_PKG_VERSION")))
            .set_creation_datetime(&ExcelDateTime::from_ymd(y, m, d)?);
        workbook.set_properties(&properties);
        Ok(Book {
            workbook,
            styles: Styles::new(currency),
        })
    }

    /// The `about` sheet: one field and its value a row.
    fn about(&mut self, fields: &[(&str, Cell)]) -> Result<(), XlsxError> {
        let sheet = self.workbook.add_worksheet();
        sheet.set_name("about")?;
        let mut widest = 10;
        for (row, (field, value)) in fields.iter().enumerate() {
            let row = row as u32;
            sheet.write_string_with_format(row, 0, *field, &self.styles.key)?;
            widest = widest.max(field.chars().count() + 1);
            self.styles.write(sheet, row, 1, *value, true)?;
        }
        sheet.set_column_width(0, widest.min(MAX_WIDTH) as f64)?;
        sheet.set_column_width(1, MAX_WIDTH as f64)?;
        Ok(())
    }

    fn save(mut self, out: &mut (impl Write + Send)) -> std::io::Result<()> {
        self.workbook.save_to_writer(out).map_err(std::io::Error::other)
    }
}

/// The version line of the `about` sheet.
const VERSION: &str = env!("CARGO_PKG_VERSION");

/// What every `about` sheet says about its columns.
const READING: &str = "<metric>_ci95 columns are 95 % half-widths (± around the mean); an empty cell is an undefined figure (nothing to measure)";

/// A metric's mean and half-width cells, in the unit of the metric.
fn metric_cells<'a>(cells: &mut Vec<Cell<'a>>, metrics: &Metrics, defs: &[MetricDef]) {
    for (k, m) in defs.iter().enumerate() {
        // Metrics are mostly in their table's order: look there first.
        let e = match metrics.at(k) {
            Some((name, e)) if name == m.name => e,
            _ => metrics.get(m.name).unwrap_or(Estimate { mean: None, ci95: None }),
        };
        let unit = Unit::of_metric(m.name);
        cells.push(Cell::Number(e.mean, unit));
        cells.push(Cell::Number(e.ci95, unit));
    }
}

/// A row's target cells: each figure's bound and status, then the row's verdict.
fn target_cells(cells: &mut Vec<Cell>, judged: &[Judged], verdict: Option<Status>) {
    for f in Figure::ALL {
        match judged.iter().find(|j| j.target.figure == f) {
            Some(j) => {
                cells.push(Cell::Number(Some(j.target.bound), Unit::of_metric(f.metric())));
                cells.push(Cell::Status(j.status));
            }
            None => cells.extend([Cell::Number(None, Unit::Count), Cell::Status(None)]),
        }
    }
    cells.push(Cell::Status(verdict));
}

/// A call-type or channel row: leading text, metrics, targets.
fn judged_row<'a>(first: &[&'a str], n: &'a Named) -> Vec<Cell<'a>> {
    let mut cells: Vec<Cell> = first.iter().map(|t| Cell::Text(t)).collect();
    metric_cells(&mut cells, &n.metrics, CALL_METRICS);
    target_cells(&mut cells, &n.targets, n.verdict);
    cells
}

fn plain_row<'a>(first: &[&'a str], metrics: &Metrics, defs: &[MetricDef]) -> Vec<Cell<'a>> {
    let mut cells: Vec<Cell> = first.iter().map(|t| Cell::Text(t)).collect();
    metric_cells(&mut cells, metrics, defs);
    cells
}

/// The four tables of a summary, as the CSV files have them: `intervals`, `call_types`,
/// `channels`, `groups` (the workbook of `run`).
pub fn run_tables<T: Tables>(book: &mut T, s: &Summary) -> Result<(), T::Error> {
    use super::csv::{channel_of, columns};
    let header = columns(&["interval", "call_type", "channel"], CALL_METRICS, true);
    let mut sheet = book.table("intervals", &header, 3)?;
    for i in &s.intervals {
        let mut cells = plain_row(&[&i.start, "all", "all"], &i.metrics, CALL_METRICS);
        target_cells(&mut cells, &[], i.verdict);
        sheet.row(&cells)?;
        for (j, c) in i.call_types.iter().enumerate() {
            sheet.row(&judged_row(&[&i.start, &c.name, channel_of(s, j)], c))?;
        }
    }
    sheet.finish()?;

    let header = columns(&["call_type", "channel"], CALL_METRICS, true);
    let mut sheet = book.table("call_types", &header, 2)?;
    let mut cells = plain_row(&["all", "all"], &s.totals, CALL_METRICS);
    target_cells(&mut cells, &[], s.verdict);
    sheet.row(&cells)?;
    for (j, c) in s.call_types.iter().enumerate() {
        sheet.row(&judged_row(&[&c.name, channel_of(s, j)], c))?;
    }
    sheet.finish()?;

    let header = columns(&["interval", "channel"], CALL_METRICS, true);
    let mut sheet = book.table("channels", &header, 2)?;
    for c in &s.channels {
        sheet.row(&judged_row(&["all", &c.name], c))?;
    }
    for i in &s.intervals {
        for c in &i.channels {
            sheet.row(&judged_row(&[&i.start, &c.name], c))?;
        }
    }
    sheet.finish()?;

    let header = columns(&["interval", "group"], GROUP_METRICS, false);
    let mut sheet = book.table("groups", &header, 2)?;
    sheet.row(&plain_row(&["all", "all"], &s.totals, GROUP_METRICS))?;
    for g in &s.groups {
        sheet.row(&plain_row(&["all", &g.name], &g.metrics, GROUP_METRICS))?;
    }
    for i in &s.intervals {
        sheet.row(&plain_row(&[&i.start, "all"], &i.metrics, GROUP_METRICS))?;
        for g in &i.groups {
            sheet.row(&plain_row(&[&i.start, &g.name], &g.metrics, GROUP_METRICS))?;
        }
    }
    sheet.finish()
}

/// Maps a workbook's error (a programming error or a full disk) to ccsim's.
fn io(e: XlsxError) -> std::io::Error {
    std::io::Error::other(e)
}

/// Writes the workbook of `run`: `about`, `intervals`, `call_types`, `channels`, `groups`.
pub fn write_run(s: &Summary, out: &mut (impl Write + Send)) -> std::io::Result<()> {
    let mut book = Book::new(&s.scenario, &s.currency).map_err(io)?;
    let replications = s.replications as f64;
    book.about(&[
        ("scenario", Cell::Text(&s.scenario)),
        ("seed", Cell::Text(&s.seed.to_string())),
        ("replications", Cell::Number(Some(replications), Unit::Whole)),
        ("currency", Cell::Text(&s.currency)),
        ("verdict over the day", Cell::Status(s.verdict)),
        ("written by", Cell::Text(&format!("ccsim {VERSION}"))),
        ("reading", Cell::Text(READING)),
    ])
    .map_err(io)?;
    run_tables(&mut book, s).map_err(io)?;
    book.save(out)
}

/// Writes the workbook of `staff`: `about`, `staffing`, then the tables of the day at the
/// chosen staffing.
pub fn write_staff(plan: &StaffPlan, out: &mut (impl Write + Send)) -> std::io::Result<()> {
    let s = &plan.summary;
    let mut book = Book::new(&s.scenario, &s.currency).map_err(io)?;
    let day_targets = match plan.day_targets_met {
        Some(true) => Cell::Status(Some(Status::Met)),
        Some(false) => Cell::Status(Some(Status::Missed)),
        None => Cell::Text(""),
    };
    book.about(&[
        ("scenario", Cell::Text(&s.scenario)),
        ("seed", Cell::Text(&s.seed.to_string())),
        ("replications", Cell::Number(Some(s.replications as f64), Unit::Whole)),
        ("currency", Cell::Text(&s.currency)),
        ("verdict over the day", Cell::Status(s.verdict)),
        ("day-level targets", day_targets),
        ("candidate staffings simulated", Cell::Number(Some(plan.evaluations as f64), Unit::Whole)),
        ("replications run in the search", Cell::Number(Some(plan.replications_run as f64), Unit::Whole)),
        ("written by", Cell::Text(&format!("ccsim {VERSION}"))),
        ("staffing", Cell::Text("agents on duty per interval and group, the paid headcount after shrinkage, the search's flags, and the interval's figures at that staffing; the other sheets are the day simulated at it")),
        ("reading", Cell::Text(READING)),
    ])
    .map_err(io)?;
    staff_tables(&mut book, plan).map_err(io)?;
    book.save(out)
}

/// The tables of a staffing: `staffing`, the roster's when there is one, then the four
/// tables of the day simulated at the staffing found (the workbook of `staff`).
pub fn staff_tables<T: Tables>(book: &mut T, plan: &StaffPlan) -> Result<(), T::Error> {
    staffing_sheet(book, plan)?;
    roster_sheets(book, plan)?;
    run_tables(book, &plan.summary)
}

/// The `staffing` sheet: the columns of `staffing.csv`, then the interval's verdict and note.
fn staffing_sheet<T: Tables>(book: &mut T, plan: &StaffPlan) -> Result<(), T::Error> {
    use super::staff::{FIGURES, binding_of, interval_note, staffing_header};
    let mut header = staffing_header();
    header.extend(["verdict", "note"].map(String::from));
    let mut sheet = book.table("staffing", &header, 2)?;
    for (k, i) in plan.summary.intervals.iter().enumerate() {
        let note = interval_note(plan, k);
        for (j, &g) in plan.groups.iter().enumerate() {
            let whole = |n: u32| Cell::Number(Some(f64::from(n)), Unit::Whole);
            let binding = binding_of(plan, k, j);
            let mut cells = vec![
                Cell::Text(&i.start),
                Cell::Text(&plan.model.groups[g].name),
                whole(plan.agents[k][j]),
                whole(plan.paid(k, j)),
                whole(plan.erlang[k][j]),
                Cell::Flag(plan.within_noise[k]),
                Cell::Flag(plan.unreachable[k]),
                Cell::Flag(plan.missed[k]),
                Cell::Number(plan.p_met[k], Unit::Percent),
                Cell::Text(&binding),
                Cell::Flag(plan.incomplete),
            ];
            for f in FIGURES {
                let e = i.metrics.get(f).unwrap_or(Estimate { mean: None, ci95: None });
                cells.push(Cell::Number(e.mean, Unit::of_metric(f)));
                cells.push(Cell::Number(e.ci95, Unit::of_metric(f)));
            }
            cells.push(Cell::Status(i.verdict));
            cells.push(Cell::Text(&note));
            sheet.row(&cells)?;
        }
    }
    sheet.finish()
}

/// The roster's sheets: the tables `staff --out` writes as `roster_*.csv` (shifts per
/// pattern and day, each agent's week, coverage per interval), one sheet each, numbers
/// as numbers.
fn roster_sheets<T: Tables>(book: &mut T, plan: &StaffPlan) -> Result<(), T::Error> {
    if plan.roster.is_empty() {
        return Ok(());
    }
    for table in super::roster::tables(plan) {
        let units: Vec<Unit> = table
            .header
            .iter()
            .map(|h| {
                if h.contains("cost") {
                    Unit::Money
                } else if h.contains("hours") {
                    Unit::Hours
                } else {
                    Unit::Count
                }
            })
            .collect();
        let mut sheet = book.table(table.name, &table.header, 1)?;
        for row in &table.rows {
            let cells: Vec<Cell> = row
                .iter()
                .zip(&units)
                .map(|(c, &unit)| match c {
                    super::roster::Cell::Text(t) => Cell::Text(t),
                    super::roster::Cell::Number(x) => Cell::Number(Some(*x), unit),
                })
                .collect();
            sheet.row(&cells)?;
        }
        sheet.finish()?;
    }
    Ok(())
}

/// Writes the workbook of `compare`: `about` and `differences` (every metric paired).
pub fn write_compare(c: &Comparison, out: &mut (impl Write + Send)) -> std::io::Result<()> {
    let mut book = Book::new(&format!("{} vs {}", c.a, c.b), &c.currency).map_err(io)?;
    book.about(&[
        ("A", Cell::Text(&c.a)),
        ("B", Cell::Text(&c.b)),
        ("seed", Cell::Text(&c.seed.to_string())),
        ("replications", Cell::Number(Some(c.replications as f64), Unit::Whole)),
        ("currency", Cell::Text(&c.currency)),
        ("written by", Cell::Text(&format!("ccsim {VERSION}"))),
        ("differences", Cell::Text("B − A of every metric, both run on the same callers (common random numbers); ci95 is the paired 95 % half-width, ci95_independent what two independent runs would give, variance_reduction 1 − (paired ÷ independent)², significant: the difference lies outside its paired half-width")),
        ("reading", Cell::Text(READING)),
    ])
    .map_err(io)?;
    compare_tables(&mut book, c).map_err(io)?;
    book.save(out)
}

/// The table of a comparison: `differences`, every metric paired (the workbook of
/// `compare`).
pub fn compare_tables<T: Tables>(book: &mut T, c: &Comparison) -> Result<(), T::Error> {
    let header: Vec<String> = [
        "of",
        "metric",
        "a",
        "a_ci95",
        "b",
        "b_ci95",
        "difference",
        "ci95",
        "ci95_independent",
        "variance_reduction",
        "significant",
    ]
    .map(String::from)
    .to_vec();
    let mut sheet = book.table("differences", &header, 2)?;
    for r in &c.rows {
        let (of, metric) = r.of_and_metric();
        let unit = Unit::of_metric(metric);
        sheet.row(&[
            Cell::Text(of),
            Cell::Text(metric),
            Cell::Number(r.a.mean, unit),
            Cell::Number(r.a.ci95, unit),
            Cell::Number(r.b.mean, unit),
            Cell::Number(r.b.ci95, unit),
            Cell::Number(Some(r.difference), unit),
            Cell::Number(r.ci95, unit),
            Cell::Number(r.ci95_independent, unit),
            Cell::Number(r.variance_reduction, Unit::Percent),
            Cell::Flag(r.significant()),
        ])?;
    }
    sheet.finish()
}

/// Which verb's workbook [`check`] sizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    Run,
    Staff,
    Compare,
}

/// One sheet's size: its name, rows (besides the header) and columns, and the bytes of
/// text in it.
struct SheetSize {
    name: &'static str,
    rows: u128,
    columns: u128,
    text: u128,
}

/// The sheets `verb` writes for `model`, sized.
fn sizes(model: &Model, verb: Verb) -> Vec<SheetSize> {
    let intervals = model.clock.intervals as u128;
    let types = model.call_types.len() as u128;
    let groups = model.groups.len() as u128;
    let channels = Channel::ALL
        .iter()
        .filter(|c| model.call_types.iter().any(|t| t.channel == **c))
        .count() as u128;
    let names = |n: &mut dyn Iterator<Item = usize>| n.map(|l| l as u128).sum::<u128>();
    let type_names = names(&mut model.call_types.iter().map(|c| c.name.len()));
    let group_names = names(&mut model.groups.iter().map(|g| g.name.len()));
    let label = 16; // an interval's label and a channel's name
    let call_columns = 2 * CALL_METRICS.len() as u128 + 2 * Figure::ALL.len() as u128 + 4;
    let group_columns = 2 * GROUP_METRICS.len() as u128 + 2;
    if verb == Verb::Compare {
        // Every metric of the totals, each call type and each group.
        let rows = (types + 1) * CALL_METRICS.len() as u128 + (groups + 1) * GROUP_METRICS.len() as u128;
        return vec![SheetSize {
            name: "differences",
            rows,
            columns: 11,
            text: rows * 40 + CALL_METRICS.len() as u128 * type_names + GROUP_METRICS.len() as u128 * group_names,
        }];
    }
    let mut sheets = vec![
        SheetSize {
            name: "intervals",
            rows: intervals * (types + 1),
            columns: call_columns,
            text: intervals * (type_names + (types + 1) * 2 * label),
        },
        SheetSize {
            name: "call_types",
            rows: types + 1,
            columns: call_columns,
            text: type_names + (types + 1) * label,
        },
        SheetSize {
            name: "channels",
            rows: (intervals + 1) * channels,
            columns: call_columns,
            text: (intervals + 1) * channels * 2 * label,
        },
        SheetSize {
            name: "groups",
            rows: (intervals + 1) * (groups + 1),
            columns: group_columns,
            text: (intervals + 1) * (group_names + (groups + 1) * label),
        },
    ];
    if verb == Verb::Staff {
        // A note names each call type's failing targets (about 48 characters besides the
        // name), at most a cell's worth.
        let note = (type_names + 48 * types).min(MAX_TEXT as u128 * 4);
        sheets.push(SheetSize {
            name: "staffing",
            rows: intervals * groups,
            columns: 23,
            text: intervals * (group_names + groups * (label + note)),
        });
    }
    sheets
}

/// Refuses, before the run, a workbook of `model` that Excel cannot hold (a sheet of more
/// than [`MAX_ROWS`] rows) or that would take more memory than the budget.
pub fn check(model: &Model, verb: Verb, flag_path: &std::path::Path) -> Result<(), Error> {
    let sheets = sizes(model, verb);
    for s in &sheets {
        if s.rows + 1 > u128::from(MAX_ROWS) {
            return Err(Error::Other(format!(
                "{}: --xlsx {}: the sheet `{}` would have {} rows, more than Excel's {MAX_ROWS}\n  help: use longer intervals or fewer call types or groups, or --out DIR for CSV files",
                model.file,
                flag_path.display(),
                s.name,
                s.rows + 1
            )));
        }
    }
    let cells: u128 = sheets.iter().map(|s| (s.rows + 1) * s.columns).sum();
    let text: u128 = sheets.iter().map(|s| s.text).sum();
    crate::budget::check_workbook(model, cells * BYTES_PER_CELL + text, cells)
}

/// The bytes a workbook of `model` takes while it is built and saved (as [`check`]
/// estimates them), for a caller that holds several at once (the workbench).
pub fn bytes(model: &Model, verb: Verb) -> u128 {
    sizes(model, verb)
        .iter()
        .map(|s| (s.rows + 1) * s.columns * BYTES_PER_CELL + s.text)
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_metric_has_the_unit_a_planner_expects() {
        for (name, unit) in [
            ("offered", Unit::Count),
            ("answer_rate", Unit::Percent),
            ("service_level", Unit::Percent),
            ("occupancy", Unit::Percent),
            ("fcr", Unit::Percent),
            ("within_target", Unit::Percent),
            ("slot_utilisation", Unit::Percent),
            ("asa_seconds", Unit::Seconds),
            ("wait_p90_seconds", Unit::Seconds),
            ("agent_hours", Unit::Hours),
            ("cost", Unit::Money),
            ("cost_per_contact", Unit::Money),
            ("transfers_per_contact", Unit::Decimal),
            ("avg_queue_length", Unit::Decimal),
            ("max_queue_length", Unit::Count),
            ("backlog_end", Unit::Count),
        ] {
            assert_eq!(Unit::of_metric(name), unit, "{name}");
        }
        // Every ratio of counts is a share shown in percent, but the two that are not
        // shares, and those in seconds or money.
        for m in CALL_METRICS.iter().chain(GROUP_METRICS) {
            if let Measure::Ratio { scale, .. } = m.measure
                && scale == 1.0
                && !matches!(m.name, "transfers_per_contact" | "avg_queue_length")
            {
                assert_eq!(Unit::of_metric(m.name), Unit::Percent, "{}", m.name);
            }
        }
    }

    #[test]
    fn money_carries_a_currency_that_fits_a_format() {
        assert_eq!(Unit::Money.format_code("EUR"), "#,##0.00 \"EUR\"");
        assert_eq!(Unit::Money.format_code(""), "#,##0.00");
        assert_eq!(Unit::Money.format_code("a\"b"), "#,##0.00 \"ab\"");
        assert_eq!(Unit::Money.format_code(&"x".repeat(33)), "#,##0.00");
    }

    #[test]
    fn long_text_is_cut_to_a_cell() {
        assert_eq!(fitted("sales"), "sales");
        let long = "é".repeat(40_000);
        let cut = fitted(&long);
        assert_eq!(cut.encode_utf16().count(), MAX_TEXT);
        assert!(cut.ends_with('…'));
        // Characters outside the BMP take two units and are never split.
        let wide = "𝄞".repeat(20_000);
        let cut = fitted(&wide);
        assert!(cut.encode_utf16().count() <= MAX_TEXT);
        assert!(cut.ends_with('…'));
    }
}
