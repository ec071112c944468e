"""Every link form of a vault note is read and resolved to its file as Obsidian does."""

from __future__ import annotations

from pkm_core.application.ingest.plan import VaultIndex
from pkm_core.domain.markdown_scan import VaultLink, vault_links


def index() -> VaultIndex:
    vault = VaultIndex()
    vault.add("Note.md", "Note", ["Nickname"])
    vault.add("folder/Note.md", "Note", [])
    vault.add("folder/Other.md", "Other", [])
    vault.add("deep/er/Page.md", "Page", [])
    return vault


def test_each_link_form_is_read_with_its_target_subpath_label_and_embed() -> None:
    body = (
        "[[Note]] [[Note|label]] [[Note#Heading]] [[Note#^block-id]] [[folder/Note]] "
        "![[embed.png]] [text](Note.md) `[[In Code]]`"
    )
    assert vault_links(body) == [
        VaultLink("Note"),
        VaultLink("Note", label="label"),
        VaultLink("Note", subpath="Heading"),
        VaultLink("Note", subpath="^block-id"),
        VaultLink("folder/Note"),
        VaultLink("embed.png", embed=True),
        VaultLink("Note.md", markdown=True),
    ]


def test_links_resolve_by_path_then_beside_the_note_then_shortest_path_then_alias() -> None:
    vault = index()
    cases = [
        ("[[Note#^block-id]]", "Top.md", "Note.md"),
        ("[[folder/Note]]", "Top.md", "folder/Note.md"),
        ("[[Note]]", "folder/Other.md", "folder/Note.md"),  # the one beside the linking note
        ("[[Note]]", "deep/er/Page.md", "Note.md"),  # else the shortest path
        ("[[er/Page#Heading]]", "Top.md", "deep/er/Page.md"),
        ("[[Nickname|called]]", "Top.md", "Note.md"),  # an alias
        ("[link](Other.md)", "folder/Note.md", "folder/Other.md"),  # relative to the note
        ("[link](../Note.md)", "folder/Other.md", "Note.md"),
        ("![[embed.png]]", "Top.md", None),  # an attachment, not a note
        ("[[Missing]]", "Top.md", None),
    ]
    resolved = [(t, f, vault.resolve(vault_links(t)[0], f)) for t, f, _want in cases]
    assert resolved == cases
