"""``analysis doctor``: check that this machine can build the report, and say how to fix it."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from analysis import config


@dataclass(frozen=True)
class Check:
    """The result of one check."""

    name: str
    ok: bool
    detail: str
    fix: str = ""
    optional: bool = False


def _python_packages() -> Check:
    from analysis.provenance import RECORDED_PACKAGES, package_versions

    missing = [name for name, version in package_versions((*RECORDED_PACKAGES, "pyyaml")).items() if version is None]
    if missing:
        fix = "run `make report` (it installs the locked packages into .venv)"
        return Check("Python packages", False, f"missing: {', '.join(missing)}", fix)
    return Check("Python packages", True, "all installed")


def _kernel() -> Check:
    import asyncio

    from jupyter_client.manager import AsyncKernelManager

    async def run(folder: str) -> str:
        manager = AsyncKernelManager(kernel_name="python3", transport="ipc", ip=f"{folder}/kernel")
        await manager.start_kernel()
        client = manager.client()
        client.start_channels()
        try:
            await client.wait_for_ready(timeout=60)
            reply = await client.execute_interactive(
                "import sys; print(sys.version.split()[0])", timeout=60, output_hook=lambda m: None
            )
            return reply["content"]["status"]
        finally:
            client.stop_channels()
            await manager.shutdown_kernel(now=True)

    try:
        with tempfile.TemporaryDirectory() as folder:
            status = asyncio.run(run(folder))
    except Exception as error:  # any failure to start a kernel is the finding
        return Check(
            "Jupyter kernel",
            False,
            f"could not start a python3 kernel over IPC: {error}",
            "reinstall ipykernel: .venv/bin/pip install -r requirements.lock",
        )
    return Check(
        "Jupyter kernel",
        status == "ok",
        f"python3 kernel started over IPC and ran code ({status})",
        "reinstall ipykernel",
    )


def _weasyprint() -> Check:
    fix = "install Pango and HarfBuzz: sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0"
    try:
        from weasyprint import HTML
    except OSError as error:
        return Check("WeasyPrint and its system libraries", False, f"cannot load: {error}", fix)
    try:
        pdf = HTML(string="<p>FDI</p>").write_pdf()
    except Exception as error:  # any rendering failure is the finding
        return Check("WeasyPrint and its system libraries", False, f"cannot render a PDF: {error}", fix)
    return Check(
        "WeasyPrint and its system libraries", pdf.startswith(b"%PDF"), f"rendered a test PDF ({len(pdf)} bytes)", fix
    )


def _fonts() -> Check:
    if not shutil.which("fc-match"):
        return Check(
            "Fonts",
            False,
            "fc-match not found: cannot tell which fonts the PDF will use",
            "sudo apt-get install fontconfig fonts-dejavu-core",
            optional=True,
        )
    found = subprocess.run(["fc-match", "DejaVu Sans"], capture_output=True, text=True, check=False).stdout.strip()
    ok = "DejaVu" in found
    return Check(
        "Fonts",
        ok,
        f"DejaVu Sans resolves to {found or 'nothing'}",
        "sudo apt-get install fonts-dejavu-core",
        optional=True,
    )


def _output_folder(out_dir: Path) -> Callable[[], Check]:
    def check() -> Check:
        try:
            out_dir.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=out_dir, prefix=".doctor-"):
                pass
        except OSError as error:
            return Check(
                "Output folder",
                False,
                f"{out_dir} is not writable: {error.strerror}",
                f"choose another with --out, or fix the permissions of {out_dir}",
            )
        return Check("Output folder", True, f"{config.display_path(out_dir)} is writable")

    return check


def _data() -> Check:
    from analysis.errors import DataValidationError
    from analysis.load import load_dataset

    try:
        data = load_dataset(config.DATA_DIR)
    except DataValidationError as error:
        return Check(
            "Data",
            False,
            f"{len(error.problems)} problem(s) in {config.display_path(config.DATA_DIR)}",
            "run `analysis validate` to list them",
        )
    return Check("Data", True, f"{config.display_path(config.DATA_DIR)} meets the contract ({len(data.fdi)} figures)")


def _tool(name: str, path: str, purpose: str, fix: str) -> Callable[[], Check]:
    def check() -> Check:
        found = shutil.which(path)
        return Check(
            name, bool(found), f"{found} ({purpose})" if found else f"not found ({purpose})", fix, optional=True
        )

    return check


def _lab() -> Check:
    import importlib.util

    found = importlib.util.find_spec("jupyterlab") is not None
    detail = "installed (make lab opens the notebook in it)" if found else "not installed (only make lab needs it)"
    return Check("JupyterLab", found, detail, "make lab installs it into .venv", optional=True)


def run_checks(out_dir: Path) -> Iterator[Check]:
    """Run every check, required ones first.

    Parameters
    ----------
    out_dir : pathlib.Path
        The output folder a build would write to.

    Yields
    ------
    Check
    """
    checks: list[Callable[[], Check]] = [
        _python_packages,
        _kernel,
        _weasyprint,
        _output_folder(out_dir),
        _data,
        _fonts,
        _lab,
        _tool("Chromium", "chromium", "browser tests and screenshots", "sudo apt-get install chromium"),
        _tool(
            "pdftoppm", "pdftoppm", "turning PDF pages into PNG to look at them", "sudo apt-get install poppler-utils"
        ),
    ]
    for check in checks:
        yield check()
