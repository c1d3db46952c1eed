"""Turn an uploaded attachment into documents for the loader, safely.

Moderators upload a Markdown document, a petition-site ``.json`` file or a
``.zip`` of many. A zip is untrusted input: entry count, per-entry size and
total uncompressed size (``MAX_UPLOAD_BYTES``) are capped (zip bombs), entries
are unpacked one at a time, paths are only used as names, and entries of other
types or skipped paths become per-file lines rather than failing the whole
upload.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from pathlib import PurePosixPath

from core.common.errors import UserFacingError
from core.ingest.types import Document, FileResult, Outcome, Source

DOCUMENT_SUFFIXES = (".md", ".markdown", ".txt", ".json")
ACCEPTED = (*DOCUMENT_SUFFIXES, ".zip")
MAX_ZIP_ENTRIES = 20_000
MAX_ENTRY_BYTES = 20 * 1024 * 1024


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


def unpack(name: str, data: bytes, max_bytes: int) -> list[Source | FileResult]:
    """Documents from one upload: the file itself, or each document in a zip.

    A zip's entries are read one at a time as the loader reaches them
    (:class:`ZipEntry`), so an upload never costs more than its own bytes plus
    one entry. ``max_bytes`` (the ``MAX_UPLOAD_BYTES`` setting) caps the total
    the archive unpacks to, as the headers declare it and as actually read.
    """
    if suffix(name) != ".zip":
        return [Document(name, data)]
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise UserFacingError(f"`{name}` is not a valid zip archive.") from None
    entries = [info for info in archive.infolist() if not info.is_dir()]
    if len(entries) > MAX_ZIP_ENTRIES:
        raise UserFacingError(
            f"`{name}` has {len(entries):,} files; the limit is {MAX_ZIP_ENTRIES:,}."
        )
    total = sum(info.file_size for info in entries)
    if total > max_bytes:
        raise UserFacingError(
            f"`{name}` unpacks to {total / 1_048_576:.1f} MiB; "
            f"the limit is {max_bytes / 1_048_576:.1f} MiB."
        )
    budget = _Budget(max_bytes)
    return [_entry(archive, name, info, budget) for info in entries]


def _skipped(path: str) -> bool:
    """Hidden files, macOS resource forks, and paths that climb out or are absolute."""
    if path.startswith(("/", "\\")) or "\\" in path:
        return True
    parts = PurePosixPath(path).parts
    return any(part.startswith(".") or part == "__MACOSX" for part in parts)


def _entry(
    archive: zipfile.ZipFile, zip_name: str, info: zipfile.ZipInfo, budget: _Budget
) -> ZipEntry | FileResult:
    label = f"{zip_name}/{info.filename}"
    if _skipped(info.filename):
        return FileResult(
            label,
            Outcome.REJECTED,
            error=f"{label}: skipped (a hidden file, or a path outside the archive's folders)",
        )
    if suffix(info.filename) not in DOCUMENT_SUFFIXES:
        return FileResult(label, Outcome.REJECTED, error=f"{label}: not a petition document type")
    if info.file_size > MAX_ENTRY_BYTES:
        return FileResult(
            label,
            Outcome.REJECTED,
            error=f"{label}: {info.file_size / 1_048_576:.1f} MiB is over the per-file limit",
        )
    return ZipEntry(label, archive, info, budget)


class _Budget:
    """Bytes the entries of one archive may still unpack to (headers can lie).

    An entry may be read twice (a parse helper, then the loader): it is counted once.
    """

    def __init__(self, limit: int) -> None:
        self.left = limit
        self.counted: set[int] = set()  # id() of the ZipInfo of each entry counted

    def allows(self, entry: int) -> int:
        return MAX_ENTRY_BYTES if entry in self.counted else min(MAX_ENTRY_BYTES, self.left)

    def count(self, entry: int, size: int) -> None:
        if entry not in self.counted:
            self.counted.add(entry)
            self.left -= size


class ZipEntry:
    """One zip entry, unpacked only when the loader reads it.

    Pickled (for a parse helper) it becomes a :class:`Document` of its bytes:
    the archive itself never travels.
    """

    def __init__(
        self, name: str, archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: _Budget
    ) -> None:
        self.name = name
        self._archive = archive
        self._info = info
        self._budget = budget
        self._unpacked: bytes | None = None  # sent to a parse helper, not yet read here

    def read(self) -> bytes:
        """The entry's bytes; OSError (the loader's "cannot read") when it cannot be had."""
        if self._unpacked is not None:  # unpacked once for the helper: hand those over
            data, self._unpacked = self._unpacked, None
            return data
        limit = self._budget.allows(id(self._info))
        try:
            with self._archive.open(self._info) as handle:
                data = handle.read(limit + 1)
        except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, zlib.error) as exc:
            raise OSError(f"cannot unpack ({exc})") from None
        if len(data) > limit:  # the header lied about the size
            raise OSError("over the size limit (per file, or for the whole archive)")
        self._budget.count(id(self._info), len(data))
        return data

    def __reduce__(self) -> tuple[type[Document], tuple[str, bytes]]:
        # Kept until the loader reads this entry (a few dozen entries ahead at most),
        # so each entry is decompressed once.
        self._unpacked = self.read()
        return (Document, (self.name, self._unpacked))
