"""Hostile and harmless uploads, made in code: one corpus for the unit checks and the
web corpus test (every case posted through a real upload route)."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from functools import cache

from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    TextStringObject,
)
from reportlab.pdfgen import canvas

JS = "app.alert('pwned')"


@cache
def pdf(pages: int = 1) -> bytes:
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    for number in range(pages):
        page.drawString(72, 750, f"Surat permohonan, halaman {number + 1}")
        page.showPage()
    page.save()
    return buffer.getvalue()


def _writer() -> PdfWriter:
    writer = PdfWriter()
    writer.add_page(PdfReader(io.BytesIO(pdf())).pages[0])
    return writer


def _bytes(writer: PdfWriter) -> bytes:
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _action(kind: str, **entries) -> DictionaryObject:
    action = DictionaryObject({NameObject("/Type"): NameObject("/Action"), NameObject("/S"): NameObject(kind)})
    for key, value in entries.items():
        action[NameObject("/" + key)] = value
    return action


def pdf_with_javascript_name_tree() -> bytes:
    """Document-level JavaScript: /Root /Names /JavaScript, run by Acrobat when opened."""
    writer = _writer()
    script = writer._add_object(_action("/JavaScript", JS=TextStringObject(JS)))
    names = DictionaryObject({NameObject("/Names"): ArrayObject([TextStringObject("init"), script])})
    writer._root_object[NameObject("/Names")] = DictionaryObject({NameObject("/JavaScript"): names})
    return _bytes(writer)


def pdf_with_javascript_open_action() -> bytes:
    writer = _writer()
    writer._root_object[NameObject("/OpenAction")] = _action("/JavaScript", JS=TextStringObject(JS))
    return _bytes(writer)


def pdf_with_launch_action() -> bytes:
    writer = _writer()
    launch = _action("/Launch", F=TextStringObject("cmd.exe"))
    annotation = DictionaryObject({
        NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Link"),
        NameObject("/Rect"): ArrayObject([NumberObject(0), NumberObject(0), NumberObject(100), NumberObject(100)]),
        NameObject("/A"): launch,
    })
    writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(annotation)])
    return _bytes(writer)


def pdf_with_embedded_file() -> bytes:
    writer = _writer()
    writer.add_attachment("lampiran.exe", b"MZ\x90\x00")
    return _bytes(writer)


def pdf_with_page_auto_action() -> bytes:
    """/AA on a page: an action run when the page opens, whatever its type."""
    writer = _writer()
    writer.pages[0][NameObject("/AA")] = DictionaryObject(
        {NameObject("/O"): _action("/URI", URI=TextStringObject("https://example.test/track"))})
    return _bytes(writer)


def pdf_with_hex_escaped_javascript() -> bytes:
    """``/J#61vaScript``: the name spelled with an escape, to slip past a byte search."""
    escaped = pdf_with_javascript_name_tree().replace(b"/JavaScript", b"/J#61vaScript").replace(b"/JS ", b"/J#53 ")
    assert b"/JavaScript" not in escaped and b"/JS " not in escaped
    return escaped


def pdf_with_go_to_open_action() -> bytes:
    """How word processors set the first view: /OpenAction [page /Fit]. Harmless, accepted."""
    writer = _writer()
    writer._root_object[NameObject("/OpenAction")] = ArrayObject(
        [writer.pages[0].indirect_reference, NameObject("/Fit")])
    return _bytes(writer)


def pdf_html_polyglot() -> bytes:
    """``%PDF-`` then an HTML page, then a whole valid PDF: a browser sniffing it sees HTML."""
    return b"%PDF-1.4\n<html><body><script>alert(document.cookie)</script></body></html>\n" + pdf()


def pdf_with_html_after_eof() -> bytes:
    return pdf() + b"\n<html><script>alert(1)</script></html>\n"


def picture(kind: str, size: tuple[int, int] = (64, 48), **options) -> bytes:
    image = Image.new("RGB", size)
    image.putdata([(x * 4 % 256, y * 5 % 256, (x * y) % 256) for y in range(size[1]) for x in range(size[0])])
    buffer = io.BytesIO()
    image.save(buffer, kind, **options)
    return buffer.getvalue()


@cache
def png() -> bytes:
    return picture("PNG")


@cache
def jpeg() -> bytes:
    return picture("JPEG")


def jpeg_with_html_appended() -> bytes:
    return jpeg() + b"<html><script>alert(document.cookie)</script></html>"


def jpeg_with_gps_exif() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "KameraKu"  # Make
    exif[0x8825] = {1: "S", 2: (7.0, 42.0, 0.0)}  # GPS: where the buyer lives
    return picture("JPEG", exif=exif.tobytes())


def png_with_text_chunk() -> bytes:
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Comment", "<script>alert(1)</script>")
    return picture("PNG", pnginfo=info)


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims huge dimensions: a decompression bomb's calling card."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")
    )


def encrypted_pdf() -> bytes:
    writer = _writer()
    writer.encrypt("secret", owner_password="pemilik")
    return _bytes(writer)


def docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()
