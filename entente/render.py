"""How charts leave the kernel: one Altair renderer for the book build, JupyterLab's own elsewhere.

In the book each chart becomes a ``<div>`` plus a call to ``vegaEmbed`` (the vega libraries are served
once from the book itself, see ``entente.sphinxext``), and a vector PDF made offline by vl-convert for
the LaTeX build. Nothing here touches the network, and the same spec always gives the same bytes.
"""
from __future__ import annotations

import hashlib
import html
import json
import os

import altair as alt

RENDERER = "entente-book"
# The book build sets this (entente.sphinxext) so that kernels it starts render for the book.
BUILD_ENV = "ENTENTE_BOOK_BUILD"
_counter = {"n": 0}


def script_json(value) -> str:
    """JSON safe to place inside a <script> element: no data text can close the tag or open markup."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escape)
    return text


def chart_id(spec: dict) -> str:
    """A deterministic element id: the chart's place in the notebook and a digest of its spec."""
    _counter["n"] += 1
    digest = hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:10]
    return f"entente-chart-{_counter['n']}-{digest}"


def chart_html(spec: dict) -> str:
    element = chart_id(spec)
    description = spec.get("description") or "Chart"
    options = {"actions": False, "renderer": "svg", "ast": False}
    return (
        f'<div class="entente-chart" id="{element}" role="figure" aria-label="{html.escape(description)}"></div>\n'
        f'<script type="text/javascript">'
        f'vegaEmbed("#{element}", {script_json(spec)}, {script_json(options)})'
        f'.catch(function (err) {{ console.error("chart {element}: " + err); }});</script>'
    )


def book_renderer(spec: dict, **metadata) -> dict:
    """The mimebundle for one chart: HTML for the web book, vector PDF for the LaTeX build."""
    import vl_convert as vlc  # imported here: only book builds need it

    bundle = {
        "text/html": chart_html(spec),
        "application/pdf": vlc.vegalite_to_pdf(spec),
        "text/plain": f"<Chart: {spec.get('description') or spec.get('title') or 'untitled'}>",
    }
    return bundle


alt.renderers.register(RENDERER, book_renderer)


def enable() -> str:
    """Pick the renderer for where this kernel runs: the book build, or a live notebook."""
    name = RENDERER if os.environ.get(BUILD_ENV) else "default"
    alt.renderers.enable(name)
    return name
