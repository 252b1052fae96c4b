"""The README's "Rerun with new figures" example, followed as written (on a copy of the data)."""

import re
import shutil
import subprocess
import sys

import pytest

from analysis import _config as config

pytestmark = pytest.mark.slow

README = (config.PROJECT_ROOT / "README.md").read_text()
SECTION = README[README.index("## Rerun with new figures") :]
BLOCKS = re.findall(r"```\n(.*?)```", SECTION, flags=re.S)


def cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "analysis", *map(str, args)], capture_output=True, text=True, cwd=config.PROJECT_ROOT
    )


def test_the_worked_example(tmp_path):
    source_line, figure_line = BLOCKS[0].strip(), BLOCKS[1].strip()
    assert source_line.startswith("se-2026-05-20,") and figure_line.startswith("RUS,MEX,2024,12,91.2,")
    data, out = tmp_path / "data", tmp_path / "out"
    shutil.copytree(config.DATA_DIR, data, ignore=shutil.ignore_patterns("*.md"))
    build = ["build", "-p", "data_dir", data, "--out", out, "--format", "html"]
    assert cli(*build).returncode == 0  # "Build the report once as it is"

    for name, line in (("sources.csv", source_line), ("fdi.csv", figure_line)):
        with (data / name).open("a", encoding="utf-8") as handle:
            handle.write(line + "\n")
    assert cli("validate", data).returncode == 0
    done = cli(*build)
    assert done.returncode == 0, done.stderr

    html = (out / "russia-mexico-fdi.html").read_text()
    assert "this report uses US$91.2 million for 2024" in html  # the figures behind the claim: the one used
    disagree = html[html.index('<h2 id="where-sources-disagree"') : html.index('<h2 id="timeline"')]
    assert all(value in disagree for value in (">91.2<", ">86.4<", ">19.1<"))
    changes = html[html.index('<h2 id="changes"') :]
    assert f"{data}/fdi.csv changed" in changes and f"{data}/sources.csv changed" in changes
    rows = [re.sub(r"<[^>]+>", "|", row) for row in re.findall(r"<tr>(.*?)</tr>", changes)]
    assert any(r.startswith("|Multiple (×)||30.9||32.6|") for r in rows), rows


def test_the_mistake_example(tmp_path):
    bad_lines = next(b for b in BLOCKS if '"36,872"' in b).strip().splitlines()
    output = next(b for b in BLOCKS if b.startswith("$ .venv/bin/analysis build\n")).strip().splitlines()
    data = tmp_path / "data"
    shutil.copytree(config.DATA_DIR, data, ignore=shutil.ignore_patterns("*.md"))
    with (data / "sources.csv").open("a", encoding="utf-8") as handle:
        handle.write(BLOCKS[0].strip() + "\n")
    with (data / "fdi.csv").open("a", encoding="utf-8") as handle:
        handle.write("\n".join(bad_lines) + "\n")
    done = cli("build", "-p", "data_dir", data, "--out", tmp_path / "out")
    assert done.returncode == int(output[-1])
    expected = [line.replace("data/", f"{data}/") for line in output[1:-2]]
    assert done.stderr.splitlines() == expected
