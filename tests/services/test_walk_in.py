"""The walk-in counter (issue 8, point 4): chosen variables, the e-mail and NPWP the standards
require, today's guest book and earlier drafts, and the clock of the 10-minute promise."""

from datetime import UTC, date, datetime, timedelta

import pytest

from sales_service.errors import Conflict, InvalidInput, PermissionDenied
from sales_service.orders import ordering, walk_in
from sales_service.orders.lifecycle import OrderStatus
from sales_service.orders.workflow import Actor
from sales_service.roles import Role
from tests.factories import make_buyer, make_microdata, make_publication, make_staff

DAY = date(2026, 10, 5)  # no other test registers visitors on this day
ARRIVAL = datetime(2026, 10, 5, 2, 0, tzinfo=UTC)  # 09.00 WIB


@pytest.fixture
def counter(tariffs_loaded):
    session = tariffs_loaded
    return dict(session=session, officer=Actor(make_staff(session, Role.OFFICER)),
                dataset=make_microdata(session, record_count=1_000_000), publication=make_publication(session))


def guest(**changes) -> dict:
    return dict(dict(name="Tamu Satu", identity_type="ktp", identity_number="3310010101010001", institution="",
                     email="tamu@example.test", phone="0812", purpose="Tugas akhir", segment="individual",
                     commercial="0"), **changes)


def test_a_walk_in_visitor_may_take_chosen_variables_priced_on_their_estimate(counter):
    session, dataset = counter["session"], counter["dataset"]
    chosen = [v.id for v in dataset.variables][:2]  # R101, R102: 2 + 2 bytes a record
    order = walk_in.create_walk_in(session, counter["officer"], guest(), [dataset.id, counter["publication"].id],
                                   today=DAY, variables={dataset.id: chosen})
    subset, publication = order.lines
    assert not subset.full_set and subset.awaiting_final_size
    assert [v.name for v in subset.variables] == ["R101", "R102"]
    assert subset.quantity == 4_000_000  # 1.000.000 records x 4 bytes, not the full 16.000.000
    assert publication.full_set
    whole = walk_in.create_walk_in(session, counter["officer"], guest(), [dataset.id], today=DAY)
    assert whole.lines[0].full_set and whole.lines[0].quantity == dataset.full_size_bytes


def test_a_variable_of_another_data_set_is_refused(counter):
    session = counter["session"]
    other = make_microdata(session, title="Sakernas Agustus 2024", survey="Sakernas")
    with pytest.raises(InvalidInput, match="Variabel"):
        walk_in.create_walk_in(session, counter["officer"], guest(), [counter["dataset"].id], today=DAY,
                               variables={counter["dataset"].id: [other.variables[0].id]})


@pytest.mark.parametrize(("changes", "message"), [
    (dict(email=""), "E-mail wajib diisi"),
    (dict(email="bukan-alamat"), "e-mail tidak sah"),
    (dict(segment="private_company", institution="PT Riset Pasar"), "NPWP wajib diisi"),
    (dict(segment="private_company", institution="PT Riset Pasar", npwp="12345"), "15 atau 16 digit"),
    (dict(segment="private_company", npwp="01.234.567.8-901.000"), "Nama perusahaan wajib"),
])
def test_the_guest_book_asks_what_the_service_standards_require(counter, changes, message):
    with pytest.raises(InvalidInput, match=message):
        walk_in.create_walk_in(counter["session"], counter["officer"], guest(**changes),
                               [counter["publication"].id], today=DAY)


def test_a_company_visitor_is_recorded_with_its_npwp_and_e_mail(counter):
    order = walk_in.create_walk_in(counter["session"], counter["officer"], guest(
        segment="private_company", institution="PT Riset Pasar", npwp="01.234.567.8-901.000",
        email=" Tamu@Example.TEST "), [counter["publication"].id], today=DAY)
    assert order.walk_in.npwp == "012345678901000"
    assert order.walk_in.email == "tamu@example.test"
    assert order.buyer_institution == "PT Riset Pasar"


