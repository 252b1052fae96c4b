"""Reproducible report on Russian FDI into Mexico (see README.md).

The modules:

- `config`: every path, anchored on this package.
- `schema`, `load`: the data contract (pandera models) and validated loading.
- `metrics`: growth metrics as pure functions.
- `charts`, `present`, `report`: charts, display objects and the notebook's sections.
- `params`, `build`, `cli`: parameters, the build pipeline and the command line.
"""

__version__ = "0.1.0"
