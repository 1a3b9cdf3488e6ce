"""The command line: ``python -m entente validate [PATH ...] [--all]``, ``diff``, ``synth``, ``assets``, ``citation``."""
from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

from . import citation, diff, synth
from .problems import Problem, summarised
from .schema import DESCRIPTOR, Schema, find_root
from .validate import open_schema, validated


@dataclass(frozen=True)
class Target:
    """What one PATH asks to validate: a whole package, or one of its tables (``resource``)."""
    descriptor: Path
    resource: str | None = None
    shown_as: str = ""


def _target(path: str) -> Target | Problem:
    """A PATH as typed: a datapackage.json, a folder holding one, or a CSV file of a package at or above it."""
    p = Path(path)
    if p.is_dir():
        return Target(p / DESCRIPTOR, shown_as=str(p / DESCRIPTOR))
    if p.suffix.lower() != ".csv":
        return Target(p, shown_as=str(p))
    try:
        root = find_root(p.parent)
    except FileNotFoundError:
        return Problem(path, None, None, None, "a CSV file of a data package, but there is no datapackage.json in "
                                               "its folder or any folder above it")
    schema, problems = open_schema(root / DESCRIPTOR)
    if schema is None:
        return problems[0]
    here = p.resolve()
    for name, res in schema.resources.items():
        if (root / res.path).resolve() == here:
            return Target(root / DESCRIPTOR, name, shown_as=path)
    paths = ", ".join(res.path for res in schema.resources.values())
    return Problem(path, None, None, None, f"a data file named in {root / DESCRIPTOR} ({paths}), but this file is "
                                           "not one of them; validate the package's folder, or add the file to "
                                           "datapackage.json first")


def _default_target() -> Target | None:
    """The project's own datapackage.json, found from the working directory; None (reported) when absent."""
    try:
        descriptor = find_root() / DESCRIPTOR
    except FileNotFoundError as err:
        print(f"{err}; give the path of a datapackage.json, of the folder holding one, or of one of its CSV files",
              file=sys.stderr)
        return None
    return Target(descriptor, shown_as=str(descriptor))


def _check(target: Target) -> tuple[list[Problem], str]:
    """Every problem of the target, and what to say when there is none."""
    result = validated(target.descriptor)
    if target.resource is None:
        counts = ", ".join(f"{len(frame)} {name}" for name, frame in result.frames.items())
        return result.problems, f"valid ({counts})"
    schema: Schema = result.schema
    res = schema.resources[target.resource]
    mine = [p for p in result.problems if p.file == res.path]
    # The table is compared with its neighbours (references, the change record): say so if one could not be read.
    neighbours = [other for name, other in schema.resources.items() if name != target.resource]
    unread = [other.path for other in neighbours if other.name not in result.readable]
    if unread:
        mine.append(Problem(res.path, None, None, None,
                            f"its neighbours in the package to be readable, since it is checked against them, but "
                            f"{', '.join(unread)} could not be read; validate the whole package to see why",
                            kind="neighbours"))
    return mine, (f"valid ({len(result.frames[target.resource])} {target.resource}; checked against "
                  f"{', '.join(other.path for other in neighbours)})")


def validate(paths: list[str], every: bool = False) -> int:
    """Validate each target; print its problems (summarised unless ``every``). Exit status 0 when all pass."""
    targets = [_target(p) for p in paths] or [_default_target()]
    if None in targets:
        return 1
    failed = 0
    for target in targets:
        if isinstance(target, Problem):
            print(target, file=sys.stderr)
            failed += 1
            continue
        problems, verdict = _check(target)
        for line in summarised(problems, every=every):
            print(line, file=sys.stderr)
        if problems:
            failed += 1
            print(f"{target.shown_as}: {len(problems):,} problem(s) found; nothing was loaded and no file was "
                  "changed", file=sys.stderr)
        else:
            print(f"{target.shown_as}: {verdict}")
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m entente", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p_val = sub.add_parser("validate", help="check a data package or one of its tables (default: the book's data)")
    p_val.add_argument("paths", nargs="*", metavar="PATH",
                       help="a datapackage.json, a folder holding one, or one of its CSV files")
    p_val.add_argument("--all", action="store_true", dest="every",
                       help="print every problem (by default, past the first few of a kind, problems are counted)")
    p_diff = sub.add_parser("diff", help="compare two versions of the data package (folders or git revisions)",
                            description=diff.DESCRIPTION)
    diff.add_arguments(p_diff)
    synth.add_command(sub)
    citation.add_command(sub)
    p_assets = sub.add_parser("assets", help="generate the vega bundle and the bibliography the book build needs")
    p_assets.add_argument("root", nargs="?", default=".", help="the project folder (default: here)")
    args = parser.parse_args(argv)
    if args.command == "validate":
        return validate(args.paths, every=args.every)
    if args.command == "diff":
        return diff.run(args)
    if args.command == "synth":
        return synth.run(args)
    if args.command == "citation":
        return citation.run(args)
    if args.command == "assets":
        from . import assets  # loads Altair and vl-convert: only for this command
        return assets.main([args.root])
    return 2


if __name__ == "__main__":
    sys.exit(main())
