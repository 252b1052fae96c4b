"""Read the data files, check them against the contract in `analysis.schema`, and type them.

Every problem in every file is collected before anything is raised, and each is located as
``FILE:LINE: column COLUMN: what is wrong``, so an analyst fixes a file in one pass.
"""

from __future__ import annotations

import csv
import functools
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis import config, contract, inputs
from analysis.cache import sha256
from analysis.errors import (
    CheckError,
    DataValidationError,
    InputFileError,
    Omitted,
    Problem,
    problem_order,
    shown_text,
)

UTF8_BOM = b"\xef\xbb\xbf"
OTHER_DELIMITERS = {";": "semicolons", "\t": "tabs", "|": "vertical bars"}
MAX_ENCODING_PROBLEMS = 20  # per file: past that, the file is plainly in another encoding


def _no_claims() -> pd.DataFrame:
    """Return the typed claims of a folder without claims.csv: none, with every column."""
    return pd.DataFrame(
        {
            "claim_id": pd.Series(dtype="str"),
            "origin": pd.Series(dtype="str"),
            "destination": pd.Series(dtype="str"),
            "base_year": pd.Series(dtype="int64"),
            "target_year": pd.Series(dtype="int64"),
            "months": pd.Series(dtype="int64"),
            "base": pd.Series(dtype="float64"),
            "base_decimals": pd.Series(dtype="int64"),
            "target": pd.Series(dtype="float64"),
            "target_decimals": pd.Series(dtype="int64"),
            "multiple": pd.Series(dtype="float64"),
            "multiple_decimals": pd.Series(dtype="int64"),
            "quote": pd.Series(dtype="str"),
            "source_id": pd.Series(dtype="str"),
            "line": pd.Series(dtype="int64"),
        }
    )


@dataclass(frozen=True)
class Dataset:
    """The data files, validated and typed: three always, and claims.csv where the folder has it.

    Attributes
    ----------
    fdi : pandas.DataFrame
        One row per reported figure: origin, destination, year (int), months (int),
        usd_millions (float), decimals (int: digits after the point, as written), source_id,
        note, line (its line in fdi.csv).
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
        One row per claim of claims.csv, in file order: claim_id, origin, destination,
        base_year, target_year, months (int), base, target (float), base_decimals,
        target_decimals (int), multiple (float; NaN where the claim states none),
        multiple_decimals (int), quote, source_id, line, and the quote's translations
        (quote_es, ...). No rows when the folder has no claims.csv.
    """

    fdi: pd.DataFrame
    sources: pd.DataFrame
    timeline: pd.DataFrame
    data_dir: Path
    checksums: dict[str, str] = field(default_factory=dict)
    claims: pd.DataFrame = field(default_factory=_no_claims)


