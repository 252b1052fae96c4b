"""The verdict on each claim of claims.csv, by the rule of analysis._verdict (data/README.md, "claims.csv").

Each test writes a small data folder: Russia into Mexico, full years 2022 and 2024, the reports of
each year and one claim, and reads the verdict from the run's facts or its metrics file, as the
report does. Every expected value is worked out by hand in the comment beside it.
"""

from pathlib import Path

import pytest
from conftest import BILINGUAL_PARAMETERS

from analysis._facts import Facts
from analysis._load import load_dataset
from analysis.errors import ParameterError
from analysis.report import Report

PARAMETERS = {
    "origin": "RUS",
    "destination": "MEX",
    "base_year": 2022,
    "target_year": 2024,
    "months": 12,
    "prefer_sources": [],
    "lang": "en",
}
CLAIMS_HEADER = "claim_id,origin,destination,base_year,target_year,months,base,target,multiple,quote,source_id"


def write_folder(folder: Path, reports, claims, trust=None, cites=None) -> Path:
    """Write a data folder: reports as (year, value as written, source), claims as lines after the header.

    Every source is rated ``medium`` unless ``trust`` says otherwise; ``cites`` makes a source an
    echo of another. The source ``article`` makes the claims.
    """
    trust, cites = trust or {}, cites or {}
    ids = dict.fromkeys(["article", *(source for _, _, source in reports), *cites.values()])
    folder.mkdir(parents=True)
    (folder / "fdi.csv").write_text(
        "origin,destination,year,months,usd_millions,source_id,note\n"
        + "".join(f"RUS,MEX,{year},12,{value},{source},\n" for year, value, source in reports)
    )
    (folder / "sources.csv").write_text(
        "source_id,publisher,title,url,published,accessed,trust,note,cites\n"
        + "".join(
            f"{s},Publisher {s},Title {s},,2025-01-01,2026-01-02,{trust.get(s, 'medium')},,{cites.get(s, '')}\n"
            for s in ids
        )
    )
    (folder / "timeline.csv").write_text("date,event,category,source_id,note\n2024,An event,investment,article,\n")
    if claims is not None:
        (folder / "claims.csv").write_text(CLAIMS_HEADER + "\n" + "".join(f"{line}\n" for line in claims))
    return folder


def claim_line(base="2.8", target="86.4", multiple="", claim_id="c", years="2022,2024", months="12") -> str:
    return f'{claim_id},RUS,MEX,{years},{months},{base},{target},{multiple},"Rose, they said",article'


def facts_of(folder: Path, **parameters) -> Facts:
    return Facts.compute({**PARAMETERS, **parameters}, load_dataset(folder), provenance={})


def judged(tmp_path, reports, claim=None, **sources):
    """The verdict on one claim (by default 2.8 to 86.4, no multiple stated) given these reports."""
    folder = write_folder(tmp_path / "data", reports, [claim or claim_line()], **sources)
    [found] = facts_of(folder).claims
    return found


# 2.8 (2022) and 86.4 (2024), each from one source rated high: nothing to dispute, nothing thin.
AGREED = [(2022, "2.8", "se"), (2024, "86.4", "se")]
HIGH = {"trust": {"se": "high"}}


def test_the_default_data_are_disputed_by_the_reports_of_2024():
    # 2022: 2.8 from Proceso only (unverified): thin. 2024: 86.4 from Proceso, 86.4 from gw2ru.com
    # (standing for Expansión, whose own report is not in the data), 19.1 from forte.news:
    # [86.35, 86.45) and [19.05, 19.15) have no common point, so 2024 is disputed, which comes
    # before thin. The claim's 86.4 / 2.8 = 30.857... lies within 19.05 / 2.85 = 6.684... and
    # 86.45 / 2.75 = 31.436..., so it is not false.
    facts = facts_of(Path("data"), data_dir="data")
    lead = facts.lead_claim
    assert lead is facts.claims[0] and lead.claim.source_id == "source-article-2025-07-04"
    assert (lead.verdict, lead.reasons, lead.also) == ("disputed", ("target_disagree",), ("base_thin",))
    assert sorted(r.value for r in lead.target.independent) == [19.1, 86.4, 86.4]
    assert [r.source_id for r in lead.base.independent] == ["proceso-2025-06-25"]
    assert lead.range_low == pytest.approx(19.1 / 2.8) and lead.range_high == pytest.approx(86.4 / 2.8)
    assert lead.range_low_widened == pytest.approx(19.05 / 2.85)
    assert lead.range_high_widened == pytest.approx(86.45 / 2.75)


