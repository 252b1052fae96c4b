"""Plan a build: which reports, with which parameters, and whether their inputs are good.

`plan` resolves each variant's parameters (the notebook's defaults, its params file, ``-p``) and
names its outputs; `check` validates the data and checks the parameters against it. Both run in
the command's process, before any kernel runs the notebook: bad input never reaches it.
"""

from __future__ import annotations

import dataclasses
import errno
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analysis import config
from analysis import params as params_module
from analysis.errors import ParameterError
from analysis.outputs import MAX_NAME_CHARS, is_plain_name

LANGUAGE_SUFFIX = re.compile(r"\.[a-z]{2}$")  # "russia-mexico-fdi.es" -> "russia-mexico-fdi"


@dataclass(frozen=True)
class Variant:
    """One report to build: its name, the params file its parameters came from, their values.

    ``overridden`` names the parameters given with ``-p``; ``validated`` is the token of a
    validation of its data done in this process (see `check`).
    """

    name: str
    params_file: str
    parameters: dict[str, Any]
    validated: str = ""
    overridden: tuple[str, ...] = ()

    @property
    def given_by(self) -> str:
        """Where its parameters came from, for messages: the params file, and any ``-p``."""
        if self.overridden:
            return f"{self.params_file} with -p {', '.join(self.overridden)}"
        return self.params_file

    @property
    def lang(self) -> str:
        """The edition's language (the ``lang`` parameter; English where the notebook has none)."""
        return self.parameters.get("lang") or config.DEFAULT_LANGUAGE

    @property
    def editions(self) -> list[dict[str, str]]:
        """The report in the other languages: ``{"lang": code, "href": "NAME.html"}`` each."""
        base = edition_base(self.name)
        return [
            {"lang": lang, "href": f"{report_name(base, lang)}.html"} for lang in config.LANGUAGES if lang != self.lang
        ]


def edition_base(name: str) -> str:
    """Return a report's name without its trailing ``.xx`` language suffix, if it has one."""
    return LANGUAGE_SUFFIX.sub("", name)


def report_name(stem: str, lang: str) -> str:
    """Name a report's outputs: the params file's stem, its language suffix replaced by ``lang``'s.

    Parameters
    ----------
    stem : str
        The params file's name without ``.yaml`` (``russia-mexico-fdi.es``).
    lang : str
        The edition's language.

    Returns
    -------
    str
        ``russia-mexico-fdi`` for English, ``russia-mexico-fdi.es`` for Spanish.

    Examples
    --------
    >>> report_name("russia-mexico-fdi.es", "en"), report_name("russia-mexico-fdi", "es")
    ('russia-mexico-fdi', 'russia-mexico-fdi.es')
    """
    base = edition_base(stem)
    return base if lang == config.DEFAULT_LANGUAGE else f"{base}.{lang}"


def plan(
    params_files: list[Path],
    overrides: list[tuple[str, str]],
    notebook: Path = config.DEFAULT_NOTEBOOK,
) -> list[Variant]:
    """Resolve each variant's parameters: defaults, its params file, then ``-p`` overrides.

    Parameters
    ----------
    params_files : list of pathlib.Path
        One per variant; the default report's file when empty.
    overrides : list of (name, text)
        ``-p NAME VALUE`` pairs, applied to every variant.
    notebook : pathlib.Path
        The report notebook, whose parameters cell defines the parameters.

    Returns
    -------
    list of Variant

    Raises
    ------
    ParameterError
        Every unknown name and wrong type in every file, with the valid parameters listed; two
        variants that would write the same outputs; a params file that is a folder; a data folder
        that is a symbolic link loop (no path can be resolved through one).
    """
    specs = params_module.notebook_parameters(notebook)
    files = params_files or [config.DEFAULT_PARAMS]
    variants, problems = [], []
    names: dict[str, Path] = {}
    given = tuple(dict.fromkeys(parameter for parameter, _ in overrides))
    for path in files:
        if path.is_dir():
            problems.append(
                f"{path}: is a folder, not a params file: give a params file, such as {config.display_path(config.DEFAULT_PARAMS)}"
            )
            continue
        try:
            mapping, lines = params_module.read_yaml(path)
            values = params_module.resolve(specs, [(Path(config.display_path(path)), mapping, lines)], overrides)
        except ParameterError as error:
            problems += [p for p in error.problems if p not in problems]
            continue
        if "data_dir" in dict(overrides):  # relative to the current folder, not the project's
            values["data_dir"] = config.display_path(config.given_path(values["data_dir"]))
        variant = Variant("", config.display_path(path), values, overridden=given)
        if "data_dir" in values and (loop := _link_loop(values["data_dir"], variant.given_by)):
            problems.append(loop)
            continue
        name = report_name(path.stem, values.get("lang") or config.DEFAULT_LANGUAGE)
        if not is_plain_name(name):
            problems.append(_not_plain(path, name))
            continue
        if name in names:
            problems.append(f"{path}: would write the same outputs ({name}.*) as {names[name]}")
        names[name] = path
        variants.append(dataclasses.replace(variant, name=name))
    if problems:
        raise ParameterError(problems)
    return variants


def _not_plain(path: Path, name: str) -> str:
    """Say why a report's name, taken from its params file's name, cannot name its outputs."""
    return (
        f"{path}: the report's name {name!r} (its params file's name, less .yaml and a language suffix) is not a "
        f"plain file name: it must start with a letter or digit and hold only letters, digits, '.', '_' and '-' "
        f"(at most {MAX_NAME_CHARS} characters); rename the params file, such as "
        f"{config.display_path(config.DEFAULT_PARAMS)}"
    )


def _link_loop(data_dir: str, given_by: str) -> str | None:
    """Say so if the data folder is a symbolic link loop: nothing can be read, or resolved, through it."""
    folder = config.resolve_project_path(data_dir)
    try:
        folder.stat()
    except OSError as error:
        if error.errno == errno.ELOOP:
            return (
                f"{given_by}: parameter data_dir {data_dir!r}: {config.display_path(folder)} is a symbolic link loop "
                "(the link leads back to itself): point it at the folder of the data files (ls -l shows where it leads)"
            )
    return None


def check(variants: list[Variant]) -> list[Variant]:
    """Validate each variant's data and check its parameters against them, before any kernel.

    Parameters
    ----------
    variants : list of Variant
        The variants about to be built.

    Returns
    -------
    list of Variant
        The same variants, each carrying the validation token of its data (handed to the
        kernel, so that it does not validate the same bytes again).

    Raises
    ------
    DataValidationError
        Every problem in every data folder used.
    ParameterError
        A year, period, origin or source the data lack, or years in the wrong order.
    """
    from analysis.errors import DataValidationError
    from analysis.load import load_dataset

    datasets, data_problems, problems = {}, [], []
    for variant in variants:
        folder = variant.parameters["data_dir"]
        if folder not in datasets:
            try:
                datasets[folder] = load_dataset(folder)
            except DataValidationError as error:
                datasets[folder] = None
                data_problems += error.problems
        if datasets[folder] is not None:
            found = params_module.check_against_data(variant.parameters, datasets[folder])
            problems += [f"{variant.given_by}: {p}" for p in found]
    if data_problems:
        raise DataValidationError(data_problems)
    if problems:
        raise ParameterError(problems)
    return variants
