"""One batch of an import: the first reading and the plan of the run (`prepare_context`),
then per batch the drafts with their resolved links, what changed against the database,
the embedding (no transaction open) and the one write transaction (`write_batch`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from pkm_core.application.dto import PreparedNote
from pkm_core.application.indexing import ensure_model_on_record, known_vectors, prepare_notes
from pkm_core.application.ingest.first_reading import read_name
from pkm_core.application.ingest.parse import ParsedNote, Problem, parse_markdown, parse_record
from pkm_core.application.ingest.plan import VaultIndex, Wanted, assign_titles
from pkm_core.application.ingest.source import ImportSource, RawEntry
from pkm_core.application.ports import IEmbedder, ISyncUnitOfWork
from pkm_core.domain.errors import InvalidNote
from pkm_core.domain.markdown_scan import is_file_target
from pkm_core.domain.note import Note, NoteDraft


def parse_entry(entry: RawEntry, line_ids: dict[str, str]) -> ParsedNote | Problem:
    if entry.kind == "problem":
        return Problem(entry.source, entry.problem)
    if entry.kind == "record":
        return parse_record(entry, line_ids.get(entry.source, f"jsonl:{entry.source}"))
    return parse_markdown(entry)


@dataclass
class Context:
    titles: dict[str, str]
    title_notes: dict[str, str]
    projects: dict[tuple[str, ...], int | None]
    index: VaultIndex
    duplicates: dict[str, str]  # source -> sentence
    attachment_hashes: dict[str, str]
    total: int
    seen_paths: set[str] = field(default_factory=set)
    known_paths: set[str] = field(default_factory=set)  # of live notes: those that can vanish
    new_notes: int = 0  # files not imported before (every record of a .jsonl counts)
    stored_notes: int = 0  # live notes in Kairos before the import


def _first_reading(source: ImportSource) -> tuple[list[Wanted], VaultIndex, dict[str, str], int]:
    index = VaultIndex()
    wanted: list[Wanted] = []
    duplicates: dict[str, str] = {}
    first_line: dict[str, str] = {}
    total = 0
    for entry in source.entries(with_attachments=False):
        total += 1
        named = read_name(entry)
        if named is None:
            continue
        if named.path is None:
            if named.external_id in first_line:
                duplicates[entry.source] = (
                    f"{entry.source} was skipped: its id is the same as on "
                    f"{first_line[named.external_id]}."
                )
                continue
            first_line[named.external_id] = entry.source
        else:
            index.add(named.path, named.name, named.aliases)
        wanted.append(Wanted(named.external_id, named.title, named.path))
    return wanted, index, duplicates, total


def prepare_context(
    uow_factory: Callable[[], ISyncUnitOfWork],
    embedder: IEmbedder,
    source: ImportSource,
    project_id: int | None,
) -> Context:
    wanted, index, duplicates, total = _first_reading(source)
    folders = {tuple(p.split("/")[:-1]) for ps in index.by_name.values() for p in ps}
    with uow_factory() as uow:
        ensure_model_on_record(uow.index, embedder)
        known = uow.vault.known_files()
        titles, notes = assign_titles(wanted, known, uow.notes.taken_titles)
        projects: dict[tuple[str, ...], int | None] = {(): project_id}
        for folder in sorted(f for f in folders if f):
            try:
                projects[folder] = uow.catalog.ensure_project_path(folder)
            except InvalidNote:  # a folder name no project may have: filed at the top
                projects[folder] = project_id
        hashes = uow.vault.attachment_hashes()
        stored = uow.notes.count()
    live = {path for path, file in known.items() if not file.trashed}
    # A re-import of an unchanged vault adds nothing to the indexes: only unknown files count.
    new = sum(1 for w in wanted if w.path is None or w.path not in known)
    return Context(
        titles, notes, projects, index, duplicates, hashes, total, set(), live, new, stored
    )


def _draft(parsed: ParsedNote, ctx: Context) -> tuple[NoteDraft, tuple[str, ...]]:
    title = ctx.titles.get(parsed.external_id, parsed.title)
    draft = NoteDraft(
        title=title,
        body=parsed.body,
        keywords=parsed.keywords,
        project_id=ctx.projects.get(parsed.folder, ctx.projects[()]),
        external_id=parsed.external_id,
    )
    links: dict[str, str] = {}
    for link in parsed.links:
        if is_file_target(link.target):
            continue  # ![[image.png]], [[paper.pdf]]: an attachment, not a note
        path = ctx.index.resolve(link, parsed.vault.path if parsed.vault else "")
        target = ctx.titles.get(f"file:{path}") if path else None
        if target is None and link.target and not link.markdown:
            target = link.target
        if target and target.lower() != title.lower():
            links.setdefault(target.lower(), target)
    return draft, tuple(links.values())


@dataclass
class Batch:
    items: list[ParsedNote]
    new: list[PreparedNote] = field(default_factory=list)
    updates: list[tuple[Note, PreparedNote]] = field(default_factory=list)
    unchanged: list[ParsedNote] = field(default_factory=list)
    trashed: list[ParsedNote] = field(default_factory=list)  # their note is in the trash


def _merge(stored: Note, draft: NoteDraft, import_keywords: list[str] | None) -> NoteDraft:
    """The file's text over the stored note; keywords added in Kairos stay (those from the
    file's previous version do not), and so do its project and source."""
    added = set(stored.keywords) - set(import_keywords or ())
    kept = tuple(k for k in stored.keywords if k in added)
    keywords = tuple(dict.fromkeys(draft.keywords + kept))
    return draft.model_copy(
        update={
            "keywords": keywords,
            "project_id": draft.project_id or stored.project_id,
            "source_id": draft.source_id or stored.source_id,
        }
    )


