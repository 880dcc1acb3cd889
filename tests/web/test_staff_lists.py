"""Lists that stay fast as orders pile up (issue 8, points 20 and 11): the officers' queue,
the staff home's counts, a buyer's orders and the admin's lists ask the database the same
number of questions whatever the number of orders, come a page at a time, and their page
links keep the filters."""

from __future__ import annotations

import html
import re
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from urllib.parse import parse_qsl, urlencode

import pytest
from sqlalchemy import event, func, select, update

from sales_service.accounts import api_tokens
from sales_service.orders import office_calendar
from sales_service.orders.lifecycle import OrderStatus
from sales_service.orders.models import LeaveDay, Order
from sales_service.orders.queue import OPEN_STATUSES
from sales_service.roles import Role
from tests.bulk import line_templates, local_day, seed_orders
from tests.conftest import login
from tests.factories import make_buyer, make_microdata, make_publication, make_staff

NOW = datetime.now(UTC)
TODAY = local_day(NOW)
OFFICER, ADMIN, BUYER = "petugas@example.test", "admin@example.test", "ani@example.test"


@pytest.fixture
def office(db_session):
    officer = make_staff(db_session, Role.OFFICER, email=OFFICER, full_name="Petugas Satu")
    make_staff(db_session, Role.ADMIN, email=ADMIN, full_name="Admin Kantor")
    buyer = make_buyer(db_session, email=BUYER, full_name="Ani Buyer")
    make_publication(db_session)
    make_microdata(db_session)
    products = line_templates(db_session, TODAY)
    db_session.commit()
    seeds = iter(range(1, 100))

    def add_orders(n: int) -> list[int]:
        """``n`` more bulk orders, a third of them the signed-in buyer's own."""
        seed = next(seeds)
        ids = seed_orders(db_session.connection(), n, now=NOW, products=products, officer_id=officer.id, seed=seed,
                          leave_days=seed == 1)
        db_session.execute(update(Order).where(Order.id.in_(ids[::3])).values(buyer_id=buyer.id))
        office_calendar.refresh_running_deadlines(db_session)
        db_session.commit()
        return ids

    return add_orders


@contextmanager
def counted(app):
    """The SQL statements sent to the database inside the block."""
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    engine = app.extensions["sales_db"]["engine"]
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def statements_for(app, client, path: str) -> int:
    return len(_statements(app, client, path))


def _statements(app, client, path: str) -> list[str]:
    client.get(path)  # once before: what a process loads only once (holiday tables) is not the list's
    with counted(app) as statements:
        response = client.get(path)
    assert response.status_code == 200, path
    return statements


# The queue reads the status moves of the shown orders that are with the buyer (their SLA is paused:
# no stored clock), in one statement, only when the page shows one.
PAUSED_ROWS_MOVES = "FROM order_event"


def reads_for(app, client, path: str) -> tuple[int, int]:
    """The list's statements, and of them those reading the paused rows' status moves."""
    statements = _statements(app, client, path)
    return len(statements), sum(1 for statement in statements if PAUSED_ROWS_MOVES in statement)


def same_reads(few: tuple[int, int], many: tuple[int, int]) -> bool:
    """As many statements, but for the paused rows' moves: read once when a page shows such rows."""
    return few[0] - few[1] == many[0] - many[1] and few[1] <= 1 and many[1] <= 1


LISTS = [
    pytest.param(OFFICER, "/petugas/pesanan", id="officer queue"),
    pytest.param(OFFICER, "/petugas/pesanan?terlambat=1", id="overdue queue"),
    pytest.param(OFFICER, "/petugas/pesanan?status=submitted&status=accepted&jenis=publication", id="filtered queue"),
    pytest.param(OFFICER, "/petugas/pesanan?q=s", id="queue search"),
    pytest.param(OFFICER, "/staf", id="staff home counts"),
    pytest.param(BUYER, "/pesanan", id="buyer's orders"),
    pytest.param(ADMIN, "/admin/pengguna", id="admin users"),
    pytest.param(ADMIN, "/admin/cuti", id="leave days"),
    pytest.param(ADMIN, "/admin/token", id="api tokens"),
]


@pytest.mark.parametrize(("who", "path"), LISTS)
def test_a_list_asks_as_many_questions_with_300_orders_as_with_30(app, client, office, who, path):
    office(30)
    login(client, who)
    few = reads_for(app, client, path)
    office(270)
    assert same_reads(few, reads_for(app, client, path))


