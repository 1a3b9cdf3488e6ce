"""The data's schema of record, read from ``datapackage.json``.

Everything that knows field names, categories or the certainty scale asks this module, so the
codebook, the validator and the charts never carry a second copy of the schema.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

DESCRIPTOR = "datapackage.json"

# A string field holding YYYY, YYYY-MM or YYYY-MM-DD carries exactly this pattern in datapackage.json.
PARTIAL_DATE_PATTERN = "^[0-9]{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?$"

# The certainty scale, firmest first. Its order is the codebook's; the schema lists the same values.
CERTAINTY_ORDER = ("established", "reported", "alleged", "possible")


def find_root(start: Path | None = None) -> Path:
    """The nearest folder at or above ``start`` (default: the working directory) holding datapackage.json."""
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / DESCRIPTOR).is_file():
            return folder
    raise FileNotFoundError(f"no {DESCRIPTOR} in {here} or any folder above it")


@dataclass(frozen=True)
class Field:
    name: str
    title: str
    type: str
    description: str
    constraints: dict
    list_items: tuple[str, ...] | None  # allowed items of a semicolon list field
    true_values: tuple[str, ...] = ("true",)
    false_values: tuple[str, ...] = ("false",)

    @property
    def required(self) -> bool:
        return bool(self.constraints.get("required"))

    @property
    def is_partial_date(self) -> bool:
        return self.constraints.get("pattern") == PARTIAL_DATE_PATTERN

    @property
    def categories(self) -> tuple[str, ...] | None:
        enum = self.constraints.get("enum")
        return tuple(enum) if enum else None


@dataclass(frozen=True)
class Resource:
    name: str
    path: str
    title: str
    description: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[dict, ...]

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)


class Schema:
    """The parsed descriptor of one data package."""

    def __init__(self, descriptor_path: Path):
        self.path = Path(descriptor_path)
        self.root = self.path.parent
        self.descriptor = json.loads(self.path.read_text(encoding="utf-8"))

    @classmethod
    def of_project(cls, root: Path | None = None) -> "Schema":
        return cls((root or find_root()) / DESCRIPTOR)

    @cached_property
    def resources(self) -> dict[str, Resource]:
        out = {}
        for res in self.descriptor["resources"]:
            schema = res["schema"]
            fields = tuple(
                Field(
                    name=f["name"], title=f.get("title", f["name"]), type=f.get("type", "string"),
                    description=f.get("description", ""), constraints=f.get("constraints", {}),
                    list_items=tuple(f["x-list"]["items"]) if "x-list" in f else None,
                    true_values=tuple(f.get("trueValues", ["true"])),
                    false_values=tuple(f.get("falseValues", ["false"])),
                )
                for f in schema["fields"]
            )
            pk = schema.get("primaryKey", ())
            out[res["name"]] = Resource(
                name=res["name"], path=res["path"], title=res.get("title", res["name"]),
                description=res.get("description", ""), fields=fields,
                primary_key=(pk,) if isinstance(pk, str) else tuple(pk),
                foreign_keys=tuple(schema.get("foreignKeys", ())),
            )
        return out

    def categories(self, resource: str, field: str) -> tuple[str, ...]:
        """Allowed values of a category field, or allowed items of a list field, in schema order."""
        f = self.resources[resource].field(field)
        return f.categories or f.list_items or ()
