"""One note -> its Markdown file: the vault path, the front matter text as it was read
(only the managed keys `tags`, `source`, `created`, `updated` that changed in Kairos are
rewritten, each in its form), the body, and the line endings of the original file. A note
never edited in Kairos comes out byte for byte as it went in."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from pkm_core.application.ingest.values import as_datetime, written_like
from pkm_core.application.vault import ExportNote, VaultRecord
from pkm_core.domain.front_matter import (
    FrontMatterError,
    dump_yaml,
    front_matter_parts,
    load_yaml,
    split_front_matter,
    with_line_endings,
)
from pkm_core.domain.front_matter_edit import set_key
from pkm_core.domain.keyword import normalize_keyword
from pkm_core.domain.markdown_scan import inline_tags, mask_code

_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')
_WIKILINK = re.compile(r"(!?\[\[)([^\[\]|#\n]+)([^\[\]\n]*\]\])")


def safe_name(name: str) -> str:
    cleaned = _UNSAFE.sub("-", name).strip(" .") or "Untitled"
    return cleaned[:120]


def new_note_path(note: ExportNote, used: set[str]) -> str:
    """A note written in Kairos: under its project's folders, named after its title."""
    folder = "/".join(safe_name(p) for p in note.project_path)
    base = f"{folder}/{safe_name(note.title)}" if folder else safe_name(note.title)
    path, n = f"{base}.md", 2
    while path.lower() in used:
        path, n = f"{base} ({n}).md", n + 1
    used.add(path.lower())
    return path


def obsidian_links(body: str, link_names: Mapping[str, str]) -> str:
    """`[[Index (projects)]]` -> `[[projects/Index]]`: a disambiguated title becomes the
    path Obsidian needs; links inside code are left alone."""
    if not link_names:
        return body
    masked = mask_code(body)
    out, last = [], 0
    for match in _WIKILINK.finditer(masked):
        target = link_names.get(match.group(2).strip().lower())
        if target is None:
            continue
        out.append(body[last : match.start(2)] + target)
        last = match.end(2)
    return "".join(out) + body[last:]


def _inline_keys(body: str) -> set[str]:
    keys = set()
    for tag in inline_tags(body):
        try:
            keys.add(normalize_keyword(tag))
        except Exception:
            continue
    return keys


def _tags_value(vault: VaultRecord, note: ExportNote, body: str) -> Any:
    managed = vault.managed
    inline = _inline_keys(body)
    wanted = [k for k in note.keywords if k not in inline]
    kept = [t for t in managed.get("tag_values") or [] if _norm(t) in wanted]
    kept += [k for k in wanted if k not in {_norm(t) for t in kept}]
    if managed.get("tags_form") == "string":
        return str(managed.get("tags_sep") or ", ").join(kept)
    return kept


def _norm(tag: str) -> str:
    try:
        return normalize_keyword(tag)
    except Exception:
        return tag.lower()


def _changed_date(original: Any, value: datetime) -> Any | None:
    """The new date in the original's form, or None when it is the same instant (text
    that is no date is never touched: the note's date came from elsewhere)."""
    before = as_datetime(original)  # None for anything that is no date
    if before is None:
        return None
    if isinstance(original, date) and not isinstance(original, datetime):
        same = original == value.astimezone(UTC).date()
    else:
        same = before == value
    return None if same else written_like(original, value)


def _managed_changes(vault: VaultRecord, note: ExportNote, body: str) -> dict[str, Any]:
    """{key: new value} of the keys Kairos manages whose value changed in Kairos."""
    managed = vault.managed
    data = load_yaml(split_front_matter(vault.head).yaml_text or "")
    changes: dict[str, Any] = {}
    if sorted(note.keywords) != managed.get("keywords"):
        changes[managed.get("tags_key") or "tags"] = _tags_value(vault, note, body)
    source = note.source_url or note.source_title
    source_key = managed.get("source_key")
    if source and data.get(source_key or "source") != source:
        changes[source_key or "source"] = source
    for key, value in (
        (managed.get("created_key"), note.created_at),
        (managed.get("updated_key"), note.updated_at),
    ):
        if key and key in data:
            new = _changed_date(data[key], value)
            if new is not None:
                changes[key] = new
    return changes


def _rewrite_head(vault: VaultRecord, note: ExportNote, body: str) -> str:
    """The original front matter text with only the changed managed keys rewritten, each
    in the form it was read; a file without YAML front matter gets one only for tags
    added in Kairos."""
    if not vault.managed.get("yaml"):
        wanted = _tags_value(vault, note, body)
        known = {_norm(t) for t in vault.managed.get("tag_values") or []}
        added = [t for t in wanted if _norm(t) not in known]
        if not added or sorted(note.keywords) == vault.managed.get("keywords"):
            return vault.head
        return f"{vault.head}---\n{set_key('', 'tags', added)}---\n"
    try:
        changes = _managed_changes(vault, note, body)
    except FrontMatterError:
        return vault.head
    if not changes:
        return vault.head
    opening, yaml_text, closing = front_matter_parts(vault.head)
    for key, value in changes.items():
        yaml_text = set_key(yaml_text, key, value)
    return opening + yaml_text + closing


def _new_head(note: ExportNote) -> str:
    data: dict[str, Any] = {}
    if note.keywords:
        data["tags"] = list(note.keywords)
    if note.source_url or note.source_title:
        data["source"] = note.source_url or note.source_title
    data["created"] = note.created_at
    data["updated"] = note.updated_at
    return f"---\n{dump_yaml(data)}---\n"


def render(note: ExportNote, link_names: Mapping[str, str], used: set[str]) -> tuple[str, bytes]:
    """(vault path, file bytes) of one note: an unedited one byte for byte as it was read
    (every line ending included), an edited one with the file's most common ending."""
    vault = note.vault
    edited = vault is None or note.content_hash != vault.import_hash
    body = obsidian_links(note.body, link_names) if edited else note.body
    if vault is None:
        return new_note_path(note, used), (_new_head(note) + body).encode("utf-8")
    head = _rewrite_head(vault, note, body)
    if edited:
        text = with_line_endings(head + body, vault.newline)
    elif head == vault.head:
        text = with_line_endings(head + body, vault.newline, vault.line_endings)
    else:  # only the front matter changed: the body keeps every one of its endings
        body_breaks = body.count("\n")
        endings = vault.line_endings[len(vault.line_endings) - body_breaks :] if body_breaks else ""
        text = with_line_endings(head, vault.newline) + with_line_endings(
            body, vault.newline, endings
        )
    return vault.path, text.encode("utf-8")
