//! `ccsim._ccsim`: the native half of the Python module `ccsim` (python/ccsim/ wraps it).
//!
//! Each verb does what the command line does, through the same library functions, so a
//! result's `json()` is the document `ccsim run|staff|compare|erlang --format json`
//! prints, byte for byte, and its tables are the workbook's sheets
//! ([`ccsim::report::xlsx::Tables`]), cell by cell, with their types (numbers, whole
//! numbers, flags, text; an undefined figure is `None`).
//!
//! The work runs on a thread of its own with the GIL released, under a
//! [`ccsim::interrupt::Cancel`] token: the calling thread waits in short slices and lets
//! Python run its signal handlers between them, so Ctrl-C (`KeyboardInterrupt`) cancels
//! the run, which stops within a few thousand events, and is raised. Other Python
//! threads run meanwhile. The process-wide Ctrl-C handler of the command line is never
//! installed here: Python keeps its own.

use std::sync::mpsc;
use std::time::Duration;

use ccsim::erlang::ask::{Answer, Question};
use ccsim::error::printable;
use ccsim::interrupt::Cancel;
use ccsim::report::xlsx::{Cell, Table, Tables, Unit};
use ccsim::{Error, Model, Scenario, Summary};
use pyo3::create_exception;
use pyo3::exceptions::{PyKeyboardInterrupt, PyOSError, PyUserWarning, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};

create_exception!(
    ccsim,
    InputError,
    PyValueError,
    "Bad input: a scenario, or an argument out of its range. The message is the command line's."
);
create_exception!(
    ccsim,
    ScenarioError,
    InputError,
    "A scenario that does not validate: every problem as `file:line:column: field: message` \
     (`.diagnostics` holds them as dicts)."
);
create_exception!(
    ccsim,
    ScenarioWarning,
    PyUserWarning,
    "A value that runs but is probably not what was meant (a 6 s handle time)."
);

/// How long the calling thread waits, without the GIL, between two looks at Python's
/// signals.
const SIGNAL_SLICE: Duration = Duration::from_millis(50);

/// Deepest nesting of a scenario given as a dict (a scenario file nests 4 levels).
const MAX_DICT_DEPTH: usize = 32;

/// What a verb gave back.
enum Done {
    Run(Box<Summary>),
    Staff(Box<ccsim::staff::StaffPlan>),
    Compare(Box<ccsim::compare::Comparison>),
    Erlang(Box<Answer>),
}

/// A verb's result: its JSON document, its text and its tables, made when asked for.
#[pyclass(frozen, module = "ccsim._ccsim")]
struct Outcome {
    done: Done,
    /// The scenarios' warnings, as the command line prints them.
    warnings: Vec<String>,
}

