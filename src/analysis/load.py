"""Read the data files, check them against the contract in `analysis.schema`, and type them.

Every problem in every file is collected before anything is raised, and each is located as
``FILE:LINE: column COLUMN: what is wrong``, so an analyst fixes a file in one pass.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis import config, contract
from analysis.errors import DataValidationError, Problem

UTF8_BOM = b"\xef\xbb\xbf"
OTHER_DELIMITERS = {";": "semicolons", "\t": "tabs", "|": "vertical bars"}
MAX_ENCODING_PROBLEMS = 20  # per file: past that, the file is plainly in another encoding


@dataclass(frozen=True)
class Dataset:
    """The three data files, validated and typed.

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
    """

    fdi: pd.DataFrame
    sources: pd.DataFrame
    timeline: pd.DataFrame
    data_dir: Path
    checksums: dict[str, str] = field(default_factory=dict)


def load_dataset(data_dir: str | Path = config.DATA_DIR, *, trust: str | None = None) -> Dataset:
    """Read and validate fdi.csv, sources.csv and timeline.csv from one folder.

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
        Listing every problem in every file.
    """
    folder = config.resolve_project_path(data_dir)
    problems: list[Problem] = []
    checksums: dict[str, str] = {}
    texts: dict[str, str | None] = {}
    for name in (config.SOURCES_FILE, config.FDI_FILE, config.TIMELINE_FILE):
        path = folder / name
        texts[name], file_problems, digest = _read_text(path)
        problems += file_problems
        if digest:
            checksums[config.display_path(path)] = digest

    trust = os.environ.get(VALIDATED_ENV) if trust is None else trust
    trusted = not problems and trust == validation_token(checksums)
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

        model = schema.MODELS[name]
        raw, parse_problems = _parse_csv(text, path)
        problems += parse_problems
        frames[name] = raw
        if raw is None:
            continue
        validator = model.to_schema()
        sources = frames.get(config.SOURCES_FILE)
        if name != config.SOURCES_FILE and sources is not None:
            validator = schema.with_known_sources(model, set(sources["source_id"]))
        problems += _validate(raw, validator, path, already=parse_problems)
        if name == config.SOURCES_FILE:
            problems += citation_problems(raw, config.display_path(path))

    if problems:
        raise DataValidationError(problems)
    return Dataset(
        fdi=_type_fdi(frames[config.FDI_FILE]),
        sources=_type_sources(frames[config.SOURCES_FILE]),
        timeline=_type_timeline(frames[config.TIMELINE_FILE]),
        data_dir=folder,
        checksums=checksums,
    )


VALIDATED_ENV = "ANALYSIS_VALIDATED"


@functools.cache
def _contract_digest() -> bytes:
    """Hash the code that decides validity: a change to it invalidates every token."""
    digest = hashlib.sha256()
    for module in ("contract.py", "schema.py", "load.py"):
        digest.update((config.PACKAGE_DIR / module).read_bytes())
    return digest.digest()


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
    digest = hashlib.sha256(_contract_digest())
    for value in sorted(checksums.values()):
        digest.update(value.encode())
    return "sha256:" + digest.hexdigest()


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


def _read_text(path: Path) -> tuple[str | None, list[Problem], str | None]:
    """Return the file's text (None if unusable), its encoding problems and its sha256."""
    shown = config.display_path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None, [Problem(shown, None, None, "file not found")], None
    except OSError as error:
        return None, [Problem(shown, None, None, f"cannot be read: {error.strerror}")], None
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    body = data[len(UTF8_BOM) :] if data.startswith(UTF8_BOM) else data
    problems = _encoding_problems(body, shown)
    text = body.decode("utf-8", errors="replace")
    if not text.strip():
        header = _expected_header(path.name)
        return None, [Problem(shown, 1, None, f"the file is empty: expected the header {header}")], digest
    return text, problems, digest