# false: the multiple claimed against the range the reports allow ------------------------------

# The reports: 2 (2022) and 100 (2024), written without decimals, so 2 stands for [1.5, 2.5) and
# 100 for [99.5, 100.5). Plain, they allow 100 / 2 = 50 exactly; widened by their rounding, from
# 99.5 / 2.5 = 39.8 to 100.5 / 1.5 = 67. Five per cent beyond: 0.95 * 39.8 = 37.81 and
# 1.05 * 67 = 70.35. Each claim below states no multiple, so its multiple is its target / 1.
ROUND = [(2022, "2", "se"), (2024, "100", "se")]


@pytest.mark.parametrize(
    ("target", "verdict"),
    [
        ("70.35", "confirmed"),  # exactly 5 % above the widened high end: not more than 5 %
        ("70.36", "false"),  # just beyond
        ("37.81", "confirmed"),  # exactly 5 % below the widened low end
        ("37.8", "false"),  # just beyond
        ("66", "confirmed"),  # within the widened range, though 32 % above the plain 50
        ("50", "confirmed"),
    ],
)
def test_a_multiple_more_than_five_percent_outside_the_widened_range_is_false(tmp_path, target, verdict):
    found = judged(tmp_path, ROUND, claim_line(base="1", target=target), **HIGH)
    assert found.verdict == verdict
    assert found.reasons == (("outside_range",) if verdict == "false" else ("within_range", "agree", "sourced"))
    assert (found.range_low, found.range_high) == (50.0, 50.0)
    assert (found.range_low_widened, found.range_high_widened) == (pytest.approx(39.8), pytest.approx(67.0))
    assert found.multiple_claimed == pytest.approx(float(target)) and found.arithmetic_gap is None


def test_the_range_spans_every_independent_report_of_both_periods(tmp_path):
    # 2024: 60 and 61 from two sources ([59.5, 60.5) and [60.5, 61.5) have no common point, so
    # they disagree). 2022: 2. The widened range runs from 59.5 / 2.5 = 23.8 to 61.5 / 1.5 = 41;
    # 1.05 * 41 = 43.05. A multiple of 43 lies inside it: the verdict is disputed, not false; one of
    # 44 lies beyond it: false, and still disagreeing.
    reports = [(2022, "2", "se"), (2024, "60", "se"), (2024, "61", "other")]
    inside = judged(tmp_path, reports, claim_line(base="1", target="43"), **HIGH)
    assert (inside.verdict, inside.reasons) == ("disputed", ("target_disagree",))
    assert (inside.range_low_widened, inside.range_high_widened) == (pytest.approx(23.8), pytest.approx(41.0))
    beyond = judged(tmp_path / "again", reports, claim_line(base="1", target="44"), **HIGH)
    assert (beyond.verdict, beyond.reasons, beyond.also) == ("false", ("outside_range",), ("target_disagree",))


# false: the claim's own arithmetic ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("base", "target", "multiple", "verdict", "gap"),
    [
        # 86.4 / 2.8 = 30.857..., 30.857 / 30 - 1 = +2.86 %: within 5 %
        ("2.8", "86.4", "30", "confirmed", 864 / 28 / 30 - 1),
        # 63 / 2 = 31.5 = 1.05 * 30: exactly 5 %, not more
        ("2", "63", "30", "confirmed", 0.05),
        # 63.1 / 2 = 31.55, 31.55 / 30 - 1 = +5.17 %
        ("2", "63.1", "30", "false", 63.1 / 2 / 30 - 1),
        # 79.5 / 2.8 = 28.393, 28.393 / 30 - 1 = -5.36 %
        ("2.8", "79.5", "30", "false", 79.5 / 2.8 / 30 - 1),
    ],
)
def test_a_multiple_more_than_five_percent_off_the_claims_own_figures_is_false(
    tmp_path, base, target, multiple, verdict, gap
):
    # The reports, 2 (2022) and 60 (2024), allow 59.5 / 2.5 = 23.8 to 60.5 / 1.5 = 40.33 times:
    # 30 lies inside, so only the claim's own arithmetic can make it false.
    reports = [(2022, "2", "se"), (2024, "60", "se")]
    found = judged(tmp_path, reports, claim_line(base=base, target=target, multiple=multiple), **HIGH)
    assert found.verdict == verdict
    assert found.reasons == (("arithmetic",) if verdict == "false" else ("within_range", "agree", "sourced"))
    assert found.multiple_claimed == 30.0  # the multiple stated, not the arithmetic one
    assert found.multiple_arithmetic == pytest.approx(float(target) / float(base))
    assert found.arithmetic_gap == pytest.approx(gap)


