"""Content keys: an unchanged rebuild reuses the outputs of the last build.

The metrics file records the build's key and every output's sha256; `reusable` trusts them only
while both still hold.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

from analysis import _config as config
from analysis.errors import InputFileError, os_reason


def sha256(data: bytes | Path) -> str:
    """Return ``"sha256:<hex>"`` of some bytes or of a file's content."""
    if isinstance(data, Path):
        with data.open("rb") as handle:
            return "sha256:" + hashlib.file_digest(handle, "sha256").hexdigest()
    return "sha256:" + hashlib.sha256(data).hexdigest()


def code_digest() -> str:
    """Hash the package's code, style and templates: a change to any of them rebuilds."""
    files = config.PACKAGE_DIR.rglob("*")
    digests = {
        p.relative_to(config.PACKAGE_DIR).as_posix(): sha256(p)
        for p in files
        if p.is_file() and "__pycache__" not in p.parts
    }
    return sha256(json.dumps(digests, sort_keys=True).encode())


def _file(path: Path) -> str:
    return sha256(path) if path.is_file() else "missing"


def cache_key(parameters: dict[str, Any], formats: tuple[str, ...], notebook: Path = config.DEFAULT_NOTEBOOK) -> str:
    """Return a key over everything a report's outputs depend on; an input it cannot read is bad input."""
    folder = config.resolve_project_path(parameters["data_dir"])
    try:
        material = {
            "notebook": _file(notebook),
            "inputs": {name: _file(folder / name) for name in config.DATA_FILES},
            "parameters": {k: v for k, v in parameters.items() if k != "compare_with"},
            "code": code_digest(),
            "lock": _file(config.LOCK_FILE),
            "python": sys.version.split()[0],
            "formats": sorted(formats),
        }
    except OSError as error:
        if error.filename is None:
            raise
        raise InputFileError(config.display_path(error.filename), os_reason(error)) from None
    return sha256(json.dumps(material, sort_keys=True).encode())


def reusable(out_dir: Path, name: str, key: str) -> list[str] | None:
    """Return the outputs of an earlier build with the same key, if all are intact; else None."""
    try:
        recorded = json.loads((out_dir / f"{name}.metrics.json").read_text(encoding="utf-8")).get("build", {})
    except (OSError, ValueError):
        return None
    outputs = recorded.get("outputs", {})
    intact = recorded.get("cache_key") == key and all(
        (out_dir / r).is_file() and sha256(out_dir / r) == digest for r, digest in outputs.items()
    )
    return [*outputs, f"{name}.metrics.json"] if intact else None