QUEUES = ["/petugas/pesanan", "/petugas/pesanan?q=lestari", "/petugas/pesanan?q=lest+susenas",
          "/petugas/pesanan?q=bappeda+2025"]


def test_the_queue_asks_as_many_questions_with_20000_orders_as_with_1000(app, client, office, db_session):
    office(1_000)
    login(client, OFFICER)
    few = [reads_for(app, client, path) for path in QUEUES]
    office(19_000)
    assert all(same_reads(before, reads_for(app, client, path)) for before, path in zip(few, QUEUES, strict=True))
    page = client.get("/petugas/pesanan").get_data(as_text=True)
    assert len(re.findall(r'<tr class="(?:overdue)?">', page)) == 25  # one page, not every open order
    # The text search too: a page of the orders whose buyer is a Lestari (first or family name),
    # and the total counts all of them.
    found = client.get("/petugas/pesanan?q=lestari").get_data(as_text=True)
    rows = re.findall(r'<tr class="(?:overdue)?">(.*?)</tr>', found, re.DOTALL)
    assert len(rows) == 25 and all(re.search(r"<td>[^<]*\bLestari\b", row) for row in rows)
    lestaris = db_session.scalar(select(func.count()).select_from(Order).where(
        Order.status.in_(OPEN_STATUSES), Order.buyer_name.like("%Lestari%")))
    assert re.search(r'id="queue-total">(\d+) pesanan', found).group(1) == str(lestaris)


def _shown(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'href="/pesanan/(\d+)"', page)]


def _link(page: str, number: int) -> str:
    match = re.search(rf'href="([^"]*hal={number}[^"]*)"', page)
    assert match, f"no link to page {number}"
    return match.group(1).replace("&amp;", "&")


def test_page_two_of_the_queue_shows_the_next_orders_with_the_same_filters(app, client, office, db_session):
    office(300)
    login(client, OFFICER)
    first = client.get("/petugas/pesanan?status=submitted&status=accepted&q=s").get_data(as_text=True)
    second_url = _link(first, 2)
    assert "status=submitted" in second_url and "status=accepted" in second_url and "q=s" in second_url
    second = client.get(second_url).get_data(as_text=True)
    shown_first, shown_second = _shown(first), _shown(second)
    assert len(shown_first) == 25 and shown_second and not set(shown_first) & set(shown_second)
    statuses = set(db_session.scalars(select(Order.status).where(Order.id.in_(shown_first + shown_second))))
    assert statuses <= {OrderStatus.SUBMITTED, OrderStatus.ACCEPTED}
    total = re.search(r'id="queue-total">(\d+) pesanan', first).group(1)
    assert re.search(r'id="queue-total">(\d+) pesanan', second).group(1) == total
    # Deadline order runs on across the pages: page 2 starts no earlier than page 1 ends.
    deadlines = dict(db_session.execute(select(Order.id, Order.sla_deadline).where(
        Order.id.in_(shown_first + shown_second))).all())
    def urgency(order_id):
        return (deadlines[order_id] is None, deadlines[order_id] or date.max, order_id)

    assert urgency(shown_first[-1]) < urgency(shown_second[0])
    back = client.get(_link(second, 1)).get_data(as_text=True)
    assert _shown(back) == shown_first


def test_the_overdue_filter_stays_on_the_next_page(client, office):
    office(1_200)  # about 3% of the orders are overdue: more than a page
    login(client, OFFICER)
    first = client.get("/petugas/pesanan?terlambat=1").get_data(as_text=True)
    second = client.get(_link(first, 2)).get_data(as_text=True)
    assert 'name="terlambat" value="1"' in second
    overdue_rows = re.findall(r'<tr class="overdue">', second)
    assert overdue_rows and len(overdue_rows) == len(_shown(second))