#[pymethods]
impl Outcome {
    /// `run`, `staff`, `compare` or `erlang`.
    #[getter]
    fn kind(&self) -> &'static str {
        match self.done {
            Done::Run(_) => "run",
            Done::Staff(_) => "staff",
            Done::Compare(_) => "compare",
            Done::Erlang(_) => "erlang",
        }
    }

    #[getter]
    fn warnings(&self) -> Vec<String> {
        self.warnings.clone()
    }

    /// The JSON document the command line prints with `--format json`.
    fn json(&self, py: Python<'_>) -> String {
        py.detach(|| match &self.done {
            Done::Run(s) => ccsim::report::json::to_json(s),
            Done::Staff(plan) => ccsim::report::staff::to_json(plan),
            Done::Compare(c) => ccsim::compare::to_json(c),
            Done::Erlang(a) => a.to_json(),
        })
    }

    /// The text the command line prints with `--format table` (without colours).
    fn text(&self, py: Python<'_>) -> String {
        py.detach(|| {
            let text = match &self.done {
                Done::Run(s) => ccsim::report::table::render(s, false),
                Done::Staff(plan) => ccsim::report::staff::to_table(plan),
                Done::Compare(c) => ccsim::compare::render(c),
                Done::Erlang(a) => a.to_table(),
            };
            printable(&text).into_owned()
        })
    }

    /// The tables, as `[(name, header, kinds, columns)]`: the sheets of the workbook that
    /// `--xlsx` writes, each column a list of its cells, of the kind `text`, `float`,
    /// `int` or `flag` (see [`kind`]). `erlang` has none.
    #[allow(clippy::type_complexity)]
    fn tables<'py>(
        &self,
        py: Python<'py>,
    ) -> PyResult<Vec<(String, Vec<String>, Vec<&'static str>, Vec<Bound<'py, PyList>>)>> {
        let mut out = Collected { py, tables: Vec::new() };
        match &self.done {
            Done::Run(s) => ccsim::report::xlsx::run_tables(&mut out, s)?,
            Done::Staff(plan) => ccsim::report::xlsx::staff_tables(&mut out, plan)?,
            Done::Compare(c) => ccsim::report::xlsx::compare_tables(&mut out, c)?,
            Done::Erlang(_) => {}
        }
        out.tables
            .into_iter()
            .map(|t| {
                let columns = t
                    .columns
                    .into_iter()
                    .map(|c| PyList::new(py, c))
                    .collect::<PyResult<Vec<_>>>()?;
                let kinds = t.kinds.into_iter().map(|k| k.unwrap_or("text")).collect();
                Ok((t.name, t.header, kinds, columns))
            })
            .collect()
    }
}

/// Tables read into Python objects, a column at a time.
struct Collected<'py> {
    py: Python<'py>,
    tables: Vec<Columns<'py>>,
}

struct Columns<'py> {
    name: String,
    header: Vec<String>,
    /// Each column's kind, from its first cell.
    kinds: Vec<Option<&'static str>>,
    columns: Vec<Vec<Bound<'py, PyAny>>>,
}

/// The table being read: the last of [`Collected`]'s.
struct Filling<'t, 'py> {
    py: Python<'py>,
    table: &'t mut Columns<'py>,
}

impl<'py> Tables for Collected<'py> {
    type Error = PyErr;
    type Table<'t>
        = Filling<'t, 'py>
    where
        Self: 't;

    fn table(&mut self, name: &str, header: &[String], _frozen: u16) -> PyResult<Filling<'_, 'py>> {
        self.tables.push(Columns {
            name: name.to_owned(),
            header: header.to_vec(),
            kinds: vec![None; header.len()],
            columns: vec![Vec::new(); header.len()],
        });
        let table = self.tables.last_mut().expect("just pushed");
        Ok(Filling { py: self.py, table })
    }
}

impl Table for Filling<'_, '_> {
    type Error = PyErr;

    fn row(&mut self, cells: &[Cell]) -> PyResult<()> {
        let table = &mut *self.table;
        for ((column, kind), cell) in table.columns.iter_mut().zip(&mut table.kinds).zip(cells) {
            kind.get_or_insert(self::kind(cell));
            column.push(cell_object(self.py, *cell)?);
        }
        Ok(())
    }

    fn finish(self) -> PyResult<()> {
        Ok(())
    }
}

/// What a column holds (every cell of a column is of one kind): `text` (names, verdicts;
/// `None` where empty), `float` (figures; `None` where undefined), `int` (agents,
/// headcounts) or `flag` (`bool`).
fn kind(cell: &Cell) -> &'static str {
    match cell {
        Cell::Text(_) | Cell::Status(_) => "text",
        Cell::Number(_, Unit::Whole) => "int",
        Cell::Number(..) => "float",
        Cell::Flag(_) => "flag",
    }
}

