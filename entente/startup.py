"""What the build's processes load first: jsonschema, without the IRI grammars it would compile.

jsonschema's format module imports ``rfc3987_syntax`` when it is installed (JupyterLab's jupyter-events
brings it), and that module compiles some 40 lark grammars at import for the "iri" and "iri-reference"
formats only: two to four seconds of every process that loads jsonschema. Every process of a book build
does (Jupyter Book checks its configuration with it, nbformat validates notebooks with it, Altair its
specs), and none of their schemas uses those formats, so their validation is unchanged
(benchmarks/README.md has the timings).

``load_jsonschema()`` imports jsonschema with that module kept out, when neither is loaded yet; a later
``import rfc3987_syntax`` works as usual, only jsonschema's "iri" checker stays unregistered.
"""
from __future__ import annotations

import sys


def load_jsonschema() -> None:
    """Import jsonschema (once per process) without compiling the IRI grammars."""
    kept_out = "rfc3987_syntax" not in sys.modules and "jsonschema" not in sys.modules
    if kept_out:
        sys.modules["rfc3987_syntax"] = None  # import machinery: "not available", which jsonschema allows
    try:
        import jsonschema  # noqa: F401
    finally:
        if kept_out and sys.modules.get("rfc3987_syntax", 0) is None:
            del sys.modules["rfc3987_syntax"]
