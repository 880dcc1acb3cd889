"""Issued documents are rendered once and kept (issue 8, point 21); the SPPD's own number series
(point 17); tariff item names and the transfer validity on the invoice (points 15 and 18)."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from io import BytesIO

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from sales_service.accounts.models import Domicile
from sales_service.documents.layout import Office
from sales_service.files.storage import FileStorage
from sales_service.invoices import printing, services
from sales_service.invoices.models import DocumentRendering, InvoiceStatus, VerifiedDocument
from sales_service.orders import ordering
from sales_service.orders.workflow import Actor
from tests.factories import make_buyer, make_map, make_microdata, make_publication
from tests.services.test_invoices import SETTINGS, TODAY, accepted_order

OFFICE = Office(name="BPS Kabupaten Tabanan", address="Jl. Pahlawan No. 5", city="Tabanan", satker_code="927100",
                ministry_code="054", echelon_code="01", account_code="425131", head_name="I Made Suardana",
                treasurer_name="Ni Luh Putu Ayu Lestari", treasurer_nip="198507122009022001",
                head_nip="197203151994031002")


def pdf_text(data: bytes) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(BytesIO(data)).pages)


@pytest.fixture
def publisher(tmp_path):
    return printing.Publisher(
        storage=FileStorage(tmp_path / "store"), office=OFFICE, timezone="Asia/Makassar",
        verify_url=lambda kind, invoice_id: f"https://penjualan.example.test/verify/{kind.value}-{invoice_id}",
        order_url=lambda order_id: f"https://penjualan.example.test/pesanan/{order_id}",
    )


def renderings(session, invoice_id: int) -> dict[tuple[VerifiedDocument, str], DocumentRendering]:
    rows = session.scalars(select(DocumentRendering).where(DocumentRendering.invoice_id == invoice_id))
    return {(row.kind, row.state): row for row in rows}


def issue(session, officer, gateway, publisher, tmp_path, **order):
    order, buyer = accepted_order(session, officer, tmp_path, **order)
    invoice = services.issue_invoice(session, Actor(officer), order.id, SETTINGS, gateway, today=TODAY,
                                     publisher=publisher)
    return invoice, order, buyer


# -- rendered once, at issue ------------------------------------------------------------------------


def test_issuing_renders_the_invoice_and_the_sppd_and_keeps_them(tariffs_loaded, officer, gateway, publisher,
                                                                  tmp_path):
    session = tariffs_loaded
    invoice, _, _ = issue(session, officer, gateway, publisher, tmp_path, product=make_microdata(session))

    kept = renderings(session, invoice.id)
    assert set(kept) == {(VerifiedDocument.INVOICE, f"issued:{invoice.current_code.code}"),
                         (VerifiedDocument.SPPD, "draft")}
    invoice_bytes = publisher.storage.get(kept[VerifiedDocument.INVOICE, f"issued:{invoice.current_code.code}"].sha256)
    assert invoice.number in pdf_text(invoice_bytes)
    assert invoice.sppd_number in pdf_text(publisher.storage.get(kept[VerifiedDocument.SPPD, "draft"].sha256))


def test_a_download_serves_the_document_as_issued_even_if_its_sources_change(tariffs_loaded, officer, gateway,
                                                                              publisher, tmp_path):
    session = tariffs_loaded
    invoice, _, _ = issue(session, officer, gateway, publisher, tmp_path)
    issued = printing.document_pdf(session, invoice, VerifiedDocument.INVOICE, publisher)

    # The office is renamed and the schedule file edited after issue: the issued invoice does not change.
    renamed = dataclasses.replace(publisher, office=dataclasses.replace(OFFICE, name="BPS Kabupaten Lain"))
    invoice.lines[0].item_name = "Nama lain"
    served = printing.document_pdf(session, invoice, VerifiedDocument.INVOICE, renamed)

    assert served == issued
    assert "BPS Kabupaten Tabanan" in pdf_text(served) and "BPS Kabupaten Lain" not in pdf_text(served)


def test_an_order_without_microdata_or_maps_has_no_sppd_to_keep(tariffs_loaded, officer, gateway, publisher,
                                                                 tmp_path):
    session = tariffs_loaded
    invoice, _, _ = issue(session, officer, gateway, publisher, tmp_path)  # a publication
    assert [kind for kind, _ in renderings(session, invoice.id)] == [VerifiedDocument.INVOICE]
    with pytest.raises(printing.NoSppdForOrder):
        printing.document_pdf(session, invoice, VerifiedDocument.SPPD, publisher)


# -- and once more when what it shows changes ----------------------------------------------------------


def test_a_voided_invoice_and_sppd_are_rendered_once_more_with_the_watermark(tariffs_loaded, officer, gateway,
                                                                              publisher, tmp_path):
    session = tariffs_loaded
    old, order, buyer = issue(session, officer, gateway, publisher, tmp_path, product=make_map(session))
    code = old.current_code.code
    services.request_correction(session, Actor(buyer), order.id, "invoice", "Nama perusahaan salah.")
    new = services.reissue(session, Actor(officer), order.id, SETTINGS, gateway, today=TODAY, publisher=publisher)

    assert old.status == InvoiceStatus.VOID
    kept = renderings(session, old.id)
    # what the buyer was given stays kept; what is served now says VOID
    assert set(kept) == {(VerifiedDocument.INVOICE, f"issued:{code}"), (VerifiedDocument.INVOICE, f"void:{code}"),
                         (VerifiedDocument.SPPD, "draft"), (VerifiedDocument.SPPD, "void")}
    for kind in VerifiedDocument:
        served = pdf_text(printing.document_pdf(session, old, kind, publisher))
        assert "VOID / BATAL" in served
    assert "VOID" not in pdf_text(printing.document_pdf(session, new, VerifiedDocument.INVOICE, publisher))
    assert (VerifiedDocument.SPPD, "draft") in renderings(session, new.id)


def test_cancelling_an_invoiced_order_renders_its_invoice_void(tariffs_loaded, officer, gateway, publisher,
                                                               tmp_path):
    session = tariffs_loaded
    invoice, order, _ = issue(session, officer, gateway, publisher, tmp_path)
    services.cancel_invoiced_order(session, Actor(officer), order.id, gateway, reason="Pembeli membatalkan.",
                                   publisher=publisher)
    assert (VerifiedDocument.INVOICE, f"void:{invoice.current_code.code}") in renderings(session, invoice.id)
    assert "Jangan membayar" in pdf_text(printing.document_pdf(session, invoice, VerifiedDocument.INVOICE, publisher))


def test_a_new_billing_code_is_a_new_rendering_that_prints_it(tariffs_loaded, officer, gateway, publisher, tmp_path):
    session = tariffs_loaded
    invoice, _, buyer = issue(session, officer, gateway, publisher, tmp_path)
    old_code = invoice.current_code.code
    gateway.clock.now += timedelta(days=8)  # the first code has expired
    new = services.request_new_code(session, Actor(buyer), invoice.id, SETTINGS, gateway, now=gateway.clock.now,
                                    expires_text=str, publisher=publisher)

    assert (VerifiedDocument.INVOICE, f"issued:{new.code}") in renderings(session, invoice.id)
    text = pdf_text(printing.document_pdf(session, invoice, VerifiedDocument.INVOICE, publisher))
    assert new.code in text and old_code not in text


def test_a_document_issued_before_renderings_were_kept_is_rendered_on_first_download_then_served(
        tariffs_loaded, officer, gateway, publisher, tmp_path):
    session = tariffs_loaded
    order, _ = accepted_order(session, officer, tmp_path)
    invoice = services.issue_invoice(session, Actor(officer), order.id, SETTINGS, gateway, today=TODAY)  # none kept
    assert renderings(session, invoice.id) == {}

    first = printing.document_pdf(session, invoice, VerifiedDocument.INVOICE, publisher)
    second = printing.document_pdf(session, invoice, VerifiedDocument.INVOICE, publisher)

    assert first == second and len(renderings(session, invoice.id)) == 1
    assert publisher.storage.exists(next(iter(renderings(session, invoice.id).values())).sha256)


def test_a_kept_pdf_lost_from_the_store_is_rendered_again_with_the_same_bytes(tariffs_loaded, officer, gateway,
                                                                              publisher, tmp_path):
    session = tariffs_loaded
    invoice, _, _ = issue(session, officer, gateway, publisher, tmp_path)
    row = next(iter(renderings(session, invoice.id).values()))
    kept = publisher.storage.get(row.sha256)
    publisher.storage.path(row.sha256).unlink()

    assert printing.document_pdf(session, invoice, VerifiedDocument.INVOICE, publisher) == kept
    assert publisher.storage.exists(row.sha256)


# -- the SPPD's own number series (point 17) ------------------------------------------------------------


def test_agreements_are_numbered_in_their_own_gap_free_series(tariffs_loaded, officer, gateway, publisher, tmp_path):
    session = tariffs_loaded
    first, _, _ = issue(session, officer, gateway, publisher, tmp_path, product=make_microdata(session))
    publication, _, _ = issue(session, officer, gateway, publisher, tmp_path, product=make_publication(session))
    second, _, _ = issue(session, officer, gateway, publisher, tmp_path, product=make_map(session))

    assert publication.sppd_number is None  # no agreement for a publication, and no number used up
    assert (first.sppd_number, second.sppd_number) == ("SPPD/927100/2026/00001", "SPPD/927100/2026/00002")
    assert [first.sequence, publication.sequence, second.sequence] == [1, 2, 3]
    assert first.number not in first.sppd_number
    next_year = services.issue_invoice(session, Actor(officer),
                                       accepted_order(session, officer, tmp_path, product=make_map(session))[0].id,
                                       SETTINGS, gateway, today=date(2027, 1, 4))
    assert next_year.sppd_number == "SPPD/927100/2027/00001"


def test_a_reissued_invoice_comes_with_a_new_agreement_number(tariffs_loaded, officer, gateway, publisher, tmp_path):
    session = tariffs_loaded
    old, order, buyer = issue(session, officer, gateway, publisher, tmp_path, product=make_microdata(session))
    services.request_correction(session, Actor(buyer), order.id, "sppd", "Nama instansi salah.")
    new = services.reissue(session, Actor(officer), order.id, SETTINGS, gateway, today=TODAY, publisher=publisher)
    assert (old.sppd_number, new.sppd_number) == ("SPPD/927100/2026/00001", "SPPD/927100/2026/00002")
    assert "SPPD/927100/2026/00002" in pdf_text(printing.document_pdf(session, new, VerifiedDocument.SPPD, publisher))


# -- the line's tariff item, the transfer's validity (points 15 and 18) ----------------------------------


def test_the_tariff_items_name_is_copied_onto_the_order_line_and_the_invoice_line(tariffs_loaded, officer, gateway,
                                                                                  publisher, tmp_path):
    session = tariffs_loaded
    invoice, order, _ = issue(session, officer, gateway, publisher, tmp_path, product=make_microdata(session))
    assert order.lines[0].item_name == "Data mikro belum diolah (per set data)"
    assert invoice.lines[0].item_name == "Data mikro belum diolah (per set data)"
    text = pdf_text(printing.document_pdf(session, invoice, VerifiedDocument.INVOICE, publisher))
    assert "Tarif: Data mikro belum diolah (per set data) (PP 13/2024)" in text


def test_an_invoice_paid_by_transfer_is_valid_for_the_configured_days(tariffs_loaded, officer, gateway, publisher,
                                                                      tmp_path):
    session = tariffs_loaded
    abroad = make_buyer(session, domicile=Domicile.ABROAD)
    abroad.language = "id"  # Indonesian documents chosen (abroad, they would be bilingual)
    invoice, order, _ = issue(session, officer, gateway, publisher, tmp_path, buyer=abroad)
    assert invoice.valid_until == TODAY + timedelta(days=30)
    text = pdf_text(printing.document_pdf(session, invoice, VerifiedDocument.INVOICE, publisher))
    assert "Berlaku sampai 24 Desember 2026" in text
    assert f"https://penjualan.example.test/pesanan/{order.id}" in text

    domestic, _, _ = issue(session, officer, gateway, publisher, tmp_path)
    assert domestic.valid_until is None  # its billing code's expiry says it


def test_lines_priced_while_a_draft_keep_the_name_the_schedule_had_then(tariffs_loaded):
    session = tariffs_loaded
    buyer = make_buyer(session)
    order = ordering.add_to_order(session, buyer, make_publication(session).id, on=TODAY)
    assert order.lines[0].item_name == "Publikasi elektronik"
    assert session.scalar(select(func.count()).select_from(DocumentRendering)) == 0
