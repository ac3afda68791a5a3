"""ccsim for Python: simulate a contact centre, find its staffing, compare two variants
and ask the exact Erlang formulas, with the command line's answers.

    >>> import ccsim
    >>> day = ccsim.run("scenarios/retail-helpdesk.toml")  # its replications and seed
    >>> day.verdict
    'missed'
    >>> day.intervals        # a pandas DataFrame when pandas is installed

Every result's ``.json()`` is the document ``ccsim run|staff|compare|erlang --format
json`` prints for the same input and options, byte for byte; ``.data`` is that document
parsed; ``str(result)`` is the command line's table. The tables (``.intervals``,
``.call_types``, ``.channels``, ``.groups``, ``.staffing``, ``.differences``) are the
sheets of the workbook ``--xlsx`` writes: pandas DataFrames when pandas can be
imported, otherwise lists of dicts (one per row).

A scenario is a path (``str`` or ``pathlib.Path``), TOML text, or a dict of the same
structure as the TOML. A ``str`` is a path when a file (or folder) of that name exists,
and TOML text otherwise; a one-line ``str`` ending in ``.toml`` that names no file
raises ``FileNotFoundError`` rather than being read as TOML. Text is named ``<text>``
and a dict ``<dict>`` in messages (a dict's line and column point into
``ccsim.to_toml(d)``); relative paths inside them (a forecast's ``csv``) are read from
the current folder, those in a file from the file's folder.

Bad input raises ``ScenarioError`` (a scenario that does not validate; its message is
the command line's ``file:line:column: field: message`` text, ``.diagnostics`` lists
them) or ``InputError`` (an argument out of range); both are ``ValueError``. Warnings
about implausible values are issued as ``ScenarioWarning``. The work releases the GIL,
and Ctrl-C (``KeyboardInterrupt``) stops it within a moment.
"""

import errno as _errno
import json as _json
import operator as _operator
import os as _os
import warnings as _warnings

from . import _ccsim
from ._ccsim import InputError, ScenarioError, ScenarioWarning, __version__, to_toml

__all__ = [
    "run",
    "staff",
    "compare",
    "erlang",
    "to_toml",
    "Run",
    "Staffing",
    "Comparison",
    "Erlang",
    "InputError",
    "ScenarioError",
    "ScenarioWarning",
    "__version__",
]


def run(scenario, replications=None, seed=None, threads=0):
    """Simulate a scenario, as ``ccsim run SCENARIO --format json`` does.

    ``replications`` and ``seed`` default to the scenario's; ``threads`` (0: every core)
    changes no figure.
    """
    file, text = _scenario(scenario)
    outcome = _ccsim.run(
        file,
        text,
        _whole("--replications", replications, 1, _ccsim.MAX_REPLICATIONS),
        _whole("--seed", seed),
        _whole("--threads", threads, 0, _ccsim.MAX_THREADS),
    )
    return Run(outcome, file)


def staff(scenario, replications=None, seed=None, threads=0):
    """Find the agents each group needs in each interval to meet every target, as
    ``ccsim staff SCENARIO --format json`` does.

    ``replications`` is the replications per candidate at first (default: the
    scenario's staffing ``replications``, else its ``replications``).
    """
    file, text = _scenario(scenario)
    outcome = _ccsim.staff(
        file,
        text,
        _whole("--replications", replications, 2, _ccsim.MAX_STAFF_REPLICATIONS),
        _whole("--seed", seed),
        _whole("--threads", threads, 0, _ccsim.MAX_THREADS),
    )
    return Staffing(outcome, file)


def compare(a, b, replications=None, seed=None, threads=0):
    """Paired differences of every metric between two variants run on the same callers,
    as ``ccsim compare A B --format json`` does (replications and seed default to A's).
    """
    file_a, text_a = _scenario(a, "a")
    file_b, text_b = _scenario(b, "b")
    outcome = _ccsim.compare(
        file_a,
        text_a,
        file_b,
        text_b,
        _whole("--replications", replications, 1, _ccsim.MAX_REPLICATIONS),
        _whole("--seed", seed),
        _whole("--threads", threads, 0, _ccsim.MAX_THREADS),
    )
    return Comparison(outcome, f"{file_a} vs {file_b}")


