"""Data, validation, tables and charts for the report on the Russo-Iranian entente.

Notebooks import this package; it knows nothing of them. The chart and notebook modules (and Altair
with them) load on first use, so the command line (`python -m entente validate`) starts quickly.
"""
from importlib import import_module

from .data import Dataset, load
from .schema import Schema
from .validate import DataError, Problem, check_package

_LAZY_MODULES = {"agreement", "bib", "charts", "citation", "diff", "evidence", "explore", "facts", "findings", "labels",
                 "live", "notebook", "register", "releases", "render", "synth", "tables", "theme"}
_LAZY_NAMES = {"notebook_setup": "notebook", "glue_all": "notebook"}

__all__ = ["CERTAINTY_ORDER", "DataError", "Dataset", "Problem", "Schema", "charts", "check_package", "explore",
           "facts", "glue_all", "load", "notebook_setup", "render", "tables", "theme"]


def __getattr__(name: str):
    if name == "CERTAINTY_ORDER":  # read from datapackage.json on first use, not at import
        from . import schema
        return schema.CERTAINTY_ORDER
    if name in _LAZY_MODULES:
        return import_module(f".{name}", __name__)
    if name in _LAZY_NAMES:
        return getattr(import_module(f".{_LAZY_NAMES[name]}", __name__), name)
    raise AttributeError(f"module 'entente' has no attribute {name!r}")
