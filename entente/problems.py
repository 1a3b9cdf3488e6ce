"""A problem in the data, told the way an editor needs it: file, spreadsheet row, column, value, expectation.

Rows are counted as a spreadsheet counts them: the header is row 1, the first record row 2. Many
problems of one kind (a file with 100,000 bad dates) are summarised: a count and the first few.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

# Bytes that are not UTF-8 are decoded to these lone surrogates so they can be located, then reported.
NOT_UTF8 = re.compile("[\udc80-\udcff]+")
# How many problems of one kind are printed before the rest are only counted.
EXAMPLES_PER_KIND = 5


@dataclass(frozen=True)
class Problem:
    file: str
    row: int | None
    column: str | None
    value: str | None
    expected: str
    line: int | None = None  # the file's physical line: shown when no row is known or it differs from the row
    # What kind of problem this is, for summaries (e.g. "date"); problems of one kind in one column of one
    # file are counted together. Not part of the message.
    kind: str = field(default="", compare=False)

    def __str__(self) -> str:
        """One line, whatever the cells held (a column name read from a broken header may hold line breaks)."""
        where = [self.file]
        if self.row is not None:
            moved = self.line is not None and self.line != self.row
            where.append(f"row {self.row} (line {self.line} of the file)" if moved else f"row {self.row}")
        elif self.line is not None:
            where.append(f"line {self.line}")
        if self.column is not None:
            where.append(f'column "{self.column}"')
        text = ", ".join(where)
        if self.value is not None:
            return one_line(f"{text}: found {shown(self.value)}; expected {self.expected}")
        return one_line(f"{text}: expected {self.expected}")

    @property
    def group(self) -> tuple:
        return self.file, self.column, self.kind or self.expected


def summarised(problems: list[Problem], every: bool = False, limit: int = EXAMPLES_PER_KIND) -> list[str]:
    """The report's lines: every problem when ``every``, else the first ``limit`` of each kind and a count."""
    if every:
        return [str(p) for p in problems]
    totals = Counter(p.group for p in problems)
    seen: Counter = Counter()
    lines = []
    for p in problems:
        seen[p.group] += 1
        if seen[p.group] <= limit:
            lines.append(str(p))
    for (file, column, _), n in totals.items():
        if n > limit:
            first = next(p for p in problems if p.group == (file, column, _))
            where = f'{file}, column "{column}"' if column else file
            lines.append(f"{where}: {n - limit:,} more problem(s) like \"{first.expected[:80]}\" "
                         f"({n:,} in all; the first {limit} are shown above; --all prints every one)")
    return lines


class DataError(Exception):
    """Raised by the loader when the data has problems; carries every one of them."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(summarised(problems)))


def shown(value: str, limit: int = 80) -> str:
    """A cell as one readable line: quoted, line breaks as ↵, bytes that are not UTF-8 as �, long text cut."""
    if value == "":
        return "an empty cell"
    text = one_line(value)
    return f'"{text[:limit]}…"' if len(text) > limit else f'"{text}"'


def one_line(text: str) -> str:
    """Text with its line breaks shown as ↵ (and bytes that are not UTF-8 as �), so a message stays one line."""
    return NOT_UTF8.sub("�", re.sub(r"\r\n|\r|\n|\u2028|\u2029|\x0b|\x0c|\x1c|\x1d|\x1e|\x85", "↵", text))
