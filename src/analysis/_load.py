"""Read the data files, check them against the contract in `analysis._schema`, and type them.

Every problem in every file is collected before anything is raised, each located as
``FILE:LINE: column COLUMN: what is wrong``, so an analyst fixes a file in one pass.
"""

from __future__ import annotations

import csv
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis import _config as config
from analysis import _inputs as inputs
from analysis import contract
from analysis._cache import sha256
from analysis.errors import (
    AnalysisError,
    DataValidationError,
    InputFileError,
    Omitted,
    Problem,
    problem_order,
    shown_text,
)


def _no_claims() -> pd.DataFrame:
    """Return the typed claims of a folder without claims.csv: no rows, every column."""
    columns, lines = contract.COLUMNS[config.CLAIMS_FILE], pd.Index([], "int64", name="line")
    return _typed(config.CLAIMS_FILE, pd.DataFrame(columns=columns, index=lines, dtype="str"))


@dataclass(frozen=True)
class Dataset:
    """The data files, validated and typed: three always, and claims.csv where the folder has it.

    Each frame holds its file's columns (numbers as numbers: `contract.DTYPES`), ``line`` (the
    row's line in its file), and the digits after the point of each figure as written
    (`contract.DECIMALS`: ``decimals`` for fdi.csv's usd_millions).

    Attributes
    ----------
    fdi : pandas.DataFrame
        One row per reported figure, in file order.
    sources : pandas.DataFrame
        sources.csv, plus ``published_on`` (Timestamp; a YYYY-MM date counts as its first day).
    timeline : pandas.DataFrame
        timeline.csv sorted by date, plus ``precision`` (year, month or day), ``when``
        (Timestamp of the date's first day) and ``year``.
    data_dir : pathlib.Path
        The folder the files were read from.
    checksums : dict of str to str
        ``"sha256:<hex>"`` of each file's bytes as read, keyed by `config.display_path`.
    claims : pandas.DataFrame
        claims.csv in file order (``multiple`` NaN where a claim states none); no rows when the
        folder has no claims.csv.
    """

    fdi: pd.DataFrame
    sources: pd.DataFrame
    timeline: pd.DataFrame
    data_dir: Path
    checksums: dict[str, str] = field(default_factory=dict)
    claims: pd.DataFrame = field(default_factory=_no_claims)


def load_dataset(data_dir: str | Path = config.DATA_DIR) -> Dataset:
    """Read and validate fdi.csv, sources.csv and timeline.csv from one folder, and claims.csv if there.

    Parameters
    ----------
    data_dir : str or path-like
        The folder; a relative path is taken from the project's root.

    Returns
    -------
    Dataset

    Raises
    ------
    DataValidationError
        Listing every problem in every file (at most `contract.MAX_PROBLEMS_PER_FILE` of each
        file, and the count of the rest).
    ParameterError
        When ``ANALYSIS_MAX_INPUT_MIB`` is not a size.
    SystemLimitError
        When the process runs out of open files or memory while reading.
    """
    from analysis import _schema as schema

    folder = config.resolve_project_path(data_dir)  # a link loop is left for the reading to report
    limit = inputs.max_data_bytes()
    try:
        inputs.check_folder(folder, config.display_path(folder), ", ".join(config.REQUIRED_DATA_FILES))
    except InputFileError as error:
        raise DataValidationError([Problem(error.shown, None, None, error.reason)]) from None
    contract.iso_alpha3()  # read here, not inside a pandera check that would hide an error
    listed: list[Problem] = []
    checksums: dict[str, str] = {}
    frames: dict[str, pd.DataFrame | None] = {}
    for name in (config.SOURCES_FILE, config.FDI_FILE, config.TIMELINE_FILE, config.CLAIMS_FILE):
        path, shown = folder / name, config.display_path(folder / name)
        if name == config.CLAIMS_FILE and not os.path.lexists(path):
            continue  # no claims: not an error (a broken link is there, and reported as such)
        problems = _Problems(shown)
        try:
            data = inputs.read_bytes(path, limit, shown)
            checksums[shown] = sha256(data)
            frames[name] = frame = _parse(inputs.decode(data, shown), name, problems)
        except InputFileError as error:
            frames[name] = frame = None
            problems.add(error.line, None, error.reason)
        if frame is not None:
            sources = frames.get(config.SOURCES_FILE) if name != config.SOURCES_FILE else None
            # unless sources.csv gives its source_ids, references to them are not checked
            known = set(sources["source_id"]) if sources is not None and "source_id" in sources.columns else None
            checked = _validate(frame, schema.validator(name, known), schema.UNIQUE.get(name, []), problems)
            problems += consistency_problems(name, frame.loc[~frame.index.isin(checked)], shown)
            if name == config.SOURCES_FILE:
                problems += citation_problems(frame, shown)
        listed += problems.listed()
    if listed:
        raise DataValidationError(listed)
    claims = frames.get(config.CLAIMS_FILE)
    return Dataset(
        fdi=_typed(config.FDI_FILE, frames[config.FDI_FILE]),
        sources=_typed(config.SOURCES_FILE, frames[config.SOURCES_FILE]),
        timeline=_typed(config.TIMELINE_FILE, frames[config.TIMELINE_FILE]),
        data_dir=folder,
        checksums=checksums,
        claims=_no_claims() if claims is None else _typed(config.CLAIMS_FILE, claims),
    )


