"""Discord's published contract: every request body checked against its OpenAPI schema.

``../shared/discord-api-spec/openapi.json`` is Discord's own OpenAPI 3.1 description of
API v10 (copied unchanged; the copy pins the version). Its request-body schemas are JSON
Schema 2020-12 and carry the limits a real Discord enforces: lengths, counts, enums,
URL formats. :class:`Contract` finds the operation for a method and path, validates the
body (the JSON body, or the ``payload_json`` part of a multipart upload) with
``jsonschema`` and turns each failure into the ``(path, code, message)`` triple that
:func:`validation.form_error` nests into Discord's ``50035 Invalid Form Body`` tree.

The spec is the source of truth with one narrow relaxation, where discord.py's
ordinary traffic differs from the schema in a way Discord documents as accepted (see
:func:`_relax`). Rules the schema cannot express (the 6,000-character embed total, the
2,000-character content limit Discord documents where one schema says 4,000, action-row
widths, unique custom ids) stay in :mod:`.validation`.

A missing spec file is an error, never a silent skip: validation would quietly stop
and every e2e test would pass for the wrong reason.
"""

from __future__ import annotations

import copy
import functools
import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from .validation import ErrorList

SPEC_ENV = "DISCORD_API_SPEC"
"""Environment variable that points at another copy of ``openapi.json``."""
DEFAULT_SPEC = Path(__file__).resolve().parents[4] / "shared/discord-api-spec/openapi.json"
"""``../shared/discord-api-spec/openapi.json`` relative to the repository."""
_SPEC_URI = "urn:discord-api-spec"
_METHODS = ("get", "put", "post", "patch", "delete")


class SpecMissing(RuntimeError):
    """The pinned spec copy is not where the tests expect it."""


def spec_path() -> Path:
    return Path(os.environ.get(SPEC_ENV) or DEFAULT_SPEC)


def load_spec(path: Path | None = None) -> dict[str, Any]:
    """The parsed spec; a clear :class:`SpecMissing` when the file is absent or broken."""
    path = path or spec_path()
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SpecMissing(
            f"Discord's OpenAPI spec is missing: {path} does not exist. The e2e stand-in "
            "validates every request body against it (issue 20); put the pinned copy of "
            "discord/discord-api-spec specs/openapi.json there (it lives in "
            f"../shared/discord-api-spec next to the repository) or set {SPEC_ENV}."
        ) from None
    except ValueError as exc:
        raise SpecMissing(f"Discord's OpenAPI spec at {path} is not valid JSON: {exc}") from None


def _relax(spec: dict[str, Any]) -> dict[str, Any]:
    """The spec with the one rule discord.py's normal traffic trips and Discord accepts.

    ``attachments[].id`` in a message body also accepts a non-negative integer:
    discord.py sends the id of a new upload as the integer index of its ``files[n]``
    part, as Discord's docs ("Uploading Files") describe, while the schema only allows
    the string form of a snowflake. Only that field is relaxed; every other snowflake
    must still be a string of digits. (Found by running the suite without it: every
    chart reply was refused.)
    """
    spec = copy.deepcopy(spec)
    props = spec["components"]["schemas"]["MessageAttachmentRequest"]["properties"]
    props["id"] = {"anyOf": [props["id"], {"type": "integer", "minimum": 0}]}
    return spec


def _formats() -> FormatChecker:
    """The spec's ``format`` keywords, checked the way Discord checks them."""
    checker = FormatChecker(formats=())

    @checker.checks("uri")
    def _uri(value: object) -> bool:
        # Discord accepts http(s) links, and attachment:// for files in the same message.
        if not isinstance(value, str):
            return True
        parts = urlsplit(value)
        return parts.scheme in ("http", "https", "attachment") and bool(parts.netloc)

    @checker.checks("date-time")
    def _date_time(value: object) -> bool:
        if not isinstance(value, str):
            return True
        try:
            datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return False
        return True

    for name, bits in (("int32", 31), ("int64", 63)):

        def _int_range(value: object, bits: int = bits) -> bool:
            return not isinstance(value, int) or -(2**bits) <= value < 2**bits

        checker.checks(name)(_int_range)
    return checker


@dataclass(frozen=True)
class Operation:
    method: str
    template: str
    operation_id: str
    pattern: re.Pattern[str]
    pointer: str | None  # JSON pointer of the application/json request schema

    @property
    def params(self) -> int:
        return self.template.count("{")


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _operations(spec: dict[str, Any]) -> list[Operation]:
    ops: list[Operation] = []
    for template, item in spec["paths"].items():
        regex = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template))
        for method in _METHODS:
            op = item.get(method)
            if op is None:
                continue
            pointer = None
            if "application/json" in op.get("requestBody", {}).get("content", {}):
                pointer = "/".join(
                    ("#/paths", _escape(template), method, "requestBody/content",
                     _escape("application/json"), "schema")
                )  # fmt: skip
            op_id = op.get("operationId", "")
            ops.append(Operation(method.upper(), template, op_id, re.compile(regex), pointer))
    # Literal segments win over parameters (…/messages/@original before …/{message_id}).
    return sorted(ops, key=lambda o: o.params)


