"""Run the report notebook with papermill, in kernels this module starts and stops.

A `Kernel` is one ipykernel process (launched as ``python -m analysis.kernel``) whose channels
are IPC sockets in a private folder that closing removes. It runs the notebook's imports as soon
as it is up, so that they overlap the build's checks of its inputs. `ColdExecutor` (``analysis
build``) runs each notebook in a fresh kernel; `WarmExecutor` (``analysis watch``) keeps one
kernel and resets it before each run (`analysis.kernel.prepare_run`), so that both give the same
outputs. Starting the kernel and running the notebook are each bounded by their time limit
(`analysis.limits`); papermill saves the notebook as run so far, whatever stops it.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import json
import logging
import math
import os
import queue
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from analysis import config, interrupts, limits
from analysis.errors import NotebookExecutionError, TimeLimitError
from analysis.limits import TimeLimits

SHOWN_LINES, SHOWN_CHARS = 20, 2000  # of a cell error's message, in the build's message
PARTIAL = "executed.ipynb"  # in a run's folder: the notebook as executed so far
KERNEL_LOG = "kernel.log"  # in a run's folder: what the kernel process printed during the run
SETTLE = "__import__('analysis.kernel', fromlist=['settle']).settle()"
PREPARE = "__import__('analysis.kernel', fromlist=['prepare_run']).prepare_run({!r})"


@functools.cache
def register() -> None:
    """Import papermill (`analysis.pipeline` does it in the background) and keep its logs and nbclient's off the terminal.

    A failure is said once, as the build's message.
    """
    import papermill  # noqa: F401

    logging.getLogger("papermill").addHandler(logging.NullHandler())
    logging.getLogger("papermill").propagate = False
    # nbclient's tasks of a run that was stopped fail when its kernel goes: not news.
    logging.getLogger("asyncio").addFilter(lambda record: "coro=<NotebookClient." not in record.getMessage())


def _socket_dir() -> str:
    """Return the temporary folder, or /tmp where its path is too long for a socket's (107 bytes)."""
    default = tempfile.gettempdir()
    return default if len(default) <= 60 else "/tmp"


def _private_folder(kind: str) -> Path:
    """Make a private folder, named after this process so that a build killed leaves it to the next to remove."""
    return Path(tempfile.mkdtemp(prefix=f"analysis-kernel-{os.getpid()}-{kind}-", dir=_socket_dir()))


def run_folder() -> Path:
    """Make a private folder for one run's partial notebook and kernel log (the caller removes it)."""
    return _private_folder("run")


def _sweep() -> None:
    """Remove the private folders of builds that were killed (their process is gone)."""
    for folder in Path(_socket_dir()).glob("analysis-kernel-*-*"):
        owner = folder.name.split("-")[2]
        if owner.isdigit() and int(owner) != os.getpid():
            with contextlib.suppress(PermissionError):  # another user's live build
                try:
                    os.kill(int(owner), 0)
                except ProcessLookupError:
                    shutil.rmtree(folder, ignore_errors=True)


def warm_imports(notebook: Path) -> str:
    """Return the notebook's top-level import statements, one a line, to run before the notebook."""
    statements = []
    for cell in json.loads(notebook.read_text(encoding="utf-8")).get("cells", []):
        source = cell.get("source", "")
        if cell.get("cell_type") != "code":
            continue
        try:
            tree = ast.parse(source if isinstance(source, str) else "".join(source))
        except SyntaxError:
            continue
        statements += [ast.unparse(n) for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)]
    return "\n".join(dict.fromkeys(statements))


