"""One look for every chart: a colour-blind-safe palette and an Altair theme shared by the book."""
from __future__ import annotations

import altair as alt

from .schema import CERTAINTY_ORDER

# Okabe & Ito's palette, distinguishable with the common forms of colour blindness.
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")

DOMAIN_ORDER = ("military", "space", "nuclear", "political", "economic", "internal security")
DOMAIN_COLOURS = dict(zip(DOMAIN_ORDER, ("#0072B2", "#E69F00", "#D55E00", "#CC79A7", "#009E73", "#000000")))

# Certainty is ordered, so it gets one hue from dark (firm) to light (only possible).
CERTAINTY_COLOURS = dict(zip(CERTAINTY_ORDER, ("#08306B", "#2171B5", "#6BAED6", "#C6DBEF")))

DIRECTION_ORDER = ("Iran to Russia", "Russia to Iran", "mutual", "none")
DIRECTION_COLOURS = dict(zip(DIRECTION_ORDER, ("#D55E00", "#0072B2", "#009E73", "#999999")))

FONT = "DejaVu Sans, Liberation Sans, Arial, sans-serif"


def scale(colours: dict[str, str], domain=None) -> alt.Scale:
    """A fixed colour scale, so a category has the same colour in every chart of the book."""
    keys = list(domain) if domain is not None else list(colours)
    return alt.Scale(domain=keys, range=[colours[k] for k in keys])


@alt.theme.register("entente", enable=False)
def entente_theme() -> alt.theme.ThemeConfig:
    return {
        "config": {
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
