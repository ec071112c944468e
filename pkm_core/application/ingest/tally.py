"""What an import did, file by file."""

from __future__ import annotations

from dataclasses import dataclass, field

from pkm_core.application.dto import IngestReport


@dataclass
class Tally:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    attachments: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)
    vanished: list[tuple[str, str]] = field(default_factory=list)
    files: list[tuple[str, str, str]] = field(default_factory=list)
    cancelled: bool = False

    def outcome(self, source: str, status: str, reason: str = "") -> None:
        self.files.append((source, status, reason))
        if status == "imported":
            self.created += 1
        elif status == "updated":
            self.updated += 1
        elif status == "unchanged":
            self.unchanged += 1
        elif status == "skipped":
            self.skipped.append((source, reason))

    def report(self) -> IngestReport:
        return IngestReport(
            created=self.created,
            updated=self.updated,
            unchanged=self.unchanged,
            skipped=len(self.skipped),
            skipped_items=tuple(self.skipped),
            warnings=tuple(self.warnings),
            vanished=tuple(self.vanished),
            files=tuple(self.files),
            attachments=self.attachments,
            cancelled=self.cancelled,
        )
