"""``python -m entente.jupyterbook ARGS``: Jupyter Book's own command line, as ``jupyter-book ARGS``.

The Makefile builds the book through this: the same command, started without jsonschema's IRI grammars
(entente.startup), which Jupyter Book's configuration check would otherwise compile at every build.
"""
from __future__ import annotations

import sys

from .startup import load_jsonschema


def main() -> int:
    load_jsonschema()
    from jupyter_book.cli.main import main as jupyter_book

    sys.argv[0] = "jupyter-book"  # its messages name the command the user knows
    return jupyter_book()


if __name__ == "__main__":
    sys.exit(main())
