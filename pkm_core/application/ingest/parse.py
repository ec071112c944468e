"""A raw entry -> the note it becomes (or the one sentence why it cannot be one).

A vault note is named after its file (as in Obsidian); its front matter is kept whole
(the exact text before the body, and the properties in order with their types); tags
come from `tags` (list or text) and inline `#tags`; `aliases`, `source`/`url` and
`created`/`updated` are read; Logseq `key:: value` page properties count as front matter.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import unquote

from pkm_core.application.ingest.source import RawEntry
from pkm_core.application.ingest.values import (
    as_datetime,
    clean_title,
    keywords_from,
    tag_values,
    type_name,
)
from pkm_core.application.vault import VaultRecord
from pkm_core.domain.errors import InvalidNote
from pkm_core.domain.front_matter import (
    FrontMatterError,
    SplitFile,
    line_endings,
    load_yaml,
    logseq_properties,
    split_front_matter,
    typed,
)
from pkm_core.domain.markdown_scan import VaultLink, inline_tags, vault_links
from pkm_core.domain.source import Source
from pkm_core.domain.text import MAX_BODY_CHARS, MAX_TITLE_CHARS, normalise_text

NOTE_SUFFIXES = (".md", ".markdown")


@dataclass(frozen=True, slots=True)
class ParsedNote:
    source: str
    external_id: str
    title: str  # the wanted title (the file name, or a record's title)
    body: str
    keywords: tuple[str, ...] = ()
    folder: tuple[str, ...] = ()
    source_ref: Source | None = None
    vault: VaultRecord | None = None
    links: tuple[VaultLink, ...] = ()
    warnings: tuple[str, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class Problem:
    source: str
    sentence: str


def decode(data: bytes) -> str:
    if b"\x00" in data:
        raise InvalidNote("it contains NUL bytes, so it is binary data, not a text note")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidNote(
            f"it is not valid UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})"
        ) from None


def note_name(path: str) -> str:
    """The note's name: its file name; Logseq pages spell `a/b` as `a___b` or `a%2Fb`."""
    pure = PurePosixPath(path)
    name = pure.stem if pure.suffix.lower() in NOTE_SUFFIXES else pure.name
    if pure.parts[:1] in (("pages",), ("journals",)):
        name = unquote(name).replace("___", "/")
    return name


def properties(split_yaml: str | None, body: str) -> dict[str, Any]:
    if split_yaml is not None:
        return load_yaml(split_yaml)
    return dict(logseq_properties(body))


def first_property(props: dict[str, Any], *keys: str) -> tuple[str | None, Any]:
    for key in keys:
        for actual in props:
            if actual.lower() == key:
                return actual, props[actual]
    return None, None


def _source(props: dict[str, Any], warnings: list[str]) -> tuple[Source | None, str | None]:
    key, raw = first_property(props, "source", "url")
    if key is None or raw in (None, ""):
        return None, None
    if not isinstance(raw, str):
        warnings.append(f"`{key}` is {type_name(raw)}, not text; it is kept as a property only")
        return None, key
    raw = normalise_text(raw).strip()
    try:
        if raw.lower().startswith(("http://", "https://")):
            return Source(title=raw[:500], url=raw), key
        return Source(title=raw), key
    except InvalidNote as exc:
        warnings.append(f"`{key}` was not used as the source: {exc}")
        return None, key


