"""The treasurer's statement pages (issue 10, point 7): upload, the list with its filters,
confirm and undo, without JavaScript and with htmx."""

from __future__ import annotations

import re
from datetime import date
from io import BytesIO
from pathlib import Path

import pytest
from sqlalchemy import func, select

from sales_service.accounts.models import Domicile
from sales_service.invoices import services as invoices
from sales_service.invoices.gateway import SimulatedSimponi
from sales_service.orders import ordering, review
from sales_service.orders.workflow import Actor
from sales_service.payments.models import StatementLine
from sales_service.roles import Role
from tests.conftest import csrf_token, login
from tests.factories import make_buyer, make_publication, make_staff
from tests.services.test_invoices import SETTINGS

DAY = date(2026, 11, 24)
DATA = Path(__file__).resolve().parent.parent / "data"
TREASURER, OFFICER = "bendahara@example.test", "petugas@example.test"
URL = "/bendahara/mutasi"


@pytest.fixture
def office(db_session):
    """Two invoices of Rp335.000 for buyers abroad (paid by transfer), and the staff."""
    officer = make_staff(db_session, Role.OFFICER, email=OFFICER)
    make_staff(db_session, Role.TREASURER, email=TREASURER, full_name="Bendahara Penerimaan")
    gateway = SimulatedSimponi(webhook_url="http://127.0.0.1:9/", webhook_secret="whsec_" + "A" * 44)
    made = []
    for name in ("John Smith", "Maria Garcia"):
        buyer = make_buyer(db_session, domicile=Domicile.ABROAD, full_name=name)
        order = ordering.add_to_order(db_session, buyer, make_publication(db_session, pages=1000).id, on=DAY)
        ordering.update_details(db_session, Actor(buyer), order.id, purpose="Kajian", commercial=True,
                                claim_zero_rate=False)
        ordering.submit(db_session, Actor(buyer), order.id, today=DAY, sla_days={})
        review.accept(db_session, Actor(officer), order.id)
        invoice = invoices.issue_invoice(db_session, Actor(officer), order.id, SETTINGS, gateway, today=DAY)
        made.append((order.id, order.reference, invoice.id, invoice.number))
    db_session.commit()
    return made


def statement(office) -> bytes:
    (_, _, _, number_a), (_, reference_b, _, _) = office
    text = (DATA / "statement.csv").read_text(encoding="utf-8")
    return text.replace("{invoice_a}", number_a).replace("{order_b}", reference_b).encode("utf-8")


def upload(client, data: bytes, filename: str = "mutasi.csv"):
    return client.post(URL, data={"csrf_token": csrf_token(client, URL), "berkas": (BytesIO(data), filename)},
                       content_type="multipart/form-data", follow_redirects=True)


def lines(db_session) -> int:
    db_session.expire_all()
    return db_session.scalar(select(func.count()).select_from(StatementLine))


def line_id(db_session, reference: str) -> int:
    return db_session.scalar(select(StatementLine.id).where(StatementLine.bank_reference == reference))


def test_the_treasurer_imports_a_statement_once_and_sees_proposals_and_the_tie(client, db_session, office):
    (order_a, _, _, number_a), _ = office
    login(client, TREASURER)

    page = upload(client, statement(office)).get_data(as_text=True)

    assert "5 baris baru, 0 sudah pernah diimpor; 2 diusulkan, 1 seri." in page
    assert number_a in page and "Usulan" in page
    again = upload(client, statement(office), "mutasi-sama.csv").get_data(as_text=True)
    assert "0 baris baru, 5 sudah pernah diimpor" in again
    assert lines(db_session) == 5
    ties = client.get(f"{URL}?keadaan=tie").get_data(as_text=True)
    assert ties.count('class="statement-line"') == 1 and "sama kuat" in ties
    assert "DATA PURCHASE" in ties and "TITIPAN DANA" not in ties


