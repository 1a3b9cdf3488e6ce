"""The data's schema of record, read from ``datapackage.json``.

Everything that knows field names, types, categories or the certainty scale asks this module, so the
codebook, the validator and the charts never carry a second copy of the schema. It is the only module
that reads the descriptor, and it refuses one that uses a field type, property or constraint the
validator does not check (``Schema.unsupported``), so no part of a schema passes unchecked.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

DESCRIPTOR = "datapackage.json"
PROJECT = Path(__file__).resolve().parent.parent  # the project this package belongs to (editable install)

# A string field holding YYYY, YYYY-MM or YYYY-MM-DD carries exactly this pattern in datapackage.json.
PARTIAL_DATE_PATTERN = "^[0-9]{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?$"

# What the validator checks. Anything else in a field is refused when the schema is read.
TYPES = ("string", "integer", "number", "boolean", "date", "datetime", "year")
CONSTRAINTS = {
    "required": TYPES, "unique": TYPES, "enum": TYPES,
    "pattern": ("string",), "minLength": ("string",), "maxLength": ("string",),
    "minimum": ("integer", "number", "year", "date", "datetime"),
    "maximum": ("integer", "number", "year", "date", "datetime"),
}
FIELD_PROPERTIES = {"name", "title", "description", "type", "format", "constraints", "trueValues", "falseValues", "categoriesOrdered",
                    "example"}  # and custom properties starting with "x-", which the codebook's rules may read
SCHEMA_PROPERTIES = {"fields", "primaryKey", "foreignKeys", "missingValues"}  # and "x-" properties
# A licence of the package or of one resource (Data Package's "licenses"): a name (an Open Definition or
# SPDX id, such as CC-BY-4.0), a path (the licence's address) or both, and optionally a title.
LICENSE_PROPERTIES = {"name", "path", "title"}
LICENSE_NAME = re.compile(r"^[A-Za-z0-9.+-]+$")
# Formats of date and datetime fields the validator reads: the default (ISO) or a strptime pattern.
DEFAULT_FORMATS = {"date": "%Y-%m-%d", "datetime": "%Y-%m-%dT%H:%M:%S"}


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
    list_items: tuple[str, ...] | None  # allowed items of a list field ("x-list")
    true_values: tuple[str, ...] = ("true",)
    false_values: tuple[str, ...] = ("false",)
    list_delimiter: str = ";"
    format: str = "default"
    custom: tuple[tuple[str, object], ...] = ()  # the field's "x-" properties, for the codebook's rules
    ordered: bool = False  # Table Schema's categoriesOrdered: the enum is a scale, first to last

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

    @property
    def strptime_format(self) -> str | None:
        """The strptime pattern of a date or datetime field."""
        if self.type not in DEFAULT_FORMATS:
            return None
        return DEFAULT_FORMATS[self.type] if self.format == "default" else self.format


@dataclass(frozen=True)
class ForeignKey:
    fields: tuple[str, ...]
    resource: str  # the referenced resource's name (the resource itself when the descriptor says "")
    reference: tuple[str, ...]


@dataclass(frozen=True)
class Resource:
    name: str
    path: str
    title: str
    description: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[ForeignKey, ...]
    missing_values: tuple[str, ...] = ("",)

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)


def _as_tuple(value) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


def _field(f: dict) -> Field:
    listed = f.get("x-list") or {}
    return Field(
        name=f["name"], title=f.get("title", f["name"]), type=f.get("type", "string"),
        description=f.get("description", ""), constraints=f.get("constraints", {}),
        list_items=tuple(listed["items"]) if "x-list" in f else None,
        true_values=tuple(f.get("trueValues", ["true"])), false_values=tuple(f.get("falseValues", ["false"])),
        list_delimiter=listed.get("delimiter", ";"), format=f.get("format", "default"),
        custom=tuple((k, v) for k, v in f.items() if k.startswith("x-")),
        ordered=bool(f.get("categoriesOrdered", False)),
    )


def _resource(res: dict) -> Resource:
    schema = res["schema"]
    return Resource(
        name=res["name"], path=res["path"], title=res.get("title", res["name"]),
        description=res.get("description", ""), fields=tuple(_field(f) for f in schema["fields"]),
        primary_key=_as_tuple(schema.get("primaryKey", ())),
        foreign_keys=tuple(ForeignKey(_as_tuple(fk["fields"]), fk["reference"].get("resource") or res["name"],
                                      _as_tuple(fk["reference"]["fields"]))
                           for fk in schema.get("foreignKeys", ())),
        missing_values=tuple(schema.get("missingValues", [""])),
    )


def _field_unsupported(where: str, f: dict) -> list[str]:
    out = []
    kind = f.get("type", "string")
    if kind not in TYPES:
        out.append(f'{where} has type "{kind}", which the validator does not check (it checks {", ".join(TYPES)})')
        return out
    for key in f:
        if key not in FIELD_PROPERTIES and not key.startswith("x-"):
            out.append(f'{where} has the property "{key}", which the validator does not check')
    for key in f.get("constraints", {}):
        if key not in CONSTRAINTS:
            out.append(f'{where} has the constraint "{key}", which the validator does not check '
                       f'(it checks {", ".join(CONSTRAINTS)})')
        elif kind not in CONSTRAINTS[key]:
            out.append(f'{where} has the constraint "{key}" on a field of type "{kind}"; the validator checks '
                       f'"{key}" only on {", ".join(CONSTRAINTS[key])} fields')
    fmt = f.get("format", "default")
    if fmt != "default" and (kind not in DEFAULT_FORMATS or "%" not in fmt):
        out.append(f'{where} has the format "{fmt}", which the validator does not read (it reads "default", '
                   'and a strptime pattern such as "%Y-%m-%d" for date and datetime fields)')
    if ("trueValues" in f or "falseValues" in f) and kind != "boolean":
        out.append(f"{where} has trueValues or falseValues but is not a boolean field")
    if "x-list" in f:
        listed = f["x-list"]
        if kind != "string" or not isinstance(listed, dict) or not listed.get("delimiter") \
                or not isinstance(listed.get("items"), list):
            out.append(f'{where} has an "x-list" the validator cannot read: it needs a string field and '
                       '{"delimiter": ..., "items": [...]}')
    return out


def _licenses_unsupported(where: str, licenses) -> list[str]:
    """What is wrong with a "licenses" list: the data's terms of reuse are read by people and by tools,
    so each entry must say which licence it is, in the form the Data Package standard gives."""
    if not isinstance(licenses, list) or not licenses:
        return [f'{where} has "licenses" that is not a list of licences; expected [{{"name": "CC-BY-4.0", '
                '"path": "https://...", "title": "..."}]']
    out = []
    for n, entry in enumerate(licenses, start=1):
        if not isinstance(entry, dict):
            out.append(f'{where} has licence {n} that is not an object with a "name" or a "path"')
            continue
        out += [f'{where} has licence {n} with the property "{key}", which the validator does not check '
                f'(it checks {", ".join(sorted(LICENSE_PROPERTIES))})' for key in entry if key not in LICENSE_PROPERTIES]
        if not any(isinstance(entry.get(key), str) and entry[key].strip() for key in ("name", "path")):
            out.append(f'{where} has licence {n} with neither a "name" nor a "path"; a licence must say which it is')
        if "name" in entry and not (isinstance(entry["name"], str) and LICENSE_NAME.match(entry["name"])):
            out.append(f'{where} has licence {n} named {entry["name"]!r}; expected a licence id such as CC-BY-4.0')
        if "title" in entry and not isinstance(entry["title"], str):
            out.append(f'{where} has licence {n} whose "title" is not text')
    return out


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
        return {res["name"]: _resource(res) for res in self.descriptor["resources"]}

    def unsupported(self) -> list[str]:
        """What the descriptor asks for that the validator does not check; empty when it checks it all."""
        out = []
        if "licenses" in self.descriptor:
            out += _licenses_unsupported("the package", self.descriptor["licenses"])
        for res in self.descriptor["resources"]:
            name = res["name"]
            if "licenses" in res:
                out += _licenses_unsupported(f'resource "{name}"', res["licenses"])
            if not str(res.get("path", "")).lower().endswith(".csv"):
                out.append(f'resource "{name}" has the path {res.get("path")!r}; the validator reads one CSV file '
                           'per resource')
            if str(res.get("encoding", "utf-8")).lower().replace("_", "-") not in ("utf-8", "utf8"):
                out.append(f'resource "{name}" has the encoding {res["encoding"]!r}; the validator reads UTF-8')
            for key in ("dialect", "compression"):
                if key in res:
                    out.append(f'resource "{name}" has a "{key}", which the validator does not read')
            for key in res["schema"]:
                if key not in SCHEMA_PROPERTIES and not key.startswith("x-"):
                    out.append(f'resource "{name}" has the schema property "{key}", which the validator does not '
                               'check')
            for f in res["schema"]["fields"]:
                out += _field_unsupported(f'field "{f["name"]}" of resource "{name}"', f)
        for name, resource in self.resources.items():
            names = set(resource.field_names)
            for key in resource.primary_key:
                if key not in names:
                    out.append(f'resource "{name}" has the primary key field "{key}", which it does not have')
            for fk in resource.foreign_keys:
                target = self.resources.get(fk.resource)
                if target is None:
                    out.append(f'resource "{name}" has a foreign key to the resource "{fk.resource}", which the '
                               'package does not have')
                elif len(fk.fields) != len(fk.reference) or not set(fk.fields) <= names \
                        or not set(fk.reference) <= set(target.field_names):
                    out.append(f'resource "{name}" has a foreign key ({", ".join(fk.fields)}) -> {fk.resource} '
                               f'({", ".join(fk.reference)}) whose fields do not match')
        return out

    def categories(self, resource: str, field: str) -> tuple[str, ...]:
        """Allowed values of a category field, or allowed items of a list field, in schema order."""
        f = self.resources[resource].field(field)
        return f.categories or f.list_items or ()


def _project_certainty_order() -> tuple[str, ...]:
    """The certainty scale, firmest first, as the project's datapackage.json lists it."""
    root = PROJECT if (PROJECT / DESCRIPTOR).is_file() else find_root()
    return Schema(root / DESCRIPTOR).categories("events", "certainty")


def __getattr__(name: str):
    # CERTAINTY_ORDER is read from the schema on first use, so the scale has one source: datapackage.json.
    if name == "CERTAINTY_ORDER":
        value = _project_certainty_order()
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
