"""Build reports: the steps from checked parameters to published outputs.

A build (`build_one`) runs `STEPS` on a `Run`: wait for the kernel, execute the notebook,
harvest its metrics and figures, render the HTML and the PDF (each in a child process killed at
its time limit, `analysis._forked`), write everything into a version folder of its own and switch
to it (`analysis._outputs`): a build that fails or is stopped leaves the previous outputs as they
were. `build_all` checks every variant's inputs before any notebook runs, reuses unchanged ones
(`analysis._cache`), and builds the rest one after another or in ``jobs`` child processes.
"""

from __future__ import annotations

import contextlib
import functools
import json
import shutil
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from concurrent import futures
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analysis import __version__, errors
from analysis import _cache as cache
from analysis import _config as config
from analysis import _forked as forked
from analysis import _interrupts as interrupts
from analysis import _limits as limits
from analysis import _outputs as outputs
from analysis._limits import TimeLimits
from analysis._plan import Variant, check
from analysis.errors import AnalysisError, BuildError, InputFileError, NotebookExecutionError, TimeLimitError

FORMATS = ("html", "pdf")
STOP_GRACE = 20.0  # seconds a build of --jobs has to clean up once asked to stop, before it is killed

Progress = Callable[[str, str], None]


def silent(name: str, step: str) -> None:
    """Report no progress."""


def terminal_progress(name: str, step: str) -> None:
    """Write one progress line to stderr (used only when it is a terminal)."""
    print(f"  {name}: {step}…", file=sys.stderr, flush=True)


@dataclass(frozen=True)
class BuildOptions:
    """How to build: where to, which formats, and what to report on the way."""

    out_dir: Path = config.REPORTS_DIR
    formats: tuple[str, ...] = FORMATS
    force: bool = False  # rebuild even when the cache says nothing changed
    jobs: int = 1  # child processes building at once, a kernel each
    notebook: Path = config.DEFAULT_NOTEBOOK
    progress: Progress = silent  # (name, step); module-level, to reach the children of jobs
    html_first: bool = False  # publish the HTML set before the PDF is laid out (watch)
    on_publish: Callable[[str, tuple[str, ...]], None] | None = None  # (name, formats) after each publication
    time_limits: TimeLimits = field(default_factory=TimeLimits)


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
    detail: str = ""  # a failure's traceback, shown with --debug


@dataclass
class Run:
    """One build of one report as it goes: what each step reads and adds."""

    variant: Variant
    options: BuildOptions
    executor: Any
    version: Path  # the folder of the output set being made
    key: str  # the cache key taken before the kernel read the inputs
    scratch: Path  # the run's private folder, outside the output folder: the notebook as run so far, the kernel's log
    nb: Any = None
    metrics: dict[str, Any] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)  # output's path relative to the output folder: bytes
    html: str = ""
    warnings: list[str] = field(default_factory=list)
    published: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        """The report's name."""
        return self.variant.name

    def step(self, text: str) -> None:
        """Say what the build is doing: to the progress callback, and in its folder for a kill."""
        interrupts.check()
        phase = self.version.relative_to(self.options.out_dir) / "phase"
        outputs.write(self.options.out_dir, phase.as_posix(), f"{text}\n".encode())
        self.options.progress(self.name, text)


# The steps ----------------------------------------------------------------------------------


def _prepare() -> None:
    from analysis import _execute as execute
    from analysis import _export as export

    execute.register()  # imports papermill
    export.prepare()


@functools.cache
def prepare_in_background() -> threading.Thread:
    """Import papermill and the renderers and rehearse a page, in a thread (once a process)."""
    thread = threading.Thread(target=_prepare, name="prepare-renderers", daemon=True)
    thread.start()
    return thread


def renderers_changed() -> None:
    """Forget the compiled templates, after a template or its CSS changed."""
    from analysis import _export as export

    if prepare_in_background.cache_info().currsize:
        prepare_in_background().join()  # never clear the cache under a rehearsal still filling it
    export.exporter.cache_clear()
    prepare_in_background.cache_clear()


