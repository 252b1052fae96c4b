"""``analysis watch``: build, then rebuild on every saved change, with a kernel kept warm.

Data and params changes rerun the notebook in the warm kernel; notebook, code or lock file
changes start a fresh one; a change to this process's own code restarts the command. Each
rebuild publishes the HTML, then the PDF; failures are shown in the terminal and on the served
page and never end the watch. Builds run in a thread; the main thread watches files and takes
the signals (`analysis._interrupts`), which stop the build, the kernel and the server.
"""

from __future__ import annotations

import dataclasses
import os
import queue
import signal
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from analysis import _config as config
from analysis import _interrupts as interrupts
from analysis import _outputs as outputs
from analysis._pipeline import BuildOptions, guarded, renderers_changed
from analysis._plan import Variant, check, plan, report_name
from analysis._serve import Server, State
from analysis.errors import DataValidationError, InputError, describe

STEP_MS = 50  # quiet time that ends a burst of changes (an editor's save)
DEBOUNCE_MS = 1600  # longest a burst is gathered
FRESH_KERNEL = {"code", "notebook", "lock"}


class Session:
    """One ``analysis watch``: its builds, its kernel, its server."""

    def __init__(
        self,
        params_files: list[Path],
        overrides: list[tuple[str, str]],
        options: BuildOptions,
        port: int | None = 0,
        argv: Sequence[str] = (),
        stream: TextIO = sys.stdout,
        debug: bool = False,
    ) -> None:
        self.params_files = [config.given_path(p) for p in params_files] or [config.DEFAULT_PARAMS]
        self.overrides, self.port, self.argv, self.stream, self.debug = overrides, port, list(argv), stream, debug
        self.options = dataclasses.replace(options, html_first=True, on_publish=self._published, force=False)
        self.server = self.executor = None
        self.state = State()  # what the page shows, where `server` serves it
        self.changes: queue.Queue[set[tuple[Any, str]] | None] = queue.Queue()
        self.stop = threading.Event()
        self.rewatch = threading.Event()
        self.restart = False
        self.status = 0  # the exit status: 1 after a fatal error, 128 + N after signal N but SIGINT
        self.data_dirs = self._data_dirs(self._plan_quietly())
        self._print_lock = threading.Lock()
        self._started = 0.0
        self._reloaded: set[str] = set()

    # What is watched ----------------------------------------------------------------------

    def _plan_quietly(self) -> list[Variant]:
        """Plan the reports, or none where that fails (the build says why)."""
        try:
            return plan(self.params_files, self.overrides, self.options.notebook)
        except Exception:
            return []

    def _data_dirs(self, variants: list[Variant]) -> tuple[Path, ...]:
        folders = {config.resolve_project_path(v.parameters["data_dir"]) for v in variants} or {config.DATA_DIR}
        return tuple(sorted(folders))

    def roots(self) -> list[Path]:
        """Return the folders and files to watch."""
        found = {
            *self.data_dirs,
            *(p.parent for p in self.params_files),
            self.options.notebook.parent,
            config.PACKAGE_DIR,
        }
        roots = sorted(p for p in found if p.is_dir())
        return [*roots, config.LOCK_FILE] if config.LOCK_FILE.is_file() else roots

    def kind(self, path: Path) -> str | None:
        """Say what a changed file is to the reports."""
        path = Path(os.path.abspath(path))  # noqa: PTH100 - a link is what was edited
        if path.name in config.DATA_FILES and path.parent in self.data_dirs:
            return "data"
        if path.is_relative_to(config.PACKAGE_DIR) and "__pycache__" not in path.parts:
            return "code"  # every file of the package, as the cache key counts them (cache.code_digest)
        named = {**dict.fromkeys(self.params_files, "params"), self.options.notebook: "notebook"}
        return {**named, config.LOCK_FILE: "lock"}.get(path)

    # Reporting ----------------------------------------------------------------------------

    def say(self, text: str) -> None:
        """Write a line to the terminal, with the time."""
        with self._print_lock:
            print(f"{time.strftime('%H:%M:%S')} {text}", file=self.stream, flush=True)

    def problems(self, headline: str, lines: list[str], summary: str, name: str = "") -> None:
        """Report a failed build on the served page and in the terminal (``name``: its report)."""
        # the page first: whoever reads the terminal finds the page saying it too
        self.state.failed(headline, [*lines, summary], name)
        with self._print_lock:
            self.stream.writelines(f"{line}\n" for line in lines)
        self.say(summary)

    def _published(self, name: str, formats: tuple[str, ...]) -> None:
        seconds = time.perf_counter() - self._started
        if name not in self._reloaded:  # the page reloads once a build, for its HTML
            self.state.published(name)
        self._reloaded.add(name)
        shown = config.display_path(self.options.out_dir / name)
        what = "PDF" if "pdf" in formats else "HTML"
        self.say(f"{name}: {what} updated in {seconds:.1f} s ({shown}.{what.lower()})")

    def _kept(self, names: list[str] | None = None) -> tuple[str, str]:
        """Say what the page shows after a failure: the last good report, or that none was ever built."""
        names = names or self._names()
        if any((self.options.out_dir / f"{name}.html").exists() for name in names):
            return "this is the last good report", "the last good report stays published"
        return "nothing has been built yet", "nothing has been built yet"

    # Building -----------------------------------------------------------------------------

    def rebuild(self, reason: str) -> None:
        """Plan, check and build every report; report what went wrong, if anything did."""
        self._started = time.perf_counter()
        self._reloaded = set()
        self.say(reason)
        try:
            variants = plan(self.params_files, self.overrides, self.options.notebook)
            folders = self._data_dirs(variants)
            if folders != self.data_dirs:  # a params file now reads another folder: watch it
                self.data_dirs = folders
                self.rewatch.set()
            variants = check(variants)
        except InputError as error:
            lines = [str(p) for p in getattr(error, "problems", [])] or [str(error)]
            count = getattr(error, "count", len(lines))  # the data's: those left unlisted included, as build counts
            what = "in the data" if isinstance(error, DataValidationError) else "in the parameters"
            kept = self._kept()
            summary = f"{count:,} problem{'s' if count != 1 else ''} {what}: nothing was built; {kept[1]}."
            self.problems(f"The last build failed: {kept[0]}.", lines, summary)
            return
        for variant in variants:
            outcome = guarded(variant, self.options, self.executor)
            if outcome.status == "failed":
                self._failed(variant.name, outcome)
            elif outcome.status == "unchanged":  # an edit undone: the published report is current
                self.state.cleared(variant.name)
                self.say(f"{variant.name}: unchanged")
            for warning in outcome.warnings:
                self.say(f"{variant.name}: warning from the notebook: {warning}")

    def _failed(self, name: str, outcome: Any) -> None:
        """Report a failed build of a report, and whether its HTML went out before its PDF failed."""
        lines = outcome.message.splitlines() + (outcome.detail.rstrip().splitlines() if self.debug else [])
        if name in self._reloaded:  # its HTML set was published before the PDF failed
            lines = [line.replace("nothing was published", "the PDF was not published") for line in lines]
            headline = f"{name}: this build's HTML is published, but its PDF failed."
            summary = f"{name}: the PDF failed; the HTML is this build's, and there is no PDF."
        else:
            kept = self._kept([name])
            headline, summary = f"{name}: the last build failed: {kept[0]}.", f"{name}: failed; {kept[1]}."
        self.problems(headline, lines, summary, name)

    def _attempt(self, reason: str, fresh_kernel: bool = False) -> None:
        """Rebuild (in a fresh kernel if asked); a failure of any kind is reported, and the watch goes on."""
        try:
            if fresh_kernel:
                renderers_changed()  # a template or its CSS may have changed
                self.executor.restart()
            self.rebuild(reason)
        except Exception as error:  # a bug or the machine (out of files): said, and the next change rebuilds
            kept = self._kept()
            self.problems(
                f"The last build failed: {kept[0]}.",
                [f"error: {describe(error)}"],
                f"the build failed; {kept[1]}; the watch goes on, and builds again on the next change.",
            )

    def _builder(self) -> None:
        """Build on every batch of changes, until told to stop (runs in its own thread)."""
        try:
            self._attempt("building")
            while not self.stop.is_set():
                batch = [self.changes.get()]
                while not self.changes.empty():  # the changes made during the last build, too
                    batch.append(self.changes.get_nowait())
                if None in batch:
                    return
                paths = sorted({Path(p) for changes in batch for _, p in changes})
                kinds = {self.kind(p) for p in paths}
                shown = ", ".join(config.display_path(p) for p in paths)
                if "code" in kinds and _imported_here(paths):
                    self.say(f"{shown} changed: the build's own code; restarting analysis watch")
                    self.restart = True
                    self._stop_watching()
                    return
                fresh = bool(kinds & FRESH_KERNEL)
                self._attempt(f"{shown} changed: rebuilding in {'a fresh' if fresh else 'the warm'} kernel", fresh)
        except KeyboardInterrupt:  # the run in progress was interrupted: Ctrl-C
            return
        except Exception as error:  # a bug of the watch itself (not of a build) must not leave it hanging silently
            self.say(f"error: {describe(error)}; stopping")
            self.status = 1
            self._stop_watching()
            os.kill(os.getpid(), signal.SIGINT)

    def _stop_watching(self) -> None:
        self.stop.set()
        self.rewatch.set()

    # The session --------------------------------------------------------------------------

    def _names(self) -> list[str]:
        """Return the reports' names: as planned, or the first params file's report where planning fails."""
        lang = dict(self.overrides).get("lang", config.DEFAULT_LANGUAGE)
        return [v.name for v in self._plan_quietly()] or [report_name(self.params_files[0].stem, lang)]

    def run(self) -> int:
        """Build, serve and watch until Ctrl-C (or SIGTERM, or SIGHUP)."""
        import watchfiles

        from analysis._execute import Executor

        outputs.prepare(self.options.out_dir, [v.name for v in self._plan_quietly()])
        builder = threading.Thread(target=self._builder, name="build", daemon=True)
        with interrupts.handled():  # even where the shell had SIGINT ignored (a background job's)
            try:
                self.executor = Executor(self.options.notebook, self.options.time_limits, warm=True)
                self.executor.start()  # boots and imports while the first build checks its inputs
                if self.port is not None:
                    home = f"{self._names()[0]}.html"
                    self.server = Server(self.options.out_dir, home, self.port, log=self.say, state=self.state)
                    self.say(f"serving {self.server.url}{home} (Ctrl-C stops)")
                self.say(f"watching {', '.join(config.display_path(p) for p in self.roots())}")
                builder.start()
                while not self.stop.is_set():
                    self.rewatch.clear()
                    for changes in watchfiles.watch(
                        *self.roots(),
                        watch_filter=lambda change, path: self.kind(Path(path)) is not None,
                        debounce=DEBOUNCE_MS,
                        step=STEP_MS,
                        stop_event=self.rewatch,
                        raise_interrupt=True,
                    ):
                        self.changes.put(changes)
            except KeyboardInterrupt:
                self.say("stopping")
            finally:
                self._close(builder)
        if not self.status and interrupts.requested() and interrupts.exit_status() != 128 + signal.SIGINT:
            self.status = interrupts.exit_status()
        if self.restart:
            self._restart()
        return self.status

    def _close(self, builder: threading.Thread) -> None:
        """Stop the build thread, the kernel and the server."""
        self.stop.set()
        self.changes.put(None)
        interrupts.request()  # the run in progress, its kernel and a renderer it waits for are stopped too
        try:
            if builder.is_alive():
                builder.join()
        finally:
            if self.executor is not None:
                self.executor.close()
            if self.server is not None:
                self.server.close()

    def _restart(self) -> None:
        """Run the same command again in this process (its code has changed)."""
        # the page finds the server where it was: the last --port given is the one argparse keeps
        argv = self.argv if self.server is None else [*self.argv, "--port", str(self.server.port)]
        os.execv(sys.executable, [sys.executable, "-m", "analysis", *argv])


def _imported_here(paths: list[Path]) -> bool:
    """Say whether a changed file is code this process has imported (then only a restart reloads it)."""
    loaded = {Path(m.__file__).resolve() for m in list(sys.modules.values()) if getattr(m, "__file__", None)}
    return any(p.suffix == ".py" and p.resolve() in loaded for p in paths if p.exists())


def watch(
    params_files: list[Path],
    overrides: list[tuple[str, str]],
    options: BuildOptions,
    port: int | None = 0,
    argv: Sequence[str] = (),
    debug: bool = False,
) -> int:
    """Run ``analysis watch`` until a signal stops it; return its exit status."""
    return Session(params_files, overrides, options, port, argv, debug=debug).run()
