"""The codebook's rules: what a Table Schema cannot say, such as "date precision agrees with the date".

Each rule is one small function over whole columns, registered with ``@rule(...)`` naming the tables it
reads. It runs only when those tables were read without problems of structure (a half-read table would
make every comparison look wrong), and returns Problems with spreadsheet row and column. Tables are
frames of strings, as in the files, with the spreadsheet row in column ``ROW``.

To add a rule: write one function taking ``Tables`` and returning a list of Problems, and put
``@rule("events", ...)`` above it. Nothing else changes.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd

from .checks import one_of_these, partial_dates
from .csvfile import ROW
from .problems import Problem, shown
from .schema import Schema

DATE_FORMS = {"day": "YYYY-MM-DD", "month": "YYYY-MM", "year": "YYYY"}


@dataclass(frozen=True)
class Tables:
    """The package's tables as read, for the rules: frames of strings, and their schema."""
    schema: Schema
    frames: dict[str, pd.DataFrame]
    memo: dict = field(default_factory=dict, compare=False, repr=False)  # what several rules work out once

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.frames[name]

    def path(self, name: str) -> str:
        return self.schema.resources[name].path

    def filled(self, name: str, column: str) -> pd.Series:
        """Whether each cell of a column holds a value (is not one of the table's missingValues)."""
        frame = self.frames[name]
        return pd.Series(~one_of_these(frame[column].to_numpy(), self.schema.resources[name].missing_values),
                         index=frame.index)

    def is_true(self, name: str, column: str) -> pd.Series:
        """Whether each cell of a boolean column holds one of its field's trueValues."""
        frame = self.frames[name]
        return pd.Series(one_of_these(frame[column].to_numpy(), self.schema.resources[name].field(column).true_values),
                         index=frame.index)

    def categories(self, name: str, column: str) -> tuple[str, ...]:
        return self.schema.categories(name, column)

    def codes(self, *columns: tuple[str, str]) -> tuple[list[np.ndarray], int]:
        """The cells of each (table, column) named as codes into the distinct values of all of them together,
        and how many distinct values there are: the ids are hashed once per validation, then rules that ask
        whether an id of one table is in another compare numbers."""
        key = ("codes", *columns)
        if key not in self.memo:
            arrays = [self.frames[name][column].to_numpy(object) for name, column in columns]
            codes, uniques = pd.factorize(np.concatenate(arrays), use_na_sentinel=False)
            bounds = np.cumsum([0] + [len(a) for a in arrays])
            self.memo[key] = ([codes[bounds[i]:bounds[i + 1]] for i in range(len(arrays))], len(uniques))
        return self.memo[key]


def factorized(cells) -> tuple[np.ndarray, np.ndarray]:
    """Each cell's code into the column's distinct values, and those values."""
    return pd.factorize(np.asarray(cells, dtype=object), use_na_sentinel=False)