def test_the_headline_claim_with_twenty_five_times_is_false_on_both_counts(tmp_path):
    # 86.4 / 2.8 = 30.857, 30.857 / 25 - 1 = +23.4 %; and the reports 2.8 and 86.4 allow from
    # 86.35 / 2.85 = 30.298 times, 0.95 * 30.298 = 28.78 > 25
    found = judged(tmp_path, AGREED, claim_line(multiple="25"), **HIGH)
    assert (found.verdict, found.reasons) == ("false", ("outside_range", "arithmetic"))
    assert found.arithmetic_gap == pytest.approx(864 / 28 / 25 - 1)


def test_a_stated_multiple_of_a_claimed_base_of_zero_is_false(tmp_path):
    # 86.4 / 0 is no multiple: the claim's "30 times" cannot come from its own figures
    found = judged(tmp_path, AGREED, claim_line(base="0", multiple="30"), **HIGH)
    assert (found.verdict, found.reasons) == ("false", ("arithmetic",))
    assert (found.multiple_claimed, found.multiple_arithmetic, found.arithmetic_gap) == (30.0, None, None)


@pytest.mark.parametrize("value", ["0", "-1.5"])
def test_no_report_of_the_base_above_zero_allows_no_multiple(tmp_path, value):
    # a base of 0 or -1.5 has no multiple: any multiple claimed lies outside what the reports allow
    found = judged(tmp_path, [(2022, value, "se"), (2024, "86.4", "se")], **HIGH)
    assert (found.verdict, found.reasons) == ("false", ("base_not_positive",))
    assert (found.range_low, found.range_high, found.range_low_widened, found.range_high_widened) == (None,) * 4


def test_only_bases_above_zero_bound_the_range(tmp_path):
    # 2022: -1 and 2 disagree; the range is 86.4 / 2 = 43.2 (widened 86.35 / 2.5 = 34.54 to
    # 86.45 / 1.5 = 57.63): the claim's 86.4 / 2.8 = 30.857 < 0.95 * 34.54 = 32.81, so false
    found = judged(tmp_path, [(2022, "-1", "se"), (2022, "2", "other"), (2024, "86.4", "se")], **HIGH)
    assert (found.verdict, found.reasons, found.also) == ("false", ("outside_range",), ("base_disagree",))
    assert found.range_low == found.range_high == pytest.approx(43.2)


# disputed: reports that cannot be one value ----------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "verdict"),
    [
        (("86", "86.4"), "confirmed"),  # [85.5, 86.5) holds [86.35, 86.45): one value, rounded twice
        (("86", "86.5"), "confirmed"),  # [85.5, 86.5) and [86.45, 86.55) share [86.45, 86.5)
        (("86.4", "86.5"), "disputed"),  # [86.35, 86.45) and [86.45, 86.55) touch but share no point
        (("86.4", "19.1"), "disputed"),
        (("86.4", "86.4"), "confirmed"),
    ],
)
def test_reports_disagree_when_their_rounding_intervals_share_no_point(tmp_path, values, verdict):
    # 2022: 2.8, rated high. 2024: two independent sources. The claim, 86.4 / 2.8 = 30.857, lies
    # inside every range here (the lowest high end, 86.45 / 2.75 = 31.44).
    reports = [(2022, "2.8", "se"), (2024, values[0], "a"), (2024, values[1], "b")]
    found = judged(tmp_path, reports, **HIGH)
    assert found.verdict == verdict
    if verdict == "disputed":
        assert found.reasons == ("target_disagree",)