def start_kernel(run: Run) -> None:
    """Wait for the kernel (started ahead, while the inputs were checked) to be up."""
    run.step("starting the kernel")
    run.executor.ready()


def execute_notebook(run: Run) -> None:
    """Run the notebook with the variant's parameters; the renderers get ready meanwhile."""
    run.step("executing the notebook")
    previous = run.options.out_dir / f"{run.name}.metrics.json"
    parameters = {**run.variant.parameters, "compare_with": config.display_path(previous) if previous.is_file() else ""}
    renderers = prepare_in_background()
    run.nb = run.executor.run(run.options.notebook, parameters, run.scratch)
    renderers.join()


def harvest(run: Run) -> None:
    """Take the metrics, figures and warnings out of the executed notebook."""
    import nbformat

    from analysis import _harvest as take

    run.nb.metadata.papermill.update(
        input_path=config.display_path(run.options.notebook),
        output_path=config.display_path(run.options.out_dir / f"{run.name}.ipynb"),
    )
    run.metrics = take.metrics(run.nb)
    run.warnings = take.stderr_messages(run.nb)
    run.files = {f"{run.name}.ipynb": nbformat.writes(run.nb).encode("utf-8"), **take.figure_files(run.nb, run.name)}


def page(run: Run) -> dict[str, Any]:
    """Return what the template reads as ``resources.report``."""
    prov = run.metrics["provenance"]
    report = run.metrics.get("report", {})
    labels = report.get("labels", {})  # the edition's words, from its catalogue
    commit = (prov.get("git_commit") or "")[:12] or labels.get("no_git", "not a git checkout")
    modified = f" ({labels.get('modified', 'modified')})" if prov.get("git_dirty") else ""
    return {
        **report,
        "built": prov["built_at"].replace("T", " ").replace("Z", " UTC"),
        "data_vintage": report.get("data_vintage") or labels.get("unknown", "unknown"),
        "code": f"{commit}{modified}",
        "notebook": config.display_path(run.options.notebook),
        "version": __version__,
        "lang": run.variant.lang,
        "editions": run.variant.editions,
    }


def render_html(run: Run) -> None:
    """Render the report's page (also the PDF's source: every build renders it)."""
    from analysis import _export as export

    run.step("rendering HTML")
    run.html = _bounded("html", "rendering HTML", export.to_html, run.nb, page(run), limit=run.options.time_limits.html)
    if "html" in run.options.formats:
        run.files[f"{run.name}.html"] = run.html.encode("utf-8")


def publish_html(run: Run) -> None:
    """With ``html_first``, publish the set without the PDF now: a set complete in itself."""
    if not (run.options.html_first and run.options.formats == FORMATS):
        return
    run.step("publishing HTML")
    _publish(run, ("html",))
    run.version = outputs.new_version(run.options.out_dir, run.name)  # the PDF's set, in a folder of its own


def render_pdf(run: Run) -> None:
    """Lay the page out as a PDF."""
    from analysis import _export as export

    if "pdf" not in run.options.formats:
        return
    run.step("rendering PDF")
    run.files[f"{run.name}.pdf"] = _bounded(
        "pdf", "rendering PDF", export.to_pdf, run.html, limit=run.options.time_limits.pdf
    )


def _bounded(phase: str, doing: str, function: Callable[..., Any], *args: Any, limit: float) -> Any:
    """Compute a rendering in a child process, killed at the phase's time limit or on Ctrl-C."""
    return forked.call(function, *args, phase=doing, limit=limit, exceeded=lambda: limits.exceeded(phase, limit))


def publish(run: Run) -> None:
    """Write every output into the build's folder and make it the report's outputs."""
    run.step("writing outputs")
    _publish(run, run.options.formats)


