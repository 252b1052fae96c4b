"""``analysis watch``: rebuilds on edits, shows bad input on the page, and Ctrl-C leaves nothing behind."""

import contextlib
import errno
import io
import json
import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from _stub import stub_params

from analysis import _config as config
from analysis import _watch as watch_module
from analysis._pipeline import BuildOptions, Outcome
from analysis._watch import Session
from analysis.errors import SystemLimitError

GOOD = ("KOR,CHL,2023,12,50.0,", "KOR,CHL,2023,12,60.0,")
STUB = Path(__file__).parent / "_stub.py"


class Watch:
    """``analysis watch`` of the stub notebook in a process of its own, its own temporary folders."""

    def __init__(self, notebook: Path, tmp: Path, params: Path, out: Path, *extra: str, ignore_sigint: bool = False):
        self.tmp = Path(tempfile.mkdtemp(prefix="aw-", dir="/tmp"))  # short: kernel sockets go here
        self.runtime = tmp / "runtime"
        self.runtime.mkdir()
        environment = {**os.environ, "TMPDIR": str(self.tmp), "JUPYTER_RUNTIME_DIR": str(self.runtime)}
        self.process = subprocess.Popen(
            [sys.executable, str(STUB), str(notebook), "watch", str(params), "--out", str(out), *extra],
            cwd=config.PROJECT_ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=environment,
            # as a shell starts a background job: SIGINT ignored from the start
            preexec_fn=(lambda: signal.signal(signal.SIGINT, signal.SIG_IGN)) if ignore_sigint else None,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def wait_for(self, pattern: str, seconds: float = 120) -> str:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                assert self.process.poll() is None, "\n".join(self.seen)
                continue
            self.seen.append(line)
            if re.search(pattern, line):
                return line
        raise AssertionError(f"no line matching {pattern!r} in:\n" + "\n".join(self.seen))

    def kernels(self) -> list[int]:
        """The kernel processes it started (its children running analysis._kernel)."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        found = []
        for child in children:
            with contextlib.suppress(OSError):
                if b"analysis._kernel" in Path(f"/proc/{child}/cmdline").read_bytes():
                    found.append(int(child))
        return found

    def interrupt(self, number: int = signal.SIGINT) -> int:
        self.process.send_signal(number)
        try:
            return self.process.wait(timeout=60)
        finally:
            self.process.kill()

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.tmp, ignore_errors=True)


def fdi_digest(out: Path) -> str:
    return json.loads((out / "tiny.metrics.json").read_text())["fdi"]


def status(url: str) -> dict:
    with urllib.request.urlopen(url + "__analysis/status", timeout=10) as response:
        return json.loads(response.read())


def assert_nothing_left(watch: Watch, out: Path, kernels: list[int], port: int | None) -> None:
    for pid in kernels:
        assert not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text().split()[2]
    assert list(watch.tmp.iterdir()) == []  # no socket folder, connection file or temporary file
    assert list(watch.runtime.iterdir()) == []
    versions = out / ".builds" / "tiny"
    if versions.exists():  # only the published set, if any: no build folder left half-made
        current = versions / "current"
        published = ["current", current.readlink().name] if current.is_symlink() else []
        assert sorted(p.name for p in versions.iterdir()) == sorted(published)
    assert not (out / "failed").exists()
    if port is not None:
        with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.1", port), timeout=5):
            pass


@pytest.mark.slow
def test_a_session_with_a_good_and_a_bad_edit(stub_notebook, tmp_path, data_copy):
    out = tmp_path / "out"
    watch = Watch(stub_notebook, tmp_path, stub_params(tmp_path, "tiny", data_copy), out, "--format", "html")
    try:
        url = re.search(r"serving (http://127\.0\.0\.1:\d+/)", watch.wait_for("serving")).group(1)
        watch.wait_for(r"tiny: HTML updated in [\d.]+ s")
        first = status(url)
        assert first["problems"] == [] and first["generation"] >= 1
        before = fdi_digest(out)
        [kernel] = watch.kernels()

        # a good edit: rebuilt in the same (warm) kernel, and the page is told to reload
        fdi = data_copy / "fdi.csv"
        fdi.write_text(fdi.read_text().replace(*GOOD))
        watch.wait_for(r"fdi\.csv changed: rebuilding in the warm kernel")
        watch.wait_for(r"tiny: HTML updated")
        assert fdi_digest(out) != before  # the notebook read the edited data
        assert status(url)["generation"] == first["generation"] + 1
        assert watch.kernels() == [kernel]
        with urllib.request.urlopen(url + "tiny.html", timeout=10) as response:
            served = response.read()
        on_disk = (out / "tiny.html").read_bytes()
        assert b"data-analysis-watch" in served and b"<script" not in on_disk

        # a bad edit: its problem in the terminal and on the page; the last good report stays
        good = {p: p.read_bytes() for p in (out / "tiny.html", out / "tiny.metrics.json")}
        fdi.write_text(fdi.read_text().replace("KOR,CHL,2023,12,60.0,", "KOR,CHL,2023,12,6O.0,"))
        problem = watch.wait_for(r"fdi\.csv:\d+: column usd_millions")
        assert problem.startswith(
            f"{data_copy}/fdi.csv:4: column usd_millions: '6O.0' is not a number"
        )  # line 4: by hand
        watch.wait_for("1 problem in the data: nothing was built; the last good report stays published")
        shown = status(url)
        assert shown["generation"] == first["generation"] + 1  # no reload: the page stays
        assert problem in shown["problems"]
        assert {p: p.read_bytes() for p in good} == good

        # the bad edit undone: nothing to build, and the page shows no problem any more
        fdi.write_text(fdi.read_text().replace("KOR,CHL,2023,12,6O.0,", "KOR,CHL,2023,12,60.0,"))
        watch.wait_for("tiny: unchanged")
        assert status(url)["problems"] == []

        kernels = watch.kernels()
        assert watch.interrupt() == 0
        assert_nothing_left(watch, out, kernels, int(url.rsplit(":", 1)[1].strip("/")))
    finally:
        watch.close()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("when", "number", "ignore_sigint", "status"),
    [
        ("executing", signal.SIGINT, True, 0),  # started as a background job is, SIGINT ignored
        ("idle", signal.SIGTERM, False, 128 + signal.SIGTERM),
    ],
)
def test_a_signal_stops_everything_and_leaves_nothing_behind(
    stub_notebook, tmp_path, when, number, ignore_sigint, status
):
    out = tmp_path / "out"
    marker = tmp_path / "running"
    params = stub_params(tmp_path, "tiny", marker=str(marker), sleep=600 if when == "executing" else 0)
    watch = Watch(stub_notebook, tmp_path, params, out, "--format", "html", "--no-serve", ignore_sigint=ignore_sigint)
    try:
        if when == "idle":
            watch.wait_for(r"tiny: HTML updated")
        else:
            deadline = time.monotonic() + 120
            while not marker.exists():
                assert time.monotonic() < deadline and watch.process.poll() is None
                time.sleep(0.02)
        kernels = watch.kernels()
        assert kernels
        assert watch.interrupt(number) == status
        assert_nothing_left(watch, out, kernels, None)
        assert not (out / "tiny.html").exists() if when == "executing" else (out / "tiny.html").exists()
    finally:
        watch.close()


def test_what_each_change_means(tmp_path, data_copy):
    params = stub_params(tmp_path, "tiny", data_copy)
    session = Session([params], [], BuildOptions(out_dir=tmp_path / "out"), port=None)
    assert session.kind(data_copy / "fdi.csv") == "data"
    assert session.kind(data_copy / "notes.txt") is None
    assert session.kind(params) == "params"
    assert session.kind(tmp_path / "other.yaml") is None
    assert session.kind(config.DEFAULT_NOTEBOOK) == "notebook"
    assert session.kind(config.PACKAGE_DIR / "report.py") == "code"
    assert session.kind(config.PACKAGE_DIR / "templates" / "fdi_report" / "index.html.j2") == "code"
    # every file of the package is code, as the cache key counts it: a catalogue's words too
    for path in config.PACKAGE_DIR.rglob("*"):
        if path.is_file() and "__pycache__" not in path.parts:
            assert session.kind(path) == "code", path
    assert session.kind(config.PACKAGE_DIR / "__pycache__" / "report.cpython-311.pyc") is None
    assert session.kind(config.LOCK_FILE) == "lock"
    assert data_copy in session.roots() and config.PACKAGE_DIR in session.roots()


@pytest.mark.slow
def test_a_pdf_that_fails_after_its_html_was_published_is_said_so(stub_notebook, tmp_path):
    # a word of 100,000 letters takes minutes to lay out: the PDF's limit stops it; the HTML went out before
    out = tmp_path / "out"
    params = stub_params(tmp_path, "tiny", word=100_000)
    watch = Watch(stub_notebook, tmp_path, params, out, "--no-serve", "--time-limit", "pdf=2")
    try:
        watch.wait_for(r"tiny: HTML updated")
        watch.wait_for("tiny: the PDF failed; the HTML is this build's, and there is no PDF.")
        said = "\n".join(watch.seen)
        assert (
            "rendering the PDF took longer than its time limit of 2 s and was stopped; the PDF was not published"
            in said
        )
        assert "nothing was published" not in said and "last good report" not in said
        assert (out / "tiny.html").exists() and not (out / "tiny.pdf").exists()
    finally:
        watch.close()


def session_with_page(tmp_path: Path, data: Path) -> tuple[Session, io.StringIO]:
    """A session that serves nothing, with no kernel: none of its builds gets as far as the notebook."""
    stream = io.StringIO()
    session = Session(
        [stub_params(tmp_path, "tiny", data)], [], BuildOptions(out_dir=tmp_path / "out"), port=None, stream=stream
    )
    return session, stream


@pytest.mark.parametrize("built_before", [False, True])
def test_bad_data_says_whether_a_report_was_ever_built(tmp_path, data_copy, built_before):
    fdi = data_copy / "fdi.csv"
    fdi.write_text(fdi.read_text().replace("KOR,CHL,2023,12,50.0,", "KOR,CHL,2023,12,5O.0,"))
    session, stream = session_with_page(tmp_path, data_copy)
    if built_before:  # a report from an earlier session is in the output folder, and served
        (tmp_path / "out").mkdir()
        (tmp_path / "out" / "tiny.html").write_text("<p>an earlier report</p>")
    session.rebuild("building")
    shown = json.loads(session.state.as_json())
    said = " ".join([shown["headline"], *shown["problems"], stream.getvalue()])
    assert "column usd_millions: '5O.0' is not a number" in said
    if built_before:
        assert "the last good report" in shown["headline"] and "nothing has been built yet" not in said
    else:
        assert "nothing has been built yet" in shown["headline"] and "last good report" not in said


def test_a_failed_build_of_a_report_never_built_says_so(tmp_path, data_copy, monkeypatch):
    failed = Outcome("tiny", "failed", [], 1.0, "the report notebook failed: ValueError: x; nothing was published", 1)
    monkeypatch.setattr(watch_module, "guarded", lambda variant, options, executor: failed)
    session, stream = session_with_page(tmp_path, data_copy)
    session.rebuild("building")
    shown = json.loads(session.state.as_json())
    assert shown["headline"].startswith("tiny: ") and "nothing has been built yet" in shown["headline"]
    assert "last good report" not in " ".join([shown["headline"], *shown["problems"], stream.getvalue()])


@pytest.mark.parametrize(
    "error",
    [
        OSError(errno.EMFILE, "Too many open files"),  # reading the data
        SystemLimitError("too many open files while reading the inputs"),
        RuntimeError("a fault of the package"),
    ],
)
def test_a_rebuild_that_fails_unexpectedly_never_ends_the_watch(tmp_path, data_copy, monkeypatch, error):
    session, stream = session_with_page(tmp_path, data_copy)
    calls = []

    def failing(*args, **kwargs):
        calls.append(args)
        raise error

    monkeypatch.setattr(watch_module, "check", failing)
    signals = []
    monkeypatch.setattr(os, "kill", lambda pid, number: signals.append(number))  # the watch must not stop itself
    builder = threading.Thread(target=session._builder, daemon=True)
    builder.start()
    deadline = time.monotonic() + 30
    while not calls and time.monotonic() < deadline:
        time.sleep(0.01)
    session.changes.put({(1, str(data_copy / "fdi.csv"))})  # an edit after the failed first build
    while len(calls) < 2 and builder.is_alive() and time.monotonic() < deadline:
        time.sleep(0.01)
    session.changes.put(None)
    builder.join(timeout=30)
    assert len(calls) == 2 and signals == [] and not session.stop.is_set() and session.status == 0
    said = stream.getvalue()
    assert "stopping" not in said and said.count("the watch goes on") == 2
    assert json.loads(session.state.as_json())["problems"]
