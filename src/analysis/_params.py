"""The report's parameters: declared by the notebook's parameters cell, given in params files and with ``-p``.

Every value is checked before any kernel starts: its name and type against the parameters cell,
its value against the data (`check_against_data`). A params file is read by PyYAML's BaseLoader,
which keeps every scalar as the text written (no YAML 1.1 octal, base 60, or ``no`` for false);
a whole number is then read as YAML 1.2 reads one, in decimal digits.
"""

from __future__ import annotations

import ast
import io
import json
import re
import tokenize
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from analysis import _config as config
from analysis import _inputs as inputs
from analysis.contract import BIDI_CONTROLS, MAX_TEXT_CHARS, bidi_message
from analysis.errors import InputFileError, ParameterError, Problem, listed, shown_text, shown_value

MAX_YAML_DEPTH = 8  # the composer recurses: deeper nesting than a params file needs is refused first
MAX_LISTED = 10  # anchors, aliases, unknown sources or claims listed in one message; the rest are counted
MAX_PATH_CHARS = 4096  # the longest path Linux takes
PATH_PARAMETERS = frozenset({"data_dir", "compare_with"})
DECIMAL = re.compile(r"[-+]?[0-9]{1,30}")  # a whole number: no octal, hex, 1_2 or 1:00; no parameter needs 31 digits
SURROGATE = re.compile("[\ud800-\udfff]")
ADVICE = {"int": ": write a whole number in decimal digits 0-9, at most 30 of them", "bool": ": write true or false"}


@dataclass(frozen=True)
class Spec:
    """One parameter as the notebook declares it."""

    name: str
    type_name: str
    default: Any
    help: str


def _located(shown: str, line: int | None, message: str) -> str:
    """Say a problem at a line of a params file (or of ``-p``) as every input problem is said: ``FILE:LINE: message``."""
    return str(Problem(shown, line, None, message))


def _typed(spec: Spec, value: Any) -> tuple[Any, str | None]:
    """Return a value as its parameter's type (a text read as a decimal number or true/false), or say what is wrong."""
    if spec.type_name == "int" and isinstance(value, str) and DECIMAL.fullmatch(value):
        return int(value), None
    if spec.type_name == "bool" and value in ("true", "false"):
        return value == "true", None
    texts = [value] if spec.type_name == "str" else value if spec.type_name == "list[str]" else None
    if not isinstance(texts, list) or not all(isinstance(text, str) for text in texts):
        advice = ADVICE.get(spec.type_name, "") if isinstance(value, str) else ""
        return None, f"expected {spec.type_name}, got {shown_value(value)} ({type(value).__name__}){advice}"
    longest = MAX_PATH_CHARS if spec.name in PATH_PARAMETERS else MAX_TEXT_CHARS
    for text in texts:
        if len(text) > longest:
            return None, f"{shown_text(text)} is {len(text):,} characters long; at most {longest:,}"
        if half := SURROGATE.search(text):  # what os.fsdecode makes of bytes that are not UTF-8
            return None, (
                f"{shown_text(text)} cannot be written as UTF-8: U+{ord(half[0]):04X} is no character"
                " (bytes that are not UTF-8, read from the command line, or a \\u escape of half a pair): give the text as UTF-8"
            )
        if bidi := next((char for char in text if char in BIDI_CONTROLS), None):  # it reorders the text around it
            return None, f"{shown_text(text)} holds {bidi_message(bidi)}"
    return value, None