class _Problems(list):
    """A file's problems. Those `add` finds past `contract.MAX_PROBLEMS_PER_FILE` are only counted (memory stays bounded)."""

    def __init__(self, shown: str):
        super().__init__()
        self.shown, self.omitted = shown, 0

    def add(self, line: int | None, column: str | None, message: str) -> None:
        if len(self) < contract.MAX_PROBLEMS_PER_FILE:
            self.append(Problem(self.shown, line, column, message))
        else:
            self.omitted += 1

    def listed(self) -> list[Problem]:
        """Return the first `contract.MAX_PROBLEMS_PER_FILE` problems in order, then an `Omitted` counting the rest."""
        kept = sorted(self, key=problem_order)[: contract.MAX_PROBLEMS_PER_FILE]
        if not (rest := self.omitted + len(self) - len(kept)):
            return kept
        message = f"{rest:,} more problem{'s' if rest != 1 else ''} not listed: fix those above and validate again"
        return [*kept, Omitted(self.shown, None, None, message, rest)]


# Reading -----------------------------------------------------------------------------------

# Characters a text file of the contract does not hold: control characters but tab, a carriage
# return that ends no line, a byte order mark inside the file, and the bidirectional controls.
UNWANTED = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\r\ufeff{contract.BIDI_CONTROLS}]")
OTHER_DELIMITERS = {";": "semicolons", "\t": "tabs", "|": "vertical bars"}
NUMBER_COLUMNS = ("usd_millions", "base", "target", "multiple")  # a thousands separator splits them
UNWANTED_MESSAGES = {
    "\x00": "holds a NUL byte (00), which no text holds (a damaged file, or one saved by a program as binary):"
    " remove it",
    "\r": "holds a carriage return (CR) that ends no line: remove it, or save the file with LF or CRLF line ends",
    "\ufeff": "holds a byte order mark (U+FEFF) inside the file (were two files joined?): remove it",
}
CSV_ERRORS = {
    "unexpected end of data": "a quoted value is not closed on this line (a value may not hold a line break):"
    " close the quote",
    "',' expected after '\"'": "a quoted value goes on after its closing quote: write a quote inside a quoted"
    ' value as two ("")',
    "new-line character seen in unquoted field - do you need to open the file in universal-newline mode?": (
        UNWANTED_MESSAGES["\r"]
    ),
}


