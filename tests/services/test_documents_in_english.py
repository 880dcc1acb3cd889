# ruff: noqa: F811  (the publisher fixture of test_documents_kept comes in as a test parameter)
"""An invoice and SPPD are issued in the buyer's language (issue 8, point 12): bilingual for a buyer
who reads English, Indonesian for everyone else; the invoice records the language it was issued in,
so every later rendering of it (voided, lost from the store) speaks as the issued one did."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from sales_service.accounts import services as accounts
from sales_service.accounts.models import Domicile
from sales_service.catalog import services as catalog
from sales_service.documents.sppd import PREVAILING_LANGUAGE
from sales_service.errors import InvalidInput
from sales_service.invoices import printing, services
from sales_service.invoices.models import DocumentRendering, VerifiedDocument
from sales_service.orders.workflow import Actor
from sales_service.pnbp.schedule import ProductKind
from tests.factories import make_buyer, make_microdata
from tests.services.test_documents_kept import pdf_text, publisher  # noqa: F401  (a fixture)
from tests.services.test_invoices import SETTINGS, TODAY, accepted_order


def english_publication(session):
    return catalog.create_product(session, ProductKind.PUBLICATION, dict(
        title="Statistik Daerah Contoh 2025", title_en="Regional Statistics of Contoh 2025", year=2025,
        pages=1000, language="Indonesia"))


def issue(session, officer, gateway, publisher, tmp_path, *, buyer, product=None):
    order, _ = accepted_order(session, officer, tmp_path, buyer=buyer, product=product)
    invoice = services.issue_invoice(session, Actor(officer), order.id, SETTINGS, gateway, today=TODAY,
                                     publisher=publisher)
    return invoice, order


def english_buyer(session):
    buyer = make_buyer(session, full_name="Jane Doe")
    accounts.set_language(session, buyer.id, "en")
    return buyer


def test_a_buyer_who_reads_english_is_issued_a_bilingual_invoice(tariffs_loaded, officer, gateway, publisher,
                                                                 tmp_path):
    session = tariffs_loaded
    invoice, _ = issue(session, officer, gateway, publisher, tmp_path, buyer=english_buyer(session),
                       product=english_publication(session))

    assert invoice.language == "en"
    text = pdf_text(printing.document_pdf(session, invoice, VerifiedDocument.INVOICE, publisher))
    # 1000 pages: 50.000 + 19 x 15.000, explained as the order line kept it in English
    assert "first 50 pages Rp50,000 + 19 × 50 further pages @ Rp15,000" in text
    assert "50 halaman pertama Rp50.000 + 19 × 50 halaman berikutnya @ Rp15.000" in text
    assert "Tariff: Electronic publication (PP 13/2024)" in text  # the schedule's English name
    assert "Statistik Daerah Contoh 2025 Regional Statistics of Contoh 2025" in text  # the catalogue's
    assert "In words: three hundred and thirty-five thousand rupiah" in text
    assert "Billing code: " in text and "WITA" in text.split("Billing code: ")[1]


def test_the_sppd_issued_with_it_is_bilingual_too(tariffs_loaded, officer, gateway, publisher, tmp_path):
    session = tariffs_loaded
    invoice, _ = issue(session, officer, gateway, publisher, tmp_path, buyer=english_buyer(session),
                       product=make_microdata(session))

    text = pdf_text(printing.document_pdf(session, invoice, VerifiedDocument.SPPD, publisher))
    assert "Pasal 4 / Article 4 Kewajiban PIHAK KEDUA / Obligations of the SECOND PARTY" in text
    assert "Not copy, duplicate or give the data" in text
    assert PREVAILING_LANGUAGE.en in text


@pytest.mark.parametrize("language", [None, "id"])
def test_a_buyer_who_reads_indonesian_or_never_chose_gets_indonesian_documents(tariffs_loaded, officer, gateway,
                                                                              publisher, tmp_path, language):
    session = tariffs_loaded
    buyer = make_buyer(session)
    if language:
        accounts.set_language(session, buyer.id, language)
    invoice, _ = issue(session, officer, gateway, publisher, tmp_path, buyer=buyer, product=make_microdata(session))

    assert invoice.language == "id"
    for kind in VerifiedDocument:
        text = pdf_text(printing.document_pdf(session, invoice, kind, publisher))
        assert "Page 1" not in text and "In words" not in text and "Article" not in text
        assert "Halaman 1" in text


def test_a_reissue_follows_the_buyers_language_now_and_the_voided_version_keeps_its_own(
        tariffs_loaded, officer, gateway, publisher, tmp_path):
    session = tariffs_loaded
    buyer = english_buyer(session)
    old, order = issue(session, officer, gateway, publisher, tmp_path, buyer=buyer, product=make_microdata(session))
    accounts.set_language(session, buyer.id, "id")  # the buyer asks for Indonesian documents from now on
    services.request_correction(session, Actor(buyer), order.id, "invoice", "Dokumen dalam bahasa Indonesia saja.")
    new = services.reissue(session, Actor(officer), order.id, SETTINGS, gateway, today=TODAY, publisher=publisher)

    assert (old.language, new.language) == ("en", "id")
    voided = pdf_text(printing.document_pdf(session, old, VerifiedDocument.INVOICE, publisher))
    assert "VOID / BATAL" in voided and "In words:" in voided  # rendered void after the switch, still bilingual
    assert "Article 1" in pdf_text(printing.document_pdf(session, old, VerifiedDocument.SPPD, publisher))
    assert "In words" not in pdf_text(printing.document_pdf(session, new, VerifiedDocument.INVOICE, publisher))


def test_a_kept_bilingual_pdf_lost_from_the_store_renders_again_the_same_after_the_buyer_switched(
        tariffs_loaded, officer, gateway, publisher, tmp_path):
    session = tariffs_loaded
    buyer = english_buyer(session)
    invoice, _ = issue(session, officer, gateway, publisher, tmp_path, buyer=buyer)
    kept = printing.document_pdf(session, invoice, VerifiedDocument.INVOICE, publisher)
    accounts.set_language(session, buyer.id, "id")
    row = session.scalar(select(DocumentRendering).where(DocumentRendering.invoice_id == invoice.id))
    publisher.storage.path(row.sha256).unlink()

    assert printing.document_pdf(session, invoice, VerifiedDocument.INVOICE, publisher) == kept


def test_an_unknown_language_is_refused_and_nothing_changes(tariffs_loaded):
    session = tariffs_loaded
    buyer = english_buyer(session)
    with pytest.raises(InvalidInput):
        accounts.set_language(session, buyer.id, "fr")
    assert buyer.language == "en"


def test_a_buyer_abroad_who_never_chose_is_issued_bilingual_documents(tariffs_loaded, officer, gateway, publisher,
                                                                       tmp_path):
    session = tariffs_loaded
    abroad = make_buyer(session, full_name="Jane Doe", domicile=Domicile.ABROAD)
    assert abroad.language is None
    invoice, _ = issue(session, officer, gateway, publisher, tmp_path, buyer=abroad)
    assert invoice.language == "en"
    text = pdf_text(printing.document_pdf(session, invoice, VerifiedDocument.INVOICE, publisher))
    assert "In words:" in text
