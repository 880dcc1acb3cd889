"""Checking an uploaded file by its content before anything is stored.

Only PDF, PNG and JPEG are accepted, judged by their first bytes and by really
parsing them (pypdf, Pillow), never by the name or the browser's content type.
A PDF must start with its header and carry no active content (JavaScript, launch
or other dangerous actions, automatic actions, embedded files, XFA or rich media);
it is kept as uploaded. An image is decoded and written anew, so what is kept is
exactly the picture: no metadata, no comments, nothing appended after it.
The buyer's file name is kept for display and downloads only: storage is by
content hash, so the name never reaches the file system. Pure module: no Flask,
no SQLAlchemy.
"""

from __future__ import annotations

import hashlib
import math
import re
import threading
import unicodedata
import warnings
from dataclasses import dataclass, field
from enum import StrEnum
from io import BytesIO

from PIL import ExifTags, Image, ImageOps
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from sales_service.errors import N_, InvalidInput


class FileKind(StrEnum):
    PDF = "pdf"
    PNG = "png"
    JPEG = "jpeg"


MIME = {FileKind.PDF: "application/pdf", FileKind.PNG: "image/png", FileKind.JPEG: "image/jpeg"}
EXTENSION = {FileKind.PDF: ".pdf", FileKind.PNG: ".png", FileKind.JPEG: ".jpg"}

MAX_NAME_LENGTH = 200
# What scanned documents and phone photos need: an A4 page at 300 dpi is 2480 x 3508, about
# 8.7 megapixels; A3 at 300 dpi or A4 at 400 dpi is about 17; a 24-megapixel phone camera
# photo of an identity card is the largest common case. 25 megapixels covers those, and
# keeps one decoded image (up to 4 bytes a pixel) at 100 MB at worst. Pillow's own guard
# (about 89 megapixels) is left alone: it is process-wide.
IMAGE_PIXEL_LIMIT = 25_000_000
# A PDF's object graph is walked for active content; a real document of 10 MB has some
# thousands of objects. Far more is a file built to make the walk itself expensive.
PDF_OBJECT_LIMIT = 200_000
FALLBACK_STEM = "berkas"

_MAGIC = (
    (b"%PDF-", FileKind.PDF),
    (b"\x89PNG\r\n\x1a\n", FileKind.PNG),
    (b"\xff\xd8\xff", FileKind.JPEG),
)
_PILLOW_FORMAT = {FileKind.PNG: "PNG", FileKind.JPEG: "JPEG"}
# The header line, then only comment lines (a binary marker, a producer's note) until the
# first object: nothing a browser or another reader could take for HTML or script.
_WS = rb"[ \t\r\n\f\x00]"
_PDF_START = re.compile(
    rb"%PDF-\d\.\d" + _WS + rb"*(?:%[^\r\n<]*[\r\n]+" + _WS + rb"*)*\d+" + _WS + rb"+\d+" + _WS + rb"+obj\b"
)
_MARKUP = re.compile(rb"<\s*[!?a-zA-Z/]")
# Names that carry or start active content wherever they appear in the object graph.
_ACTIVE_KEYS = {
    "/JS": N_("JavaScript"), "/JavaScript": N_("JavaScript"), "/AA": N_("aksi otomatis"),
    "/EmbeddedFiles": N_("berkas tersemat"), "/EmbeddedFile": N_("berkas tersemat"), "/EF": N_("berkas tersemat"),
    "/RichMedia": N_("media aktif"), "/XFA": N_("formulir XFA"),
}
# Action types (/S) that run something, fetch or send data, or open another file.
_ACTIVE_ACTIONS = {
    "/JavaScript": N_("JavaScript"), "/Launch": N_("aksi peluncuran program"), "/ImportData": N_("aksi impor data"),
    "/SubmitForm": N_("aksi kirim formulir"), "/GoToR": N_("aksi membuka berkas lain"),
    "/GoToE": N_("berkas tersemat"), "/RichMediaExecute": N_("media aktif"), "/Rendition": N_("media aktif"),
    "/Movie": N_("media aktif"), "/Sound": N_("media aktif"),
}

# How many images are decoded at once in this process; see ``limit_concurrent_decodes``.
_decode_slots = threading.BoundedSemaphore(2)
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
    # What to store: the PDF as uploaded, or the re-encoded image (size and sha256 are of it).
    data: bytes = field(default=b"", compare=False, repr=False)


