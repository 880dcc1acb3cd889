"""Checking an uploaded file by its content before anything is stored.

Only PDF, PNG and JPEG are accepted, judged by their first bytes and by really
parsing them (pypdf, Pillow), never by the name or the browser's content type.
The buyer's file name is kept for display and downloads only: storage is by
content hash, so the name never reaches the file system. Pure module: no Flask,
no SQLAlchemy.
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
import warnings
from dataclasses import dataclass
from enum import StrEnum
from io import BytesIO

from PIL import Image
from pypdf import PdfReader

from sales_service.errors import InvalidInput


class FileKind(StrEnum):
    PDF = "pdf"
    PNG = "png"
    JPEG = "jpeg"


MIME = {FileKind.PDF: "application/pdf", FileKind.PNG: "image/png", FileKind.JPEG: "image/jpeg"}
EXTENSION = {FileKind.PDF: ".pdf", FileKind.PNG: ".png", FileKind.JPEG: ".jpg"}

MAX_NAME_LENGTH = 200
# A scan of an A4 page at 600 dpi is about 35 megapixels; 50 leaves room and keeps the
# decoded image (up to 4 bytes a pixel) near 200 MB at worst. Pillow's own guard (about
# 89 megapixels) is left alone: it is process-wide.
IMAGE_PIXEL_LIMIT = 50_000_000
FALLBACK_STEM = "berkas"

_MAGIC = (
    (b"%PDF-", FileKind.PDF),
    (b"\x89PNG\r\n\x1a\n", FileKind.PNG),
    (b"\xff\xd8\xff", FileKind.JPEG),
)
_PILLOW_FORMAT = {FileKind.PNG: "PNG", FileKind.JPEG: "JPEG"}
# What counts as an extension to replace: "laporan.docx" -> "laporan", but "survei v1.2"
# keeps its ".2" (digits only are part of the name, not a type).
_EXTENSION = re.compile(r"\.(?=[0-9A-Za-z]*[A-Za-z])[0-9A-Za-z]{1,5}$")


class UploadRejected(InvalidInput):
    """The uploaded file cannot be accepted (empty, damaged, locked or badly named)."""


class UploadTooLarge(UploadRejected):
    http_status = 413


class UnsupportedFileType(UploadRejected):
    http_status = 415


@dataclass(frozen=True)
class CheckedUpload:
    kind: FileKind
    mime: str
    size: int
    sha256: str  # hex, also the storage key
    safe_name: str  # the buyer's name, extension of the real type ("scan.png" holding a PDF -> "scan.pdf")


def check_upload(data: bytes, filename: str, *, max_bytes: int) -> CheckedUpload:
    """Accept ``data`` as a PDF, PNG or JPEG, or raise an :class:`UploadRejected` saying why.

    Cheap checks come first: size before anything is parsed, the name before the content.
    """
    size = len(data)
    if size == 0:
        raise UploadRejected("Berkas kosong (0 byte); pilih berkas yang berisi dokumen.")
    if size > max_bytes:
        raise UploadTooLarge(
            "Berkas terlalu besar: {size_mb} MB; batas {limit_mb} MB.",
            # Whole megabytes, numbers rather than text so no decimal comma reaches the English
            # page; the size rounds up so a file just over 10 MB never reads "10 MB; batas 10 MB".
            size_mb=math.ceil(size / 1_000_000),
            limit_mb=max_bytes // 1_000_000,
        )
    name = _clean_name(filename)
    kind = _sniff(data)
    if kind is FileKind.PDF:
        _check_pdf(data)
    else:
        _check_image(data, kind)
    return CheckedUpload(
        kind=kind,
        mime=MIME[kind],
        size=size,
        sha256=hashlib.sha256(data).hexdigest(),
        safe_name=_with_extension(name, kind),
    )


def _clean_name(filename: str) -> str:
    """The buyer's file name, refused rather than silently repaired when it looks like a path."""
    name = unicodedata.normalize("NFC", filename or "").strip()
    if not name:
        raise UploadRejected("Nama berkas kosong; beri nama pada berkas lalu unggah lagi.")
    if len(name) > MAX_NAME_LENGTH:
        raise UploadRejected(
            "Nama berkas terlalu panjang: {length} karakter; batas {limit} karakter.",
            length=len(name),
            limit=MAX_NAME_LENGTH,
        )
    # Category C: control characters (NUL, newline), format characters such as the
    # right-to-left override that disguises "fdp.exe", surrogates, unassigned code points.
    has_control = any(unicodedata.category(char).startswith("C") for char in name)
    if "/" in name or "\\" in name or name in (".", "..") or has_control:
        shown = "".join("?" if unicodedata.category(char).startswith("C") else char for char in name)
        raise UploadRejected(
            "Nama berkas tidak diizinkan: {name}. Ganti nama berkas tanpa garis miring (/ atau \\), "
            "'..' atau karakter kendali, lalu unggah lagi.",
            name=shown,
        )
    return name


