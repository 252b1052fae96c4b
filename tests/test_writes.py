"""A build writes only inside its output folder: a folder of it swapped for a symbolic link during
the build is never written through, nor deleted through.

The build's steps that need a kernel stand in here (the notebook's run, the rendering); what
writes, publishes and tidies is the build's own. Each swap is made just after the build's
checks of the folder (`outputs.refuse_link` is made to see nothing), as a swap between the check
and the write would be.
"""

import threading

import pytest
from conftest import FIXTURES, notebook_defaults

from analysis import _outputs as outputs
from analysis import _pipeline as pipeline
from analysis._pipeline import BuildOptions, build_one
from analysis._plan import Variant
from analysis.errors import BuildError, NotebookExecutionError

OLD = {"r.html": b"<p>old</p>", "r.ipynb": b"{}", "figures/r-fdi.svg": b"<svg>old</svg>"}
NEW = {
    "r.html": b"<p>new</p>",
    "r.ipynb": b"{}",
    "figures/r-fdi.svg": b"<svg>new</svg>",
    "figures/r-share.svg": b"<svg/>",
}


def variant() -> Variant:
    values = {**notebook_defaults(), "data_dir": str(FIXTURES / "tiny"), "origin": "KOR", "destination": "CHL"}
    return Variant("r", "test", values)


class FailingNotebook:
    """An executor whose notebook fails, leaving its partly executed copy and its kernel's log in the run's folder."""

    def ready(self) -> None:
        pass

    def run(self, notebook, parameters, workdir):
        (workdir / "executed.ipynb").write_text('{"cells": "as run so far"}')
        (workdir / "kernel.log").write_text("the kernel's last words")
        raise NotebookExecutionError("ValueError: the notebook failed")


def rendered(run) -> None:
    """Stands for the notebook's run and the rendering: the files a build of the HTML writes."""
    run.step("rendering HTML")
    run.files = dict(NEW)


def rendered_before(run) -> None:
    """The same, for the build before: a figure fewer."""
    run.step("rendering HTML")
    run.files = dict(OLD)


def snapshot(folder) -> dict[str, bytes | str]:
    """Every entry under a folder: a file's bytes, where a link leads, or that it is a folder."""
    seen: dict[str, bytes | str] = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).as_posix()
        if path.is_symlink():
            seen[relative] = "-> " + path.readlink().as_posix()
        elif path.is_dir():
            seen[relative] = "folder"
        else:
            seen[relative] = path.read_bytes()
    return seen


@pytest.fixture
def built(tmp_path, monkeypatch):
    """An output folder holding a report r built once, and an empty failed/; no renderers prepared."""
    out = tmp_path / "out"
    monkeypatch.setattr(pipeline, "prepare_in_background", lambda: threading.Thread(target=lambda: None))
    monkeypatch.setattr(pipeline, "STEPS", [rendered_before, pipeline.publish])
    build_one(variant(), BuildOptions(out_dir=out, formats=("html",)), executor=FailingNotebook())
    (out / "failed").mkdir()
    assert (out / "r.html").read_bytes() == OLD["r.html"]
    return out


def swap(out, relative: str, elsewhere) -> dict[str, bytes | str]:
    """Move a folder of the output folder elsewhere and leave a link to it in its place."""
    folder = out / relative
    if folder.exists():
        folder.rename(elsewhere)
    else:  # a link planted where the build is about to make a folder
        elsewhere.mkdir()
    folder.symlink_to(elsewhere)
    return snapshot(elsewhere)


@pytest.mark.parametrize(
    ("relative", "when"),
    [
        # the build's own folder, .builds/r/<version>: the notebook's run and the phase are written there
        ("{version}", "before the notebook runs"),
        (".builds/r", "before the notebook runs"),
        (".builds", "before the notebook runs"),
        ("{version}", "before publishing"),
        ("{version}/figures", "before publishing"),  # a link planted where the build makes a folder
        (".builds/r", "before publishing"),
        (".builds", "before publishing"),
        ("figures", "before publishing"),
    ],
)
def test_a_folder_swapped_for_a_link_during_a_build_is_not_written_through(
    built, tmp_path, monkeypatch, relative, when
):
    elsewhere = tmp_path / "elsewhere"
    moved = {}

    def swapping(run) -> None:
        name = relative.format(version=run.version.relative_to(built).as_posix())
        moved.update(swap(built, name, elsewhere))

    monkeypatch.setattr(outputs, "refuse_link", lambda out_dir, folder: None)  # the swap comes after each check
    if when == "before the notebook runs":
        steps, executor = [swapping, pipeline.execute_notebook], FailingNotebook()
        expected = (BuildError, NotebookExecutionError)
    else:
        steps, executor = [rendered, swapping, pipeline.publish], None
        expected = BuildError
    monkeypatch.setattr(pipeline, "STEPS", steps)
    with pytest.raises(expected) as caught:
        build_one(variant(), BuildOptions(out_dir=built, formats=("html",), force=True), executor=executor)
    assert snapshot(elsewhere) == moved  # nothing written there, nothing removed
    if isinstance(caught.value, NotebookExecutionError):  # the notebook's own error, and where its copy is
        assert str(caught.value).startswith("the report notebook failed: ValueError: the notebook failed")


def test_a_failed_folder_swapped_for_a_link_is_not_written_through(built, tmp_path, monkeypatch):
    elsewhere = tmp_path / "elsewhere"
    moved = {}

    def swapping(run) -> None:
        moved.update(swap(built, "failed", elsewhere))

    monkeypatch.setattr(outputs, "refuse_link", lambda out_dir, folder: None)
    monkeypatch.setattr(pipeline, "STEPS", [swapping, pipeline.execute_notebook])
    with pytest.raises(NotebookExecutionError) as caught:
        build_one(variant(), BuildOptions(out_dir=built, formats=("html",), force=True), executor=FailingNotebook())
    message = str(caught.value)
    assert message.startswith("the report notebook failed: ValueError: the notebook failed")
    assert "The partly executed notebook could not be kept: " in message and "symbolic link" in message
    assert snapshot(elsewhere) == moved
    assert (built / "r.html").read_bytes() == OLD["r.html"]  # the last build's outputs, as they were


def test_a_failed_notebook_is_kept_in_failed_and_nothing_else_is_left(built, monkeypatch):
    monkeypatch.setattr(pipeline, "STEPS", [pipeline.execute_notebook])
    before = snapshot(built)
    with pytest.raises(NotebookExecutionError) as caught:
        build_one(variant(), BuildOptions(out_dir=built, formats=("html",), force=True), executor=FailingNotebook())
    assert caught.value.kept_at == f"{built}/failed/r.ipynb"
    after = snapshot(built)
    assert after.pop("failed/r.ipynb") == b'{"cells": "as run so far"}'
    assert after.pop("failed/r.kernel.log") == b"the kernel's last words"
    assert after == before  # no build folder left, the outputs as they were