def plan_batch(
    uow_factory: Callable[[], ISyncUnitOfWork],
    embedder: IEmbedder,
    items: list[ParsedNote],
    ctx: Context,
) -> Batch:
    batch = Batch(items)
    drafts = [(p, *_draft(p, ctx)) for p in items]
    with uow_factory() as uow:
        wanted_ids = [p.external_id for p in items]
        stored = {n.external_id: n for n in uow.notes.get_by_external_ids(wanted_ids)}
        trashed = uow.notes.trashed_external_ids(wanted_ids)
        records = {
            n.id: uow.vault.record(n.id)
            for n in stored.values()
            if (n.external_id or "").startswith("file:")
        }
    new: list[tuple[ParsedNote, NoteDraft, tuple[str, ...]]] = []
    changed: list[tuple[Note, ParsedNote, NoteDraft, tuple[str, ...]]] = []
    for parsed, draft, links in drafts:
        if parsed.external_id in trashed:
            # Trashed on purpose: a re-import neither brings it back nor fails on it.
            batch.trashed.append(parsed)
            continue
        note = stored.get(parsed.external_id)
        if note is None:
            new.append((parsed, draft, links))
            continue
        record = records.get(note.id)
        if record is not None and parsed.vault and record.file_hash == parsed.vault.file_hash:
            batch.unchanged.append(parsed)
            continue
        imported = record.managed.get("keywords") if record else None
        merged = _merge(note, draft, imported)
        now = (merged.title, merged.body, set(merged.keywords), merged.project_id)
        same = now == (note.title, note.body, set(note.keywords), note.project_id)
        if same and parsed.vault is None:
            batch.unchanged.append(parsed)
        else:
            changed.append((note, parsed, merged, links))
    known: dict[str, list[float]] = {}
    if changed:
        with uow_factory() as uow:  # the stored chunks: only changed ones are embedded
            for note, *_rest in changed:
                known.update(known_vectors(uow.notes.chunks(note.id)))
    prepared_new = prepare_notes([d for _p, d, _l in new], embedder)
    prepared_changed = prepare_notes([m for _n, _p, m, _l in changed], embedder, known)
    batch.new = [
        _finish(p, parsed, links) for p, (parsed, _d, links) in zip(prepared_new, new, strict=True)
    ]
    batch.updates = [
        (note, _finish(p, parsed, links))
        for p, (note, parsed, _m, links) in zip(prepared_changed, changed, strict=True)
    ]
    return batch


def _finish(prepared: PreparedNote, parsed: ParsedNote, links: tuple[str, ...]) -> PreparedNote:
    vault = parsed.vault
    if vault is not None:
        vault = replace(vault, import_hash=prepared.draft.content_hash)
    return replace(prepared, links=links, vault=vault)


def _with_source(uow: ISyncUnitOfWork, prepared: PreparedNote, parsed: ParsedNote) -> PreparedNote:
    if parsed.source_ref is None or prepared.draft.source_id is not None:
        return prepared
    source_id = uow.catalog.ensure_source(parsed.source_ref)
    return replace(prepared, draft=prepared.draft.model_copy(update={"source_id": source_id}))


def write_batch(
    uow_factory: Callable[[], ISyncUnitOfWork], embedder: IEmbedder, batch: Batch
) -> Batch:
    by_id = {p.external_id: p for p in batch.items}
    with uow_factory() as uow:
        ensure_model_on_record(uow.index, embedder)  # never write beside another model
        new = [_with_source(uow, p, by_id[p.draft.external_id or ""]) for p in batch.new]
        ids = uow.notes.add_many(new) if new else []
        records = [(i, p.vault) for i, p in zip(ids, new, strict=True) if p.vault]
        for stored, prepared in batch.updates:
            prepared = _with_source(uow, prepared, by_id[prepared.draft.external_id or ""])
            uow.notes.update(stored.id, prepared, stored.version)
            if prepared.vault is not None:
                records.append((stored.id, prepared.vault))
        uow.vault.save(records)
    return batch
