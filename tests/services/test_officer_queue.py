"""The officer queue's filters on real orders: text, product kind, status, channel and
overdue each keep exactly the orders they should, and no filter is silently ignored."""

from datetime import date

import pytest

from sales_service.orders import queue  # officer_queue
from sales_service.orders.lifecycle import OrderStatus
from sales_service.orders.models import Channel
from sales_service.orders.ordering import cancel
from sales_service.orders.review import accept, return_order
from sales_service.orders.workflow import Actor
from sales_service.pnbp.schedule import ProductKind
from sales_service.pnbp.segments import BuyerSegment
from sales_service.roles import Role
from tests.factories import (
    make_buyer,
    make_map,
    make_microdata,
    make_order,
    make_publication,
    make_staff,
    make_walk_in_order,
)

# A Tuesday. With 10 working days (no holidays in November 2026): requirements complete
# on Mon 9 Nov -> deadline Mon 23 Nov (one day late today); on Tue 10 Nov -> deadline today.
TODAY = date(2026, 11, 24)


def local_date(moment):
    return moment.date()


@pytest.fixture
def orders_in_queue(tariffs_loaded):
    """Six orders that differ in buyer, institution, product, kind, channel, status and SLA."""
    session = tariffs_loaded
    officer = make_staff(session, Role.OFFICER, full_name="Petugas Satu")
    ani = make_buyer(session, full_name="Ani Lestari")
    bambang = make_buyer(session, full_name="Bambang Wijaya", segment=BuyerSegment.STUDENT,
                         institution="Universitas Gadjah Mada")
    eko = make_buyer(session, full_name="Eko Prasetyo")
    gita = make_buyer(session, full_name="Gita Permata")
    fajar = make_buyer(session, full_name="Fajar Nugroho")

    late = make_order(session, ani, make_publication(session, title="Statistik Daerah Kabupaten Klaten 2025"),
                      submitted_on=date(2026, 11, 9))
    counter = make_walk_in_order(session, officer, make_map(session, title="Peta Kabupaten Boyolali per Desa"),
                                 make_publication(session, title="Kecamatan Sawit Dalam Angka"),
                                 name="Citra Dewi", institution="Bappeda Jawa Tengah",
                                 segment=BuyerSegment.REGIONAL_GOVERNMENT,
                                 submitted_on=date(2026, 11, 10))
    accepted = make_order(session, bambang, make_microdata(session, title="Sakernas Agustus 2025"),
                          submitted_on=date(2026, 11, 23))
    accept(session, Actor(officer), accepted.id)
    # Started long ago but now with the buyer: its SLA is paused, so it is not overdue.
    returned = make_order(session, eko, make_publication(session, title="Indikator Kesejahteraan Rakyat 2025"),
                          submitted_on=date(2026, 10, 1))
    return_order(session, Actor(officer), returned.id, {"other": "Lengkapi tujuan."})
    cancelled = make_order(session, gita, make_publication(session, title="Produk Domestik Regional Bruto 2025"),
                           submitted_on=date(2026, 10, 1))
    cancel(session, Actor(officer), cancelled.id, reason="Pembeli membatalkan.")
    draft = make_order(session, fajar, make_publication(session, title="Statistik Air Bersih 2025"),
                       submitted_on=None)
    return dict(session=session, late=late, counter=counter, accepted=accepted, returned=returned,
                cancelled=cancelled, draft=draft)


def names(data, **filters) -> list[str]:
    rows = queue.officer_queue(data["session"], today=TODAY, to_local=local_date, **filters).items
    return [row.order.buyer_name for row in rows]


def test_without_filters_the_open_orders_show_most_urgent_first(orders_in_queue):
    # Earliest deadline first; the order paused with the buyer last; no draft, no cancelled order.
    assert names(orders_in_queue) == ["Ani Lestari", "Citra Dewi", "Bambang Wijaya", "Eko Prasetyo"]
    rows = queue.officer_queue(orders_in_queue["session"], today=TODAY, to_local=local_date).items
    assert [(row.sla.deadline, row.sla.overdue, row.sla.paused) for row in rows[:3]] == [
        (date(2026, 11, 23), True, False), (TODAY, False, False), (date(2026, 12, 7), False, False)]
    assert rows[3].sla.paused and rows[3].sla.deadline is None


