"""Output sets replaced as a whole: a kill at any step of the switch leaves one build's outputs."""

import datetime
import errno
import json
import locale
import os
import re
import shutil
import stat
import sys
import threading
import time
from pathlib import Path

import pytest

from analysis import _outputs as outputs
from analysis.errors import BuildError

OLD = ["r.html", "r.pdf", "r.ipynb", "figures/r-fdi.png", "figures/r-timeline.svg"]
NEW = ["r.html", "r.ipynb", "figures/r-fdi.png", "figures/r-share.svg"]  # no PDF, another figure
NEIGHBOUR = ["r-again.html", "figures/r-again-fdi.png"]  # a report whose name starts like this one's


def make_set(out: Path, name: str, tag: str, files: list[str]) -> tuple[Path, list[str]]:
    """Write a version folder as a build would: its files, and a metrics file recording them."""
    version = outputs.new_version(out, name)
    for relative in files:
        (version / relative).parent.mkdir(parents=True, exist_ok=True)
        (version / relative).write_text(f"{tag} {relative}")
    metrics = f"{name}.metrics.json"
    (version / metrics).write_text(json.dumps({"tag": tag, "build": {"outputs": dict.fromkeys(files, "sha256:-")}}))
    return version, [*files, metrics]


def visible(out: Path, name: str) -> dict[str, str]:
    """What a reader can open of one report, through the output folder: output -> build tag."""
    seen = {}
    for folder in (out, out / "figures"):
        for entry in folder.iterdir() if folder.is_dir() else []:
            relative = entry.relative_to(out).as_posix()
            belongs = entry.name.startswith(f"{name}.") or entry.name.startswith(f"{name}-")
            if entry.name.startswith(".") or not belongs or (entry.is_dir() and not entry.is_symlink()):
                continue
            if name == "r" and entry.name.startswith("r-again"):
                continue
            try:
                text = entry.read_text()
            except FileNotFoundError:
                continue  # a link that leads nowhere: nothing to open
            seen[relative] = json.loads(text)["tag"] if relative.endswith(".json") else text.split()[0]
    return seen


def dangling(out: Path) -> list[str]:
    entries = [*out.iterdir(), *((out / "figures").iterdir() if (out / "figures").is_dir() else [])]
    return [e.name for e in entries if e.is_symlink() and not e.exists()]


@pytest.fixture
def old_state(tmp_path) -> Path:
    """An output folder holding the old set of report r, and a neighbour report r-again."""
    out = tmp_path / "template"
    version, files = make_set(out, "r", "old", OLD)
    outputs.switch(out, "r", version, files)
    version, files = make_set(out, "r-again", "neighbour", NEIGHBOUR)
    outputs.switch(out, "r-again", version, files)
    return out


def test_a_switch_replaces_the_whole_set(old_state):
    assert set(visible(old_state, "r").values()) == {"old"}
    version, files = make_set(old_state, "r", "new", NEW)
    outputs.switch(old_state, "r", version, files)
    assert visible(old_state, "r") == dict.fromkeys([*NEW, "r.metrics.json"], "new")
    assert dangling(old_state) == []
    assert sorted(p.name for p in outputs.versions(old_state, "r").iterdir()) == sorted(["current", version.name])
    assert visible(old_state, "r-again") == dict.fromkeys([*NEIGHBOUR, "r-again.metrics.json"], "neighbour")


PATCHED = [
    (Path, "replace"),
    (Path, "symlink_to"),
    (Path, "unlink"),
    (Path, "mkdir"),
    (Path, "rename"),
    (shutil, "rmtree"),
    (os, "replace"),
    (os, "symlink"),
    (os, "unlink"),
    (os, "mkdir"),
    (os, "rmdir"),
    (os, "rename"),
]