def test_the_htmx_fragment_of_a_later_page_keeps_its_links(client, office):
    office(300)
    login(client, OFFICER)
    response = client.get("/petugas/pesanan?hal=2&kanal=online", headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith('<section id="queue">')
    assert "kanal=online" in _link(body, 3)


def test_staff_home_shows_each_queues_count_linking_to_it(client, office, db_session):
    office(300)
    login(client, OFFICER)
    home = client.get("/staf").get_data(as_text=True)

    def count(status=None):
        query = select(Order.id).where(Order.status == status) if status else select(Order.id).where(
            Order.sla_deadline < TODAY)
        return len(db_session.scalars(query).all())

    for anchor, href, expected in [
        ("count-to-review", "/petugas/pesanan?status=submitted", count(OrderStatus.SUBMITTED)),
        ("count-to-invoice", "/petugas/pesanan?status=accepted", count(OrderStatus.ACCEPTED)),
        ("count-corrections", "/petugas/pesanan?status=correction_requested",
         count(OrderStatus.CORRECTION_REQUESTED)),
        ("count-overdue", "/petugas/pesanan?terlambat=1", count()),
    ]:
        link = re.search(rf'<a href="([^"]+)" id="{anchor}">[^<]*<strong[^>]*>([\d.]+)</strong>', home)
        assert link, anchor
        assert (link.group(1), int(link.group(2).replace(".", ""))) == (href, expected)
        queue = client.get(href).get_data(as_text=True)
        assert f'id="queue-total">{expected} pesanan' in queue  # the count is the linked queue's size
    assert count() > 0 and count(OrderStatus.SUBMITTED) > 0


def test_a_buyer_reads_their_orders_a_page_at_a_time(client, office, db_session):
    ids = office(300)
    login(client, BUYER)
    mine = set(db_session.scalars(select(Order.id).where(Order.buyer_id.in_(
        select(Order.buyer_id).where(Order.id == ids[0])))))
    first = client.get("/pesanan").get_data(as_text=True)
    second = client.get(_link(first, 2)).get_data(as_text=True)
    assert len(_shown(first)) == 20 and set(_shown(first) + _shown(second)) <= mine
    assert not set(_shown(first)) & set(_shown(second))


def test_the_admin_finds_an_account_among_many(client, office, db_session):
    office(300)
    login(client, ADMIN)
    everyone = client.get("/admin/pengguna").get_data(as_text=True)
    assert _link(everyone, 2) and everyone.count("/status\"") == 50
    found = client.get("/admin/pengguna?q=ani%40example").get_data(as_text=True)
    assert BUYER in found and found.count("/status\"") == 1


def test_leave_days_and_tokens_come_a_page_at_a_time(client, db_session):
    admin = make_staff(db_session, Role.ADMIN, email=ADMIN, full_name="Admin Kantor")
    start = TODAY + timedelta(days=400)
    db_session.add_all(LeaveDay(day=start + timedelta(days=offset), note="Cuti", created_by="Admin Kantor")
                       for offset in range(55))
    for number in range(55):
        api_tokens.issue_api_token(db_session, admin, f"Sistem {number}")
    db_session.commit()
    login(client, ADMIN)
    first = client.get("/admin/cuti").get_data(as_text=True)
    second = client.get(_link(first, 2)).get_data(as_text=True)
    assert first.count("/hapus") == 50 and second.count("/hapus") == 5
    tokens = client.get("/admin/token").get_data(as_text=True)
    assert tokens.count("/cabut") == 50 and "Sistem 54<" in tokens and "Sistem 0<" not in tokens
    assert "Sistem 0<" in client.get(_link(tokens, 2)).get_data(as_text=True)


def test_the_pager_s_links_keep_every_filter_and_change_only_the_page(app, client, office):
    """Filters with several values, spaces and non-ASCII letters come back in each page link as typed."""
    office(300)
    login(client, OFFICER)
    typed = [("status", "submitted"), ("status", "accepted"), ("q", "s"), ("kanal", "online"), ("hal", "2"),
             ("catatan", "ä b/c&d")]  # not a filter of the queue: kept all the same
    page = client.get("/petugas/pesanan?" + urlencode(typed)).get_data(as_text=True)
    links = [html.unescape(link) for link in re.findall(r'<nav class="pager".*?</nav>', page, re.DOTALL)[0]
             .split('href="')[1:]]
    assert len(links) >= 2  # at least the previous page and page 1
    for link in (link.split('"')[0] for link in links):
        path, _, query = link.partition("?")
        pairs = parse_qsl(query)
        assert path == "/petugas/pesanan"
        assert sorted(p for p in pairs if p[0] != "hal") == sorted(p for p in typed if p[0] != "hal")
        assert [value for name, value in pairs if name == "hal"][0].isdigit()
        assert client.get(link).status_code == 200


def test_a_row_s_link_is_the_one_url_for_builds(app):
    from flask import url_for

    from sales_service.web import links_to

    for root in ("", "/kantor"):
        with app.test_request_context("/petugas/pesanan", base_url=f"http://localhost{root}"):
            link = links_to("orders.show", "order_id")
            for number in (1, 42, 1_000_000, 2**40):
                assert link(number) == url_for("orders.show", order_id=number)
            assert link(7).startswith(f"{root}/pesanan/")
