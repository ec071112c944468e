"""Bulk import: a folder (or a .zip) of markdown/text files, or a JSONL file of notes.

- Batched: a batch of notes is chunked, embedded in one call and written with a handful of
  bulk statements (one INSERT for the notes, so the BM25 trigger runs once per batch),
  in one transaction per batch.
- Restartable: every imported note carries `external_id` (`file:<relative path>`,
  `jsonl:<id>`); running the same import again skips notes stored unchanged and updates
  the ones whose file changed (only their changed chunks are re-embedded).
- Forgiving: a bad file (invalid UTF-8, NUL bytes, too large, an unsafe path in a zip)
  is reported with one sentence and skipped; the run goes on. A title already in use is
  disambiguated ("Title (2)") and reported, never lost.
"""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import frontmatter

from pkm_core.application.dto import IngestReport, PreparedNote
from pkm_core.application.indexing import ensure_model_on_record, known_vectors, prepare_notes
from pkm_core.application.ports import IEmbedder, ISyncUnitOfWork
from pkm_core.domain.errors import (
    EmbeddingModelMismatch,
    InvalidNote,
    KairosError,
    StorageUnavailable,
)
from pkm_core.domain.keyword import normalize_keyword
from pkm_core.domain.note import Note, NoteDraft
from pkm_core.domain.text import MAX_BODY_CHARS, MAX_TITLE_CHARS

TEXT_SUFFIXES = (".md", ".markdown", ".txt", ".text")
JSONL_SUFFIXES = (".jsonl", ".ndjson")
DEFAULT_BATCH_SIZE = 64
# A file larger than this cannot become a note (the body limit is in characters; UTF-8
# takes at most 4 bytes each). Reading stops there, which also defuses zip bombs.
MAX_FILE_BYTES = 4 * MAX_BODY_CHARS + 64_000

_H1 = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.MULTILINE)

ProgressCallback = Callable[[int, int], None]


class UnsupportedImport(KairosError):
    """The path is not something Kairos can import."""


@dataclass(frozen=True, slots=True)
class ImportItem:
    """One file or JSONL line: its draft, or the reason it cannot be imported."""

    source: str  # shown in the report: a relative path, or "file.jsonl line 12"
    draft: NoteDraft | None
    problem: str | None = None
    warnings: tuple[str, ...] = ()


# --------------------------------------------------------------------------- parsing


def _decode(data: bytes) -> str:
    """UTF-8 text (a BOM is dropped); InvalidNote for NUL bytes or invalid UTF-8."""
    if b"\x00" in data:
        raise InvalidNote("it contains NUL bytes (\\x00), so it is not a text file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidNote(
            f"it is not valid UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})"
        ) from None


def _keywords(raw: Any, warnings: list[str]) -> tuple[str, ...]:
    """Front matter `tags`/`keywords`: a list, or a comma (or space) separated string."""
    if raw is None:
        return ()
    if isinstance(raw, str):
        items = [p for p in re.split(r"[,\s]+" if "," not in raw else r",", raw) if p.strip()]
    elif isinstance(raw, list | tuple | set):
        items = [str(p) for p in raw if p is not None and str(p).strip()]
    else:
        items = [str(raw)]
    kept: list[str] = []
    for item in items:
        try:
            kept.append(normalize_keyword(item))
        except InvalidNote as exc:
            warnings.append(f"keyword dropped: {exc}")
    return tuple(kept)


def _fit_title(title: str, warnings: list[str]) -> str:
    title = " ".join(title.split())
    if len(title) > MAX_TITLE_CHARS:
        warnings.append(f"title shortened to {MAX_TITLE_CHARS} characters")
        title = title[: MAX_TITLE_CHARS - 1].rstrip() + "…"
    return title


def parse_markdown(source: str, data: bytes, external_id: str) -> ImportItem:
    """A markdown/text file -> a draft. Title: front matter `title`, else the first
    `# heading`, else the file name. Keywords: front matter `tags` and `keywords`."""
    try:
        text = _decode(data)
    except InvalidNote as exc:
        return ImportItem(source, None, f"{source} was skipped: {exc}.")
    warnings: list[str] = []
    try:
        metadata, body = frontmatter.parse(text)
    except Exception as exc:  # YAML/TOML/JSON parsers raise many types
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        warnings.append(f"front matter could not be read ({reason}); imported as plain text")
        metadata, body = {}, text.strip()
    raw_title = metadata.get("title")
    heading = _H1.search(body)
    if isinstance(raw_title, str | int | float) and str(raw_title).strip():
        title = str(raw_title)
    elif heading:
        title = heading.group(1)
    else:
        title = PurePosixPath(source).stem or source
    keywords = _keywords(metadata.get("tags"), warnings) + _keywords(
        metadata.get("keywords"), warnings
    )
    try:
        draft = NoteDraft(
            title=_fit_title(title, warnings),
            body=body,
            keywords=keywords,
            external_id=external_id,
        )
    except (InvalidNote, ValueError) as exc:
        return ImportItem(source, None, f"{source} was skipped: {_reason(exc)}")
    return ImportItem(source, draft, warnings=tuple(warnings))


