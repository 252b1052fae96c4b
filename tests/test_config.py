"""Paths: the project's own anchored on the package, the command line's on the current folder."""

from pathlib import Path

from analysis import _config as config


def test_a_path_given_on_the_command_line_is_taken_from_the_current_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert config.given_path("out/r") == tmp_path / "out" / "r"
    assert config.given_path(Path("out")) == tmp_path / "out"


def test_a_home_folder_is_expanded(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    assert config.given_path("~/data") == tmp_path / "data"


def test_links_are_resolved_and_a_loop_is_left_for_the_reading_to_report(tmp_path):
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    assert config.given_path(tmp_path / "link") == tmp_path / "real"
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    assert config.given_path(tmp_path / "a").parent == tmp_path  # no RuntimeError, as Path.resolve raises


def test_a_project_path_is_anchored_on_the_project_not_the_current_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert config.resolve_project_path("data") == config.PROJECT_ROOT / "data"
    assert config.resolve_project_path(tmp_path / "x") == tmp_path / "x"
