"""Synthetic data packages of any size, for benchmarks and scale tests.

``write_package(n, out)`` writes ``out/datapackage.json`` (a copy of the project's) and one CSV per
resource it lists: ``n`` claims, the sources they cite and the change record, with the real data's mix
of every coded field. It reads the real data with plain csv/pandas (never ``entente.load``) and is
driven by the descriptor, so a field added to the schema is filled from the real values with no change
here. How each field is filled follows from what the descriptor says of it:

- primary keys get fresh ids (``E000001``...), in the real ids' style, checked against their pattern;
- every other coded field (categories, lists, numbers, booleans, short strings such as hedge words) is
  copied from one real row drawn at random: whole rows are drawn, so the codebook's rules across fields
  (stage with status, certainty with hedge words, precision with date...) hold as they do in the data;
- partial ISO dates are moved back by a random whole number of years (0 to ``YEARS - 1``), so they spread;
- free text (``maxLength`` of 300 or more, or a quotation pattern) becomes made-up neutral words of
  about the real text's length, empty where the real text is empty: no article text is ever copied;
- the other free strings of cited records (outlet names, web domains) become synthetic labels, one per
  real value and replica group, so "one outlet, one domain" still holds;
- each real cited record (a source) is replicated about ``n / CLAIMS_PER_SOURCE / real count`` times, each
  replica's dates moved back by its own number of years; a synthetic claim cites the replicas of its
  real row's sources (so the number of sources per claim and their kinds follow the real data), all in
  one replica; only cited replicas are kept;
- the change record (a resource without a primary key whose ids name other records) gets one row per
  record, modelled on the first real row of that kind (the "added" row), with synthetic words.

With ``keep_real`` (``--with-real``) the real rows are kept and the synthetic ones added after them, with
ids numbered on from the real ones: the chapters name the article's claims and sources, so a book built
on the data needs them.

Usage: ``python -m entente.synth N --out DIR [--seed S] [--root PROJECT] [--with-real]``.
"""
from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