def kill_at(step: int, out: Path, version: Path, files: list[str]) -> bool:
    """Run the switch in a child that dies (no clean-up at all) before its file-system step `step`.

    Returns True when the switch finished before reaching that step.
    """
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child
        count = [0]

        def counted(original):
            def wrapper(*args, **kwargs):
                if count[0] == step:
                    os._exit(9)
                count[0] += 1
                return original(*args, **kwargs)

            return wrapper

        for owner, attribute in PATCHED:
            setattr(owner, attribute, counted(getattr(owner, attribute)))
        outputs.switch(out, "r", version, files)
        os._exit(0)
    _, status = os.waitpid(child, 0)
    return os.waitstatus_to_exitcode(status) == 0


def test_a_kill_at_any_step_of_the_switch_leaves_one_builds_outputs(old_state, tmp_path):
    old_view = visible(old_state, "r")
    old_bytes = {f: (old_state / f).read_bytes() for f in old_view}
    for step in range(100):
        out = tmp_path / f"step-{step}"
        shutil.copytree(old_state, out, symlinks=True)
        version, files = make_set(out, "r", "new", NEW)
        finished = kill_at(step, out, version, files)

        seen = visible(out, "r")
        tags = set(seen.values())
        assert tags in ({"old"}, {"new"}), (step, seen)
        if tags == {"old"}:  # the previous outputs, byte for byte, every one of them
            assert seen == old_view and {f: (out / f).read_bytes() for f in seen} == old_bytes, step
        else:  # the new outputs, every one of them
            assert seen == dict.fromkeys([*NEW, "r.metrics.json"], "new"), step

        outputs.tidy(out, "r")  # what the next build does first, reused outputs or not
        expected = "old" if tags == {"old"} else "new"
        expected_files = [*OLD, "r.metrics.json"] if expected == "old" else [*NEW, "r.metrics.json"]
        assert visible(out, "r") == dict.fromkeys(expected_files, expected), step
        assert dangling(out) == [], step
        names = sorted(p.name for p in outputs.versions(out, "r").iterdir())
        assert names == sorted(["current", outputs.current(out, "r")]), step
        assert visible(out, "r-again") == dict.fromkeys([*NEIGHBOUR, "r-again.metrics.json"], "neighbour"), step
        if finished:
            assert step > 5  # the switch took several steps, each of them killed once
            break
    else:
        pytest.fail("the switch never finished")


def test_tidy_repairs_a_deleted_link_without_a_build(old_state):
    (old_state / "r.pdf").unlink()
    (old_state / "figures" / "r-fdi.png").unlink()
    outputs.tidy(old_state, "r")
    assert visible(old_state, "r") == dict.fromkeys([*OLD, "r.metrics.json"], "old")


def test_a_failure_is_kept_then_forgotten(old_state):
    version = outputs.new_version(old_state, "r")
    (version / "executed.ipynb").write_text("{}")
    (version / "kernel.log").write_text("Traceback ...")
    kept = outputs.keep_failed(old_state, "r", version)
    assert kept == str(old_state / "failed" / "r.ipynb")
    assert (old_state / "failed" / "r.kernel.log").read_text() == "Traceback ..."
    outputs.discard(old_state, "r", version)
    assert not version.exists() and visible(old_state, "r")
    outputs.forget_failure(old_state, "r")
    assert list((old_state / "failed").iterdir()) == []