@functools.cache
def _manager_class() -> type:
    from jupyter_client.kernelspec import KernelSpec
    from jupyter_client.manager import AsyncKernelManager

    class Manager(AsyncKernelManager):
        """jupyter_client's manager, whose kernel is this interpreter's and which keeps the clients it makes.

        nbclient leaves open the client it makes for a kernel it did not start; `Kernel` closes it.
        """

        @property
        def kernel_spec(self) -> KernelSpec:
            # no IPython history database: a run record needs none
            argv = [
                sys.executable,
                "-m",
                "analysis.kernel",
                "-f",
                "{connection_file}",
                "--HistoryManager.enabled=False",
            ]
            return KernelSpec(argv=argv, display_name="Python 3", language="python", name="python3")

        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.made: list[Any] = []

        def client(self, **kwargs: Any) -> Any:
            made = super().client(**kwargs)
            self.made.append(made)
            return made

    return Manager


class Kernel:
    """One kernel process on IPC sockets in a private folder, which runs ``imports`` as soon as it is up."""

    def __init__(self, imports: str = "", time_limits: TimeLimits | None = None) -> None:
        from jupyter_client.blocking import BlockingKernelClient
        from jupyter_core.utils import run_sync

        self.limits = time_limits or TimeLimits()
        self.runs = 0
        self.busy = self.interrupted = False
        self.manager = self.client = self.folder = self.process = self._warming = None
        try:
            _sweep()
            with interrupts.deferred():  # a stop now comes once the folder is known, to be removed below
                self.folder = _private_folder("sockets")
            self.log = self.folder / KERNEL_LOG
            self.manager = _manager_class()(
                transport="ipc", ip=str(self.folder / "k"), connection_file=str(self.folder / "kernel.json")
            )
            self.started = time.monotonic()
            with interrupts.deferred(), self.log.open("ab") as log:  # stopped below once it is known
                run_sync(self.manager.start_kernel)(cwd=str(config.PROJECT_ROOT), stdout=log, stderr=log)
                self.process = self.manager.provisioner.process  # a subprocess.Popen, kept past the shutdown
            self.client = BlockingKernelClient()
            self.client.load_connection_info(self.manager.get_connection_info())
            self.client.start_channels(iopub=False, stdin=False, hb=False, control=False)
            # Queued until the kernel is up; `ready` waits for its reply.
            self._warming = self.client.execute(f"{imports}\n{SETTLE}", silent=True, store_history=False)
        except BaseException:
            self.close(grace=0)
            raise

    @property
    def pid(self) -> int | None:
        """The kernel process's id, once started."""
        return self.process.pid if self.process is not None else None

    @property
    def alive(self) -> bool:
        """Whether the kernel process is still running."""
        return self.process is not None and self.process.poll() is None

    def _reply(self, request: str, deadline: float, phase: str) -> dict[str, Any]:
        """Wait for the kernel's reply to ``request``, stopping at a stop request, its death or the phase's deadline."""
        while True:
            if self.interrupted:
                raise KeyboardInterrupt
            interrupts.check()
            if not self.alive:
                when = "while it started" if phase == "kernel" else "before the run"
                raise NotebookExecutionError(f"DeadKernelError: the kernel died {when}{self._log_end()}")
            left = deadline - time.monotonic()
            if left <= 0:
                raise limits.exceeded(phase, getattr(self.limits, phase))
            with contextlib.suppress(queue.Empty):
                reply = self.client.get_shell_msg(timeout=min(left, 0.5))
                if reply["parent_header"].get("msg_id") == request:
                    return reply["content"]

    def ready(self) -> None:
        """Wait until the kernel has started and done its imports, within the time limit of starting it.

        Raises
        ------
        TimeLimitError
            It took longer than the time limit of starting the kernel.
        NotebookExecutionError
            The kernel died (the message says how its log ends).
        """
        if self._warming is not None:
            # an import's error is the notebook's to report, when it runs the same import
            self._reply(self._warming, self.started + self.limits.kernel, "kernel")
            self._warming = None

    def run(self, notebook: Path, parameters: dict[str, Any], workdir: Path, validated: str = "") -> Any:
        """Execute the notebook with papermill on this kernel, within the notebook's time limit.

        Parameters
        ----------
        notebook : pathlib.Path
            The report notebook.
        parameters : dict
            Checked parameter values; injected as literals after the parameters cell.
        workdir : pathlib.Path
            A private folder for this run (`run_folder`): the notebook as executed so far
            (``executed.ipynb``) and what the kernel printed meanwhile (``kernel.log``) go there.
        validated : str, optional
            The validation token of the data (`analysis.load.validation_token`).

        Returns
        -------
        nbformat.NotebookNode

        Raises
        ------
        NotebookExecutionError
            A cell raised or the kernel died; the partly executed notebook is in ``workdir``.
        TimeLimitError
            The notebook ran past its time limit; the partly executed notebook is in ``workdir``.
        KeyboardInterrupt
            The run was stopped (Ctrl-C, `interrupt`).
        """
        import papermill
        from nbclient.exceptions import CellTimeoutError, DeadKernelError

        self.ready()
        register()
        deadline = time.monotonic() + self.limits.notebook
        logged = self.log.stat().st_size
        self.busy, self.runs = True, self.runs + 1
        try:
            # A stop of the build interrupts the kernel's cell too: the kernel runs in a session of its own.
            with interrupts.on_request(self.interrupt):
                request = self.client.execute(PREPARE.format(validated), silent=True, store_history=False)
                prepared = self._reply(request, deadline, "notebook")
                if prepared["status"] != "ok":
                    raise NotebookExecutionError(
                        f"the kernel could not be prepared: {error_text(prepared['ename'], prepared['evalue'])}"
                    )
                return papermill.execute_notebook(
                    str(notebook),
                    str(workdir / PARTIAL),  # saved after each cell and however the run ends
                    parameters=parameters,
                    km=self.manager,
                    progress_bar=False,
                    execution_timeout=math.ceil(self.limits.notebook),  # what nbclient waits outside cells
                    timeout_func=lambda cell: max(0.01, deadline - time.monotonic()),  # 0 would be no limit
                )
        except papermill.PapermillExecutionError as error:
            failure: Exception = NotebookExecutionError(cell_failure(error))
        except (CellTimeoutError, TimeoutError):
            failure = limits.exceeded("notebook", self.limits.notebook)
        except DeadKernelError as error:
            failure = NotebookExecutionError(f"DeadKernelError: {str(error) or 'the kernel died'}{self._log_end()}")
        except (NotebookExecutionError, TimeLimitError) as error:
            failure = error
        except OSError as error:  # papermill writing the notebook: a full disk does not name it
            if error.filename:
                raise
            raise OSError(error.errno, error.strerror, str(workdir / PARTIAL)) from error
        finally:
            self.busy = False
            while self.manager.made:  # nbclient's client of this run
                self.manager.made.pop().stop_channels()
            with contextlib.suppress(OSError), self.log.open("rb") as log:
                log.seek(logged)
                (workdir / KERNEL_LOG).write_bytes(log.read())
        if self.interrupted or interrupts.requested():  # stopped on purpose: not a failure
            raise KeyboardInterrupt
        raise failure from None

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
        if self.busy and self.pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGINT)

    def kill(self) -> None:
        """Kill the kernel process at once (when a graceful stop is not waited for)."""
        if self.alive:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)

    def request_shutdown(self) -> None:
        """Ask the kernel to exit, without waiting: it winds down while the build goes on."""
        from jupyter_core.utils import run_sync

        if self.alive:
            run_sync(self.manager.request_shutdown)()

    def close(self, grace: float = 5.0) -> None:
        """Stop the kernel (killed after ``grace`` seconds, or at once with 0) and remove its folder."""
        from jupyter_core.utils import run_sync

        with interrupts.deferred():  # a Ctrl-C meanwhile waits until nothing of the kernel is left
            try:
                if self.manager is not None and self.manager.has_kernel:
                    self.manager.shutdown_wait_time = grace
                    run_sync(self.manager.shutdown_kernel)(now=grace <= 0)
            finally:
                if self.client is not None:
                    self.client.stop_channels()
                if self.folder is not None:
                    shutil.rmtree(self.folder, ignore_errors=True)