def erlang(
    per_hour,
    aht,
    agents=None,
    patience=None,
    threshold="20s",
    lines=None,
    retry=None,
    target_sl=None,
    target_answer_rate=None,
    max_asa=None,
    shrinkage=None,
):
    """Exact Erlang C (Erlang A with ``patience``, Erlang B or M/M/n/K with ``lines``)
    figures for one stationary queue, and with a target the fewest agents meeting it,
    as ``ccsim erlang --format json`` does.

    Durations (``aht``, ``patience``, ``threshold``, ``max_asa``) are text such as
    ``"3m"`` or ``"180s"``, or numbers of seconds; shares (``target_sl``,
    ``target_answer_rate``, ``retry``, ``shrinkage``) run from 0 to 1.
    """
    outcome = _ccsim.erlang(
        _number("per_hour", per_hour),
        _duration("aht", aht),
        _whole("--agents", agents, 1, _ccsim.MAX_AGENTS, _MAX_U32),
        _duration("patience", patience),
        _duration("threshold", threshold),
        _whole("--lines", lines, 1, _ccsim.MAX_LINES, _MAX_U32),
        _number("retry", retry),
        _number("target_sl", target_sl),
        _number("target_answer_rate", target_answer_rate),
        _duration("max_asa", max_asa),
        _number("shrinkage", shrinkage),
    )
    return Erlang(outcome, "erlang")


class Result:
    """What a verb gave back: its JSON document, its text and its tables."""

    def __init__(self, outcome, label):
        self._outcome = outcome
        self._label = label
        self._json = None
        self._data = None
        self._tables = None
        for warning in outcome.warnings:
            _warnings.warn(warning, ScenarioWarning, stacklevel=3)

    def json(self):
        """The JSON document the command line prints with ``--format json``."""
        if self._json is None:
            self._json = self._outcome.json()
        return self._json

    @property
    def data(self):
        """The JSON document, parsed."""
        if self._data is None:
            self._data = _json.loads(self.json())
        return self._data

    @property
    def warnings(self):
        """The scenarios' warnings (also issued as ``ScenarioWarning``)."""
        return list(self._outcome.warnings)

    @property
    def tables(self):
        """Every table by name, in the workbook's order."""
        if self._tables is None:
            self._tables = {
                name: _table(header, columns, kinds)
                for name, header, kinds, columns in self._outcome.tables()
            }
        return self._tables

    def __str__(self):
        return self._outcome.text()

    def __repr__(self):
        return f"<ccsim.{type(self).__name__} of {self._label}>"


class Run(Result):
    """The figures of a simulated day (or window), with their 95 % half-widths.

    Tables: ``intervals`` (each interval's row for the whole centre, ``all``, then one
    per call type), ``call_types`` (the window, ``all`` first), ``channels``, ``groups``
    (the window, then each interval; ``all`` rows first). A metric's mean is in the
    column of its name, its half-width in ``<metric>_ci95``; targets in
    ``target_<metric>`` and ``status_<metric>``, the row's verdict in ``verdict``.
    """

    @property
    def verdict(self):
        """``met``, ``within_noise``, ``missed`` or ``None`` (no targets)."""
        return self.data["verdict"]

    @property
    def intervals(self):
        return self.tables["intervals"]

    @property
    def call_types(self):
        return self.tables["call_types"]

    @property
    def channels(self):
        return self.tables["channels"]

    @property
    def groups(self):
        return self.tables["groups"]


