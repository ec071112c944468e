"""Front matter values Kairos manages, read predictably whatever their YAML type."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from pkm_core.domain.errors import InvalidNote
from pkm_core.domain.keyword import normalize_keyword
from pkm_core.domain.text import normalise_text


def type_name(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, bool):
        return "a yes/no value"
    if isinstance(value, dt.date):
        return "a date"
    if isinstance(value, int | float):
        return "a number"
    return "text" if isinstance(value, str) else "empty"


def tag_values(key: str, raw: Any, warnings: list[str]) -> tuple[list[str], str | None]:
    """(values, form) of a tags/aliases property: a list, or a string split on commas
    (or spaces for tags without commas). Other types are reported and left out."""
    if raw is None:
        return [], None
    if isinstance(raw, str):
        parts = raw.split(",") if ("," in raw or key.startswith("alias")) else raw.split()
        cleaned = (p.strip().removeprefix("[[").removesuffix("]]").strip() for p in parts)
        return [p for p in cleaned if p], "string"
    if isinstance(raw, list | tuple):
        values = []
        for item in raw:
            if isinstance(item, str | int | float) and not isinstance(item, bool):
                values.append(str(item))
            elif item is not None:
                warnings.append(f"a value of `{key}` is {type_name(item)}, not text; left out")
        return values, "list"
    warnings.append(
        f"`{key}` is {type_name(raw)}, not a list or text; it is kept as a property only"
    )
    return [], None


def keywords_from(values: list[str], warnings: list[str]) -> list[str]:
    kept = []
    for value in values:
        try:
            kept.append(normalize_keyword(normalise_text(value)))
        except InvalidNote as exc:
            warnings.append(f"keyword left out: {exc}")
    return kept


def clean_title(raw: str, limit: int) -> str:
    title = " ".join(normalise_text(raw, title=True).split())
    if len(title) > limit:
        title = title[: limit - 1].rstrip() + "…"
    return title


_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}")


def as_datetime(raw: Any) -> dt.datetime | None:
    """A YAML date, datetime or ISO text as an aware datetime (UTC when none is given)."""
    if isinstance(raw, dt.datetime):
        value = raw
    elif isinstance(raw, dt.date):
        value = dt.datetime(raw.year, raw.month, raw.day)
    elif isinstance(raw, str) and _ISO.match(raw.strip()):
        try:
            value = dt.datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
    else:
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def written_like(original: Any, value: dt.datetime) -> Any:
    """A new date in the form the original had (date, datetime or ISO text)."""
    if isinstance(original, dt.datetime):
        return value if original.tzinfo else value.replace(tzinfo=None)
    if isinstance(original, dt.date):
        return value.date()
    if isinstance(original, str) and len(original.strip()) == 10:
        return value.date().isoformat()
    return value.isoformat()
