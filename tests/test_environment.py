"""The set-up files agree with each other: pyproject.toml, environment.yml, the lock, make, CI."""

import re
import subprocess
import tomllib

import pytest
import yaml
from packaging.requirements import Requirement

from analysis import _config as config

ROOT = config.PROJECT_ROOT


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pyproject_requirements() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    listed = project["dependencies"] + project["optional-dependencies"]["test"]
    return {normalise(r.name): str(r.specifier) for r in map(Requirement, listed)}


def conda_requirements() -> dict[str, str]:
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert environment["channels"] == ["conda-forge"]
    found = {}
    for entry in environment["dependencies"]:
        if isinstance(entry, str):
            requirement = Requirement(entry)
            found[normalise(requirement.name)] = str(requirement.specifier)
    return found


def test_environment_yml_lists_the_same_packages_and_bounds_as_pyproject():
    conda = conda_requirements()
    conda.pop("python")
    conda.pop("pip")
    assert conda == pyproject_requirements()


def test_every_dependency_is_pinned_in_the_lock_and_satisfies_its_bound():
    pins = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if line and not line.startswith((" ", "#")):
            name, _, version = line.partition("==")
            assert version, f"not pinned: {line}"
            pins[normalise(name)] = version
    for name, specifier in pyproject_requirements().items():
        assert name in pins, f"{name} is not in requirements.lock"
        assert Requirement(f"{name}{specifier}").specifier.contains(pins[name]), (name, specifier, pins[name])
    assert {"setuptools", "wheel"} <= set(pins)  # installed with --no-build-isolation


@pytest.mark.slow  # runs make
def test_make_has_the_readme_commands_and_ci_runs_the_test_one():
    listed = subprocess.run(
        ["make", "--no-print-directory", "help"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert "make report" in listed and "make test" in listed
    dry = subprocess.run(["make", "-n", "report"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert ".venv/bin/analysis build" in dry
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    readme = (ROOT / "README.md").read_text()
    assert "make report" in readme and "make test" in readme
