"""The report's main finding in numbers: what moves between Iran and Russia, at what stage, and how firmly.

Directions are only compared like with like: what was done (delivered, produced, launched) apart from
what was sought (asked for, negotiated, proposed) and what is only possible. Claims that move nothing
(direction "none") are counted apart. Category values and their order come from the schema, so a new
direction or stage needs no change here.
"""
from __future__ import annotations

import os

import pandas as pd

from .claimlinks import Counted, where
from .labels import key as slug
from .schema import Schema

def no_flow(schema: Schema) -> str:
    """The direction of a claim that moves nothing, as the direction field's "x-moves-nothing" names it."""
    return dict(schema.resources["events"].field("direction").custom)["x-moves-nothing"]


def flow_directions(schema: Schema) -> list[str]:
    """The directions in which something moves, in the schema's order."""
    return [d for d in schema.categories("events", "direction") if d != no_flow(schema)]


def flow_table(events: pd.DataFrame, schema: Schema) -> pd.DataFrame:
    """Claims per direction (rows) and stage (columns), both in schema order, zeros kept."""
    directions, stages = flow_directions(schema), list(schema.categories("events", "stage"))
    flows = events[events["direction"].isin(directions)]
    table = pd.crosstab(flows["direction"].astype(str), flows["stage"].astype(str))
    return table.reindex(index=directions, columns=stages, fill_value=0)


def count_phrase(part: int, whole: int, one: str, many: str) -> str:
    """How many of ``whole`` claims do something, worded for any count, with the verb phrase for one
    claim and for several: 'all 3 are stated as fact', 'the only one is', '1 of the 4 is', 'none of the 3 is',
    and for a pair 'both are', 'neither is'."""
    if whole == 0:
        return "there are none"
    if part == whole:
        return {1: f"the only one {one}", 2: f"both {many}"}.get(whole, f"all {whole} {many}")
    if part == 0:
        return {1: f"it {_negative(one)}", 2: f"neither {one}"}.get(whole, f"none of the {whole} {one}")
    return f"{part} of the {whole} {one if part == 1 else many}"


def _negative(verb_phrase: str) -> str:
    """'is stated as fact' gives 'is not stated as fact'; 'rests on' gives 'does not rest on'."""
    verb, _, rest = verb_phrase.partition(" ")
    if verb == "is":
        return f"is not {rest}"
    return f"does not {verb[:-1] if verb.endswith('s') else verb} {rest}"


def flow_facts(events: pd.DataFrame, schema: Schema, selection: str = "") -> dict[str, object]:
    """Glue values for every direction and stage: ``{direction}_{stage}`` counts, and for what was done,
    how many the article states as fact (``…_done_established``) and how many rest on at least one cited
    report (``…_done_cited``; the events' ``reports`` column), with phrases that read right for any count.

    Every count is a ``Counted`` of the claims it counts; ``selection`` is the filter ``events`` were chosen by."""
    certainty_levels = schema.categories("events", "certainty")
    firm = certainty_levels[0]  # the scale runs from firmest to least firm: its first level is stated as fact
    table = flow_table(events, schema)
    direction, stage = events["direction"].astype(str), events["stage"].astype(str)
    stated, cited = events["certainty"].astype(str) == firm, events["reports"] > 0
    out: dict[str, object] = {}
    for d in table.index:
        for s in table.columns:
            out[f"{slug(d)}_{slug(s)}"] = Counted.of(events, (direction == d) & (stage == s),
                                                     where(selection, f"direction = {d}", f"stage = {s}"))
        done_stage = table.columns[0]
        done = (direction == d) & (stage == done_stage)
        done_where = where(selection, f"direction = {d}", f"stage = {done_stage}")
        key = f"{slug(d)}_{slug(done_stage)}"
        n_done = int(done.sum())
        out[f"{key}_established"] = n_firm = Counted.of(events, done & stated, where(done_where, f"certainty = {firm}"))
        out[f"{key}_cited"] = n_cited = Counted.of(events, done & cited, where(done_where, "at least one cited report"))
        out[f"{key}_established_phrase"] = count_phrase(n_firm, n_done, "is stated as fact", "are stated as fact")
        out[f"{key}_cited_phrase"] = count_phrase(n_cited, n_done, "rests on a cited report", "rest on a cited report")
        out[f"{key}_hedged"] = Counted.of(events, done & ~stated, where(done_where, f"certainty is not {firm}"))
    out["no_flow"] = Counted.of(events, direction == no_flow(schema), where(selection, f"direction = {no_flow(schema)}"))
    return out


def flow_count_names(schema: Schema) -> list[str]:
    """The names of every count ``flow_facts`` gives (all of them count claims)."""
    stages = list(schema.categories("events", "stage"))
    names = [f"{slug(d)}_{slug(s)}" for d in flow_directions(schema) for s in stages]
    names += [f"{slug(d)}_{slug(stages[0])}_{part}" for d in flow_directions(schema)
              for part in ("established", "cited", "hedged")]
    return names + ["no_flow"]


# Only for builds on data no one will read, such as the synthetic claims of the scale test and the
# benchmarks: a file name here makes a stale sentence a line of that file instead of a failed build.
STALE_PROSE_LOG = "ENTENTE_STALE_PROSE_LOG"


class StaleProse(AssertionError):
    """A sentence of the report is no longer true of the data; the build stops until it is rewritten."""


def guard(condition: bool, sentence: str) -> None:
    """Fail the build when a data-dependent sentence of a chapter stops being true.

    Chapters call it beside each sentence whose truth depends on the data but that is not glued from it.
    With ``ENTENTE_STALE_PROSE_LOG`` set, the sentence is appended to that file and the build goes on.
    """
    if condition:
        return
    message = f"This sentence of the report is no longer true of the data; rewrite it: {sentence!r}"
    log = os.environ.get(STALE_PROSE_LOG)
    if not log:
        raise StaleProse(message)
    with open(log, "a", encoding="utf-8") as out:
        out.write(message + "\n")


def expect(events: pd.DataFrame, ids, sentence: str, cited: bool | None = None, **values) -> None:
    """Fail the build unless each claim in ``ids`` still has the coded ``values`` a sentence describes
    (``cited=True``: at least one cited report behind it; ``False``: none). A missing id fails too."""
    rows = events.set_index("event_id")
    for event_id in [ids] if isinstance(ids, str) else ids:
        ok = event_id in rows.index
        if ok:
            row = rows.loc[event_id]
            ok = all(_matches(row[field], value) for field, value in values.items())
            ok = ok and (cited is None or bool(row["reports"] > 0) == cited)
        guard(ok, f"{sentence} [{event_id}: expected {values}{'' if cited is None else f', cited={cited}'}]")


def _matches(cell, value) -> bool:
    """A cell against an expected value: text compares as text (a blank cell is ""), anything else by equality."""
    if isinstance(value, str):
        return ("" if cell is None or (not isinstance(cell, str) and pd.isna(cell)) else str(cell)) == value
    return bool(cell == value)