def _encoding_problems(data: bytes, shown: str) -> list[Problem]:
    """Locate every byte sequence that is not UTF-8, by line and CSV column."""
    problems: list[Problem] = []
    offset = 0
    header = None
    while len(problems) < MAX_ENCODING_PROBLEMS:
        try:
            data[offset:].decode("utf-8")
            break
        except UnicodeDecodeError as error:
            start, end = offset + error.start, offset + error.end
        if header is None:
            first_line = data.split(b"\n", 1)[0].decode("utf-8", errors="replace")
            header = next(csv.reader([first_line]), [])
        line = data.count(b"\n", 0, start) + 1
        line_start = data.rfind(b"\n", 0, start) + 1
        before = data[line_start:start].decode("utf-8", errors="replace")
        index = len(next(csv.reader([before]), [""])) - 1 if before else 0
        column = header[index].strip() if 0 <= index < len(header) and line > 1 else None
        bad = data[start:end].hex(" ").upper()
        problems.append(
            Problem(
                shown,
                line,
                column,
                f"byte(s) {bad} are not UTF-8 (the file looks saved as Latin-1 or Windows-1252): save it as UTF-8",
            )
        )
        offset = end
    return problems


def _expected_header(file_name: str) -> str:
    from analysis import schema

    return ",".join(schema.columns(schema.MODELS[file_name]))


