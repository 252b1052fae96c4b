"""Build reports: parameters checked, notebook executed, HTML and PDF rendered, outputs committed.

One process does the whole build of a variant: it checks the parameters and the data before any
kernel starts, executes the notebook with papermill in a fresh kernel (over IPC, not TCP),
renders HTML with nbconvert and PDF with WeasyPrint in-process, and writes every output to a
staging folder first. Only a build that finished renames its files into place (the metrics file
last), so a failed or killed build leaves the previous outputs as they were. A cache key over
everything an output depends on lets an unchanged rebuild reuse the outputs.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import hashlib
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analysis import config, outputs
from analysis import params as params_module
from analysis.errors import AnalysisError, NotebookExecutionError, ParameterError
from analysis.outputs import FIGURES_DIR

FORMATS = ("html", "pdf")
EXECUTION_TIMEOUT = 600  # seconds a cell may run
KERNEL_ARGUMENTS = ["--HistoryManager.enabled=False"]  # a run record needs no IPython history database


@dataclass(frozen=True)
class Variant:
    """One report to build: its name, where its parameters came from, their values.

    ``overridden`` names the parameters given with ``-p``; ``validated`` is the token of a
    validation of its data done in this process (see `check`).
    """

    name: str
    origin: str
    parameters: dict[str, Any]
    validated: str = ""
    overridden: tuple[str, ...] = ()

    @property
    def given_by(self) -> str:
        """Where its parameters came from, for messages: the params file, and any ``-p``."""
        return f"{self.origin} with -p {', '.join(self.overridden)}" if self.overridden else self.origin


@dataclass
class Outcome:
    """What became of one variant's build."""

    name: str
    status: str  # "built", "unchanged" or "failed"
    outputs: list[str] = field(default_factory=list)
    seconds: float = 0.0
    message: str = ""
    exit_status: int = 0
    warnings: list[str] = field(default_factory=list)


Progress = Callable[[str, str], None]


def _silent(name: str, step: str) -> None:
    return None