DESCRIPTOR = "datapackage.json"
CLAIMS = "events"  # the resource that scales with n; every other keyed resource is a pool it cites
CLAIMS_PER_SOURCE = 20
YEARS = 6  # dates move back by 0..YEARS-1 whole years
REPLICAS_PER_OUTLET = 4  # replica groups sharing one synthetic outlet label
TEXT_MIN_LENGTH = 300  # a free string allowed this long is prose, not a code
ISO_PARTIAL = re.compile(r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$")
SYLLABLES = ("ka", "lo", "mi", "ne", "su", "ta", "ri", "po", "de", "va", "ful", "zen", "bor", "tis", "mar", "qua")


def project_root() -> Path:
    return Path(__file__).resolve().parent.parent


def vocabulary(size: int = 400) -> np.ndarray:
    """Neutral made-up words (two or three syllables), the same for every run."""
    words = [a + b for a in SYLLABLES for b in SYLLABLES] + [a + b + c for a in SYLLABLES[:8]
                                                             for b in SYLLABLES[8:] for c in SYLLABLES[:3]]
    return np.array(words[:size], dtype=object)


@dataclass
class Table:
    name: str
    path: str
    schema: dict
    real: pd.DataFrame  # every value as text, empty cells as ""

    @property
    def fields(self) -> list[dict]:
        return self.schema["fields"]

    @property
    def key(self) -> list[str]:
        pk = self.schema.get("primaryKey") or []
        return [pk] if isinstance(pk, str) else list(pk)

    @property
    def foreign_keys(self) -> list[dict]:
        return self.schema.get("foreignKeys") or []

    def reference(self, column: str) -> str | None:
        """The resource a single-column foreign key on ``column`` points to."""
        for fk in self.foreign_keys:
            cols = fk["fields"] if isinstance(fk["fields"], list) else [fk["fields"]]
            if cols == [column]:
                return fk["reference"]["resource"]
        return None


def read_tables(root: Path) -> tuple[dict, dict[str, Table]]:
    descriptor = json.loads((root / DESCRIPTOR).read_text(encoding="utf-8"))
    tables = {}
    for res in descriptor["resources"]:
        real = pd.read_csv(root / res["path"], dtype=str, keep_default_na=False, encoding="utf-8")
        tables[res["name"]] = Table(res["name"], res["path"], res["schema"], real)
    return descriptor, tables


def is_link(t: Table) -> bool:
    """A table whose key is made of references, one of them to the claims (claim_sources): it grows with them."""
    return len(t.key) > 1 and all(t.reference(c) for c in t.key) and CLAIMS in {t.reference(c) for c in t.key}


def out_of_scope(tables: dict[str, Table]) -> set[str]:
    """Resources that refer to the claims but are not scaled with them (the second coding): left out of a
    package of synthetic claims only, whose ids they would not find."""
    refers = {name for name, t in tables.items() if any(fk["reference"]["resource"] == CLAIMS for fk in t.foreign_keys)}
    scaled = {name for name, t in tables.items() if is_link(t)}  # link tables grow with the claims
    grew = True
    while grew:  # and whatever refers to those
        more = {name for name, t in tables.items() if any(fk["reference"]["resource"] in refers for fk in t.foreign_keys)}
        grew = bool(more - refers)
        refers |= more
    return refers - scaled - {CLAIMS}


# --- what a field is --------------------------------------------------------------------------------

def is_text(field: dict) -> bool:
    c = field.get("constraints", {})
    return field.get("type", "string") == "string" and "enum" not in c and "x-list" not in field and (
        c.get("maxLength", 0) >= TEXT_MIN_LENGTH or bool(_delimiters(c.get("pattern", ""))[0]))


def is_date(field: dict, values: pd.Series) -> bool:
    if field.get("type") == "date":
        return True
    filled = values[values != ""]
    return field.get("type", "string") == "string" and len(filled) > 0 and bool(filled.str.match(ISO_PARTIAL).all())


def is_free_string(field: dict) -> bool:
    c = field.get("constraints", {})
    return field.get("type", "string") == "string" and "enum" not in c and "x-list" not in field


def _delimiters(pattern: str) -> tuple[str, str]:
    """The literal first and last characters a pattern demands, such as the quotation marks of
    ``^“[^“”]{1,300}”$``; empty when it demands none (letters and digits do not count)."""
    m = re.fullmatch(r"\^([^\\\[\](){}.*+?^$|\w])(.*)([^\\\[\](){}.*+?^$|\w])\$", pattern)
    return (m.group(1), m.group(3)) if m else ("", "")


# --- values -----------------------------------------------------------------------------------------

def fresh_ids(table: Table, column: str, count: int, after_real: bool = False) -> np.ndarray:
    """Ids in the style of the real ones: their letter prefix and six digits, else ``<name>-000001``;
    numbered on from the highest real number when they are to stand beside the real ids."""
    real = table.real[column]
    m = re.fullmatch(r"([A-Za-z]+)[0-9]+", real.iloc[0]) if len(real) else None
    styled = bool(m) and bool(real.str.fullmatch(rf"{m.group(1)}[0-9]+").all())
    prefix = m.group(1) if styled else table.name.rstrip("s") + "-"
    first = int(real.str[len(prefix):].astype(int).max()) + 1 if styled and after_real else 1
    ids = np.array([f"{prefix}{i:06d}" for i in range(first, first + count)], dtype=object)
    _check_pattern(table, column, ids)
    return ids


def _check_pattern(table: Table, column: str, values) -> None:
    field = next(f for f in table.fields if f["name"] == column)
    pattern = field.get("constraints", {}).get("pattern")
    if pattern:
        values = pd.Series(values, dtype=object)
        bad = values[(values != "") & ~values.str.match(pattern)]
        if len(bad):
            raise ValueError(f"synthetic {table.name}.{column} value {bad.iloc[0]!r} does not match {pattern}")


def shift_years(dates: pd.Series, years: np.ndarray) -> pd.Series:
    """Partial ISO dates moved back by whole years; 29 February becomes the 28th in a common year."""
    filled = dates != ""
    year = pd.to_numeric(dates.str[:4].where(filled, "0")).to_numpy() - years
    rest = dates.str[4:]
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    rest = rest.where(~((rest == "-02-29") & ~leap), "-02-28")
    out = pd.Series([f"{y:04d}" for y in year], index=dates.index) + rest
    return out.where(filled, "")


def words(rng: np.random.Generator, lengths: np.ndarray, field: dict) -> np.ndarray:
    """Made-up sentences of the given numbers of words ("" where 0), within the field's constraints."""
    vocab = vocabulary()
    c = field.get("constraints", {})
    start, end = _delimiters(c.get("pattern", ""))
    lo, hi = c.get("minLength", 1), c.get("maxLength", 10_000) - len(start) - len(end)
    counts = np.where(lengths > 0, np.maximum(lengths, 2), 0)
    picks = vocab[rng.integers(len(vocab), size=int(counts.sum()))]
    ends = np.cumsum(counts)
    out = np.empty(len(counts), dtype=object)
    for i, (a, b) in enumerate(zip(ends - counts, ends)):
        if a == b:
            out[i] = ""
            continue
        text = " ".join(picks[a:b])
        text = (text[0].upper() + text[1:])[:hi - 1].rstrip() + "."
        while len(text) + len(start) + len(end) < lo:
            text = text[:-1] + " " + vocab[0] + "."
        out[i] = start + text + end
    return out


def word_counts(values: pd.Series) -> np.ndarray:
    return values.str.split().str.len().fillna(0).astype(int).to_numpy()


def labels(field: dict, values: pd.Series, groups: np.ndarray) -> np.ndarray:
    """A synthetic label per (real value, group): same real value and group, same label; "" stays ""."""
    keys = pd.Series(values.to_numpy(), dtype=object) + "\0" + pd.Series(groups).astype(str)
    codes = pd.factorize(keys)[0] + 1
    pattern = field.get("constraints", {}).get("pattern")
    word = re.sub(r"[^a-z]", "", field.get("title", field["name"]).lower()) or "label"
    if pattern and not re.match(pattern, f"Synthetic {word} 1"):
        made = np.array([f"{word}{c}.example" for c in codes], dtype=object)
    else:
        made = np.array([f"Synthetic {word} {c}" for c in codes], dtype=object)
    return np.where(values.to_numpy() == "", "", made)


# --- the package ------------------------------------------------------------------------------------

def _log_tables(tables: dict[str, Table], keyed: list[str]) -> dict[str, str]:
    """Resources without a key whose column names records of the keyed ones (the change record): name -> column."""
    ids = set().union(*(set(tables[k].real[tables[k].key[0]]) for k in keyed))
    logs = {}
    for t in tables.values():
        if not t.key and len(t.real):
            for f in t.fields:
                if f.get("type", "string") == "string" and set(t.real[f["name"]]) <= ids:
                    logs[t.name] = f["name"]
                    break
    return logs


def synthesise(n: int, root: Path, seed: int = 0, keep_real: bool = False) -> dict[str, pd.DataFrame]:
    """The synthetic tables, by resource name, every value as text; with ``keep_real``, the real rows
    come first and the synthetic ones are added after them (the article's claims and sources, which the
    chapters name, plus ``n`` more claims)."""
    rng = np.random.default_rng(seed)
    _, tables = read_tables(root)
    claims = tables[CLAIMS]
    links = [t.name for t in tables.values() if is_link(t)]
    # The records claims cite, directly or through a link table: they grow with the claims. Other keyed
    # resources (a release manifest, the second coding) are not scaled (see ``out_of_scope``).
    cited_by_claims = {claims.reference(f["name"]) for f in claims.fields} | {
        tables[name].reference(c) for name in links for c in tables[name].key}
    pools = [t.name for t in tables.values() if len(t.key) == 1 and t.name in cited_by_claims - {CLAIMS, None}]
    keyed = [CLAIMS, *pools]
    logs = _log_tables(tables, keyed)

    replicas = {p: max(1, round(n / CLAIMS_PER_SOURCE / max(1, len(tables[p].real)))) for p in pools}
    draws = rng.integers(len(claims.real), size=n)  # the real row each claim copies its codes from
    replica = rng.integers(max(replicas.values(), default=1), size=n)  # the replica of every record it cites
    shift = rng.integers(YEARS, size=n)  # years each claim's dates move back

    # Each pool record is (real row, replica); which ones claims cite decides which exist.
    cited: dict[str, list[pd.DataFrame]] = {p: [] for p in pools}
    claim_key = claims.key[0]
    real_row = {name: pd.Series(np.arange(len(tables[name].real)), index=tables[name].real[tables[name].key[0]])
                for name in keyed}  # per keyed resource: real id -> its row number
    link_frames = {}
    for name in links:
        t = tables[name]
        here = next(c for c in t.key if t.reference(c) == CLAIMS)
        real_links = t.real.assign(_claim_row=real_row[CLAIMS].reindex(t.real[here]).to_numpy(),
                                   _order=np.arange(len(t.real)))
        frame = pd.DataFrame({"_claim": np.arange(n), "_claim_row": draws, "_replica": replica})
        frame = frame.merge(real_links, on="_claim_row").sort_values(["_claim", "_order"], kind="stable")
        link_frames[name] = frame
        for c in t.key:
            if (target := t.reference(c)) in replicas:
                cited[target].append(pd.DataFrame({"row": real_row[target].reindex(frame[c]).to_numpy(),
                                                   "replica": frame["_replica"].to_numpy() % replicas[target]}))
    for f in claims.fields:
        if (target := claims.reference(f["name"])) in replicas:
            cited[target].append(pd.DataFrame({
                "row": real_row[target].reindex(claims.real[f["name"]].iloc[draws]).to_numpy(),
                "replica": replica % replicas[target]}))

    out: dict[str, pd.DataFrame] = {}
    new_ids: dict[str, pd.Series] = {}  # per pool: (real row, replica) -> synthetic id
    for p in pools:
        t = tables[p]
        members = (pd.concat(cited[p]) if cited[p] else pd.DataFrame({"row": np.arange(len(t.real)), "replica": 0}))
        members = members.dropna().astype(int).drop_duplicates().sort_values(["replica", "row"]).reset_index(drop=True)
        rows, reps = members["row"].to_numpy(), members["replica"].to_numpy()
        frame = fill(t, rows, reps % YEARS, rng, groups=reps // REPLICAS_PER_OUTLET, real_row=real_row,
                     new_ids=new_ids)
        ids = fresh_ids(t, t.key[0], len(frame), after_real=keep_real)
        frame[t.key[0]] = ids
        new_ids[p] = pd.Series(ids, index=pd.MultiIndex.from_arrays([rows, reps]))
        out[p] = frame

    frame = fill(claims, draws, shift, rng, groups=None, real_row=real_row, new_ids=new_ids, replica=replica,
                 replicas=replicas)
    frame[claim_key] = fresh_ids(claims, claim_key, n, after_real=keep_real)
    out[CLAIMS] = frame

    for name, f in link_frames.items():
        t = tables[name]
        result = pd.DataFrame(index=range(len(f)))
        for c in t.key:
            target = t.reference(c)
            if target == CLAIMS:
                result[c] = out[CLAIMS][claim_key].to_numpy()[f["_claim"].to_numpy()]
            else:
                rows = real_row[target].reindex(f[c]).to_numpy()
                result[c] = new_ids[target].reindex(
                    pd.MultiIndex.from_arrays([rows, f["_replica"].to_numpy() % replicas[target]])).to_numpy()
        for col in t.real.columns:
            if col not in result:
                result[col] = f[col].to_numpy()
        out[name] = result[list(t.real.columns)]

    for name, column in logs.items():
        out[name] = change_record(tables[name], column, tables, out, rng)
    for name, t in tables.items():
        if name not in out:  # a resource this module does not scale: kept as it is, or left out (see out_of_scope)
            if keep_real or name not in out_of_scope(tables):
                out[name] = t.real
        elif keep_real:
            out[name] = pd.concat([t.real, out[name]], ignore_index=True)
            if t.key and out[name].duplicated(t.key).any():
                raise ValueError(f"synthetic {name} rows repeat a real {'/'.join(t.key)}")
    return out


def fill(table: Table, rows: np.ndarray, shift: np.ndarray, rng, groups, real_row, new_ids,
         replica: np.ndarray | None = None, replicas: dict | None = None) -> pd.DataFrame:
    """Rows of ``table`` copied from the real ``rows``, with dates shifted, text and labels made up,
    and single-column references pointed at the synthetic records of the same replica."""
    real = table.real.iloc[rows].reset_index(drop=True)
    out = pd.DataFrame(index=real.index)
    for f in table.fields:
        name, values = f["name"], real[f["name"]]
        target = table.reference(name)
        if name in table.key:
            out[name] = ""
        elif target in new_ids:
            out[name] = new_ids[target].reindex(pd.MultiIndex.from_arrays(
                [real_row[target].reindex(values).to_numpy(), replica % replicas[target]])).to_numpy()
        elif is_text(f):
            out[name] = words(rng, word_counts(values), f)
        elif is_date(f, table.real[name]):
            out[name] = shift_years(values, shift).to_numpy()
        elif groups is not None and is_free_string(f):  # a cited record's names: outlet, web domain
            out[name] = labels(f, values, groups)
        else:
            out[name] = values.to_numpy()
    return out[list(table.real.columns)]


def change_record(table: Table, column: str, tables: dict[str, Table], out: dict[str, pd.DataFrame],
                  rng) -> pd.DataFrame:
    """One row per synthetic record, modelled on the first real row naming a record of the same resource."""
    parts = []
    order = []
    for name, t in tables.items():
        if len(t.key) != 1 or name not in out:
            continue
        named = table.real[table.real[column].isin(set(t.real[t.key[0]]))]
        if len(named):
            order.append((named.index[0], name, named.iloc[0]))
    for _, name, template in sorted(order, key=lambda x: x[0]):
        ids = out[name][tables[name].key[0]].to_numpy()
        frame = pd.DataFrame({c: np.full(len(ids), template[c], dtype=object) for c in table.real.columns})
        frame[column] = ids
        for f in table.fields:
            if is_text(f):
                frame[f["name"]] = words(rng, np.full(len(ids), len(template[f["name"]].split())), f)
        parts.append(frame)
    return pd.concat(parts, ignore_index=True)[list(table.real.columns)]


def write_package(n: int, out_dir: Path | str, seed: int = 0, root: Path | str | None = None,
                  keep_real: bool = False) -> Path:
    """Write a synthetic data package of ``n`` claims into ``out_dir``; returns its descriptor's path.
    With ``keep_real`` the real data comes first and the ``n`` synthetic claims are added to it."""
    if n < 1:
        raise ValueError(f"n must be at least 1, not {n}")
    root = Path(root) if root else project_root()
    out_dir = Path(out_dir)
    descriptor, _ = read_tables(root)
    synthetic = synthesise(n, root, seed, keep_real)
    out_dir.mkdir(parents=True, exist_ok=True)
    descriptor["resources"] = [res for res in descriptor["resources"] if res["name"] in synthetic]
    (out_dir / DESCRIPTOR).write_text(json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    for res in descriptor["resources"]:
        target = out_dir / res["path"]
        target.parent.mkdir(parents=True, exist_ok=True)
        synthetic[res["name"]].to_csv(target, index=False, encoding="utf-8", lineterminator="\n")
    return out_dir / DESCRIPTOR


def add_command(commands) -> argparse.ArgumentParser:
    """The ``synth`` command, added to the subcommands of ``python -m entente`` (or used on its own)."""
    parser = commands.add_parser("synth", help="write a synthetic data package of N claims",
                                 description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, help="number of synthetic claims")
    parser.add_argument("--out", required=True, type=Path, help="folder to write datapackage.json and data/ into")
    parser.add_argument("--seed", type=int, default=0, help="random seed (same seed, same bytes)")
    parser.add_argument("--root", type=Path, default=None, help="project whose data is imitated (default: this one)")
    parser.add_argument("--with-real", action="store_true",
                        help="keep the real rows and add the synthetic ones after them (so the chapters, which "
                             "name the article's claims and sources, still build)")
    return parser


def run(args: argparse.Namespace) -> int:
    try:
        path = write_package(args.n, args.out, seed=args.seed, root=args.root, keep_real=args.with_real)
    except (ValueError, OSError) as err:
        print(f"entente synth: {err}", file=sys.stderr)
        return 2
    print(f"wrote {args.n} synthetic claims: {path}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m entente")
    add_command(parser.add_subparsers(dest="command", required=True))
    return run(parser.parse_args(["synth", *(sys.argv[1:] if argv is None else argv)]))


if __name__ == "__main__":
    raise SystemExit(main())
