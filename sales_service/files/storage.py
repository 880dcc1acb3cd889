"""Content-addressed file store: a file's key is the SHA-256 of its bytes.

Files live under ``root/ab/cd/abcd...`` (two levels of fan-out keep directories small).
Nothing is ever deleted or changed: the same bytes always land at the same key, so a
second upload of a file is free and an order's old document versions stay readable.
Keys are checked before they become paths, so no key can point outside ``root``.
Pure module: no Flask, no SQLAlchemy.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

from sales_service.errors import NotFound

FILE_MODE = 0o640  # the service user writes, its group (backups) reads, nobody else
DIR_MODE = 0o750
_KEY = re.compile(r"[0-9a-f]{64}")


class StoredFileMissing(NotFound):
    def __init__(self, key: str):
        super().__init__("Berkas tidak ditemukan di penyimpanan (kode {key}).", key=key)


class FileStorage:
    def __init__(self, root: str | Path):
        self.root = Path(root)

    def path(self, key: str) -> Path:
        if not isinstance(key, str) or not _KEY.fullmatch(key):
            raise ValueError(f"not a storage key (64 lowercase hex digits): {key!r}")
        return self.root / key[0:2] / key[2:4] / key

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def put(self, data: bytes) -> str:
        """Keep ``data`` and return its key; a no-op when the same bytes are already stored."""
        key = hashlib.sha256(data).hexdigest()
        target = self.path(key)
        if target.is_file():
            return key
        target.parent.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
        # Written under a temporary name in the same directory, then renamed: a reader never
        # sees half a file, and a crash leaves only a stray ".tmp-" file, never a wrong one.
        fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                os.fchmod(handle.fileno(), FILE_MODE)
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            # A concurrent put of the same bytes may have won the race; replacing its file
            # with identical bytes loses nothing.
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        _fsync_directory(target.parent)  # the rename itself survives a power cut
        return key

    def get(self, key: str) -> bytes:
        try:
            return self.path(key).read_bytes()
        except FileNotFoundError:
            raise StoredFileMissing(key) from None


def _fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