/// A cell as Python sees it: text as `str`, a whole number as `int`, any other number
/// as `float`, a flag as `bool`, a verdict as its name; an empty cell (an undefined
/// figure) as `None`.
fn cell_object<'py>(py: Python<'py>, cell: Cell) -> PyResult<Bound<'py, PyAny>> {
    Ok(match cell {
        Cell::Text(t) => PyString::new(py, t).into_any(),
        Cell::Number(Some(v), Unit::Whole) if v.is_finite() && v.fract() == 0.0 && v.abs() < 9.0e15 => {
            (v as i64).into_pyobject(py)?.into_any()
        }
        Cell::Number(Some(v), _) if v.is_finite() => PyFloat::new(py, v).into_any(),
        Cell::Number(..) | Cell::Status(None) => py.None().into_bound(py),
        Cell::Flag(b) => PyBool::new(py, b).to_owned().into_any(),
        Cell::Status(Some(s)) => PyString::new(py, s.name()).into_any(),
    })
}

/// The library's error as Python's: a scenario's diagnostics as [`ScenarioError`], any
/// other bad input as [`InputError`], a file that cannot be read as `OSError`, a stop as
/// `KeyboardInterrupt`. The message is the command line's (without `error: `).
fn to_py(py: Python<'_>, e: Error) -> PyErr {
    let message = printable(&e.to_string()).into_owned();
    match e {
        Error::Invalid(diagnostics) => {
            let err = ScenarioError::new_err(message);
            let listed: PyResult<Vec<Bound<PyDict>>> = diagnostics
                .iter()
                .map(|d| {
                    let item = PyDict::new(py);
                    item.set_item("file", &d.file)?;
                    item.set_item("line", d.line)?;
                    item.set_item("column", d.column)?;
                    item.set_item("field", &d.field)?;
                    item.set_item("message", &d.message)?;
                    item.set_item("suggestion", &d.suggestion)?;
                    Ok(item)
                })
                .collect();
            match listed.and_then(|l| err.value(py).setattr("diagnostics", l)) {
                Ok(()) => err,
                Err(e) => e,
            }
        }
        Error::Io { .. } => PyOSError::new_err(message),
        Error::Other(_) => InputError::new_err(message),
        Error::Interrupted => PyKeyboardInterrupt::new_err(message),
    }
}

/// Runs `work` on a thread of its own, without the GIL, under a cancel token; between
/// slices of waiting, Python's signal handlers run, and an exception of theirs
/// (`KeyboardInterrupt`) cancels the work and is raised once it has stopped.
fn detached<T: Send>(py: Python<'_>, work: impl FnOnce() -> Result<T, Error> + Send) -> PyResult<T> {
    let cancel = Cancel::new();
    std::thread::scope(|scope| {
        let (tx, rx) = mpsc::channel();
        let token = cancel.clone();
        let worker = scope.spawn(move || {
            let _ = tx.send(token.scope(work));
        });
        let mut rx = Some(rx);
        loop {
            let waiting = rx.take().expect("put back after each slice");
            let (waiting, got) = py.detach(move || {
                let got = waiting.recv_timeout(SIGNAL_SLICE);
                (waiting, got)
            });
            rx = Some(waiting);
            match got {
                Ok(result) => {
                    let _ = py.detach(|| worker.join());
                    return result.map_err(|e| to_py(py, e));
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    // The worker panicked before it answered: the panic goes on here.
                    match py.detach(|| worker.join()) {
                        Err(panic) => std::panic::resume_unwind(panic),
                        Ok(()) => unreachable!("a worker that returns has sent its answer"),
                    }
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    if let Err(interrupted) = py.check_signals() {
                        cancel.cancel();
                        let _ = py.detach(|| worker.join());
                        return Err(interrupted);
                    }
                }
            }
        }
    })
}

/// A scenario's text: `text` when given (named `file` in messages), else the file at
/// `file`, read as the command line reads it (a regular file of at most 10 MiB).
fn scenario_text(file: &str, text: Option<String>) -> Result<String, Error> {
    match text {
        None => ccsim::input::scenario_text(std::path::Path::new(file)),
        Some(text) => {
            let limit = ccsim::input::MAX_SCENARIO_BYTES;
            if text.len() as u64 > limit {
                return Err(Error::Other(format!(
                    "{file}: {} bytes, larger than the {} a scenario may be",
                    text.len(),
                    ccsim::budget::bytes_text(u128::from(limit))
                )));
            }
            Ok(text)
        }
    }
}

