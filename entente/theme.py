"""One look for every chart: colours, category orders and an Altair theme shared by the book.

Category values, their order and their colours all come from ``datapackage.json``: a colour is given by a
value's position in its field's enum, so a value added to the schema gets the next colour and its place in
every chart with no change here. Ordered scales (certainty) get one hue from dark (first) to light (last),
generated for any length; nominal ones take the Okabe-Ito palette in order.
"""
from __future__ import annotations

import textwrap
from collections.abc import Iterable
from pathlib import Path

import altair as alt

from .labels import missing
from .schema import Schema

# Okabe & Ito's palette, distinguishable with the common forms of colour blindness.
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
# The colour of a chart that encodes no category (one kind of mark only).
ACCENT = OKABE_ITO[0]
# An ordered scale runs through these anchors (ColorBrewer's Blues), firmest darkest.
RAMP_ANCHORS = ("#08306B", "#2171B5", "#6BAED6", "#C6DBEF")
# Fields whose enum is a scale, not a set of names, until datapackage.json says so itself with the Table
# Schema property ``categoriesOrdered`` (which, where present, is read and wins).
ORDERED_FIELDS = frozenset({"certainty"})
FONT = "DejaVu Sans, Liberation Sans, Arial, sans-serif"
# Every chart is drawn on a white ground of its own, on paper and on screen alike, in the theme's dark mode
# too: its text, greys and palette were chosen against white and stay legible there (tests/test_web.py).
BACKGROUND = "#ffffff"

_schemas: dict[tuple[Path, int], Schema] = {}


def project_schema(schema: Schema | None = None) -> Schema:
    """``schema``, or the schema of the project holding the working directory (as ``entente.load()`` reads)."""
    if schema is not None:
        return schema
    found = Schema.of_project()
    stamp = (found.path.resolve(), found.path.stat().st_mtime_ns)
    return _schemas.setdefault(stamp, found)


def field_title(field: str, schema: Schema | None = None, resource: str = "events") -> str:
    """The field's title in the schema ('Direction of flow'); a column the schema lacks is named after itself."""
    fields = project_schema(schema).resources[resource]
    if field in fields.field_names:
        return fields.field(field).title
    return field.replace("_", " ").capitalize()


def _hex(rgb: Iterable[float]) -> str:
    return "#" + "".join(f"{round(c):02X}" for c in rgb)


def _rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))


def ramp(n: int) -> list[str]:
    """n colours from the darkest anchor to the lightest, evenly spaced along the anchors (4 give the anchors)."""
    anchors = [_rgb(c) for c in RAMP_ANCHORS]
    out = []
    for i in range(n):
        t = i / (n - 1) * (len(anchors) - 1) if n > 1 else 0.0
        lo = min(int(t), len(anchors) - 2)
        f = t - lo
        out.append(_hex(a + (b - a) * f for a, b in zip(anchors[lo], anchors[lo + 1])))
    return out


def nominal(n: int) -> list[str]:
    """n colours: Okabe-Ito in order, then lighter tints of it in the same order, so no two are alike."""
    out = []
    for i in range(n):
        base, round_ = _rgb(OKABE_ITO[i % len(OKABE_ITO)]), i // len(OKABE_ITO)
        towards_white = 1 - 0.5 ** round_  # 0, then 1/2, 3/4...
        out.append(_hex(c + (255 - c) * towards_white for c in base))
    return out


def is_category(field: str, schema: Schema | None = None, resource: str = "events") -> bool:
    """True for a field whose values the schema lists (an enum, or the items of a list field)."""
    schema = project_schema(schema)
    return field in schema.resources[resource].field_names and bool(schema.categories(resource, field))


def is_ordered(field: str, schema: Schema | None = None, resource: str = "events") -> bool:
    schema = project_schema(schema)
    for res in schema.descriptor["resources"]:
        if res["name"] == resource:
            for f in res["schema"]["fields"]:
                if f["name"] == field and "categoriesOrdered" in f:
                    return bool(f["categoriesOrdered"])
    return field in ORDERED_FIELDS


def order(field: str, present: Iterable | None = None, schema: Schema | None = None,
          resource: str = "events") -> list[str]:
    """The field's values in schema order; only those in ``present`` when given. A value the schema does not
    list (impossible after validation) comes last rather than vanish."""
    known = list(project_schema(schema).categories(resource, field))
    if present is None:
        return known
    seen = {str(v) for v in present if not missing(v) and str(v) != ""}
    return [v for v in known if v in seen] + sorted(seen - set(known))


def colours(field: str, schema: Schema | None = None, resource: str = "events",
            extra: Iterable[str] = ()) -> dict[str, str]:
    """Each value of the field (and any ``extra`` ones, after them) with its colour, by position in the enum."""
    values = order(field, schema=schema, resource=resource)
    values += [v for v in extra if v not in values]
    palette = ramp(len(values)) if is_ordered(field, schema, resource) else nominal(len(values))
    return dict(zip(values, palette))


def scale(field: str, present: Iterable | None = None, schema: Schema | None = None,
          resource: str = "events") -> alt.Scale:
    """A fixed colour scale for the values present, so a value has the same colour in every chart of the book."""
    keys = order(field, present, schema, resource)
    palette = colours(field, schema, resource, extra=keys)
    return alt.Scale(domain=keys, range=[palette[k] for k in keys])


