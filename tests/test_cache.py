"""Content keys: one checksum helper, and a key that changes with every input of a report."""

import hashlib
import json

import pytest

from analysis import _cache as cache
from analysis import _config as config


def test_sha256_of_bytes_and_of_a_file(tmp_path):
    path = tmp_path / "f"
    path.write_bytes(b"def" * 700_000)  # more than one block
    assert (
        cache.sha256(path) == cache.sha256(b"def" * 700_000) == "sha256:" + hashlib.sha256(b"def" * 700_000).hexdigest()
    )
    assert cache.sha256(b"") == "sha256:" + hashlib.sha256(b"").hexdigest()


@pytest.fixture
def parameters(data_copy) -> dict:
    return {"data_dir": str(data_copy), "origin": "KOR", "title": "", "compare_with": ""}


def test_the_key_follows_data_parameters_and_formats(parameters, data_copy):
    key = cache.cache_key(parameters, ("html", "pdf"))
    assert cache.cache_key(parameters, ("pdf", "html")) == key  # the order of formats does not matter
    assert cache.cache_key({**parameters, "compare_with": "elsewhere"}, ("html", "pdf")) == key
    assert cache.cache_key(parameters, ("html",)) != key
    assert cache.cache_key({**parameters, "origin": "JPN"}, ("html", "pdf")) != key
    (data_copy / "timeline.csv").write_text((data_copy / "timeline.csv").read_text() + "\n")
    assert cache.cache_key(parameters, ("html", "pdf")) != key


def test_the_key_follows_the_notebook(parameters, tmp_path):
    notebook = tmp_path / "n.ipynb"
    notebook.write_text("{}")
    key = cache.cache_key(parameters, ("html",), notebook)
    notebook.write_text("{ }")
    assert cache.cache_key(parameters, ("html",), notebook) != key


def test_the_key_follows_the_code(parameters, monkeypatch, tmp_path):
    package = tmp_path / "analysis"
    (package / "templates").mkdir(parents=True)
    (package / "a.py").write_text("x = 1\n")
    (package / "templates" / "t.css").write_text("p {}\n")
    monkeypatch.setattr(config, "PACKAGE_DIR", package)
    key = cache.cache_key(parameters, ("html",))
    (package / "templates" / "t.css").write_text("p { color: red }\n")
    assert cache.cache_key(parameters, ("html",)) != key


def test_reusable_only_while_every_recorded_output_is_intact(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "r.html").write_bytes(b"<p>")
    record = {"build": {"cache_key": "sha256:k", "outputs": {"r.html": "sha256:" + hashlib.sha256(b"<p>").hexdigest()}}}
    (out / "r.metrics.json").write_text(json.dumps(record))
    assert cache.reusable(out, "r", "sha256:k") == ["r.html", "r.metrics.json"]
    assert cache.reusable(out, "r", "sha256:other") is None
    (out / "r.html").write_bytes(b"<p>changed")
    assert cache.reusable(out, "r", "sha256:k") is None
    assert cache.reusable(out, "missing", "sha256:k") is None


def test_the_key_follows_every_file_of_the_code_not_only_the_last(parameters, monkeypatch, tmp_path):
    package = tmp_path / "analysis"
    (package / "templates").mkdir(parents=True)
    (package / "a.py").write_text("x = 1\n")  # first in sorted order
    (package / "templates" / "t.css").write_text("p {}\n")
    monkeypatch.setattr(config, "PACKAGE_DIR", package)
    key = cache.cache_key(parameters, ("html",))
    (package / "a.py").write_text("x = 2\n")
    assert cache.cache_key(parameters, ("html",)) != key


def test_compiled_files_do_not_change_the_code_digest(monkeypatch, tmp_path):
    # Python writes __pycache__ whenever it imports: a key over it would change between two builds
    package = tmp_path / "analysis"
    package.mkdir()
    (package / "a.py").write_text("x = 1\n")
    monkeypatch.setattr(config, "PACKAGE_DIR", package)
    digest = cache.code_digest()
    (package / "__pycache__").mkdir()
    (package / "__pycache__" / "a.cpython-311.pyc").write_bytes(b"\x00compiled")
    assert cache.code_digest() == digest


def test_a_missing_input_file_is_part_of_the_key_not_an_error(parameters, data_copy):
    key = cache.cache_key(parameters, ("html",))
    (data_copy / "timeline.csv").unlink()
    assert cache.cache_key(parameters, ("html",)) != key  # and no FileNotFoundError


def test_the_key_follows_the_python_version(parameters, monkeypatch):
    key = cache.cache_key(parameters, ("html",))
    version, _, build = cache.sys.version.partition(" ")
    monkeypatch.setattr(cache.sys, "version", f"{version}9 {build}")  # another release, the same build
    assert cache.cache_key(parameters, ("html",)) != key


@pytest.mark.parametrize(
    "record",
    [{}, {"build": {"cache_key": "sha256:k"}}],
    ids=["no build block", "no outputs recorded"],
)
def test_a_metrics_file_without_its_build_record(tmp_path, record):
    out = tmp_path / "out"
    out.mkdir()
    (out / "r.metrics.json").write_text(json.dumps(record))
    expected = None if not record else ["r.metrics.json"]
    assert cache.reusable(out, "r", "sha256:k") == expected