def load_dataset(data_dir: str | Path = config.DATA_DIR, *, trust: str | None = None) -> Dataset:
    """Read and validate fdi.csv, sources.csv and timeline.csv from one folder, and claims.csv if it is there.

    Parameters
    ----------
    data_dir : str or path-like
        The folder; a relative path is taken from the project's root.
    trust : str, optional
        A `validation_token` from an earlier validation of these very bytes by this very code
        (by default, the ``ANALYSIS_VALIDATED`` environment variable). When it matches, the
        files are parsed and typed without running the pandera models again: ``analysis build``
        validates before the kernel starts and hands the kernel the token, so the work is not
        done twice. Any other value, or none, means a full validation.

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
    folder = config.resolve_project_path(data_dir)  # a link loop is left for the reading to report
    with inputs.system_limits():
        return _load(folder, trust)


def _load(folder: Path, trust: str | None) -> Dataset:
    limit = inputs.max_data_bytes()
    try:
        inputs.check_folder(folder, config.display_path(folder), ", ".join(config.REQUIRED_DATA_FILES))
    except InputFileError as error:
        raise DataValidationError([Problem(error.shown, None, None, error.reason)]) from None
    problems: list[Problem] = []
    checksums: dict[str, str] = {}
    texts: dict[str, str | None] = {}
    marked: dict[str, set[int]] = {}
    for name in (config.SOURCES_FILE, config.FDI_FILE, config.TIMELINE_FILE, config.CLAIMS_FILE):
        path = folder / name
        if name == config.CLAIMS_FILE and not os.path.lexists(path):
            continue  # no claims: not an error (a broken link is there, and reported as such)
        texts[name], file_problems, digest, marked[name] = _read_text(path, limit)
        problems += file_problems
        if digest:
            checksums[config.display_path(path)] = digest

    trust = os.environ.get(VALIDATED_ENV) if trust is None else trust
    trusted = not problems and trust == validation_token(checksums)
    if not trusted:
        contract.iso_alpha3()  # read here, not inside a pandera check that would hide an error
    frames: dict[str, pd.DataFrame | None] = {}
    for name, text in texts.items():
        if text is None:
            frames[name] = None
            continue
        path = folder / name
        if trusted:
            frames[name] = _parse_csv(text, path)[0]
            continue
        from analysis import schema

        raw, parse_problems = _parse_csv(text, path)
        problems += parse_problems
        frames[name] = raw
        if raw is None:
            continue
        sources = frames.get(config.SOURCES_FILE)
        known = None  # unless sources.csv gives its source_ids, references to them are not checked
        if name != config.SOURCES_FILE and sources is not None and "source_id" in sources.columns:
            known = set(sources["source_id"])
        shown = config.display_path(path)
        found, failed = _validate(
            raw, schema.validator(name, known), path, parse_problems, marked[name], schema.unique_keys(name)
        )
        problems += found
        reported = {p.line for p in parse_problems} | failed | marked[name]
        problems += consistency_problems(name, raw, shown, reported)
        if name == config.SOURCES_FILE:
            problems += citation_problems(raw, shown)

    if problems:
        raise DataValidationError(_listed(problems))
    claims = frames.get(config.CLAIMS_FILE)
    return Dataset(
        fdi=_type_fdi(frames[config.FDI_FILE]),
        sources=_type_sources(frames[config.SOURCES_FILE]),
        timeline=_type_timeline(frames[config.TIMELINE_FILE]),
        data_dir=folder,
        checksums=checksums,
        claims=_no_claims() if claims is None else _type_claims(claims),
    )


def _listed(problems: list[Problem]) -> list[Problem]:
    """Keep the first `contract.MAX_PROBLEMS_PER_FILE` problems of each file; count the rest."""
    by_file: dict[str, list[Problem]] = {}
    for problem in problems:
        by_file.setdefault(problem.file, []).append(problem)
    listed: list[Problem] = []
    for file, found in by_file.items():
        counted = [p for p in found if isinstance(p, Omitted)]
        plain = sorted((p for p in found if not isinstance(p, Omitted)), key=problem_order)
        rest = max(0, len(plain) - contract.MAX_PROBLEMS_PER_FILE) + sum(p.count for p in counted)
        listed += plain[: contract.MAX_PROBLEMS_PER_FILE]
        if rest > 0:
            message = f"{rest:,} more problem{'s' if rest != 1 else ''} not listed: fix those above and validate again"
            listed.append(Omitted(file, None, None, message, rest))
    return listed


VALIDATED_ENV = "ANALYSIS_VALIDATED"


@functools.cache
def _contract_digest() -> bytes:
    """Hash the code that decides validity: a change to it invalidates every token."""
    modules = ("contract.py", "schema.py", "load.py", "inputs.py")
    return sha256(*(config.PACKAGE_DIR / module for module in modules)).encode()


def validation_token(checksums: dict[str, str]) -> str:
    """Return the token that vouches for files with these checksums passing this contract.

    Parameters
    ----------
    checksums : dict of str to str
        `Dataset.checksums` of a folder that validated.

    Returns
    -------
    str
    """
    return sha256(_contract_digest(), *(value.encode() for value in sorted(checksums.values())))


def problems_in(data_dir: str | Path = config.DATA_DIR) -> list[Problem]:
    """List every problem in a data folder without raising.

    Parameters
    ----------
    data_dir : str or path-like
        As for `load_dataset`.

    Returns
    -------
    list of Problem
        Empty when the folder meets the contract.
    """
    try:
        load_dataset(data_dir)
    except DataValidationError as error:
        return error.problems
    return []


# Reading -----------------------------------------------------------------------------------

SAVE_AS_UTF8 = "save it as CSV UTF-8 (in Excel: Save As, CSV UTF-8; in LibreOffice: character set Unicode (UTF-8))"

# Characters a CSV text file of the contract does not hold, each located and reported: bytes that
# are not UTF-8 (decoded as lone surrogates), control characters but tab and the line ends, a
# carriage return that ends no line, a byte order mark inside the file, and the bidirectional
# controls, which change how the text around them reads (`contract.BIDI_CONTROLS`).
_UNWANTED = re.compile(
    f"[\udc80-\udcff]+|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{contract.BIDI_CONTROLS}]|\r(?!\n)|\ufeff"
)


def _read_text(path: Path, limit: int) -> tuple[str | None, list[Problem], str | None, set[int]]:
    """Return the file's text (None if unusable), its bytes' problems, sha256 and marked lines.

    Marked lines hold unwanted characters: reported here, they are not validated further.
    """
    shown = config.display_path(path)
    try:
        data = inputs.read_bytes(path, limit, shown)
    except InputFileError as error:
        return None, [Problem(shown, None, None, error.reason)], None, set()
    digest = sha256(data)
    body = data[len(UTF8_BOM) :] if data.startswith(UTF8_BOM) else data
    not_text = inputs.not_text(body)
    if not_text:
        return None, [Problem(shown, None, None, f"{not_text}: {SAVE_AS_UTF8}")], digest, set()
    text = body.decode("utf-8", errors="surrogateescape")
    if "\r" in text and "\n" not in text:
        message = (
            "lines end with a carriage return alone (the line ends of classic Mac OS): save the file"
            " with LF or CRLF line ends (Excel: CSV UTF-8, not CSV Macintosh)"
        )
        return None, [Problem(shown, None, None, message)], digest, set()
    text, problems, marked = _character_problems(text, shown)
    if not text.strip():
        header = _expected_header(path.name)
        return None, [Problem(shown, 1, None, f"the file is empty: expected the header {header}")], digest, set()
    return text, problems, digest, marked


def _character_problems(text: str, shown: str) -> tuple[str, list[Problem], set[int]]:
    """Locate every unwanted character by line and column, and blank it out of the text.

    Each becomes U+FFFD (so that a carriage return cannot end a line, nor a NUL a field); the
    lines that held one are returned, and not validated further. A row is reported once per
    column. Past `contract.MAX_PROBLEMS_PER_FILE`, the rest are counted, not located.
    """
    problems: list[Problem] = []
    marked: set[int] = set()
    if not _UNWANTED.search(text):
        return text, problems, marked
    first_line = text[: text.find("\n")] if "\n" in text else text
    header = _fields(first_line) if len(first_line) <= contract.MAX_LINE_CHARS else []
    seen: set[tuple[int, str | None]] = set()
    line, position, uncounted = 1, 0, 0
    for match in _UNWANTED.finditer(text):
        start = match.start()
        line += text.count("\n", position, start)
        position = start
        marked.add(line)
        if len(problems) >= contract.MAX_PROBLEMS_PER_FILE:
            uncounted += 1
            continue
        line_start = text.rfind("\n", 0, start) + 1
        column = None  # named where the line is short enough to be a line of the contract
        if line > 1 and start - line_start <= contract.MAX_LINE_CHARS:
            before = _fields(text[line_start:start])
            index = len(before) - 1 if before else 0
            column = header[index] if 0 <= index < len(header) else None
        if (line, column) in seen:
            continue
        seen.add((line, column))
        problems.append(Problem(shown, line, column, _unwanted_message(match.group())))
    if uncounted:
        problems.append(Omitted(shown, None, None, f"{uncounted:,} more such characters not listed", uncounted))
    return _UNWANTED.sub("\ufffd", text), problems, marked


def _unwanted_message(found: str) -> str:
    if "\udc80" <= found[0] <= "\udcff":
        bad = " ".join(f"{ord(c) - 0xDC00:02X}" for c in found[:8]) + (" …" if len(found) > 8 else "")
        return f"byte(s) {bad} are not UTF-8 (the file looks saved as Latin-1 or Windows-1252): save it as UTF-8"
    if found == "\x00":
        return "holds a NUL byte (00), which no text holds (a damaged file, or one saved by a program as binary): remove it"
    if found == "\r":
        return "holds a carriage return (CR) that ends no line: remove it, or save the file with LF or CRLF line ends"
    if found == "\ufeff":
        return "holds a byte order mark (U+FEFF) inside the file (were two files joined?): remove it"
    if found in contract.BIDI_CONTROLS:
        return f"holds {contract.bidi_message(found)}"
    return f"holds the control character U+{ord(found):04X}, which no text holds: remove it"


def _fields(line: str) -> list[str]:
    """Split one line of CSV text into stripped fields, however broken (for locating a column)."""
    try:
        return [cell.strip() for cell in next(csv.reader([_UNWANTED.sub("\ufffd", line)]), [])]
    except csv.Error:
        return []


def _expected_header(file_name: str) -> str:
    from analysis import schema

    return ",".join(schema.columns(schema.MODELS[file_name]))


CSV_ERRORS = {
    "unexpected end of data": "a quoted value is not closed on this line (a value may not hold a line break): close the quote",
    "',' expected after '\"'": 'a quoted value goes on after its closing quote: write a quote inside a quoted value as two ("")',
}


def _parse_csv(text: str, path: Path) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Split the text into a frame of stripped strings indexed by line number.

    Each line is one record: a value may not run onto the next line, so a line (bounded by
    `contract.MAX_LINE_CHARS`) bounds the work and memory of each record. Rows are checked as
    they are read, and past `contract.MAX_PROBLEMS_PER_FILE` problems the rest are counted.
    """
    shown = config.display_path(path)
    problems: list[Problem] = []
    uncounted = 0

    def report(line: int, column: str | None, message: str) -> None:
        nonlocal uncounted
        if len(problems) < contract.MAX_PROBLEMS_PER_FILE:
            problems.append(Problem(shown, line, column, message))
        else:
            uncounted += 1

    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    most_rows = contract.MAX_ROWS.get(path.name, len(lines))
    header: list[str] | None = None
    header_line = 0
    may_end_early: list[bool] = []  # by column: a line may leave it off its end
    index: list[int] = []
    rows: list[list[str]] = []
    for number, raw_line in enumerate(lines, start=1):
        line = raw_line.removesuffix("\r")
        if len(line) > contract.MAX_LINE_CHARS:
            report(
                number,
                None,
                f"the line is {len(line):,} characters long; at most {contract.MAX_LINE_CHARS:,}: is a line break missing?",
            )
            if header is None:
                return None, problems
            continue
        try:
            # Without a quote, a line splits at its commas exactly as the csv module splits it.
            record = next(csv.reader([line], strict=True), []) if '"' in line else line.split(",")
        except csv.Error as error:
            report(
                number, None, CSV_ERRORS.get(str(error), f"is not valid CSV: {shown_text(str(error), quoted=False)}")
            )
            if header is None:
                return None, problems
            continue
        record = [cell.strip() for cell in record]
        if not any(record):
            continue
        if header is None:
            header, header_line = record, number
            refused = _header_problems(header, header_line, shown)
            if refused:
                return None, [*problems, *refused]
            optional = optional_columns(path.name)
            may_end_early = [c in optional or _translation(path.name, c) for c in header]
            continue
        if len(record) < len(header) and all(may_end_early[len(record) :]):
            record = record + [""] * (len(header) - len(record))  # optional columns left off the end
        if len(record) == len(header):
            if len(rows) == most_rows:
                left = sum(1 for rest in lines[number - 1 :] if rest.strip(", \r"))
                report(
                    number,
                    None,
                    f"is row {most_rows + 1:,} of {most_rows + left:,}: {path.name} holds at most {most_rows:,} rows"
                    " (what a build lays out grows with them): keep the rows the reports need, or split the data"
                    " into folders of their own",
                )
                break
            index.append(number)
            rows.append(record)
            if sum(map(len, record)) > contract.MAX_WORD_CHARS:
                for column, cell in zip(header, record, strict=True):
                    for problem in _length_problems(column, cell):
                        report(number, column, problem)
            continue
        if len(problems) < contract.MAX_PROBLEMS_PER_FILE:
            report(number, *_field_count_problem(record, header))
        else:
            uncounted += 1
    if header is None:
        if problems:
            return None, problems
        return None, [Problem(shown, 1, None, f"the file is empty: expected the header {_expected_header(path.name)}")]
    if uncounted:
        problems.append(Omitted(shown, None, None, f"{uncounted:,} more problems not listed", uncounted))

    lines_index = pd.Index(index, dtype="int64", name="line")
    values = list(zip(*rows, strict=True)) if rows else [() for _ in header]
    frame = pd.DataFrame(
        {column: pd.array(list(cells), dtype="str") for column, cells in zip(header, values, strict=True)},
        index=lines_index,
    )
    frame.attrs["header_line"] = header_line
    for column in contract.OPTIONAL_COLUMNS.get(path.name, frozenset()) - set(header):
        frame[column] = ""
    return frame, problems


