"""Execute the report notebook with papermill in a kernel of the project's own.

A `Kernel` is one ipykernel process started through `analysis.kernel`: every socket an IPC socket
in a short private folder, its connection file and its log in the same folder, so that nothing
of it is left anywhere once it is closed. It starts, and imports what the notebook imports, in
the background: the build goes on checking its inputs meanwhile.

Two executors run notebooks on such kernels, behind one interface (`Executor`):

- `ColdExecutor` (``analysis build``): a fresh kernel for each run, started ahead of it.
- `WarmExecutor` (``analysis watch``): one kernel kept between runs, its namespace and state put
  back as a fresh kernel's before each (`analysis.kernel.prepare_run`), so that a run in it
  gives what a run in a fresh kernel gives.

papermill executes the notebook through the engine registered here once (`register`), which
keeps the notebook as run so far when a cell fails, the kernel dies or a cell times out.

Two phases of a build happen here, each within its time limit (`analysis.limits`): starting the
kernel (until its imports are done) and running the notebook (every cell together). Past either,
the kernel is stopped and the build fails with an error that names the phase. A kernel that dies
is reported with the last line of its log (running out of open files, say), never as a bare
"kernel died"; a cell's error with its type, its message (or that it had none) and its cell.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import json
import logging
import math
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Protocol

from analysis import config, interrupts, limits
from analysis.errors import NotebookExecutionError, TimeLimitError
from analysis.limits import TimeLimits

STARTUP_TIMEOUT = 60  # seconds a kernel may take to answer, where no time limit is given
BACKSTOP = 30  # seconds past the notebook's time limit after which its kernel is killed, whatever it does
SHOWN_LINES, SHOWN_CHARS = 20, 2000  # of an error's message, in the build's message
KERNEL_ARGUMENTS = ["--HistoryManager.enabled=False"]  # a run record needs no IPython history database
ENGINE = "analysis"
SOCKETS_PREFIX = "analysis-kernel-"
PARTIAL = "executed.ipynb"  # in a run's folder: the notebook as executed so far
KERNEL_LOG = "kernel.log"  # in a run's folder: what the kernel process printed during the run


class Executor(Protocol):
    """Runs the notebook; `analysis.pipeline` builds with either executor."""

    def start(self) -> None:
        """Start a kernel ahead of the next run (it imports while the caller goes on)."""

    def ready(self) -> None:
        """Wait until the kernel of the next run has started and done its imports (within its time limit)."""

    def run(self, notebook: Path, parameters: dict[str, Any], workdir: Path, validated: str = "") -> Any:
        """Execute the notebook; see `Kernel.run`."""

    def close(self) -> None:
        """Stop every kernel and remove everything they left."""


# papermill, set up once ----------------------------------------------------------------------


@functools.cache
def register() -> None:
    """Register the parameter translator and the execution engine with papermill (once).

    Parameters are written as Python literals with ``repr``: papermill's own translator escapes
    strings by hand, while ``repr`` round-trips any text (quotes, backslashes, newlines,
    non-ASCII), so a value is always data, never code. The engine is papermill's nbclient
    engine, with one more argument, ``partial_path``: where to save the notebook as run so far
    when the run fails in any way (papermill saves it when a cell raises, but not when the
    kernel dies or a cell times out); and it closes the kernel client it opened.
    """
    import nbformat
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines
    from papermill.translators import PythonTranslator, papermill_translators

    class LiteralTranslator(PythonTranslator):
        @classmethod
        def translate_str(cls, val: str) -> str:
            return repr(val)

        translate_escaped_str = translate_str

    class Engine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(
            cls,
            nb_man,
            kernel_name,
            log_output=False,
            stdout_file=None,
            stderr_file=None,
            start_timeout=STARTUP_TIMEOUT,
            execution_timeout=None,
            partial_path=None,
            **kwargs,
        ):
            for unused in ("input_path", "timeout", "startup_timeout"):
                kwargs.pop(unused, None)
            client = PapermillNotebookClient(
                nb_man,
                **kwargs,
                timeout=execution_timeout,
                startup_timeout=start_timeout,
                kernel_name=kernel_name,
                log=_quiet_log(),  # its failures are reported as the build's messages, once
                log_output=log_output,
                stdout_file=stdout_file,
                stderr_file=stderr_file,
            )
            try:
                return client.execute()
            except Exception:
                if partial_path:
                    nbformat.write(nb_man.nb, partial_path)
                raise
            finally:
                if client.kc is not None:  # nbclient leaves the client of a kernel it did not start open
                    client.kc.stop_channels()

    papermill_translators.register("python", LiteralTranslator)
    papermill_engines.register(ENGINE, Engine)
    _ignore_stopped_polling()


def _quiet_log() -> Any:
    """Return a logger that prints nothing.

    nbclient's "Timeout waiting for execute reply" and the like would reach the terminal beside the
    build's own message of the same failure.
    """
    import logging

    log = logging.getLogger("analysis.nbclient")
    log.propagate = False
    if not log.handlers:
        log.addHandler(logging.NullHandler())
    return log


class _StoppedPolling(logging.Filter):
    """Drop asyncio's report of nbclient's output-polling task, failed because its kernel was stopped.

    When a run is stopped (its time limit, a dead kernel), nbclient leaves the task that reads the
    kernel's output pending; the client's channels are then closed, the task fails on a closed
    socket, and asyncio prints "Task exception was never retrieved" with a traceback when the task
    is collected, after the build's own message. Only that record is dropped.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not (message.startswith("Task exception was never retrieved") and "_async_poll_output_msg" in message)