/// The validated model of a scenario, and its warnings as the command line prints them.
fn load(file: &str, text: Option<String>) -> Result<(Model, Vec<String>), Error> {
    let text = scenario_text(file, text)?;
    let model = Model::build(&Scenario::parse(file, &text)?)?;
    let warnings = model
        .warnings
        .iter()
        .map(|w| printable(&w.to_string()).into_owned())
        .collect();
    Ok((model, warnings))
}

/// Simulates a scenario as `ccsim run` does. `file` names it (or is its path when `text`
/// is `None`).
#[pyfunction]
#[pyo3(signature = (file, text=None, replications=None, seed=None, threads=0))]
fn run(
    py: Python<'_>,
    file: String,
    text: Option<String>,
    replications: Option<u64>,
    seed: Option<u64>,
    threads: usize,
) -> PyResult<Outcome> {
    detached(py, move || {
        let (mut model, warnings) = load(&file, text)?;
        if let Some(r) = replications {
            model = model.with_replications(r)?;
        }
        if let Some(s) = seed {
            model.seed = s;
        }
        let acc = ccsim::simulate(&model, threads, &|| {})?;
        let summary = Summary::new(&model, &acc);
        Ok(Outcome {
            done: Done::Run(Box::new(summary)),
            warnings,
        })
    })
}

/// Finds the staffing as `ccsim staff` does.
#[pyfunction]
#[pyo3(signature = (file, text=None, replications=None, seed=None, threads=0))]
fn staff(
    py: Python<'_>,
    file: String,
    text: Option<String>,
    replications: Option<u64>,
    seed: Option<u64>,
    threads: usize,
) -> PyResult<Outcome> {
    detached(py, move || {
        let (mut model, warnings) = load(&file, text)?;
        if let Some(r) = replications {
            model = model.with_staffing_replications(r)?;
        }
        if let Some(s) = seed {
            model.seed = s;
        }
        let plan = ccsim::staff::staff(&model, threads, &|_| {})?;
        // A search stopped before it settled is no answer.
        if plan.incomplete {
            return Err(Error::Interrupted);
        }
        ccsim::interrupt::check()?;
        Ok(Outcome {
            done: Done::Staff(Box::new(plan)),
            warnings,
        })
    })
}

/// Compares two variants as `ccsim compare` does.
#[pyfunction]
#[pyo3(signature = (file_a, text_a, file_b, text_b, replications=None, seed=None, threads=0))]
#[allow(clippy::too_many_arguments)]
fn compare(
    py: Python<'_>,
    file_a: String,
    text_a: Option<String>,
    file_b: String,
    text_b: Option<String>,
    replications: Option<u64>,
    seed: Option<u64>,
    threads: usize,
) -> PyResult<Outcome> {
    detached(py, move || {
        let (mut a, mut warnings) = load(&file_a, text_a)?;
        let (b, warnings_b) = load(&file_b, text_b)?;
        warnings.extend(warnings_b);
        if let Some(r) = replications {
            a = a.with_replications(r)?;
        }
        if let Some(s) = seed {
            a.seed = s;
        }
        let comparison = ccsim::compare::compare(&a, &b, threads, &|| {})?;
        ccsim::interrupt::check()?;
        Ok(Outcome {
            done: Done::Compare(Box::new(comparison)),
            warnings,
        })
    })
}

/// Answers `ccsim erlang`: durations as text (`"3m"`, `"180"` seconds).
#[pyfunction]
#[pyo3(signature = (per_hour, aht, agents=None, patience=None, threshold="20s".to_owned(), lines=None,
    retry=None, target_sl=None, target_answer_rate=None, max_asa=None, shrinkage=None))]