@alt.theme.register("entente", enable=False)
def entente_theme() -> alt.theme.ThemeConfig:
    return {
        "config": {
            "background": BACKGROUND,
            "font": FONT,
            "view": {"stroke": None, "continuousWidth": 560, "continuousHeight": 300},
            "title": {"anchor": "start", "fontSize": 15, "subtitleFontSize": 12, "subtitleColor": "#444444"},
            "axis": {"labelFontSize": 11, "titleFontSize": 12, "grid": True, "gridColor": "#e6e6e6",
                     "domainColor": "#888888", "tickColor": "#888888"},
            "legend": {"labelFontSize": 11, "titleFontSize": 12, "orient": "bottom", "direction": "horizontal"},
            "range": {"category": list(OKABE_ITO)},
        }
    }


def enable() -> None:
    alt.theme.enable("entente")


# --- on the web: charts as wide as their column -------------------------------------------------

# Views Vega-Lite cannot size to their container: they keep their fixed width and scroll in a box of their own.
_MULTI_VIEW = ("facet", "repeat", "concat", "hconcat", "vconcat")
_FACET_CHANNELS = ("row", "column", "facet")
def fits_container(spec: dict) -> bool:
    """True for a single or layered view: Vega-Lite can size it to its column (``width: "container"``)."""
    if any(key in spec for key in _MULTI_VIEW):
        return False
    views = [spec, *spec.get("layer", [])]
    return not any(channel in view.get("encoding", {}) for view in views for channel in _FACET_CHANNELS)


def web_spec(spec: dict) -> dict:
    """The spec as the web book draws it: as wide as its column where Vega-Lite allows, else at its fixed
    width (in a box that scrolls); either way with its title wrapped to fit a phone's column.

    The PDF figure is made from the spec as given, so print keeps the fixed widths set in entente.charts.
    """
    spec = dict(spec)
    # Vega does not wrap text: long titles and subtitles are broken into lines that fit a phone's column
    # (for a chart in a scroll box too, so that its title reads without scrolling).
    title = spec.get("title")
    if isinstance(title, (str, list)):
        title = {"text": title}
    if isinstance(title, dict):
        title = {**title, "text": wrap(title.get("text", ""), TITLE_CHARS)}
        if "subtitle" in title:
            title["subtitle"] = wrap(title["subtitle"], SUBTITLE_CHARS)
        spec["title"] = title
    if not fits_container(spec):
        return spec
    spec["width"] = "container"
    # A legend of many entries in one row would run past a phone's column: there it lists them one under
    # another, each label cut to fit half of it; an x axis label that would run past the drawing's edge is left out (labelBound).
    config = spec.get("config", {})
    spec["config"] = {**config,
                      "legend": {**config.get("legend", {}),
                                 "columns": {"expr": f"containerSize()[0] < {NARROW} ? 1 : 0"},
                                 "labelLimit": {"expr": f"containerSize()[0] < {NARROW} ? containerSize()[0] / 2 - 40 : 160"}},
                      "axisX": {**config.get("axisX", {}), "labelBound": True}}
    if "layer" in spec:
        spec["layer"] = [dict(view) for view in spec["layer"]]
    for view in [spec, *spec.get("layer", [])]:
        encoding = view.get("encoding")
        if not encoding:
            continue
        view["encoding"] = encoding = {**encoding}
        for channel in ("x", "y"):
            if isinstance(encoding.get(channel), dict):
                encoding[channel] = _web_axis(encoding[channel], channel)
    return spec


# Characters per line of a title (15 px) and of a subtitle (12 px) in the book's font: about 330 px, the
# text column of a 390 px wide phone; an axis title is centred on the plot, narrower still.
TITLE_CHARS, SUBTITLE_CHARS, AXIS_CHARS = 34, 48, 30
# Below this column width (px) legends take one column and level labels on an x axis turn.
NARROW = 480


def wrap(text, width: int):
    """A title's text as lines of at most ``width`` characters (a word longer than that keeps its line)."""
    lines = text if isinstance(text, list) else [text]
    out = []
    for line in lines:
        out += textwrap.wrap(line, width) or [line]
    return out[0] if len(out) == 1 else out


def _web_axis(channel: dict, name: str) -> dict:
    """An x or y channel with its axis title wrapped and, on y, its labels limited to part of the column."""
    channel = {**channel}
    if isinstance(channel.get("title"), (str, list)):
        channel["title"] = wrap(channel["title"], AXIS_CHARS)
    axis = channel.get("axis")
    if name == "x" and isinstance(axis, dict) and axis.get("labelAngle") == 0:
        channel["axis"] = axis = {**axis, "labelAngle": {"expr": f"containerSize()[0] < {NARROW} ? -40 : 0"}}
    if name == "y" and isinstance(axis, dict) and isinstance(axis.get("labelLimit"), (int, float)):
        # Long labels (a claim's summary) take at most half the column, so the marks keep the other half.
        channel["axis"] = {**axis, "labelLimit": {"expr": f"min({axis['labelLimit']}, containerSize()[0] / 2)"}}
    return channel
