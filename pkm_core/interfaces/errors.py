"""What a caller of the MCP server or the REST API is told when a call fails: one sentence."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError

from pkm_core.domain.errors import KairosError

log = logging.getLogger(__name__)

_LOCATIONS = {"body", "query", "path", "header"}
INTERNAL = "Kairos could not answer this call because of an internal error (it was logged)."


def argument_sentence(errors: Sequence[Any]) -> str:
    """The first thing wrong with a call's arguments (pydantic's error list, as a
    ValidationError or FastAPI's RequestValidationError holds it), as a sentence."""
    first = errors[0] if errors else {}
    loc = list(first.get("loc", ()))
    if len(loc) > 1 and loc[0] in _LOCATIONS:  # FastAPI's ("query", "limit")
        loc = loc[1:]
    where = ".".join(str(part) for part in loc)
    if first.get("type") == "missing":
        return f"The argument “{where}” is required."
    message = str(first.get("msg", "")).removeprefix("Value error, ").rstrip(".")
    message = message[:1].lower() + message[1:] if message else "is not valid"
    if where:
        return f"The argument “{where}” is not valid: {message}."
    return f"The arguments are not valid: {message}."


def one_sentence(exc: BaseException) -> str:
    """A domain error's own sentence, a bad argument named, or the internal-error
    sentence (the traceback goes to the log on stderr, never to the caller)."""
    if isinstance(exc, KairosError):
        return str(exc)
    if isinstance(exc, ValidationError):
        return argument_sentence(exc.errors())
    log.error("Unexpected error", exc_info=exc)
    return INTERNAL
