"""Time limits of the phases of a build: how they are set, and each phase stopped at its limit."""

import pytest
from _stub import stub_variant

from analysis import _limits as limits
from analysis import _pipeline as pipeline
from analysis._limits import TimeLimits
from analysis.errors import ParameterError, TimeLimitError


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


def slow_page(*args):
    import time

    time.sleep(60)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("limit", "stub", "message"),
    [
        ({"kernel": 0.01}, {}, "starting the kernel took longer than its time limit of 0.01 s"),
        ({"notebook": 2}, {"sleep": 60}, "running the notebook took longer than its time limit of 2 s"),
        ({"html": 1}, {}, "rendering the HTML took longer than its time limit of 1 s"),
        ({"pdf": 2}, {"word": 100_000}, "rendering the PDF took longer than its time limit of 2 s"),
    ],
)
def test_each_phase_stops_at_its_limit_and_publishes_nothing(
    stub_notebook, tmp_path, monkeypatch, limit, stub, message
):
    # Each phase runs far past its limit here (a kernel cannot start in 10 ms; the notebook sleeps
    # a minute; the page is a minute's work; one word of 100,000 letters takes minutes to lay out).
    from analysis import _export as export

    if "html" in limit:
        monkeypatch.setattr(export, "to_html", slow_page)
    out = tmp_path / "out"
    notebook = stub_notebook
    options = pipeline.BuildOptions(out_dir=out, notebook=notebook, time_limits=TimeLimits(**limit))
    with pytest.raises(TimeLimitError) as caught:
        pipeline.build_one(stub_variant(tmp_path, notebook, **stub), options)
    assert str(caught.value).startswith(f"{message} and was stopped; nothing was published.")
    assert not (out / "stub.html").exists() and not (out / "stub.metrics.json").exists()
    assert not (out / ".builds").exists()  # a first build's version folder is gone, and the folders it made
    if "notebook" in limit:  # the partly executed notebook shows which cell was running
        assert "The partly executed notebook is kept at" in str(caught.value)
        assert (out / "failed" / "stub.ipynb").is_file()