def _parse(text: str, name: str, problems: _Problems) -> pd.DataFrame | None:
    """Split the text into a frame of stripped strings indexed by line number (None if no header).

    One line is one record (a value may not hold a line break), so a line, at most
    `contract.MAX_LINE_CHARS`, bounds the work of a record; a file holds at most
    `contract.MAX_ROWS` rows.
    """
    if "\r" in text and "\n" not in text:
        problems.add(
            None,
            None,
            "lines end with a carriage return alone (the line ends of classic Mac OS): save the file with LF or"
            " CRLF line ends (Excel: CSV UTF-8, not CSV Macintosh)",
        )
        return None
    lines = text.split("\n")
    most_rows = contract.MAX_ROWS[name]
    header: list[str] = []
    rows: dict[int, list[str]] = {}
    for number, line in enumerate(lines, start=1):
        line = line.removesuffix("\r")
        record = _record(line, number, problems)
        if record is None and not header:
            return None  # nothing after an unreadable header can be read
        if not record or not any(record):
            continue
        if not header:
            header, header_line = record, number
            if _header_problems(header, number, problems):
                return None
            translation = re.compile(contract.translation_pattern(name))
            may_end_early = [c in contract.OPTIONAL_COLUMNS.get(name, ()) or translation.fullmatch(c) for c in header]
            continue
        if len(record) < len(header) and all(may_end_early[len(record) :]):
            record += [""] * (len(header) - len(record))  # optional columns left off the end
        if len(record) != len(header):
            problems.add(number, *_field_count_problem(record, header))
        elif len(rows) == most_rows:
            left = sum(1 for rest in lines[number - 1 :] if rest.strip(", \r"))
            problems.add(
                number,
                None,
                f"is row {most_rows + 1:,} of {most_rows + left:,}: {name} holds at most {most_rows:,} rows (what a"
                " build lays out grows with them): keep the rows the reports need, or split the data into folders of"
                " their own",
            )
            break
        else:
            rows[number] = record
            if sum(map(len, record)) > contract.MAX_WORD_CHARS or UNWANTED.search(line):
                _cell_problems(header, number, record, problems)
    if not header:
        problems.add(1, None, f"the file is empty: expected the header {','.join(contract.COLUMNS[name])}")
        return None
    frame = pd.DataFrame(list(rows.values()), pd.Index(list(rows), dtype="int64", name="line"), header, dtype="str")
    for column in contract.OPTIONAL_COLUMNS.get(name, frozenset()) - set(header):
        frame[column] = ""
    frame.attrs["header_line"] = header_line
    return frame


def _record(line: str, number: int, problems: _Problems) -> list[str] | None:
    """Split a line into its stripped values; None, the problem added, when too long or not valid CSV."""
    if len(line) > contract.MAX_LINE_CHARS:
        problems.add(
            number,
            None,
            f"the line is {len(line):,} characters long; at most {contract.MAX_LINE_CHARS:,}: is a line break missing?",
        )
        return None
    try:  # without a quote, a line splits at its commas as the csv module splits it
        values = next(csv.reader([line], strict=True), []) if '"' in line else line.split(",")
    except csv.Error as error:
        problems.add(
            number, None, CSV_ERRORS.get(str(error), f"is not valid CSV: {shown_text(str(error), quoted=False)}")
        )
        return None
    return [value.strip() for value in values]


def _header_problems(header: list[str], line: int, problems: _Problems) -> bool:
    """Add what makes a header unreadable (too wide, another delimiter, a column twice); say if it is."""
    if len(header) > contract.MAX_COLUMNS:
        problems.add(
            line,
            None,
            f"the header has {len(header):,} columns; a file of the contract has at most {contract.MAX_COLUMNS}",
        )
        return True
    for delimiter, name in OTHER_DELIMITERS.items() if len(header) == 1 else ():
        if delimiter in header[0]:
            problems.add(line, None, f"fields are separated by {name}: separate them with commas")
            return True
    before = len(problems)
    for index, column in enumerate(header):
        if found := UNWANTED.search(column):
            problems.add(line, UNWANTED.sub("\ufffd", column), _unwanted_message(found.group()))
        if column in header[:index]:
            problems.add(line, column, "appears twice in the header")
    return len(problems) > before


