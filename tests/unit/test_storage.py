"""The file store keeps bytes by their SHA-256, under its root only, and never loses or rewrites one."""

import hashlib
import os
import stat

import pytest

from sales_service.files import storage
from sales_service.files.storage import FileStorage, StoredFileMissing

ABSTRACT = b"%PDF-1.7 abstraksi penggunaan data"
LETTER = b"%PDF-1.7 surat permohonan"


@pytest.fixture
def store(tmp_path):
    return FileStorage(tmp_path / "uploads")  # the directory does not exist yet


def files_under(directory):
    return sorted(path for path in directory.rglob("*") if path.is_file())


def test_put_returns_the_sha256_and_get_gives_the_same_bytes_back(store):
    key = store.put(ABSTRACT)

    assert key == hashlib.sha256(ABSTRACT).hexdigest()
    assert store.get(key) == ABSTRACT
    assert store.exists(key)


def test_files_are_fanned_out_by_key_and_readable_by_owner_and_group_only(store):
    key = store.put(ABSTRACT)

    assert store.path(key) == store.root / key[:2] / key[2:4] / key
    assert stat.S_IMODE(store.path(key).stat().st_mode) == 0o640


def test_storing_the_same_bytes_again_keeps_the_first_file_untouched(store):
    key = store.put(ABSTRACT)
    os.utime(store.path(key), ns=(1_000_000_000, 1_000_000_000))  # an old timestamp to compare with
    inode = store.path(key).stat().st_ino

    assert store.put(ABSTRACT) == key
    assert store.path(key).stat().st_mtime_ns == 1_000_000_000
    assert store.path(key).stat().st_ino == inode
    assert files_under(store.root) == [store.path(key)]


def test_different_bytes_get_different_keys_and_both_stay_readable(store):
    first, second = store.put(ABSTRACT), store.put(LETTER)

    assert first != second
    assert (store.get(first), store.get(second)) == (ABSTRACT, LETTER)


def test_a_missing_file_is_reported_as_not_found(store):
    key = hashlib.sha256(b"never stored").hexdigest()

    assert not store.exists(key)
    with pytest.raises(StoredFileMissing) as missing:
        store.get(key)
    assert missing.value.http_status == 404
    assert "Berkas tidak ditemukan di penyimpanan" in missing.value.message


@pytest.mark.parametrize(
    "key",
    [
        "../etc/passwd",
        "../" + "a" * 61,
        "A" * 64,  # upper case: one file must have one key
        "a" * 63,
        "a" * 65,
        "a" * 64 + "\n",
        "g" * 64,
        "",
        None,
    ],
)
@pytest.mark.parametrize("operation", ["get", "path", "exists"])
def test_malformed_keys_never_become_paths(store, key, operation):
    with pytest.raises(ValueError):
        getattr(store, operation)(key)


def test_everything_stays_under_the_root_and_no_temporary_files_remain(tmp_path, store):
    keys = [store.put(ABSTRACT), store.put(LETTER), store.put(ABSTRACT)]

    assert files_under(tmp_path) == sorted(store.path(key) for key in set(keys))
    assert all(path.is_relative_to(store.root) for path in files_under(tmp_path))


def test_a_failed_write_leaves_no_file_behind(store, monkeypatch):
    def disk_full(_fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(storage.os, "fsync", disk_full)
    with pytest.raises(OSError):
        store.put(ABSTRACT)

    assert not store.exists(hashlib.sha256(ABSTRACT).hexdigest())
    assert files_under(store.root) == []
