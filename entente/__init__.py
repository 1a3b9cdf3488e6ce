"""Data, validation, tables and charts for the report on the Russo-Iranian entente.

Notebooks import this package; it knows nothing of them.
"""
from . import charts, explore, facts, render, tables, theme
from .data import Dataset, load
from .notebook import glue_all, notebook_setup
from .schema import CERTAINTY_ORDER, Schema
from .validate import DataError, Problem, check_package

__all__ = ["CERTAINTY_ORDER", "DataError", "Dataset", "Problem", "Schema", "charts", "check_package", "explore",
           "facts", "glue_all", "load", "notebook_setup", "render", "tables", "theme"]
