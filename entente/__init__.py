"""Data, validation, tables and charts for the report on the Russo-Iranian entente.

Chapters import this package; it knows nothing of chapters.
"""
from .data import Dataset, load
from .schema import CERTAINTY_ORDER, Schema
from .validate import DataError, Problem, check_package

__all__ = ["CERTAINTY_ORDER", "DataError", "Dataset", "Problem", "Schema", "check_package", "load"]