STEPS: list[Callable[[Run], None]] = [
    start_kernel,
    execute_notebook,
    harvest,
    render_html,
    publish_html,
    render_pdf,
    publish,
]


def _publish(run: Run, formats: tuple[str, ...]) -> None:
    """Publish the files made so far (those of ``formats``) with their metrics file (`analysis._outputs.publish`)."""
    # The key vouches for the inputs the kernel read only if they did not change meanwhile, and only
    # for a complete set; else none is stored, and the next build runs afresh.
    unchanged = (
        formats == run.options.formats
        and cache.cache_key(run.variant.parameters, formats, run.options.notebook) == run.key
    )
    build = {
        "name": run.name,
        "params_file": run.variant.params_file,
        "cache_key": run.key if unchanged else None,
        "formats": sorted(formats),
        "notebook": config.display_path(run.options.notebook),
        "outputs": {relative: cache.sha256(data) for relative, data in run.files.items()},
        "analysis_version": __version__,
    }
    metrics = json.dumps({**run.metrics, "build": build}, indent=2, ensure_ascii=False) + "\n"
    files = {**run.files, f"{run.name}.metrics.json": metrics.encode("utf-8")}  # the metrics file last
    run.published = outputs.publish(run.options.out_dir, run.name, run.version, files)
    if run.options.on_publish:
        run.options.on_publish(run.name, formats)


# One variant -------------------------------------------------------------------------------


def build_one(variant: Variant, options: BuildOptions, executor: Any = None) -> Outcome:
    """Build one variant, or reuse its outputs when nothing changed."""
    from analysis import _execute as execute

    if executor is None:
        with contextlib.closing(execute.Executor(options.notebook, options.time_limits)) as own:
            return build_one(variant, options, own)

    started = time.perf_counter()
    name, out_dir = variant.name, options.out_dir
    outputs.prepare(out_dir, [name])
    key = cache.cache_key(variant.parameters, options.formats, options.notebook)
    with _locked(options, name):
        if reused := _reuse(options, name, key, started):
            return reused
        run = None
        try:
            with interrupts.deferred():  # a stop comes once both folders are known, to be removed below
                run = Run(variant, options, executor, outputs.new_version(out_dir, name), key, execute.run_folder())
            for step in STEPS:
                step(run)
        except (NotebookExecutionError, TimeLimitError) as error:
            interrupts.check()  # a Ctrl-C that reached the kernel first is no failure of the notebook
            raise _keep_failed(error, out_dir, name, run.scratch) from None
        finally:
            # A leftover is tidied (or reported) by the next build; a Ctrl-C waits for the removal.
            with interrupts.deferred():
                if run is not None:
                    shutil.rmtree(run.scratch, ignore_errors=True)
                    with contextlib.suppress(OSError, BuildError):
                        outputs.discard(out_dir, name, run.version)
    return Outcome(name, "built", run.published, time.perf_counter() - started, warnings=run.warnings)


def _keep_failed(error: AnalysisError, out_dir: Path, name: str, scratch: Path) -> AnalysisError:
    """Keep the partly executed notebook in ``failed/`` and say where; say why if it cannot be kept."""
    kept, note = None, ""
    try:
        kept = outputs.keep_failed(out_dir, name, scratch)
    except (OSError, BuildError) as problem:
        why = errors.describe(problem)
        note = f"\nThe partly executed notebook could not be kept: {why}"
    shown = config.display_path(kept) if kept else None
    if isinstance(error, NotebookExecutionError):
        return NotebookExecutionError(str(error).removeprefix("the report notebook failed: ") + note, shown)
    where = f"\nThe partly executed notebook is kept at {shown}" if shown else ""
    return type(error)(f"{error}{where}{note}")


def _locked(options: BuildOptions, name: str) -> Any:
    """Hold the report's lock (`analysis._outputs.locked`), saying so while another build has it."""
    return outputs.locked(
        options.out_dir, name, lambda: options.progress(name, "waiting for another build of this report to finish")
    )