#[allow(clippy::too_many_arguments)]
fn erlang(
    py: Python<'_>,
    per_hour: f64,
    aht: String,
    agents: Option<u32>,
    patience: Option<String>,
    threshold: String,
    lines: Option<u32>,
    retry: Option<f64>,
    target_sl: Option<f64>,
    target_answer_rate: Option<f64>,
    max_asa: Option<String>,
    shrinkage: Option<f64>,
) -> PyResult<Outcome> {
    let question = Question {
        per_hour,
        aht,
        agents,
        patience,
        threshold,
        lines,
        retry,
        target_sl,
        target_answer_rate,
        max_asa,
        shrinkage,
    };
    detached(py, move || {
        Ok(Outcome {
            done: Done::Erlang(Box::new(ccsim::erlang::ask::ask(&question)?)),
            warnings: Vec::new(),
        })
    })
}

/// The TOML text of a scenario given as a dict: its tables (`scenario`, `staffing`, …)
/// as `[name]`, its lists of tables (`call_type`, `agent_group`, …) as `[[name]]`, and
/// everything inside them inline (`arrivals = { per_hour = 120 }`).
#[pyfunction]
fn to_toml(scenario: &Bound<'_, PyDict>) -> PyResult<String> {
    let mut doc = toml_edit::DocumentMut::new();
    for (key, value) in scenario.iter() {
        let key = key_text(&key, "")?;
        let item = if let Ok(table) = value.cast::<PyDict>() {
            let mut t = toml_edit::Table::new();
            for (k, v) in table.iter() {
                let name = key_text(&k, &key)?;
                let field = format!("{key}.{name}");
                t.insert(&name, toml_edit::Item::Value(toml_value(&v, &field, 1)?));
            }
            toml_edit::Item::Table(t)
        } else if let Some(tables) = list_of_dicts(&value)? {
            let mut array = toml_edit::ArrayOfTables::new();
            for (i, table) in tables.iter().enumerate() {
                let mut t = toml_edit::Table::new();
                for (k, v) in table.iter() {
                    let field = format!("{key}[{i}]");
                    let name = key_text(&k, &field)?;
                    t.insert(
                        &name,
                        toml_edit::Item::Value(toml_value(&v, &format!("{field}.{name}"), 1)?),
                    );
                }
                array.push(t);
            }
            toml_edit::Item::ArrayOfTables(array)
        } else {
            toml_edit::Item::Value(toml_value(&value, &key, 0)?)
        };
        doc.insert(&key, item);
    }
    Ok(doc.to_string())
}

/// A dict's key, which TOML needs to be text.
fn key_text(key: &Bound<'_, PyAny>, field: &str) -> PyResult<String> {
    key.extract::<String>().map_err(|_| {
        let at = if field.is_empty() { "the scenario" } else { field };
        InputError::new_err(format!("<dict>: {at}: keys must be str, got {}", type_name(key)))
    })
}

/// `value`'s items when it is a non-empty list or tuple of dicts.
fn list_of_dicts<'py>(value: &Bound<'py, PyAny>) -> PyResult<Option<Vec<Bound<'py, PyDict>>>> {
    let items: Vec<Bound<PyAny>> = if let Ok(list) = value.cast::<PyList>() {
        list.iter().collect()
    } else if let Ok(tuple) = value.cast::<PyTuple>() {
        tuple.iter().collect()
    } else {
        return Ok(None);
    };
    if items.is_empty() || !items.iter().all(|i| i.is_instance_of::<PyDict>()) {
        return Ok(None);
    }
    Ok(Some(
        items
            .into_iter()
            .map(|i| i.cast_into::<PyDict>().expect("checked"))
            .collect(),
    ))
}

fn type_name(value: &Bound<'_, PyAny>) -> String {
    value
        .get_type()
        .name()
        .map_or_else(|_| "an unknown type".to_owned(), |n| n.to_string())
}

