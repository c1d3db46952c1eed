"""Discord-side validation of message / command payloads.

Real Discord rejects over-long content, too many embeds/fields/components, malformed
commands, etc. with ``400 {"code": 50035, "message": "Invalid Form Body", "errors": ...}``.
The stand-in does the same for the common limits, so a bot that would fail in production
fails here too instead of passing silently.
"""

from __future__ import annotations

import re
from typing import Any

from .recorder import walk_components

ErrorList = list[tuple[tuple[str, ...], str, str]]

_COMMAND_NAME = re.compile(r"^[-_'\w]{1,32}$")
_URL_OK = ("http://", "https://", "attachment://")


class ApiError(Exception):
    """Raised by handlers; turned into a Discord-style JSON error response."""

    def __init__(
        self, status: int, message: str, code: int = 0, errors: dict | None = None
    ) -> None:
        super().__init__(f"{status} {code} {message}")
        self.status = status
        self.message = message
        self.code = code
        self.errors = errors

    def body(self) -> dict[str, Any]:
        data: dict[str, Any] = {"message": self.message, "code": self.code}
        if self.errors is not None:
            data["errors"] = self.errors
        return data


def form_error(errors: ErrorList, prefix: tuple[str, ...] = ()) -> ApiError:
    tree: dict[str, Any] = {}
    for path, code, message in errors:
        node = tree
        for part in prefix + path:
            node = node.setdefault(part, {})
        node.setdefault("_errors", []).append({"code": code, "message": message})
    return ApiError(400, "Invalid Form Body", 50035, tree)


