"""Plan a build: which reports, with which parameters, checked against their data before any kernel runs."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analysis import _config as config
from analysis import _params as params
from analysis._outputs import MAX_NAME_CHARS, is_plain_name
from analysis.errors import DataValidationError, ParameterError

LANGUAGE_SUFFIX = re.compile(r"\.[a-z]{2}$")  # "russia-mexico-fdi.es" -> "russia-mexico-fdi"


@dataclass(frozen=True)
class Variant:
    """One report to build: its name, the params file its parameters came from, their values, those given with ``-p``."""

    name: str
    params_file: str
    parameters: dict[str, Any]
    overridden: tuple[str, ...] = ()

    @property
    def given_by(self) -> str:
        """Where its parameters came from, for messages: the params file, and any ``-p``."""
        return f"{self.params_file} with -p {', '.join(self.overridden)}" if self.overridden else self.params_file

    @property
    def lang(self) -> str:
        """The edition's language (English where the notebook has no ``lang`` parameter)."""
        return self.parameters.get("lang") or config.DEFAULT_LANGUAGE

    @property
    def editions(self) -> list[dict[str, str]]:
        """The report in the other languages: ``{"lang": code, "href": "NAME.html"}`` each."""
        return [
            {"lang": lang, "href": f"{report_name(self.name, lang)}.html"}
            for lang in config.LANGUAGES
            if lang != self.lang
        ]


def report_name(stem: str, lang: str) -> str:
    """Name a report's outputs: the params file's stem, its language suffix replaced by ``lang``'s.

    >>> report_name("russia-mexico-fdi.es", "en"), report_name("russia-mexico-fdi", "es")
    ('russia-mexico-fdi', 'russia-mexico-fdi.es')
    """
    base = LANGUAGE_SUFFIX.sub("", stem)
    return base if lang == config.DEFAULT_LANGUAGE else f"{base}.{lang}"


def plan(
    params_files: list[Path], overrides: list[tuple[str, str]], notebook: Path = config.DEFAULT_NOTEBOOK
) -> list[Variant]:
    """Resolve each params file's variant (the default report's when none), ``-p`` applied to each.

    Raises `ParameterError` listing every problem of every file: unknown names, wrong types, a
    file that cannot be read, a report name that is not a plain file name, two variants with one name.
    """
    specs = params.notebook_parameters(notebook)
    variants: dict[str, Variant] = {}
    problems: list[str] = []
    given = tuple(dict.fromkeys(name for name, _ in overrides))
    for path in params_files or [config.DEFAULT_PARAMS]:
        try:
            values = params.resolve(specs, [(Path(config.display_path(path)), *params.read_yaml(path))], overrides)
        except ParameterError as error:
            problems += [p for p in error.problems if p not in problems]
            continue
        if "data_dir" in dict(overrides):  # relative to the current folder, not the project's
            values["data_dir"] = config.display_path(config.given_path(values["data_dir"]))
        name = report_name(path.stem, values.get("lang") or config.DEFAULT_LANGUAGE)
        if not is_plain_name(name):
            problems.append(
                f"{path}: the report's name {name!r} (its params file's name, less .yaml and a language suffix) is"
                " not a plain file name: it must start with a letter or digit and hold only letters, digits, '.', '_'"
                f" and '-' (at most {MAX_NAME_CHARS} characters); rename the params file, such as"
                f" {config.display_path(config.DEFAULT_PARAMS)}"
            )
        elif name in variants:
            problems.append(f"{path}: would write the same outputs ({name}.*) as {variants[name].params_file}")
        else:
            variants[name] = Variant(name, config.display_path(path), values, overridden=given)
    if problems:
        raise ParameterError(problems)
    return list(variants.values())


def check(variants: list[Variant]) -> list[Variant]:
    """Validate each variant's data and check its parameters against them, before any kernel.

    Raises `DataValidationError` with every problem of every data folder, else `ParameterError`
    with every parameter the data cannot satisfy.
    """
    from analysis._load import load_dataset

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
            problems += [
                f"{variant.given_by}: {p}" for p in params.check_against_data(variant.parameters, datasets[folder])
            ]
    if data_problems:
        raise DataValidationError(data_problems)
    if problems:
        raise ParameterError(problems)
    return variants
