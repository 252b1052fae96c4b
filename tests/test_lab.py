"""Working in JupyterLab: the notebook runs as Lab runs it, and Lab's lock agrees with the project's."""

import re
import tomllib

import nbformat
import pytest
from nbclient import NotebookClient
from packaging.requirements import Requirement

from analysis import _config as config
from analysis._config import METRICS_MIME

ROOT = config.PROJECT_ROOT


def pins(lock: str) -> dict[str, str]:
    found = {}
    for line in (ROOT / lock).read_text().splitlines():
        if line and not line.startswith((" ", "#")):
            name, _, version = line.partition("==")
            assert version, f"{lock}: not pinned: {line}"
            found[re.sub(r"[-_.]+", "-", name).lower()] = version
    return found


def test_the_lab_lock_keeps_every_pin_of_the_project_lock():
    project, lab = pins("requirements.lock"), pins("requirements-lab.lock")
    assert {name: lab[name] for name in project.keys() & lab.keys()} == {
        name: project[name] for name in project.keys() & lab.keys()
    }
    [bound] = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]["lab"]
    requirement = Requirement(bound)
    assert requirement.specifier.contains(lab[requirement.name])
    assert "jupyterlab" not in project  # `make report` stays lean


@pytest.mark.slow
def test_the_notebook_runs_top_to_bottom_from_its_folder_as_in_lab():
    nb = nbformat.read(config.DEFAULT_NOTEBOOK, as_version=4)
    # Lab starts the kernel in the notebook's folder; nbclient does the same with this path.
    client = NotebookClient(
        nb, kernel_name="python3", timeout=600, resources={"metadata": {"path": str(config.NOTEBOOKS_DIR)}}
    )
    client.execute()
    outputs = [o for c in nb.cells for o in c.get("outputs", [])]
    assert [o for o in outputs if o.output_type == "error"] == []
    [metrics] = [o.data[METRICS_MIME] for o in outputs if METRICS_MIME in o.get("data", {})]
    assert metrics["growth"]["multiple"] == pytest.approx(86.4 / 2.8)  # the project's data, found from notebooks/
    assert metrics["parameters"]["data_dir"] == "data"