class _Executor:
    """What both executors share: the notebook whose imports a kernel runs ahead, and the time limits."""

    def __init__(self, notebook: Path = config.DEFAULT_NOTEBOOK, time_limits: TimeLimits | None = None) -> None:
        self.notebook = notebook
        self.limits = time_limits or TimeLimits()

    def _kernel(self) -> Kernel:
        return Kernel(warm_imports(self.notebook), self.limits)


class ColdExecutor(_Executor):
    """A fresh kernel for every run of ``notebook``; `start` starts the next one ahead."""

    def __init__(self, notebook: Path = config.DEFAULT_NOTEBOOK, time_limits: TimeLimits | None = None) -> None:
        super().__init__(notebook, time_limits)
        self._next: Kernel | None = None
        self._done: list[Kernel] = []

    def start(self) -> None:
        """Start the kernel of the next run now, if it is not started yet."""
        if self._next is None:
            self._next = self._kernel()

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
        """Stop every kernel this executor started: a used one gracefully, the unused one at once."""
        done, unused = self._done, self._next
        self._done, self._next = [], None
        for kernel in done:
            kernel.close(grace=2.0)
        if unused is not None:
            unused.close(grace=0)


class WarmExecutor(_Executor):
    """One kernel kept between runs of ``notebook``, each run starting from a fresh kernel's state."""

    kernel: Kernel | None = None

    def start(self) -> None:
        """Start the kernel, if none is running; one that died is replaced."""
        if self.kernel is not None and not self.kernel.alive:
            self.close()
        if self.kernel is None:
            self.kernel = self._kernel()

    def ready(self) -> None:
        """Wait until the kernel is up (see `Kernel.ready`); a failure leaves the next run a fresh kernel."""
        self.start()
        try:
            self.kernel.ready()
        except BaseException:
            self.close()
            raise

    def restart(self) -> None:
        """Replace the kernel with a fresh one (after a change to the code or the notebook)."""
        self.close()
        self.start()

    def run(self, notebook: Path, parameters: dict[str, Any], workdir: Path, validated: str = "") -> Any:
        """Execute the notebook in the warm kernel (see `Kernel.run`); a failure leaves the next run a fresh kernel."""
        self.start()
        try:
            return self.kernel.run(notebook, parameters, workdir, validated)
        except BaseException:
            self.close()
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


