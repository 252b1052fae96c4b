"""Time limits of the phases of a build: how they are set, and each phase stopped at its limit."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import FIXTURES

from analysis import config, interrupts, limits
from analysis.errors import ParameterError, TimeLimitError
from analysis.limits import TimeLimits


def test_defaults_then_the_environment_then_the_option():
    assert limits.resolve([], {}) == TimeLimits(kernel=120, notebook=600, html=60, pdf=120)
    environment = {limits.ENVIRONMENT: "pdf=600, notebook=1200"}
    assert limits.resolve([], environment) == TimeLimits(kernel=120, notebook=1200, html=60, pdf=600)
    assert limits.resolve(["pdf=30", "html=2.5"], environment) == TimeLimits(
        kernel=120, notebook=1200, html=2.5, pdf=30
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("pdf", "--time-limit 'pdf': write PHASE=SECONDS, PHASE one of kernel, notebook, html, pdf (such as pdf=600)"),
        ("layout=5", "--time-limit 'layout=5': write PHASE=SECONDS, PHASE one of kernel, notebook, html, pdf"),
        ("pdf=soon", "--time-limit 'pdf=soon': the limit of pdf is a number of seconds above 0 and at most 86,400"),
        ("pdf=0", "--time-limit 'pdf=0': the limit of pdf is a number of seconds above 0"),
        ("pdf=-3", "--time-limit 'pdf=-3': the limit of pdf is a number"),
        ("pdf=nan", "--time-limit 'pdf=nan': the limit of pdf is a number"),
        ("pdf=inf", "--time-limit 'pdf=inf': the limit of pdf is a number"),
        ("pdf=86401", "--time-limit 'pdf=86401': the limit of pdf is a number"),
    ],
)
def test_a_bad_limit_is_refused(text, message):
    with pytest.raises(ParameterError) as caught:
        limits.resolve([text], {})
    assert caught.value.problems[0].startswith(message)


def test_a_bad_limit_in_the_environment_names_the_variable():
    with pytest.raises(ParameterError) as caught:
        limits.resolve([], {limits.ENVIRONMENT: "pdf=x" + "9" * 5000})
    [problem] = caught.value.problems
    assert problem.startswith("environment variable ANALYSIS_TIME_LIMITS 'pdf=x999")
    assert "…' (4,945 more characters): the limit of pdf" in problem  # 5 + 5,000 characters, 60 shown
    assert len(problem) < 300


def test_the_message_names_the_phase_and_how_to_raise_it():
    error = limits.exceeded("pdf", 120)
    assert isinstance(error, TimeLimitError) and error.exit_status == 1
    assert str(error).startswith("rendering the PDF took longer than its time limit of 120 s and was stopped")
    assert "nothing was published" in str(error)
    assert "--time-limit pdf=SECONDS" in str(error) and "ANALYSIS_TIME_LIMITS=pdf=SECONDS" in str(error)


# Each phase stopped at its limit ----------------------------------------------------------------


@pytest.mark.slow
def test_a_page_that_makes_the_layout_run_long_ends_in_the_pdf_time_limit(tmp_path, tiny_report):
    from analysis import outputs, pipeline
    from analysis.plan import Variant

    # The report's page with an event of one word of 100,000 letters, in the timeline's table: in
    # print, the report's style breaks long words anywhere, and WeasyPrint took some 50 s to lay
    # out 20,000 letters (on the machine of these tests; 2,000 letters: 5 s), and longer for more:
    # five times the word, so that a machine many times faster still runs past the 3 s limit.
    assert "Fixture ferry opens" in tiny_report.html
    options = pipeline.BuildOptions(out_dir=tmp_path, time_limits=TimeLimits(pdf=3))
    version = outputs.new_version(tmp_path, "r")
    run = pipeline.Run(Variant("r", "test", {}), options, None, version, "", time.perf_counter(), tmp_path / "scratch")
    run.html = tiny_report.html.replace("Fixture ferry opens", "x" * 100_000)
    started = time.monotonic()
    with pytest.raises(TimeLimitError, match=r"^rendering the PDF took longer than its time limit of 3 s"):
        pipeline.render_pdf(run)
    assert time.monotonic() - started < 15  # 3 s and the kill: not the minute the layout takes
    assert f"{'r'}.pdf" not in run.files
    children = Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children").read_text().split()
    assert all(Path(f"/proc/{c}/stat").read_text().split()[2] == "Z" for c in children if Path(f"/proc/{c}").exists())


def build(tmp_path, out, environment, *extra):
    params = tmp_path / "tiny.yaml"
    params.write_text(
        f"data_dir: {FIXTURES / 'tiny'}\norigin: KOR\ndestination: CHL\nbase_year: 2019\ntarget_year: 2023\n"
    )
    return subprocess.run(
        [sys.executable, "-m", "analysis", "build", str(params), "--out", str(out), "--force", *extra],
        capture_output=True,
        text=True,
        cwd=config.PROJECT_ROOT,
        env={**os.environ, **environment},
        timeout=300,
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    ("limit", "paused", "phase"),
    [
        ("kernel=3", "starting the kernel", "starting the kernel took longer than its time limit of 3 s"),
        ("notebook=3", "executing the notebook", "running the notebook took longer than its time limit of 3 s"),
        ("html=2", "rendering HTML", "rendering the HTML took longer than its time limit of 2 s"),
        ("pdf=2", "rendering PDF", "rendering the PDF took longer than its time limit of 2 s"),
    ],
)
def test_each_phase_stops_at_its_limit_and_publishes_nothing(tmp_path, limit, paused, phase):
    # The phase is held (the test seam waits in it) until its limit stops it: the limits are
    # longer than the phases take here, so without the limit's stop the build would not fail.
    out = tmp_path / "out"
    formats = "html,pdf" if limit.startswith("pdf") else "html"
    environment = {limits.ENVIRONMENT: limit, interrupts.PAUSE_ENV: paused}
    done = build(tmp_path, out, environment, "--format", formats)
    assert done.returncode == 1, done.stderr
    assert done.stderr.startswith(f"tiny: failed: {phase} and was stopped; nothing was published.")
    assert "Traceback" not in done.stderr
    assert not (out / "tiny.html").exists() and not (out / "tiny.metrics.json").exists()
    assert not (out / ".builds").exists()  # a first build's version folder is gone, and the folders it made
    if limit.startswith("notebook"):  # the partly executed notebook shows which cell was running
        assert "The partly executed notebook is kept at" in done.stderr
        assert (out / "failed" / "tiny.ipynb").is_file()
