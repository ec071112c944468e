"""How a note's Markdown is shown: links live, images where they are embedded, files as
labels, the web held back."""

from __future__ import annotations

from pkm_core.application.vault import Attachment
from streamlit_app.components.note_body import body_parts, to_markdown

PNG = Attachment("assets/diagram.png", "h1", 6, "image/png", b"png")
PDF = Attachment("docs/paper.pdf", "h2", 9, "application/pdf", b"pdf")
SVG = Attachment("art/logo.svg", "h3", 9, "image/svg+xml", b"<svg/>")


def test_an_embedded_image_is_drawn_between_the_text_before_and_after_it() -> None:
    parts = body_parts("Before.\n\n![[diagram.png]]\n\nAfter.", {}, [PNG, PDF])
    assert parts == ["Before.\n\n", PNG, "\n\nAfter."]


def test_a_markdown_image_with_a_path_is_drawn_too() -> None:
    parts = body_parts("See ![a diagram](assets/diagram.png) here", {}, [PNG])
    assert parts == ["See ", PNG, " here"]


def test_an_embed_in_code_stays_code() -> None:
    parts = body_parts("`![[diagram.png]]`\n\n```\n![[diagram.png]]\n```", {}, [PNG])
    assert parts == ["`![[diagram.png]]`\n\n```\n![[diagram.png]]\n```"]


def test_a_linked_or_embedded_file_becomes_a_label_not_a_broken_link() -> None:
    shown = to_markdown("[the paper](docs/paper.pdf) and [[paper.pdf]]", {})
    assert "](" not in shown and shown.count(":material/attach_file:") == 2


def test_a_missing_image_says_so_instead_of_drawing_a_broken_one() -> None:
    shown = to_markdown("![[gone.png]] and ![x](img/gone.png)", {})
    assert "![" not in shown
    assert "gone\\.png (file not in Kairos)" in shown and "(image not in Kairos)" in shown


def test_an_svg_is_never_drawn_inline() -> None:
    parts = body_parts("![[logo.svg]]", {}, [SVG])
    assert all(isinstance(p, str) for p in parts)


def test_an_embedded_note_becomes_a_link_to_it() -> None:
    assert to_markdown("![[Other]]", {"other": 7}) == "[Other](note?id=7)"


def test_a_markdown_link_to_a_note_file_links_to_the_note() -> None:
    assert to_markdown("[the sync note](Headless%20Sync.md)", {"headless sync": 3}) == (
        "[the sync note](note?id=3)"
    )


def test_an_image_from_the_web_is_still_held_back() -> None:
    shown = to_markdown("![px](https://tracker.example/p.png)", {})
    assert "(image from the web, not loaded)" in shown and "![" not in shown


def test_a_dot_inside_a_note_name_does_not_make_it_a_file() -> None:
    assert to_markdown("[[v1.2 notes]]", {"v1.2 notes": 4}) == "[v1\\.2 notes](note?id=4)"


def test_a_callout_gets_its_kinds_icon_and_a_bold_title_and_stays_a_quote() -> None:
    shown = to_markdown("> [!warning] Mind the gap\n> the platform is far\n\nafter", {})
    assert shown == (
        "> :orange[:material/warning:] **Mind the gap**  \n> the platform is far\n\nafter"
    )


def test_a_callout_without_a_title_is_titled_by_its_kind_and_folding_marks_go() -> None:
    assert to_markdown("> [!TIP]-\n> fold me", {}) == (
        "> :green[:material/lightbulb:] **Tip**  \n> fold me"
    )
    assert (
        to_markdown("> > [!quote]+ Nested", {}) == "> > :gray[:material/format_quote:] **Nested**  "
    )


def test_an_unknown_callout_kind_looks_like_a_note_and_code_keeps_its_callout_text() -> None:
    assert to_markdown("> [!custom] Mine", {}) == "> :blue[:material/edit_note:] **Mine**  "
    fenced = "```\n> [!note] literal\n```"
    assert to_markdown(fenced, {}) == fenced
