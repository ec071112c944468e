"""The vault side of imported notes: paths, front matter, aliases, attachments (sync + async).

Written once over a sync `Session`; the async repository runs the same methods through
`AsyncSession.run_sync`. Never commits.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Text, and_, any_, delete, func, insert, literal, or_, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from pkm_core.application.vault import Attachment, ExportNote, KnownFile, VaultRecord
from pkm_core.infrastructure.persistence.models import (
    NoteAliasRow,
    NoteRow,
    NoteVaultRow,
    ProjectRow,
    SourceRow,
    VaultAttachmentRow,
)
from pkm_core.infrastructure.persistence.note_sql import LIVE, keyword_names
from pkm_core.infrastructure.persistence.search_syntax import title_key


def _record(row: NoteVaultRow, aliases: tuple[str, ...]) -> VaultRecord:
    return VaultRecord(
        path=row.path,
        name=row.name,
        aliases=aliases,
        head=row.head,
        properties=list(row.properties or []),
        newline=row.newline,
        line_endings=row.line_endings,
        file_hash=row.file_hash,
        import_hash=row.import_hash,
        managed=dict(row.managed or {}),
    )


def save_aliases(session: Session, aliases: dict[int, Sequence[str]]) -> None:
    """Replace the aliases of these notes (one DELETE and one INSERT for all of them)."""
    if not aliases:
        return
    session.execute(delete(NoteAliasRow).where(NoteAliasRow.note_id.in_(list(aliases))))
    rows = [
        {"note_id": note_id, "alias_key": key, "alias": alias, "alias_folded": title_key(alias)}
        for note_id, names in aliases.items()
        for key, alias in {a.lower(): a for a in names if a.strip()}.items()
    ]
    if rows:
        session.execute(insert(NoteAliasRow), rows)


def aliases_of(session: Session, note_ids: Sequence[int]) -> dict[int, tuple[str, ...]]:
    if not note_ids:
        return {}
    stmt = (
        select(NoteAliasRow.note_id, NoteAliasRow.alias)
        .where(NoteAliasRow.note_id.in_(list(note_ids)))
        .order_by(NoteAliasRow.note_id, NoteAliasRow.alias_key)
    )
    found: dict[int, list[str]] = {}
    for note_id, alias in session.execute(stmt):
        found.setdefault(note_id, []).append(alias)
    return {k: tuple(v) for k, v in found.items()}


class SyncSQLAlchemyVaultRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def save(self, records: Sequence[tuple[int, VaultRecord]]) -> None:
        """Insert or replace the vault rows (and aliases) of these notes: three statements
        for a whole import batch, not three a note."""
        latest = dict(records)  # one row a note: ON CONFLICT cannot touch a row twice
        if not latest:
            return
        values = [
            {
                "note_id": note_id,
                "path": r.path,
                "name": r.name,
                "head": r.head,
                "properties": r.properties,
                "newline": r.newline,
                "line_endings": r.line_endings,
                "file_hash": r.file_hash,
                "import_hash": r.import_hash,
                "managed": r.managed,
            }
            for note_id, r in latest.items()
        ]
        stmt = pg_insert(NoteVaultRow).values(values)
        stmt = stmt.on_conflict_do_update(
            index_elements=[NoteVaultRow.note_id],
            set_={k: stmt.excluded[k] for k in values[0] if k != "note_id"}
            | {"imported_at": func.now()},
        )
        self.session.execute(stmt)
        save_aliases(self.session, {note_id: r.aliases for note_id, r in latest.items()})

    def known_files(self) -> dict[str, KnownFile]:
        stmt = select(
            NoteVaultRow.path,
            NoteRow.id,
            NoteRow.title,
            NoteVaultRow.file_hash,
            NoteRow.deleted_at.is_not(None).label("trashed"),
        ).join(NoteRow, NoteRow.id == NoteVaultRow.note_id)
        return {
            r.path: KnownFile(r.id, r.title, r.file_hash, bool(r.trashed))
            for r in self.session.execute(stmt)
        }

    def record(self, note_id: int) -> VaultRecord | None:
        row = self.session.get(NoteVaultRow, note_id)
        if row is None:
            return None
        return _record(row, aliases_of(self.session, [note_id]).get(note_id, ()))

    # --- attachments
    def attachment_hashes(self) -> dict[str, str]:
        stmt = select(VaultAttachmentRow.path, VaultAttachmentRow.sha256)
        return {r.path: r.sha256 for r in self.session.execute(stmt)}

    def put_attachments(self, files: Sequence[Attachment]) -> None:
        for f in files:
            values = {
                "path": f.path,
                "sha256": f.sha256,
                "size": f.size,
                "media_type": f.media_type,
                "data": f.data,
            }
            stmt = pg_insert(VaultAttachmentRow).values(values)
            self.session.execute(
                stmt.on_conflict_do_update(
                    index_elements=[VaultAttachmentRow.path],
                    set_={k: stmt.excluded[k] for k in values if k != "path"},
                )
            )

    def attachment_paths(self) -> list[str]:
        stmt = select(VaultAttachmentRow.path).order_by(VaultAttachmentRow.path)
        return list(self.session.execute(stmt).scalars())

    def attachment(self, path: str) -> Attachment | None:
        row = self.session.get(VaultAttachmentRow, path)
        if row is None:
            return None
        return Attachment(row.path, row.sha256, row.size, row.media_type, bytes(row.data))

    def attachments_named(self, targets: Sequence[str]) -> list[Attachment]:
        """Attachments a note refers to: by path, or by the path's end (`image.png` finds
        `assets/image.png`, as Obsidian's shortest-path links do)."""
        keys = sorted({t.strip().lstrip("/").lower() for t in targets if t.strip()})
        if not keys:
            return []
        wanted = literal(keys, ARRAY(Text))
        suffixes = literal(["%/" + k for k in keys], ARRAY(Text))
        path = func.lower(VaultAttachmentRow.path)
        stmt = (
            select(VaultAttachmentRow)
            .where(or_(path == any_(wanted), path.like(any_(suffixes))))
            .order_by(VaultAttachmentRow.path)
        )
        return [
            Attachment(r.path, r.sha256, r.size, r.media_type, bytes(r.data))
            for r in self.session.scalars(stmt)
        ]

    # --- export
    def export_batch(self, after_id: int, limit: int) -> list[ExportNote]:
        """Notes with id > after_id, in id order, with what their export needs."""
        stmt = (
            select(
                NoteRow.id,
                NoteRow.title,
                NoteRow.body,
                NoteRow.content_hash,
                NoteRow.created_at,
                NoteRow.updated_at,
                NoteRow.project_id,
                SourceRow.url.label("source_url"),
                SourceRow.title.label("source_title"),
                keyword_names(),
            )
            .outerjoin(SourceRow, SourceRow.id == NoteRow.source_id)
            .where(NoteRow.id > after_id, LIVE)  # the trash is not part of the vault
            .order_by(NoteRow.id)
            .limit(limit)
        )
        rows = list(self.session.execute(stmt))
        ids = [r.id for r in rows]
        vault = {
            v.note_id: v
            for v in self.session.scalars(select(NoteVaultRow).where(NoteVaultRow.note_id.in_(ids)))
        }
        aliases = aliases_of(self.session, ids)
        paths = self._project_paths()
        return [
            ExportNote(
                note_id=r.id,
                title=r.title,
                body=r.body,
                keywords=tuple(r.keyword_names or ()),
                content_hash=r.content_hash,
                created_at=r.created_at,
                updated_at=r.updated_at,
                project_path=paths.get(r.project_id, ()) if r.project_id else (),
                source_url=r.source_url,
                source_title=r.source_title,
                vault=_record(vault[r.id], aliases.get(r.id, ())) if r.id in vault else None,
            )
            for r in rows
        ]

    def _project_paths(self) -> dict[int, tuple[str, ...]]:
        rows = {p.id: p for p in self.session.scalars(select(ProjectRow))}

        def path(pid: int, depth: int = 0) -> tuple[str, ...]:
            project = rows[pid]
            if project.parent_id is None or project.parent_id not in rows or depth > 64:
                return (project.name,)
            return (*path(project.parent_id, depth + 1), project.name)

        return {pid: path(pid) for pid in rows}

    def link_names(self) -> dict[str, str]:
        """{lower(title): path without .md} of vault notes whose title is not their file
        name (disambiguated): what an Obsidian link to them must spell out."""
        stmt = select(NoteRow.title, NoteVaultRow.path, NoteVaultRow.name).join(
            NoteRow, and_(NoteRow.id == NoteVaultRow.note_id, NoteRow.title != NoteVaultRow.name)
        )
        return {r.title.lower(): r.path.rsplit(".", 1)[0] for r in self.session.execute(stmt)}


def _vault(session: Session) -> SyncSQLAlchemyVaultRepository:
    return SyncSQLAlchemyVaultRepository(session)


class AsyncSQLAlchemyVaultRepository:
    """The same operations through an async session (`run_sync` of the sync methods)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def record(self, note_id: int) -> VaultRecord | None:
        return await self.session.run_sync(lambda s: _vault(s).record(note_id))

    async def attachment(self, path: str) -> Attachment | None:
        return await self.session.run_sync(lambda s: _vault(s).attachment(path))

    async def attachments_named(self, targets: Sequence[str]) -> list[Attachment]:
        return await self.session.run_sync(lambda s: _vault(s).attachments_named(targets))
