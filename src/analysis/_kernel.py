"""What runs inside the report's kernel: its launcher, and its reset between runs.

``python -m analysis._kernel -f FILE`` is ipykernel's own launcher, under a name that tells the
report's kernels from other processes. `analysis._execute` sends `settle` once the notebook's
imports are done and `prepare_run` before each run, so that a kernel kept warm starts every run
from the state a fresh one starts from.
"""

from __future__ import annotations

import os
import sys
import warnings
from typing import Any

_BASELINE: dict[str, Any] = {}


def settle() -> None:
    """Remember the state a run starts from: called once the kernel's imports are done."""
    _BASELINE.update(cwd=os.getcwd(), warnings=list(warnings.filters))  # noqa: PTH109 - a str for os.chdir
    if "matplotlib" in sys.modules:
        _BASELINE["rc"] = sys.modules["matplotlib"].rcParams.copy()
        _rehearse_a_chart()
    if "analysis._present" in sys.modules:  # charts whose data did not change are not drawn again
        sys.modules["analysis._present"].RENDERS.keep()


def _rehearse_a_chart() -> None:
    """Draw a small chart, PNG and SVG, and throw it away: fonts and renderers load while the build checks its inputs."""
    import io

    import matplotlib.style
    from matplotlib.figure import Figure

    from analysis import _config as config

    with matplotlib.style.context(config.MPL_STYLE):
        figure = Figure()
        axes = figure.subplots()
        axes.bar(["2022", "2024"], [2.8, 86.4], label="x")
        axes.set_title("US$ million, 2022–2024")
        axes.legend()
        for kind in ("png", "svg"):
            figure.savefig(io.BytesIO(), format=kind)


def prepare_run() -> None:
    """Give the next run a fresh kernel's state, the imported modules and the charts already drawn aside.

    IPython's ``reset`` empties the namespace and counts executions from 1 again; figures are
    closed; matplotlib's settings, the warning filters and the working folder are put back as
    they were when the kernel settled, and warnings already shown will show again.
    """
    from IPython import get_ipython

    shell = get_ipython()
    shell.reset(new_session=True)
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")
    if "rc" in _BASELINE:
        sys.modules["matplotlib"].rcParams.update(_BASELINE["rc"])
    warnings.resetwarnings()  # and every module's record of warnings already shown is stale now
    warnings.filters[:] = _BASELINE["warnings"]
    os.chdir(_BASELINE["cwd"])


if __name__ == "__main__":
    from ipykernel.kernelapp import IPKernelApp

    IPKernelApp.launch_instance()