def test_a_bad_file_is_refused_with_the_line_named_and_nothing_stored(client, db_session, office):
    login(client, TREASURER)
    broken = statement(office).replace(b"6.500,00;IDR;D", b"6.500,00;IDR;X")
    response = upload(client, broken)
    assert response.status_code == 422
    assert "Baris 6: arah &#39;X&#39; tidak dikenal" in response.get_data(as_text=True)
    laughs = upload(client, (DATA / "billion_laughs_camt053.xml").read_bytes(), "camt.xml")
    assert laughs.status_code == 422 and "DTD" in laughs.get_data(as_text=True)
    assert lines(db_session) == 0


def test_confirming_a_proposal_without_javascript_moves_the_order_to_paid(client, db_session, office):
    (order_a, _, invoice_a, _), _ = office
    login(client, TREASURER)
    upload(client, statement(office))
    line = line_id(db_session, "FT26335A001")

    response = client.post(f"{URL}/{line}/cocokkan", data={"csrf_token": csrf_token(client, URL),
                                                           "invoice_id": invoice_a, "next": f"{URL}?keadaan=proposed"})

    assert response.status_code == 302 and response.headers["Location"].endswith("?keadaan=proposed")
    order_page = client.get(f"/pesanan/{order_a}").get_data(as_text=True)
    assert "Dibayar" in order_page
    matched = client.get(f"{URL}?keadaan=matched").get_data(as_text=True)
    assert "Dicocokkan dengan invoice" in matched and "Batalkan pencocokan" in matched


def test_with_htmx_confirm_and_undo_answer_with_the_line_alone(client, db_session, office):
    _, (order_b, _, invoice_b, _) = office
    login(client, TREASURER)
    upload(client, statement(office))
    line = line_id(db_session, "FT26336B002")  # Rp310.000 of Rp335.000: partly paid
    token = csrf_token(client, URL)
    headers = {"HX-Request": "true", "X-CSRFToken": token}

    confirmed = client.post(f"{URL}/{line}/cocokkan", data={"csrf_token": token, "invoice_id": invoice_b},
                            headers=headers)
    fragment = confirmed.get_data(as_text=True)
    assert confirmed.status_code == 200 and fragment.lstrip().startswith("<article")
    assert f'id="line-{line}"' in fragment and "pembayaran Rp310.000" in fragment
    assert "HX-Request" in confirmed.headers["Vary"]

    refused = client.post(f"{URL}/{line}/batal", data={"csrf_token": token, "reason": ""}, headers=headers)
    assert refused.status_code == 422 and "Alasan pembatalan wajib diisi." in refused.get_data(as_text=True)
    undone = client.post(f"{URL}/{line}/batal", data={"csrf_token": token, "reason": "Salah invoice."},
                         headers=headers)
    assert undone.status_code == 200 and "Pencocokan dibatalkan" in undone.get_data(as_text=True)
    timeline = client.get(f"/pesanan/{order_b}").get_data(as_text=True)
    assert "Salah invoice." in timeline


def test_an_undo_after_the_order_moved_to_paid_is_refused_with_the_reason(client, db_session, office):
    (order_a, _, invoice_a, number_a), _ = office
    login(client, TREASURER)
    upload(client, statement(office))
    line = line_id(db_session, "FT26335A001")
    token = csrf_token(client, URL)
    client.post(f"{URL}/{line}/cocokkan", data={"csrf_token": token, "invoice_number": number_a})
    response = client.post(f"{URL}/{line}/batal", data={"csrf_token": token, "reason": "Keliru."})
    assert response.status_code == 409
    assert re.search(r"sudah lunas dan pesanan PST-\d{4}-\d{6} sudah dibayar", response.get_data(as_text=True))


def test_only_the_treasurer_and_admin_reach_the_statement(client, db_session, office):
    login(client, OFFICER)
    assert client.get(URL).status_code == 403
    token = csrf_token(client, "/katalog")
    assert client.post(URL, data={"csrf_token": token}).status_code == 403