def _cell_problems(header: list[str], line: int, record: list[str], problems: _Problems) -> None:
    """Add each cell holding an unwanted character, or too long to lay out (its checks are not reported then)."""
    for column, cell in zip(header, record, strict=True):
        found = UNWANTED.search(cell)
        message = _unwanted_message(found.group()) if found else _length_problem(column, cell)
        if message:
            problems.add(line, column, message)


def _unwanted_message(found: str) -> str:
    if found in contract.BIDI_CONTROLS:
        return f"holds {contract.bidi_message(found)}"
    return UNWANTED_MESSAGES.get(
        found, f"holds the control character U+{ord(found):04X}, which no text holds: remove it"
    )


def _length_problem(column: str, cell: str) -> str | None:
    """Say what makes a value too long to lay out: its length, or a word of it (in a column of free text)."""
    if len(cell) > contract.MAX_TEXT_CHARS:
        return (
            f"is {len(cell):,} characters long; at most {contract.MAX_TEXT_CHARS}: shorten it (a longer value makes"
            " the PDF slow to lay out)"
        )
    longest = max(cell.split(), key=len, default="")
    if column in contract.FORMATTED_COLUMNS or len(longest) <= contract.MAX_WORD_CHARS:
        return None
    return (
        f"holds a word of {len(longest):,} characters ({shown_text(longest, 30)}); at most"
        f" {contract.MAX_WORD_CHARS} between spaces: put spaces in it, or shorten it (a longer word makes the PDF"
        " slow to lay out)"
    )


def _field_count_problem(record: list[str], header: list[str]) -> tuple[str | None, str]:
    """Say why a row has more or fewer fields than the header: a thousands separator, or a comma."""
    for column in [c for c in NUMBER_COLUMNS if c in header] if len(record) == len(header) + 1 else ():
        position = header.index(column)
        joined = f"{record[position]},{record[position + 1]}"
        rejoined = dict(zip(header, [*record[:position], joined, *record[position + 2 :]], strict=True))
        numbers = [rejoined[c] for c in NUMBER_COLUMNS if c in rejoined]  # every one a number once rejoined
        if re.fullmatch(contract.THOUSANDS, joined) and all(
            re.fullmatch(f"(?:{contract.NUMBER}|{contract.THOUSANDS})?", n) for n in numbers
        ):
            return column, (
                f"{shown_text(joined)} has a thousands separator (it splits the line into an extra"
                " field): write the number without commas"
            )
    return (
        None,
        f"has {len(record):,} fields where the header has {len(header)}: a value holding a comma must be quoted",
    )


# Validation --------------------------------------------------------------------------------


def _validate(frame: pd.DataFrame, validator, keys: list[tuple[str, ...]], problems: _Problems) -> set[int]:
    """Run a pandera schema lazily and check uniqueness, adding located problems; return the lines that failed.

    One problem per cell: the first failing check in the order the model lists them. A cell
    already reported, or a row already reported whole, is not reported again; a row repeating
    another on a key of several columns is reported once, at the repeat, naming the first.
    """
    import pandera.errors

    try:
        validator.validate(frame, lazy=True)
        cases = pd.DataFrame(columns=["check", "column", "failure_case", "index"])
    except pandera.errors.SchemaErrors as errors:
        _check_could_not_run(errors.schema_errors, problems.shown)
        cases = errors.failure_cases
    skip_lines = {p.line for p in problems if p.column is None}
    seen = {(p.line, p.column) for p in problems}
    for check, column, value, line in cases[["check", "column", "failure_case", "index"]].itertuples(index=False):
        if check in ("column_in_schema", "column_in_dataframe"):
            words = "is not a column of this file" if check == "column_in_schema" else "is missing from the header"
            problems.append(Problem(problems.shown, frame.attrs["header_line"], str(value), words))
        elif pd.notna(line) and int(line) not in skip_lines and (int(line), column) not in seen:
            seen.add((int(line), column))
            problems.append(Problem(problems.shown, int(line), column, f"{_shown_value(value)} {check}"))
    problems += _repeats(frame, keys, problems.shown, {p.line for p in problems})
    return {p.line for p in problems}