# Planning ----------------------------------------------------------------------------------


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
        Every unknown name and wrong type in every file, with the valid parameters listed.
    """
    specs = params_module.notebook_parameters(notebook)
    files = params_files or [config.DEFAULT_PARAMS]
    variants, problems = [], []
    names: dict[str, Path] = {}
    for path in files:
        try:
            mapping, lines = params_module.read_yaml(path)
            values = params_module.resolve(specs, [(Path(config.display_path(path)), mapping, lines)], overrides)
        except ParameterError as error:
            problems += [p for p in error.problems if p not in problems]
            continue
        if "data_dir" in dict(overrides):
            values["data_dir"] = config.display_path(Path(values["data_dir"]).expanduser().resolve())
        name = path.stem
        if name in names:
            problems.append(f"{path}: two params files named {name}.yaml would write the same outputs ({names[name]})")
        names[name] = path
        given = tuple(dict.fromkeys(parameter for parameter, _ in overrides))
        variants.append(Variant(name, config.display_path(path), values, overridden=given))
    if problems:
        raise ParameterError(problems)
    return variants


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
    from analysis.load import load_dataset, validation_token

    datasets, data_problems, problems = {}, [], []
    for variant in variants:
        folder = variant.parameters["data_dir"]
        if folder not in datasets:
            try:
                datasets[folder] = load_dataset(folder, trust="")
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
    tokens = {folder: validation_token(data.checksums) for folder, data in datasets.items()}
    return [dataclasses.replace(v, validated=tokens[v.parameters["data_dir"]]) for v in variants]


# The cache ---------------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return "sha256:" + digest.hexdigest()


def _code_digest() -> str:
    """Hash the package's code, style and template: a change to any of them rebuilds."""
    digest = hashlib.sha256()
    for path in sorted(config.PACKAGE_DIR.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(config.PACKAGE_DIR).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return "sha256:" + digest.hexdigest()


def cache_key(variant: Variant, formats: tuple[str, ...], notebook: Path = config.DEFAULT_NOTEBOOK) -> str:
    """Return a key over everything a variant's outputs depend on.

    The notebook, every input file, the effective parameters, the package's code, style and
    template, the lock file, the Python version and the formats asked for.

    Parameters
    ----------
    variant : Variant
        The variant, with its effective parameters.
    formats : tuple of str
        The formats asked for.
    notebook : pathlib.Path
        The report notebook.

    Returns
    -------
    str
        ``"sha256:<hex>"``.
    """
    folder = config.resolve_project_path(variant.parameters["data_dir"])
    inputs = {name: (_sha256(folder / name) if (folder / name).is_file() else "missing") for name in config.DATA_FILES}
    parameters = {k: v for k, v in variant.parameters.items() if k != "compare_with"}
    lock = _sha256(config.LOCK_FILE) if config.LOCK_FILE.is_file() else "missing"
    material = {
        "notebook": _sha256(notebook),
        "inputs": inputs,
        "parameters": parameters,
        "code": _code_digest(),
        "lock": lock,
        "python": sys.version.split()[0],
        "formats": sorted(formats),
    }
    return "sha256:" + hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()


def reusable(out_dir: Path, name: str, key: str) -> list[str] | None:
    """Return the outputs of an earlier build with the same key, if all are intact; else None."""
    try:
        recorded = json.loads((out_dir / f"{name}.metrics.json").read_text(encoding="utf-8")).get("build", {})
    except (OSError, ValueError):
        return None
    if recorded.get("cache_key") != key:
        return None
    outputs = recorded.get("outputs", {})
    for relative, digest in outputs.items():
        path = out_dir / relative
        if not path.is_file() or _sha256(path) != digest:
            return None
    return [*outputs, f"{name}.metrics.json"]


# One variant -------------------------------------------------------------------------------


def _write(path: Path, data: bytes) -> None:
    with path.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _register_translator() -> None:
    """Make papermill write parameters as Python literals with ``repr``.

    papermill's own Python translator escapes strings by hand; ``repr`` round-trips any text
    (quotes, backslashes, newlines, non-ASCII), so a value is always data, never code.
    """
    from papermill.translators import PythonTranslator, papermill_translators

    class LiteralTranslator(PythonTranslator):
        @classmethod
        def translate_str(cls, val: str) -> str:
            return repr(val)

        translate_escaped_str = translate_str

    papermill_translators.register("python", LiteralTranslator)


def execute(notebook: Path, parameters: dict[str, Any], workdir: Path, validated: str = "") -> Any:
    """Execute the notebook with papermill in a fresh kernel that listens on IPC sockets.

    Parameters
    ----------
    notebook : pathlib.Path
        The report notebook.
    parameters : dict
        Checked parameter values; injected as literals after the parameters cell.
    workdir : pathlib.Path
        A private folder for the notebook as executed so far.
    validated : str, optional
        A validation token for the data (`analysis.load.validation_token`), passed to the
        kernel in its environment.

    Returns
    -------
    nbformat.NotebookNode

    Raises
    ------
    NotebookExecutionError
        A cell raised; the partly executed notebook is at ``workdir / "executed.ipynb"``.
    """
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_core.utils import run_sync
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    from analysis.load import VALIDATED_ENV

    # ipc: the kernel's channels are Unix sockets in a private folder, not TCP ports. A socket's
    # path may not exceed 107 bytes, so the folder is a short one of its own, not the output's.
    _sweep_sockets()
    sockets = Path(tempfile.mkdtemp(prefix=f"{SOCKETS_PREFIX}{os.getpid()}-", dir=_short_temp_dir()))
    manager = AsyncKernelManager(
        kernel_name="python3",
        kernel_spec_manager=_KernelSpecs(),
        transport="ipc",
        ip=str(sockets / "k"),
    )
    environment = {**os.environ, VALIDATED_ENV: validated}
    # Started before papermill is imported: the kernel boots while this process goes on. What the
    # kernel process itself prints (ipykernel echoes output written at the file-descriptor level)
    # goes to a log beside the notebook, not to this build's terminal.
    log = (workdir / "kernel.log").open("ab")
    try:
        run_sync(manager.start_kernel)(
            extra_arguments=KERNEL_ARGUMENTS, env=environment, cwd=str(config.PROJECT_ROOT), stdout=log, stderr=log
        )
    finally:
        log.close()  # the kernel holds its own copy
    try:
        import papermill

        _register_translator()
        _register_engine(workdir / "executed.ipynb")
        try:
            return papermill.execute_notebook(
                str(notebook),
                str(workdir / "executed.ipynb"),
                parameters=parameters,
                engine_name=ENGINE,
                km=manager,
                progress_bar=False,
                request_save_on_cell_execute=False,
                execution_timeout=EXECUTION_TIMEOUT,
            )
        except papermill.PapermillExecutionError as error:
            raise NotebookExecutionError(f"{error.ename}: {error.evalue} (cell {error.cell_index})") from None
        except (DeadKernelError, CellTimeoutError) as error:
            raise NotebookExecutionError(f"{type(error).__name__}: {error}") from None
    finally:
        # nbclient leaves a kernel it did not start running: stop it here.
        if manager.has_kernel:
            run_sync(manager.shutdown_kernel)(now=True)
        shutil.rmtree(sockets, ignore_errors=True)


ENGINE = "analysis"


def _register_engine(partial: Path) -> None:
    """Use papermill's nbclient engine, keeping the notebook as run so far when the kernel fails.

    papermill itself saves a partly run notebook when a cell raises, but not when the kernel
    dies or a cell times out (with per-cell saving off): this engine saves it then too.
    """
    import nbformat
    from papermill.engines import NBClientEngine, papermill_engines

    class Engine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, **kwargs):
            try:
                return super().execute_managed_notebook(nb_man, kernel_name, **kwargs)
            except Exception:
                nbformat.write(nb_man.nb, partial)
                raise

    papermill_engines.register(ENGINE, Engine)


