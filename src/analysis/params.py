"""The report's parameters: read from the notebook, merged from YAML and ``-p``, checked.

The notebook's tagged ``parameters`` cell is the one definition of the parameters (names, types,
defaults, help), as papermill reads it. `notebook_parameters` parses that cell with `ast` (the
same result as ``papermill --help-notebook``, without importing papermill), and `resolve` checks
every value a user gives before any kernel starts.
"""

from __future__ import annotations

import ast
import functools
import io
import json
import math
import re
import tokenize
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analysis import inputs
from analysis.contract import BIDI_CONTROLS, MAX_TEXT_CHARS, bidi_message
from analysis.errors import InputFileError, ParameterError, shown_text, shown_value

TYPES = ("str", "int", "float", "bool", "list[str]")

# A params file is a flat mapping of names to texts, numbers or lists of texts. What YAML allows
# beyond that is refused before it can cost anything: anchors and aliases (which can expand a
# small file into billions of values), nesting deeper than MAX_YAML_DEPTH (which would exhaust
# the parser's recursion), numbers longer than MAX_NUMBER_CHARS (which no parameter needs).
MAX_YAML_DEPTH = 8
MAX_NUMBER_CHARS = 30
MAX_LISTED = 10  # anchors, aliases or unknown sources listed in one message; the rest are counted
PATH_PARAMETERS = frozenset({"data_dir", "compare_with"})
MAX_PATH_CHARS = 4096  # the longest path Linux takes
_MERGE_TAG = "tag:yaml.org,2002:merge"
_BOOL_TAG, _INT_TAG = "tag:yaml.org,2002:bool", "tag:yaml.org,2002:int"
_FLOAT_TAG, _NULL_TAG = "tag:yaml.org,2002:float", "tag:yaml.org,2002:null"
_NUMBER_TAGS = frozenset({_INT_TAG, _FLOAT_TAG})


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

    The file is read only if it is a regular file of at most `inputs.MAX_PARAMS_BYTES`; YAML
    anchors and aliases, merge keys, nesting deeper than `MAX_YAML_DEPTH`, a parameter given
    twice and numbers longer than `MAX_NUMBER_CHARS` are refused, each located by its line.

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
        When the file is missing, unreadable, not YAML, not a mapping, or uses what a params
        file does not: one located message per problem.
    """
    shown = str(path)
    try:
        data = inputs.read_bytes(path, inputs.MAX_PARAMS_BYTES, shown, what="params file")
    except InputFileError as error:
        raise ParameterError([f"{shown}: {error.reason}"]) from None
    return _load_yaml(_decoded(data, shown), shown)


def _decoded(data: bytes, shown: str) -> str:
    """Decode a params file's bytes as UTF-8, or say where and why it is not."""
    try:
        return inputs.decode(data, shown, save_as="save it as UTF-8")
    except InputFileError as error:
        raise ParameterError([str(error)]) from None