def test_the_base_period_can_be_disputed_too(tmp_path):
    # 2022: 2.8 and 3.5 disagree; 2024: 86.4. The range, widened: 86.35 / 3.55 = 24.32 to 86.45 / 2.75 = 31.44
    reports = [(2022, "2.8", "a"), (2022, "3.5", "b"), (2024, "86.4", "se")]
    found = judged(tmp_path, reports, **HIGH)
    assert (found.verdict, found.reasons, found.also) == ("disputed", ("base_disagree",), ())


# unproven: thin or missing reports ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("trust", "verdict", "reasons"),
    [
        ({"se": "high"}, "confirmed", ("within_range", "agree", "sourced")),  # one report, rated high
        ({"se": "medium"}, "unproven", ("base_thin", "target_thin")),  # one report each, not high
        ({"se": "unverified"}, "unproven", ("base_thin", "target_thin")),
    ],
)
def test_a_period_with_one_report_not_rated_high_is_thin(tmp_path, trust, verdict, reasons):
    found = judged(tmp_path, AGREED, trust=trust)
    assert (found.verdict, found.reasons) == (verdict, reasons)


def test_two_independent_reports_not_rated_high_are_not_thin(tmp_path):
    # 2022 from two medium sources, 2024 from one high: nothing thin, nothing disputed
    reports = [(2022, "2.8", "a"), (2022, "2.8", "b"), (2024, "86.4", "se")]
    found = judged(tmp_path, reports, **HIGH)
    assert (found.verdict, found.reasons) == ("confirmed", ("within_range", "agree", "sourced"))


def test_a_period_without_reports(tmp_path):
    # no 2024 report at all: nothing can be false by the range, and the claim is unproven
    found = judged(tmp_path, [(2022, "2.8", "se")], **HIGH)
    assert (found.verdict, found.reasons) == ("unproven", ("target_missing",))
    assert (found.range_low, found.range_high_widened, found.target.independent) == (None, None, ())
    # its own arithmetic still decides: 86.4 / 2.8 = 30.857 is 23.4 % above 25
    wrong = judged(tmp_path / "again", [(2022, "2.8", "se")], claim_line(multiple="25"), **HIGH)
    assert (wrong.verdict, wrong.reasons, wrong.also) == ("false", ("arithmetic",), ("target_missing",))


# Echoes --------------------------------------------------------------------------------------------------


def test_an_echo_is_not_a_second_report(tmp_path):
    # 2022: Proceso (unverified) and its echo, which repeats it: one independent report, so thin.
    # Counted as two, the period would not be thin, and the claim would be confirmed.
    reports = [(2022, "2.8", "proceso"), (2022, "2.8", "echo"), (2024, "86.4", "se")]
    sources = {"trust": {"proceso": "unverified", "echo": "high", "se": "high"}, "cites": {"echo": "proceso"}}
    found = judged(tmp_path, reports, **sources)
    assert (found.verdict, found.reasons) == ("unproven", ("base_thin",))
    assert [r.source_id for r in found.base.independent] == ["proceso"]
    assert len(found.base.reports) == 2  # the echo is still there for the writer to name


def test_an_echo_differing_from_what_it_repeats_does_not_dispute_it(tmp_path):
    # the echo's 19.1 is folded into the origin's 86.4: 2024 has one independent report
    reports = [(2022, "2.8", "se"), (2024, "86.4", "se"), (2024, "19.1", "echo")]
    found = judged(tmp_path, reports, trust={"se": "high"}, cites={"echo": "se"})
    assert (found.verdict, found.reasons) == ("confirmed", ("within_range", "agree", "sourced"))
    # nor does it widen the range: 86.4 / 2.8 only, not down to 19.1 / 2.8
    assert found.range_low == found.range_high == pytest.approx(86.4 / 2.8)
    assert [r.value for r in found.target.independent] == [86.4]


def test_an_echo_standing_for_its_origin_is_rated_no_higher_than_its_chain(tmp_path):
    # 2024 known only through an echo rated high of a source rated low (no row of its own): the
    # figure is no surer than the least trusted link, low, so the period is thin
    reports = [(2022, "2.8", "se"), (2024, "86.4", "echo")]
    found = judged(tmp_path, reports, trust={"se": "high", "echo": "high", "origin": "low"}, cites={"echo": "origin"})
    assert (found.verdict, found.reasons) == ("unproven", ("target_thin",))


