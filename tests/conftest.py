"""Shared fixtures: reports built once per test session (and shared between xdist workers)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from analysis import _config as config

FIXTURES = Path(__file__).parent / "fixtures"
# The report the small fixtures hold: South Korea's FDI into Chile, 2019 against 2023, full years.
FIXTURE_PARAMETERS = {
    "origin": "KOR",
    "destination": "CHL",
    "base_year": 2019,
    "target_year": 2023,
    "months": 12,
    "prefer_sources": [],
}
# Every parameter of that report over tests/fixtures/bilingual (Report.build requires them all).
BILINGUAL_PARAMETERS = {
    **FIXTURE_PARAMETERS,
    "data_dir": str(FIXTURES / "bilingual"),
    "claim": "",
    "title": "",
    "compare_with": "",
    "lang": "en",
}


def bilingual_report(lang: str = "en", **changes):
    """Build the report over tests/fixtures/bilingual in this process, in an edition."""
    from analysis.report import Report

    return Report.build(**{**BILINGUAL_PARAMETERS, "lang": lang, **changes})


TRICKY_TITLE = 'Fixture "report" \\ with a backslash,\na newline and <b>markup</b> that stays text'


@dataclass(frozen=True)
class Built:
    """Paths of one built report."""

    out: Path
    name: str

    def path(self, suffix: str) -> Path:
        return self.out / f"{self.name}{suffix}"

    @property
    def html(self) -> str:
        return self.path(".html").read_text(encoding="utf-8")

    @property
    def metrics(self) -> dict:
        return json.loads(self.path(".metrics.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def shared_dir(tmp_path_factory, worker_id) -> Path:
    """A folder every xdist worker of this session sees: builds there are shared.

    A second worker asking for the same build waits on the build's lock, then finds the cache
    valid and reuses the outputs, so each report is executed once per session.
    """
    base = tmp_path_factory.getbasetemp()
    if worker_id != "master":
        base = base.parent
    folder = base / "shared-builds"
    folder.mkdir(exist_ok=True)
    return folder


def build_variant(out: Path, name: str, formats=("html", "pdf"), force=False, **parameters) -> Built:
    from analysis._params import notebook_parameters
    from analysis._pipeline import BuildOptions, build_one
    from analysis._plan import Variant

    values = {spec.name: spec.default for spec in notebook_parameters(config.DEFAULT_NOTEBOOK).values()}
    values.update(parameters)
    build_one(Variant(name, "test", values), BuildOptions(out_dir=out, formats=tuple(formats), force=force))
    return Built(out, name)


@pytest.fixture(scope="session")
def default_report(shared_dir) -> Built:
    """The default report, built from the project's data."""
    return build_variant(shared_dir / "default", "russia-mexico-fdi")


@pytest.fixture(scope="session")
def spanish_report(shared_dir, default_report) -> Built:
    """The default report's Spanish edition, beside the English one (so their links resolve)."""
    return build_variant(shared_dir / "default", "russia-mexico-fdi.es", lang="es")


# What each edition of the default report must show, worked out from the data by hand: the claim
# 2.8 (2022) to 86.4 (2024) is 86.4 / 2.8 = 30.86, "31 times"; the reports of 2024 allow 19.1 / 2.8 =
# 6.82 ("7") to 30.86 ("31") times; 86.4 / 36,872 = 0.234 % of all FDI into Mexico ("0.23%");
# +2,985.7 % = (86.4 / 2.8 - 1) * 100 in the appendix's growth table.
EDITIONS = {
    "en": {
        "title": "Did FDI from Russia into Mexico really grow 31 times over between 2022 and 2024?",
        "page": "Page {n} of {total}",
        "figure": "Figure",
        "story": ["The claim", "The figures behind it", "How big it is", "Why the figures differ",
                  "What has happened since", "The article's other claims", "How we checked"],
        "appendix": "Appendix: the evidence in full",
        "headings": ["The claim", "The figures behind it", "How big it is", "Why the figures differ",
                     "What has happened since", "The article's other claims", "How we checked",
                     "Appendix: the evidence in full", "Growth metrics", "Investment by year",
                     "Where sources disagree", "Timeline", "Data sources and methods",
                     "Changes since the last build", "Run record"],
        "verdict": "Our verdict: Disputed",
        "headline": ["US$2.8 million", "US$86.4 million", "between 7 and 31 times", "0.23%", "+2,985.7%"],
        "alt": ["Every independent report of 2022 and 2024", "Bars of FDI into Mexico by origin in 2024",
                "Dots of FDI from Russia into Mexico on a time axis", "Timeline of "],
        "other": ("es", "Leer en español"),
    },
    "es": {
        "title": "¿De verdad se multiplicó por 31 la IED de Rusia en México entre 2022 y 2024?",
        "page": "Página {n} de {total}",
        "figure": "Gráfica",
        "story": ["La afirmación", "Las cifras detrás de la afirmación", "Qué tan grande es",
                  "Por qué no coinciden las cifras", "Qué ha pasado desde entonces",
                  "Las demás afirmaciones del artículo", "Cómo lo verificamos"],
        "appendix": "Apéndice: la evidencia completa",
        "headings": ["La afirmación", "Las cifras detrás de la afirmación", "Qué tan grande es",
                     "Por qué no coinciden las cifras", "Qué ha pasado desde entonces",
                     "Las demás afirmaciones del artículo", "Cómo lo verificamos",
                     "Apéndice: la evidencia completa", "Medidas del crecimiento", "La inversión año por año",
                     "Donde las fuentes no coinciden", "Cronología", "Fuentes y métodos",
                     "Cambios desde la generación anterior", "Registro de ejecución"],
        "verdict": "Nuestro veredicto: En disputa",
        "headline": ["2.8 millones de dólares", "86.4 millones de dólares", "de 7 a 31 veces", "0.23%", "+2,985.7%"],
        "alt": ["Cada cifra independiente de 2022 y 2024", "Barras de la IED en México por país de origen en 2024",
                "Puntos de la IED de Rusia en México en un eje de tiempo", "Cronología de "],
        "other": ("en", "Read in English"),
    },
}  # fmt: skip