class Staffing(Run):
    """A staffing answer: ``staffing`` (agents on duty per interval and group, the paid
    headcount, the search's flags and the interval's figures at that staffing, its
    verdict and note), the roster's tables when the scenario has rosters (in
    ``tables``), and the day simulated at the staffing found (``intervals``,
    ``call_types``, ``channels``, ``groups``).
    """

    @property
    def staffing(self):
        return self.tables["staffing"]


class Comparison(Result):
    """B − A of every metric, both run on the same callers: ``differences``."""

    @property
    def differences(self):
        return self.tables["differences"]


class Erlang(Result):
    """The exact figures of one queue; with a target, the fewest agents meeting it
    (``data["agents"]``) and its neighbours (``neighbours``: one row per agent count)."""

    @property
    def neighbours(self):
        rows = self.data.get("neighbours", [])
        header = sorted({name for row in rows for name in row}, key=lambda n: (n != "agents", n))
        kinds = ["int" if n in ("agents", "paid_agents") else "flag" if n == "meets_targets"
                 else "float" for n in header]
        return _table(header, [[row.get(name) for row in rows] for name in header], kinds)


def _table(header, columns, kinds):
    """A table as a DataFrame when pandas can be imported, else a list of dicts (one per
    row). In a DataFrame, figures are float64 (NaN where undefined), whole numbers
    int64, flags bool, text object or str."""
    try:
        import pandas
    except ImportError:
        return [dict(zip(header, row)) for row in zip(*columns)]
    data = {}
    for name, column, kind in zip(header, columns, kinds):
        if kind == "int" and None in column:
            kind = "float"
        dtype = {"float": "float64", "int": "int64", "flag": "bool"}.get(kind)
        data[name] = pandas.Series(column, dtype=dtype) if dtype else pandas.Series(column, dtype=object)
    return pandas.DataFrame(data, columns=header)


def _scenario(scenario, argument="scenario"):
    """``(file, text)`` for the native module: a path and no text, or text and its name."""
    if isinstance(scenario, dict):
        return "<dict>", to_toml(scenario)
    if isinstance(scenario, _os.PathLike):
        path = _os.fspath(scenario)
        if not isinstance(path, str):
            raise TypeError(f"{argument}: a path must be text, got {type(path).__name__}")
        return path, None
    if isinstance(scenario, str):
        if _exists(scenario):
            return scenario, None
        if "\n" not in scenario and scenario.strip().lower().endswith(".toml"):
            raise FileNotFoundError(
                _errno.ENOENT,
                "no such scenario file (a str is read as TOML text only when it names no file)",
                scenario,
            )
        return "<text>", scenario
    raise TypeError(
        f"{argument}: a path, TOML text or a dict is a scenario, got {type(scenario).__name__}"
    )


def _exists(text):
    try:
        return _os.path.exists(text)
    except (OSError, ValueError):
        return False


_MAX_WHOLE = 2**64 - 1
_MAX_U32 = 2**32 - 1


def _whole(name, value, least=0, most=_MAX_WHOLE, carried=_MAX_WHOLE):
    """A whole-number argument (``None`` stays ``None``). One the module's integer type
    carries (0 to ``carried``) goes on, to be judged with the command line's own message;
    any other is refused here, with a message that names ``name`` (the command line's
    flag) and the range the command accepts (``least`` to ``most``), not the type's."""
    if value is None:
        return None
    name_shown = name.lstrip("-")
    if isinstance(value, bool):
        raise TypeError(f"{name_shown}: a whole number, got {value!r}")
    try:
        n = _operator.index(value)
    except TypeError:
        raise TypeError(f"{name_shown}: a whole number, got {value!r}") from None
    if not 0 <= n <= carried:
        raise InputError(f"{name} must be between {least} and {most}, got {n}")
    return n


def _number(name, value):
    if value is None:
        return None
    if isinstance(value, bool):
        raise TypeError(f"{name}: a number, got {value!r}")
    try:
        return float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{name}: a number, got {value!r}") from None


def _duration(name, value):
    """A duration: text as the command line reads it, or a number of seconds."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return repr(_number(name, value))
