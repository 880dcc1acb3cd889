"""Order pages through HTTP: the buyer's and the officer's happy paths, refused
uploads, and that nobody reaches another buyer's order or file."""

import gc
import re
from datetime import date
from io import BytesIO
from pathlib import Path

import pytest
from sqlalchemy import func, select

from sales_service.files.models import StoredFile
from sales_service.files.storage import FileStorage
from sales_service.invoices import services as invoicing
from sales_service.invoices.gateway import SimulatedSimponi
from sales_service.orders import ordering, review
from sales_service.orders.models import Order
from sales_service.orders.workflow import Actor
from sales_service.roles import Role
from tests.conftest import csrf_token, login
from tests.factories import ABSTRACT, make_buyer, make_map, make_microdata, make_publication, make_staff, pdf_bytes


@pytest.fixture
def world(db_session):
    buyer = make_buyer(db_session, email="ani@example.test", full_name="Ani Buyer")
    make_buyer(db_session, email="lain@example.test", full_name="Other Buyer")
    officer = make_staff(db_session, Role.OFFICER, email="petugas@example.test", full_name="Petugas Satu")
    dataset = make_microdata(db_session, record_count=500_000)
    publication = make_publication(db_session, pages=60)
    digital_map = make_map(db_session)
    db_session.commit()
    return dict(buyer=buyer, officer=officer, dataset=dataset, dataset_id=dataset.id,
                variable_ids=[v.id for v in dataset.variables][:2], publication_id=publication.id,
                map_id=digital_map.id)


def _order_id(response) -> int:
    return int(re.search(r"/pesanan/(\d+)", response.headers["Location"]).group(1))


def place_order(client, world) -> int:
    login(client, "ani@example.test")
    token = csrf_token(client, "/katalog")
    response = client.post("/pesanan/tambah", data={"product_id": world["dataset_id"], "var": world["variable_ids"],
                                                    "csrf_token": token})
    assert response.status_code == 302
    order_id = _order_id(response)
    client.post(f"/pesanan/{order_id}/rincian", data={"purpose": "Penelitian tesis", "commercial": "0",
                                                      "csrf_token": token})
    return order_id


def add_abstract(client, order_id, **extra):
    data = dict(ABSTRACT, csrf_token=csrf_token(client, "/katalog"))
    data.update({key: (BytesIO(value[0]), value[1]) for key, value in extra.items()})
    data["no_redistribution"] = "on"
    return client.post(f"/pesanan/{order_id}/abstrak", data=data, content_type="multipart/form-data")


def test_buyer_orders_uploads_an_abstract_and_submits(client, world):
    order_id = place_order(client, world)
    page = client.get(f"/pesanan/{order_id}").get_data(as_text=True)
    assert "Abstraksi penggunaan data" in page and "belum ada" in page  # the checklist
    refused = client.post(f"/pesanan/{order_id}/ajukan", data={"csrf_token": csrf_token(client, "/katalog")})
    assert refused.status_code == 409
    assert "Persyaratan belum lengkap: Abstraksi penggunaan data." in refused.get_data(as_text=True)

    assert add_abstract(client, order_id, file=(pdf_bytes(), "abstrak.pdf")).status_code == 302
    submitted = client.post(f"/pesanan/{order_id}/ajukan", data={"csrf_token": csrf_token(client, "/katalog")})
    assert submitted.status_code == 302
    page = client.get(f"/pesanan/{order_id}").get_data(as_text=True)
    assert "Diajukan, menunggu pemeriksaan" in page
    assert "abstrak.pdf" in page and "Ani Buyer" in page  # version list and timeline
    assert client.get("/pesanan").get_data(as_text=True).count(f"/pesanan/{order_id}") == 1


def test_officer_returns_and_buyer_sees_the_reason(client, world, app):
    order_id = place_order(client, world)
    add_abstract(client, order_id)
    client.post(f"/pesanan/{order_id}/ajukan", data={"csrf_token": csrf_token(client, "/katalog")})
    client.post("/keluar", data={"csrf_token": csrf_token(client, "/katalog")})

    login(client, "petugas@example.test")
    queue = client.get("/petugas/pesanan").get_data(as_text=True)
    assert f"/pesanan/{order_id}" in queue and "Ani Buyer" in queue
    page = client.get(f"/pesanan/{order_id}").get_data(as_text=True)
    assert "Variabel yang dipesan" in page and "R101" in page  # beside the abstract's stated variables
    response = client.post(f"/pesanan/{order_id}/kembalikan", data={
        "reason_abstract": "Metode belum dijelaskan.", "csrf_token": csrf_token(client, "/katalog")})
    assert response.status_code == 302
    client.post("/keluar", data={"csrf_token": csrf_token(client, "/katalog")})

    login(client, "ani@example.test")
    page = client.get(f"/pesanan/{order_id}").get_data(as_text=True)
    assert "Dikembalikan untuk perbaikan" in page and "Metode belum dijelaskan." in page