def _length_problems(column: str, cell: str) -> list[str]:
    """Say what makes a value too long to lay out: its length, or a word of it (a column laid out as text)."""
    if len(cell) > contract.MAX_TEXT_CHARS:
        return [
            f"is {len(cell):,} characters long; at most {contract.MAX_TEXT_CHARS}: shorten it (a longer value makes"
            " the PDF slow to lay out)"
        ]
    if column in contract.FORMATTED_COLUMNS or len(cell) <= contract.MAX_WORD_CHARS:
        return []
    longest = max(cell.split(), key=len, default="")
    if len(longest) <= contract.MAX_WORD_CHARS:
        return []
    return [
        f"holds a word of {len(longest):,} characters ({shown_text(longest, 30)}); at most"
        f" {contract.MAX_WORD_CHARS} between spaces: put spaces in it, or shorten it (a longer word makes the PDF"
        " slow to lay out)"
    ]


def _header_problems(header: list[str], line: int, shown: str) -> list[Problem]:
    """Refuse a header that makes the file unreadable: too wide, another delimiter, a column twice."""
    if len(header) > contract.MAX_COLUMNS:
        message = f"the header has {len(header):,} columns; a file of the contract has at most {contract.MAX_COLUMNS}"
        return [Problem(shown, line, None, message)]
    if len(header) == 1:
        for delimiter, name in OTHER_DELIMITERS.items():
            if delimiter in header[0]:
                return [Problem(shown, line, None, f"fields are separated by {name}: separate them with commas")]
    seen: set[str] = set()
    repeated = []
    for column in header:
        if column in seen:
            repeated.append(Problem(shown, line, column, "appears twice in the header"))
        seen.add(column)
    return repeated


