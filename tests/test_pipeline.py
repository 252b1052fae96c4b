"""The build end to end: outputs, numbers, escaping, failures that lose nothing, the cache."""

import ast
import errno
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from _stub import stub_params, stub_variant
from conftest import (
    TRICKY_TITLE,
    build_one,
    build_variant,
    digests,
    tiny_params,
)

from analysis import _config as config
from analysis import _outputs as outputs
from analysis import _pipeline as pipeline
from analysis._cache import cache_key, reusable
from analysis._pipeline import BuildOptions
from analysis._plan import Variant
from analysis.errors import NotebookExecutionError

pytestmark = pytest.mark.slow
STUB = Path(__file__).parent / "_stub.py"


def lead(html: str) -> str:
    """The headline paragraphs' text (a report whose comparison no claim makes leads with them)."""
    return " ".join(re.findall(r'<p class="lead">(.*?)</p>', html, flags=re.S))


def summary(html: str) -> str:
    """The lead's summary: the answer in a few paragraphs."""
    return " ".join(re.findall(r'<div class="summary">(.*?)</div>', html, flags=re.S))


def run_cli(*args, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "analysis", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=config.PROJECT_ROOT,
        **kwargs,
    )


# The default report ------------------------------------------------------------------------


def figure_keys(built) -> list[str]:
    """The keys of the charts the executed notebook displayed, in order."""
    nb = nbformat.read(built.path(".ipynb"), as_version=4)
    return [
        o.metadata[config.FIGURE_MIME]["key"]
        for c in nb.cells
        for o in c.get("outputs", [])
        if config.FIGURE_MIME in o.get("metadata", {})
    ]