def _KernelSpecs():  # noqa: N802 - builds a class: jupyter_client is imported only when a kernel starts
    """Return a kernel spec manager whose python3 kernel is this interpreter, via `analysis.kernel`."""
    from jupyter_client.kernelspec import KernelSpec, KernelSpecManager

    class KernelSpecs(KernelSpecManager):
        def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
            return KernelSpec(
                argv=[sys.executable, "-m", "analysis.kernel", "-f", "{connection_file}"],
                display_name="Python 3 (ipykernel)",
                language="python",
                name=kernel_name,
            )

    return KernelSpecs()


SOCKETS_PREFIX = "analysis-kernel-"


def _sweep_sockets() -> None:
    """Remove socket folders of builds that were killed (their process no longer exists)."""
    for folder in Path(_short_temp_dir()).glob(f"{SOCKETS_PREFIX}*-*"):
        owner = folder.name.removeprefix(SOCKETS_PREFIX).split("-", 1)[0]
        if not owner.isdigit() or int(owner) == os.getpid():
            continue
        try:
            os.kill(int(owner), 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)  # best effort: it only holds dead sockets
        except PermissionError:
            continue  # another user's live build


def _short_temp_dir() -> str:
    """Return the temporary folder, unless its path is too long for a socket (then /tmp)."""
    default = tempfile.gettempdir()
    return default if len(default) <= 60 else "/tmp"


