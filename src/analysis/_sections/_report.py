"""What a section needs of the report it writes for: the run's facts, the edition, the numbering of tables and figures.

A protocol, so that the sections depend on this and `analysis.report.Report` satisfies it: no
section imports the module that attaches it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from analysis._caveats import Caveat
    from analysis._facts import Facts
    from analysis._language import Edition
    from analysis._present import FigureOutput, Section


class Report(Protocol):
    """The report a section is written for (`analysis.report.Report`)."""

    facts: Facts
    edition: Edition
    tables: Iterator[int]  # the next table's number, counting from 1
    figures: Iterator[int]
    previous: dict[str, Any] | None
    previous_problem: str | None

    @property
    def caveat_list(self) -> tuple[Caveat, ...]:
        """Every caveat that applies to the run."""

    def section(self, id: str, title: str, template: str, **context: Any) -> Section:
        """Return a section of one part: its template rendered with its id, title and ``context``."""

    def chart(self, key: str, caption: str, draw: Callable[..., Figure], *args: Any, **kwargs: Any) -> FigureOutput:
        """Return the next numbered figure, drawn at the page's width and a phone's."""

    def chart_source(self, source_ids: Sequence[str]) -> str:
        """Return the source line a chart draws under itself."""

    def metrics(self) -> dict[str, Any]:
        """Return the content of the metrics file."""
