"""Many realistic orders at once, for tests and benchmarks of lists that must not slow down
as orders pile up (issue 8, points 20 and 22).

Core ``insert`` executemany of buyers, orders in every status with their lines, status
events and search words, spread over two years with most long closed: about 3,500 orders a
second on SQLite, where the order services make about 30. Not through the services, so nothing
here checks a rule; lines are copies of real quotes (``line_templates``) and the events follow
the lifecycle.
The stored SLA deadlines are left to ``office_calendar.refresh_running_deadlines``, as after a
leave day. Online orders only (no walk-in visits), and no invoices for these orders.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import insert
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from sales_service.accounts.models import Domicile, User
from sales_service.catalog import services as catalog
from sales_service.orders import ordering, search
from sales_service.orders.lifecycle import OrderStatus
from sales_service.orders.models import Channel, LeaveDay, Order, OrderEvent, OrderLine, OrderSearchWord
from sales_service.pnbp.segments import BuyerSegment
from sales_service.roles import Role

ZONE = ZoneInfo("Asia/Jakarta")
S = OrderStatus
# Where orders stand in an office that has sold for two years: most are long closed.
FINAL_STATUSES = [
    (S.COMPLETED, 52), (S.CANCELLED, 8), (S.DELIVERED, 4), (S.RECEIPTED, 2), (S.PAID, 2), (S.INVOICED, 6),
    (S.CORRECTION_REQUESTED, 1), (S.ACCEPTED, 4), (S.SUBMITTED, 7), (S.RETURNED, 4), (S.DRAFT, 10),
]
OPEN = {S.SUBMITTED, S.RETURNED, S.ACCEPTED, S.INVOICED, S.CORRECTION_REQUESTED, S.PAID, S.RECEIPTED, S.DRAFT}
# The status moves (action, new status) that lead to each final status, after "create" (draft).
MAIN_ROAD = [("submit", S.SUBMITTED), ("accept", S.ACCEPTED), ("issue_invoice", S.INVOICED),
             ("record_payment", S.PAID), ("issue_receipt", S.RECEIPTED), ("deliver", S.DELIVERED),
             ("complete", S.COMPLETED)]
SEGMENTS = [(BuyerSegment.INDIVIDUAL, None), (BuyerSegment.STUDENT, "Universitas Gadjah Mada"),
            (BuyerSegment.PRIVATE_COMPANY, "PT Riset Nusantara"), (BuyerSegment.REGIONAL_GOVERNMENT,
                                                                   "Bappeda Kabupaten Contoh")]
NAMES = ["Ani", "Budi", "Citra", "Dewi", "Eko", "Fajar", "Gita", "Hendra", "Indah", "Joko", "Kartika", "Lestari",
         "Made", "Nur", "Putu", "Rina", "Sari", "Teguh", "Wahyu", "Yanti"]
FAMILY = ["Santoso", "Wijaya", "Lestari", "Prasetyo", "Nugroho", "Permata", "Hidayat", "Siregar", "Saputra",
          "Kusuma", "Pratama", "Wibowo", "Setiawan", "Rahayu"]


def _moves(final: OrderStatus, rng: random.Random) -> list[tuple[str, OrderStatus]]:
    """The status moves of an order that ends in ``final``; a fifth is returned once on the way."""
    if final == S.DRAFT:
        return []
    if final == S.CANCELLED:
        return [("cancel", S.CANCELLED)] if rng.random() < 0.5 else [("submit", S.SUBMITTED), ("cancel", S.CANCELLED)]
    if final == S.RETURNED:
        return [("submit", S.SUBMITTED), ("return", S.RETURNED)]
    if final == S.CORRECTION_REQUESTED:
        road = MAIN_ROAD[:3] + [("request_correction", S.CORRECTION_REQUESTED)]
    else:
        road = MAIN_ROAD[:[status for _, status in MAIN_ROAD].index(final) + 1]
    if rng.random() < 0.2 and len(road) > 1:
        road = road[:1] + [("return", S.RETURNED), ("submit", S.SUBMITTED)] + road[1:]
    return road


def local_day(moment: datetime) -> date:
    return moment.astimezone(ZONE).date()


def seed_orders(connection: Connection, n: int, *, now: datetime, products: list[dict], officer_id: int,
                seed: int = 8, leave_days: bool = True) -> list[int]:
    """``n`` orders of ``n // 5`` new buyers (the seed names them: call again with another seed
    for more), with lines (``line_templates``), their status events and, with ``leave_days``,
    two office leave days in the last weeks. Returns the new orders' ids."""
    rng = random.Random(seed)
    password_hash = generate_password_hash("bulk buyers never sign in", method="pbkdf2:sha256:1000")
    buyers = []
    for number in range(max(1, n // 5)):
        segment, institution = rng.choice(SEGMENTS)
        buyers.append(dict(email=f"pembeli{seed}-{number}@bulk.test", password_hash=password_hash, role=Role.BUYER,
                           full_name=f"{rng.choice(NAMES)} {rng.choice(FAMILY)}", segment=segment,
                           domicile=Domicile.INDONESIA, institution=institution, active=True,
                           created_at=now - timedelta(days=800)))
    buyer_ids = connection.execute(
        insert(User.__table__).returning(User.__table__.c.id, sort_by_parameter_order=True), buyers).scalars().all()
    buyer_rows = list(zip(buyer_ids, buyers, strict=True))

    statuses, weights = zip(*FINAL_STATUSES, strict=True)
    plans = []
    for _ in range(n):
        final = rng.choices(statuses, weights)[0]
        buyer_id, buyer = rng.choice(buyer_rows)
        # Open orders are recent; closed ones are spread over two years.
        age = timedelta(days=rng.uniform(0, 25 if final in OPEN else 720), hours=rng.uniform(0, 8))
        created = now - age
        moves = _moves(final, rng)
        step = min(timedelta(days=3), age / (len(moves) + 1))
        times = [created + step * (i + 1) for i in range(len(moves))]
        plans.append((final, buyer_id, buyer, created, moves, times))

    orders = []
    for final, buyer_id, buyer, created, moves, times in plans:
        submits = [t for (action, _), t in zip(moves, times, strict=True) if action == "submit"]
        orders.append(dict(
            channel=Channel.ONLINE, buyer_id=buyer_id, status=final, version=1 + len(moves),
            buyer_name=buyer["full_name"], buyer_institution=buyer["institution"], segment=buyer["segment"],
            purpose="Penelitian dan perencanaan daerah", commercial=buyer["segment"] == BuyerSegment.PRIVATE_COMPANY,
            created_at=created, submitted_at=submits[-1] if submits else None,
            requirements_complete_on=local_day(submits[0]) if submits else None,
            sla_budget_days=10 if submits else None,
        ))
    table = Order.__table__
    order_ids = connection.execute(
        insert(table).returning(table.c.id, sort_by_parameter_order=True), orders).scalars().all()

    lines, events = [], []
    for order_id, (_final, buyer_id, buyer, created, moves, times) in zip(order_ids, plans, strict=True):
        for product in rng.sample(products, min(len(products), rng.choice([1, 1, 1, 2, 3]))):
            lines.append(dict(product, order_id=order_id, priced_on=local_day(created)))
        events.append(dict(order_id=order_id, at=created, actor_id=buyer_id, actor_name=buyer["full_name"],
                           actor_role="buyer", action="create", from_status=None, to_status=S.DRAFT, details={}))
        before = S.DRAFT
        for (action, status), moment in zip(moves, times, strict=True):
            by_buyer = action in ("submit", "cancel") and rng.random() < 0.8
            events.append(dict(order_id=order_id, at=moment, actor_id=buyer_id if by_buyer else officer_id,
                               actor_name=buyer["full_name"] if by_buyer else "Petugas PST Demo",
                               actor_role="buyer" if by_buyer else "officer", action=action, from_status=before,
                               to_status=status, details={},
                               reason="Lengkapi abstraksi." if status == S.RETURNED else None))
            before = status
    connection.execute(insert(OrderLine.__table__), lines)
    connection.execute(insert(OrderEvent.__table__), events)
    titles: dict[int, list[str]] = {}
    for line in lines:
        titles.setdefault(line["order_id"], []).append(line["product_title"])
    connection.execute(insert(OrderSearchWord.__table__), [  # what the ordering services index
        row for order_id, order in zip(order_ids, orders, strict=True)
        for row in search.word_rows(order_id, order["status"], order["buyer_name"], order["buyer_institution"],
                                    titles[order_id])])
    if leave_days:
        connection.execute(insert(LeaveDay.__table__), [
            dict(day=local_day(now) - timedelta(days=d), note="Cuti kantor", created_by="Admin Demo",
                 created_at=now) for d in (12, 40)])
    return list(order_ids)


def line_templates(session: Session, today: date) -> list[dict]:
    """One priced line per catalogue product, as the order services would price it today."""
    templates = []
    for product in catalog.active_products(session):
        line = ordering.priced_line(session, product.id, (), on=today)
        templates.append({column.key: getattr(line, column.key) for column in OrderLine.__table__.columns
                          if column.key not in ("id", "order_id", "priced_on")
                          and getattr(line, column.key) is not None})
    return templates