class Contract:
    """Request-body validation against one loaded spec (build once, share freely)."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = _relax(spec)
        self.version = str(self.spec.get("info", {}).get("version", "?"))
        resource = Resource.from_contents(self.spec, default_specification=DRAFT202012)
        self._registry: Registry = Registry().with_resource(_SPEC_URI, resource)
        self._formats = _formats()
        self._operations = _operations(self.spec)
        self._validators: dict[str, Draft202012Validator] = {}

    @classmethod
    @functools.cache
    def pinned(cls) -> Contract:
        """The contract of the pinned copy in ``../shared`` (loaded once per process)."""
        return cls(load_spec())

    def operation(self, method: str, path: str) -> Operation | None:
        for op in self._operations:
            if op.method == method.upper() and op.pattern.fullmatch(path):
                return op
        return None

    def _validator(self, pointer: str) -> Draft202012Validator:
        if pointer not in self._validators:
            self._validators[pointer] = Draft202012Validator(
                {"$ref": _SPEC_URI + pointer},
                registry=self._registry,
                format_checker=self._formats,
            )
        return self._validators[pointer]

    def check(self, method: str, path: str, body: Any) -> ErrorList:
        """Discord-style errors for ``body`` sent to ``method path`` ([] when valid or
        when the operation takes no JSON body)."""
        op = self.operation(method, path)
        if op is None or op.pointer is None or body is None:
            return []
        validator = self._validator(op.pointer)
        errors: ErrorList = []
        for error in validator.iter_errors(body):
            errors.extend(_discord_error(leaf) for leaf in _leaves(error))
        return errors


# --------------------------------------------------------------------------- error shapes
def _branch_misses(errors: Iterable[ValidationError]) -> bool:
    """True when a union branch fails on its discriminator, i.e. it is not the branch
    the sender meant (a ``null`` branch for an object, another ``type`` number)."""
    for e in errors:
        rel = list(e.relative_path)
        if not rel and e.validator == "type":
            return True
        if rel == ["type"] and e.validator in ("enum", "const"):
            return True
    return False


def _leaves(error: ValidationError) -> list[ValidationError]:
    """The errors of the union branch the body meant, recursively; else ``error``."""
    if error.validator not in ("anyOf", "oneOf") or not error.context:
        return [error]
    branches: dict[int, list[ValidationError]] = {}
    for sub in error.context:
        branches.setdefault(int(sub.relative_schema_path[0]), []).append(sub)
    meant = [errs for errs in branches.values() if not _branch_misses(errs)]
    if not meant:
        return [error]
    chosen = min(meant, key=len)  # several plausible branches: the closest one
    out: list[ValidationError] = []
    for sub in chosen:
        out.extend(_leaves(sub))
    return out


_TYPE_CODES = {
    "string": ("BASE_TYPE_STRING", "Must be a string."),
    "integer": ("NUMBER_TYPE_COERCE", "Value is not int."),
    "number": ("NUMBER_TYPE_COERCE", "Value is not a number."),
    "boolean": ("BASE_TYPE_BOOLEAN", "Must be either true or false."),
    "array": ("BASE_TYPE_ARRAY", "Must be an array."),
    "object": ("DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType"),
}


def _discord_error(error: ValidationError) -> tuple[tuple[str, ...], str, str]:
    """One jsonschema failure as Discord words it (codes from Discord's error docs)."""
    path = tuple(str(p) for p in error.absolute_path)
    v, limit = error.validator, error.validator_value
    if v == "required":
        missing = [p for p in limit if isinstance(error.instance, dict) and p not in error.instance]
        return (*path, *(missing[:1])), "BASE_TYPE_REQUIRED", "This field is required"
    if v in ("maxLength", "maxItems"):
        return path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length."
    if v in ("minLength", "minItems"):
        return path, "BASE_TYPE_MIN_LENGTH", f"Must be {limit} or more in length."
    if v == "maxProperties":
        return path, "BASE_TYPE_MAX_LENGTH", f"Must have {limit} or fewer entries."
    if v == "maximum":
        return path, "NUMBER_TYPE_MAX", f"int value should be less than or equal to {limit}."
    if v == "minimum":
        return path, "NUMBER_TYPE_MIN", f"int value should be greater than or equal to {limit}."
    if v in ("enum", "const"):
        choices = limit if isinstance(limit, list) else [limit]
        return path, "BASE_TYPE_CHOICES", f"Value must be one of {choices}."
    if v == "format" and limit == "uri":
        return path, "URL_TYPE_INVALID_URL", "Not a well formed URL."
    if v == "pattern":
        return path, "STRING_TYPE_REGEX", f"String value did not match validation regex {limit}."
    if v == "uniqueItems":
        return path, "BASE_TYPE_UNIQUE", "Values must be unique."
    if v == "type":
        expected = (
            limit if isinstance(limit, str) else next((t for t in limit if t != "null"), "object")
        )
        return path, *_TYPE_CODES.get(expected, ("BASE_TYPE_INVALID", error.message))
    if v in ("anyOf", "oneOf"):
        return path, "UNION_TYPE_CHOICES", f"Value matches no allowed shape: {error.message}"
    return path, f"SCHEMA_{str(v).upper()}", error.message
