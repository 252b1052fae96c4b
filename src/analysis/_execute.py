"""Run the report notebook with papermill, in kernels this module starts and stops.

A `Kernel` is one ipykernel process (launched as ``python -m analysis._kernel``) whose channels
are IPC sockets in a private folder that closing removes. It runs the notebook's imports as soon
as it is up, so that they overlap the build's checks of its inputs. An `Executor` runs each
notebook in a fresh kernel (``analysis build``) or, ``warm``, keeps one kernel and resets it
before each run (`analysis._kernel.prepare_run`, ``analysis watch``), so that both give the same
outputs. Starting the kernel and running the notebook are each bounded by their time limit
(`analysis._limits`); papermill saves the notebook as run so far, whatever stops it.
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

from jupyter_client.kernelspec import KernelSpec
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync
from traitlets import List

from analysis import _config as config
from analysis import _interrupts as interrupts
from analysis import _limits as limits
from analysis import errors
from analysis._limits import TimeLimits
from analysis.errors import NotebookExecutionError, TimeLimitError

SHOWN_CHARS = 2000  # of a cell error's message, in the build's message
PARTIAL = "executed.ipynb"  # in a run's folder: the notebook as executed so far
KERNEL_LOG = "kernel.log"  # in a run's folder: what the kernel process printed during the run
SETTLE = "__import__('analysis._kernel', fromlist=['settle']).settle()"
PREPARE = "__import__('analysis._kernel', fromlist=['prepare_run']).prepare_run()"


@functools.cache
def register() -> None:
    """Import papermill (`analysis._pipeline` does it in the background) and keep its logs off the terminal."""
    import papermill  # noqa: F401

    logging.getLogger("papermill").disabled = True  # a failure is said once, as the build's message
    # nbclient's tasks of a run that was stopped fail when its kernel goes: not news.
    logging.getLogger("asyncio").addFilter(lambda record: "coro=<NotebookClient." not in record.getMessage())


def _temp_dir() -> str:
    """Return the temporary folder, or /tmp where its path is too long for a socket's (107 bytes)."""
    return tempfile.gettempdir() if len(tempfile.gettempdir()) <= 60 else "/tmp"


def _private_folder(kind: str) -> Path:
    """Make a private folder, named after this process so that a build killed leaves it to the next to remove."""
    return Path(tempfile.mkdtemp(prefix=f"analysis-kernel-{os.getpid()}-{kind}-", dir=_temp_dir()))


def run_folder() -> Path:
    """Make a private folder for one run's partial notebook and kernel log (the caller removes it)."""
    return _private_folder("run")


def _sweep() -> None:
    """Remove the private folders of builds that were killed (their process is gone)."""
    for folder in Path(_temp_dir()).glob("analysis-kernel-*-*"):
        owner = folder.name.split("-")[2]
        if owner.isdigit():
            with contextlib.suppress(PermissionError):  # another user's live build
                try:
                    os.kill(int(owner), 0)
                except ProcessLookupError:
                    shutil.rmtree(folder, ignore_errors=True)


def warm_imports(notebook: Path) -> str:
    """Return the notebook's top-level import statements, one a line, to run before the notebook."""
    statements = []
    for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] == "code":
            with contextlib.suppress(SyntaxError):  # a cell of magics: its imports wait for the run
                tree = ast.parse("".join(cell["source"]))
                statements += [ast.unparse(n) for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)]
    return "\n".join(dict.fromkeys(statements))


class _Manager(AsyncKernelManager):
    """jupyter_client's manager, whose kernel is this interpreter's and which keeps the clients it makes.

    nbclient leaves open the client it makes for a kernel it did not start; `Kernel` closes it.
    """

    made = List()

    @property
    def kernel_spec(self) -> KernelSpec:
        """``python -m analysis._kernel``, without IPython's history database (a run record needs none)."""
        argv = [sys.executable, "-m", "analysis._kernel", "-f", "{connection_file}", "--HistoryManager.enabled=False"]
        return KernelSpec(argv=argv, display_name="Python 3", language="python", name="python3")

    def client(self, **kwargs: Any) -> Any:
        """Make nbclient's client, and keep it to close."""
        made = super().client(**kwargs)
        self.made.append(made)
        return made


