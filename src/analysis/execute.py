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
"""

from __future__ import annotations

import ast
import contextlib
import functools
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any, Protocol

from analysis import config
from analysis.errors import NotebookExecutionError

EXECUTION_TIMEOUT = 600  # seconds a cell may run
STARTUP_TIMEOUT = 60  # seconds a kernel may take to answer
KERNEL_ARGUMENTS = ["--HistoryManager.enabled=False"]  # a run record needs no IPython history database
ENGINE = "analysis"
SOCKETS_PREFIX = "analysis-kernel-"
PARTIAL = "executed.ipynb"  # in a run's folder: the notebook as executed so far
KERNEL_LOG = "kernel.log"  # in a run's folder: what the kernel process printed during the run


class Executor(Protocol):
    """Runs the notebook; `analysis.pipeline` builds with either executor."""

    def start(self) -> None:
        """Start a kernel ahead of the next run (it imports while the caller goes on)."""

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
    from papermill.log import logger
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
                log=logger,
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
    """

    def __init__(self, imports: str = "") -> None:
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        sweep_sockets()
        self.folder = Path(tempfile.mkdtemp(prefix=f"{SOCKETS_PREFIX}{os.getpid()}-", dir=short_temp_dir()))
        self.manager = AsyncKernelManager(
            kernel_name="python3",
            kernel_spec_manager=_kernel_specs(),
            transport="ipc",
            ip=str(self.folder / "k"),
            connection_file=str(self.folder / "kernel.json"),
        )
        self.log = self.folder / KERNEL_LOG
        self.runs = 0
        self.busy = False
        self.interrupted = False
        self._client = None
        self._warmed: BaseException | None = None
        try:
            with self.log.open("ab") as log:  # the kernel keeps its own copy of the descriptor
                run_sync(self.manager.start_kernel)(
                    extra_arguments=KERNEL_ARGUMENTS, cwd=str(config.PROJECT_ROOT), stdout=log, stderr=log
                )
        except BaseException:
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
        process = getattr(self.manager.provisioner, "process", None)
        return process.pid if process is not None else None

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
            client.wait_for_ready(timeout=STARTUP_TIMEOUT)
            # Errors are the notebook's to report, when it runs the same imports.
            self._execute(f"{imports}\n{SETTLE}" if imports else SETTLE)
        except BaseException as error:  # handed to the thread that runs the notebook
            self._warmed = error

    def _execute(self, code: str) -> dict[str, Any]:
        reply = self._client.execute_interactive(
            code, silent=True, store_history=False, timeout=EXECUTION_TIMEOUT, output_hook=lambda message: None
        )
        return reply["content"]

    def ready(self) -> None:
        """Wait until the kernel has started and done its imports.

        Raises
        ------
        NotebookExecutionError
            The kernel did not start.
        """
        self._warming.join()
        if self._warmed is not None:
            raise NotebookExecutionError(f"the kernel did not start: {type(self._warmed).__name__}: {self._warmed}")

    def run(self, notebook: Path, parameters: dict[str, Any], workdir: Path, validated: str = "") -> Any:
        """Execute the notebook with papermill on this kernel.

        Parameters
        ----------
        notebook : pathlib.Path
            The report notebook.
        parameters : dict
            Checked parameter values; injected as literals after the parameters cell.
        workdir : pathlib.Path
            A private folder for this run: the notebook as executed so far (``executed.ipynb``)
            and what the kernel printed meanwhile (``kernel.log``) are written there.
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
            return self._run(notebook, parameters, workdir, validated)
        except NotebookExecutionError:
            if self.interrupted:  # stopped on purpose (Ctrl-C), not a failure of the notebook
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
            raise NotebookExecutionError("DeadKernelError: the kernel died before the run")
        reply = self._execute(f"__import__('analysis.kernel', fromlist=['prepare_run']).prepare_run({validated!r})")
        if reply["status"] != "ok":
            raise NotebookExecutionError(f"the kernel could not be prepared: {reply.get('evalue')}")
        try:
            return papermill.execute_notebook(
                str(notebook),
                str(workdir / PARTIAL),
                parameters=parameters,
                engine_name=ENGINE,
                km=self.manager,
                partial_path=str(workdir / PARTIAL),
                progress_bar=False,
                request_save_on_cell_execute=False,
                execution_timeout=EXECUTION_TIMEOUT,
            )
        except papermill.PapermillExecutionError as error:
            raise NotebookExecutionError(f"{error.ename}: {error.evalue} (cell {error.cell_index})") from None
        except (DeadKernelError, CellTimeoutError) as error:
            raise NotebookExecutionError(f"{type(error).__name__}: {error}") from None

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
    """

    def __init__(self, notebook: Path = config.DEFAULT_NOTEBOOK) -> None:
        self.notebook = notebook
        self._next: Kernel | None = None
        self._done: list[Kernel] = []

    def start(self) -> None:
        """Start the kernel of the next run now, if it is not started yet."""
        if self._next is None:
            self._next = Kernel(warm_imports(self.notebook))

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
    """

    def __init__(self, notebook: Path = config.DEFAULT_NOTEBOOK) -> None:
        self.notebook = notebook
        self.kernel: Kernel | None = None

    def start(self) -> None:
        """Start the kernel, if none is running."""
        if self.kernel is None:
            self.kernel = Kernel(warm_imports(self.notebook))

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