# Precedence ------------------------------------------------------------------------------------------------


def test_false_comes_before_disputed_and_unproven(tmp_path):
    # 2022: one medium report (thin); 2024: 86.4 and 19.1 disagree; 86.4 / 2.8 = 30.857 is 23.4 %
    # above the 25 stated: false, the other two listed as also holding
    reports = [(2022, "2.8", "a"), (2024, "86.4", "a"), (2024, "19.1", "b")]
    found = judged(tmp_path, reports, claim_line(multiple="25"))
    assert (found.verdict, found.reasons, found.also) == ("false", ("arithmetic",), ("target_disagree", "base_thin"))


def test_disputed_comes_before_unproven(tmp_path):
    reports = [(2022, "2.8", "a"), (2024, "86.4", "a"), (2024, "19.1", "b")]
    found = judged(tmp_path, reports)
    assert (found.verdict, found.reasons, found.also) == ("disputed", ("target_disagree",), ("base_thin",))


# Which claims a run judges, and the metrics file ---------------------------------------------------------


@pytest.fixture
def several(tmp_path) -> Path:
    claims = [
        claim_line(claim_id="first", multiple="30"),
        claim_line(claim_id="other-years", years="2022,2023"),
        claim_line(claim_id="part-year", months="9"),
        claim_line(claim_id="second", target="19.1"),
    ]
    return write_folder(tmp_path / "data", [*AGREED, (2023, "5", "se")], claims, trust={"se": "high"})


def test_the_claims_making_the_reports_comparison_in_file_order(several):
    facts = facts_of(several)
    assert [v.claim.claim_id for v in facts.claims] == ["first", "second"]
    assert facts.lead_claim.claim.claim_id == "first"
    assert facts_of(several, claim="second").lead_claim.claim.claim_id == "second"
    assert facts_of(several, base_year=2023).lead_claim is None  # no claim compares 2023 with 2024
    # January-September: only the claim of nine months, and no figure of either period to judge it by
    [part] = facts_of(several, months=9).claims
    assert (part.claim.claim_id, part.verdict, part.reasons) == (
        "part-year",
        "unproven",
        ("base_missing", "target_missing"),
    )
    first = facts.claims[0].claim
    assert (first.quote, first.source_id, first.base, first.target, first.multiple) == (
        "Rose, they said",
        "article",
        2.8,
        86.4,
        30.0,
    )


def test_a_named_claim_that_does_not_make_the_comparison_is_refused(several):
    with pytest.raises(ParameterError) as caught:
        facts_of(several, claim="part-year")
    assert "parameter claim 'part-year'" in str(caught.value)


def test_the_metrics_file_lists_each_claim_with_its_verdict(several):
    metrics = Report.build(**{**BILINGUAL_PARAMETERS, **PARAMETERS, "data_dir": str(several)}).metrics()
    # first: 30 stated; 86.4 / 2.8 = 30.857 is within 5 % of it and of the reports' range
    # [86.35 / 2.85, 86.45 / 2.75] = [30.30, 31.44]. second: 19.1 / 2.8 = 6.82, below 0.95 * 30.30
    assert metrics["claims"] == [
        {"claim_id": "first", "verdict": "confirmed", "multiple_claimed": 30.0, "reasons": ["within_range", "agree", "sourced"]},
        {"claim_id": "second", "verdict": "false", "multiple_claimed": pytest.approx(19.1 / 2.8), "reasons": ["outside_range"]},
    ]  # fmt: skip
    assert any(name.endswith("/claims.csv") for name in metrics["inputs"])
    assert metrics["parameters"]["claim"] == ""


def test_the_metrics_file_lists_no_claims_where_none_makes_the_comparison(several, tmp_path):
    build = {**BILINGUAL_PARAMETERS, **PARAMETERS, "data_dir": str(several), "base_year": 2023}
    assert Report.build(**build).metrics()["claims"] == []
    bare = write_folder(tmp_path / "bare", AGREED, None)
    metrics = Report.build(**{**BILINGUAL_PARAMETERS, **PARAMETERS, "data_dir": str(bare)}).metrics()
    assert metrics["claims"] == [] and not any(name.endswith("claims.csv") for name in metrics["inputs"])