NUMBER_COLUMNS = ("usd_millions", "base", "target", "multiple")  # a thousands separator splits them


def _field_count_problem(record: list[str], header: list[str]) -> tuple[str | None, str]:
    """Say why a row has more or fewer fields than the header: a thousands separator, or a comma."""
    for column in NUMBER_COLUMNS if len(record) == len(header) + 1 else ():
        if column not in header:
            continue
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


def optional_columns(file_name: str) -> frozenset[str]:
    """Return the columns a file may leave out, or leave empty at the end of a line."""
    return contract.OPTIONAL_COLUMNS.get(file_name, frozenset())


def _translation(file_name: str, column: str) -> bool:
    pattern = contract.translation_pattern(file_name)
    return bool(pattern and re.fullmatch(pattern, column))


# Validation --------------------------------------------------------------------------------


def _validate(
    frame: pd.DataFrame,
    validator,
    path: Path,
    already: list[Problem],
    marked: set[int],
    keys: list[tuple[str, ...]],
) -> tuple[list[Problem], set[int]]:
    """Run a pandera schema lazily, check uniqueness, and turn the failures into located problems.

    One problem per cell: the first failing check in the order the model lists them. A cell
    already reported (by `_parse_csv`), and a row with unwanted characters, are not reported
    again; a row repeating another on a several-column key (``keys``) is reported once, at the
    repeat, naming the first; a value of a one-column key, at each repeat. The work is
    vectorised, and messages are written for the first `contract.MAX_PROBLEMS_PER_FILE` only:
    the rest are counted (`Omitted`), so a file of a million bad rows costs little more than
    reading it.

    Returns the problems, and every line found failing, listed or not.
    """
    import pandera.errors

    shown = config.display_path(path)
    skip_lines = marked | {p.line for p in already if p.column is None}
    try:
        validator.validate(frame, lazy=True)
        cases = pd.DataFrame(columns=["check", "column", "failure_case", "index"])
    except pandera.errors.SchemaErrors as errors:
        _check_could_not_run(errors.schema_errors, shown)
        cases = errors.failure_cases

    problems: list[Problem] = []
    header_line = frame.attrs.get("header_line", 1)
    checks = cases["check"].astype(str)
    whole = checks.isin(["column_in_schema", "column_in_dataframe"])
    for case in cases[whole].itertuples(index=False):
        message = "is not a column of this file" if case.check == "column_in_schema" else "is missing from the header"
        problems.append(Problem(shown, header_line, str(case.failure_case), message))

    cells = cases[cases["index"].notna() & ~whole]
    cells = pd.DataFrame(
        {
            "line": cells["index"].astype("int64").to_numpy(),
            "column": cells["column"].astype(object).where(cells["column"].notna(), None).to_numpy(),
            "message": "",  # written below, for the problems listed only
            "value": cells["failure_case"].to_numpy(),
            "check": cells["check"].astype(str).to_numpy(),
        }
    )
    repeats = _repeats(frame, keys, skip_lines)
    keep = ~cells["line"].isin(list(skip_lines | set(repeats.loc[repeats["column"].isna(), "line"])))
    skip_cells = [(p.line, p.column) for p in already if p.column is not None]
    if skip_cells:
        keep &= ~pd.MultiIndex.from_arrays([cells["line"], cells["column"].fillna("")]).isin(skip_cells)
    cells = pd.concat([cells[keep.to_numpy()], repeats], ignore_index=True)
    cells = cells.drop_duplicates(["line", "column"], keep="first")

    most = contract.MAX_PROBLEMS_PER_FILE
    cells = cells.assign(order=cells["column"].fillna("")).sort_values(["line", "order"], kind="stable")
    for line, column, check, value, message in (
        cells[["line", "column", "check", "value", "message"]].head(most).to_numpy()
    ):
        if check not in ("repeated_row", "repeated_value"):
            message = f"{_shown_value(value)} {check}"
        problems.append(Problem(shown, int(line), column, message))
    if len(cells) > most:
        rest = len(cells) - most
        problems.append(Omitted(shown, None, None, f"{rest:,} more problems not listed", rest))
    return problems, set(cells["line"].tolist())


