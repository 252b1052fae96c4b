"""The report's sections, one module each, in the order the report shows them.

Each module computes the language-free facts its section writes from (out of the run's
`analysis.facts.Facts`) and renders them through its template in the edition's language
(``languages/<lang>/<section>.html.j2``). Each exposes one function taking the `Report` and
returning a `analysis.present.Section`; `analysis.report.Report` attaches them as its methods.
"""

ORDER = (
    "headline",
    "growth",
    "caveats",
    "by_year",
    "context",
    "disagreements",
    "timeline",
    "claims",
    "sources",
    "changes",
    "record",
)
