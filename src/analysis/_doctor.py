"""``analysis doctor``: check that this machine can build the report, and say how to fix what is missing."""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from analysis import _config as config


@dataclass(frozen=True)
class Check:
    """The result of one check."""

    name: str
    ok: bool
    detail: str
    fix: str = ""
    optional: bool = False


def _python_packages() -> Check:
    from importlib import metadata

    from analysis._provenance import package_versions

    try:  # the dependencies pyproject.toml declares, as installed with the package
        declared = metadata.requires("analysis") or []
    except metadata.PackageNotFoundError:
        declared = ["analysis"]  # run from a checkout never installed: that is what is missing
    required = [re.match(r"[\w.-]+", text)[0] for text in declared if "extra ==" not in text]
    missing = [name for name, version in package_versions(tuple(required)).items() if not version]
    if missing:
        return Check(
            "Python packages",
            False,
            f"missing: {', '.join(missing)}",
            "run `make report` (it installs the locked packages into .venv)",
        )
    return Check("Python packages", True, "all installed")


def _kernel() -> Check:
    from jupyter_client.manager import KernelManager

    fix = "reinstall ipykernel: .venv/bin/pip install -r requirements.lock"
    try:
        with tempfile.TemporaryDirectory() as folder:
            manager = KernelManager(kernel_name="python3", transport="ipc", ip=f"{folder}/kernel")
            manager.start_kernel()
            client = manager.client()
            client.start_channels()
            try:
                client.wait_for_ready(timeout=60)
            finally:
                client.stop_channels()
                manager.shutdown_kernel(now=True)
    except Exception as error:  # any failure to start a kernel is the finding
        return Check("Jupyter kernel", False, f"could not start a python3 kernel over IPC: {error}", fix)
    return Check("Jupyter kernel", True, "python3 kernel started over IPC and answered")


def _weasyprint() -> Check:
    name = "WeasyPrint and its system libraries"
    fix = "install Pango and HarfBuzz: sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0"
    try:
        from weasyprint import HTML

        pdf = HTML(string="<p>FDI</p>").write_pdf()
    except Exception as error:  # a library that cannot load, or cannot render, is the finding
        return Check(name, False, f"cannot render a PDF: {error}", fix)
    return Check(name, pdf.startswith(b"%PDF"), f"rendered a test PDF ({len(pdf)} bytes)", fix)


def _output_folder(out_dir: Path) -> Check:
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


def _data() -> Check:
    from analysis._load import load_dataset
    from analysis.errors import DataValidationError

    shown = config.display_path(config.DATA_DIR)
    try:
        data = load_dataset(config.DATA_DIR)
    except DataValidationError as error:
        return Check("Data", False, f"{error.count} problem(s) in {shown}", "run `analysis validate` to list them")
    return Check("Data", True, f"{shown} meets the contract ({len(data.fdi)} figures)")


def _fonts() -> Check:
    found = ""
    if shutil.which("fc-match"):
        found = subprocess.run(["fc-match", "DejaVu Sans"], capture_output=True, text=True, check=False).stdout.strip()
    return Check(
        "Fonts",
        "DejaVu" in found,
        f"DejaVu Sans resolves to {found or 'nothing'}",
        "sudo apt-get install fontconfig fonts-dejavu-core",
        optional=True,
    )


def _tool(name: str, command: str, purpose: str, fix: str) -> Check:
    found = shutil.which(command)
    return Check(name, bool(found), f"{found or 'not found'} ({purpose})", fix, optional=True)


def _lab() -> Check:
    found = importlib.util.find_spec("jupyterlab") is not None
    detail = "installed (make lab opens the notebook in it)" if found else "not installed (only make lab needs it)"
    return Check("JupyterLab", found, detail, "make lab installs it into .venv", optional=True)


def run_checks(out_dir: Path) -> Iterator[Check]:
    """Run every check, required ones first, yielding each result as it comes."""
    checks = [
        _python_packages,
        _kernel,
        _weasyprint,
        lambda: _output_folder(out_dir),
        _data,
        _fonts,
        _lab,
        lambda: _tool("Chromium", "chromium", "browser tests and screenshots", "sudo apt-get install chromium"),
        lambda: _tool(
            "pdftoppm", "pdftoppm", "turning PDF pages into PNG to look at them", "sudo apt-get install poppler-utils"
        ),
    ]
    return (check() for check in checks)
