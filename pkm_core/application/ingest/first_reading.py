"""The first reading of an import: only what the plan needs (ids, titles, names, aliases).

`parse_markdown` does all of a file's work (tags, links, dates, typed properties, its
hash), which the first reading threw away: it only learns every note's name, path and
aliases for link resolution and the wanted titles. This reading decides the same names
and the same problems with less: the YAML of a file's front matter is read only when it
can hold an alias (the title of a file with front matter is its name whatever the YAML
says), or when the file is so long that a broken front matter would change its fate.
`tests/unit/test_first_reading.py` holds it to `parse_markdown`'s answers.
"""

from __future__ import annotations

from dataclasses import dataclass

from pkm_core.application.ingest.parse import (
    Problem,
    decode,
    first_property,
    note_name,
    parse_record,
    properties,
)
from pkm_core.application.ingest.source import RawEntry
from pkm_core.application.ingest.values import clean_title, tag_values
from pkm_core.domain.errors import InvalidNote
from pkm_core.domain.front_matter import FrontMatterError, SplitFile, split_front_matter
from pkm_core.domain.text import MAX_BODY_CHARS, MAX_TITLE_CHARS


@dataclass(frozen=True, slots=True)
class Named:
    """A note of the import as the plan knows it; `path` is None for a JSONL record."""

    external_id: str
    title: str
    path: str | None = None
    name: str = ""
    aliases: tuple[str, ...] = ()


def _may_name_an_alias(yaml_text: str) -> bool:
    # An escape could spell the key ("\x61liases"): such YAML is read.
    return "alias" in yaml_text.lower() or "\\" in yaml_text


def _markdown(entry: RawEntry) -> Named | None:
    try:
        raw_text = decode(entry.data)
    except InvalidNote:
        return None
    text = raw_text.replace("\r\n", "\n").replace("\r", "\n")
    try:
        split = split_front_matter(text)
        if (
            split.yaml_text is not None
            and not _may_name_an_alias(split.yaml_text)
            and len(text) <= MAX_BODY_CHARS  # valid or not, the note fits
        ):
            props = {}
        else:
            props = properties(split.yaml_text, split.body)
    except FrontMatterError:
        split, props = SplitFile("", None, text), {}
    if len(split.body) > MAX_BODY_CHARS:
        return None
    name = note_name(entry.path)
    wanted = name
    title_key, title_prop = first_property(props, "title")
    if title_key is not None and split.yaml_text is None and isinstance(title_prop, str):
        wanted = title_prop  # Logseq's title:: names the page
    alias_key, alias_raw = first_property(props, "aliases", "alias")
    alias_list, _form = tag_values(alias_key or "aliases", alias_raw, [])
    aliases = tuple(
        dict.fromkeys(a for a in (clean_title(a, MAX_TITLE_CHARS) for a in alias_list) if a)
    )
    title = clean_title(wanted, MAX_TITLE_CHARS) or clean_title(name, MAX_TITLE_CHARS) or "Untitled"
    return Named(f"file:{entry.path}", title, entry.path, name, aliases)


def read_name(entry: RawEntry) -> Named | None:
    """What the plan needs of one entry, or None for an entry that is no note."""
    if entry.kind == "markdown":
        return _markdown(entry)
    if entry.kind == "record":
        parsed = parse_record(entry, f"jsonl:{entry.source}")
        if isinstance(parsed, Problem):
            return None
        return Named(parsed.external_id, parsed.title)
    return None