def _max_len(errors: ErrorList, path: tuple[str, ...], value: Any, limit: int) -> None:
    if isinstance(value, str) and len(value) > limit:
        errors.append((path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length."))


def _required(errors: ErrorList, path: tuple[str, ...], value: Any) -> None:
    if value is None or value == "":
        errors.append((path, "BASE_TYPE_REQUIRED", "This field is required"))


def _url(errors: ErrorList, path: tuple[str, ...], value: Any) -> None:
    if value is not None and not (isinstance(value, str) and value.startswith(_URL_OK)):
        errors.append((path, "URL_TYPE_INVALID_URL", "Not a well formed URL."))


def validate_embeds(embeds: Any, errors: ErrorList) -> None:
    if not isinstance(embeds, list):
        return
    if len(embeds) > 10:
        errors.append((("embeds",), "BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length."))
    total = 0
    for i, embed in enumerate(embeds):
        p = ("embeds", str(i))
        if not isinstance(embed, dict):
            continue
        _max_len(errors, (*p, "title"), embed.get("title"), 256)
        _max_len(errors, (*p, "description"), embed.get("description"), 4096)
        _url(errors, (*p, "url"), embed.get("url"))
        for key in ("image", "thumbnail"):
            if isinstance(embed.get(key), dict):
                _url(errors, (*p, key, "url"), embed[key].get("url"))
        total += len(embed.get("title") or "") + len(embed.get("description") or "")
        fields = embed.get("fields") or []
        if len(fields) > 25:
            errors.append(
                ((*p, "fields"), "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
            )
        for j, fld in enumerate(fields):
            fp = (*p, "fields", str(j))
            _required(errors, (*fp, "name"), fld.get("name"))
            _required(errors, (*fp, "value"), fld.get("value"))
            _max_len(errors, (*fp, "name"), fld.get("name"), 256)
            _max_len(errors, (*fp, "value"), fld.get("value"), 1024)
            total += len(fld.get("name") or "") + len(fld.get("value") or "")
        footer = embed.get("footer") or {}
        _max_len(errors, (*p, "footer", "text"), footer.get("text"), 2048)
        total += len(footer.get("text") or "")
        author = embed.get("author") or {}
        _max_len(errors, (*p, "author", "name"), author.get("name"), 256)
        total += len(author.get("name") or "")
    if total > 6000:
        errors.append(
            (("embeds",), "MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of 6000")
        )


def validate_components(components: Any, errors: ErrorList, *, v2: bool = False) -> None:
    if not isinstance(components, list):
        return
    if not v2 and len(components) > 5:
        errors.append((("components",), "BASE_TYPE_MAX_LENGTH", "Must be 5 or fewer in length."))
    for i, row in enumerate(components):
        p = ("components", str(i))
        if not v2 and row.get("type") != 1:
            errors.append(((*p, "type"), "COMPONENT_LAYOUT_WIDTH_EXCEEDED", "Expected action row"))
            continue
        if row.get("type") == 1:
            children = row.get("components") or []
            selects = [c for c in children if c.get("type") in (3, 5, 6, 7, 8)]
            if (selects and len(children) > 1) or len(children) > 5 or not children:
                errors.append(
                    (
                        (*p, "components"),
                        "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
                        "The specified component exceeds the maximum width",
                    )
                )
    seen: set[str] = set()
    for comp in walk_components(components):
        ctype = comp.get("type")
        cid = comp.get("custom_id")
        if cid is not None:
            _max_len(errors, ("components", "custom_id"), cid, 100)
            if cid in seen:
                errors.append(
                    (
                        ("components", "custom_id"),
                        "COMPONENT_CUSTOM_ID_DUPLICATED",
                        f"Component custom id cannot be duplicated: {cid}",
                    )
                )
            seen.add(cid)
        if ctype == 2:  # button
            _max_len(errors, ("components", "label"), comp.get("label"), 80)
            if comp.get("style") == 5:
                if not comp.get("url"):
                    errors.append((("components", "url"), "BASE_TYPE_REQUIRED", "url required"))
            elif comp.get("style") != 6 and not cid:
                errors.append(
                    (("components", "custom_id"), "BASE_TYPE_REQUIRED", "This field is required")
                )
        elif ctype == 3:  # string select
            options = comp.get("options") or []
            if not 1 <= len(options) <= 25:
                errors.append(
                    (("components", "options"), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 25")
                )
            for opt in options:
                for key in ("label", "value", "description"):
                    _max_len(errors, ("components", "options", key), opt.get(key), 100)
            _max_len(errors, ("components", "placeholder"), comp.get("placeholder"), 150)


def validate_allowed_mentions(am: Any, errors: ErrorList) -> None:
    if not isinstance(am, dict):
        return
    parse = am.get("parse") or []
    for key in ("users", "roles"):
        if key in parse and am.get(key):
            errors.append(
                (
                    ("allowed_mentions",),
                    "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
                    f"parse:[{key}] and {key}: [ids...] are mutually exclusive.",
                )
            )


def validate_message(
    data: dict[str, Any],
    *,
    n_files: int = 0,
    creating: bool = True,
    prefix: tuple[str, ...] = (),
) -> None:
    """Raise :class:`ApiError` if Discord would reject this message create/edit payload."""
    errors: ErrorList = []
    _max_len(errors, ("content",), data.get("content"), 2000)
    validate_embeds(data.get("embeds"), errors)
    v2 = bool(int(data.get("flags") or 0) & (1 << 15))
    validate_components(data.get("components"), errors, v2=v2)
    validate_allowed_mentions(data.get("allowed_mentions"), errors)
    if errors:
        raise form_error(errors, prefix)
    if creating and not (
        data.get("content")
        or data.get("embeds")
        or data.get("components")
        or data.get("sticker_ids")
        or data.get("poll")
        or data.get("attachments")
        or n_files
    ):
        raise ApiError(400, "Cannot send an empty message", 50006)


def validate_choices(choices: Any) -> None:
    errors: ErrorList = []
    if not isinstance(choices, list):
        errors.append((("choices",), "BASE_TYPE_REQUIRED", "This field is required"))
    else:
        if len(choices) > 25:
            errors.append((("choices",), "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length."))
        for i, ch in enumerate(choices):
            _required(errors, ("choices", str(i), "name"), ch.get("name"))
            _max_len(errors, ("choices", str(i), "name"), ch.get("name"), 100)
            _max_len(errors, ("choices", str(i), "value"), ch.get("value"), 100)
    if errors:
        raise form_error(errors, ("data",))


def validate_modal(data: dict[str, Any]) -> None:
    errors: ErrorList = []
    _required(errors, ("title",), data.get("title"))
    _max_len(errors, ("title",), data.get("title"), 45)
    _required(errors, ("custom_id",), data.get("custom_id"))
    _max_len(errors, ("custom_id",), data.get("custom_id"), 100)
    comps = data.get("components") or []
    if not 1 <= len(comps) <= 5:
        errors.append((("components",), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 5"))
    for comp in walk_components(comps):
        if comp.get("type") == 4:
            _max_len(errors, ("components", "label"), comp.get("label"), 45)
            _max_len(errors, ("components", "custom_id"), comp.get("custom_id"), 100)
    if errors:
        raise form_error(errors, ("data",))


def _validate_options(options: list[dict], path: tuple[str, ...], errors: ErrorList) -> None:
    if len(options) > 25:
        errors.append((path, "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length."))
    names: set[str] = set()
    seen_optional = False
    for i, opt in enumerate(options):
        p = (*path, str(i))
        name = opt.get("name") or ""
        if not _COMMAND_NAME.match(name) or name != name.lower():
            errors.append(
                (
                    (*p, "name"),
                    "APPLICATION_COMMAND_INVALID_NAME",
                    f"Command name is invalid: {name!r}",
                )
            )
        if name in names:
            errors.append(
                (
                    (*p, "name"),
                    "APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS",
                    "Option names must be unique",
                )
            )
        names.add(name)
        desc = opt.get("description") or ""
        if not 1 <= len(desc) <= 100:
            errors.append(
                (
                    (*p, "description"),
                    "BASE_TYPE_BAD_LENGTH",
                    "Must be between 1 and 100 in length.",
                )
            )
        otype = opt.get("type")
        if otype in (1, 2):
            _validate_options(opt.get("options") or [], (*p, "options"), errors)
            continue
        if opt.get("required"):
            if seen_optional:
                errors.append(
                    (
                        (*p, "required"),
                        "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                        "Required options must be placed before non-required options",
                    )
                )
        else:
            seen_optional = True
        choices = opt.get("choices") or []
        if len(choices) > 25:
            errors.append(
                ((*p, "choices"), "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
            )
        if choices and opt.get("autocomplete"):
            errors.append(
                (
                    (*p, "autocomplete"),
                    "APPLICATION_COMMAND_OPTIONS_CHOICES_AUTOCOMPLETE",
                    "Autocomplete cannot be set if choices are present",
                )
            )
        for j, ch in enumerate(choices):
            _max_len(errors, (*p, "choices", str(j), "name"), ch.get("name"), 100)
            _max_len(errors, (*p, "choices", str(j), "value"), ch.get("value"), 100)


def validate_commands(commands: Any) -> None:
    """Validate a bulk-overwrite (``PUT .../commands``) body."""
    errors: ErrorList = []
    if not isinstance(commands, list):
        raise ApiError(400, "Invalid Form Body", 50035, {"_errors": [{"code": "BASE_TYPE_ARRAY"}]})
    if len(commands) > 100:
        errors.append(((), "BASE_TYPE_MAX_LENGTH", "Must be 100 or fewer in length."))
    seen: set[tuple[str, int]] = set()
    for i, cmd in enumerate(commands):
        p = (str(i),)
        name = cmd.get("name") or ""
        ctype = cmd.get("type", 1)
        if ctype == 1:
            if not _COMMAND_NAME.match(name) or name != name.lower():
                errors.append(
                    (
                        (*p, "name"),
                        "APPLICATION_COMMAND_INVALID_NAME",
                        f"Command name is invalid: {name!r}",
                    )
                )
            desc = cmd.get("description") or ""
            if not 1 <= len(desc) <= 100:
                errors.append(
                    (
                        (*p, "description"),
                        "BASE_TYPE_BAD_LENGTH",
                        "Must be between 1 and 100 in length.",
                    )
                )
            _validate_options(cmd.get("options") or [], (*p, "options"), errors)
        elif not 1 <= len(name) <= 32:
            errors.append(((*p, "name"), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 32"))
        if (name, ctype) in seen:
            errors.append(
                (
                    (*p, "name"),
                    "APPLICATION_COMMANDS_DUPLICATE_NAME",
                    f"Application command names must be unique: {name}",
                )
            )
        seen.add((name, ctype))
    if errors:
        raise form_error(errors)
