"""The report's kernel: its launcher, and what the build does inside it between runs.

``python -m analysis.kernel -f FILE`` starts ipykernel with every socket on IPC. ipykernel binds
the channels its connection file names (IPC sockets, for ``analysis build``), but it also listens
on a TCP port of 127.0.0.1 for output from processes the kernel forks (its IOPub "pipe"). This
launcher moves that pipe to an IPC socket beside the kernel's others, so the kernel opens no TCP
port at all. `analysis.execute` starts kernels through it.

`settle` and `prepare_run` run inside the kernel (`analysis.execute` sends them as code): once
its imports are done, and before each run of the notebook, so that a kernel kept warm starts
every run from the state a fresh one starts from.
"""

from __future__ import annotations

import os
import sys
import warnings
from typing import Any

import zmq
from ipykernel import iostream
from ipykernel.kernelapp import IPKernelApp
from zmq.eventloop.zmqstream import ZMQStream


def _pipe_address() -> str:
    app = IPKernelApp.instance()
    if app.transport != "ipc":  # a TCP kernel keeps ipykernel's own pipe
        raise RuntimeError("analysis.kernel expects an IPC connection file")
    return f"ipc://{app.ip}-iopub-pipe"


def _setup_pipe_in(self: iostream.IOPubThread) -> None:
    """Listen for forked processes' output on an IPC socket (ipykernel: TCP on 127.0.0.1)."""
    self._pipe_uuid = os.urandom(16)
    self._pipe_address = _pipe_address()
    pipe_in = self.socket.context.socket(zmq.PULL)
    pipe_in.linger = 0
    pipe_in.bind(self._pipe_address)
    self._pipe_in = ZMQStream(pipe_in, self.io_loop)
    self._pipe_in.on_recv(self._handle_pipe_msg)


def _setup_pipe_out(self: iostream.IOPubThread) -> tuple[zmq.Context, zmq.Socket]:
    """Connect a forked process's output to the IPC pipe."""
    context = zmq.Context()  # a new context after a fork
    pipe_out = context.socket(zmq.PUSH)
    pipe_out.linger = 3000
    pipe_out.connect(self._pipe_address)
    return context, pipe_out


_BASELINE: dict[str, Any] = {}


def settle() -> None:
    """Remember the state a run starts from: called once the kernel's imports are done."""
    from analysis.interrupts import pause

    pause("starting the kernel")  # a seam for tests: inert unless asked for
    _BASELINE["cwd"] = os.getcwd()  # noqa: PTH109 - a str for os.chdir
    _BASELINE["warnings"] = list(warnings.filters)
    if "matplotlib" in sys.modules:
        _BASELINE["rc"] = sys.modules["matplotlib"].rcParams.copy()
        _rehearse_a_chart()
    if "analysis.present" in sys.modules:  # charts whose data did not change are not drawn again
        sys.modules["analysis.present"].RENDERS.keep()


def _rehearse_a_chart() -> None:
    """Draw a small chart in the report's style, PNG and SVG, and throw it away.

    The first chart a process draws loads fonts and renderers: done here, while the build
    checks its inputs, instead of in the notebook's first chart. Only caches keep anything of it.
    """
    import io

    import matplotlib.style
    from matplotlib.figure import Figure

    from analysis import config

    with matplotlib.style.context(config.MPL_STYLE):
        figure = Figure()
        axes = figure.subplots()
        axes.bar(["2022", "2024"], [2.8, 86.4], label="x")
        axes.set_title("US$ million, 2022–2024")
        axes.legend()
        for kind in ("png", "svg"):
            figure.savefig(io.BytesIO(), format=kind)


def prepare_run(validated: str) -> None:
    """Give the next run a fresh kernel's state, the imported modules aside.

    The user namespace and the output cache are emptied and the execution count starts at 1
    (IPython's ``reset``); figures are closed and matplotlib's settings, the warning filters and
    the working folder are put back as they were when the kernel settled, and warnings already
    shown are shown again. Charts rendered by earlier runs stay at hand, by what they were drawn
    from (`analysis.present.Renders`): the same data gives the same picture.

    Parameters
    ----------
    validated : str
        The validation token of this run's data (`analysis.load.validation_token`), for the
        notebook's loading to find in its environment.
    """
    from IPython import get_ipython

    shell = get_ipython()
    shell.reset(new_session=True)
    _pause_in_first_cell(shell)
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")
    if "rc" in _BASELINE:
        sys.modules["matplotlib"].rcParams.update(_BASELINE["rc"])
    if "warnings" in _BASELINE:
        warnings.filters[:] = _BASELINE["warnings"]
    warnings._filters_mutated()  # every module's record of warnings already shown is stale now
    if "cwd" in _BASELINE:
        os.chdir(_BASELINE["cwd"])


def _pause_in_first_cell(shell: Any) -> None:
    """Have the run's first cell wait, if the test seam ``ANALYSIS_TEST_PAUSE`` asks it to."""
    from analysis.interrupts import PAUSE_ENV, pause

    phase = "executing the notebook"
    if os.environ.get(PAUSE_ENV) != phase:
        return

    def once(info: Any) -> None:
        shell.events.unregister("pre_run_cell", once)
        pause(phase)

    shell.events.register("pre_run_cell", once)


def main() -> None:
    """Launch the kernel with the IOPub pipe on IPC."""
    iostream.IOPubThread._setup_pipe_in = _setup_pipe_in
    iostream.IOPubThread._setup_pipe_out = _setup_pipe_out
    IPKernelApp.launch_instance()


if __name__ == "__main__":
    main()