def _with_extension(name: str, kind: FileKind) -> str:
    stem = _EXTENSION.sub("", name.rstrip(" .")).rstrip(" .")  # "abstrak.pdf." -> "abstrak"
    return (stem or FALLBACK_STEM) + EXTENSION[kind]


def _sniff(data: bytes) -> FileKind:
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    raise UnsupportedFileType("Jenis berkas tidak didukung: hanya PDF, PNG atau JPEG.")


def _check_pdf(data: bytes) -> None:
    # pypdf warns (and logs) about every oddity of a damaged file; with strict=False it
    # repairs what it can, and what it cannot repair raises. Either way the verdict is ours.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            reader = PdfReader(BytesIO(data), strict=False)
            encrypted = reader.is_encrypted  # before the pages: they cannot be read while locked
            pages = 0 if encrypted else len(reader.pages)
        except MemoryError:
            raise
        except Exception as error:  # PdfReadError, but also ValueError, KeyError, RecursionError, ...
            # AES-256 (Acrobat's default) needs a crypto library we do not install and certificate
            # encryption is not supported at all: pypdf raises before telling us the file is locked.
            if b"/Encrypt" in data:
                raise _pdf_locked() from error
            raise UploadRejected(
                "PDF rusak atau tidak lengkap; simpan ulang atau ekspor lagi PDF-nya, lalu unggah lagi."
            ) from error
    if encrypted:
        raise _pdf_locked()
    if pages < 1:
        raise UploadRejected("PDF tidak berisi satu halaman pun; unggah dokumen yang lengkap.")


def _pdf_locked() -> UploadRejected:
    return UploadRejected("PDF terkunci/terenkripsi; unggah versi tanpa kata sandi.")


def _check_image(data: bytes, kind: FileKind) -> None:
    formats = [_PILLOW_FORMAT[kind]]  # only the decoder the first bytes announced
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # Pillow warns above about 89 megapixels and raises above twice that; ours is lower.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(BytesIO(data), formats=formats) as image:
                width, height = image.size
                if width * height > IMAGE_PIXEL_LIMIT:
                    raise _image_too_large()
                image.verify()  # structure and checksums, without decoding
            with Image.open(BytesIO(data), formats=formats) as image:
                image.load()  # the pixels themselves: catches a truncated or garbled body
        except UploadRejected:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
            raise _image_too_large() from error
        except MemoryError:
            raise
        except Exception as error:  # OSError, SyntaxError, ValueError, struct.error, ...
            raise UploadRejected(
                "Gambar rusak atau tidak lengkap; simpan ulang gambarnya sebagai PNG atau JPEG, lalu unggah lagi."
            ) from error


def _image_too_large() -> UploadRejected:
    return UploadRejected(
        "Gambar terlalu besar: lebih dari {limit} megapiksel; perkecil resolusinya lalu unggah lagi.",
        limit=IMAGE_PIXEL_LIMIT // 1_000_000,
    )