def _ignore_stopped_polling() -> None:
    logger = logging.getLogger("asyncio")
    if not any(isinstance(f, _StoppedPolling) for f in logger.filters):
        logger.addFilter(_StoppedPolling())


# Kernels ----------------------------------------------------------------------------------------


def _kernel_specs():
    """Return a kernel spec manager whose every kernel is this interpreter, via `analysis.kernel`."""
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


def short_temp_dir() -> str:
    """Return the temporary folder, unless its path is too long for a socket (then /tmp).

    A Unix socket's path may not exceed 107 bytes.
    """
    default = tempfile.gettempdir()
    return default if len(default) <= 60 else "/tmp"


def run_folder() -> Path:
    """Make a private folder for one run, outside the output folder (swept as a kernel's is if the build is killed)."""
    return Path(tempfile.mkdtemp(prefix=f"{SOCKETS_PREFIX}{os.getpid()}-run-", dir=short_temp_dir()))


def sweep_sockets() -> None:
    """Remove the kernel folders of builds that were killed (their process no longer exists)."""
    for folder in Path(short_temp_dir()).glob(f"{SOCKETS_PREFIX}*-*"):
        owner = folder.name.removeprefix(SOCKETS_PREFIX).split("-", 1)[0]
        if not owner.isdigit() or int(owner) == os.getpid():
            continue
        try:
            os.kill(int(owner), 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)  # best effort: it only holds dead sockets
        except PermissionError:
            continue  # another user's live build


def warm_imports(notebook: Path) -> str:
    """Return the notebook's top-level import statements, to run in a kernel before the notebook.

    Parameters
    ----------
    notebook : pathlib.Path
        The report notebook.

    Returns
    -------
    str
        One import statement a line (cells that are not plain Python are skipped).
    """
    statements = []
    for cell in json.loads(notebook.read_text(encoding="utf-8")).get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        try:
            tree = ast.parse(source if isinstance(source, str) else "".join(source))
        except SyntaxError:
            continue
        statements += [ast.unparse(n) for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)]
    return "\n".join(dict.fromkeys(statements))


SETTLE = "__import__('analysis.kernel', fromlist=['settle']).settle()"