def _check_could_not_run(errors: list, shown: str) -> None:
    """Raise `AnalysisError` (a fault of the package, exit status 1) for the first check that raised: pandera would record it as a failure on no line."""
    from pandera.errors import SchemaErrorReason

    for error in errors:
        if error.reason_code == SchemaErrorReason.CHECK_ERROR:
            check = error.check.error or error.check.name
            raise AnalysisError(
                f"{shown}: column {error.schema.name}: the check '{check}' could not run ({error.failure_cases}):"
                " a fault of the analysis package, not of the file, which is not passed as valid"
            )


def _repeats(frame: pd.DataFrame, keys: list[tuple[str, ...]], shown: str, skip: set[int]) -> list[Problem]:
    """Find the rows that repeat a key of the file, at the repeat, naming the line of the first."""
    problems = []
    for key in keys:
        if not set(key) <= set(frame.columns):
            continue  # a key column is missing: reported as such
        first: dict[tuple, int] = {}
        for line, values in zip(frame.index, frame[list(key)].itertuples(index=False, name=None), strict=True):
            if line in skip:
                continue
            if values not in first:
                first[values] = line
            elif len(key) == 1:
                message = f"{_shown_value(values[0])} is also on line {first[values]}: each must be unique"
                problems.append(Problem(shown, int(line), key[0], message))
            else:
                described = ", ".join(f"{k} {shown_text(v, quoted=False)}" for k, v in zip(key, values, strict=True))
                message = f"repeats line {first[values]} ({described}): one source reports a period once"
                problems.append(Problem(shown, int(line), None, message))
    return problems


def citation_problems(sources: pd.DataFrame, shown: str) -> list[Problem]:
    """Check sources.csv's ``cites``: a known source_id, not the row's own, no cycle (reported at each of its rows)."""
    if "source_id" not in sources.columns:  # reported as a missing column
        return []
    cites = dict(zip(sources["source_id"], sources["cites"], strict=True))
    line_of = {source: int(line) for line, source in zip(sources.index, sources["source_id"], strict=True)}
    problems = []
    for line, source, cited in zip(sources.index, sources["source_id"], sources["cites"], strict=True):
        if not cited or not contract.is_source_id(cited):
            continue  # empty, or malformed (reported by the model)
        if cited == source:
            message = f"{shown_text(cited)} is the row's own source_id: a source cannot repeat itself"
        elif cited not in cites:
            message = f"{shown_text(cited)} is not a source_id listed in sources.csv"
        elif cycle := _cycle(cites, source):
            loop = " → ".join([*_few(cycle), shown_text(source, quoted=False)])
            where = ", ".join(_few([f"line {line_of[s]}" for s in cycle[1:]]))
            message = (
                f"{shown_text(cited)} makes a cycle of citations ({loop}; {where}): an echo must end at a source"
                " that reports on its own"
            )
        else:
            continue
        problems.append(Problem(shown, int(line), "cites", message))
    return problems


def _cycle(cites: dict[str, str], source: str) -> list[str]:
    """Return the cycle of citations through ``source``, in citing order from it (empty if none).

    Quadratic in the rows at worst: a file holds at most `contract.MAX_ROWS` of them.
    """
    path, seen = [source], {source}
    while (cited := cites.get(path[-1], "")) and contract.is_source_id(cited) and cited not in seen:
        path.append(cited)
        seen.add(cited)
    return path if cited == source and len(path) > 1 and contract.is_source_id(cited) else []


def _few(items: list[str], most: int = 6) -> list[str]:
    """Keep a list short for a message: its first items, and a count of the rest."""
    shown = [shown_text(item, quoted=False) for item in items[:most]]
    return shown if len(items) <= most else [*shown[: most - 1], f"… {len(items) - most + 1:,} more"]


