"""Reproducible report on Russian FDI into Mexico (see README.md).

The modules, by the process they run in.

Shared by both:

- `config`: every path, anchored on this package.
- `errors`: one base, `AnalysisError`, and a subclass for each kind of failure.
- `contract`, `schema`, `inputs`, `load`: the data contract's vocabulary, its pandera models,
  bounded reading of a file, and validated, typed loading of the data folder.
- `params`: the notebook's parameters, read and typed.

The report, in the kernel (the notebook calls `report`):

- `report`: one `Report` per run, one method per section (`sections`, a module each).
- `facts`, `metrics`, `caveats`: what a run computes, as pure functions of the figures.
- `verdict`: each claim of claims.csv judged by one written rule (false, disputed, unproven or
  confirmed), with the reasons that decided it.
- `charts`, `present`: charts as matplotlib Figures, and the display objects the page is made
  of (a kernel kept warm reuses the renderings of charts whose data did not change).
- `language`, `formatting`: each edition's catalogue and templates, and its numbers, money,
  dates and country names from CLDR (Babel).

The build, in the command's process (`cli` calls `pipeline`, which runs the rest in order):

- `plan`: the variants to build, their names and editions, their inputs checked.
- `cache`: content keys (and the package's one sha256 helper).
- `execute`, `kernel`: kernels on IPC sockets, cold or kept warm; papermill runs the notebook.
- `harvest`: metrics, figures and warnings out of the executed notebook.
- `export`: the HTML page (nbconvert) and the PDF (WeasyPrint).
- `outputs`: output sets published whole, under a lock.
- `pipeline`: one build as a list of steps, and many builds at once.
- `forked`, `interrupts`, `limits`: renderers in child processes, Ctrl-C and signals,
  each phase's time limit, and what to say of failures outside the inputs.
- `watch`, `serve`: rebuild on every change, and serve the page with reload.
- `cli`, `doctor`, `provenance`: the command line, machine checks, the run record.
"""

__version__ = "0.1.0"
