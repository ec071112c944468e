"""One note -> its Markdown file: the vault path, the front matter as it was read (the
managed keys `tags` and `updated` rewritten in their form when they changed in Kairos), the
body, and the line ending of the original file. A note never edited in Kairos comes out
byte for byte as it went in."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pkm_core.application.ingest.values import written_like
from pkm_core.application.vault import ExportNote, VaultRecord
from pkm_core.domain.front_matter import FrontMatterError, dump_yaml, load_yaml, split_front_matter
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


def _rewrite_head(vault: VaultRecord, note: ExportNote, body: str, edited: bool) -> str:
    managed = vault.managed
    if not managed.get("yaml"):
        return vault.head  # no YAML front matter (plain file, Logseq properties in the body)
    split = split_front_matter(vault.head)
    try:
        data = load_yaml(split.yaml_text or "")
    except FrontMatterError:
        return vault.head
    if sorted(note.keywords) != managed.get("keywords"):
        data[managed.get("tags_key") or "tags"] = _tags_value(vault, note, body)
    key = managed.get("updated_key")
    if edited and key and key in data:
        data[key] = written_like(data[key], note.updated_at)
    bom = "\ufeff" if vault.head.startswith("\ufeff") else ""
    return f"{bom}---\n{dump_yaml(data)}---\n"


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
    """(vault path, file bytes) of one note."""
    vault = note.vault
    edited = vault is None or note.content_hash != vault.import_hash
    body = obsidian_links(note.body, link_names) if edited else note.body
    if vault is None:
        return new_note_path(note, used), (_new_head(note) + body).encode("utf-8")
    head = vault.head
    if edited or sorted(note.keywords) != vault.managed.get("keywords"):
        head = _rewrite_head(vault, note, body, edited)
    text = head + body
    if vault.newline == "\r\n":
        text = text.replace("\n", "\r\n")
    return vault.path, text.encode("utf-8")
