"""Reproducible report on Russian FDI into Mexico (see README.md).

The public surface is `report` (the `Report` facade), `cli` (the command line), `contract` (the
data contract) and `errors` (what they raise); every other module is internal, `_`-prefixed.
The modules, by the process they run in.

Shared by both:

- `_config`: every path, anchored on this package.
- `errors`: one base, `AnalysisError`, a subclass for each kind of failure, and the sentences
  for failures of the system (a file, the open-files limit, memory).
- `contract`, `_schema`, `_inputs`, `_load`: the data contract's vocabulary, its pandera schemas,
  bounded reading of a file, and validated, typed loading of the data folder.
- `_params`: the notebook's parameters, read and typed.

The report, in the kernel (the notebook calls `report`):

- `report`: one `Report` per run, one method per section (`_sections`, a module each).
- `_facts`, `_metrics`, `_caveats`: what a run computes, as pure functions of the figures.
- `_verdict`: each claim of claims.csv judged by one written rule (false, disputed, unproven or
  confirmed), with the reasons that decided it.
- `_charts`, `_present`: charts as matplotlib Figures, and the display objects the page is made
  of (a kernel kept warm reuses the renderings of charts whose data did not change).
- `_language`, `_formatting`: each edition's catalogue and templates, and its numbers, money,
  dates and country names from CLDR (Babel).

The build, in the command's process (`cli` calls `_pipeline`, which runs the rest in order):

- `_plan`: the variants to build, their names and editions, their inputs checked.
- `_cache`: content keys (and the package's one sha256 helper).
- `_execute`, `_kernel`: kernels on IPC sockets, cold or kept warm; papermill runs the notebook.
- `_harvest`: metrics, figures and warnings out of the executed notebook.
- `_export`: the HTML page (nbconvert) and the PDF (WeasyPrint).
- `_outputs`: output sets published whole, under a lock.
- `_pipeline`: one build as a list of steps, and many builds at once.
- `_forked`, `_interrupts`, `_limits`: renderers and `--jobs` builds in child processes
  (pebble), Ctrl-C and signals, each phase's time limit.
- `_watch`, `_serve`: rebuild on every change, and serve the page with reload.
- `cli`, `_doctor`, `_provenance`: the command line, machine checks, the run record.
"""

__version__ = "0.1.0"
