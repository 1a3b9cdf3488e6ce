"""Charts in a live notebook (`make lab`), drawn by JupyterLab's own Vega, with no network.

Altair 6 writes Vega-Lite 6 specs and offers them under a Vega-Lite 6 mimetype, which JupyterLab 4.6 does
not render (it renders Vega-Lite 3 to 5 and Vega 5, with its bundled vega-lite 5.6 and vega 5.33). Handing
it the spec under the Vega-Lite 5 mimetype would have an older compiler read a newer language. Instead
this renderer compiles the spec in the kernel with vl-convert, with the Vega-Lite release Altair writes
for (the compiler of the web book and the PDF too), and gives JupyterLab the compiled Vega under its
Vega 5 mimetype: JupyterLab only runs the dataflow. The spec keeps vl-convert's Vega 6 ``$schema``, so
vega-embed logs a version warning in the browser console; Vega 6 changed packaging (ESM), not the spec
language. Every chart of the book drew the same texts and marks this way as in vl-convert's own
rendering, and tests/test_lab.py checks the explorer's selects, brush and ``vlSelectionTest`` respond.
"""
from __future__ import annotations

import altair as alt

RENDERER = "entente-live"
VEGA_MIMETYPE = "application/vnd.vega.v5+json"  # the newest Vega mimetype JupyterLab 4.6 renders
# The Vega-Lite release Altair writes specs for ("6.4"); vl-convert bundles it. The one definition: the book's
# renderer and vega bundle (entente.render, entente.assets) import it from here.
VEGALITE_VERSION = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
# vega-embed options, passed by JupyterLab from the output's metadata. SVG as in the web book (crisp, and
# its text is in the page). Saving a chart as SVG or PNG stays in the menu; "Open in Vega Editor" goes,
# since it would send the chart and its data to an outside site.
EMBED_OPTIONS = {"renderer": "svg",
                 "actions": {"export": True, "source": True, "compiled": False, "editor": False}}


def live_renderer(spec: dict, **options) -> tuple[dict, dict]:
    """The output for one chart: its compiled Vega for JupyterLab, and a line of text for anything else."""
    import vl_convert as vlc  # imported here, like the book renderer does: only live notebooks need it

    vega = vlc.vegalite_to_vega(spec, vl_version=VEGALITE_VERSION)
    title = spec.get("title")
    title = title.get("text") if isinstance(title, dict) else title  # alt.Title(...) or a plain string
    bundle = {
        VEGA_MIMETYPE: vega,
        "text/plain": f"<Chart: {spec.get('description') or title or 'untitled'}>",
    }
    # Options given to alt.renderers.enable(RENDERER, embed_options=...) refine ours.
    embed = {**EMBED_OPTIONS, **options.get("embed_options", {})}
    return bundle, {VEGA_MIMETYPE: {"embed_options": embed}}


alt.renderers.register(RENDERER, live_renderer)


def enable() -> str:
    """Draw Altair charts with JupyterLab's own Vega from now on, in this kernel."""
    alt.renderers.enable(RENDERER)
    return RENDERER
