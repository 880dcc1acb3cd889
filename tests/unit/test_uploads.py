"""Uploads are judged by content: only whole, readable, unlocked PDF, PNG and JPEG files pass."""

import hashlib
import io
import unicodedata
import zipfile
from functools import cache

import pytest
from PIL import Image
from pypdf import PdfReader, PdfWriter

from sales_service.files.uploads import (
    MIME,
    CheckedUpload,
    FileKind,
    UnsupportedFileType,
    UploadRejected,
    UploadTooLarge,
    check_upload,
)
from tests.upload_corpus import jpeg, pdf, picture, png, png_claiming

LIMIT = 10 * 1_000_000  # the default limit in production


# --- fixtures made in code ------------------------------------------------------------------


@cache
def pdf_without_pages() -> bytes:
    buffer = io.BytesIO()
    PdfWriter().write(buffer)
    return buffer.getvalue()


def encrypted_pdf(user_password: str = "secret") -> bytes:
    writer = PdfWriter()
    writer.add_page(PdfReader(io.BytesIO(pdf())).pages[0])
    writer.encrypt(user_password, owner_password="pemilik")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def pdf_with_encrypt_entry(entry: bytes) -> bytes:
    """A PDF whose trailer announces encryption pypdf cannot open without extra libraries:
    AES-256 (Acrobat's default) needs `cryptography`; certificate security is unsupported."""
    hex_id = b"<" + b"ab" * 16 + b">"
    trailer = b"trailer\n<< /Encrypt << " + entry + b" >> /ID [" + hex_id + hex_id + b"]"
    return pdf().replace(b"trailer\n<<", trailer)


AES_256 = (
    b"/Filter /Standard /V 5 /R 6 /Length 256 /P -4 /O <" + b"11" * 48 + b"> /U <" + b"22" * 48 + b"> "
    b"/OE <" + b"33" * 32 + b"> /UE <" + b"44" * 32 + b"> /Perms <" + b"55" * 16 + b"> "
    b"/CF << /StdCF << /CFM /AESV3 /AuthEvent /DocOpen /Length 32 >> >> /StmF /StdCF /StrF /StdCF"
)
CERTIFICATE = b"/Filter /Adobe.PubSec /V 4 /SubFilter /adbe.pkcs7.s5"


def png_with_bad_checksum() -> bytes:
    """Pixels intact, but the image-data chunk's CRC does not match: damaged in transit."""
    data = bytearray(png())
    start = data.index(b"IDAT")
    length = int.from_bytes(data[start - 4 : start], "big")
    data[start + 4 + length] ^= 0xFF  # first byte of the CRC after the chunk body
    return bytes(data)


def first_half(data: bytes) -> bytes:
    return data[: len(data) // 2]


def docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


# --- what is accepted -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "filename", "kind", "safe_name"),
    [
        (pdf(), "abstrak.pdf", FileKind.PDF, "abstrak.pdf"),
        (pdf(pages=3), "Surat Permohonan.PDF", FileKind.PDF, "Surat Permohonan.pdf"),
        (pdf(), "scan.png", FileKind.PDF, "scan.pdf"),  # the content decides, the name follows
        (pdf(), "laporan.docx", FileKind.PDF, "laporan.pdf"),
        (pdf(), "ringkasan penelitian v1.2", FileKind.PDF, "ringkasan penelitian v1.2.pdf"),
        (pdf(), "a..b.pdf", FileKind.PDF, "a..b.pdf"),
        (pdf(), "  abstrak.pdf  ", FileKind.PDF, "abstrak.pdf"),
        (pdf(), ".pdf", FileKind.PDF, "berkas.pdf"),
        (pdf(), "abstrak.pdf. ", FileKind.PDF, "abstrak.pdf"),
        (pdf(), "Surat_Dinas_Kesehatan_Pekanbaru_Müller_東京.pdf", FileKind.PDF,
         "Surat_Dinas_Kesehatan_Pekanbaru_Müller_東京.pdf"),
        (pdf(), unicodedata.normalize("NFD", "Café Ñusantara.pdf"), FileKind.PDF, "Café Ñusantara.pdf"),
        (png(), "tanda tangan.png", FileKind.PNG, "tanda tangan.png"),
        (png(), "tanda tangan.JPG", FileKind.PNG, "tanda tangan.png"),
        (jpeg(), "foto KTP.jpeg", FileKind.JPEG, "foto KTP.jpg"),
        (jpeg(), "foto.pdf", FileKind.JPEG, "foto.jpg"),
        (pdf(), "a" * 196 + ".pdf", FileKind.PDF, "a" * 196 + ".pdf"),  # exactly 200 characters
    ],
    ids=lambda value: value[:40] if isinstance(value, str) else None,
)
def test_accepts_readable_pdf_png_and_jpeg_and_names_them_by_their_real_type(data, filename, kind, safe_name):
    checked = check_upload(data, filename, max_bytes=LIMIT)

    # A PDF is kept as uploaded; an image is re-encoded, and its size and hash are those of
    # the bytes kept (tests/unit/test_upload_content.py).
    kept = data if kind is FileKind.PDF else checked.data
    assert checked == CheckedUpload(
        kind=kind,
        mime=MIME[kind],
        size=len(kept),
        sha256=hashlib.sha256(kept).hexdigest(),
        safe_name=safe_name,
    )
    assert checked.data == kept