def test_htmx_queue_filter_returns_the_rows_fragment(client, world):
    make_staff_login = login(client, "petugas@example.test")
    assert make_staff_login.status_code == 302
    response = client.get("/petugas/pesanan?q=ani", headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith('<section id="queue">') and "HX-Request" in response.headers["Vary"]


def encrypted_pdf() -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    writer.append(PdfReader(BytesIO(pdf_bytes())))
    writer.encrypt("rahasia")
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


BAD_UPLOADS = {
    "executable renamed .pdf": (b"MZ\x90\x00\x03" + b"\x00" * 500, "abstrak.pdf", 415),
    "truncated pdf": (pdf_bytes()[:300], "abstrak.pdf", 422),
    "encrypted pdf": (encrypted_pdf(), "abstrak.pdf", 422),
    "png that does not decode": (b"\x89PNG\r\n\x1a\n" + b"\x00garbage" * 20, "scan.png", 422),
    "path in the name": (pdf_bytes(), "../../etc/passwd.pdf", 422),
    "empty file": (b"", "kosong.pdf", 422),
}


@pytest.mark.parametrize("case", BAD_UPLOADS, ids=list(BAD_UPLOADS))
def test_bad_uploads_are_refused_and_nothing_is_stored(client, world, app, db_session, case):
    data, name, status = BAD_UPLOADS[case]
    order_id = place_order(client, world)
    upload_dir = Path(app.config["UPLOAD_DIR"])
    rows_before = db_session.scalar(select(func.count(StoredFile.id)))
    response = add_abstract(client, order_id, file=(data, name))
    assert response.status_code == status
    assert 'role="alert"' in response.get_data(as_text=True)
    assert db_session.scalar(select(func.count(StoredFile.id))) == rows_before
    assert not upload_dir.exists() or not any(p.is_file() for p in upload_dir.rglob("*"))


# Werkzeug's test client spools request bodies over 500 KB to a temporary file it never
# closes; collect it here so the ResourceWarning is not blamed on a later test.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_file_over_the_limit_is_refused_with_413(client, world, app, db_session):
    app.config["MAX_UPLOAD_MB"] = 1
    order_id = place_order(client, world)
    big = pdf_bytes()[:-6] + b" " * 1_000_001 + b"%%EOF\n"
    response = add_abstract(client, order_id, file=(big, "besar.pdf"))
    assert response.status_code == 413
    assert "Berkas terlalu besar: 2 MB; batas 1 MB." in response.get_data(as_text=True)
    assert db_session.scalar(select(func.count(StoredFile.id))) == 0
    upload_dir = Path(app.config["UPLOAD_DIR"])
    assert not upload_dir.exists() or not any(p.is_file() for p in upload_dir.rglob("*"))
    del response
    gc.collect()


def test_downloads_are_attachments_with_nosniff(client, world):
    order_id = place_order(client, world)
    add_abstract(client, order_id, file=(pdf_bytes(), "abstrak.pdf"))
    page = client.get(f"/pesanan/{order_id}").get_data(as_text=True)
    file_url = re.search(r'href="(/berkas/\d+)"', page).group(1)
    response = client.get(file_url)
    try:
        assert response.status_code == 200 and response.data.startswith(b"%PDF-")
        assert response.headers["Content-Disposition"] == "attachment; filename=abstrak.pdf"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    finally:
        response.close()


# Every route that takes an order or file id. A new route with such an id must be
# added here or the completeness check below fails.
OWNER_ROUTES = [
    ("GET", "/pesanan/{order}"),
    ("POST", "/pesanan/{order}/rincian"),
    ("POST", "/pesanan/{order}/baris/{line}/hapus"),
    ("POST", "/pesanan/{order}/abstrak"),
    ("POST", "/pesanan/{order}/surat"),
    ("POST", "/pesanan/{order}/ajukan"),
    ("POST", "/pesanan/{order}/tarif-penuh"),
    ("POST", "/pesanan/{order}/batal"),
    ("GET", "/berkas/{file}"),
    ("POST", "/pesanan/{order}/kode-billing-baru"),
    ("POST", "/pesanan/{order}/koreksi"),
    ("GET", "/invoice/{invoice}/invoice.pdf"),
    ("GET", "/invoice/{invoice}/sppd.pdf"),
    ("POST", "/pesanan/{order}/bukti-transfer"),  # a proof of transfer from abroad (payments)
    ("GET", "/pesanan/{order}/<path:action>"),  # an action's address reopened: the order page (its owner only)
]
STAFF_ONLY_ROUTES = ["/pesanan/<int:order_id>/terima", "/pesanan/<int:order_id>/kembalikan",
                     "/pesanan/<int:order_id>/rp0", "/pesanan/<int:order_id>/baris/<int:line_id>/ukuran",
                     "/pesanan/<int:order_id>/invoice", "/pesanan/<int:order_id>/koreksi/terbitkan-ulang",
                     "/pesanan/<int:order_id>/koreksi/tolak", "/pesanan/<int:order_id>/sampel",
                     "/pesanan/<int:order_id>/batal-dengan-invoice", "/pesanan/<int:order_id>/tunai",
                     "/pesanan/<int:order_id>/kuitansi", "/pesanan/<int:order_id>/kuitansi/<int:receipt_id>/ganti"]


def test_the_route_list_covers_every_route_with_an_order_or_file_id(app):
    with_ids = {rule.rule for rule in app.url_map.iter_rules()
                if {"order_id", "file_id", "invoice_id"} & set(rule.arguments)}
    listed = {path.replace("{order}", "<int:order_id>").replace("{line}", "<int:line_id>")
              .replace("{file}", "<int:file_id>").replace("{invoice}", "<int:invoice_id>")
              for _method, path in OWNER_ROUTES}
    assert with_ids == listed | set(STAFF_ONLY_ROUTES)


@pytest.mark.parametrize("method, path", OWNER_ROUTES, ids=[p for _m, p in OWNER_ROUTES])
def test_a_second_buyer_gets_404_for_the_first_buyers_order_and_files(client, world, db_session, app, method, path):
    invoice_id = invoiced_order(db_session, app, world)  # first, so the draft below is a new order
    order_id = place_order(client, world)
    add_abstract(client, order_id, file=(pdf_bytes(), "abstrak.pdf"))
    order = db_session.get(Order, order_id)
    file_id = db_session.scalar(select(StoredFile.id).order_by(StoredFile.id.desc()))
    url = path.format(order=order_id, line=order.lines[0].id, file=file_id, invoice=invoice_id)
    client.post("/keluar", data={"csrf_token": csrf_token(client, "/katalog")})
    login(client, "lain@example.test")
    response = client.open(url, method=method, data={"csrf_token": csrf_token(client, "/katalog")})
    assert response.status_code == 404, url
    db_session.expire_all()
    assert db_session.get(Order, order_id).status == "draft"


def invoiced_order(db_session, app, world) -> int:
    """The first buyer's second order, taken through to an issued invoice (services)."""
    buyer = db_session.merge(world["buyer"])
    officer = db_session.merge(world["officer"])
    day = date(2026, 11, 24)
    order = ordering.add_to_order(db_session, buyer, world["map_id"], on=day)
    ordering.update_details(db_session, Actor(buyer), order.id, purpose="Peta", commercial=True, claim_zero_rate=False)
    ordering.save_abstract(db_session, Actor(buyer), order.id, ABSTRACT, FileStorage(app.config["UPLOAD_DIR"]),
                         max_bytes=10**7)
    ordering.submit(db_session, Actor(buyer), order.id, today=day, sla_days={})
    review.accept(db_session, Actor(officer), order.id)
    settings = invoicing.InvoiceSettings(office_code="000000", number_format="INV/{satker}/{year}/{seq:05d}",
                                         expiry_days=7, bank={})
    gateway = SimulatedSimponi(webhook_url="http://127.0.0.1:9/", webhook_secret=app.config["WEBHOOK_SECRET"])
    invoice = invoicing.issue_invoice(db_session, Actor(officer), order.id, settings, gateway, today=day)
    db_session.commit()
    return invoice.id


def test_walk_in_guest_book_creates_an_order_with_a_queue_number(client, world):
    login(client, "petugas@example.test")
    token = csrf_token(client, "/petugas/tamu")
    response = client.post("/petugas/tamu", data=dict(
        name="Tamu Loket", identity_type="ktp", identity_number="3310010101010001", institution="Universitas X",
        email="tamu@example.test", phone="0812", purpose="Skripsi", segment="student", commercial="0",
        product_id=[world["publication_id"]], csrf_token=token))
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Tamu Loket" in page and "antrean 1" in page