def _load_yaml(text: str, shown: str) -> tuple[dict[str, Any], dict[str, int]]:
    import yaml

    problems = _event_problems(text, shown)
    if problems:
        raise ParameterError(problems)
    loader = _loader_class()(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return {}, {}
        if not isinstance(root, yaml.MappingNode):
            found = "a list" if isinstance(root, yaml.SequenceNode) else f"the value {shown_text(str(root.value))}"
            raise ParameterError(
                [
                    f"{shown}:{root.start_mark.line + 1}: expected a mapping of parameter names to values (such as 'origin: RUS'), found {found}"
                ]
            )
        values: dict[Any, Any] = {}
        lines: dict[Any, int] = {}
        for key_node, value_node in root.value:
            where = f"{shown}:{key_node.start_mark.line + 1}"
            problem = _key_problem(key_node, where)
            if problem:
                problems.append(problem)
                continue
            key = loader.construct_object(key_node)
            if key in lines:
                problems.append(
                    f"{where}: parameter {_name(key)}: also given on line {lines[key]}: give each parameter once"
                )
                continue
            lines[key] = key_node.start_mark.line + 1
            problem = _number_problem(value_node, shown, key)
            if problem:
                problems.append(problem)
                continue
            try:
                values[key] = loader.construct_object(value_node, deep=True)
            except (yaml.YAMLError, ValueError, OverflowError, TypeError) as error:
                reason = shown_text(str(getattr(error, "problem", None) or error), quoted=False)
                problems.append(
                    f"{shown}:{value_node.start_mark.line + 1}: parameter {_name(key)}: cannot be read ({reason}):"
                    " write the value in quotes"
                )
    except yaml.YAMLError as error:
        problems.append(_yaml_error(error, shown, text))
    finally:
        loader.dispose()
    if problems:
        raise ParameterError(problems)
    return values, lines


@functools.cache
def _loader_class() -> type:
    """Return PyYAML's safe loader reading plain values by YAML 1.2's core rules, not 1.1's.

    YAML 1.1 reads ``010`` as 8 (octal), ``1_2`` as 12, ``1:00`` as 60 (base 60), ``0x7e8`` as
    2024, and ``no`` or ``on`` as booleans: a year or a title would silently become another
    value. Here a whole number is decimal digits, with a sign at most (``010`` is ten), a number
    with a point or an exponent is a float, only true and false are booleans, and anything else is
    text, which a parameter of another type then refuses, saying why.
    """
    import yaml

    replaced = {_BOOL_TAG, _INT_TAG, _FLOAT_TAG, _NULL_TAG}

    class Loader(yaml.SafeLoader):
        pass

    Loader.yaml_implicit_resolvers = {  # its own copy: SafeLoader's stays as it is
        first: [(tag, pattern) for tag, pattern in resolvers if tag not in replaced]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    Loader.add_implicit_resolver(_BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
    Loader.add_implicit_resolver(_INT_TAG, re.compile(r"^[-+]?[0-9]+$"), list("-+0123456789"))
    Loader.add_implicit_resolver(
        _FLOAT_TAG,
        re.compile(
            r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
        ),
        list("-+0123456789."),
    )
    Loader.add_implicit_resolver(_NULL_TAG, re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""])
    Loader.add_constructor(_INT_TAG, lambda loader, node: int(loader.construct_scalar(node), 10))
    return Loader


def _event_problems(text: str, shown: str) -> list[str]:
    """Scan a YAML text's events, never building its values: anchors, aliases, deep nesting.

    PyYAML's parser works with a stack of its own, so the scan is bounded by the text's length,
    whatever the text; the composer that comes after it recurses, hence the depth limit.
    """
    import yaml

    problems: list[str] = []
    seen: set[tuple[int, str]] = set()
    depth, uncounted = 0, 0
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            line = event.start_mark.line + 1
            found = None
            if isinstance(event, yaml.AliasEvent):
                found = f"*{event.anchor} is a YAML alias"
            elif getattr(event, "anchor", None):
                found = f"&{event.anchor} is a YAML anchor"
            if found and (line, found) not in seen:
                seen.add((line, found))
                if len(problems) < MAX_LISTED:
                    problems.append(
                        f"{shown}:{line}: {shown_text(found, quoted=False)}: a params file may not use anchors or"
                        " aliases (&name, *name); write each value out"
                    )
                else:
                    uncounted += 1
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_YAML_DEPTH:
                    problems.append(
                        f"{shown}:{line}: values are nested more than {MAX_YAML_DEPTH} levels deep: a parameter's"
                        " value is a text, a number or a list of texts"
                    )
                    break
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError as error:
        problems.append(_yaml_error(error, shown, text))
    if uncounted:
        problems.append(f"{shown}: {uncounted:,} more anchors and aliases not listed")
    return problems


def _key_problem(node: Any, where: str) -> str | None:
    import yaml

    if node.tag == _MERGE_TAG:
        return f"{where}: '<<' (a YAML merge key) has no use in a params file: write each parameter out"
    if not isinstance(node, yaml.ScalarNode):
        return f"{where}: a parameter's name is a word, such as origin, not a list or a mapping"
    return None


def _number_problem(node: Any, shown: str, key: Any) -> str | None:
    """Refuse a number longer than any parameter needs, anywhere in a value (walked without recursion)."""
    import yaml

    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, yaml.ScalarNode):
            if current.tag in _NUMBER_TAGS and len(current.value) > MAX_NUMBER_CHARS:
                return (
                    f"{shown}:{current.start_mark.line + 1}: parameter {_name(key)}: {shown_text(current.value)} is a number"
                    f" {len(current.value):,} characters long: no parameter takes one longer than {MAX_NUMBER_CHARS}"
                )
        elif isinstance(current, yaml.SequenceNode):
            stack += current.value
        elif isinstance(current, yaml.MappingNode):
            stack += [part for pair in current.value for part in pair]
    return None


def _yaml_error(error: Exception, shown: str, text: str) -> str:
    """Locate a YAML error by line and say it in a bounded sentence."""
    import yaml

    if isinstance(error, yaml.reader.ReaderError):  # a character YAML does not allow: no mark, a position
        line = text.count("\n", 0, error.position) + 1
        return f"{shown}:{line}: not valid YAML: holds the character U+{error.character:04X}, which YAML does not allow: remove it"
    mark = getattr(error, "problem_mark", None)
    where = f"{shown}:{mark.line + 1}" if mark else shown
    problem = str(getattr(error, "problem", None) or error)
    context = getattr(error, "context", None)
    if context and problem.startswith("but "):  # "expected a single document in the stream, but found another"
        problem = f"{context}, {problem}"
    return f"{where}: not valid YAML: {shown_text(problem, 200, quoted=False)}"


def _name(key: Any) -> str:
    return shown_text(str(key), quoted=False) if isinstance(key, str) else shown_value(key)


def parse_override(spec: Spec | None, text: str) -> Any:
    """Turn a ``-p NAME VALUE`` string into a value of the parameter's type.

    Text parameters take the string as it is (``-p title 2024`` is the text "2024"); others
    read it as a params file's value is read (``-p target_year 2025``, ``-p prefer_sources "[a,
    b]"``): a whole number in decimal digits, never octal or base 60 (see `_loader_class`);
    what a params file refuses stays text, and the type check says what is wrong.
    """
    if spec is None or spec.type_name == "str":
        return text
    indented = "\n".join(f"  {line}" for line in text.split("\n"))
    try:
        values, _ = _load_yaml(f"value:\n{indented}", "-p")
    except ParameterError:
        return text
    return values.get("value", text)


def type_problem(spec: Spec, value: Any) -> str | None:
    """Say what is wrong with a value's type for a parameter, or None."""
    expected = {
        "str": lambda v: isinstance(v, str),
        "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "float": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
        "bool": lambda v: isinstance(v, bool),
        "list[str]": lambda v: isinstance(v, list) and all(isinstance(i, str) for i in v),
    }[spec.type_name]
    if not expected(value):
        advice = {
            "int": ": write a whole number in decimal digits 0-9, without quotes",
            "float": ": write a number in decimal digits 0-9, with a dot for decimals, without quotes",
        }.get(spec.type_name, "")
        return f"expected {spec.type_name}, got {shown_value(value)} ({type(value).__name__}){advice if isinstance(value, str | float) else ''}"
    longest = MAX_PATH_CHARS if spec.name in PATH_PARAMETERS else MAX_TEXT_CHARS
    for text in [value] if isinstance(value, str) else value if isinstance(value, list) else []:
        if len(text) > longest:
            return f"{shown_text(text)} is {len(text):,} characters long; at most {longest:,}"
        if problem := text_problem(text):
            return f"{shown_text(text)} {problem}"
    if isinstance(value, float) and not math.isfinite(value):
        return f"expected a finite number, got {value!r}"
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**MAX_NUMBER_CHARS:
        return f"{shown_value(value)} is larger than any parameter takes"
    return None


def text_problem(text: str) -> str | None:
    r"""Say why a text cannot be a parameter's value (after the text), or None.

    A text must be written as UTF-8 into the notebook the kernel runs: half of a surrogate pair
    (what ``os.fsdecode`` makes of bytes that are not UTF-8, or a YAML escape such as ``"\udc80"``) cannot
    be. And it must read as written: a bidirectional control character changes the order the
    text around it is shown in.

    Examples
    --------
    >>> text_problem("Russia and Mexico") is None
    True
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        code = ord(text[error.start])
        return (
            f"cannot be written as UTF-8: U+{code:04X} is no character (bytes that are not UTF-8, read from the"
            " command line, or a \\u escape of half a pair): give the text as UTF-8"
        )
    for char in text:
        if char in BIDI_CONTROLS:
            return f"holds {bidi_message(char)}"
    return None


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
        spec = specs.get(name) if isinstance(name, str) else None
        if spec is None:
            problems.append(f"{where}: parameter {_name(name)}: unknown name")
            continue
        problem = type_problem(spec, value)
        if problem:
            problems.append(f"{where}: parameter {_name(name)}: {problem}")
            continue
        values[spec.name] = value
    if problems:
        raise ParameterError([*problems, "Valid parameters:", describe(specs)])
    return values


def check_against_data(values: dict[str, Any], data: Any) -> list[str]:
    """Check parameters against the data they will read: years, period, origin, sources, claim.

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
    known = set(data.sources["source_id"])
    unknown = [source for source in values.get("prefer_sources", []) if source not in known]
    sources_file = config.display_path(data.data_dir / config.SOURCES_FILE)
    problems += [
        f"parameter prefer_sources: {shown_text(source)} is not a source_id in {sources_file}"
        for source in unknown[:MAX_LISTED]
    ]
    if len(unknown) > MAX_LISTED:
        problems.append(
            f"parameter prefer_sources: {len(unknown) - MAX_LISTED:,} more source_ids not in {sources_file}"
        )
    cites = dict(zip(data.sources["source_id"], data.sources["cites"], strict=True))
    for source in values.get("prefer_sources", []):
        if cites.get(source):
            problems.append(
                f"parameter prefer_sources: {source!r} repeats {cites[source]!r} (column cites of {sources_file}):"
                f" a source that repeats another never decides a figure; prefer {cites[source]!r}"
            )
    return problems + claim_problems(values, data)


def claim_problems(values: dict[str, Any], data: Any) -> list[str]:
    """Check the ``claim`` parameter: a claim_id of claims.csv that makes the report's comparison.

    Parameters
    ----------
    values : dict
        Effective parameters; an empty or absent ``claim`` is always valid.
    data : analysis.load.Dataset
        The validated data of ``values["data_dir"]``.

    Returns
    -------
    list of str
        One sentence, listing the claims that would be valid; empty when all is well.
    """
    from analysis import config, verdict

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
    origin, destination, base, target, months = key
    comparison = f"{origin} into {destination}, {months} months of {base} against {target}"
    if valid:
        listed = ", ".join(shown_text(c, quoted=False) for c in valid[:MAX_LISTED])
        more = f" and {len(valid) - MAX_LISTED:,} more" if len(valid) > MAX_LISTED else ""
        hint = f"claims that make the report's comparison ({comparison}): {listed}{more}"
    else:
        hint = f"no claim in it makes the report's comparison ({comparison}): leave claim empty"
    same = [c for c in claims if c.claim_id == named]
    if not same:
        return [f"parameter claim {shown_text(named)}: {shown} has no such claim_id; {hint}"]
    claim = same[0]
    if claim.claim_id in valid:
        return []
    other = f"{claim.origin} into {claim.destination}, {claim.months} months of {claim.base_year} against {claim.target_year}"
    return [f"parameter claim {shown_text(named)}: {shown}:{claim.line} compares {other}, not the report's; {hint}"]


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
