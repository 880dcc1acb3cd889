"""A buyer's language is kept on their account (issue 8, point 12): registration and the account
page store it (the language link only changes the pages), signing in restores it, and their next
invoice is issued in it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from sales_service.accounts.models import Domicile, User
from sales_service.invoices.gateway import SimulatedSimponi
from sales_service.roles import Role
from tests.conftest import csrf_token, login
from tests.factories import make_buyer, make_publication, make_staff
from tests.web.test_accounts_pages import FORM
from tests.web.test_document_downloads import accepted_order, download, issue, pdf_text


@pytest.fixture
def officer_and_billing(app, db_session):
    make_staff(db_session, Role.OFFICER, email="petugas@example.test")
    db_session.commit()
    app.extensions["billing_gateway_factory"] = lambda config: SimulatedSimponi(
        webhook_url="http://127.0.0.1:9/", webhook_secret=config["WEBHOOK_SECRET"])


def stored_language(db_session, email: str) -> str | None:
    db_session.expire_all()
    return db_session.scalar(select(User.language).where(User.email == email))


def test_the_language_link_changes_the_pages_but_not_the_document_language(client, db_session):
    """The switch is a link another site could make the buyer follow: it must not change what
    their documents are issued in (the account page does that, by a form with its token)."""
    buyer = make_buyer(db_session, email="jane@example.test")
    buyer.language = "id"
    db_session.commit()
    login(client, "jane@example.test")

    client.get("/bahasa/en?next=/katalog")
    assert '<html lang="en">' in client.get("/katalog").get_data(as_text=True)
    assert stored_language(db_session, "jane@example.test") == "id"


def test_registration_keeps_the_language_the_form_was_read_in(client, db_session):
    client.get("/bahasa/en")
    data = dict(FORM, npwp="01.234.567.8-901.000", csrf_token=csrf_token(client, "/daftar"))
    assert client.post("/daftar", data=data).status_code == 303
    assert stored_language(db_session, FORM["email"]) == "en"


def test_a_registration_read_in_indonesian_keeps_indonesian(client, db_session):
    data = dict(FORM, npwp="01.234.567.8-901.000", csrf_token=csrf_token(client, "/daftar"))
    assert client.post("/daftar", data=data).status_code == 303
    assert stored_language(db_session, FORM["email"]) == "id"


def test_the_account_page_lets_the_buyer_choose_the_document_language(client, db_session):
    make_buyer(db_session, email="jane@example.test")
    db_session.commit()
    login(client, "jane@example.test")
    page = client.get("/akun").get_data(as_text=True)
    assert "Bahasa dokumen / Document language" in page

    response = client.post("/akun/bahasa-dokumen", data={"language": "en", "csrf_token": csrf_token(client, "/akun")})
    assert response.status_code == 303
    assert stored_language(db_session, "jane@example.test") == "en"
    page = client.get("/akun").get_data(as_text=True)
    assert '<html lang="en">' in page  # the pages follow the buyer's language too
    assert "Document language saved" in page
    assert '<option value="en" lang="en" selected>' in page


def test_an_unknown_document_language_is_refused_with_a_reason(client, db_session):
    make_buyer(db_session, email="jane@example.test")
    db_session.commit()
    login(client, "jane@example.test")
    response = client.post("/akun/bahasa-dokumen", data={"language": "fr", "csrf_token": csrf_token(client, "/akun")})
    assert response.status_code == 422
    assert "Pilih bahasa Indonesia atau bahasa Inggris." in response.get_data(as_text=True)
    assert stored_language(db_session, "jane@example.test") is None


def test_signing_in_restores_the_stored_language(client, db_session):
    buyer = make_buyer(db_session, email="jane@example.test")
    buyer.language = "en"
    db_session.commit()

    assert '<html lang="id">' in client.get("/katalog").get_data(as_text=True)  # a fresh browser
    login(client, "jane@example.test")
    assert '<html lang="en">' in client.get("/katalog").get_data(as_text=True)


def test_a_language_link_followed_before_signing_in_stores_nothing(client, db_session):
    """Another site can make a visitor follow the link before they sign in: signing in must not
    turn it into the account's document language."""
    make_buyer(db_session, email="jane@example.test")  # registered before languages were kept
    db_session.commit()
    client.get("/bahasa/en")
    login(client, "jane@example.test")
    assert stored_language(db_session, "jane@example.test") is None


def test_a_buyer_abroad_who_never_chose_gets_english_documents_and_sees_that_choice(client, db_session):
    abroad = make_buyer(db_session, email="jane@example.test", domicile=Domicile.ABROAD)
    at_home = make_buyer(db_session, email="budi@example.test")
    db_session.commit()
    assert (abroad.document_language, at_home.document_language) == ("en", "id")
    login(client, "jane@example.test")
    assert '<option value="en" lang="en" selected>' in client.get("/akun").get_data(as_text=True)


def test_a_buyer_who_chose_english_documents_downloads_a_bilingual_invoice(client, officer_and_billing, db_session):
    buyer = make_buyer(db_session, email="jane@example.test", full_name="Jane Doe")
    order_id = accepted_order(db_session, buyer, make_publication(db_session, pages=120))
    login(client, "jane@example.test")
    client.post("/akun/bahasa-dokumen", data={"language": "en", "csrf_token": csrf_token(client, "/akun")})
    client.post("/keluar", data={"csrf_token": csrf_token(client, "/katalog")})
    issue(client, order_id)

    text = pdf_text(download(client, "jane@example.test", order_id))
    assert "Terbilang: delapan puluh ribu rupiah In words: eighty thousand rupiah" in text
    assert "first 50 pages Rp50,000 + 2 × 50 further pages @ Rp15,000" in text
    assert "Jumlah Amount" in text