def distinct_pairs(a, b) -> tuple[np.ndarray, list[tuple]]:
    """Each row's code into the distinct (a, b) pairs of two columns, and those pairs: each column is hashed
    on its own (a few distinct values each; pass ``factorized`` columns to hash one only once), and a pair is
    then one number."""
    code_a, values_a = a if isinstance(a, tuple) else factorized(a)
    code_b, values_b = b if isinstance(b, tuple) else factorized(b)
    width = max(len(values_b), 1)
    codes, distinct = pd.factorize(code_a.astype(np.int64) * width + code_b)  # numbers hashed, not sorted
    return codes, [(values_a[k // width], values_b[k % width]) for k in distinct.tolist()]


@dataclass(frozen=True)
class Rule:
    name: str
    needs: tuple[str, ...]  # the tables it reads
    check: Callable[[Tables], list[Problem]]


RULES: list[Rule] = []


def rule(*needs: str):
    """Register a codebook rule that reads the tables named in ``needs``."""
    def register(check):
        RULES.append(Rule(check.__name__, needs, check))
        return check
    return register


def problems_at(t: Tables, table: str, mask, column: str, expected, kind: str, values=None) -> list[Problem]:
    """One Problem per row of ``table`` where ``mask`` holds. ``expected`` is a text, or a function of the
    row's index in the frame; the value shown is the column's cell unless ``values`` gives another."""
    frame = t[table]
    mask = np.asarray(mask, dtype=bool)
    cells = (frame[column] if values is None else values).to_numpy()
    out = []
    for i in np.flatnonzero(mask):
        text = expected(i) if callable(expected) else expected
        out.append(Problem(t.path(table), int(frame[ROW].iat[i]), column, cells[i], text, kind=kind))
    return out


def _precision_mismatch(said: str, written: str, column: str) -> str:
    return (f'a date to the {said} ({DATE_FORMS[said]}), since {column} says "{said}", but this date is written '
            f'to the {written}; correct one of the two')


def _in_words(choices) -> str:
    choices = list(choices)
    return choices[0] if len(choices) == 1 else ", ".join(choices[:-1]) + " or " + choices[-1]


# --- Events ---------------------------------------------------------------------------------------

@rule("events")
def event_date_fits_its_precision(t: Tables) -> list[Problem]:
    """An undated event has no date; a dated one has a date written to the precision date_precision gives."""
    ev = t["events"]
    precision = ev["date_precision"]
    known = precision.isin(t.categories("events", "date_precision"))  # a bad category is reported already
    unknown = precision == "unknown"
    has_start, has_end = t.filled("events", "event_date"), t.filled("events", "event_date_end")
    start = partial_dates(ev["event_date"].where(has_start, ""))
    dated = [p for p in t.categories("events", "date_precision") if p != "unknown"]
    false_word = t.schema.resources["events"].field("date_inferred").false_values[0]
    mismatch = known & ~unknown & has_start & (start["precision"] != "") & (precision != "span") \
        & (start["precision"] != precision)
    return (
        problems_at(t, "events", unknown & (has_start | has_end), "date_precision",
                    f"{_in_words(dated)}, since event_date is filled in", "precision")
        + problems_at(t, "events", unknown & t.is_true("events", "date_inferred"), "date_inferred",
                      f"{false_word}, since there is no event date", "precision")
        + problems_at(t, "events", known & ~unknown & ~has_start, "event_date",
                      lambda i: f'a date, since date_precision is "{precision.iat[i]}" (or date_precision "unknown")',
                      "precision")
        + problems_at(t, "events", mismatch, "event_date",
                      lambda i: _precision_mismatch(precision.iat[i], start["precision"].iat[i], "date_precision"),
                      "precision")
    )


@rule("events")
def only_a_span_has_an_end(t: Tables) -> list[Problem]:
    """event_date_end belongs to spans only, and a span ends no earlier than it starts."""
    ev = t["events"]
    precision = ev["date_precision"]
    known = precision.isin(t.categories("events", "date_precision"))
    has_end = t.filled("events", "event_date_end")
    start = partial_dates(ev["event_date"].where(t.filled("events", "event_date"), ""))
    end = partial_dates(ev["event_date_end"].where(has_end, ""))
    # The end names a period (a day, month or year): the span may end anywhere in it, so compare its last day.
    backwards = has_end & start["first"].notna() & end["last"].notna() & (end["last"] < start["first"])
    return (
        problems_at(t, "events", has_end & known & (precision != "span"), "event_date_end",
                    "an empty cell, since only a span has an end", "span")
        + problems_at(t, "events", backwards, "event_date_end",
                      lambda i: f"a date no earlier than event_date {ev['event_date'].iat[i]}", "span")
    )


@rule("events")
def hedge_words_match_certainty(t: Tables) -> list[Problem]:
    """A hedged claim keeps the article's hedging words; a firm one (the scale's first level) has none."""
    ev = t["events"]
    firm, *hedged = t.categories("events", "certainty")
    certainty = ev["certainty"]
    has_words = t.filled("events", "hedge_words")
    return (
        problems_at(t, "events", certainty.isin(hedged) & ~has_words, "hedge_words",
                    lambda i: f"the article's words that make the claim {certainty.iat[i]}", "hedge")
        + problems_at(t, "events", (certainty == firm) & has_words, "hedge_words",
                      f"an empty cell, since the claim is {firm} (stated as fact)", "hedge")
    )


# --- Sources --------------------------------------------------------------------------------------

@rule("sources")
def published_fits_its_precision(t: Tables) -> list[Problem]:
    """A source's publication date is written to the precision its published_precision gives."""
    src = t["sources"]
    said = src["published_precision"]
    written = partial_dates(src["published"])["precision"]
    mismatch = said.isin(list(DATE_FORMS)) & (written != "") & (written != said)
    return problems_at(t, "sources", mismatch, "published",
                       lambda i: _precision_mismatch(said.iat[i], written.iat[i], "published_precision"), "precision")


@rule("sources")
def one_domain_per_outlet(t: Tables) -> list[Problem]:
    """Every row of one outlet gives the same web domain as its first row."""
    src = t["sources"]
    first = src.groupby("outlet", sort=False)[["domain", ROW]].transform("first")
    return problems_at(t, "sources", src["domain"] != first["domain"], "domain",
                       lambda i: f"{shown(first['domain'].iat[i])} as in row {first[ROW].iat[i]}: one outlet, one domain",
                       "domain")


# --- The change record ----------------------------------------------------------------------------

OWNERS = {"events": "event_id", "sources": "source_id"}  # the records the change record tracks, by their id


@rule("events", "sources", "changes")
def change_record_is_complete(t: Tables) -> list[Problem]:
    """Every change-record row names a known record, and every record has its 'added' row."""
    changes = t["changes"]
    # The ids of every record and every change-record row, hashed once together: each membership below is a
    # lookup by code rather than a hash table of its own.
    names = [*OWNERS, "changes"]
    found, n = t.codes(*OWNERS.items(), ("changes", "record_id"))
    code_of = dict(zip(names, found))
    known = np.zeros(n, dtype=bool)
    for name in OWNERS:
        known[code_of[name]] = True
    named = t.filled("changes", "record_id")
    problems = problems_at(t, "changes", named & ~known[code_of["changes"]], "record_id",
                           f"the event_id or source_id of a record in {t.path('events')} or {t.path('sources')}, "
                           "but none has this id", "change record")
    added = np.zeros(n, dtype=bool)
    added[code_of["changes"][(changes["change"] == "added").to_numpy(dtype=bool)]] = True
    for name, col in OWNERS.items():
        ids = t[name][col]
        problems += problems_at(t, name, t.filled(name, col) & ~added[code_of[name]], col,
                                lambda i, ids=ids: f'a row in {t.path("changes")} recording that {ids.iat[i]} was '
                                                   'added (change "added"): every record enters the change record '
                                                   'when it is added', "change record")
    return problems


def run_rules(schema: Schema, frames: dict[str, pd.DataFrame], readable: set[str]) -> list[Problem]:
    """Every registered rule whose tables were read cleanly; problems in file order, then row order."""
    tables = Tables(schema, frames)
    problems = []
    for r in RULES:
        absent = [name for name in r.needs if name not in schema.resources]
        if len(absent) == len(r.needs):
            continue  # a package without the codebook's tables (a test's, another project's): the rule has nothing to read
        if absent:
            problems.append(Problem(str(schema.path.name), None, None, None,
                                    f"a resource named {_in_words(absent)}, which the codebook rule {r.name} reads",
                                    kind="rule"))
        elif set(r.needs) <= readable:
            problems += r.check(tables)
    order = {res.path: i for i, res in enumerate(schema.resources.values())}
    return sorted(problems, key=lambda p: (order.get(p.file, -1), p.row or 0))


# --- The codebook's analysis rules (issue 8) -------------------------------------------------------

def _declared_pairs(t: Tables, table: str, field: str) -> dict[str, dict[str, tuple[str, ...]]]:
    """A field's "x-allowed" property: for another field's value, which values this field may take."""
    raw = next(f for f in next(r for r in t.schema.descriptor["resources"] if r["name"] == table)["schema"]["fields"]
               if f["name"] == field)
    return {other: {value: tuple(allowed) for value, allowed in pairs.items()}
            for other, pairs in raw.get("x-allowed", {}).items()}


@rule("events")
def values_fit_the_declared_pairs(t: Tables) -> list[Problem]:
    """A value must fit the values of the fields its "x-allowed" property names (stage fits status and
    event type; a claim that moves nothing has direction none), as datapackage.json declares them."""
    ev, out, hashed = t["events"], [], {}
    for field in t.schema.resources["events"].field_names:
        for other, pairs in _declared_pairs(t, "events", field).items():
            # Each distinct (other, field) pair is judged once, then the rows holding a bad one are found.
            for name in (other, field):
                hashed[name] = hashed[name] if name in hashed else factorized(ev[name])
            codes, distinct = distinct_pairs(hashed[other], hashed[field])
            wrong = np.array([o in pairs and v not in pairs[o] for o, v in distinct] or [False], dtype=bool)
            bad = wrong[codes]
            out += problems_at(t, "events", bad, field,
                               lambda i, other=other, pairs=pairs: (
                                   f'{_in_words(pairs[ev[other].iat[i]])}, since {other} is "{ev[other].iat[i]}" '
                                   f"(the codebook's pairs in datapackage.json)"), "pairs")
    return out


@rule("events")
def no_state_is_both_actor_and_third_party(t: Tables) -> list[Problem]:
    """A state is either a party to what a claim records or a third party affected by it, never both."""
    ev = t["events"]
    delimiter = t.schema.resources["events"].field("actors").list_delimiter or ";"
    actors = ev["actors"].where(t.filled("events", "actors"), "")
    third = ev["third_parties"].where(t.filled("events", "third_parties"), "")
    # Each distinct (actors, third parties) pair is split and compared once, then spread over its rows.
    codes, pairs = distinct_pairs(actors, third)
    both = [sorted(set(filter(None, a.split(delimiter))) & set(filter(None, b.split(delimiter)))) for a, b in pairs]
    bad = np.array([bool(x) for x in both] or [False], dtype=bool)[codes]
    return problems_at(t, "events", bad, "third_parties",
                       lambda i: f"no state that is also among the actors, but {', '.join(both[codes[i]])} is in both; "
                                 "a state is either an actor or a third party of one claim", "roles")


def _report_counts(t: Tables) -> pd.Series:
    """How many of each claim's sources are reports (not the article itself), per row of the events table
    (0 for a claim citing none). Worked out once per validation, for the rules that need it."""
    if "report counts" not in t.memo:
        (claims, cited), n = t.codes(("events", "event_id"), ("claim_sources", "event_id"))
        (sources, citing), m = t.codes(("sources", "source_id"), ("claim_sources", "source_id"))
        report = np.zeros(m, dtype=bool)
        report[sources[(t["sources"]["kind"] == "report").to_numpy(dtype=bool)]] = True
        per_claim = np.bincount(cited, weights=report[citing], minlength=n)
        t.memo["report counts"] = pd.Series(per_claim[claims], index=t["events"].index)
    return t.memo["report counts"]


@rule("events", "claim_sources", "sources")
def every_claim_has_a_source(t: Tables) -> list[Problem]:
    """Each claim links to at least one source in claim_sources.csv (the article itself, at least)."""
    (claims, cited), n = t.codes(("events", "event_id"), ("claim_sources", "event_id"))
    has_source = np.zeros(n, dtype=bool)
    has_source[cited] = True
    linked = has_source[claims]
    return problems_at(t, "events", ~linked, "event_id",
                       f"a row in {t.path('claim_sources')} naming a source for this claim (the article itself, "
                       "edm-2022-12, for a claim on its own authority)", "sources")


@rule("events", "claim_sources", "sources")
def evidence_fits_the_sources(t: Tables) -> list[Problem]:
    """Evidence that names a report needs one; evidence that rests on the article alone may cite none, as
    the evidence field's "x-cites-report" property declares."""
    ev = t["events"]
    raw = next(f for f in next(r for r in t.schema.descriptor["resources"] if r["name"] == "events")["schema"]["fields"]
               if f["name"] == "evidence")
    needs = raw.get("x-cites-report", {})
    reports = _report_counts(t)
    must = ev["evidence"].map(needs)  # True, False, or missing for evidence the property does not name
    bad_missing = (must == True) & (reports == 0)  # noqa: E712 (a three-valued column: True, False, None)
    bad_extra = (must == False) & (reports > 0)  # noqa: E712
    return (problems_at(t, "events", bad_missing, "evidence",
                        lambda i: f"evidence that fits its sources: \"{ev['evidence'].iat[i]}\" needs at least one "
                                  f"report in {t.path('claim_sources')}, but this claim cites none", "evidence")
            + problems_at(t, "events", bad_extra, "evidence",
                          lambda i: f"evidence that fits its sources: \"{ev['evidence'].iat[i]}\" means no report is "
                                    f"cited, but {t.path('claim_sources')} links this claim to "
                                    f"{int(reports.iat[i])} report(s)", "evidence"))


@rule("events", "claim_sources", "sources")
def article_and_later_claims_are_placed(t: Tables) -> list[Problem]:
    """A claim of the article has paragraph and sentence, and its theme is its paragraph; a claim added from
    a later report has neither, and cites at least one report."""
    ev = t["events"]
    has_par, has_sen = t.filled("events", "paragraph"), t.filled("events", "sentence")
    reports = _report_counts(t)
    return (problems_at(t, "events", has_par & ~has_sen, "sentence",
                        "the sentence of the paragraph the claim comes from, since paragraph is given", "placing")
            + problems_at(t, "events", ~has_par & has_sen, "paragraph",
                          "the paragraph the sentence belongs to, since sentence is given", "placing")
            + problems_at(t, "events", has_par & (ev["theme"] != ev["paragraph"]), "theme",
                          lambda i: f"{ev['paragraph'].iat[i]}, the claim's paragraph: a claim of the article belongs "
                                    "to the chapter of its paragraph", "placing")
            + problems_at(t, "events", ~has_par & (reports == 0), "paragraph",
                          "a paragraph of the article, or a cited report in "
                          f"{t.path('claim_sources')}: a claim added since the article must rest on a later report",
                          "placing"))
