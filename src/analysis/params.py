"""The report's parameters: read from the notebook, merged from YAML and ``-p``, checked.

The notebook's tagged ``parameters`` cell is the one definition of the parameters (names, types,
defaults, help), as papermill reads it. `notebook_parameters` parses that cell with `ast` (the
same result as ``papermill --help-notebook``, without importing papermill), and `resolve` checks
every value a user gives before any kernel starts.
"""

from __future__ import annotations

import ast
import io
import json
import tokenize
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analysis.errors import ParameterError

TYPES = ("str", "int", "float", "bool", "list[str]")


@dataclass(frozen=True)
class Spec:
    """One parameter as the notebook declares it."""

    name: str
    type_name: str
    default: Any
    help: str


def notebook_parameters(notebook: Path) -> dict[str, Spec]:
    """Read the parameters cell of a notebook.

    Parameters
    ----------
    notebook : pathlib.Path
        An ``.ipynb`` file with one code cell tagged ``parameters``.

    Returns
    -------
    dict of str to Spec
        In the cell's order.

    Raises
    ------
    ParameterError
        When the cell is missing, or a line is not ``name: type = literal  # help``.
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
        type_name = ast.unparse(node.annotation)
        if type_name not in TYPES:
            raise ParameterError(
                [f"{notebook.name}: parameter {node.target.id}: type {type_name} is not one of {', '.join(TYPES)}"]
            )
        specs[node.target.id] = Spec(
            node.target.id, type_name, ast.literal_eval(node.value), comments.get(node.lineno, "")
        )
    return specs


def describe(specs: dict[str, Spec]) -> str:
    """List the valid parameters, one a line, as error messages and ``--help`` show them."""
    width = max(len(f"{s.name} ({s.type_name})") for s in specs.values())
    return "\n".join(f"  {f'{s.name} ({s.type_name})':<{width}}  {s.help}" for s in specs.values())


def read_yaml(path: Path) -> tuple[dict[str, Any], dict[str, int]]:
    """Read a params file: a mapping of parameter names to values.

    Parameters
    ----------
    path : pathlib.Path
        A YAML file under ``params/``.

    Returns
    -------
    (values, lines)
        The mapping, and the line each key is on (for messages).

    Raises
    ------
    ParameterError
        When the file is missing, is not YAML, or is not a mapping.
    """
    import yaml

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ParameterError([f"{path}: params file not found"]) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ParameterError([f"{path}: cannot be read: {error}"]) from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        values = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise ParameterError([f"{where}: not valid YAML: {getattr(error, 'problem', error)}"]) from None
    if values is None:
        return {}, {}
    if not isinstance(values, dict):
        raise ParameterError([f"{path}:1: expected a mapping of parameter names to values"])
    lines = {key.value: key.start_mark.line + 1 for key, _ in node.value}
    return values, lines


def parse_override(spec: Spec | None, text: str) -> Any:
    """Turn a ``-p NAME VALUE`` string into a value of the parameter's type.

    Text parameters take the string as it is (``-p title 2024`` is the text "2024"); others
    read it as YAML (``-p target_year 2025``, ``-p prefer_sources "[a, b]"``).
    """
    import yaml

    if spec is None or spec.type_name == "str":
        return text
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return text


def type_problem(spec: Spec, value: Any) -> str | None:
    """Say what is wrong with a value's type for a parameter, or None."""
    expected = {
        "str": lambda v: isinstance(v, str),
        "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "float": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
        "bool": lambda v: isinstance(v, bool),
        "list[str]": lambda v: isinstance(v, list) and all(isinstance(i, str) for i in v),
    }[spec.type_name]
    if expected(value):
        return None
    return f"expected {spec.type_name}, got {value!r} ({type(value).__name__})"


def resolve(
    specs: dict[str, Spec],
    files: list[tuple[Path, dict[str, Any], dict[str, int]]],
    overrides: list[tuple[str, str]],
) -> dict[str, Any]:
    """Merge defaults, params files and ``-p`` overrides, checking every name and type.

    Parameters
    ----------
    specs : dict of str to Spec
        From `notebook_parameters`.
    files : list of (path, values, lines)
        Params files, from `read_yaml`, applied in order.
    overrides : list of (name, text)
        ``-p`` pairs, applied last.

    Returns
    -------
    dict
        Every parameter's effective value, in the notebook's order.

    Raises
    ------
    ParameterError
        Listing every unknown name and wrong type, and the valid parameters.
    """
    values = {name: spec.default for name, spec in specs.items()}
    problems: list[str] = []
    given: list[tuple[str, str, Any]] = []
    for path, mapping, lines in files:
        given += [(f"{path}:{lines.get(k, 1)}", k, v) for k, v in mapping.items()]
    given += [("-p", name, parse_override(specs.get(name), text)) for name, text in overrides]
    for where, name, value in given:
        spec = specs.get(str(name))
        if spec is None:
            problems.append(f"{where}: parameter {name}: unknown name")
            continue
        problem = type_problem(spec, value)
        if problem:
            problems.append(f"{where}: parameter {name}: {problem}")
            continue
        values[spec.name] = value
    if problems:
        raise ParameterError([*problems, "Valid parameters:", describe(specs)])
    return values


def check_against_data(values: dict[str, Any], data: Any) -> list[str]:
    """Check parameters against the data they will read: years, period, origin, sources.

    Parameters
    ----------
    values : dict
        Effective parameters (from `resolve`).
    data : analysis.load.Dataset
        The validated data of ``values["data_dir"]``.

    Returns
    -------
    list of str
        One sentence per problem, each listing what would be valid; empty when all is well.
    """
    from analysis import config

    problems: list[str] = check_values(values)
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
            f"parameter origin {origin!r}: {shown} has no figures from it; origins with figures: {', '.join(origins)}"
        )
    elif rows.empty:
        destinations = sorted(set(fdi.loc[fdi["origin"] == origin, "destination"]))
        problems.append(
            f"parameter destination {destination!r}: {shown} has no figures from {origin} into it; destinations: {', '.join(destinations)}"
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
    known = set(data.sources["source_id"])
    cites = (
        dict(zip(data.sources["source_id"], data.sources.get("cites", ""), strict=True))
        if "cites" in data.sources
        else {}
    )
    shown_sources = config.display_path(data.data_dir / config.SOURCES_FILE)
    for source in values.get("prefer_sources", []):
        if source not in known:
            problems.append(f"parameter prefer_sources: {source!r} is not a source_id in {shown_sources}")
        elif cites.get(source):
            problems.append(
                f"parameter prefer_sources: {source!r} repeats {cites[source]!r} (column cites of {shown_sources}):"
                f" a source that repeats another never decides a figure; prefer {cites[source]!r}"
            )
    return problems


def check_values(values: dict[str, Any]) -> list[str]:
    """Check parameters whose valid values do not depend on the data (the edition's language).

    Parameters
    ----------
    values : dict
        Effective parameters (from `resolve`).

    Returns
    -------
    list of str
        One sentence per problem, listing what would be valid.
    """
    from analysis.language import languages

    problems = []
    if "lang" in values and values["lang"] not in languages():
        problems.append(f"parameter lang {values['lang']!r}: the editions are {', '.join(languages())}")
    return problems
