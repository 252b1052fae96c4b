"""The report's sections, one module each; the notebook calls them in the order the report shows them.

The story: `lead` (the claim, the verdict, the summary; the `headline` where no claim matches),
`evidence`, `size`, `differ`, `since`, `claims`, `checked`. Then the `appendix`: `growth`,
`by_year`, `disagreements`, `timeline`, `sources`, `changes`, `record`.

Each module computes the language-free facts its section writes from (out of the run's
`analysis._facts.Facts`) and renders them through its template: one per section for every language
(``templates/sections/``, words marked for gettext). Each exposes one function taking the
`Report` and returning a `analysis._present.Section`; `analysis.report.Report` attaches them as
its methods.
"""