def _parse_csv(text: str, path: Path) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Split the text into a frame of stripped strings indexed by line number."""
    shown = config.display_path(path)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records: list[tuple[int, list[str]]] = []
    line = 1
    try:
        for record in reader:
            if any(cell.strip() for cell in record):
                records.append((line, [cell.strip() for cell in record]))
            line = reader.line_num + 1
    except csv.Error as error:
        return None, [Problem(shown, reader.line_num, None, f"is not valid CSV: {error}")]
    if not records:
        return None, [Problem(shown, 1, None, f"the file is empty: expected the header {_expected_header(path.name)}")]

    header_line, header = records[0]
    if len(header) == 1:
        for delimiter, name in OTHER_DELIMITERS.items():
            if delimiter in header[0]:
                message = f"fields are separated by {name}: separate them with commas"
                return None, [Problem(shown, header_line, None, message)]

    problems: list[Problem] = []
    seen: set[str] = set()
    for column in header:
        if column in seen:
            problems.append(Problem(shown, header_line, column, "appears twice in the header"))
        seen.add(column)
    if problems:
        return None, problems

    rows: dict[int, list[str]] = {}
    optional = optional_columns(path.name)
    for line_number, record in records[1:]:
        if len(record) == len(header):
            rows[line_number] = record
            continue
        if len(record) < len(header) and all(
            c in optional or _translation(path.name, c) for c in header[len(record) :]
        ):
            rows[line_number] = record + [""] * (len(header) - len(record))  # optional columns left off the end
            continue
        message = f"has {len(record)} fields where the header has {len(header)}"
        column = None
        if "usd_millions" in header and len(record) == len(header) + 1:
            position = header.index("usd_millions")
            joined = f"{record[position]},{record[position + 1]}"
            if pd.Series([joined]).str.fullmatch(contract.THOUSANDS).iloc[0]:
                column = "usd_millions"
                message = (
                    f"'{joined}' has a thousands separator (it splits the line into an extra"
                    " field): write the number without commas"
                )
        if column is None:
            message += ": a value holding a comma must be quoted"
        problems.append(Problem(shown, line_number, column, message))

    frame = pd.DataFrame.from_dict(rows, orient="index", columns=header, dtype="str")
    frame.index.name = "line"
    frame.attrs["header_line"] = header_line
    for column in contract.OPTIONAL_COLUMNS.get(path.name, frozenset()) - set(header):
        frame[column] = ""
    return frame, problems


def optional_columns(file_name: str) -> frozenset[str]:
    """Return the columns a file may leave out, or leave empty at the end of a line."""
    return contract.OPTIONAL_COLUMNS.get(file_name, frozenset())


def _translation(file_name: str, column: str) -> bool:
    import re

    pattern = contract.translation_pattern(file_name)
    return bool(pattern and re.fullmatch(pattern, column))


# Validation --------------------------------------------------------------------------------


def _validate(frame, validator, path: Path, already: list[Problem]) -> list[Problem]:
    """Run a pandera schema lazily and turn its failure cases into located problems."""
    import pandera.errors

    shown = config.display_path(path)
    try:
        validator.validate(frame, lazy=True)
    except pandera.errors.SchemaErrors as errors:
        cases = errors.failure_cases
    else:
        return []

    # One problem per cell: the first failing check in the order the model lists them; a cell
    # already reported (undecodable bytes) is not reported again.
    reported = {(p.line, p.column) for p in already}
    reported |= {(line, None) for line in frame.index[frame.apply(_has_replacement, axis=1)]}
    problems: list[Problem] = []
    header_line = frame.attrs.get("header_line", 1)
    for case in cases.itertuples(index=False):
        check = str(case.check)
        column = None if pd.isna(case.column) else str(case.column)
        if check == "column_in_schema":
            problems.append(Problem(shown, header_line, str(case.failure_case), "is not a column of this file"))
            continue
        if check == "column_in_dataframe":
            problems.append(Problem(shown, header_line, str(case.failure_case), "is missing from the header"))
            continue
        if pd.isna(case.index):
            continue
        line = int(case.index)
        if (line, column) in reported or (line, None) in reported:
            continue
        reported.add((line, column))
        if check == "multiple_fields_uniqueness":
            duplicate = _duplicate_row(frame, line, list(validator.unique), shown)
            problems += [duplicate] if duplicate else []
            reported |= {(line, c) for c in frame.columns}
        elif check == "field_uniqueness":
            first = int(frame.index[frame[column] == case.failure_case].min())
            if line != first:  # reported at each repeat, naming the first
                message = f"'{case.failure_case}' is also on line {first}: each must be unique"
                problems.append(Problem(shown, line, column, message))
        else:
            problems.append(Problem(shown, line, column, f"{_shown_value(case.failure_case)} {check}"))
    return problems


def _duplicate_row(frame: pd.DataFrame, line: int, key: list[str], shown: str) -> Problem | None:
    """Report a repeated row at the repeat, naming the line it repeats; None for the first."""
    if not set(key) <= set(frame.columns):
        return None  # a key column is missing: reported as such
    same = (frame[key] == frame.loc[line, key]).all(axis=1)
    first = int(frame.index[same].min())
    if first == line:
        return None
    described = ", ".join(f"{k} {frame.loc[line, k]}" for k in key)
    return Problem(shown, line, None, f"repeats line {first} ({described}): one source reports a period once")


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
    if "cites" not in sources.columns or "source_id" not in sources.columns:
        return []
    cites = dict(zip(sources["source_id"], sources["cites"].fillna(""), strict=True))
    line_of = {source: int(line) for line, source in zip(sources.index, sources["source_id"], strict=True)}
    problems = []
    for line, source, cited in zip(sources.index, sources["source_id"], sources["cites"].fillna(""), strict=True):
        if not cited or not contract.is_source_id(cited):
            continue  # empty, or malformed (reported by the model)
        if cited == source:
            problems.append(
                Problem(
                    shown, int(line), "cites", f"'{cited}' is the row's own source_id: a source cannot repeat itself"
                )
            )
        elif cited not in cites:
            problems.append(Problem(shown, int(line), "cites", f"'{cited}' is not a source_id listed in sources.csv"))
        else:
            chain, current = [source], cited
            while current in cites and current not in chain:
                chain.append(current)
                current = cites[current]
            if current == source:
                loop = " → ".join([*chain, source])
                where = ", ".join(f"line {line_of[s]}" for s in chain[1:])
                problems.append(
                    Problem(
                        shown,
                        int(line),
                        "cites",
                        f"'{cited}' makes a cycle of citations ({loop}; {where}): an echo must end at a source that reports on its own",
                    )
                )
    return problems


def _has_replacement(row: pd.Series) -> bool:
    return any("\ufffd" in str(value) for value in row)


def _shown_value(value: object) -> str:
    text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
    return f"'{text}'" if text else "(empty)"


# Typing ------------------------------------------------------------------------------------


def _type_fdi(raw: pd.DataFrame) -> pd.DataFrame:
    decimals = raw["usd_millions"].str.extract(r"\.(\d+)$", expand=False).str.len()
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


def _type_sources(raw: pd.DataFrame) -> pd.DataFrame:
    typed = raw.reset_index()
    typed["published_on"] = pd.to_datetime(typed["published"].map(_first_day))
    return typed


def _type_timeline(raw: pd.DataFrame) -> pd.DataFrame:
    typed = raw.reset_index()
    typed["precision"] = typed["date"].map(contract.date_precision)
    typed["when"] = pd.to_datetime(typed["date"].map(_first_day))
    typed["year"] = typed["when"].dt.year.astype("int64")
    return typed.sort_values(["when", "line"], kind="stable").reset_index(drop=True)


def _first_day(text: str) -> str:
    return {4: f"{text}-01-01", 7: f"{text}-01"}.get(len(text), text)