def test_default_report_writes_every_output(default_report):
    assert default_report.path(".html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert default_report.path(".pdf").read_bytes()[:5] == b"%PDF-"
    assert nbformat.read(default_report.path(".ipynb"), as_version=4).metadata.papermill["parameters"]
    keys = figure_keys(default_report)
    # the story's range and origins, by year in the appendix, then the timeline in pieces of bounded size
    assert keys[:3] == ["range", "origins", "fdi"] and [k for k in keys[3:] if k.startswith("timeline-")] == keys[3:]
    assert 4 <= len(keys) <= 3 + 4  # at most four timeline charts, whatever the timeline holds
    for key in keys:
        assert (default_report.out / "figures" / f"russia-mexico-fdi-{key}.svg").read_text().startswith("<?xml")
        assert (default_report.out / "figures" / f"russia-mexico-fdi-{key}.png").read_bytes()[:4] == b"\x89PNG"


def test_metrics_file_has_the_design_keys(default_report):
    metrics = default_report.metrics
    assert {"parameters", "growth", "inputs", "provenance"} <= set(metrics)
    growth = metrics["growth"]
    assert (growth["origin"], growth["destination"], growth["months"]) == ("RUS", "MEX", 12)
    assert (growth["base_year"], growth["target_year"]) == (2022, 2024)
    assert (growth["base_value"], growth["target_value"]) == (2.8, 86.4)
    assert growth["multiple"] == pytest.approx(86.4 / 2.8)  # 30.857...
    assert growth["pct_change"] == pytest.approx((86.4 / 2.8 - 1) * 100)  # 2985.71...
    assert growth["cagr_pct"] == pytest.approx(((86.4 / 2.8) ** 0.5 - 1) * 100)  # 455.49...
    assert growth["abs_change"] == pytest.approx(83.6)
    assert growth["multiple_low"] == pytest.approx(86.35 / 2.85)
    assert growth["multiple_high"] == pytest.approx(86.45 / 2.75)
    assert growth["base_share_of_total_pct"] == pytest.approx(2.8 / 35292 * 100)
    assert growth["target_share_of_total_pct"] == pytest.approx(86.4 / 36872 * 100)
    assert set(metrics["inputs"]) == {"data/fdi.csv", "data/sources.csv", "data/timeline.csv", "data/claims.csv"}
    data = config.DATA_DIR / "fdi.csv"
    assert metrics["inputs"]["data/fdi.csv"] == "sha256:" + hashlib.sha256(data.read_bytes()).hexdigest()
    assert {"git_commit", "git_dirty", "built_at", "packages"} <= set(metrics["provenance"])
    assert metrics["parameters"]["origin"] == "RUS" and metrics["parameters"]["prefer_sources"] == []
    # the range the independent reports of 2024 allow: 19.1 / 2.8 = 6.82..., 86.4 / 2.8 = 30.857...
    assert growth["multiple_reported_low"] == pytest.approx(19.1 / 2.8)
    assert growth["multiple_reported_high"] == pytest.approx(86.4 / 2.8)
    assert growth["base_independent_sources"] == 1


def test_default_report_prose_carries_the_answer(default_report):
    text = summary(default_report.html)
    for expected in (
        "<strong>The sum is right:</strong> US$86.4 million is 31 times US$2.8 million.",  # 86.4 / 2.8 = 30.86
        "Only Proceso reports the 2022 figure; no other outlet confirms it.",
        "between 7 and 31 times",  # 19.1 / 2.8 = 6.82 and 30.86, as a reader rounds them
        "was 0.23% of all FDI into Mexico in 2024 (under 0.01% in 2022)",  # 86.4 / 36,872; 2.8 / 35,292
    ):
        assert expected in text
    # exact figures belong in the appendix's tables, not in the story's prose
    assert "455.5" not in text and "30.3" not in text and "2,985.7" not in text and "30.9" not in text


def test_html_shows_no_code_and_fetches_nothing(default_report):
    html = default_report.html
    assert "<script" not in html.lower()
    assert "jp-InputArea-editor" not in html and "report = Report.build" not in html
    assert not re.search(r"""(src|srcset)\s*=\s*["']?(https?:)?//""", html)
    assert "<link" not in html and "@import" not in html and not re.search(r"url\(\s*['\"]?(https?:)?//", html)
    assert "cdnjs" not in html and "mathjax" not in html.lower() and "require.js" not in html
    assert len(re.findall(r'<img [^>]*src="data:image/png;base64,', html)) == len(figure_keys(default_report))


def test_executed_notebook_is_the_run_record(default_report):
    nb = nbformat.read(default_report.path(".ipynb"), as_version=4)
    assert nb.metadata.papermill["parameters"]["origin"] == "RUS"
    assert nb.metadata.papermill["input_path"] == "notebooks/russia_mexico_fdi.ipynb"
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1


# Another data set: its numbers, none of the default's ----------------------------------------


def test_other_data_give_their_own_numbers(tiny_report):
    growth = tiny_report.metrics["growth"]
    # 12.5 (2019) to 50.0 (2023, the later of two reports): 50 / 12.5 = 4; +300 %;
    # 4 ** (1/4) = sqrt(2): CAGR 41.42 %; shares 12.5/1250 = 1 %, 50/2000 = 2.5 %
    assert (growth["base_value"], growth["target_value"]) == (12.5, 50.0)
    assert growth["multiple"] == pytest.approx(4.0)
    assert growth["pct_change"] == pytest.approx(300.0)
    assert growth["cagr_pct"] == pytest.approx((2**0.5 - 1) * 100)
    assert growth["base_share_of_total_pct"] == pytest.approx(1.0)
    assert growth["target_share_of_total_pct"] == pytest.approx(2.5)
    assert growth["multiple_low"] == pytest.approx(49.95 / 12.55)
    text = lead(tiny_report.html)
    for expected in (
        "South Korea",
        "Chile",
        "US$12.5 million",
        "US$50.0 million",
        "4.0 times",
        "+300.0%",
        "2.5%",
    ):
        assert expected in text
    for default in ("Russia", "Mexico", "86.4", "2.8", "30.9", "2,985.7", "455.5"):
        assert default not in text
    whole = tiny_report.html
    for default in ("US$86.4", "US$2.8 million", "30.9 times", "2,985.7", "455.5", "36,872", "35,292"):
        assert default not in whole


def test_disagreements_section_lists_both_reports(tiny_report):
    html = tiny_report.html
    section = html[html.index('<h2 id="where-sources-disagree"') : html.index('<h2 id="timeline"')]
    # figures as written: 50.0 stays 50.0
    assert ">45.5</td>" in section and ">50.0</td>" in section and "✓ latest published" in section


def test_parameters_round_trip_as_data(tiny_report):
    assert tiny_report.metrics["parameters"]["title"] == TRICKY_TITLE
    nb = nbformat.read(tiny_report.path(".ipynb"), as_version=4)
    injected = next(c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", []))
    assignments = {
        node.targets[0].id: ast.literal_eval(node.value)
        for node in ast.parse(injected.source).body
        if isinstance(node, ast.Assign)
    }
    assert assignments["title"] == TRICKY_TITLE
    assert "&lt;b&gt;markup&lt;/b&gt;" in tiny_report.html and "<b>markup</b>" not in tiny_report.html


def test_text_from_the_data_is_escaped(tiny_report):
    html = tiny_report.html
    assert "<script>alert" not in html and "<i>markup</i>" not in html
    # (the page is re-serialised after rendering: quotes in text need no escaping and lose it)
    assert "&lt;script&gt;alert('x')&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt; event" in html
    assert "a note with &lt;i&gt;markup&lt;/i&gt;" in html
    assert 'Revised figures, with "quotes"' in html


def test_a_negative_base_is_said_in_words(negative_report):
    growth = negative_report.metrics["growth"]
    for key in ("multiple", "pct_change", "cagr_pct"):
        assert growth[key] is None and growth[f"{key}_reason"] == "base value is negative"
    assert growth["abs_change"] == pytest.approx(56.0)  # 35 - (-21)
    text = lead(negative_report.html)
    assert "FDI changed by US$56 million; no multiple" in text  # 35 - (-21)
    assert "because the base value is negative (-US$21 million)" in text
    body = negative_report.html.split("<main", 1)[1]
    words = re.sub(r"<[^>]+>", " ", body)
    assert not re.search(r"\b(nan|inf|infinity|none|null)\b", words, re.I), re.search(
        r".{60}\b(nan|inf|none|null)\b.{60}", words, re.I
    )


# Nothing lost when a build fails -------------------------------------------------------------


def assert_tidy(out: Path, name: str) -> None:
    """One complete output set, reached through `current`; nothing left of other builds."""
    versions = out / ".builds" / name
    assert sorted(p.name for p in versions.iterdir()) == sorted(
        ["current", (versions / "current").readlink().as_posix()]
    )
    for link in [out / f"{name}.html", out / f"{name}.metrics.json", *(out / "figures").glob(f"{name}-*")]:
        assert link.is_symlink() and f".builds/{name}/current/" in link.readlink().as_posix()


@pytest.fixture(scope="module")
def stub(tmp_path_factory, stub_notebook) -> tuple[Path, Path]:
    """The stub notebook (tests/_stub.py), and the outputs of one build of it."""
    folder = tmp_path_factory.mktemp("stub")
    notebook = stub_notebook
    out = folder / "out"
    pipeline.build_one(stub_variant(folder, notebook), BuildOptions(out_dir=out, notebook=notebook))
    return notebook, out


@pytest.fixture
def previous(stub, tmp_path) -> tuple[Path, Path, dict[str, str]]:
    """The stub notebook, a copy of its outputs to build over, and their digests."""
    notebook, built = stub
    out = shutil.copytree(built, tmp_path / "out", symlinks=True, ignore=shutil.ignore_patterns("*.lock"))
    return notebook, out, digests(out)


def wait_for(predicate, process, seconds=60.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and process.poll() is None:
        if predicate():
            return True
        time.sleep(0.01)
    return False


def run_stub(notebook: Path, *args, **kwargs) -> subprocess.CompletedProcess:
    """``analysis ARGS`` building the stub notebook, in a process of its own."""
    return subprocess.run(
        [sys.executable, str(STUB), str(notebook), *map(str, args)],
        capture_output=True,
        text=True,
        cwd=config.PROJECT_ROOT,
        **kwargs,
    )


def test_an_error_in_the_notebook_keeps_the_previous_outputs(previous, tmp_path):
    notebook, out, before = previous
    with pytest.raises(NotebookExecutionError) as caught:
        build_one(stub_variant(tmp_path, notebook, fail=True), out, ("html",), notebook=notebook)
    assert caught.value.kept_at == f"{out}/failed/stub.ipynb"
    assert "ValueError: the stub failed on purpose" in str(caught.value) and "failed/stub.ipynb" in str(caught.value)
    assert {k: v for k, v in digests(out).items() if not k.startswith("failed/")} == before
    failed = nbformat.read(out / "failed" / "stub.ipynb", as_version=4)
    errors = [o for c in failed.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert errors and errors[0]["ename"] == "ValueError"
    assert_tidy(out, "stub")


def test_a_failed_folder_that_cannot_be_written_does_not_hide_the_notebooks_error(previous, tmp_path):
    notebook, out, _ = previous
    (out / "failed" / "stub.ipynb" / "kept").mkdir(parents=True)  # a folder in the way of the notebook's copy
    before = digests(out)
    with pytest.raises(NotebookExecutionError) as caught:
        build_one(stub_variant(tmp_path, notebook, fail=True), out, ("html",), notebook=notebook)
    message = str(caught.value)
    assert message.startswith("the report notebook failed: ValueError: ")  # the notebook's error first
    assert message.endswith(
        f"\nThe partly executed notebook could not be kept: {out}/failed/stub.ipynb is a folder where the build "
        "writes a file: move the folder away, or build into another folder with --out"
    )
    assert caught.value.kept_at is None
    assert {k: v for k, v in digests(out).items() if k != "failed/stub.kernel.log"} == before
    assert_tidy(out, "stub")


def test_a_failed_folder_the_user_may_not_write(tmp_path, monkeypatch):
    # Root may write any folder, whatever its mode: the refusal is monkeypatched, not made by chmod.
    def refused(out_dir, name, version):
        raise PermissionError(errno.EACCES, "Permission denied", str(out_dir / "failed" / f"{name}.ipynb"))

    monkeypatch.setattr(outputs, "keep_failed", refused)
    error = pipeline._keep_failed(
        NotebookExecutionError("ZeroDivisionError: division by zero"), tmp_path, "r", tmp_path
    )
    assert str(error) == (
        "the report notebook failed: ZeroDivisionError: division by zero\nThe partly executed notebook could not be "
        f"kept: permission denied: this user may not write {tmp_path}/failed/r.ipynb: make it writable (ls -ld shows "
        "its owner and mode), or build into another folder with --out"
    )


def test_running_out_of_files_during_a_build(previous, tmp_path, monkeypatch):
    import resource

    from analysis import _export as export

    def out_of_files(*args):  # in the renderer's process, as the system would answer its next open()
        raise OSError(errno.EMFILE, "Too many open files")

    monkeypatch.setattr(export, "to_html", out_of_files)
    notebook, out, before = previous
    options = BuildOptions(out_dir=out, notebook=notebook, force=True)
    [outcome] = pipeline.build_all([stub_variant(tmp_path, notebook)], options)
    soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    assert (outcome.status, outcome.exit_status) == ("failed", 1)
    assert outcome.message == (
        f"too many open files (this process may have {soft} open at once): close programs that hold "
        "many files, or raise the limit in the shell that runs the command (ulimit -n 4096) and build again; "
        "nothing was published"
    )
    assert digests(out) == before
    assert_tidy(out, "stub")


@pytest.mark.parametrize("phase", ["executing the notebook", "rendering PDF"])
def test_a_killed_build_leaves_the_previous_outputs(previous, tmp_path, phase):
    notebook, out, before = previous
    slow = {"sleep": 600} if phase == "executing the notebook" else {"word": 100_000}
    params = stub_params(tmp_path, **slow)
    process = subprocess.Popen(
        [sys.executable, str(STUB), str(notebook), "build", str(params), "--out", str(out), "--force", "--quiet"],
        cwd=config.PROJECT_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    # The build writes what it is doing into the folder of its new version.
    versions = out / ".builds" / "stub"
    reached = wait_for(lambda: any(p.read_text().strip() == phase for p in versions.glob("*/phase")), process)
    time.sleep(0.5)  # well into the phase
    children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
    cmdline = Path(f"/proc/{process.pid}/cmdline").read_bytes()
    renderers = [c for c in children if Path(f"/proc/{c}/cmdline").read_bytes() == cmdline]  # forked: same command
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert reached and process.returncode == -signal.SIGKILL
    assert len(renderers) == (phase == "rendering PDF")
    deadline = time.monotonic() + 10
    while any(Path(f"/proc/{c}").exists() for c in renderers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(Path(f"/proc/{c}").exists() for c in renderers)  # the renderer died with the build
    assert digests(out) == before
    # the next build clears what the killed one left behind and succeeds
    assert build_one(stub_variant(tmp_path, notebook), out, ("html",), notebook=notebook).status == "built"
    assert_tidy(out, "stub")
    assert not (out / "stub.pdf").exists()  # the new set has no PDF: none of an older set lingers


def test_bad_input_exits_2_and_touches_nothing(previous, tmp_path, data_copy):
    notebook, out, before = previous
    lines = (data_copy / "fdi.csv").read_text().splitlines()
    lines[1] = "KOR,CHL,2019,12,12.5.0,tiny-a,"
    (data_copy / "fdi.csv").write_text("\n".join(lines) + "\n")
    done = run_stub(notebook, "build", stub_params(tmp_path, data_dir=data_copy), "--out", out)
    assert done.returncode == 2
    assert f"{data_copy}/fdi.csv:2: column usd_millions: '12.5.0' is not a number" in done.stderr
    assert "nothing was built" in done.stderr
    assert digests(out) == before
    assert sorted(p.name for p in (out / ".builds" / "stub").iterdir()) == sorted(
        ["current", (out / ".builds" / "stub" / "current").readlink().as_posix()]
    )


def test_two_builds_at_once_into_one_folder(stub, tmp_path):
    notebook, _ = stub
    out = tmp_path / "out"
    command = [sys.executable, str(STUB), str(notebook), "build", str(stub_params(tmp_path)), "--out", str(out)]
    command += ["--force", "--format", "html"]
    first, second = (
        subprocess.Popen(command, cwd=config.PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    )
    done = [first.communicate(), second.communicate()]
    assert (first.returncode, second.returncode) == (0, 0), done
    assert all(said.startswith("stub: built ") and err == "" for said, err in done)  # no progress but on a terminal
    metrics = json.loads((out / "stub.metrics.json").read_text())
    after = digests(out)
    for relative, digest in metrics["build"]["outputs"].items():
        assert after[relative] == digest.removeprefix("sha256:")
    assert_tidy(out, "stub")


# The cache -----------------------------------------------------------------------------------


def test_changing_one_csv_value_rebuilds_and_reports_the_change(tmp_path, data_copy):
    out = tmp_path / "out"
    values = {
        "data_dir": str(data_copy),
        "origin": "KOR",
        "destination": "CHL",
        "base_year": 2019,
        "target_year": 2023,
        "months": 12,
    }
    first = build_variant(out, "tiny", formats=("html", "pdf"), **values)
    assert "first build of this report" in first.html

    from analysis._plan import plan

    variant = plan([tiny_params(tmp_path, data_copy)], [])[0]
    assert reusable(out, "tiny", cache_key(variant.parameters, ("html", "pdf"))) is not None  # nothing changed yet
    assert reusable(out, "tiny", cache_key(variant.parameters, ("html",))) is None  # other formats: another build

    path = data_copy / "fdi.csv"
    path.write_text(path.read_text().replace("KOR,CHL,2023,12,50.0,", "KOR,CHL,2023,12,60.0,"))
    assert reusable(out, "tiny", cache_key(variant.parameters, ("html", "pdf"))) is None
    outcome = build_one(variant, out, ("html",))
    assert outcome.status == "built"
    assert not (out / "tiny.pdf").exists()  # the PDF of the old figures does not linger beside the new HTML
    again = build_one(variant, out, ("html",))
    assert again.status == "unchanged"

    assert first.metrics["growth"]["target_value"] == 60.0  # the same paths, new content
    html = first.html
    changes = html[html.index('<h2 id="changes"') :]
    assert f"{data_copy}/fdi.csv changed" in changes
    # the multiple moved from 50/12.5 = 4 to 60/12.5 = 4.8; the target's share from 2.5 % to 3 %
    rows = [re.sub(r"<[^>]+>", "|", row) for row in re.findall(r"<tr>(.*?)</tr>", changes)]
    assert any(r.startswith("|Multiple (×)||4.0||4.8||+0.8|") for r in rows), rows
    assert any(r.startswith("|Target share of the total||2.5%||3.0%||+0.5 points|") for r in rows), rows


def test_variants_in_parallel_with_progress_on_a_terminal(stub, tmp_path):
    """Two reports whose names share a prefix, built at once, with progress shown on a tty."""
    import pty

    notebook, _ = stub
    out = tmp_path / "out"
    first, second = stub_params(tmp_path, "stub"), stub_params(tmp_path, "stub-again")
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [
            sys.executable,
            str(STUB),
            str(notebook),
            "build",
            str(first),
            str(second),
            "--out",
            str(out),
            "--format",
            "html",
            "--jobs",
            "2",
        ],
        cwd=config.PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=follower,
    )
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    process.wait()
    os.close(leader)
    assert process.returncode == 0, shown.decode()
    text = shown.decode()
    for name in ("stub", "stub-again"):
        assert f"{name}: executing the notebook" in text and f"{name}: rendering HTML" in text
        assert json.loads((out / f"{name}.metrics.json").read_text())["origin"] == "KOR"
    assert b"built" in process.stdout.read()
    # rebuilding one of them leaves every output of the other in place
    again = json.loads((out / "stub-again.metrics.json").read_text())["build"]["outputs"]
    assert build_one(stub_variant(tmp_path, notebook), out, ("html",), force=True, notebook=notebook).status == "built"
    assert all(
        hashlib.sha256((out / o).read_bytes()).hexdigest() == d.removeprefix("sha256:") for o, d in again.items()
    )


def test_an_unchanged_report_is_reused_without_a_kernel(previous, tmp_path):
    notebook, out, before = previous
    done = run_stub(notebook, "build", stub_params(tmp_path), "--out", out)
    assert done.returncode == 0 and done.stderr == ""
    assert done.stdout.startswith("stub: unchanged since the last build, outputs reused")
    assert digests(out) == before


def test_bad_input_stops_the_kernel_started_ahead_before_it_runs_the_notebook(tmp_path, data_copy, monkeypatch):
    from analysis import _execute as execute
    from analysis.errors import DataValidationError

    marker = tmp_path / "the-notebook-ran"
    notebook = nbformat.v4.new_notebook()
    notebook.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.cells = [
        nbformat.v4.new_code_cell('data_dir: str = "data"  # data', metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell(f"import pathlib\npathlib.Path({str(marker)!r}).touch()"),
    ]
    path = tmp_path / "n.ipynb"
    nbformat.write(notebook, path)
    (data_copy / "fdi.csv").write_text((data_copy / "fdi.csv").read_text().replace("12.5", "12,5", 1))
    started = []
    original = execute.Kernel.__init__

    def recorded(self, *args, **kwargs):
        original(self, *args, **kwargs)
        started.append(self)

    monkeypatch.setattr(execute.Kernel, "__init__", recorded)
    out = tmp_path / "out"
    with pytest.raises(DataValidationError):
        pipeline.build_all(
            [Variant("tiny", "test", {"data_dir": str(data_copy)})], BuildOptions(out_dir=out, notebook=path)
        )
    [kernel] = started  # it was started ahead, during the checks
    assert not kernel.folder.exists()
    assert kernel.process.poll() is not None
    assert not marker.exists()
    assert list(out.iterdir()) == []


def test_after_a_template_changes_the_renderers_are_prepared_again_in_the_background(monkeypatch):
    from analysis import _export as export

    rehearsals = []
    pipeline.prepare_in_background.cache_clear()
    monkeypatch.setattr(export, "prepare", lambda: rehearsals.append(export.exporter()))
    pipeline.prepare_in_background().join()
    pipeline.prepare_in_background().join()
    assert len(rehearsals) == 1  # once a process
    pipeline.renderers_changed()
    pipeline.prepare_in_background().join()
    assert len(rehearsals) == 2 and rehearsals[1] is not rehearsals[0]  # compiled anew, ahead of use
    pipeline.prepare_in_background.cache_clear()  # the next build rehearses with the real renderers