class Kernel:
    """One kernel process on IPC sockets, in a private folder that closing removes.

    Parameters
    ----------
    imports : str
        Code the kernel runs as soon as it is up (the notebook's imports), in the background.
    time_limits : TimeLimits, optional
        Its start (until the imports are done) and each run of the notebook are bounded by them.
    """

    def __init__(self, imports: str = "", time_limits: TimeLimits | None = None) -> None:
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        sweep_sockets()
        self.limits = time_limits or TimeLimits()
        self.runs = 0
        self.busy = False
        self.interrupted = False
        self.timed_out = False
        self._client = None
        self._warmed: BaseException | None = None
        self.manager = None
        self.folder: Path | None = None
        try:
            with interrupts.deferred():  # a stop now comes once the folder is known, to be removed below
                self.folder = Path(tempfile.mkdtemp(prefix=f"{SOCKETS_PREFIX}{os.getpid()}-", dir=short_temp_dir()))
            self.manager = AsyncKernelManager(
                kernel_name="python3",
                kernel_spec_manager=_kernel_specs(),
                transport="ipc",
                ip=str(self.folder / "k"),
                connection_file=str(self.folder / "kernel.json"),
            )
            self.log = self.folder / KERNEL_LOG
            self.started = time.monotonic()
            # A Ctrl-C waits until the process is started and known, then stops it (below).
            with interrupts.deferred(), self.log.open("ab") as log:  # the kernel keeps its own descriptor
                run_sync(self.manager.start_kernel)(
                    extra_arguments=KERNEL_ARGUMENTS, cwd=str(config.PROJECT_ROOT), stdout=log, stderr=log
                )
        except BaseException:
            with interrupts.deferred():
                self.kill()
                process = getattr(getattr(self.manager, "provisioner", None), "process", None)
                if process is not None:
                    with contextlib.suppress(Exception):
                        process.wait(timeout=5)
                if self.folder is not None:
                    shutil.rmtree(self.folder, ignore_errors=True)
            raise
        self._warming = threading.Thread(target=self._warm, args=(imports,), name="kernel-warm-up", daemon=True)
        self._warming.start()

    @property
    def alive(self) -> bool:
        """Whether the kernel process is still running."""
        process = getattr(self.manager.provisioner, "process", None)
        return process is not None and process.poll() is None

    @property
    def pid(self) -> int | None:
        """The kernel process's id, while it runs."""
        provisioner = getattr(self.manager, "provisioner", None)
        process = getattr(provisioner, "process", None)
        return process.pid if process is not None else None

    def _start_left(self) -> float:
        return self.started + self.limits.kernel - time.monotonic()

    def _warm(self, imports: str) -> None:
        """Wait for the kernel, then run the imports and settle (in a thread of its own)."""
        from jupyter_client.blocking import BlockingKernelClient

        try:
            # Its parent, the manager, tells whether the kernel is alive (by its process, not by
            # a heartbeat that a busy machine can miss while the kernel starts).
            client = BlockingKernelClient(parent=self.manager)
            client.load_connection_info(self.manager.get_connection_info())
            client.start_channels(hb=False)  # its thread takes up to a second to stop; the manager knows if it lives
            self._client = client
            client.wait_for_ready(timeout=max(1.0, self._start_left()))
            # Errors are the notebook's to report, when it runs the same imports.
            self._execute(f"{imports}\n{SETTLE}" if imports else SETTLE, max(1.0, self._start_left()))
        except BaseException as error:  # handed to the thread that runs the notebook
            self._warmed = error

    def _execute(self, code: str, timeout: float) -> dict[str, Any]:
        reply = self._client.execute_interactive(
            code, silent=True, store_history=False, timeout=timeout, output_hook=lambda message: None
        )
        return reply["content"]

    def ready(self) -> None:
        """Wait until the kernel has started and done its imports, within its time limit.

        Raises
        ------
        TimeLimitError
            It took longer than the time limit of starting the kernel.
        NotebookExecutionError
            The kernel did not start (the message says why, from its log).
        """
        while self._warming.is_alive():
            left = self._start_left()
            if left <= 0:
                self.timed_out = True
                raise limits.exceeded("kernel", self.limits.kernel)
            self._warming.join(timeout=min(left, 0.2))
            interrupts.check()
        if self._warmed is not None:
            if self.alive and self._start_left() <= 1:  # it gave up waiting at the limit
                self.timed_out = True
                raise limits.exceeded("kernel", self.limits.kernel)
            raise NotebookExecutionError(f"the kernel did not start: {self._died(self._warmed)}")

    def _died(self, error: BaseException) -> str:
        """Say why the kernel failed: from its log if it died, else from the error."""
        from analysis import errors

        if self.alive:
            return f"{type(error).__name__}: {str(error) or 'no message'}"
        words = errors.last_words(self.log)
        said = f" (its log ends: {words})" if words else ""
        if "Too many open files" in words:
            said += f": {errors.out_of_files_message()}"
        return f"{type(error).__name__}: the kernel process exited{said}"

    def run(self, notebook: Path, parameters: dict[str, Any], workdir: Path, validated: str = "") -> Any:
        """Execute the notebook with papermill on this kernel.

        Parameters
        ----------
        notebook : pathlib.Path
            The report notebook.
        parameters : dict
            Checked parameter values; injected as literals after the parameters cell.
        workdir : pathlib.Path
            A private folder for this run (`run_folder`), never one of the output folder: the
            notebook as executed so far (``executed.ipynb``) and what the kernel printed
            meanwhile (``kernel.log``) are written there.
        validated : str, optional
            The validation token of the data (`analysis.load.validation_token`).

        Returns
        -------
        nbformat.NotebookNode

        Raises
        ------
        NotebookExecutionError
            A cell raised, the kernel died or a cell timed out; the partly executed notebook is
            at ``workdir / "executed.ipynb"``.
        """
        self.ready()
        logged = self.log.stat().st_size
        self.busy, self.runs = True, self.runs + 1
        try:
            # A stop asked of the build (Ctrl-C) interrupts the kernel's cell too: a signal sent
            # to the build's process alone does not reach the kernel.
            with interrupts.on_request(self.interrupt):
                return self._run(notebook, parameters, workdir, validated)
        except (NotebookExecutionError, TimeLimitError):
            if self.interrupted or interrupts.requested():  # stopped on purpose: not a failure
                raise KeyboardInterrupt from None
            raise
        finally:
            self.busy = False
            with contextlib.suppress(OSError), self.log.open("rb") as log:
                log.seek(logged)
                (workdir / KERNEL_LOG).write_bytes(log.read())

    def _run(self, notebook: Path, parameters: dict[str, Any], workdir: Path, validated: str) -> Any:
        import papermill
        from nbclient.exceptions import CellTimeoutError, DeadKernelError

        register()
        if self.interrupted:
            raise KeyboardInterrupt
        if not self.alive:
            raise NotebookExecutionError(f"DeadKernelError: the kernel died before the run{self._log_end()}")
        seconds = self.limits.notebook
        deadline = time.monotonic() + seconds

        def left(cell: Any = None) -> float:  # nbclient's timeout of each cell: what is left of the run's
            return max(0.01, deadline - time.monotonic())  # never 0: nbclient reads 0 as no limit

        # Whatever the kernel does (a cell that ignores interrupts, a wait outside any cell), it is
        # killed a little after the limit; nbclient then reports it dead.
        backstop = threading.Timer(seconds + BACKSTOP, self._time_out)
        backstop.daemon = True
        backstop.start()
        try:
            reply = self._execute(
                f"__import__('analysis.kernel', fromlist=['prepare_run']).prepare_run({validated!r})", left()
            )
            if reply["status"] != "ok":
                raise NotebookExecutionError(
                    f"the kernel could not be prepared: {error_text(reply.get('ename'), reply.get('evalue'))}"
                )
            return papermill.execute_notebook(
                str(notebook),
                str(workdir / PARTIAL),
                parameters=parameters,
                engine_name=ENGINE,
                km=self.manager,
                partial_path=str(workdir / PARTIAL),
                progress_bar=False,
                request_save_on_cell_execute=False,
                execution_timeout=math.ceil(seconds),  # an int, for nbclient; timeout_func decides
                timeout_func=left,
            )
        except papermill.PapermillExecutionError as error:
            raise NotebookExecutionError(cell_failure(error)) from None
        except (CellTimeoutError, TimeoutError):
            self.timed_out = True
            raise limits.exceeded("notebook", seconds) from None
        except OSError as error:  # papermill writing the executed notebook: a full disk does not name it
            if error.filename:
                raise
            raise OSError(error.errno, error.strerror, str(workdir / PARTIAL)) from error
        except DeadKernelError as error:
            if self.timed_out:
                raise limits.exceeded("notebook", seconds) from None
            raise NotebookExecutionError(
                f"DeadKernelError: {str(error) or 'the kernel died'}{self._log_end()}"
            ) from None
        finally:
            backstop.cancel()

    def _time_out(self) -> None:
        self.timed_out = True
        self.kill()

    def _log_end(self) -> str:
        """Say how the kernel's log ends (why it died, often), for a message."""
        from analysis import errors

        words = errors.last_words(self.log)
        if not words:
            return ""
        advice = f": {errors.out_of_files_message()}" if "Too many open files" in words else ""
        return f" (its log ends: {words}){advice}"

    def interrupt(self) -> None:
        """Stop the run in progress or about to start (from another thread): it raises KeyboardInterrupt."""
        self.interrupted = True
        pid = self.pid
        if self.busy and pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGINT)

    def kill(self) -> None:
        """Kill the kernel process at once (when a graceful stop is not waited for)."""
        pid = self.pid
        if pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)

    def request_shutdown(self) -> None:
        """Ask the kernel to exit, without waiting: it winds down while the build goes on."""
        if self._client is not None:
            with contextlib.suppress(Exception):  # a dead kernel needs no asking
                self._client.shutdown()

    def close(self, grace: float = 5.0) -> None:
        """Stop the kernel and remove its folder.

        Parameters
        ----------
        grace : float
            Seconds the kernel may take to exit after it was asked to (its ``atexit`` handlers
            run then); past them, or at once with 0, it is killed.
        """
        from jupyter_core.utils import run_sync

        with interrupts.deferred():  # a Ctrl-C meanwhile waits until nothing of the kernel is left
            self.request_shutdown()
            process = getattr(self.manager.provisioner, "process", None)
            try:
                if process is not None:
                    try:
                        process.wait(timeout=grace)
                    except subprocess.TimeoutExpired:
                        process.kill()
                        process.wait()
            finally:
                self._warming.join(timeout=5)  # it ends when the kernel does
                if self._client is not None:
                    self._client.stop_channels()
                with contextlib.suppress(Exception):  # closes the manager's sockets; the folder goes anyway
                    run_sync(self.manager.cleanup_resources)()
                shutil.rmtree(self.folder, ignore_errors=True)


