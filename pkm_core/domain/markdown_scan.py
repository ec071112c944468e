"""What a Markdown body refers to: inline #tags and links in every form Obsidian knows,
never inside code, comments or URLs."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import unquote

_FENCE = re.compile(r"^[ \t]*(```+|~~~+)[^\n]*\n.*?(?:^[ \t]*\1[ \t]*$|\Z)", re.DOTALL | re.M)
_INLINE_CODE = re.compile(r"(`+)(?!`).+?(?<!`)\1", re.DOTALL)
_COMMENTS = re.compile(r"<!--.*?(?:-->|\Z)|%%.*?(?:%%|\Z)", re.DOTALL)
_URL = re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s<>()\[\]]+")
_WIKILINK = re.compile(r"(!?)\[\[([^\[\]\n]+?)\]\]")
_MD_LINK = re.compile(r"(!?)\[[^\]\n]*\]\(\s*(<[^>\n]*>|[^)\s]+)(?:\s+[\"'][^\"'\n]*[\"'])?\s*\)")
# Obsidian: letters, digits, _, -, / after '#', not all digits, not after a word character.
_TAG = re.compile(r"(?<![\w#&/\]])#([\w][\w/-]*)")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
# A file type after the last dot ("paper.pdf"), not a dot inside a name ("v1.2 notes").
_FILE_SUFFIX = re.compile(r"^\.(?!md$|markdown$)[A-Za-z0-9]{1,5}$", re.IGNORECASE)


def is_file_target(target: str) -> bool:
    """A link target naming a file (`diagram.png`, `docs/paper.pdf`), not a note."""
    return bool(_FILE_SUFFIX.match(PurePosixPath(target.strip()).suffix))


def _blank(match: re.Match[str]) -> str:
    return re.sub(r"[^\n]", " ", match.group(0))


def mask_code(text: str) -> str:
    """The text with fenced code, inline code and comments blanked (offsets kept)."""
    text = _FENCE.sub(_blank, text)
    text = _COMMENTS.sub(_blank, text)
    return _INLINE_CODE.sub(_blank, text)


def inline_tags(body: str) -> tuple[str, ...]:
    """`#tag` and `#nested/tag` in the text, first-seen order, outside code, links, URLs."""
    text = mask_code(body)
    text = _URL.sub(_blank, _MD_LINK.sub(_blank, _WIKILINK.sub(_blank, text)))
    seen: dict[str, None] = {}
    for match in _TAG.finditer(text):
        tag = match.group(1).rstrip("/-")
        if tag and not tag.replace("/", "").isdigit():
            seen.setdefault(tag, None)
    return tuple(seen)


@dataclass(frozen=True, slots=True)
class VaultLink:
    """One link as written: `target` is a note name or a path (no .md needed), `subpath`
    the `#Heading` or `#^block` part, `embed` for `![[…]]`/`![…](…)`."""

    target: str
    subpath: str = ""
    label: str = ""
    embed: bool = False
    markdown: bool = False


def vault_links(body: str) -> list[VaultLink]:
    """Every link of the body outside code, in order: wikilinks (with `|label`, `#heading`,
    `#^block`, `folder/` paths, `!` embeds) and Markdown links to local files."""
    text = mask_code(body)
    links: list[tuple[int, VaultLink]] = []
    for match in _WIKILINK.finditer(text):
        inner = match.group(2)
        target, _, label = inner.partition("|")
        target, _, subpath = target.partition("#")
        if target.strip() or subpath:
            links.append(
                (match.start(), VaultLink(target.strip(), subpath, label, bool(match.group(1))))
            )
    for match in _MD_LINK.finditer(text):
        raw = match.group(2).strip("<>").strip()
        if not raw or _SCHEME.match(raw) or raw.startswith("#"):
            continue
        target, _, subpath = raw.partition("#")
        links.append(
            (
                match.start(),
                VaultLink(unquote(target), unquote(subpath), "", bool(match.group(1)), True),
            )
        )
    return [link for _pos, link in sorted(links, key=lambda p: p[0])]