def _reason(exc: Exception) -> str:
    """One sentence from a domain error or a pydantic validation error."""
    errors = getattr(exc, "errors", None)
    if callable(errors):
        first = errors()[0]
        cause = (first.get("ctx") or {}).get("error")
        return str(cause) if cause is not None else str(first.get("msg", exc))
    return str(exc)


def parse_jsonl_line(source: str, line: bytes, fallback_id: str) -> ImportItem | None:
    """One JSONL line {"title", "text" (or "body"), optional "id"/"_id", "tags"/"keywords"}
    -> a draft; None for a blank line."""
    if not line.strip():
        return None
    try:
        record = json.loads(_decode(line))
    except InvalidNote as exc:
        return ImportItem(source, None, f"{source} was skipped: {exc}.")
    except json.JSONDecodeError as exc:
        return ImportItem(source, None, f"{source} was skipped: it is not valid JSON ({exc.msg}).")
    if not isinstance(record, dict):
        return ImportItem(source, None, f"{source} was skipped: it is not a JSON object.")
    text = record.get("text", record.get("body", ""))
    title = record.get("title")
    if not isinstance(text, str) or (title is not None and not isinstance(title, str)):
        return ImportItem(source, None, f"{source} was skipped: title and text must be strings.")
    warnings: list[str] = []
    if not (title or "").strip():
        if not text.strip():
            return ImportItem(source, None, f"{source} was skipped: it has no title and no text.")
        title = " ".join(text.split()[:12])
        warnings.append("no title: the first words of the text were used")
    record_id = record.get("id", record.get("_id"))
    external_id = f"jsonl:{record_id}" if record_id not in (None, "") else fallback_id
    keywords = _keywords(record.get("tags"), warnings) + _keywords(record.get("keywords"), warnings)
    try:
        draft = NoteDraft(
            title=_fit_title(str(title), warnings),
            body=text,
            keywords=keywords,
            external_id=external_id,
        )
    except (InvalidNote, ValueError) as exc:
        return ImportItem(source, None, f"{source} was skipped: {_reason(exc)}")
    return ImportItem(source, draft, warnings=tuple(warnings))


# --------------------------------------------------------------------------- reading


def _is_hidden(parts: Iterable[str]) -> bool:
    return any(part.startswith(".") for part in parts)


def _folder_files(folder: Path) -> list[Path]:
    return sorted(
        p
        for p in folder.rglob("*")
        if p.suffix.lower() in TEXT_SUFFIXES
        and p.is_file()
        and not _is_hidden(p.relative_to(folder).parts)
    )


def _read_capped(read: Callable[[int], bytes], source: str) -> bytes:
    data = read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise InvalidNote(
            f"{source} was skipped: it is larger than a note may be "
            f"({MAX_BODY_CHARS:,} characters)."
        )
    return data


def read_folder(folder: Path) -> Iterator[ImportItem]:
    """Markdown/text files under `folder`, in path order (hidden folders are left out)."""
    for path in _folder_files(folder):
        relative = path.relative_to(folder).as_posix()
        try:
            with path.open("rb") as handle:
                data = _read_capped(handle.read, relative)
        except InvalidNote as exc:
            yield ImportItem(relative, None, str(exc))
            continue
        except OSError as exc:
            yield ImportItem(relative, None, f"{relative} was skipped: {exc.strerror}.")
            continue
        yield parse_markdown(relative, data, f"file:{relative}")


def _unsafe_member(name: str) -> str | None:
    """Why a zip member name must not be used as a path, or None when it is safe."""
    normalised = name.replace("\\", "/")
    if normalised.startswith("/") or re.match(r"^[A-Za-z]:", normalised):
        return "its path is absolute"
    if ".." in normalised.split("/"):
        return "its path climbs out of the archive (..)"
    return None