/// A Python value as a TOML value: `str`, `bool`, `int`, `float`, lists and tuples of
/// them, dicts as inline tables. `field` names it in messages; `depth` bounds nesting
/// (a dict that holds itself).
fn toml_value(value: &Bound<'_, PyAny>, field: &str, depth: usize) -> PyResult<toml_edit::Value> {
    if depth > MAX_DICT_DEPTH {
        return Err(InputError::new_err(format!(
            "<dict>: {field}: nested deeper than {MAX_DICT_DEPTH} levels"
        )));
    }
    if let Ok(s) = value.cast::<PyString>() {
        return Ok(toml_edit::Value::from(s.to_cow()?.as_ref()));
    }
    if let Ok(b) = value.cast::<PyBool>() {
        return Ok(toml_edit::Value::from(b.is_true()));
    }
    if value.is_instance_of::<PyInt>() {
        return match value.extract::<i64>() {
            Ok(n) => Ok(toml_edit::Value::from(n)),
            Err(_) => Err(InputError::new_err(format!(
                "<dict>: {field}: {value} is beyond TOML's integers (64 bits)"
            ))),
        };
    }
    if let Ok(f) = value.cast::<PyFloat>() {
        return Ok(toml_edit::Value::from(f.value()));
    }
    if let Ok(d) = value.cast::<PyDict>() {
        let mut t = toml_edit::InlineTable::new();
        for (k, v) in d.iter() {
            let name = key_text(&k, field)?;
            t.insert(&name, toml_value(&v, &format!("{field}.{name}"), depth + 1)?);
        }
        return Ok(toml_edit::Value::InlineTable(t));
    }
    let items: Option<Vec<Bound<PyAny>>> = if let Ok(list) = value.cast::<PyList>() {
        Some(list.iter().collect())
    } else if let Ok(tuple) = value.cast::<PyTuple>() {
        Some(tuple.iter().collect())
    } else {
        None
    };
    if let Some(items) = items {
        let mut array = toml_edit::Array::new();
        for (i, item) in items.iter().enumerate() {
            array.push(toml_value(item, &format!("{field}[{i}]"), depth + 1)?);
        }
        return Ok(toml_edit::Value::Array(array));
    }
    let what = if value.is_none() {
        "None has no TOML form: leave the key out".to_owned()
    } else {
        format!(
            "a {} cannot be written in TOML (str, int, float, bool, list, dict)",
            type_name(value)
        )
    };
    Err(InputError::new_err(format!("<dict>: {field}: {what}")))
}

/// The module.
#[pymodule]
fn _ccsim(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("InputError", py.get_type::<InputError>())?;
    m.add("ScenarioError", py.get_type::<ScenarioError>())?;
    m.add("ScenarioWarning", py.get_type::<ScenarioWarning>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("MAX_SCENARIO_BYTES", ccsim::input::MAX_SCENARIO_BYTES)?;
    // The ranges of the whole-number arguments, for messages that name them.
    m.add("MAX_REPLICATIONS", ccsim::model::limits::MAX_REPLICATIONS)?;
    m.add("MAX_STAFF_REPLICATIONS", ccsim::model::limits::MAX_STAFF_REPLICATIONS)?;
    m.add("MAX_THREADS", ccsim::simulate::MAX_THREADS)?;
    m.add("MAX_AGENTS", ccsim::erlang::MAX_AGENTS)?;
    m.add("MAX_LINES", ccsim::erlang::MAX_LINES)?;
    m.add_class::<Outcome>()?;
    m.add_function(wrap_pyfunction!(run, m)?)?;
    m.add_function(wrap_pyfunction!(staff, m)?)?;
    m.add_function(wrap_pyfunction!(compare, m)?)?;
    m.add_function(wrap_pyfunction!(erlang, m)?)?;
    m.add_function(wrap_pyfunction!(to_toml, m)?)?;
    Ok(())
}