def _reuse(options: BuildOptions, name: str, key: str, started: float) -> Outcome | None:
    """Tidy a report's leftovers and, unless forced, reuse its outputs if nothing changed (lock held)."""
    outputs.tidy(options.out_dir, name)
    if options.force or not (reused := cache.reusable(options.out_dir, name, key)):
        return None
    outputs.forget_failure(options.out_dir, name)
    return Outcome(name, "unchanged", reused, time.perf_counter() - started)


# Many variants -----------------------------------------------------------------------------


def guarded(variant: Variant, options: BuildOptions, executor: Any = None) -> Outcome:
    """Build one variant; turn any failure into an Outcome, so other variants still finish."""
    started = time.perf_counter()
    try:
        return build_one(variant, options, executor)
    except Exception as error:  # a failure of one variant, foreseen or not, must not sink the others
        status = error.exit_status if isinstance(error, AnalysisError) else 1
        message, detail = errors.describe(error), traceback.format_exc()
    return Outcome(variant.name, "failed", [], time.perf_counter() - started, message, status, detail=detail)


def in_parallel(variants: list[Variant], options: BuildOptions) -> Iterator[Outcome]:
    """Build variants in ``options.jobs`` forked children at once; yield each outcome as it comes."""
    waiting = list(variants)
    running: dict[futures.Future[Outcome], tuple[Variant, Any]] = {}
    try:
        while waiting or running:
            while waiting and len(running) < options.jobs:
                variant = waiting.pop(0)
                future, child = forked.start(guarded, variant, options, cleans_up=True)
                running[future] = variant, child
            done, _ = futures.wait(running, return_when=futures.FIRST_COMPLETED)
            for future in done:
                variant, _ = running.pop(future)
                try:
                    yield forked.outcome(future, f"building {variant.name}")
                except BuildError as error:  # the child died without a word
                    yield Outcome(variant.name, "failed", [], 0.0, str(error), error.exit_status)
    except BaseException:
        for _, child in running.values():
            child.terminate()
        futures.wait(running, timeout=STOP_GRACE)
        for _, child in running.values():
            child.kill()
            child.join()
        raise


def _unchanged(variant: Variant, options: BuildOptions) -> Outcome | None:
    """Reuse a variant's outputs if nothing changed, before any kernel starts for it."""
    started = time.perf_counter()
    try:
        key = cache.cache_key(variant.parameters, options.formats, options.notebook)
    except InputFileError:  # an input that cannot be read: the checks say so, located
        return None
    if options.force or not cache.reusable(options.out_dir, variant.name, key):  # no lock file made then
        return None
    with _locked(options, variant.name):
        return _reuse(options, variant.name, key, started)


def build_all(variants: list[Variant], options: BuildOptions) -> list[Outcome]:
    """Build every variant, reusing unchanged ones, in ``options.jobs`` processes at once."""
    outputs.prepare(options.out_dir, [v.name for v in variants])
    done = {v.name: outcome for v in variants if (outcome := _unchanged(v, options))}
    to_build = [v for v in variants if v.name not in done]
    if len(to_build) > 1 and options.jobs > 1:
        to_build = check(to_build)
        _prepare()  # once, here: the forked children inherit the imports and compiled templates
        with contextlib.closing(in_parallel(to_build, options)) as outcomes:
            done.update((outcome.name, outcome) for outcome in outcomes)
    elif to_build:
        from analysis._execute import Executor

        with contextlib.closing(Executor(options.notebook, options.time_limits)) as executor:
            executor.start()  # the kernel boots and imports while this process checks the inputs
            to_build = check(to_build)
            prepare_in_background()  # and then gets the renderers ready while the kernel finishes
            for index, variant in enumerate(to_build, 1):
                if len(to_build) > 1:
                    options.progress(variant.name, f"report {index} of {len(to_build)}")
                done[variant.name] = guarded(variant, options, executor)
    return [done[v.name] for v in variants]