def _zip_members(archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    return sorted(
        (
            m
            for m in archive.infolist()
            if not m.is_dir() and PurePosixPath(m.filename).suffix.lower() in TEXT_SUFFIXES
        ),
        key=lambda m: m.filename,
    )


def read_zip(path: Path) -> Iterator[ImportItem]:
    """Markdown/text members of a zip archive. Nothing is extracted to disk; members with
    an absolute path or `..` are refused and reported."""
    with zipfile.ZipFile(path) as archive:
        for member in _zip_members(archive):
            name = member.filename
            unsafe = _unsafe_member(name)
            if unsafe:
                yield ImportItem(name, None, f"{name} was refused: {unsafe}.")
                continue
            relative = PurePosixPath(name.replace("\\", "/")).as_posix().removeprefix("./")
            if _is_hidden(PurePosixPath(relative).parts):
                continue
            try:
                with archive.open(member) as handle:
                    data = _read_capped(handle.read, relative)
            except InvalidNote as exc:
                yield ImportItem(relative, None, str(exc))
                continue
            except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError) as exc:
                yield ImportItem(relative, None, f"{relative} was skipped: {exc}.")
                continue
            yield parse_markdown(relative, data, f"file:{relative}")


def read_jsonl(path: Path) -> Iterator[ImportItem]:
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            source = f"{path.name} line {number}"
            item = parse_jsonl_line(source, line, f"jsonl:{path.name}:{number}")
            if item is not None:
                yield item


# --------------------------------------------------------------------------- writing


@dataclass
class _Tally:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)

    def report(self) -> IngestReport:
        return IngestReport(
            created=self.created,
            updated=self.updated,
            unchanged=self.unchanged,
            skipped=len(self.skipped),
            skipped_items=tuple(self.skipped),
            warnings=tuple(self.warnings),
        )


@dataclass
class _Plan:
    """A batch read and embedded, ready to be written."""

    items: list[ImportItem]
    new: list[PreparedNote] = field(default_factory=list)
    updates: list[tuple[Note, PreparedNote]] = field(default_factory=list)
    unchanged: int = 0
    titles: list[str] = field(default_factory=list)  # lower-case titles this batch takes
    warnings: list[tuple[str, str]] = field(default_factory=list)


def _free_title(
    title: str, external_id: str | None, taken: dict[str, str | None], used: set[str]
) -> bool:
    key = title.lower()
    if key in used:
        return False
    return key not in taken or (external_id is not None and taken[key] == external_id)


def _disambiguate(
    uow: ISyncUnitOfWork, items: list[ImportItem], used: set[str], plan: _Plan
) -> list[NoteDraft]:
    """Titles free in the database and in this run: a clash becomes "Title (2)"."""
    drafts = [item.draft for item in items if item.draft is not None]
    taken = uow.notes.taken_titles([d.title for d in drafts])
    result = []
    for item, draft in zip(items, drafts, strict=True):
        title = draft.title
        if not _free_title(title, draft.external_id, taken, used):
            base = title[: MAX_TITLE_CHARS - 8]
            n = 2
            while True:
                candidates = [f"{base} ({i})" for i in range(n, n + 20)]
                taken.update(uow.notes.taken_titles(candidates))
                free = [c for c in candidates if _free_title(c, draft.external_id, taken, used)]
                if free:
                    title = free[0]
                    break
                n += 20
            plan.warnings.append(
                (item.source, f"the title “{draft.title}” is already used; imported as “{title}”")
            )
            draft = draft.model_copy(update={"title": title})
        used.add(title.lower())
        plan.titles.append(title.lower())
        result.append(draft)
    return result


def _merge(existing: Note, draft: NoteDraft) -> NoteDraft:
    """The imported text over a stored note; its project, source and keywords stay
    (re-importing never takes away what was filed in the app)."""
    keywords = tuple(dict.fromkeys(existing.keywords + draft.keywords))
    return draft.model_copy(
        update={
            "keywords": keywords,
            "project_id": draft.project_id or existing.project_id,
            "source_id": draft.source_id or existing.source_id,
        }
    )