def limit_concurrent_decodes(slots: int) -> None:
    """At most ``slots`` uploaded images are decoded at once in this process (the app
    factory sets it from ``SALES_IMAGE_DECODE_SLOTS``); further uploads wait their turn, so
    a burst of large images cannot take more than ``slots`` x 100 MB."""
    global _decode_slots
    _decode_slots = threading.BoundedSemaphore(max(1, slots))


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
        kept = data
    else:
        kept = _reencode_image(data, kind)
    return CheckedUpload(
        kind=kind,
        mime=MIME[kind],
        size=len(kept),
        sha256=hashlib.sha256(kept).hexdigest(),
        safe_name=_with_extension(name, kind),
        data=kept,
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
            active = None if encrypted else _active_content(reader)
        except (MemoryError, UploadRejected):
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
    if not _PDF_START.match(data) or data.count(b"%PDF-") > 1 or _MARKUP.search(_after_last_eof(data)):
        raise UploadRejected(
            "PDF berisi data lain di luar dokumennya (misalnya HTML); ekspor ulang PDF-nya dari aplikasi "
            "aslinya, lalu unggah lagi."
        )
    if active:
        raise UploadRejected(
            "PDF berisi konten aktif ({what}) yang tidak diterima; cetak ulang dokumennya ke PDF biasa "
            "(Print to PDF) lalu unggah lagi.",
            what=active,
        )


def _after_last_eof(data: bytes) -> bytes:
    end = data.rfind(b"%%EOF")
    return data[end + 5:] if end >= 0 else b""


def _active_content(reader: PdfReader) -> str | None:
    """What active content the document holds (an Indonesian noun phrase), or None.

    Walks every object reachable from the trailer, resolving references once each; stream
    dictionaries are looked at, their (compressed) contents are not. Names arrive decoded
    (``/J#61vaScript`` is ``/JavaScript``)."""
    seen: set[tuple[int, int]] = set()
    stack: list = [reader.trailer]
    visited = 0
    while stack:
        node = stack.pop()
        if isinstance(node, IndirectObject):
            key = (node.idnum, node.generation)
            if key in seen:
                continue
            seen.add(key)
            node = node.get_object()
        visited += 1
        if visited > PDF_OBJECT_LIMIT:
            raise UploadRejected("PDF terlalu rumit untuk diperiksa; simpan ulang sebagai PDF biasa lalu unggah lagi.")
        if isinstance(node, DictionaryObject):
            for name, what in _ACTIVE_KEYS.items():
                if name in node:
                    return what
            action = node.get("/S")
            if action in _ACTIVE_ACTIONS:
                return _ACTIVE_ACTIONS[action]
            opening = node.get("/OpenAction")
            if opening is not None and _is_action(opening):
                return N_("aksi otomatis saat dibuka")
            stack.extend(node.values())
        elif isinstance(node, ArrayObject):
            stack.extend(node)
    return None


def _is_action(value) -> bool:
    """An /OpenAction that is an action other than going to a page. A destination (an array
    such as ``[3 0 R /Fit]``, how word processors set the first view) is harmless."""
    value = value.get_object() if isinstance(value, IndirectObject) else value
    return isinstance(value, DictionaryObject) and value.get("/S") != "/GoTo"


def _pdf_locked() -> UploadRejected:
    return UploadRejected("PDF terkunci/terenkripsi; unggah versi tanpa kata sandi.")


def _reencode_image(data: bytes, kind: FileKind) -> bytes:
    """The image written anew by Pillow: pixels, colour profile and transparency kept;
    metadata (EXIF with its GPS position, comments, text chunks) and any bytes after the
    image dropped. The size is read from the header first, before a pixel is decoded, and
    only a few decodes run at once (``limit_concurrent_decodes``)."""
    formats = [_PILLOW_FORMAT[kind]]  # only the decoder the first bytes announced
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # Pillow warns above about 89 megapixels and raises above twice that; ours is lower.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(BytesIO(data), formats=formats) as image:  # reads the header only
                width, height = image.size
                if width * height > IMAGE_PIXEL_LIMIT:
                    raise _image_too_large()
                image.verify()  # structure and checksums, without decoding
            with _decode_slots, Image.open(BytesIO(data), formats=formats) as image:
                image.load()  # the pixels themselves: catches a truncated or garbled body
                return _encode(image, kind)
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


def _encode(image: Image.Image, kind: FileKind) -> bytes:
    options = {}
    if image.info.get("icc_profile"):
        options["icc_profile"] = image.info["icc_profile"]
    buffer = BytesIO()
    if kind is FileKind.PNG:
        if "transparency" in image.info:
            options["transparency"] = image.info["transparency"]
        image.save(buffer, "PNG", **options)
    elif image.getexif().get(ExifTags.Base.Orientation, 1) != 1:
        # A phone photo stored sideways with an orientation tag: turn the pixels, since the
        # tag goes with the rest of the metadata.
        ImageOps.exif_transpose(image).save(buffer, "JPEG", quality=90, **options)
    else:
        # The original quantisation tables and subsampling: no visible loss from re-encoding.
        image.save(buffer, "JPEG", quality="keep", subsampling="keep", **options)
    return buffer.getvalue()


def _image_too_large() -> UploadRejected:
    return UploadRejected(
        "Gambar terlalu besar: lebih dari {limit} megapiksel; perkecil resolusinya lalu unggah lagi.",
        limit=IMAGE_PIXEL_LIMIT // 1_000_000,
    )