def build_one(
    variant: Variant,
    out_dir: Path,
    formats: tuple[str, ...] = FORMATS,
    force: bool = False,
    notebook: Path = config.DEFAULT_NOTEBOOK,
    progress: Progress = _silent,
) -> Outcome:
    """Build one variant into ``out_dir``, or reuse its outputs when nothing changed.

    The outputs replace the previous ones all at once, or not at all (see `analysis.outputs`):
    a build that fails or is killed at any moment leaves the previous outputs as they were.

    Parameters
    ----------
    variant : Variant
        What to build.
    out_dir : pathlib.Path
        The output folder.
    formats : tuple of str
        ``"html"`` and/or ``"pdf"``; the executed notebook and the metrics file always.
    force : bool
        Rebuild even when the cache says nothing changed.
    notebook : pathlib.Path
        The report notebook.
    progress : callable
        Called with (name, step) as the build goes.

    Returns
    -------
    Outcome
    """
    started = time.perf_counter()
    name = variant.name
    key = cache_key(variant, formats, notebook)
    with outputs.locked(out_dir, name, lambda: progress(name, "waiting for another build of this report to finish")):
        outputs.tidy(out_dir, name)
        if not force and (reused := reusable(out_dir, name, key)):
            outputs.forget_failure(out_dir, name)
            return Outcome(name, "unchanged", reused, time.perf_counter() - started)
        version = outputs.new_version(out_dir, name)
        try:
            outcome = _build_into(variant, out_dir, version, formats, key, notebook, progress)
        except NotebookExecutionError as error:
            kept = outputs.keep_failed(out_dir, name, version)
            shown = config.display_path(kept) if kept else None
            raise NotebookExecutionError(str(error).removeprefix("the report notebook failed: "), shown) from None
        finally:
            with contextlib.suppress(OSError):  # a leftover is tidied (or reported) by the next build
                outputs.discard(out_dir, name, version)
    outcome.seconds = time.perf_counter() - started
    return outcome


