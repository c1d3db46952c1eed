"""Turn an uploaded attachment into documents for the loader, safely.

Moderators upload a Markdown document, a petition-site ``.json`` file or a
``.zip`` of many. A zip is untrusted input: entry count, per-entry size and
total uncompressed size are capped (zip bombs), paths are only used as names,
and entries of other types become per-file rejections rather than failing the
whole upload.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import PurePosixPath

from core.common.errors import UserFacingError
from core.ingest.types import Document, FileResult, Outcome

DOCUMENT_SUFFIXES = (".md", ".markdown", ".txt", ".json")
ACCEPTED = (*DOCUMENT_SUFFIXES, ".zip")
MAX_ZIP_ENTRIES = 20_000
MAX_ENTRY_BYTES = 20 * 1024 * 1024
MAX_TOTAL_BYTES = 512 * 1024 * 1024


def suffix(name: str) -> str:
    return PurePosixPath(name.lower()).suffix


def check_upload(name: str, size: int, max_bytes: int) -> None:
    """Refuse before downloading: wrong type or too large."""
    if suffix(name) not in ACCEPTED:
        raise UserFacingError(
            f"`{name}` is not a petition document: send a .md, .txt, .json or .zip file."
        )
    if size > max_bytes:
        raise UserFacingError(
            f"`{name}` is {size / 1_048_576:.1f} MiB; the limit is {max_bytes / 1_048_576:.1f} MiB."
        )


def unpack(name: str, data: bytes) -> list[Document | FileResult]:
    """Documents from one upload: the file itself, or each document in a zip."""
    if suffix(name) != ".zip":
        return [Document(name, data)]
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise UserFacingError(f"`{name}` is not a valid zip archive.") from None
    with archive:
        entries = [info for info in archive.infolist() if not info.is_dir()]
        if len(entries) > MAX_ZIP_ENTRIES:
            raise UserFacingError(
                f"`{name}` has {len(entries):,} files; the limit is {MAX_ZIP_ENTRIES:,}."
            )
        total = sum(info.file_size for info in entries)
        if total > MAX_TOTAL_BYTES:
            raise UserFacingError(
                f"`{name}` unpacks to {total / 1_048_576:.0f} MiB; "
                f"the limit is {MAX_TOTAL_BYTES / 1_048_576:.0f} MiB."
            )
        return [_entry(archive, name, info) for info in entries if not _ignored(info.filename)]


def _ignored(path: str) -> bool:
    parts = PurePosixPath(path).parts
    return any(part.startswith(".") or part == "__MACOSX" for part in parts)


def _entry(archive: zipfile.ZipFile, zip_name: str, info: zipfile.ZipInfo) -> Document | FileResult:
    label = f"{zip_name}/{info.filename}"
    if suffix(info.filename) not in DOCUMENT_SUFFIXES:
        return FileResult(label, Outcome.REJECTED, error=f"{label}: not a petition document type")
    if info.file_size > MAX_ENTRY_BYTES:
        return FileResult(
            label,
            Outcome.REJECTED,
            error=f"{label}: {info.file_size / 1_048_576:.1f} MiB is over the per-file limit",
        )
    try:
        with archive.open(info) as handle:
            data = handle.read(MAX_ENTRY_BYTES + 1)
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as exc:
        return FileResult(label, Outcome.REJECTED, error=f"{label}: cannot unpack ({exc})")
    if len(data) > MAX_ENTRY_BYTES:  # header lied about the size
        return FileResult(label, Outcome.REJECTED, error=f"{label}: over the per-file limit")
    return Document(label, data)
