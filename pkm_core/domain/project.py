"""Projects group notes; a project may sit inside another one."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, field_validator

from pkm_core.domain.errors import InvalidNote
from pkm_core.domain.text import reject_nul

MAX_PROJECT_NAME_CHARS = 120


class Project(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int | None = None
    name: str
    parent_id: int | None = None

    @field_validator("name")
    @classmethod
    def _clean_name(cls, value: str) -> str:
        name = reject_nul(value, "project name").strip()
        if not name:
            raise InvalidNote("A project needs a name.")
        if len(name) > MAX_PROJECT_NAME_CHARS:
            raise InvalidNote(f"A project name is limited to {MAX_PROJECT_NAME_CHARS} characters.")
        return name