def _check_could_not_run(errors: list, shown: str) -> None:
    """Raise `CheckError` for the first check that raised, naming the file, column and check."""
    from pandera.errors import SchemaErrorReason

    for error in errors:
        if error.reason_code == SchemaErrorReason.CHECK_ERROR:
            check = error.check.error or error.check.name
            raise CheckError(
                f"{shown}: column {error.schema.name}: the check '{check}' could not run ({error.failure_cases}):"
                " a fault of the analysis package, not of the file, which is not passed as valid"
            )


def _repeats(frame: pd.DataFrame, keys: list[tuple[str, ...]], skip_lines: set[int]) -> pd.DataFrame:
    """Find rows that repeat a key of the file, at the repeat, naming the first (linear time)."""
    found = []
    rows = frame[~frame.index.isin(list(skip_lines))]
    for key in keys:
        if not set(key) <= set(rows.columns) or rows.empty:
            continue  # a key column is missing: reported as such
        columns = list(key)
        repeated = rows.duplicated(columns, keep="first").to_numpy()
        if not repeated.any():
            continue
        first = rows.reset_index().groupby(columns, sort=False)["line"].transform("min").to_numpy()
        lines, firsts = rows.index.to_numpy()[repeated], first[repeated]
        head = min(len(lines), contract.MAX_PROBLEMS_PER_FILE)  # messages for the first few only
        if len(key) == 1:
            values = rows[columns[0]].to_numpy()[repeated]
            messages = [
                f"{_shown_value(v)} is also on line {f}: each must be unique"
                for v, f in zip(values[:head], firsts[:head], strict=True)
            ]
            column = columns[0]
        else:
            described = [
                ", ".join(f"{k} {shown_text(str(v), quoted=False)}" for k, v in zip(columns, row, strict=True))
                for row in rows[columns].to_numpy()[repeated][:head]
            ]
            messages = [
                f"repeats line {f} ({d}): one source reports a period once"
                for d, f in zip(described, firsts[:head], strict=True)
            ]
            column = None
        messages += [""] * (len(lines) - head)
        found.append(
            pd.DataFrame(
                {
                    "line": lines.astype("int64"),
                    "column": [column] * len(lines),
                    "message": messages,
                    "value": None,
                    "check": "repeated_value" if len(key) == 1 else "repeated_row",
                }
            )
        )
    if not found:
        return pd.DataFrame({"line": pd.Series(dtype="int64"), "column": [], "message": [], "value": [], "check": []})
    return pd.concat(found, ignore_index=True)