class Kernel:
    """One kernel process on IPC sockets in a private folder, which runs ``imports`` as soon as it is up."""

    def __init__(self, imports: str, time_limits: TimeLimits) -> None:
        self.limits = time_limits
        self.manager = self.client = self.folder = self._warming = None
        try:
            _sweep()
            with interrupts.deferred():  # a stop now comes once the folder is known, to be removed below
                self.folder = _private_folder("sockets")
            self.log = self.folder / KERNEL_LOG
            self.manager = _Manager(
                transport="ipc", ip=str(self.folder / "k"), connection_file=str(self.folder / "kernel.json")
            )
            self.ready_by = time.monotonic() + self.limits.kernel
            with interrupts.deferred(), self.log.open("ab") as log:  # stopped below once it is known
                run_sync(self.manager.start_kernel)(cwd=str(config.PROJECT_ROOT), stdout=log, stderr=log)
                self.process = self.manager.provisioner.process  # a subprocess.Popen, kept past the shutdown
            self.client = self.manager.blocking_client()
            self.client.start_channels(iopub=False, stdin=False, hb=False, control=False)
            # Queued until the kernel is up; `ready` waits for the second. An import's error is the notebook's
            # to report, when it runs the same import (a silent request's error does not stop the next).
            self.client.execute(imports, silent=True, store_history=False)
            self._warming = self.client.execute(SETTLE, silent=True, store_history=False)
        except BaseException:
            self.close()
            raise

    @property
    def alive(self) -> bool:
        """Whether the kernel process is still running."""
        return self.process.poll() is None

    def _reply(self, request: str, deadline: float, phase: str) -> dict[str, Any]:
        """Wait for the kernel's reply to ``request``, stopping at a stop request, its death or the phase's deadline."""
        while True:
            interrupts.check()
            if not self.alive:
                raise self._died()
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
            self._reply(self._warming, self.ready_by, "kernel")
            self._warming = None

    def run(self, notebook: Path, parameters: dict[str, Any], workdir: Path) -> Any:
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
            The run was stopped (Ctrl-C, SIGTERM, `analysis._interrupts.request`).
        """
        import papermill
        from nbclient.exceptions import CellTimeoutError, DeadKernelError

        self.ready()
        register()
        deadline = time.monotonic() + self.limits.notebook
        logged = self.log.stat().st_size
        try:
            # A stop of the build interrupts the kernel's cell too: the kernel runs in a session of its own.
            with interrupts.on_request(self.interrupt):
                prepared = self._reply(
                    self.client.execute(PREPARE, silent=True, store_history=False), deadline, "notebook"
                )
                if prepared["status"] != "ok":
                    raise NotebookExecutionError(
                        f"the kernel could not be prepared: {prepared['ename']}: {prepared['evalue']}"
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
        except DeadKernelError:
            failure = self._died()
        except (
            NotebookExecutionError,
            TimeLimitError,
        ) as error:  # the kernel died or ran past the limit before the run
            failure = error
        except OSError as error:  # papermill writing the notebook: a full disk does not name it
            if error.filename:
                raise
            raise OSError(error.errno, error.strerror, str(workdir / PARTIAL)) from error
        finally:
            while self.manager.made:  # nbclient's client of this run
                self.manager.made.pop().stop_channels()
            with contextlib.suppress(OSError), self.log.open("rb") as log:
                log.seek(logged)
                (workdir / KERNEL_LOG).write_bytes(log.read())
        interrupts.check()  # stopped on purpose: not a failure
        raise failure from None

    def _died(self) -> NotebookExecutionError:
        """Say that the kernel died, and how its log ends (why, often)."""
        words = errors.last_words(self.log)
        message = "DeadKernelError: the kernel died"
        if words:
            message += f" (its log ends: {words})"
        if "Too many open files" in words:
            message += f": {errors.out_of_files_message()}"
        return NotebookExecutionError(message)

    def interrupt(self) -> None:
        """Stop the cell running, if any (an idle kernel ignores the signal): called when a stop is asked for."""
        self.process.send_signal(signal.SIGINT)

    def kill(self) -> None:
        """Kill the kernel process at once, from any thread (`close` then removes what is left)."""
        self.process.kill()

    def close(self) -> None:
        """Kill the kernel and remove its folder."""
        with interrupts.deferred():  # a Ctrl-C meanwhile waits until nothing of the kernel is left
            try:
                if self.manager is not None and self.manager.has_kernel:
                    run_sync(self.manager.shutdown_kernel)(now=True)
            finally:
                if self.client is not None:
                    self.client.stop_channels()
                if self.folder is not None:
                    shutil.rmtree(self.folder, ignore_errors=True)


class Executor:
    """Run the notebook in a fresh kernel each time, or with ``warm`` in one kernel kept between runs.

    `start` starts the next run's kernel ahead. A warm kernel starts each run from a fresh
    kernel's state; one that died or whose run failed is replaced.
    """

    def __init__(
        self, notebook: Path = config.DEFAULT_NOTEBOOK, time_limits: TimeLimits | None = None, *, warm: bool = False
    ) -> None:
        self.notebook, self.limits, self.warm = notebook, time_limits or TimeLimits(), warm
        self.kernel: Kernel | None = None  # the next run's

    def start(self) -> None:
        """Start the next run's kernel, if none is running (one that died is replaced)."""
        if self.kernel is not None and not self.kernel.alive:
            self.close()
        if self.kernel is None:
            self.kernel = Kernel(warm_imports(self.notebook), self.limits)

    def ready(self) -> None:
        """Wait until the next run's kernel is up (see `Kernel.ready`); a failure leaves the next run a fresh kernel."""
        self.start()
        try:
            self.kernel.ready()
        except BaseException:
            self.close()
            raise

    def run(self, notebook: Path, parameters: dict[str, Any], workdir: Path) -> Any:
        """Execute the notebook (see `Kernel.run`); a failed run's kernel, and unless warm every run's, is closed."""
        self.start()
        try:
            return self.kernel.run(notebook, parameters, workdir)
        except BaseException:
            self.close()
            raise
        finally:
            if not self.warm:
                self.close()

    def restart(self) -> None:
        """Replace the kernel with a fresh one (after a change to the code or the notebook)."""
        self.close()
        self.start()

    def close(self) -> None:
        """Stop the kernel and remove its folder."""
        kernel, self.kernel = self.kernel, None
        if kernel is not None:
            kernel.close()


# Messages -----------------------------------------------------------------------------------


def cell_failure(error: Any) -> str:
    """Say a `papermill.PapermillExecutionError`: the exception, its message, its cell's number and first line of code."""
    message = error.evalue.strip()
    if len(message) > SHOWN_CHARS:  # the whole is in the notebook kept
        message = f"{message[:SHOWN_CHARS]}… ({len(message) - SHOWN_CHARS:,} more characters: see the partly executed notebook)"
    said = f"{error.ename}: {message}" if message else f"{error.ename}, with no message"
    lines = (line.strip() for line in error.source.splitlines())
    first = next((line for line in lines if line and not line.startswith("#")), "")
    if len(first) > 80:
        first = first[:79] + "…"
    return f"{said} (cell In [{error.exec_count}]: {first})"
