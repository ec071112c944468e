"""A note's Markdown as shown in the preview and on the note page.

- [[Title]], [[Title|label]] and [[Title#Heading]] become links: to `note?id=N` when the
  note exists, else to `write?title=Title` (a new note with that title), marked "(new)"
  and drawn grey and dashed (style.css) so a missing note is told apart. Clicking one
  stays in the tab (shortcuts.py), so the address changes and Back returns.
- Images from the web (`![x](https://…)`) are not loaded unless the person asks for it on
  this note: each becomes a plain link (a tracking pixel gets no request). Local images
  and attachments are left as they are.
- Code (fenced or inline) is left untouched. Raw HTML is never executed: the result goes
  to `st.markdown` without `unsafe_allow_html`, which shows HTML as text.
"""

from __future__ import annotations

import re
from urllib.parse import quote

import streamlit as st

from pkm_core.application.use_cases.notes import resolve_links
from pkm_core.bootstrap import Kairos
from pkm_core.domain.link import find_wikilinks
from streamlit_app.components.text import md_escape

_CODE = re.compile(r"(```[\s\S]*?(?:```|$)|~~~[\s\S]*?(?:~~~|$)|`[^`\n]+`)")
_REMOTE_IMAGE = re.compile(r"!\[([^\]\n]*)\]\(\s*<?((?:https?:)?//[^)\s>]+)>?(?:\s+[\"'][^)]*)?\)")
_REFERENCE_IMAGE = re.compile(r"!\[([^\]\n]*)\]\[([^\]\n]*)\]")
_SLUG = re.compile(r"[^\w\- ]")


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


def _images(text: str) -> str:
    def remote(match: re.Match[str]) -> str:
        alt = md_escape(match.group(1).strip() or "image")
        return f"[:material/image: {alt} (image from the web, not loaded)]({match.group(2)})"

    text = _REMOTE_IMAGE.sub(remote, text)
    # A reference-style image may point anywhere: shown as a link as well.
    return _REFERENCE_IMAGE.sub(lambda m: f"[:material/image: {m.group(1)}][{m.group(2)}]", text)


def to_markdown(body: str, ids: dict[str, int | None], *, remote_images: bool = False) -> str:
    parts = _CODE.split(body)
    for i in range(0, len(parts), 2):
        prose = _links(parts[i], ids)
        parts[i] = prose if remote_images else _images(prose)
    return "".join(parts)


def render_note_body(
    kairos: Kairos | None, body: str, *, scope: str, remote_images: bool = False
) -> None:
    """Show `body` with live wikilinks; `scope` names the widgets (one per note or form)."""
    titles = [link.target for part in _prose_parts(body) for link in find_wikilinks(part)]
    ids: dict[str, int | None] = {}
    if titles and kairos is not None:
        try:
            ids = resolve_links(kairos.uow(), titles)
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
    st.markdown(to_markdown(body, ids, remote_images=allow))