def test_a_file_exactly_at_the_limit_is_accepted_and_one_byte_more_is_not():
    data = pdf()
    assert check_upload(data, "abstrak.pdf", max_bytes=len(data)).size == len(data)
    with pytest.raises(UploadTooLarge):
        check_upload(data, "abstrak.pdf", max_bytes=len(data) - 1)


# --- what is refused, and what the buyer is told --------------------------------------------

NOT_SUPPORTED = "Jenis berkas tidak didukung: hanya PDF, PNG atau JPEG."


@pytest.mark.parametrize(
    ("data", "filename", "error", "phrase"),
    [
        pytest.param(b"", "abstrak.pdf", UploadRejected, "Berkas kosong", id="empty file"),
        pytest.param(
            b"%PDF-1.7\n" + b"\0" * (LIMIT + 1 - 9), "besar.pdf", UploadTooLarge,
            "Berkas terlalu besar: 11 MB; batas 10 MB.", id="over the limit, refused before parsing",
        ),
        # Content that is not one of the three types, whatever its name says.
        pytest.param(b"MZ" + b"\x90" * 510, "laporan.pdf", UnsupportedFileType, NOT_SUPPORTED,
                     id="windows executable named .pdf"),
        pytest.param(b"\x7fELF\x02\x01\x01" + b"\0" * 505, "laporan.pdf", UnsupportedFileType, NOT_SUPPORTED,
                     id="linux executable named .pdf"),
        pytest.param(docx(), "abstrak.pdf", UnsupportedFileType, NOT_SUPPORTED, id="zip/docx named .pdf"),
        pytest.param(b"<!DOCTYPE html><script>alert(1)</script>", "abstrak.pdf", UnsupportedFileType,
                     NOT_SUPPORTED, id="html named .pdf"),
        pytest.param(b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "ttd.png",
                     UnsupportedFileType, NOT_SUPPORTED, id="svg named .png"),
        pytest.param(picture("GIF"), "ttd.png", UnsupportedFileType, NOT_SUPPORTED, id="gif"),
        pytest.param(b"Abstraksi penggunaan data", "abstrak.txt", UnsupportedFileType, NOT_SUPPORTED,
                     id="plain text"),
        pytest.param(b"\n" + pdf(), "abstrak.pdf", UnsupportedFileType, NOT_SUPPORTED,
                     id="pdf header not at the start"),
        # PDFs that cannot be read.
        pytest.param(first_half(pdf()), "abstrak.pdf", UploadRejected, "PDF rusak atau tidak lengkap",
                     id="first half of a pdf"),
        pytest.param(pdf()[: pdf().rindex(b"%%EOF")], "abstrak.pdf", UploadRejected,
                     "PDF rusak atau tidak lengkap", id="pdf cut before %%EOF"),
        pytest.param(b"%PDF-1.4\n" + b"isi acak " * 100, "abstrak.pdf", UploadRejected,
                     "PDF rusak atau tidak lengkap", id="pdf header then garbage"),
        pytest.param(pdf_without_pages(), "abstrak.pdf", UploadRejected, "PDF tidak berisi satu halaman pun",
                     id="pdf without pages"),
        pytest.param(encrypted_pdf(), "abstrak.pdf", UploadRejected, "PDF terkunci/terenkripsi",
                     id="pdf with a password"),
        pytest.param(encrypted_pdf(user_password=""), "abstrak.pdf", UploadRejected, "PDF terkunci/terenkripsi",
                     id="pdf with an owner password only"),
        pytest.param(pdf_with_encrypt_entry(AES_256), "abstrak.pdf", UploadRejected, "PDF terkunci/terenkripsi",
                     id="pdf locked with AES-256"),
        pytest.param(pdf_with_encrypt_entry(CERTIFICATE), "abstrak.pdf", UploadRejected,
                     "PDF terkunci/terenkripsi", id="pdf locked with a certificate"),
        # Images that cannot be decoded.
        pytest.param(b"\x89PNG\r\n\x1a\n" + b"bukan gambar" * 20, "ttd.png", UploadRejected, "Gambar rusak",
                     id="png signature then garbage"),
        pytest.param(first_half(png()), "ttd.png", UploadRejected, "Gambar rusak", id="first half of a png"),
        pytest.param(png_with_bad_checksum(), "ttd.png", UploadRejected, "Gambar rusak", id="png with a bad checksum"),
        pytest.param(b"\xff\xd8\xff" + b"bukan gambar" * 20, "foto.jpg", UploadRejected, "Gambar rusak",
                     id="jpeg signature then garbage"),
        pytest.param(first_half(jpeg()), "foto.jpg", UploadRejected, "Gambar rusak", id="first half of a jpeg"),
        pytest.param(png_claiming(8_000, 8_000), "ttd.png", UploadRejected,
                     "Gambar terlalu besar: lebih dari 25 megapiksel", id="64 megapixels"),
        pytest.param(png_claiming(10_000, 10_000), "ttd.png", UploadRejected,
                     "Gambar terlalu besar: lebih dari 25 megapiksel", id="100 megapixels (Pillow warns)"),
        pytest.param(png_claiming(20_000, 20_000), "ttd.png", UploadRejected,
                     "Gambar terlalu besar: lebih dari 25 megapiksel", id="400 megapixels (Pillow refuses)"),
        # Names that look like paths or hide characters are refused, not quietly repaired.
        pytest.param(pdf(), "../../etc/passwd.pdf", UploadRejected, "Nama berkas tidak diizinkan: ../../etc",
                     id="relative path"),
        pytest.param(pdf(), "..\\x.pdf", UploadRejected, "Nama berkas tidak diizinkan", id="windows path"),
        pytest.param(pdf(), "/etc/passwd", UploadRejected, "Nama berkas tidak diizinkan", id="absolute path"),
        pytest.param(pdf(), "..", UploadRejected, "Nama berkas tidak diizinkan", id="parent directory"),
        pytest.param(pdf(), "abstrak\x00.pdf", UploadRejected, "Nama berkas tidak diizinkan: abstrak?.pdf",
                     id="NUL"),
        pytest.param(pdf(), "abstrak\r\n.pdf", UploadRejected, "Nama berkas tidak diizinkan", id="line break"),
        pytest.param(pdf(), "abstrak\u202efdp.exe", UploadRejected, "Nama berkas tidak diizinkan",
                     id="right-to-left override"),
        pytest.param(pdf(), "   ", UploadRejected, "Nama berkas kosong", id="blank name"),
        pytest.param(pdf(), "", UploadRejected, "Nama berkas kosong", id="no name"),
        pytest.param(pdf(), "a" * 197 + ".pdf", UploadRejected,
                     "Nama berkas terlalu panjang: 201 karakter; batas 200 karakter.", id="201 characters"),
    ],
)
def test_refuses_with_a_message_that_says_why(data, filename, error, phrase):
    with pytest.raises(UploadRejected) as refused:
        check_upload(data, filename, max_bytes=LIMIT)

    assert type(refused.value) is error
    assert phrase in refused.value.message


@pytest.mark.parametrize(
    ("error", "status"), [(UploadRejected, 422), (UploadTooLarge, 413), (UnsupportedFileType, 415)]
)
def test_each_refusal_answers_with_its_http_status(error, status):
    assert error.http_status == status


def test_the_size_message_is_a_template_the_english_page_can_translate():
    template = "Berkas terlalu besar: {size_mb} MB; batas {limit_mb} MB."
    english = {template: "Too large: {size_mb} MB; limit {limit_mb} MB."}

    with pytest.raises(UploadTooLarge) as refused:
        check_upload(b"%PDF-" + b"\0" * 2_000_000, "besar.pdf", max_bytes=2_000_000)

    assert refused.value.message == "Berkas terlalu besar: 3 MB; batas 2 MB."
    assert refused.value.translated(lambda text: english.get(text, text)) == "Too large: 3 MB; limit 2 MB."


def test_checking_images_leaves_pillows_process_wide_limit_alone():
    before = Image.MAX_IMAGE_PIXELS
    with pytest.raises(UploadRejected):
        check_upload(png_claiming(20_000, 20_000), "ttd.png", max_bytes=LIMIT)
    assert Image.MAX_IMAGE_PIXELS == before
