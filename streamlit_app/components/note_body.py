"""A note's Markdown as shown in the preview and on the note page.

- [[Title]], [[Title|label]] and [[Title#Heading]] become links: to `note?id=N` when the
  note exists, else to `write?title=Title` (a new note with that title), marked "(new)"
  and drawn grey and dashed (style.css) so a missing note is told apart. Clicking one
  stays in the tab (shortcuts.py), so the address changes and Back returns.
- Images from the web (`![x](https://…)`) are not loaded unless the person asks for it on
  this note: each becomes a plain link (a tracking pixel gets no request).
- Attachments: an embedded image stored with the vault (`![[diagram.png]]`,
  `![alt](assets/diagram.png)`) is drawn where it is embedded (`st.image`: Streamlit
  serves it; a Markdown image would point at a URL that does not exist). Other files and
  links to files become a paperclip label (they are downloaded under the note), a missing
  file says so, `![[Note]]` (a note embedded) becomes a link to it, and `[text](Note.md)`
  links to the note of that name.
- An Obsidian callout (`> [!warning] Title`, foldable `[!tip]-` too) keeps its quote
  and gets its kind's icon and colour and a bold title (its kind's name when it has none),
  instead of showing `[!warning]` as text.
- Code (fenced or inline) is left untouched. Raw HTML is never executed: the result goes
  to `st.markdown` without `unsafe_allow_html`, which shows HTML as text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import PurePosixPath
from urllib.parse import quote, unquote

import streamlit as st

from pkm_core.application.use_cases.attachments import (
    attachment_for,
    is_file_target,
    note_attachments,
)
from pkm_core.application.use_cases.notes import resolve_links
from pkm_core.application.vault import Attachment
from pkm_core.bootstrap import Kairos
from pkm_core.domain.link import find_wikilinks
from streamlit_app.components.text import md_escape

_CODE = re.compile(r"(```[\s\S]*?(?:```|$)|~~~[\s\S]*?(?:~~~|$)|`[^`\n]+`)")
_REMOTE_IMAGE = re.compile(r"!\[([^\]\n]*)\]\(\s*<?((?:https?:)?//[^)\s>]+)>?(?:\s+[\"'][^)]*)?\)")
_REFERENCE_IMAGE = re.compile(r"!\[([^\]\n]*)\]\[([^\]\n]*)\]")
_SLUG = re.compile(r"[^\w\- ]")
_WIKI_REF = re.compile(r"(!?)\[\[([^\[\]\n]+?)\]\]")
_MD_REF = re.compile(r"(!?)\[([^\]\n]*)\]\(\s*(<[^>\n]*>|[^)\s]+)(?:\s+[\"'][^)\n]*)?\s*\)")
_SCHEME = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:|//|#)")
_CALLOUT = re.compile(r"^((?:>[ \t]?)+)[ \t]*\[!([\w-]+)\][+-]?[ \t]*(.*)$", re.MULTILINE)
# Obsidian's callout kinds and their aliases: (Material icon, Streamlit colour).
_CALLOUT_LOOKS = {
    **dict.fromkeys(("note",), ("edit_note", "blue")),
    **dict.fromkeys(("abstract", "summary", "tldr"), ("summarize", "blue")),
    **dict.fromkeys(("info", "todo"), ("info", "blue")),
    **dict.fromkeys(("tip", "hint", "important"), ("lightbulb", "green")),
    **dict.fromkeys(("success", "check", "done"), ("check_circle", "green")),
    **dict.fromkeys(("question", "help", "faq"), ("help", "orange")),
    **dict.fromkeys(("warning", "caution", "attention"), ("warning", "orange")),
    **dict.fromkeys(("failure", "fail", "missing"), ("cancel", "red")),
    **dict.fromkeys(("danger", "error"), ("bolt", "red")),
    **dict.fromkeys(("bug",), ("bug_report", "red")),
    **dict.fromkeys(("example",), ("list", "violet")),
    **dict.fromkeys(("quote", "cite"), ("format_quote", "gray")),
}


def has_remote_images(body: str) -> bool:
    return any(
        _REMOTE_IMAGE.search(part) or _REFERENCE_IMAGE.search(part) for part in _prose_parts(body)
    )


def _prose_parts(body: str) -> list[str]:
    return [part for i, part in enumerate(_CODE.split(body)) if i % 2 == 0]


def _anchor(heading: str) -> str:
    return "-".join(_SLUG.sub("", heading).lower().split())


def link_target(title: str, heading: str | None, note_id: int | None) -> str:
    if note_id is None:
        return f"write?title={quote(title, safe='')}"
    return f"note?id={note_id}" + (f"#{_anchor(heading)}" if heading else "")


def _links(text: str, ids: dict[str, int | None]) -> str:
    out, last = [], 0
    for link in find_wikilinks(text):
        out.append(text[last : link.start])
        note_id = ids.get(link.target.lower())
        url = link_target(link.target, link.heading, note_id)
        label = md_escape(link.shown)
        # A missing note: grey, with a plus, leading to a new note of that title.
        out.append(f"[{label}]({url})" if note_id else f"[{label} (new)]({url})")
        last = link.end
    out.append(text[last:])
    return "".join(out)


def _callouts(text: str) -> str:
    def header(match: re.Match[str]) -> str:
        quote_marks, kind, title = match.group(1), match.group(2).lower(), match.group(3)
        icon, colour = _CALLOUT_LOOKS.get(kind, _CALLOUT_LOOKS["note"])
        shown = title.strip() or md_escape(kind.capitalize())
        # Two spaces end the line (a hard break): the title stands above the callout's text.
        return f"{quote_marks.rstrip()} :{colour}[:material/{icon}:] **{shown}**  "

    return _CALLOUT.sub(header, text)


def _images(text: str) -> str:
    def remote(match: re.Match[str]) -> str:
        alt = md_escape(match.group(1).strip() or "image")
        return f"[:material/image: {alt} (image from the web, not loaded)]({match.group(2)})"

    text = _REMOTE_IMAGE.sub(remote, text)
    # A reference-style image may point anywhere: shown as a link as well.
    return _REFERENCE_IMAGE.sub(lambda m: f"[:material/image: {m.group(1)}][{m.group(2)}]", text)


def shown_inline(attachment: Attachment) -> bool:
    return attachment.is_image and attachment.media_type != "image/svg+xml"  # SVG can script


def _ref_target(match: re.Match[str]) -> tuple[bool, str, str]:
    """(embed, target, label) of a wikilink or Markdown link match (`target` "" if remote)."""
    if match.re is _WIKI_REF:
        inner = match.group(2)
        target, _, label = inner.partition("|")
        return bool(match.group(1)), target.partition("#")[0].strip(), label.strip()
    raw = match.group(3).strip("<>").strip()
    target = "" if _SCHEME.match(raw) else unquote(raw.partition("#")[0])
    return bool(match.group(1)), target, match.group(2).strip()


def _file_label(target: str, label: str, found: Attachment | None) -> str:
    shown = md_escape(label or PurePosixPath(target).name)
    if found is None:
        return f":material/attach_file: {shown} (file not in Kairos)"
    return f":material/attach_file: {shown}"


def _local_refs(text: str, attachments: Sequence[Attachment]) -> str:
    """File links and embeds as labels, note embeds as links, `[x](Note.md)` as [[Note|x]]."""

    def wiki(match: re.Match[str]) -> str:
        embed, target, label = _ref_target(match)
        if target and is_file_target(target):
            return _file_label(target, label, attachment_for(target, attachments))
        return match.group(0)[1:] if embed else match.group(0)  # ![[Note]]: a link to it

    def markdown(match: re.Match[str]) -> str:
        embed, target, label = _ref_target(match)
        if not target:
            return match.group(0)  # the web, an anchor: _images decides
        if is_file_target(target):
            found = attachment_for(target, attachments)
            if embed and found is None:
                return f":material/image: {md_escape(label or target)} (image not in Kairos)"
            return _file_label(target, label, found)
        title = PurePosixPath(target).stem
        return f"[[{title}|{label}]]" if label else f"[[{title}]]"

    return _MD_REF.sub(markdown, _WIKI_REF.sub(wiki, text))


def _prose(
    text: str, ids: dict[str, int | None], attachments: Sequence[Attachment], remote: bool
) -> str:
    prose = _links(_local_refs(_callouts(text), attachments), ids)
    return prose if remote else _images(prose)


def body_parts(
    body: str,
    ids: dict[str, int | None],
    attachments: Sequence[Attachment] = (),
    *,
    remote_images: bool = False,
) -> list[str | Attachment]:
    """The body as Markdown pieces with the embedded images between them, in order."""
    parts: list[str | Attachment] = []
    pending: list[str] = []
    for i, part in enumerate(_CODE.split(body)):
        if i % 2:
            pending.append(part)
            continue
        last = 0
        embeds = sorted(
            (m for m in (*_WIKI_REF.finditer(part), *_MD_REF.finditer(part)) if m.group(1)),
            key=lambda m: m.start(),
        )
        for match in embeds:
            _embed, target, _label = _ref_target(match)
            found = attachment_for(target, attachments) if target else None
            if match.start() < last or found is None or not shown_inline(found):
                continue
            pending.append(_prose(part[last : match.start()], ids, attachments, remote_images))
            parts += ["".join(pending), found]
            pending, last = [], match.end()
        pending.append(_prose(part[last:], ids, attachments, remote_images))
    parts.append("".join(pending))
    return [p for p in parts if not isinstance(p, str) or p.strip()]


def to_markdown(body: str, ids: dict[str, int | None], *, remote_images: bool = False) -> str:
    """The body as one Markdown text (no attachments known: embeds become labels)."""
    return "".join(
        p for p in body_parts(body, ids, remote_images=remote_images) if isinstance(p, str)
    )


def _link_titles(body: str) -> list[str]:
    titles = []
    for part in _prose_parts(body):
        titles += [link.target for link in find_wikilinks(part)]
        for match in _MD_REF.finditer(part):
            _embed, target, _label = _ref_target(match)
            if target and not is_file_target(target):
                titles.append(PurePosixPath(target).stem)
    return titles


def render_note_body(
    kairos: Kairos | None,
    body: str,
    *,
    scope: str,
    remote_images: bool = False,
    attachments: Sequence[Attachment] | None = None,
) -> set[str]:
    """Show `body` with live wikilinks and its images where they are embedded; `scope`
    names the widgets (one per note or form). `attachments` are the body's files (read
    here when None). Returns the paths of the images drawn."""
    titles = _link_titles(body)
    ids: dict[str, int | None] = {}
    files: Sequence[Attachment] = attachments or ()
    if kairos is not None:
        try:
            if titles:
                ids = resolve_links(kairos.uow(), titles)
            if attachments is None:
                files = note_attachments(kairos.uow(), body)
        except Exception:  # links are shown as missing; the text itself still shows
            ids = {}
    allow = remote_images
    if has_remote_images(body):
        allow = st.toggle(
            "Load images from the web",
            key=f"remote_images_{scope}",
            value=remote_images,
            help="Off by default: an image from the web tells its server that you opened "
            "this note. Local images are always shown.",
        )
    drawn: set[str] = set()
    for piece in body_parts(body, ids, files, remote_images=allow):
        if isinstance(piece, str):
            st.markdown(piece)
        else:
            st.image(piece.data, caption=piece.path)
            drawn.add(piece.path)
    return drawn