@pytest.mark.parametrize(("text", "expected"), [
    # Case: SQLite's LIKE ignores ASCII case anyway; PostgreSQL (make test-pg) checks the lower().
    pytest.param("LESTARI", ["Ani Lestari"], id="buyer name, any case"),
    pytest.param("gadjah", ["Bambang Wijaya"], id="buyer institution"),
    pytest.param("bappeda", ["Citra Dewi"], id="walk-in institution"),
    pytest.param("boyolali", ["Citra Dewi"], id="product title"),
    pytest.param("sawit", ["Citra Dewi"], id="title of a second line"),
    pytest.param("sakernas bambang", ["Bambang Wijaya"], id="every word must match"),
    pytest.param("sakernas citra", [], id="words on different orders match nothing"),
    pytest.param("2025", ["Ani Lestari", "Bambang Wijaya", "Eko Prasetyo"], id="a year in titles"),
    pytest.param("Rahmawati", [], id="nobody"),
])
def test_text_search_matches_buyer_institution_and_product(orders_in_queue, text, expected):
    assert names(orders_in_queue, text=text) == expected


def test_text_search_finds_an_order_by_its_reference_alone(orders_in_queue):
    target = orders_in_queue["accepted"]
    assert names(orders_in_queue, text=target.reference) == ["Bambang Wijaya"]
    assert names(orders_in_queue, text=target.reference.lower()) == ["Bambang Wijaya"]


@pytest.mark.parametrize(("kind", "expected"), [
    pytest.param(ProductKind.PUBLICATION, ["Ani Lestari", "Citra Dewi", "Eko Prasetyo"], id="publication"),
    pytest.param(ProductKind.MICRODATA, ["Bambang Wijaya"], id="microdata"),
    pytest.param(ProductKind.MAP, ["Citra Dewi"], id="map"),
])
def test_kind_keeps_orders_with_a_line_of_that_kind(orders_in_queue, kind, expected):
    assert names(orders_in_queue, kind=kind) == expected


@pytest.mark.parametrize(("channel", "expected"), [
    pytest.param(Channel.WALK_IN, ["Citra Dewi"], id="walk-in"),
    pytest.param(Channel.ONLINE, ["Ani Lestari", "Bambang Wijaya", "Eko Prasetyo"], id="online"),
])
def test_channel_keeps_walk_in_or_online_orders(orders_in_queue, channel, expected):
    assert names(orders_in_queue, channel=channel) == expected


@pytest.mark.parametrize(("statuses", "expected"), [
    pytest.param([OrderStatus.SUBMITTED], ["Ani Lestari", "Citra Dewi"], id="submitted"),
    pytest.param([OrderStatus.SUBMITTED, OrderStatus.ACCEPTED], ["Ani Lestari", "Citra Dewi", "Bambang Wijaya"],
                 id="submitted or accepted"),
    pytest.param([OrderStatus.RETURNED], ["Eko Prasetyo"], id="returned"),
    pytest.param([OrderStatus.CANCELLED], ["Gita Permata"], id="cancelled, when asked for"),
    pytest.param([OrderStatus.INVOICED], [], id="none invoiced"),
])
def test_status_keeps_the_chosen_statuses(orders_in_queue, statuses, expected):
    assert names(orders_in_queue, statuses=statuses) == expected


def test_overdue_keeps_only_orders_past_their_deadline(orders_in_queue):
    # Not the order due today, nor the paused one that started in October.
    assert names(orders_in_queue, overdue_only=True) == ["Ani Lestari"]
    rows = queue.officer_queue(orders_in_queue["session"], today=date(2026, 11, 25), to_local=local_date,
                               overdue_only=True).items
    assert [row.order.buyer_name for row in rows] == ["Ani Lestari", "Citra Dewi"]  # a day later


def test_filters_combine(orders_in_queue):
    assert names(orders_in_queue, kind=ProductKind.PUBLICATION, channel=Channel.ONLINE) == [
        "Ani Lestari", "Eko Prasetyo"]
    assert names(orders_in_queue, kind=ProductKind.PUBLICATION, statuses=[OrderStatus.SUBMITTED],
                 channel=Channel.ONLINE) == ["Ani Lestari"]
    assert names(orders_in_queue, text="klaten", overdue_only=True) == ["Ani Lestari"]
    assert names(orders_in_queue, text="boyolali", channel=Channel.ONLINE) == []
    assert names(orders_in_queue, kind=ProductKind.MICRODATA, overdue_only=True) == []