# The two executors ------------------------------------------------------------------------------


class ColdExecutor:
    """A fresh kernel for every run; `start` starts the next one ahead.

    Parameters
    ----------
    notebook : pathlib.Path
        The report notebook, whose imports each kernel runs as soon as it is up.
    time_limits : TimeLimits, optional
        Of starting each kernel, and of each run.
    """

    def __init__(self, notebook: Path = config.DEFAULT_NOTEBOOK, time_limits: TimeLimits | None = None) -> None:
        self.notebook = notebook
        self.limits = time_limits or TimeLimits()
        self._next: Kernel | None = None
        self._done: list[Kernel] = []

    def start(self) -> None:
        """Start the kernel of the next run now, if it is not started yet."""
        if self._next is None:
            self._next = Kernel(warm_imports(self.notebook), self.limits)

    def ready(self) -> None:
        """Wait until the kernel of the next run is up (see `Kernel.ready`)."""
        self.start()
        self._next.ready()

    def run(self, notebook: Path, parameters: dict[str, Any], workdir: Path, validated: str = "") -> Any:
        """Execute the notebook in a fresh kernel (see `Kernel.run`); the kernel then exits."""
        self.start()
        kernel, self._next = self._next, None
        self._done.append(kernel)
        try:
            return kernel.run(notebook, parameters, workdir, validated)
        finally:
            kernel.request_shutdown()  # it exits while the build renders; `close` waits for it

    def close(self) -> None:
        """Stop every kernel this executor started, the unused one included.

        A kernel that ran the notebook was asked to exit as soon as it had, and has had the
        rendering's time to do so gracefully; one that ran nothing of it is stopped at once.
        """
        done, unused = self._done, self._next
        self._done, self._next = [], None
        for kernel in done:
            kernel.close(grace=2.0)
        if unused is not None:
            unused.close(grace=0)


