"""What a notebook of the book does in its cells: set up, and glue computed values into the prose."""
from __future__ import annotations

from . import render, theme
from .data import Dataset, load


def notebook_setup() -> Dataset:
    """The first cell of every notebook: the chart renderer for where it runs, the book's theme, the validated data."""
    render.enable()
    theme.enable()
    return load()


def glue_all(values: dict) -> None:
    """Glue each value under its name, for ``{glue:text}`` and ``{glue:figure}`` in the prose."""
    if not render.in_book_build():
        # A live notebook has no {glue:} roles or figures to fill: show the charts where they are glued.
        import altair as alt
        from IPython.display import display

        for value in values.values():
            if isinstance(value, alt.TopLevelMixin) or hasattr(value, "live_chart"):  # a chart, or the explorer
                display(value)
        return
    from myst_nb import glue  # only notebooks run by the book need it

    for name, value in values.items():
        glue(name, value, display=False)
