"""The appendix's opening: the evidence in full starts here, on a new page."""

from __future__ import annotations

from analysis._present import Section
from analysis._sections._report import Report

ID = "appendix"


def appendix(report: Report) -> Section:
    """Open the appendix: the tables, the timeline, the sources, the methods and the run record."""
    return report.section(ID, report.edition.gettext("Appendix: the evidence in full"), "appendix.html.j2")
