"""The appendix's opening: the evidence in full starts here, on a new page."""

from __future__ import annotations

from analysis.present import Section
from analysis.sections._report import Report

ID = "appendix"


def appendix(report: Report) -> Section:
    """Open the appendix: the tables, the timeline, the sources, the methods and the run record."""
    e = report.edition
    title = e.gettext("Appendix: the evidence in full")
    return report.section(ID, title, "appendix.html.j2")