def citation_problems(sources: pd.DataFrame, shown: str) -> list[Problem]:
    """Check sources.csv's ``cites`` column: a known source_id, not the row's own, no cycle.

    Parameters
    ----------
    sources : pandas.DataFrame
        sources.csv as text, indexed by line (as `_parse_csv` reads it).
    shown : str
        The file's name in messages.

    Returns
    -------
    list of Problem
        One per row that cites wrongly; a cycle is reported at each of its rows, naming it whole.
    """
    if "source_id" not in sources.columns:  # reported as a missing column
        return []
    cites = dict(zip(sources["source_id"], sources["cites"].fillna(""), strict=True))
    line_of = {source: int(line) for line, source in zip(sources.index, sources["source_id"], strict=True)}
    cycle_of = _citation_cycles(cites)
    problems = []
    for line, source, cited in zip(sources.index, sources["source_id"], sources["cites"].fillna(""), strict=True):
        if not cited or not contract.is_source_id(cited):
            continue  # empty, or malformed (reported by the model)
        if cited == source:
            message = f"{shown_text(cited)} is the row's own source_id: a source cannot repeat itself"
            problems.append(Problem(shown, int(line), "cites", message))
        elif cited not in cites:
            problems.append(
                Problem(shown, int(line), "cites", f"{shown_text(cited)} is not a source_id listed in sources.csv")
            )
        elif source in cycle_of:
            cycle, at = cycle_of[source]
            ids = [cycle[(at + k) % len(cycle)] for k in range(min(len(cycle), 7))]  # from this row on
            loop = " → ".join([*_few(ids, len(cycle)), shown_text(source, quoted=False)])
            where = ", ".join(_few([f"line {line_of[s]}" for s in ids[1:]], len(cycle) - 1))
            message = (
                f"{shown_text(cited)} makes a cycle of citations ({loop}; {where}): an echo must end at a source"
                " that reports on its own"
            )
            problems.append(Problem(shown, int(line), "cites", message))
    return problems