def test_today_s_guest_book_lists_every_visitor_with_their_order_and_earlier_drafts_are_kept(counter):
    session, officer, publication = counter["session"], counter["officer"], counter["publication"]
    yesterday = walk_in.create_walk_in(session, officer, guest(name="Tamu Kemarin"), [publication.id],
                                       today=DAY - timedelta(days=1))
    submitted_yesterday = walk_in.create_walk_in(session, officer, guest(name="Tamu Kemarin Diajukan"),
                                                 [publication.id], today=DAY - timedelta(days=1))
    ordering.submit(session, officer, submitted_yesterday.id, today=DAY - timedelta(days=1), sla_days={})
    first = walk_in.create_walk_in(session, officer, guest(name="Tamu Satu"), [publication.id], today=DAY)
    second = walk_in.create_walk_in(session, officer, guest(name="Tamu Dua"), [publication.id], today=DAY)

    book = walk_in.guest_book(session, DAY)
    assert [(e.visit.queue_number, e.visit.name, e.order.id, e.order.status) for e in book] == [
        (1, "Tamu Satu", first.id, OrderStatus.DRAFT), (2, "Tamu Dua", second.id, OrderStatus.DRAFT)]
    drafts = walk_in.open_walk_in_drafts(session, before=DAY)
    assert [e.order.id for e in drafts] == [yesterday.id]  # the submitted one is in the officers' queue


def test_the_counter_clock_measures_the_ten_minute_promise_from_the_queue_turn(counter):
    session, officer = counter["session"], counter["officer"]
    prompt = walk_in.create_walk_in(session, officer, guest(name="Tamu Cepat"), [counter["publication"].id],
                                    today=DAY)
    slow = walk_in.create_walk_in(session, officer, guest(name="Tamu Lama"), [counter["publication"].id],
                                  today=DAY)
    prompt.walk_in.created_at = slow.walk_in.created_at = ARRIVAL

    with pytest.raises(Conflict, match="Panggil nomor antrean 1 dahulu"):
        walk_in.mark_served(session, officer, prompt.walk_in.id, now=ARRIVAL)
    walk_in.call_visitor(session, officer, prompt.walk_in.id, now=ARRIVAL + timedelta(minutes=25))
    with pytest.raises(Conflict, match="sudah dipanggil"):
        walk_in.call_visitor(session, officer, prompt.walk_in.id, now=ARRIVAL + timedelta(minutes=26))
    walk_in.mark_served(session, officer, prompt.walk_in.id, now=ARRIVAL + timedelta(minutes=35))
    with pytest.raises(Conflict, match="sudah tercatat selesai"):
        walk_in.mark_served(session, officer, prompt.walk_in.id, now=ARRIVAL + timedelta(minutes=36))
    walk_in.call_visitor(session, officer, slow.walk_in.id, now=ARRIVAL + timedelta(minutes=40))
    walk_in.mark_served(session, officer, slow.walk_in.id, now=ARRIVAL + timedelta(minutes=50, seconds=30))

    first, second = walk_in.guest_book(session, DAY)
    # A long wait before the turn does not break the promise; ten minutes and more at the counter does.
    assert (first.waited_minutes, first.service_minutes, first.within_promise) == (25, 10, True)
    assert (second.waited_minutes, second.service_minutes, second.within_promise) == (40, 11, False)
    assert not first.may_call and not first.may_mark_served


def test_only_officers_run_the_counter(counter):
    session = counter["session"]
    order = walk_in.create_walk_in(session, counter["officer"], guest(), [counter["publication"].id], today=DAY)
    buyer = Actor(make_buyer(session))
    with pytest.raises(PermissionDenied):
        walk_in.call_visitor(session, buyer, order.walk_in.id, now=ARRIVAL)
    with pytest.raises(PermissionDenied):
        walk_in.create_walk_in(session, buyer, guest(), [counter["publication"].id], today=DAY)


def test_a_walk_in_company_s_npwp_is_printed_on_its_invoice(counter):
    from sales_service.invoices import services as invoices
    from sales_service.invoices.gateway import SimulatedSimponi
    from sales_service.orders import review
    from tests.services.test_invoices import SETTINGS, Clock

    session, officer = counter["session"], counter["officer"]
    order = walk_in.create_walk_in(session, officer, guest(
        segment="private_company", institution="PT Riset Pasar", npwp="01.234.567.8-901.000"),
        [counter["publication"].id], today=DAY)
    ordering.update_details(session, officer, order.id, purpose="Riset pasar", commercial=True,
                            claim_zero_rate=False)
    ordering.submit(session, officer, order.id, today=DAY, sla_days={})
    review.accept(session, officer, order.id)
    gateway = SimulatedSimponi(webhook_url="http://127.0.0.1:9/", webhook_secret="whsec_" + "A" * 44, clock=Clock())
    invoice = invoices.issue_invoice(session, officer, order.id, SETTINGS, gateway, today=DAY)
    assert invoice.buyer_npwp == "012345678901000" and invoice.buyer_institution == "PT Riset Pasar"
