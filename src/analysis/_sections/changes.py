"""Changes since the last build: which inputs and parameters changed, and which headline figures moved."""

from __future__ import annotations

import json
import math
from types import SimpleNamespace

from analysis._present import Section
from analysis._sections._report import Report

ID = "changes"

# The headline figures compared, and how each is written: money (US$ millions), times, percent, count.
COMPARED = {
    "base_value": "money",
    "target_value": "money",
    "abs_change": "money",
    "multiple": "times",
    "multiple_reported_low": "times",
    "multiple_reported_high": "times",
    "multiple_low": "times",
    "multiple_high": "times",
    "pct_change": "percent",
    "cagr_pct": "percent",
    "base_share_of_total_pct": "percent",
    "target_share_of_total_pct": "percent",
    "base_independent_sources": "count",
    "target_independent_sources": "count",
}


def compare(previous: dict, current: dict) -> SimpleNamespace:
    """Compare two metrics files' contents: the last build's and this one's."""
    before_inputs, after_inputs = previous.get("inputs", {}), current["inputs"]
    changed = tuple(p for p in after_inputs if p in before_inputs and before_inputs[p] != after_inputs[p])
    added = tuple(p for p in after_inputs if p not in before_inputs)
    removed = tuple(p for p in before_inputs if p not in after_inputs)
    before_params = previous.get("parameters", {})
    parameters = tuple(
        (k, json.dumps(before_params.get(k), ensure_ascii=False), json.dumps(v, ensure_ascii=False))
        for k, v in current["parameters"].items()
        if k != "compare_with" and before_params.get(k) != v
    )
    before, after = previous.get("growth", {}), current["growth"]
    moved = []
    for key, kind in COMPARED.items():
        old, new = before.get(key), after.get(key)
        if old == new or (old is not None and new is not None and math.isclose(old, new, rel_tol=1e-12)):
            continue
        moved.append(SimpleNamespace(key=key, kind=kind, before=old, after=new))
    when = previous.get("provenance", {}).get("built_at") or ""
    return SimpleNamespace(
        built_at=when,
        changed=changed,
        added=added,
        removed=removed,
        parameters=parameters,  # (name, before, after) as JSON
        moved=tuple(moved),  # the headline figures that moved: key, kind (of COMPARED), before, after
    )


def changes(report: Report) -> Section:
    """Prose and table: what changed since the build whose metrics file was given."""
    found = None
    if report.previous is not None and not report.previous_problem:
        found = compare(report.previous, report.metrics())
    return report.section(
        ID,
        report.edition.gettext("Changes since the last build"),
        "changes.html.j2",
        problem=report.previous_problem,
        changes=found,
        table_number=next(report.tables) if found and found.moved else None,
    )