Executor = ColdExecutor | WarmExecutor  # what `analysis.pipeline` builds with: start, ready, run, close


# Messages (they belong with the package's other messages, in `analysis.errors`) ---------------


def _bounded(text: str) -> str:
    """Cut an error's message to what a terminal shows (the whole is in the notebook kept)."""
    shown = "\n".join(text.splitlines()[:SHOWN_LINES])
    if len(shown) > SHOWN_CHARS:
        shown = shown[:SHOWN_CHARS] + "…"
    left = len(text) - len(shown)
    return shown if left <= 0 else f"{shown} ({left:,} more characters: see the partly executed notebook)"


def error_text(name: str | None, value: str | None) -> str:
    """Say an exception raised in the kernel: its type and its message, or that it had none."""
    value = (value or "").strip()
    return f"{name or 'an exception'}: {_bounded(value)}" if value else f"{name or 'an exception'}, with no message"


def cell_failure(error: Any) -> str:
    """Say a `papermill.PapermillExecutionError`: the exception, and its cell's number and first line of code."""
    lines = [line.strip() for line in (error.source or "").splitlines() if line.strip()]
    first = next((line for line in lines if not line.startswith("#")), lines[0] if lines else "")
    if not first:
        return error_text(error.ename, error.evalue)
    if len(first) > 80:
        first = first[:79] + "…"
    cell = f"In [{error.exec_count}]" if error.exec_count else "of the notebook"
    return f"{error_text(error.ename, error.evalue)} (cell {cell}: {first})"
