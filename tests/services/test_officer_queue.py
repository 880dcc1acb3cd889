"""The officer queue's filters on real orders: text, product kind, status, channel and
overdue each keep exactly the orders they should, and no filter is silently ignored. The text
search matches the beginnings of words of the buyer, institution and product titles, or the
order number, and follows an order's lines as they change."""

from datetime import date

import pytest
from sqlalchemy import event

from sales_service.accounts.models import User
from sales_service.orders import queue  # officer_queue
from sales_service.orders.lifecycle import OrderStatus
from sales_service.orders.models import Channel
from sales_service.orders.ordering import add_to_order, cancel, remove_line
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
    # Word-prefix semantics: the beginning of any word, never the middle of one.
    pytest.param("lest", ["Ani Lestari"], id="beginning of a name"),
    pytest.param("estari", [], id="not the middle of a word"),
    pytest.param("saker baM", ["Bambang Wijaya"], id="beginnings of two words"),
    pytest.param("déwi", ["Citra Dewi"], id="accents ignored"),
    pytest.param("Gadjah-Mada", ["Bambang Wijaya"], id="hyphenated words"),
    pytest.param("kabupaten,", ["Ani Lestari", "Citra Dewi"], id="punctuation ignored"),
])
def test_text_search_matches_buyer_institution_and_product(orders_in_queue, text, expected):
    assert names(orders_in_queue, text=text) == expected


def test_text_search_finds_an_order_by_its_reference_alone(orders_in_queue):
    target = orders_in_queue["accepted"]
    assert names(orders_in_queue, text=target.reference) == ["Bambang Wijaya"]
    assert names(orders_in_queue, text=target.reference.lower()) == ["Bambang Wijaya"]
    assert names(orders_in_queue, text=f"{target.id:06d}") == ["Bambang Wijaya"]
    assert names(orders_in_queue, text=str(target.id)) == ["Bambang Wijaya"]
    assert names(orders_in_queue, text=f"{target.reference} sakernas") == ["Bambang Wijaya"]
    assert names(orders_in_queue, text=f"{target.reference} lestari") == []


def test_text_search_follows_the_lines_as_they_change(orders_in_queue):
    session, draft = orders_in_queue["session"], orders_in_queue["draft"]
    buyer = session.get(User, draft.buyer_id)
    drafts = dict(statuses=[OrderStatus.DRAFT])
    assert names(orders_in_queue, text="bersih", **drafts) == ["Fajar Nugroho"]
    add_to_order(session, buyer, make_map(session, title="Peta Tematik Kemiskinan").id, on=TODAY)
    assert names(orders_in_queue, text="kemiskinan", **drafts) == ["Fajar Nugroho"]
    first = draft.lines[0]
    remove_line(session, Actor(buyer), draft.id, first.id)
    assert names(orders_in_queue, text="bersih", **drafts) == []
    assert names(orders_in_queue, text="kemiskinan fajar", **drafts) == ["Fajar Nugroho"]


def test_text_search_follows_each_status_move(orders_in_queue):
    session, late = orders_in_queue["session"], orders_in_queue["late"]
    # Moved by the fixture: accepted, returned to the buyer, cancelled.
    assert names(orders_in_queue, text="gadjah", statuses=[OrderStatus.ACCEPTED]) == ["Bambang Wijaya"]
    assert names(orders_in_queue, text="permata", statuses=[OrderStatus.CANCELLED]) == ["Gita Permata"]
    assert names(orders_in_queue, text="permata") == []  # cancelled: not among the open orders
    officer = make_staff(session, Role.OFFICER, full_name="Petugas Dua")
    accept(session, Actor(officer), late.id)
    assert names(orders_in_queue, text="klaten", statuses=[OrderStatus.SUBMITTED]) == []
    assert names(orders_in_queue, text="klaten", statuses=[OrderStatus.ACCEPTED]) == ["Ani Lestari"]
    cancel(session, Actor(officer), late.id, reason="Pembeli membatalkan.")
    assert names(orders_in_queue, text="klaten") == []
    assert names(orders_in_queue, text="klaten lestari", statuses=[OrderStatus.CANCELLED]) == ["Ani Lestari"]


@pytest.mark.parametrize("typed", ["lestari", "lest klaten", "2025 saker", "sawit boyo"])
def test_text_search_reads_the_words_index_not_every_open_order(orders_in_queue, typed):
    session = orders_in_queue["session"]
    if session.bind.dialect.name != "sqlite":
        pytest.skip("query plans are read on SQLite (see tests/services/test_desk_indexes.py)")
    connection = session.connection()
    sent = []

    def keep(_conn, _cursor, statement, parameters, _context, _many):
        sent.append((statement, parameters))

    event.listen(connection, "before_cursor_execute", keep)
    try:
        queue.officer_queue(session, today=TODAY, to_local=local_date, text=typed)
    finally:
        event.remove(connection, "before_cursor_execute", keep)
    listing = [(sql, params) for sql, params in sent if "FROM sales_order" in sql]
    assert len(listing) == 2, sent  # the count and the page
    for sql, params in listing:
        steps = [row[-1] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params)]
        # Per status asked, the range of words the typed one begins: no closed order's words are read.
        assert any(step.startswith("SEARCH order_search_word USING COVERING INDEX ix_order_search_word_status_word "
                                   "(status=? AND word>? AND word<?)") for step in steps), steps
        assert not any(step.startswith("SCAN") or "order_line" in step for step in steps), steps


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