def consistency_problems(file_name: str, rows: pd.DataFrame, shown: str) -> list[Problem]:
    """Check values that contradict one another, in rows whose values each passed their checks.

    A period not over by the day of the build, or a country investing in itself (fdi.csv,
    claims.csv); a source checked before it was published (sources.csv); a claim's base year not
    before its target year, or no multiple stated of a base of zero or below (claims.csv).
    """
    day = contract.today()
    problems: list[Problem] = []
    if file_name == config.SOURCES_FILE and {"published", "accessed"} <= set(rows.columns):
        early = rows["accessed"].map(contract.first_day) < rows["published"].map(contract.first_day)
        problems += _at(
            rows[early],
            shown,
            "accessed",
            lambda row: (
                f"'{row['accessed']}' is before the source was published ({row['published']}):"
                " a source is checked after it is published"
            ),
        )
    year = {config.FDI_FILE: "year", config.CLAIMS_FILE: "target_year"}.get(file_name)
    if year is None or not {"origin", "destination", year, "months"} <= set(rows.columns):
        return problems
    late = rows[rows[year] >= f"{day.year:04d}"]  # only a period of this year or later can end after today
    ends = pd.Series(
        [contract.period_end(int(y), int(m)) for y, m in zip(late[year], late["months"], strict=True)],
        late.index,
        dtype=object,
    )
    problems += _at(
        late[ends > day],
        shown,
        year,
        lambda row: (
            f"'{row[year]}' with months {row['months']} is a period that ends on {ends[row.name].isoformat()},"
            f" after today ({day.isoformat()}): a figure is reported once its period is over"
        ),
    )
    problems += _at(
        rows[rows["origin"] == rows["destination"]],
        shown,
        "destination",
        lambda row: f"'{row['destination']}' is also the origin: a country does not invest in itself",
    )
    if file_name == config.CLAIMS_FILE and {"base_year", "base", "multiple"} <= set(rows.columns):
        problems += _at(
            rows[rows["base_year"] >= rows["target_year"]],  # four digits each: text compares as numbers
            shown,
            "base_year",
            lambda row: (
                f"'{row['base_year']}' is not before target_year ({row['target_year']}): a claim of growth"
                " compares a period with a later one"
            ),
        )
        problems += _at(
            rows[(rows["multiple"] == "") & (rows["base"].astype("float64") <= 0)],
            shown,
            "multiple",
            lambda row: (
                f"(empty) with a base of {row['base']}: target ÷ base is no multiple where the base is zero"
                " or below; write the multiple the claim states"
            ),
        )
    return problems


def _at(rows: pd.DataFrame, shown: str, column: str, message) -> list[Problem]:
    """Locate one problem in ``column`` at each of ``rows``, ``message(row)`` saying what is wrong."""
    return [Problem(shown, int(line), column, message(row)) for line, row in rows.iterrows()]


def _shown_value(value: object) -> str:
    text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
    return shown_text(text) if text else "(empty)"


# Typing ------------------------------------------------------------------------------------


def _typed(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Type a validated file: numbers from `contract.DTYPES`, digits after the point, dates; ``line`` a column."""
    typed = frame.reset_index().astype({"line": "int64"})
    for column, decimals in contract.DECIMALS.get(name, {}).items():
        typed[decimals] = typed[column].str.extract(r"\.([0-9]+)$", expand=False).str.len().fillna(0).astype("int64")
    for column, dtype in contract.DTYPES.get(name, {}).items():
        typed[column] = pd.to_numeric(typed[column].where(typed[column] != "")).astype(dtype)
    if name == config.SOURCES_FILE:
        typed["published_on"] = pd.to_datetime(typed["published"].map(contract.first_day))
    if name == config.TIMELINE_FILE:
        typed["precision"] = typed["date"].map(contract.date_precision)
        typed["when"] = pd.to_datetime(typed["date"].map(contract.first_day))
        typed["year"] = typed["when"].dt.year.astype("int64")
        typed = typed.sort_values(["when", "line"]).reset_index(drop=True)  # lines are unique: no ties
    return typed
