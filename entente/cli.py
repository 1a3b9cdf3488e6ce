"""The command line: ``python -m entente validate [PATH ...]``."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .schema import DESCRIPTOR, find_root
from .validate import check_package


def _descriptor_of(path: str) -> Path:
    p = Path(path)
    return p / DESCRIPTOR if p.is_dir() else p


def _default_descriptor() -> Path | None:
    """The project's own datapackage.json, found from the working directory; None (reported) when absent."""
    try:
        return find_root() / DESCRIPTOR
    except FileNotFoundError as err:
        print(f"{err}; give the path of a datapackage.json, or of the folder holding one", file=sys.stderr)
        return None


def validate(paths: list[str]) -> int:
    """Validate each data package; print one line per problem. Exit status 0 when all pass, else 1."""
    descriptors = [_descriptor_of(p) for p in paths] or [_default_descriptor()]
    if None in descriptors:
        return 1
    failed = 0
    for descriptor in descriptors:
        tables, problems = check_package(descriptor)
        for problem in problems:
            print(problem, file=sys.stderr)
        if problems:
            failed += 1
            print(f"{descriptor}: {len(problems)} problem(s) found; nothing was loaded and no file was changed",
                  file=sys.stderr)
        else:
            counts = ", ".join(f"{len(rows)} {name}" for name, rows in tables.items())
            print(f"{descriptor}: valid ({counts})")
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m entente", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p_val = sub.add_parser("validate", help="check a data package (default: the book's own data)")
    p_val.add_argument("paths", nargs="*", metavar="PATH",
                       help="a datapackage.json, or a folder holding one")
    args = parser.parse_args(argv)
    if args.command == "validate":
        return validate(args.paths)
    return 2


if __name__ == "__main__":
    sys.exit(main())