def parse_markdown(entry: RawEntry) -> ParsedNote | Problem:
    try:
        raw_text = decode(entry.data)
    except InvalidNote as exc:
        return Problem(entry.source, f"{entry.source} was skipped: {exc}.")
    warnings: list[str] = []
    newline, endings = line_endings(raw_text)
    text = raw_text.replace("\r\n", "\n").replace("\r", "\n")
    try:
        split = split_front_matter(text)
        props = properties(split.yaml_text, split.body)
    except FrontMatterError as exc:
        warnings.append(f"{exc}; the whole file was imported as text")
        split, props = SplitFile("", None, text), {}
    body = split.body
    if len(body) > MAX_BODY_CHARS:
        return Problem(
            entry.source,
            f"{entry.source} was skipped: it is longer than a note may be "
            f"({MAX_BODY_CHARS:,} characters).",
        )
    name = note_name(entry.path)
    title_key, title_prop = first_property(props, "title")
    wanted = name
    if title_key is not None and split.yaml_text is None and isinstance(title_prop, str):
        wanted = title_prop  # Logseq's title:: names the page
    elif title_key is not None and not isinstance(title_prop, str):
        warnings.append(
            f"`title` is {type_name(title_prop)}, not text; the note is named after its file"
        )
    tags_key, tags_raw = first_property(props, "tags", "tag", "keywords")
    tag_list, tags_form = tag_values(tags_key or "tags", tags_raw, warnings)
    inline = inline_tags(body)
    keywords = tuple(dict.fromkeys(keywords_from([*tag_list, *inline], warnings)))
    alias_key, alias_raw = first_property(props, "aliases", "alias")
    alias_list, _alias_form = tag_values(alias_key or "aliases", alias_raw, warnings)
    aliases = tuple(
        dict.fromkeys(a for a in (clean_title(a, MAX_TITLE_CHARS) for a in alias_list) if a)
    )
    source_ref, source_key = _source(props, warnings)
    created_key, created_raw = first_property(props, "created", "date", "created_at")
    updated_key, updated_raw = first_property(props, "updated", "modified", "updated_at")
    created = as_datetime(created_raw) or entry.created or entry.modified
    updated = as_datetime(updated_raw) or entry.modified or created
    title = clean_title(wanted, MAX_TITLE_CHARS) or clean_title(name, MAX_TITLE_CHARS) or "Untitled"
    managed = {
        "keywords": sorted(keywords),
        "tags_key": tags_key,
        "tags_form": tags_form,
        "tags_sep": ", " if isinstance(tags_raw, str) and "," in tags_raw else " ",
        "tag_values": tag_list,
        "source_key": source_key,
        "updated_key": updated_key,
        "created_key": created_key,
        "yaml": split.yaml_text is not None,
    }
    vault = VaultRecord(
        path=entry.path,
        name=name,
        aliases=aliases,
        head=split.head,
        properties=[[k, typed(v)] for k, v in props.items()],
        newline=newline,
        line_endings=endings,
        file_hash=hashlib.sha256(entry.data).hexdigest(),
        managed=managed,
        created_at=created,
        updated_at=updated,
    )
    return ParsedNote(
        source=entry.source,
        external_id=f"file:{entry.path}",
        title=title,
        body=body,
        keywords=keywords,
        folder=PurePosixPath(entry.path).parts[:-1],
        source_ref=source_ref,
        vault=vault,
        links=tuple(vault_links(body)),
        warnings=tuple(warnings),
    )


def parse_record(entry: RawEntry, fallback_id: str) -> ParsedNote | Problem:
    """A JSONL record {"title", "text" (or "body"), optional "id"/"_id", "tags"/"keywords"}."""
    record = entry.record
    if not isinstance(record, dict):
        return Problem(entry.source, f"{entry.source} was skipped: it is not a JSON object.")
    text = record.get("text", record.get("body", ""))
    if not isinstance(text, str):
        return Problem(entry.source, f"{entry.source} was skipped: its text is not a string.")
    warnings: list[str] = []
    cleaned = normalise_text(text)
    if cleaned != text:
        warnings.append("characters that cannot be stored (NUL, lone surrogates) were replaced")
    raw_title = record.get("title")
    title = ""
    if isinstance(raw_title, str | int | float) and not isinstance(raw_title, bool):
        title = clean_title(str(raw_title), MAX_TITLE_CHARS)
    elif raw_title is not None:
        warnings.append(f"its title is {type_name(raw_title)}, not text")
    if not title:
        if not cleaned.strip():
            return Problem(
                entry.source, f"{entry.source} was skipped: it has no title and no text."
            )
        title = clean_title(" ".join(cleaned.split()[:12]), MAX_TITLE_CHARS)
        warnings.append("no title: the first words of the text were used")
    record_id = record.get("id", record.get("_id"))
    external_id = f"jsonl:{record_id}" if record_id not in (None, "") else fallback_id
    tags: list[str] = []
    for key in ("tags", "keywords"):
        values, _form = tag_values(key, record.get(key), warnings)
        tags.extend(values)
    if len(cleaned) > MAX_BODY_CHARS:
        return Problem(
            entry.source,
            f"{entry.source} was skipped: its text is longer than {MAX_BODY_CHARS:,} characters.",
        )
    return ParsedNote(
        source=entry.source,
        external_id=normalise_text(external_id),
        title=title,
        body=cleaned,
        keywords=tuple(dict.fromkeys(keywords_from(tags, warnings))),
        warnings=tuple(warnings),
    )