@pytest.fixture(scope="session", params=sorted(EDITIONS))
def edition(request, default_report, spanish_report):
    """Each edition of the default report, with what it must show."""
    built = default_report if request.param == "en" else spanish_report
    return request.param, built, EDITIONS[request.param]


@pytest.fixture(scope="session")
def tiny_report(shared_dir) -> Built:
    """A report of other countries, years and numbers (tests/fixtures/tiny), with a tricky title."""
    return build_variant(
        shared_dir / "tiny",
        "tiny",
        data_dir=str(FIXTURES / "tiny"),
        origin="KOR",
        destination="CHL",
        base_year=2019,
        target_year=2023,
        months=12,
        title=TRICKY_TITLE,
    )


@pytest.fixture(scope="session")
def negative_report(shared_dir) -> Built:
    """A report whose base value is negative (tests/fixtures/negative), HTML only."""
    return build_variant(
        shared_dir / "negative",
        "negative",
        formats=("html",),
        data_dir=str(FIXTURES / "negative"),
        origin="CHN",
        destination="MEX",
        base_year=2023,
        target_year=2024,
        months=9,
        title="A negative base",
    )


@pytest.fixture(scope="session")
def stub_notebook(tmp_path_factory) -> Path:
    """The two-cell stub notebook of the build machinery's tests (tests/_stub.py), written once a session."""
    from _stub import write_stub

    return write_stub(tmp_path_factory.mktemp("stub-notebook"))


@pytest.fixture
def refuse_to_open(monkeypatch):
    """Make os.open refuse, as a file's permissions would, every path holding a text.

    Root reads and writes anything whatever the mode, so permission errors are made this way
    rather than by chmod.
    """
    import errno

    def refuse(text: str) -> None:
        real_open = os.open

        def opening(path, *args, **kwargs):
            if text in str(path):
                raise PermissionError(errno.EACCES, "Permission denied", str(path))
            return real_open(path, *args, **kwargs)

        monkeypatch.setattr(os, "open", opening)

    return refuse


@pytest.fixture
def data_copy(tmp_path) -> Path:
    """A writable copy of the tiny fixture data."""
    folder = tmp_path / "data"
    shutil.copytree(FIXTURES / "tiny", folder)
    return folder


def chromium_or_skip() -> str:
    """Return Chromium's path; skip the test where it is missing, unless CI=true (then fail)."""
    for candidate in ("/usr/bin/chromium", "/usr/bin/chromium-browser"):
        if Path(candidate).exists():
            return candidate
    message = "Chromium not found at /usr/bin/chromium (sudo apt-get install chromium)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message + "; CI=true, so this fails instead of skipping")
    pytest.skip(message)


# Helpers of the build tests ---------------------------------------------------------------------


def digests(folder: Path) -> dict[str, str]:
    """sha256 of every output file under a folder (staging and lock files aside)."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and ".builds" not in p.parts and not p.name.endswith(".lock")
    }


def params_file(folder: Path, name: str, **values) -> Path:
    path = folder / f"{name}.yaml"
    path.write_text("\n".join(f"{k}: {json.dumps(v)}" for k, v in values.items()) + "\n", encoding="utf-8")
    return path


def tiny_params(folder: Path, data_dir: Path, name: str = "tiny") -> Path:
    return params_file(
        folder,
        name,
        data_dir=str(data_dir),
        origin="KOR",
        destination="CHL",
        base_year=2019,
        target_year=2023,
        months=12,
    )


def build_one(variant, out, formats=("html", "pdf"), force=False, notebook=config.DEFAULT_NOTEBOOK):
    """Build one variant in-process, as `analysis._pipeline.build_one` does, with these options."""
    from analysis._pipeline import BuildOptions
    from analysis._pipeline import build_one as build_with_options

    return build_with_options(variant, BuildOptions(out_dir=out, formats=formats, force=force, notebook=notebook))


def notebook_defaults() -> dict:
    from analysis._params import notebook_parameters

    return {spec.name: spec.default for spec in notebook_parameters(config.DEFAULT_NOTEBOOK).values()}


def copy_outputs(built, folder: Path) -> Path:
    shutil.copytree(built.out, folder, symlinks=True, ignore=shutil.ignore_patterns("*.lock"))
    return folder