def _build_into(
    variant: Variant,
    out_dir: Path,
    version: Path,
    formats: tuple[str, ...],
    key: str,
    notebook: Path,
    progress: Progress,
) -> Outcome:
    import nbformat

    from analysis import __version__, render

    name = variant.name

    def step(text: str) -> None:
        (version / "phase").write_text(text + "\n")  # what a killed build was doing
        progress(name, text)

    previous = out_dir / f"{name}.metrics.json"
    parameters = {**variant.parameters, "compare_with": config.display_path(previous) if previous.is_file() else ""}

    step("executing the notebook")
    renderers = threading.Thread(target=render.prepare, name="prepare-renderers", daemon=True)
    renderers.start()  # imports and compiles while the kernel works in its own process
    nb = execute(notebook, parameters, version, variant.validated)
    renderers.join()
    nb.metadata.papermill["input_path"] = config.display_path(notebook)
    nb.metadata.papermill["output_path"] = config.display_path(out_dir / f"{name}.ipynb")
    metrics = render.collect_metrics(nb)

    files: dict[str, bytes] = {f"{name}.ipynb": nbformat.writes(nb).encode("utf-8")}
    for figure in render.collect_figures(nb):
        stem = f"{FIGURES_DIR}/{name}-{figure['key']}"
        if figure.get("png"):
            files[f"{stem}.png"] = base64.b64decode(figure["png"])
        if figure.get("svg"):
            files[f"{stem}.svg"] = figure["svg"].encode("utf-8")

    prov = metrics["provenance"]
    commit = prov.get("git_commit") or "not a git checkout"
    page = {
        **metrics["report"],
        "built": prov["built_at"].replace("T", " ").replace("Z", " UTC"),
        "data_vintage": metrics["report"].get("data_vintage") or "unknown",
        "code": f"{commit[:12]}{' (modified)' if prov.get('git_dirty') else ''}",
        "notebook": config.display_path(notebook),
        "version": __version__,
    }
    if "html" in formats or "pdf" in formats:
        step("rendering HTML")
        html = render.to_html(nb, page)
        if "html" in formats:
            files[f"{name}.html"] = html.encode("utf-8")
        if "pdf" in formats:
            step("rendering PDF")
            files[f"{name}.pdf"] = render.to_pdf(html)

    step("writing outputs")
    (version / FIGURES_DIR).mkdir(exist_ok=True)
    for relative, data in files.items():
        _write(version / relative, data)
    # A key taken before the kernel read the inputs vouches for them only if they did not change
    # meanwhile; if they did, no key is stored, and the next build runs afresh.
    stored_key = key if cache_key(variant, formats, notebook) == key else None
    metrics["build"] = {
        "name": name,
        "params_file": variant.origin,
        "cache_key": stored_key,
        "formats": sorted(formats),
        "notebook": config.display_path(notebook),
        "outputs": {relative: "sha256:" + hashlib.sha256(data).hexdigest() for relative, data in files.items()},
        "analysis_version": __version__,
    }
    metrics_name = f"{name}.metrics.json"
    _write(version / metrics_name, (json.dumps(metrics, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
    for scratch in ("phase", "executed.ipynb", "kernel.log"):
        (version / scratch).unlink(missing_ok=True)

    outputs.switch(out_dir, name, version, [*files, metrics_name])
    outputs.forget_failure(out_dir, name)
    return Outcome(name, "built", [*files, metrics_name], warnings=render.stderr_messages(nb))


# Many variants -----------------------------------------------------------------------------


def _build_in_worker(arguments: tuple) -> Outcome:
    variant, out_dir, formats, force, notebook, show = arguments
    return _guarded(variant, out_dir, formats, force, notebook, terminal_progress if show else _silent)


def _guarded(variant, out_dir, formats, force, notebook, progress) -> Outcome:
    """Build one variant; turn any failure into an Outcome, so other variants still finish."""
    started = time.perf_counter()
    try:
        return build_one(variant, out_dir, formats, force, notebook, progress)
    except AnalysisError as error:
        status, message = error.exit_status, str(error)
    except Exception as error:  # an unforeseen failure of one variant must not sink the others
        status, message = 1, f"{type(error).__name__}: {error}"
    return Outcome(variant.name, "failed", [], time.perf_counter() - started, message, status)


def terminal_progress(name: str, step: str) -> None:
    """Write one progress line to stderr (used only when it is a terminal)."""
    sys.stderr.write(f"  {name}: {step}…\n")
    sys.stderr.flush()


def build_all(
    variants: list[Variant],
    out_dir: Path,
    formats: tuple[str, ...] = FORMATS,
    force: bool = False,
    jobs: int = 1,
    notebook: Path = config.DEFAULT_NOTEBOOK,
    show_progress: bool = False,
) -> list[Outcome]:
    """Build every variant, reusing unchanged ones, in ``jobs`` processes at once.

    Inputs are checked for every variant that needs building before any kernel starts: one bad
    variant stops them all, and nothing is written.

    Parameters
    ----------
    variants : list of Variant
        What to build, from `plan`.
    out_dir : pathlib.Path
        The output folder.
    formats : tuple of str
        ``"html"`` and/or ``"pdf"``.
    force : bool
        Rebuild even what the cache says is unchanged.
    jobs : int
        Processes building at once, each with its own kernel.
    notebook : pathlib.Path
        The report notebook.
    show_progress : bool
        Report each step on stderr.

    Returns
    -------
    list of Outcome
        In the order of ``variants``.

    Raises
    ------
    InputError
        When any variant's data or parameters are bad (nothing is built then).
    """
    progress = terminal_progress if show_progress else _silent
    out_dir.mkdir(parents=True, exist_ok=True)
    pending, done = [], {}
    for variant in variants:
        key = cache_key(variant, formats, notebook)
        outputs = None if force else reusable(out_dir, variant.name, key)
        if outputs:
            done[variant.name] = Outcome(variant.name, "unchanged", outputs)
        else:
            pending.append(variant)
    if pending:
        pending = check(pending)
    if len(pending) > 1 and jobs > 1:
        import multiprocessing

        from analysis import render

        render.prepare()  # once, here: the forked workers inherit the imports and the compiled template
        import papermill  # noqa: F401

        context = multiprocessing.get_context("fork")
        arguments = [(v, out_dir, formats, force, notebook, show_progress) for v in pending]
        with context.Pool(min(jobs, len(pending))) as pool:
            for outcome in pool.imap_unordered(_build_in_worker, arguments):
                done[outcome.name] = outcome
    else:
        for index, variant in enumerate(pending, 1):
            if show_progress and len(pending) > 1:
                sys.stderr.write(f"[{index}/{len(pending)}] {variant.name}\n")
            done[variant.name] = _guarded(variant, out_dir, formats, force, notebook, progress)
    return [done[v.name] for v in variants]
