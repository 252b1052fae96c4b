"""Each caveat rule, on small data sets written out here: it applies where it should, and only there."""

from pathlib import Path

import pytest

from analysis import _caveats as caveats
from analysis._facts import Facts
from analysis._load import load_dataset

SOURCES = """source_id,publisher,title,url,published,accessed,trust,note,cites
old,Old Gazette,Old,https://example.org/o,2022-01-10,2026-01-02,medium,,
new,New Review,New,https://example.org/n,2022-09-01,2026-01-02,high,,
late,Late Post,Late,https://example.org/l,2023-03-01,2026-01-02,low,,
echo,Echo Site,Echo,https://example.org/e,2023-06,2026-01-02,low,,late
"""
TIMELINE = """date,event,category,source_id,note
2021,An event,diplomacy,old,
"""
PARAMETERS = {"origin": "KOR", "base_year": 2020, "target_year": 2021, "months": 12, "prefer_sources": [], "lang": "en"}


def facts(tmp_path: Path, fdi: str, destination: str = "CHL", **changes) -> Facts:
    folder = tmp_path / "data"
    folder.mkdir(parents=True)
    (folder / "fdi.csv").write_text("origin,destination,year,months,usd_millions,source_id,note\n" + fdi)
    (folder / "sources.csv").write_text(SOURCES)
    (folder / "timeline.csv").write_text(TIMELINE)
    parameters = {**PARAMETERS, "destination": destination, "data_dir": str(folder), **changes}
    return Facts.compute(parameters, load_dataset(folder), provenance={})


def kinds(found) -> list[str]:
    return [c.kind for c in found]


def test_a_headline_year_with_one_independent_report(tmp_path):
    # 2020: one report; 2021: two independent reports (old and new)
    f = facts(tmp_path, "KOR,CHL,2020,12,5,old,\nKOR,CHL,2021,12,9,old,\nKOR,CHL,2021,12,9.5,new,\n")
    (found,) = caveats.single_source(f)
    assert (found.facts["end"], found.facts["year"], found.facts["report"].source_id) == ("base", 2020, "old")


def test_an_echo_does_not_make_a_year_corroborated(tmp_path):
    # 2021: late and its echo: still one independent report
    f = facts(
        tmp_path, "KOR,CHL,2020,12,5,old,\nKOR,CHL,2020,12,5,new,\nKOR,CHL,2021,12,9,late,\nKOR,CHL,2021,12,9,echo,\n"
    )
    assert [(c.facts["end"], c.facts["year"]) for c in caveats.single_source(f)] == [("target", 2021)]


def test_a_figure_known_only_through_an_echo(tmp_path):
    f = facts(tmp_path, "KOR,CHL,2020,12,5,old,\nKOR,CHL,2021,12,9,echo,\n")
    (found,) = caveats.known_through_echo(f)
    assert (found.facts["year"], found.facts["report"].credited_to, found.facts["report"].via) == (2021, "late", "echo")


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        # full year 2020 (3) below its January-September (4): flagged, with the other full-year report
        ("KOR,CHL,2020,12,3,new,\nKOR,CHL,2020,12,4.5,old,\nKOR,CHL,2020,9,4,old,\n", [(2020, 3.0, 4.0, [4.5])]),
        # a full year above its part: nothing
        ("KOR,CHL,2020,12,5,new,\nKOR,CHL,2020,9,4,old,\n", []),
        # equal: nothing (a quiet last quarter)
        ("KOR,CHL,2020,12,4,new,\nKOR,CHL,2020,9,4,old,\n", []),
    ],
)
def test_a_full_year_below_its_own_part(tmp_path, rows, expected):
    f = facts(tmp_path, rows + "KOR,CHL,2021,12,9,new,\n")
    found = caveats.full_year_below_part_year(f)
    assert [
        (c.facts["year"], c.facts["full"].value, c.facts["part"].value, [r.value for r in c.facts["other_full"]])
        for c in found
    ] == expected


def test_the_totals_are_checked_too(tmp_path):
    f = facts(
        tmp_path, "KOR,CHL,2020,12,5,new,\nKOR,CHL,2021,12,9,new,\nWLD,CHL,2021,12,90,new,\nWLD,CHL,2021,6,95,old,\n"
    )
    assert [(c.facts["origin"], c.facts["year"]) for c in caveats.full_year_below_part_year(f)] == [("WLD", 2021)]


def test_shares_whose_two_figures_come_from_releases_far_apart(tmp_path):
    # 2020: new (2022-09-01) over old's total (2022-01-10): 234 days, past six months (183)
    # 2021: new over new: the same release
    f = facts(
        tmp_path,
        "KOR,CHL,2020,12,5,new,\nKOR,CHL,2021,12,9,new,\nWLD,CHL,2020,12,500,old,\nWLD,CHL,2021,12,600,new,\n",
    )
    (found,) = caveats.releases_apart(f)
    ((item),) = found.facts["items"]
    assert (item["year"], item["numerator"].source_id, item["denominator"].source_id) == (2020, "new", "old")
    assert item["months_apart"] == 8  # 234 / 30.44 = 7.7
    assert item["headline"] is True


def test_shares_from_releases_under_six_months_apart_are_fine(tmp_path):
    # late (2023-03-01) against new (2022-09-01): 181 days
    f = facts(
        tmp_path,
        "KOR,CHL,2020,12,5,late,\nKOR,CHL,2021,12,9,new,\nWLD,CHL,2020,12,500,new,\nWLD,CHL,2021,12,600,new,\n",
    )
    assert caveats.releases_apart(f) == []


def test_part_years_beside_full_years(tmp_path):
    f = facts(tmp_path, "KOR,CHL,2020,12,5,new,\nKOR,CHL,2021,12,9,new,\nKOR,CHL,2021,6,4,new,\n")
    (found,) = caveats.part_year_beside_full_year(f)
    assert found.facts == {"periods": ((2021, 6),), "months": 12}
    only_full = facts(tmp_path / "b", "KOR,CHL,2020,12,5,new,\nKOR,CHL,2021,12,9,new,\n")
    assert caveats.part_year_beside_full_year(only_full) == []


def test_the_standing_caveats_describe_mexicos_register_only_for_mexico(tmp_path):
    rows = "KOR,{d},2020,12,5,new,\nKOR,{d},2021,12,9,new,\n"
    assert kinds(caveats.standing(facts(tmp_path / "a", rows.format(d="MEX"), destination="MEX"))) == [
        "immediate_investor",
        "preliminary_register",
        "current_dollars",
    ]
    assert kinds(caveats.standing(facts(tmp_path / "b", rows.format(d="CHL")))) == ["current_dollars"]


def test_every_rule_in_one_list_data_rules_first(tmp_path):
    f = facts(tmp_path, "KOR,MEX,2020,12,5,old,\nKOR,MEX,2021,12,9,echo,\nKOR,MEX,2021,6,4,new,\n", destination="MEX")
    assert kinds(caveats.caveats(f)) == [
        "single_source",
        "single_source",
        "known_through_echo",
        "part_year_beside_full_year",
        "immediate_investor",
        "preliminary_register",
        "current_dollars",
    ]