class WarmExecutor:
    """One kernel kept between runs, each run starting from a fresh kernel's state.

    Parameters
    ----------
    notebook : pathlib.Path
        The report notebook, whose imports the kernel runs once, as soon as it is up.
    time_limits : TimeLimits, optional
        Of starting the kernel, and of each run.
    """

    def __init__(self, notebook: Path = config.DEFAULT_NOTEBOOK, time_limits: TimeLimits | None = None) -> None:
        self.notebook = notebook
        self.limits = time_limits or TimeLimits()
        self.kernel: Kernel | None = None

    def start(self) -> None:
        """Start the kernel, if none is running."""
        if self.kernel is None:
            self.kernel = Kernel(warm_imports(self.notebook), self.limits)

    def ready(self) -> None:
        """Wait until the kernel is up, replacing one that died (see `Kernel.ready`)."""
        if self.kernel is not None and not self.kernel.alive:
            self.close()
        self.start()
        try:
            self.kernel.ready()
        except BaseException:
            self.close()  # the next run gets a fresh kernel
            raise

    def restart(self) -> None:
        """Replace the kernel with a fresh one (after a change to the code or the notebook)."""
        self.close()
        self.start()

    def run(self, notebook: Path, parameters: dict[str, Any], workdir: Path, validated: str = "") -> Any:
        """Execute the notebook in the warm kernel (see `Kernel.run`).

        A kernel that died since the last run is replaced before this one; a run that fails in any
        way leaves the next run a fresh kernel.
        """
        if self.kernel is not None and not self.kernel.alive:
            self.close()
        self.start()
        try:
            return self.kernel.run(notebook, parameters, workdir, validated)
        except BaseException:
            self.close()  # whatever the failure left in it, the next run gets a fresh kernel
            raise

    def interrupt(self) -> None:
        """Interrupt the run in progress, if any (from another thread)."""
        if self.kernel is not None:
            self.kernel.interrupt()

    def close(self) -> None:
        """Stop the kernel and remove its folder."""
        kernel, self.kernel = self.kernel, None
        if kernel is not None:
            kernel.close()


