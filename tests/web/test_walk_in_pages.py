"""The walk-in counter through HTTP (issue 8, point 4): the guest book of today with each
visitor's order, chosen variables, the e-mail and NPWP asked of visitors, the printable
queue ticket, and the call / served buttons with the durations they record."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from sales_service.orders.models import Order, WalkInVisit
from sales_service.orders.walk_in import create_walk_in
from sales_service.orders.workflow import Actor
from sales_service.roles import Role
from tests.conftest import csrf_token, login
from tests.factories import make_microdata, make_publication, make_staff


@pytest.fixture
def counter(db_session):
    officer = make_staff(db_session, Role.OFFICER, email="petugas@example.test", full_name="Petugas Satu")
    dataset = make_microdata(db_session, record_count=1_000_000)
    publication = make_publication(db_session, title="Kabupaten Contoh Dalam Angka 2025")
    db_session.commit()
    return dict(officer=officer, dataset_id=dataset.id, variable_ids=[v.id for v in dataset.variables],
                publication_id=publication.id)


def visitor(**changes) -> dict:
    return dict(dict(name="Tamu Loket", identity_type="ktp", identity_number="3310010101010001",
                     institution="", email="tamu@example.test", phone="0812", npwp="", purpose="Skripsi",
                     segment="student", commercial="0"), **changes)


def register(client, **data):
    return client.post("/petugas/tamu", data=dict(data, csrf_token=csrf_token(client, "/petugas/tamu")))


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_a_registered_visitor_is_in_today_s_guest_book_with_number_name_status_and_order_link(client, counter,
                                                                                            db_session):
    login(client, "petugas@example.test")
    response = register(client, **visitor(), product_id=[counter["publication_id"]])
    assert response.status_code == 302 and response.headers["Location"] == "/petugas/tamu"
    order = db_session.scalar(select(Order))
    page = client.get("/petugas/tamu").get_data(as_text=True)
    row = re.search(r'<tr id="visit-\d+">.*?</tr>', page, re.S).group(0)
    assert f'href="/pesanan/{order.id}"' in row and order.reference in row
    assert re.search(r'class="queue-number">1<', row)
    assert "Tamu Loket" in row and "Draf" in row
    assert "nomor antrean 1" in page  # the flash after registering


def test_a_walk_in_visitor_orders_chosen_variables(client, counter, db_session):
    login(client, "petugas@example.test")
    chosen = counter["variable_ids"][:2]
    response = register(client, **visitor(), product_id=[counter["dataset_id"]],
                        **{f"var_{counter['dataset_id']}": chosen})
    assert response.status_code == 302
    order = db_session.scalar(select(Order))
    page = client.get(f"/pesanan/{order.id}").get_data(as_text=True)
    assert "<code>R101</code>, <code>R102</code>" in page and "<code>KAPITA</code>" not in page
    assert "Perkiraan ukuran" in page  # priced on the estimate until the extract is measured


@pytest.mark.parametrize(("changes", "message"), [
    (dict(email=""), "E-mail wajib diisi."),
    (dict(segment="private_company", institution="PT Riset Pasar"), "NPWP wajib diisi untuk perusahaan swasta."),
    (dict(commercial=""), "Pilih penggunaan data tamu: komersial atau nonkomersial."),
])
def test_the_guest_book_refuses_a_visitor_without_e_mail_or_company_npwp_and_keeps_what_was_typed(
        client, counter, db_session, changes, message):
    login(client, "petugas@example.test")
    response = register(client, **visitor(**changes), product_id=[counter["publication_id"]])
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert page.count(message) == 1  # beside the form, not again in the guest book above it
    assert 'value="3310010101010001"' in page and "Skripsi" in page
    assert db_session.scalar(select(Order)) is None


@pytest.mark.parametrize(("use", "commercial"), [("0", False), ("1", True)])
def test_the_visitor_s_use_of_the_data_is_what_the_officer_ticked_never_preset(client, counter, db_session, use,
                                                                               commercial):
    login(client, "petugas@example.test")
    form = client.get("/petugas/tamu").get_data(as_text=True)
    assert re.search(r'name="commercial" value="0" required\s*>', form)  # nothing ticked before the visitor says
    assert 'name="commercial" value="1" >' in form
    register(client, **visitor(commercial=use), product_id=[counter["publication_id"]])
    assert db_session.scalar(select(Order.commercial)) is commercial


def test_the_queue_ticket_is_a_printable_page_with_the_number(client, counter, db_session):
    login(client, "petugas@example.test")
    register(client, **visitor(name="Tamu Pertama"), product_id=[counter["publication_id"]])
    register(client, **visitor(name="Tamu Kedua"), product_id=[counter["publication_id"]])
    visit = db_session.scalar(select(WalkInVisit).where(WalkInVisit.name == "Tamu Kedua"))
    book = client.get("/petugas/tamu").get_data(as_text=True)
    assert f'href="/petugas/tamu/{visit.id}/tiket"' in book
    ticket = client.get(f"/petugas/tamu/{visit.id}/tiket")
    assert ticket.status_code == 200
    html = ticket.get_data(as_text=True)
    assert re.search(r'id="ticket-number">2<', html)
    assert "Tamu Kedua" in html and 'id="print-ticket"' in html and "ticket.js" in html
    script = client.get("/static/ticket.js")
    assert script.status_code == 200 and b"window.print()" in script.data
    script.close()
    client.post("/keluar", data={"csrf_token": csrf_token(client, "/katalog")})
    assert client.get(f"/petugas/tamu/{visit.id}/tiket").status_code in (302, 401, 403)


def test_calling_and_serving_a_visitor_records_the_times_and_shows_the_durations(client, counter, db_session):
    login(client, "petugas@example.test")
    register(client, **visitor(), product_id=[counter["publication_id"]])
    visit = db_session.scalar(select(WalkInVisit))
    page = client.get("/petugas/tamu").get_data(as_text=True)
    assert f'action="/petugas/tamu/{visit.id}/panggil"' in page
    assert f'action="/petugas/tamu/{visit.id}/selesai"' not in page

    token = csrf_token(client, "/petugas/tamu")
    refused = client.post(f"/petugas/tamu/{visit.id}/selesai", data={"csrf_token": token})
    assert refused.status_code == 302
    assert "Panggil nomor antrean 1 dahulu" in client.get("/petugas/tamu").get_data(as_text=True)

    assert client.post(f"/petugas/tamu/{visit.id}/panggil", data={"csrf_token": token}).status_code == 302
    db_session.expire_all()
    assert db_session.get(WalkInVisit, visit.id).called_at is not None
    page = client.get("/petugas/tamu").get_data(as_text=True)
    assert f'action="/petugas/tamu/{visit.id}/panggil"' not in page
    assert f'action="/petugas/tamu/{visit.id}/selesai"' in page

    fragment = client.post(f"/petugas/tamu/{visit.id}/selesai", data={"csrf_token": token},
                           headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    html = fragment.get_data(as_text=True)
    assert html.lstrip().startswith('<section id="guest-book"') and "<html" not in html
    db_session.expire_all()
    assert db_session.get(WalkInVisit, visit.id).served_at is not None

    # Fixed moments, so the shown durations do not depend on how fast the test ran.
    stored = db_session.get(WalkInVisit, visit.id)
    arrival = datetime.now(UTC) - timedelta(hours=1)
    stored.created_at, stored.called_at = arrival, arrival + timedelta(minutes=7)
    stored.served_at = arrival + timedelta(minutes=19)
    db_session.commit()
    row = text_of(re.search(r'<tr id="visit-\d+">.*?</tr>', client.get("/petugas/tamu").get_data(as_text=True),
                            re.S).group(0))
    assert "menunggu 7 menit" in row and "dilayani dalam 12 menit" in row and "lewat janji 10 menit" in row


def test_a_walk_in_draft_of_an_earlier_day_stays_in_the_officer_s_list(client, counter, db_session):
    officer = db_session.merge(counter["officer"])
    earlier = create_walk_in(db_session, Actor(officer), visitor(name="Tamu Kemarin"), [counter["publication_id"]],
                             today=date(2026, 1, 5))
    db_session.commit()
    login(client, "petugas@example.test")
    page = client.get("/petugas/tamu").get_data(as_text=True)
    drafts = re.search(r'<table id="walk-in-drafts">.*?</table>', page, re.S).group(0)
    assert "Tamu Kemarin" in drafts and f'href="/pesanan/{earlier.id}"' in drafts and "5 Januari 2026" in drafts
