"""Uploads: the zip cap follows MAX_UPLOAD_BYTES, entries unpack one at a time, skips are listed."""

from __future__ import annotations

import io
import pickle
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from core.common.errors import UserFacingError
from core.ingest.loader import ingest_documents_sync
from core.ingest.types import Document, FileResult, Outcome
from core.ingest.uploads import ZipEntry, unpack


def zip_of(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_total_cap_is_the_upload_setting() -> None:
    data = zip_of({f"p{i}.md": b"x" * 1_000_000 for i in range(3)})  # 3 MB unpacked
    with pytest.raises(UserFacingError, match=r"unpacks to 2\.9 MiB; the limit is 2\.0 MiB"):
        unpack("big.zip", data, 2 * 1024 * 1024)
    assert len(unpack("big.zip", data, 4 * 1024 * 1024)) == 3


def test_entries_are_unpacked_one_at_a_time() -> None:
    """40 entries of 1 MB: unpacking the upload must not hold them all (it once did)."""
    data = zip_of({f"p{i:02}.md": bytes([65 + i % 26]) * 1_000_000 for i in range(40)})
    tracemalloc.start()
    try:
        items = unpack("many.zip", data, 100 * 1024 * 1024)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 5_000_000, peak
    assert all(isinstance(item, ZipEntry) for item in items)
    first = items[0]
    assert isinstance(first, ZipEntry)
    assert first.read() == b"A" * 1_000_000


def test_a_lying_header_is_caught_while_reading() -> None:
    """The total is enforced on the bytes actually unpacked, not only the headers."""
    data = zip_of({"a.md": b"a" * 600_000, "b.md": b"b" * 600_000})
    items = unpack("liar.zip", data, 2_000_000)
    budget = items[0]._budget  # type: ignore[union-attr]
    budget.left = 700_000  # as if the headers had understated the sizes
    assert isinstance(items[0], ZipEntry) and isinstance(items[1], ZipEntry)
    assert len(items[0].read()) == 600_000
    with pytest.raises(OSError, match="over the size limit"):
        items[1].read()


def test_skipped_paths_each_get_a_line() -> None:
    data = zip_of(
        {
            "../escape.md": b"x",
            ".hidden/doc.md": b"x",
            "__MACOSX/._doc.md": b"x",
            "/etc/abs.md": b"x",
            "docs/ok.md": b"x",
        }
    )
    items = unpack("paths.zip", data, 10**6)
    lines = {item.name: item for item in items}
    assert isinstance(lines["paths.zip/docs/ok.md"], ZipEntry)
    for name in ("../escape.md", ".hidden/doc.md", "__MACOSX/._doc.md", "/etc/abs.md"):
        result = lines[f"paths.zip/{name}"]
        assert isinstance(result, FileResult) and result.outcome is Outcome.REJECTED
        assert "skipped" in (result.error or "")


def test_an_entry_travels_to_a_parse_helper_as_its_own_bytes() -> None:
    item = unpack("one.zip", zip_of({"a.md": b"hello"}), 10**6)[0]
    copy = pickle.loads(pickle.dumps(item))
    assert copy == Document("one.zip/a.md", b"hello")


def test_zip_entries_ingest_through_the_loader(seed_paths: list[Path], db_path: Path) -> None:
    data = zip_of({p.name: p.read_bytes() for p in seed_paths})
    items = unpack("seeds.zip", data, 10**7)
    report = ingest_documents_sync(db_path, items, parse_workers=0)
    assert [r.outcome for r in report.results] == [Outcome.ADDED] * 3