def _citation_cycles(cites: dict[str, str]) -> dict[str, tuple[list[str], int]]:
    """Map each source on a cycle of citations to its cycle (in citing order) and its place in it.

    Linear time: each source is walked once.
    """
    cycle_of: dict[str, tuple[list[str], int]] = {}
    done: set[str] = set()
    for start in cites:
        path: list[str] = []
        on_path: dict[str, int] = {}
        current = start
        while current in cites and current not in done and current not in on_path:
            on_path[current] = len(path)
            path.append(current)
            cited = cites[current]
            if not cited or cited == current or not contract.is_source_id(cited):
                break
            current = cited
        else:
            if current in on_path:
                cycle = path[on_path[current] :]
                cycle_of.update({source: (cycle, place) for place, source in enumerate(cycle)})
        done.update(path)
    return cycle_of


def _few(items: list[str], total: int, most: int = 6) -> list[str]:
    """Keep a list of ``total`` items short for a message: its first items (quoted as text), and a count of the rest.

    ``items`` holds at least the first ``most`` of them.
    """
    shown = [shown_text(item, quoted=False) for item in items[:most]]
    if total <= most:
        return shown
    return [*shown[: most - 1], f"… {total - most + 1:,} more"]


def consistency_problems(file_name: str, raw: pd.DataFrame, shown: str, reported: set) -> list[Problem]:
    """Check what each column's checks cannot see alone: values that contradict one another.

    In fdi.csv, a period not over by the day of the build (a full year 2026 reported in November
    2026), and a country investing in itself; in sources.csv, a source checked before it was
    published; in claims.csv, the same two as in fdi.csv (of the target period), a base year not
    before the target year, and a claim stating no multiple from a base of zero or below (where
    target ÷ base is none).

    Parameters
    ----------
    file_name : str
        ``fdi.csv``, ``sources.csv``, ``timeline.csv`` or ``claims.csv``.
    raw : pandas.DataFrame
        The file as text, indexed by line (as `_parse_csv` reads it).
    shown : str
        The file's name in messages.
    reported : set of int
        Lines with a problem already found: they are not checked again.

    Returns
    -------
    list of Problem
    """
    day = contract.today()
    problems: list[Problem] = []
    columns = {
        config.FDI_FILE: ("origin", "destination", "year", "months"),
        config.SOURCES_FILE: ("published", "accessed"),
        config.CLAIMS_FILE: ("origin", "destination", "base_year", "target_year", "months", "base", "multiple"),
    }.get(file_name)
    if columns is None or not set(columns) <= set(raw.columns) or raw.empty:
        return []
    rows = raw.loc[~raw.index.isin(list(reported)), list(columns)]
    if file_name in (config.FDI_FILE, config.CLAIMS_FILE):
        year_column = "year" if file_name == config.FDI_FILE else "target_year"
        # Only a period of this year or later can end after today: few rows, checked one by one.
        late = rows[rows[year_column] >= f"{day.year:04d}"]
        for line, year, months in zip(late.index, late[year_column], late["months"], strict=True):
            end = contract.period_end(int(year), int(months))
            if end > day:
                message = (
                    f"'{year}' with months {months} is a period that ends on {end.isoformat()},"
                    f" after today ({day.isoformat()}): a figure is reported once its period is over"
                )
                problems.append(Problem(shown, int(line), year_column, message))
        itself = rows[rows["origin"] == rows["destination"]]
        for line, destination in zip(itself.index, itself["destination"], strict=True):
            message = f"'{destination}' is also the origin: a country does not invest in itself"
            problems.append(Problem(shown, int(line), "destination", message))
        if file_name == config.CLAIMS_FILE:
            problems += _claim_problems(rows, shown)
        return sorted(problems)
    for line, published, accessed in zip(rows.index, rows["published"], rows["accessed"], strict=True):
        if contract.first_day(accessed) < contract.first_day(published):
            message = (
                f"'{accessed}' is before the source was published ({published}):"
                " a source is checked after it is published"
            )
            problems.append(Problem(shown, int(line), "accessed", message))
    return problems