def _plan_batch(
    uow_factory: Callable[[], ISyncUnitOfWork],
    embedder: IEmbedder,
    items: list[ImportItem],
    used: set[str],
    project_id: int | None,
) -> _Plan:
    """Read what the batch changes (one short transaction), then embed the new notes
    with no transaction open."""
    plan = _Plan(items)
    with uow_factory() as uow:
        ensure_model_on_record(uow.index, embedder)
        drafts = _disambiguate(uow, items, used, plan)
        if project_id is not None:
            drafts = [d.model_copy(update={"project_id": project_id}) for d in drafts]
        stored = {
            n.external_id: n
            for n in uow.notes.get_by_external_ids([d.external_id for d in drafts if d.external_id])
        }
    new: list[NoteDraft] = []
    changed: list[tuple[Note, NoteDraft]] = []
    for draft in drafts:
        note = stored.get(draft.external_id)
        if note is None:
            new.append(draft)
            continue
        merged = _merge(note, draft)
        if (merged.title, merged.body, set(merged.keywords), merged.project_id) == (
            note.title,
            note.body,
            set(note.keywords),
            note.project_id,
        ):
            plan.unchanged += 1
        else:
            changed.append((note, merged))
    known: dict[str, list[float]] = {}
    if changed:
        with uow_factory() as uow:  # the stored chunks: only changed ones are embedded
            for note, _merged in changed:
                known.update(known_vectors(uow.notes.chunks(note.id)))
    plan.new = prepare_notes(new, embedder)
    prepared = prepare_notes([merged for _note, merged in changed], embedder, known)
    plan.updates = [(note, p) for (note, _merged), p in zip(changed, prepared, strict=True)]
    return plan


def _write_plan(
    uow_factory: Callable[[], ISyncUnitOfWork], embedder: IEmbedder, plan: _Plan
) -> _Plan:
    """One transaction: the new notes in bulk, then the changed ones (only their changed
    chunks are embedded again)."""
    with uow_factory() as uow:
        ensure_model_on_record(uow.index, embedder)  # never write beside another model
        if plan.new:
            uow.notes.add_many(plan.new)
        for stored, prepared in plan.updates:
            uow.notes.update(stored.id, prepared, stored.version)
    return plan


class _Importer:
    """Plans batch n+1 (reads and embedding) while batch n is written, in one writer
    thread: the database's work hides behind the model's. A batch the database refuses
    is written again note by note, so one bad note is reported and the others kept."""

    def __init__(
        self,
        uow_factory: Callable[[], ISyncUnitOfWork],
        embedder: IEmbedder,
        project_id: int | None,
        on_written: Callable[[], None],
    ) -> None:
        self.uow_factory = uow_factory
        self.embedder = embedder
        self.project_id = project_id
        self.on_written = on_written
        self.tally = _Tally()
        self.used: set[str] = set()
        self.done = 0
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kairos-ingest")
        self._pending: tuple[_Plan, Future[_Plan]] | None = None

    def add(self, items: list[ImportItem]) -> None:
        plan = _plan_batch(self.uow_factory, self.embedder, items, self.used, self.project_id)
        self.wait()
        self._pending = (
            plan,
            self._writer.submit(_write_plan, self.uow_factory, self.embedder, plan),
        )

    def wait(self) -> None:
        if self._pending is None:
            return
        plan, future = self._pending
        self._pending = None
        try:
            future.result()
        except (StorageUnavailable, EmbeddingModelMismatch):
            raise
        except Exception:
            self.used.difference_update(plan.titles)
            self._one_by_one(plan.items)
        else:
            self.tally.created += len(plan.new)
            self.tally.updated += len(plan.updates)
            self.tally.unchanged += plan.unchanged
            self.tally.warnings.extend(plan.warnings)
        self.done += len(plan.items)
        self.on_written()

    def _one_by_one(self, items: list[ImportItem]) -> None:
        for item in items:
            try:
                plan = _write_plan(
                    self.uow_factory,
                    self.embedder,
                    _plan_batch(
                        self.uow_factory, self.embedder, [item], self.used, self.project_id
                    ),
                )
            except (StorageUnavailable, EmbeddingModelMismatch, KeyboardInterrupt):
                raise
            except KairosError as exc:
                self.tally.skipped.append((item.source, f"{item.source} was skipped: {exc}"))
                continue
            except Exception as exc:  # a database refusal of this one note
                detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()
                reason = detail[0] if detail else type(exc).__name__
                self.tally.skipped.append((item.source, f"{item.source} was skipped: {reason}."))
                continue
            self.tally.created += len(plan.new)
            self.tally.updated += len(plan.updates)
            self.tally.unchanged += plan.unchanged
            self.tally.warnings.extend(plan.warnings)

    def close(self) -> None:
        try:
            self.wait()
        finally:
            self._writer.shutdown(wait=True)