def test_a_first_build_discarded_leaves_no_empty_folders(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    version = outputs.new_version(out, "r")
    outputs.discard(out, "r", version)
    assert list(out.iterdir()) == []  # neither .builds/r nor .builds: the failed first build left nothing


def test_discarding_keeps_the_folders_other_builds_use(old_state):
    version = outputs.new_version(old_state, "r")
    outputs.discard(old_state, "r", version)
    assert not version.exists()
    assert outputs.versions(old_state, "r").is_dir() and outputs.versions(old_state, "r-again").is_dir()
    assert visible(old_state, "r") == dict.fromkeys([*OLD, "r.metrics.json"], "old")


@pytest.mark.parametrize("folder", ["figures", ".builds", ".builds/r", "failed"])
def test_a_folder_of_the_output_folder_that_is_a_link_is_refused_before_the_build(old_state, tmp_path, folder):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.rmtree(old_state / folder, ignore_errors=True)  # failed/ is made by a first failure only
    (old_state / folder).symlink_to(elsewhere)
    with pytest.raises(BuildError, match=f"^{re.escape(str(old_state / folder))} is a symbolic link \\(to "):
        outputs.prepare(old_state, ["r"])
    assert list(elsewhere.iterdir()) == []


def test_a_figures_folder_made_a_link_during_the_build_is_not_written_through(old_state, tmp_path):
    version, files = make_set(old_state, "r", "new", NEW)  # prepared and built while figures/ was a folder
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.rmtree(old_state / "figures")
    (old_state / "figures").symlink_to(elsewhere)
    with pytest.raises(BuildError, match=r"figures is a symbolic link \(to .*: remove the link"):
        outputs.switch(old_state, "r", version, files)
    assert list(elsewhere.iterdir()) == []
    with pytest.raises(BuildError):  # nor tidied through, by the next build
        outputs.tidy(old_state, "r")
    assert list(elsewhere.iterdir()) == []


def test_a_shared_group_folder_keeps_its_group_bit(tmp_path):
    out = tmp_path / "shared"
    out.mkdir()
    out.chmod(0o2775)
    version = outputs.new_version(out, "r")
    assert version.stat().st_mode & stat.S_ISGID
    assert version.stat().st_mode & 0o755 == 0o755


def test_a_second_failure_replaces_the_first_and_an_empty_log_is_not_kept(old_state):
    first = outputs.new_version(old_state, "r")
    (first / "executed.ipynb").write_text('{"run": 1}')
    (first / "kernel.log").write_text("Traceback 1")
    outputs.keep_failed(old_state, "r", first)
    second = outputs.new_version(old_state, "r")
    (second / "executed.ipynb").write_text('{"run": 2}')
    (second / "kernel.log").write_text("")  # the kernel printed nothing this time
    assert outputs.keep_failed(old_state, "r", second) == str(old_state / "failed" / "r.ipynb")
    assert (old_state / "failed" / "r.ipynb").read_text() == '{"run": 2}'
    # the first failure's log would mislead: it goes with it
    assert sorted(p.name for p in (old_state / "failed").iterdir()) == ["r.ipynb"]


def test_a_failure_without_a_kernel_log_or_a_notebook(old_state):
    version = outputs.new_version(old_state, "r")
    assert outputs.keep_failed(old_state, "r", version) is None  # failed before the notebook ran
    (version / "executed.ipynb").write_text("{}")
    assert outputs.keep_failed(old_state, "r", version) == str(old_state / "failed" / "r.ipynb")
    assert sorted(p.name for p in (old_state / "failed").iterdir()) == ["r.ipynb"]


def test_forgetting_a_failure_that_never_happened_is_no_error(old_state):
    outputs.forget_failure(old_state, "r")
    (old_state / "failed").mkdir()
    outputs.forget_failure(old_state, "r")
    assert list((old_state / "failed").iterdir()) == []


def test_tidy_points_a_link_that_leads_elsewhere_back_at_the_current_set(old_state, tmp_path):
    stray = tmp_path / "stray.html"
    stray.write_text("stray r.html")
    (old_state / "r.html").unlink()
    (old_state / "r.html").symlink_to(stray)
    outputs.tidy(old_state, "r")
    assert visible(old_state, "r") == dict.fromkeys([*OLD, "r.metrics.json"], "old")
    assert (old_state / "r.html").readlink().as_posix() == ".builds/r/current/r.html"


def test_version_folders_are_named_by_time_then_at_random(tmp_path, monkeypatch):
    names = iter(["0a0a0a0a", "0a0a0a0a", "1b1b1b1b"])  # the first two collide
    monkeypatch.setattr(outputs.secrets, "token_hex", lambda n: next(names) if n == 4 else pytest.fail(n))
    monkeypatch.setattr(outputs.time, "strftime", lambda pattern: pattern.replace("%", ""))
    first = outputs.new_version(tmp_path, "r")
    second = outputs.new_version(tmp_path, "r")  # its first name is taken: it draws another
    assert (first.name, second.name) == ("YmdTHMS-0a0a0a0a", "YmdTHMS-1b1b1b1b")
    assert first.parent == second.parent == tmp_path / ".builds" / "r"


def test_a_version_folders_name_sorts_by_its_time(tmp_path):
    name = outputs.new_version(tmp_path, "r").name
    assert re.fullmatch(r"\d{8}T\d{6}-[0-9a-f]{8}", name), name
    stamp = datetime.datetime.strptime(name[:15], "%Y%m%dT%H%M%S")
    assert abs(stamp - datetime.datetime.now()) < datetime.timedelta(minutes=1)


@pytest.mark.parametrize("content", ["{not json", '{"build": {}}', '{"build": null}', "[]"])
def test_a_current_set_whose_metrics_file_is_unreadable_records_nothing(old_state, content):
    current = outputs.versions(old_state, "r") / "current"
    (current / "r.metrics.json").write_text(content)
    assert outputs.recorded(old_state, "r") == []
    assert outputs.recorded(old_state, "nothing-built") == []


def test_links_are_found_without_a_figures_folder(tmp_path):
    out = tmp_path / "out"
    version, files = make_set(out, "r", "only", ["r.html"])
    outputs.switch(out, "r", version, files)
    assert not (out / "figures").exists()
    assert visible(out, "r") == {"r.html": "only", "r.metrics.json": "only"}


def test_an_output_folder_whose_parents_are_missing_is_made_and_left_empty(tmp_path):
    out = tmp_path / "reports" / "2024" / "out"
    outputs.prepare(out, ["r"])
    assert out.is_dir()
    assert list(out.iterdir()) == []  # the test of writing leaves nothing behind


def test_an_existing_output_folder_is_used_where_making_it_again_is_refused(tmp_path, monkeypatch):
    # Some file systems (network shares, some mounts) answer "permission denied" rather than "it
    # exists" when asked to make a folder that is already there.
    out = tmp_path / "out"
    out.mkdir()
    real_mkdir = os.mkdir

    def mkdir(path, *args, **kwargs):
        if Path(path) == out:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_mkdir(path, *args, **kwargs)

    monkeypatch.setattr(os, "mkdir", mkdir)
    outputs.prepare(out, ["r"])
    assert list(out.iterdir()) == []


def test_an_output_folder_that_cannot_be_made_says_why(tmp_path):
    out = tmp_path / ("x" * 300)  # longer than a file name may be
    with pytest.raises(BuildError) as refused:
        outputs.prepare(out, ["r"])
    assert str(refused.value) == (
        f"cannot make the output folder {out}: the path {out} is too long for this system: "
        "build into a folder with a shorter path"
    )


@pytest.mark.parametrize("folder", ["figures", "failed", ".builds", ".builds/r"])
def test_a_file_where_the_build_keeps_a_folder_is_refused(tmp_path, folder):
    out = tmp_path / "out"
    (out / folder).parent.mkdir(parents=True)
    (out / folder).write_text("an analyst's file")
    with pytest.raises(BuildError) as refused:
        outputs.prepare(out, ["r"])
    assert str(refused.value) == (
        f"{out / folder} is a file where the build keeps a folder: move it away, or build into another folder with --out"
    )
    assert (out / folder).read_text() == "an analyst's file"


@pytest.mark.parametrize("suffix", [".html", ".pdf", ".ipynb", ".metrics.json"])
def test_a_folder_where_the_build_puts_a_report_file_is_refused(tmp_path, suffix):
    out = tmp_path / "out"
    (out / f"r{suffix}").mkdir(parents=True)
    with pytest.raises(BuildError) as refused:
        outputs.prepare(out, ["r"])
    assert str(refused.value) == (
        f"{out}/r{suffix} is a folder, where the build puts the report's {suffix} file: "
        "move the folder away, or build into another folder with --out"
    )


def test_a_link_to_a_folder_named_like_an_output_is_replaced_and_what_it_led_to_stays(old_state, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "kept.txt").write_text("kept")
    (old_state / "r.html").unlink()
    (old_state / "r.html").symlink_to(elsewhere)
    outputs.prepare(old_state, ["r"])  # a link is replaced, never written through: no refusal
    version, files = make_set(old_state, "r", "new", NEW)
    outputs.switch(old_state, "r", version, files)
    assert visible(old_state, "r") == dict.fromkeys([*NEW, "r.metrics.json"], "new")
    assert [p.name for p in elsewhere.iterdir()] == ["kept.txt"]


def test_the_write_test_never_touches_a_file_it_did_not_make(tmp_path, monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.setattr(outputs.secrets, "token_hex", lambda n: "0a0a0a0a")
    (out / ".write-test-0a0a0a0a").write_text("someone's")
    with pytest.raises(BuildError, match=r"^cannot write into the output folder "):
        outputs.prepare(out, ["r"])
    assert (out / ".write-test-0a0a0a0a").read_text() == "someone's"


def test_the_write_tests_file_is_private_while_it_exists(tmp_path, monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    modes = []
    real_open = os.open

    def opening(path, *args, **kwargs):
        handle = real_open(path, *args, **kwargs)
        if ".write-test-" in str(path):
            modes.append(stat.S_IMODE(os.fstat(handle).st_mode))
        return handle

    monkeypatch.setattr(os, "open", opening)
    before = os.umask(0)  # nothing masked: the mode asked for is the mode given
    try:
        outputs.prepare(out, ["r"])
    finally:
        os.umask(before)
    assert modes == [0o600]


def test_an_unforeseen_error_of_the_write_test_is_told_in_the_systems_words_for_the_folder(tmp_path, monkeypatch):
    out = tmp_path / "out"
    real_open = os.open

    def opening(path, *args, **kwargs):
        if ".write-test-" in str(path):  # as a network share gone stale would
            raise OSError(errno.ESTALE, os.strerror(errno.ESTALE), str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", opening)
    with pytest.raises(BuildError) as refused:
        outputs.prepare(out, ["r"])
    assert str(refused.value) == f"cannot write into the output folder {out}: {os.strerror(errno.ESTALE)} ({out})"


def test_an_output_folder_named_through_a_link_is_built_and_tidied_through_it(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    out = tmp_path / "out"
    out.symlink_to(real)  # named on the command line: a link to a folder is fine
    outputs.prepare(out, ["r"])
    for tag, files in (("old", OLD), ("new", NEW)):
        version, recorded = make_set(out, "r", tag, files)
        outputs.switch(out, "r", version, recorded)
    assert visible(out, "r") == dict.fromkeys([*NEW, "r.metrics.json"], "new")
    assert dangling(out) == []  # r.pdf and figures/r-timeline.svg, of the old set only, are gone


def test_an_output_in_a_folder_of_its_own_gets_its_folders(tmp_path):
    out = tmp_path / "out"
    version, files = make_set(out, "r", "nested", ["r.html", "figures/2024/r-fdi.svg"])
    outputs.switch(out, "r", version, files)
    assert (out / "figures" / "2024" / "r-fdi.svg").read_text() == "nested figures/2024/r-fdi.svg"


def test_a_stale_link_removed_by_someone_else_while_tidying_is_no_error(old_state, monkeypatch):
    (old_state / "r.old.html").symlink_to(".builds/r/current/r.old.html")  # recorded by no set
    listed = outputs._links

    def listed_then_removed(out_dir, name):
        found = listed(out_dir, name)
        (out_dir / "r.old.html").unlink()  # an analyst's rm, at that instant
        return found

    monkeypatch.setattr(outputs, "_links", listed_then_removed)
    outputs.tidy(old_state, "r")
    assert visible(old_state, "r") == dict.fromkeys([*OLD, "r.metrics.json"], "old")


def test_a_killed_builds_leftover_removed_by_someone_else_while_tidying_is_no_error(old_state, monkeypatch):
    leftover = outputs.versions(old_state, "r") / ".link-0a0a0a0a"
    leftover.symlink_to("../../r.html")
    asked = Path.is_symlink

    def asked_then_removed(path):
        answer = asked(path)
        if path == leftover and answer:
            path.unlink()  # an analyst's rm, at that instant
        return answer

    monkeypatch.setattr(Path, "is_symlink", asked_then_removed)
    outputs.tidy(old_state, "r")
    assert sorted(p.name for p in outputs.versions(old_state, "r").iterdir()) == sorted(
        ["current", outputs.current(old_state, "r")]
    )


@pytest.mark.skipif(sys.flags.utf8_mode, reason="Python's UTF-8 mode reads UTF-8 whatever the locale")
def test_the_metrics_file_is_read_as_utf8_whatever_the_locale(old_state):
    metrics = outputs.versions(old_state, "r") / "current" / "r.metrics.json"
    content = json.loads(metrics.read_text(encoding="utf-8"))
    content["title"] = "Rusia y México"  # as the Spanish edition's metrics file holds
    metrics.write_text(json.dumps(content, ensure_ascii=False), encoding="utf-8")
    before = locale.setlocale(locale.LC_CTYPE)
    locale.setlocale(locale.LC_CTYPE, "C")  # a shell whose locale is plain ASCII
    try:
        recorded = outputs.recorded(old_state, "r")
    finally:
        locale.setlocale(locale.LC_CTYPE, before)
    assert recorded == [*OLD, "r.metrics.json"]


@pytest.mark.parametrize("name", ["..", ".", "", "a/../..", ".builds"])
def test_a_name_that_is_not_a_plain_file_name_deletes_nothing(old_state, name):
    before = sorted(p.relative_to(old_state).as_posix() for p in old_state.rglob("*"))
    for operation in (outputs.tidy, lambda out, n: outputs.discard(out, n, out / ".builds" / n / "v")):
        with pytest.raises(BuildError, match="not a plain file name"):
            operation(old_state, name)
    assert sorted(p.relative_to(old_state).as_posix() for p in old_state.rglob("*")) == before
    assert visible(old_state, "r") == dict.fromkeys(OLD, "old") | {"r.metrics.json": "old"}


def test_a_builds_folder_swapped_for_a_link_after_its_check_is_not_deleted_through(old_state, tmp_path, monkeypatch):
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "victim").mkdir(parents=True)
    (elsewhere / "victim" / "precious.txt").write_text("keep me")
    (elsewhere / "current").symlink_to("nothing")
    shutil.rmtree(old_state / ".builds" / "r-again")
    (old_state / ".builds" / "r-again").symlink_to(elsewhere)  # swapped in after the check below
    monkeypatch.setattr(outputs, "refuse_link", lambda out_dir, folder: None)
    with pytest.raises(BuildError, match="became a symbolic link"):
        outputs.tidy(old_state, "r-again")
    with pytest.raises(BuildError, match="became a symbolic link"):
        outputs.discard(old_state, "r-again", old_state / ".builds" / "r-again" / "victim")
    assert (elsewhere / "victim" / "precious.txt").read_text() == "keep me"


def test_a_second_build_of_a_report_says_it_waits_then_waits_for_the_lock(tmp_path):
    said = []

    def second():
        with outputs.locked(tmp_path, "r", lambda: said.append("waiting")):
            said.append("building")

    with outputs.locked(tmp_path, "r"):
        waiting = threading.Thread(target=second)
        waiting.start()
        deadline = time.monotonic() + 10
        while not said and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.2)
        assert said == ["waiting"]  # told at once, and still waiting
    waiting.join(timeout=10)
    assert said == ["waiting", "building"]
    with outputs.locked(tmp_path, "other", lambda: said.append("waiting for another report")):
        pass  # another report's lock is another lock
    assert said == ["waiting", "building"]


def test_a_lock_file_that_is_a_link_is_not_followed(tmp_path):
    (tmp_path / ".r.lock").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(OSError), outputs.locked(tmp_path, "r"):
        pass
    assert not (tmp_path / "elsewhere").exists()


def test_forgetting_a_failure_never_removes_a_folder(old_state):
    kept = old_state / "failed" / "r.ipynb" / "notes.txt"  # an analyst's folder where the record would be
    kept.parent.mkdir(parents=True)
    kept.write_text("mine")
    with pytest.raises(IsADirectoryError):
        outputs.forget_failure(old_state, "r")
    assert kept.read_text() == "mine"
