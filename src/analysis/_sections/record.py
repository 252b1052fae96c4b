"""Appendix: the run record (parameters, inputs and their checksums, code, packages, build time)."""

from __future__ import annotations

import json

from analysis._present import Section
from analysis._sections._report import Report

ID = "run-record"


def run_record(report: Report) -> Section:
    """Table: what made this report; the same record is in the metrics file."""
    record = report.metrics()
    parameters = [(k, json.dumps(v, ensure_ascii=False)) for k, v in record["parameters"].items()]
    return report.section(
        ID,
        report.edition.gettext("Run record"),
        "record.html.j2",
        parameters=parameters,
        inputs=list(record["inputs"].items()),
        prov=record["provenance"],
        table_number=next(report.tables),
    )