def notebook_parameters(notebook: Path) -> dict[str, Spec]:
    """Read the notebook's cell tagged ``parameters``: ``name: type = literal  # help`` a line, in order.

    The same as ``papermill.inspect_notebook`` (a test compares them), without importing papermill,
    which would make ``--help`` and an unchanged rebuild wait for it.
    """
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    tagged = [c for c in cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(tagged) != 1:
        raise ParameterError([f"{notebook.name}: expected one cell tagged 'parameters', found {len(tagged)}"])
    source = "".join(tagged[0]["source"])
    comments = {
        token.start[0]: token.string.lstrip("#").strip()
        for token in tokenize.generate_tokens(io.StringIO(source).readline)
        if token.type == tokenize.COMMENT
    }
    specs: dict[str, Spec] = {}
    for node in ast.parse(source).body:
        if not (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value):
            raise ParameterError(
                [f"{notebook.name}: parameters cell line {node.lineno}: write 'name: type = literal  # help'"]
            )
        name, type_name = node.target.id, ast.unparse(node.annotation)
        if type_name not in ("str", "int", "bool", "list[str]"):
            raise ParameterError(
                [f"{notebook.name}: parameter {name}: type {type_name} is not str, int, bool or list[str]"]
            )
        specs[name] = Spec(name, type_name, ast.literal_eval(node.value), comments.get(node.lineno, ""))
    return specs


def describe(specs: dict[str, Spec]) -> str:
    """List the valid parameters, one a line, as error messages and ``--help`` show them."""
    width = max(len(f"{s.name} ({s.type_name})") for s in specs.values())
    return "\n".join(f"  {f'{s.name} ({s.type_name})':<{width}}  {s.help}" for s in specs.values())


def read_yaml(path: Path) -> tuple[dict[str, Any], dict[str, int]]:
    """Read a params file: its mapping of names to values as written, and the line of each name."""
    shown = str(path)
    try:
        data = inputs.read_bytes(path, inputs.MAX_PARAMS_BYTES, shown, what="params file")
        text = inputs.decode(data, shown, save_as="save the file as UTF-8")
    except InputFileError as error:
        raise ParameterError([str(error)]) from None
    values, root = _load(text, shown)
    if root is None:
        return {}, {}
    if not isinstance(root, yaml.MappingNode):
        raise ParameterError(
            [
                _located(
                    shown,
                    root.start_mark.line + 1,
                    f"expected a mapping of parameter names to values (such as 'origin: RUS'), found {shown_value(values)}",
                )
            ]
        )
    lines: dict[str, int] = {}
    problems = []
    for key, _ in root.value:
        line = key.start_mark.line + 1
        if key.value in lines:
            problems.append(
                _located(
                    shown,
                    line,
                    f"parameter {shown_text(key.value, quoted=False)}: also given on line {lines[key.value]}:"
                    " give each parameter once",
                )
            )
        lines.setdefault(key.value, line)
    if problems:
        raise ParameterError(problems)
    return values, lines


def _load(text: str, shown: str) -> tuple[Any, yaml.Node | None]:
    """Read one YAML document, every scalar as its text; anchors, aliases and deep nesting refused unread."""
    problems = _event_problems(text, shown)
    if problems:
        raise ParameterError(problems)
    loader = yaml.BaseLoader(text)
    try:
        root = loader.get_single_node()
        return (None if root is None else loader.construct_document(root)), root
    except yaml.YAMLError as error:
        raise ParameterError([_yaml_error(error, shown, text)]) from None
    finally:
        loader.dispose()


def _event_problems(text: str, shown: str) -> list[str]:
    """Scan a YAML text's events, never building a value: its anchors, aliases and nesting deeper than allowed."""
    anchors: list[str] = []
    problems: list[str] = []
    depth = 0
    try:
        for event in yaml.parse(text, Loader=yaml.BaseLoader):
            depth += isinstance(event, yaml.CollectionStartEvent) - isinstance(event, yaml.CollectionEndEvent)
            if depth > MAX_YAML_DEPTH:
                problems.append(
                    _located(
                        shown,
                        event.start_mark.line + 1,
                        f"values are nested more than {MAX_YAML_DEPTH} levels deep: a parameter's value is a text,"
                        " a number or a list of texts",
                    )
                )
                break
            if getattr(event, "anchor", None):  # an alias's anchor is the one it repeats
                found = (
                    f"*{event.anchor} is a YAML alias"
                    if isinstance(event, yaml.AliasEvent)
                    else f"&{event.anchor} is a YAML anchor"
                )
                anchors.append(
                    _located(
                        shown,
                        event.start_mark.line + 1,
                        f"{shown_text(found, quoted=False)}: a params file may not use anchors or aliases (&name, *name);"
                        " write each value out",
                    )
                )
    except yaml.YAMLError as error:
        problems.append(_yaml_error(error, shown, text))
    return [*listed(anchors, MAX_LISTED, f"{shown}: {{:,}} more anchors and aliases not listed"), *problems]


def _yaml_error(error: yaml.YAMLError, shown: str, text: str) -> str:
    """Locate a YAML error by line and say it in a bounded sentence."""
    if isinstance(error, yaml.reader.ReaderError):  # a character YAML does not allow: a position, no mark
        line = text.count("\n", 0, error.position) + 1
        return _located(
            shown,
            line,
            f"not valid YAML: holds the character U+{error.character:04X}, which YAML does not allow: remove it",
        )
    mark = getattr(error, "problem_mark", None)
    problem = ", ".join(filter(None, [getattr(error, "context", None), getattr(error, "problem", None)]))
    line = mark.line + 1 if mark else None
    return _located(shown, line, f"not valid YAML: {shown_text(problem or str(error), 200, quoted=False)}")


def parse_override(spec: Spec | None, text: str) -> Any:
    """Read a ``-p NAME VALUE`` text: a text parameter takes it as it is, others as a params file's value."""
    if spec is None or spec.type_name == "str":
        return text
    try:
        value, _ = _load(text, "-p")
    except ParameterError:
        return text  # the type check then says what is wrong with it
    return text if value is None else value


def resolve(
    specs: dict[str, Spec],
    files: list[tuple[Path, dict[str, Any], dict[str, int]]],
    overrides: list[tuple[str, str]],
) -> dict[str, Any]:
    """Merge the defaults, params files ``(path, values, lines)`` and ``-p`` pairs, checking every name and type.

    Raises `ParameterError` listing every unknown name and wrong value, each located, then the
    valid parameters.
    """
    values = {name: spec.default for name, spec in specs.items()}
    given = [
        (str(path), lines.get(name), name, value) for path, mapping, lines in files for name, value in mapping.items()
    ]
    given += [("-p", None, name, parse_override(specs.get(name), text)) for name, text in overrides]
    problems = []
    for shown, line, name, value in given:
        spec = specs.get(name)
        value, problem = _typed(spec, value) if spec else (None, "unknown name")
        if problem:
            problems.append(_located(shown, line, f"parameter {shown_text(name, quoted=False)}: {problem}"))
        else:
            values[name] = value
    if problems:
        raise ParameterError([*problems, "Valid parameters:", describe(specs)])
    return values


def check_against_data(values: dict[str, Any], data: Any) -> list[str]:
    """Check parameters against the data (`analysis._load.Dataset`) they will read, one sentence per problem."""
    problems = []
    if "lang" in values and values["lang"] not in config.LANGUAGES:
        problems.append(f"parameter lang {values['lang']!r}: the editions are {', '.join(config.LANGUAGES)}")
    fdi = data.fdi
    shown = config.display_path(data.data_dir / config.FDI_FILE)
    origin, destination = values["origin"], values["destination"]
    base, target, months = values["base_year"], values["target_year"], values["months"]
    if base >= target:
        problems.append(f"parameter base_year ({base}) must come before target_year ({target})")
    if not 1 <= months <= 12:
        problems.append(f"parameter months ({months}) must be from 1 to 12")
    origins = sorted(set(fdi["origin"]))
    rows = fdi[(fdi["origin"] == origin) & (fdi["destination"] == destination)]
    if origin not in origins:
        problems.append(
            f"parameter origin {shown_text(origin)}: {shown} has no figures from it; origins with figures: {', '.join(origins)}"
        )
    elif rows.empty:
        destinations = sorted(set(fdi.loc[fdi["origin"] == origin, "destination"]))
        problems.append(
            f"parameter destination {shown_text(destination)}: {shown} has no figures from {origin} into it; destinations: {', '.join(destinations)}"
        )
    elif 1 <= months <= 12:
        period = rows[rows["months"] == months]
        if period.empty:
            lengths = ", ".join(str(m) for m in sorted(set(rows["months"])))
            problems.append(
                f"parameter months {months}: {shown} has no figures from {origin} into {destination} covering {months} months; months with figures: {lengths}"
            )
        else:
            years = sorted(set(period["year"]))
            for name, year in (("base_year", base), ("target_year", target)):
                if year not in years:
                    problems.append(
                        f"parameter {name} {year}: {shown} has no figure from {origin} into {destination} for "
                        f"{months} months of {year}; years with figures: {', '.join(map(str, years))}"
                    )
    preferred, known = values.get("prefer_sources", []), set(data.sources["source_id"])
    sources_file = config.display_path(data.data_dir / config.SOURCES_FILE)
    problems += listed(
        [
            f"parameter prefer_sources: {shown_text(source)} is not a source_id in {sources_file}"
            for source in preferred
            if source not in known
        ],
        MAX_LISTED,
        f"parameter prefer_sources: {{:,}} more source_ids not in {sources_file}",
    )
    cites = dict(zip(data.sources["source_id"], data.sources["cites"], strict=True))
    problems += [
        f"parameter prefer_sources: {source!r} repeats {cites[source]!r} (column cites of {sources_file}):"
        f" a source that repeats another never decides a figure; prefer {cites[source]!r}"
        for source in preferred
        if cites.get(source)
    ]
    return problems + claim_problems(values, data)


def claim_problems(values: dict[str, Any], data: Any) -> list[str]:
    """Check the ``claim`` parameter: empty, or a claim_id of claims.csv that makes the report's comparison."""
    from analysis import _verdict as verdict

    named = values.get("claim", "")
    if not named:
        return []
    shown = config.display_path(data.data_dir / config.CLAIMS_FILE)
    claims = verdict.claims_from(data.claims)
    if not claims:
        held = "has no claims" if shown in data.checksums else "is not there"
        return [f"parameter claim {shown_text(named)}: {shown} {held}: leave claim empty, or add the claim to it"]
    key = (values["origin"], values["destination"], values["base_year"], values["target_year"], values["months"])
    valid = [c.claim_id for c in verdict.matching(claims, *key)]
    if named in valid:
        return []
    if valid:
        listed = ", ".join(shown_text(c, quoted=False) for c in valid[:MAX_LISTED])
        more = f" and {len(valid) - MAX_LISTED:,} more" if len(valid) > MAX_LISTED else ""
        hint = f"claims that make the report's comparison ({_comparison(*key)}): {listed}{more}"
    else:
        hint = f"no claim in it makes the report's comparison ({_comparison(*key)}): leave claim empty"
    claim = next((c for c in claims if c.claim_id == named), None)
    if claim is None:
        return [f"parameter claim {shown_text(named)}: {shown} has no such claim_id; {hint}"]
    other = _comparison(claim.origin, claim.destination, claim.base_year, claim.target_year, claim.months)
    return [f"parameter claim {shown_text(named)}: {shown}:{claim.line} compares {other}, not the report's; {hint}"]


def _comparison(origin: str, destination: str, base: int, target: int, months: int) -> str:
    return f"{origin} into {destination}, {months} months of {base} against {target}"
