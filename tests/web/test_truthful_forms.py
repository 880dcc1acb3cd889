"""Issue 8, point 7: forms and checklists tell the truth. Registration names every problem at
once, each beside its field, and says which fields each segment must fill; the officer's return
form offers only the documents the order has; the checklist includes the purpose of use and
shows a returned abstract as needing work until a new version is saved."""

import re

import pytest

from sales_service.orders import ordering
from sales_service.orders.workflow import Actor
from sales_service.roles import Role
from tests.buyer_steps import element_text, page, send, sign_in_as, text_of
from tests.conftest import csrf_token
from tests.factories import ABSTRACT, ORDER_DAY, SLA_DAYS, make_buyer, make_microdata, make_publication, make_staff

BUYER, OFFICER = "ani@example.test", "petugas@example.test"


def test_registration_shows_every_problem_at_once_beside_its_field(client):
    response = client.post("/daftar", data=dict(
        full_name="", email="bukan-email", password="123", segment="private_company", domicile="indonesia",
        institution="", address="Jl. Pemuda 5, Klaten", phone="0812", npwp="12.345",
        csrf_token=csrf_token(client, "/daftar")))
    html = text_of(response)
    assert response.status_code == 422
    expected = {
        "full_name": "Nama lengkap wajib diisi.",
        "email": "Alamat e-mail tidak sah.",
        "institution": "Nama instansi atau perusahaan wajib diisi untuk segmen ini.",
        "npwp": "NPWP harus 15 atau 16 digit; yang diisi 5 digit.",
    }
    for field, message in expected.items():
        assert element_text(html, f"error-{field}") == message
        assert re.search(rf'name="{field}"[^>]*aria-invalid="true"', html), field
    assert element_text(html, "error-password")  # the password rule's own reason
    summary = element_text(html, "form-error")
    assert all(message in summary for message in expected.values())
    assert "Jl. Pemuda 5, Klaten" in html and 'value="12.345"' in html  # what was typed stays


def test_registration_says_which_segments_must_fill_which_field(client):
    html = page(client, "/daftar")
    institution = element_text(html, "institution-required")
    assert "Perusahaan swasta" in institution and "Pemerintah daerah" in institution
    assert "Lembaga pendidikan dalam negeri" in institution and "Perorangan" not in institution
    npwp = element_text(html, "npwp-required")
    assert "Perusahaan swasta" in npwp and "Pemerintah daerah" not in npwp


@pytest.fixture
def people(app, db_session):
    buyer = make_buyer(db_session, email=BUYER, full_name="Ani Buyer")
    make_staff(db_session, Role.OFFICER, email=OFFICER)
    db_session.commit()
    return buyer


def submitted(db_session, buyer, product) -> int:
    order = ordering.add_to_order(db_session, buyer, product.id, on=ORDER_DAY)
    ordering.update_details(db_session, Actor(buyer), order.id, purpose="Penelitian", commercial=False,
                            claim_zero_rate=False)
    if order.needs_agreement:
        ordering.save_abstract(db_session, Actor(buyer), order.id, dict(ABSTRACT), None, max_bytes=10**7)
    ordering.submit(db_session, Actor(buyer), order.id, today=ORDER_DAY, sla_days=SLA_DAYS)
    db_session.commit()
    return order.id


def return_form_topics(html: str) -> set[str]:
    form = html[html.index('id="return-form"'):]
    return set(re.findall(r'name="reason_(\w+)"', form[:form.index("</form>")]))


def test_the_return_form_offers_only_the_documents_the_order_has(client, db_session, people):
    publication_order = submitted(db_session, people, make_publication(db_session))
    sign_in_as(client, OFFICER)
    assert return_form_topics(page(client, f"/pesanan/{publication_order}")) == {"purpose", "other"}
    refused = send(client, f"/pesanan/{publication_order}/kembalikan", reason_abstract="Metode kosong.")
    assert refused.status_code == 422
    assert "Pesanan ini tidak memuat Abstraksi penggunaan data" in element_text(text_of(refused), "form-error")

    sign_in_as(client, BUYER)
    microdata_order = submitted(db_session, db_session.merge(people), make_microdata(db_session))
    sign_in_as(client, OFFICER)
    assert return_form_topics(page(client, f"/pesanan/{microdata_order}")) == {
        "abstract", "variables", "purpose", "other"}


def test_the_checklist_shows_a_returned_abstract_as_needing_work_and_includes_the_purpose(
        client, db_session, people):
    order_id = submitted(db_session, people, make_microdata(db_session))
    sign_in_as(client, OFFICER)
    send(client, f"/pesanan/{order_id}/kembalikan", reason_abstract="Metode belum dijelaskan.")

    sign_in_as(client, BUYER)
    html = page(client, f"/pesanan/{order_id}")
    assert element_text(html, "check-purpose") == "✔ Tujuan dan sifat penggunaan (komersial atau nonkomersial)"
    assert element_text(html, "check-abstract") == (
        "↺ Abstraksi penggunaan data — dikembalikan petugas: perlu diperbaiki")
    send(client, f"/pesanan/{order_id}/abstrak", **dict(ABSTRACT, method="Indeks Gini per kabupaten.",
                                                        no_redistribution="on"))
    assert element_text(page(client, f"/pesanan/{order_id}"), "check-abstract") == "✔ Abstraksi penggunaan data"


def test_a_new_orders_checklist_asks_for_the_purpose(client, db_session, people):
    order = ordering.add_to_order(db_session, people, make_publication(db_session).id, on=ORDER_DAY)
    db_session.commit()
    sign_in_as(client, BUYER)
    check = element_text(page(client, f"/pesanan/{order.id}"), "check-purpose")
    assert check == "✘ Tujuan dan sifat penggunaan (komersial atau nonkomersial) — belum ada"