def ingest_items(
    uow_factory: Callable[[], ISyncUnitOfWork],
    embedder: IEmbedder,
    items: Iterable[ImportItem],
    total: int,
    on_progress: ProgressCallback | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    project_id: int | None = None,
) -> IngestReport:
    """Import parsed items in batches of `batch_size`, one transaction per batch."""

    def progress() -> None:
        if on_progress is not None:
            seen = importer.done + len(importer.tally.skipped)
            on_progress(seen, max(total, seen))

    importer = _Importer(uow_factory, embedder, project_id, progress)
    batch: list[ImportItem] = []
    try:
        for item in items:
            if item.draft is None:
                importer.tally.skipped.append(
                    (item.source, item.problem or f"{item.source} was skipped.")
                )
                continue
            importer.tally.warnings.extend((item.source, w) for w in item.warnings)
            batch.append(item)
            if len(batch) >= max(batch_size, 1):
                importer.add(batch)
                batch = []
        if batch:
            importer.add(batch)
    finally:
        importer.close()
    progress()
    return importer.tally.report()


def ingest_folder(
    uow_factory: Callable[[], ISyncUnitOfWork],
    embedder: IEmbedder,
    folder: Path,
    on_progress: ProgressCallback | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    project_id: int | None = None,
) -> IngestReport:
    """Import every .md/.markdown/.txt file under `folder` (hidden folders left out)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise UnsupportedImport(f"{folder} is not a folder.")
    total = len(_folder_files(folder))
    return ingest_items(
        uow_factory, embedder, read_folder(folder), total, on_progress, batch_size, project_id
    )


def ingest_zip(
    uow_factory: Callable[[], ISyncUnitOfWork],
    embedder: IEmbedder,
    archive: Path,
    on_progress: ProgressCallback | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    project_id: int | None = None,
) -> IngestReport:
    """Import the markdown/text files of a .zip archive (read in memory, never extracted)."""
    try:
        with zipfile.ZipFile(archive) as handle:
            total = len(_zip_members(handle))
    except (zipfile.BadZipFile, OSError) as exc:
        raise UnsupportedImport(f"{archive} cannot be read as a zip archive ({exc}).") from None
    return ingest_items(
        uow_factory, embedder, read_zip(Path(archive)), total, on_progress, batch_size, project_id
    )


def ingest_jsonl(
    uow_factory: Callable[[], ISyncUnitOfWork],
    embedder: IEmbedder,
    path: Path,
    on_progress: ProgressCallback | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    project_id: int | None = None,
) -> IngestReport:
    """Import a JSONL file, one note per line: {"title": …, "text": …} (BEIR's corpus.jsonl
    works as it is: `_id` becomes the note's identity for re-runs)."""
    path = Path(path)
    if not path.is_file():
        raise UnsupportedImport(f"{path} is not a file.")
    with path.open("rb") as handle:
        total = sum(1 for line in handle if line.strip())
    return ingest_items(
        uow_factory, embedder, read_jsonl(path), total, on_progress, batch_size, project_id
    )


def ingest_path(
    uow_factory: Callable[[], ISyncUnitOfWork],
    embedder: IEmbedder,
    path: Path,
    on_progress: ProgressCallback | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    project_id: int | None = None,
) -> IngestReport:
    """A folder, a .zip, a .jsonl, or one markdown/text file."""
    path = Path(path).expanduser()
    args = (on_progress, batch_size, project_id)
    if path.is_dir():
        return ingest_folder(uow_factory, embedder, path, *args)
    if not path.exists():
        raise UnsupportedImport(f"{path} does not exist.")
    suffix = path.suffix.lower()
    if suffix == ".zip":
        return ingest_zip(uow_factory, embedder, path, *args)
    if suffix in JSONL_SUFFIXES:
        return ingest_jsonl(uow_factory, embedder, path, *args)
    if suffix in TEXT_SUFFIXES:
        try:
            with path.open("rb") as handle:
                data = _read_capped(handle.read, path.name)
            item = parse_markdown(path.name, data, f"file:{path.name}")
        except InvalidNote as exc:
            item = ImportItem(path.name, None, str(exc))
        return ingest_items(uow_factory, embedder, iter([item]), 1, *args)
    raise UnsupportedImport(
        f"{path.name} is not a folder, .zip, .jsonl or markdown/text file; nothing was imported."
    )
