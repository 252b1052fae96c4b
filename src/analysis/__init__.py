"""Reproducible report on Russian FDI into Mexico (see README.md).

The modules:

- `config`: every path, anchored on this package.
- `schema`, `load`: the data contract (pandera models) and validated loading.
- `metrics`: growth metrics as pure functions.
- `charts`, `present`, `report`: charts, display objects and the notebook's sections.
- `params`: the notebook's parameters, read and typed.

The build, in the command's process (`cli` calls `pipeline`, which runs the rest in order):

- `plan`: the variants to build, their names and editions, their inputs checked.
- `cache`: content keys (and the package's one sha256 helper).
- `execute`, `kernel`: kernels on IPC sockets, cold or kept warm; papermill runs the notebook.
- `harvest`: metrics, figures and warnings out of the executed notebook.
- `export`: the HTML page (nbconvert) and the PDF (WeasyPrint).
- `outputs`: output sets published whole, under a lock.
- `pipeline`: one build as a list of steps, and many builds at once.
- `watch`, `serve`: rebuild on every change, and serve the page with reload.
- `cli`, `doctor`, `provenance`: the command line, machine checks, the run record.
"""

__version__ = "0.1.0"
