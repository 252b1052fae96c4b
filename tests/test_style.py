"""Notebook hygiene and the package's shape: stripped notebooks, no numbers typed into prose (ruff runs in `make lint`)."""

import json
import re
import subprocess
from pathlib import Path

import pytest

from analysis import _config as config

ROOT = config.PROJECT_ROOT
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
# The pre-stop hook's pattern: decimals, and numbers followed by a unit or "times".
TYPED_NUMBER = re.compile(r"(?<![\w.])\d[\d,]*\.\d+|\b\d+(?:\.\d+)?\s?(?:%|x\b|×|times\b|million\b)")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebooks_are_committed_without_outputs(path):
    cells = json.loads(path.read_text())["cells"]
    assert not [c for c in cells if c["cell_type"] == "code" and (c.get("outputs") or c.get("execution_count"))]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_number_is_typed_into_the_notebook_prose(path):
    cells = json.loads(path.read_text())["cells"]
    typed = [
        m.group(0) for c in cells if c["cell_type"] == "markdown" for m in TYPED_NUMBER.finditer("".join(c["source"]))
    ]
    assert typed == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebooks_hold_calls_not_logic(path):
    cells = json.loads(path.read_text())["cells"]
    code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    assert not re.search(r"^\s*(def|class|for|while|if|with)\b", code, re.M)


def test_no_file_points_outside_the_repository():
    # a reader of the project has only the project: the design lives in its README, data/README.md
    # and docs/, never in a document beside the repository
    outside = re.compile(r"\.\./shared|DESIGN\.md")
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, text=True, check=True)
    found = [
        f"{name}:{number}"
        for name in tracked.stdout.split("\0")
        if name and (ROOT / name).is_file() and ROOT / name != Path(__file__) and "snapshots" not in name
        for number, line in enumerate((ROOT / name).read_text(encoding="utf-8", errors="replace").splitlines(), 1)
        if outside.search(line)
    ]
    assert found == []


def test_the_package_map_names_every_module():
    import analysis

    modules = {p.stem for p in (config.PACKAGE_DIR).glob("*.py") if not p.stem.startswith("__")}
    named = set(re.findall(r"`(\w+)`", analysis.__doc__))
    assert modules - named == set()  # a module missing from the map in analysis/__init__.py
    assert {"_sections"} <= named


def test_only_the_public_surface_is_without_an_underscore():
    # the report facade, the command line, the data contract and the errors they raise
    public = {p.stem for p in config.PACKAGE_DIR.iterdir() if p.suffix in {".py", ""} and not p.name.startswith("_")}
    assert public - {"locale", "templates"} == {"report", "cli", "contract", "errors"}


def test_no_section_imports_the_report_that_attaches_it():
    """Sections depend on the protocol in sections/_report.py: no import cycle with analysis.report."""
    import ast

    found = []
    for path in sorted((config.PACKAGE_DIR / "sections").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [node.module] if isinstance(node, ast.ImportFrom) else []
            names += [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if "analysis.report" in names:
                found.append(f"{path.name}:{node.lineno}")
    assert found == []