# Messages ----------------------------------------------------------------------------------------


def _bounded(text: str) -> str:
    """Cut an error's message to a length a terminal shows (the whole is in the notebook kept)."""
    lines = text.splitlines()
    shown = "\n".join(lines[:SHOWN_LINES])
    if len(shown) > SHOWN_CHARS:
        shown = shown[:SHOWN_CHARS] + "…"
    left = len(text) - len(shown)
    return shown if left <= 0 else f"{shown} ({left:,} more characters: see the partly executed notebook)"


def error_text(name: str | None, value: str | None) -> str:
    """Say an exception raised in the kernel: its type and its message, or that it had none.

    Parameters
    ----------
    name : str or None
        The exception's type (``ename``).
    value : str or None
        Its message (``evalue``), possibly empty.

    Returns
    -------
    str

    Examples
    --------
    >>> error_text("ValueError", "")
    'ValueError, with no message'
    """
    name = name or "an exception"
    value = (value or "").strip()
    return f"{name}: {_bounded(value)}" if value else f"{name}, with no message"


def cell_failure(error: Any) -> str:
    """Say what failed in the notebook: the exception, and the cell it was raised in.

    Parameters
    ----------
    error : papermill.PapermillExecutionError
        The cell's error.

    Returns
    -------
    str
        Such as ``ValueError, with no message (cell In [4]: raise ValueError())``.
    """
    lines = [line.strip() for line in (error.source or "").splitlines() if line.strip()]
    first = next((line for line in lines if not line.startswith("#")), lines[0] if lines else "")  # code, not a comment
    if len(first) > 80:
        first = first[:79] + "…"
    cell = f"In [{error.exec_count}]" if error.exec_count else "of the notebook"
    return (
        f"{error_text(error.ename, error.evalue)} (cell {cell}: {first})"
        if first
        else error_text(error.ename, error.evalue)
    )