def _claim_problems(rows: pd.DataFrame, shown: str) -> list[Problem]:
    """Find claims comparing a period with one not after it, or stating no multiple of a base that has none."""
    problems = []
    backwards = rows[rows["base_year"] >= rows["target_year"]]  # four digits each: text compares as numbers
    for line, base_year, target_year in zip(
        backwards.index, backwards["base_year"], backwards["target_year"], strict=True
    ):
        message = (
            f"'{base_year}' is not before target_year ({target_year}): a claim of growth compares a period"
            " with a later one"
        )
        problems.append(Problem(shown, int(line), "base_year", message))
    unstated = rows[(rows["multiple"] == "") & (rows["base"].astype("float64") <= 0)]
    for line, base in zip(unstated.index, unstated["base"], strict=True):
        message = (
            f"(empty) with a base of {base}: target ÷ base is no multiple where the base is zero or below;"
            " write the multiple the claim states"
        )
        problems.append(Problem(shown, int(line), "multiple", message))
    return problems


def _shown_value(value: object) -> str:
    text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
    return shown_text(text) if text else "(empty)"


# Typing ------------------------------------------------------------------------------------


def _type_fdi(raw: pd.DataFrame) -> pd.DataFrame:
    decimals = raw["usd_millions"].str.extract(r"\.([0-9]+)$", expand=False).str.len()
    return pd.DataFrame(
        {
            "origin": raw["origin"],
            "destination": raw["destination"],
            "year": raw["year"].astype("int64"),
            "months": raw["months"].astype("int64"),
            "usd_millions": raw["usd_millions"].astype("float64"),
            "decimals": decimals.fillna(0).astype("int64"),
            "source_id": raw["source_id"],
            "note": raw["note"],
            "line": raw.index.astype("int64"),
            # the note's translations (note_es, ...), kept for the editions
            **{column: raw[column] for column in raw.columns if column.startswith("note_")},
        }
    ).reset_index(drop=True)


def _decimals(text: pd.Series) -> pd.Series:
    """Count the digits after the point of numbers as written (none for an integer or an empty value)."""
    return text.str.extract(r"\.([0-9]+)$", expand=False).str.len().fillna(0).astype("int64")


def _type_claims(raw: pd.DataFrame) -> pd.DataFrame:
    multiple = raw["multiple"]
    return pd.DataFrame(
        {
            "claim_id": raw["claim_id"],
            "origin": raw["origin"],
            "destination": raw["destination"],
            "base_year": raw["base_year"].astype("int64"),
            "target_year": raw["target_year"].astype("int64"),
            "months": raw["months"].astype("int64"),
            "base": raw["base"].astype("float64"),
            "base_decimals": _decimals(raw["base"]),
            "target": raw["target"].astype("float64"),
            "target_decimals": _decimals(raw["target"]),
            "multiple": pd.to_numeric(multiple.where(multiple != ""), errors="raise").astype("float64"),
            "multiple_decimals": _decimals(multiple),
            "quote": raw["quote"],
            "source_id": raw["source_id"],
            "line": raw.index.astype("int64"),
            # the quote's translations (quote_es, ...), kept for the editions
            **{column: raw[column] for column in raw.columns if column.startswith("quote_")},
        }
    ).reset_index(drop=True)


def _type_sources(raw: pd.DataFrame) -> pd.DataFrame:
    typed = raw.reset_index()
    typed["published_on"] = pd.to_datetime(typed["published"].map(contract.first_day))
    return typed


def _type_timeline(raw: pd.DataFrame) -> pd.DataFrame:
    typed = raw.reset_index()
    typed["precision"] = typed["date"].map(contract.date_precision)
    typed["when"] = pd.to_datetime(typed["date"].map(contract.first_day))
    typed["year"] = typed["when"].dt.year.astype("int64")
    return typed.sort_values(["when", "line"]).reset_index(drop=True)  # lines are unique: no ties
