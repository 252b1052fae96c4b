"""Snapshots of every section's markup, in both editions, on the bilingual fixture.

They guard the report's structure and wording against unintended change: a deliberate change
is reviewed in the diff of tests/snapshots/ and recorded with ``UPDATE_SNAPSHOTS=1 make test``.
The run record's moving parts (commit, time, versions) are fixed here.
"""

import os
from pathlib import Path

import pytest

from analysis import _provenance as provenance
from analysis.report import Report

SNAPSHOTS = Path(__file__).parent / "snapshots"
SECTIONS = [
    "lead", "evidence", "size", "differ", "since", "claims", "checked", "headline", "growth_metrics", "by_year", "disagreements", "timeline",
    "appendix", "sources_and_methods", "changes", "run_record",
]  # fmt: skip
FIXED = {
    "git_commit": "0123456789abcdef0123456789abcdef01234567",
    "git_dirty": False,
    "built_at": "2026-01-02T03:04:05Z",
    "python": "3.11.7",
    "platform": "Linux x86_64",
    "packages": {"analysis": "0.1.0", "pandas": "2.2.0"},
}


@pytest.fixture(scope="module", params=["en", "es"])
def rendered(request):
    saved = provenance.collect
    provenance.collect = lambda: dict(FIXED)
    try:
        report = Report.build(
            data_dir=str(Path(__file__).parent / "fixtures" / "bilingual"),
            origin="KOR",
            destination="CHL",
            base_year=2019,
            target_year=2023,
            months=12,
            prefer_sources=[],
            claim="",
            title="",
            lang=request.param,
            compare_with="",
        )
        sections = {name: getattr(report, name)() for name in SECTIONS}
    finally:
        provenance.collect = saved
    return request.param, sections


@pytest.mark.parametrize("name", SECTIONS)
def test_section_markup_matches_its_snapshot(rendered, name):
    lang, sections = rendered
    section = sections[name]
    markup = str(section.html).replace(str(Path(__file__).parent), "tests")  # paths as the repository has them
    captions = "".join(f"\n<!-- figure: {f.caption} | {f.alt} -->" for f in section.figures)
    actual = markup + captions + "\n"
    path = SNAPSHOTS / lang / f"{name}.html"
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    assert path.is_file(), f"no snapshot {path}: record it with UPDATE_SNAPSHOTS=1 and review it"
    assert actual == path.read_text(encoding="utf-8")
