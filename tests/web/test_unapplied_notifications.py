"""The treasurer sees payment notifications that could not be applied, and applies them again."""

import json
import re

import pytest
from sqlalchemy import insert, select

from sales_service.errors import Conflict
from sales_service.orders import workflow
from sales_service.orders.lifecycle import OrderStatus
from sales_service.orders.models import Order
from sales_service.payments import services as payment_services
from sales_service.payments.models import NotificationChannel, NotificationState, PaymentNotification
from sales_service.roles import Role
from tests.buyer_steps import element_text, page, sign_in_as, submit_form
from tests.factories import make_staff
from tests.web.test_invoice_pages import accepted  # noqa: F401  (fixture)
from tests.web.test_staff_lists import statements_for
from tests.web.test_webhook import body_for, code, send  # noqa: F401  (fixture)

TREASURER = "bendahara@example.test"


@pytest.fixture
def treasurer(db_session):
    make_staff(db_session, Role.TREASURER, email=TREASURER, full_name="Bendahara Satu")
    db_session.commit()


def failing_settle(monkeypatch, failure=None):
    def fail(*args, **kwargs):
        raise failure or Conflict("Pesanan ini baru saja diubah oleh pengguna lain.")

    real = payment_services.settle
    monkeypatch.setattr(payment_services, "settle", fail)
    return lambda: monkeypatch.setattr(payment_services, "settle", real)


def desk_count(client) -> int:
    home = page(client, "/bendahara")
    link = re.search(r'<a href="/bendahara/notifikasi" id="count-notifications">[^<]*<strong>(\d+)</strong>', home)
    assert link, "the desk links the notifications not applied"
    return int(link.group(1))


def test_a_notification_that_failed_is_on_the_desk_with_why_and_applying_it_again_pays_the_order(
        app, client, db_session, code, accepted, treasurer, monkeypatch):  # noqa: F811
    fixed = failing_settle(monkeypatch)
    assert send(client, app, body_for(code)).status_code == 202  # stored, not applied
    sign_in_as(client, TREASURER)
    assert desk_count(client) == 1
    listed = page(client, "/bendahara/notifikasi")
    notification_id = db_session.scalar(select(PaymentNotification.id))
    row = element_text(listed, f"notification-{notification_id}")
    assert code in row and "Rp335.000" in row and "0A1B2C3D4E5F6G7H" in row
    assert "gagal diterapkan" in row and "diubah oleh pengguna lain" in row

    still = submit_form(client, listed, f"apply-{notification_id}").get_data(as_text=True)  # not fixed yet
    assert "masih belum dapat diterapkan" in still
    assert db_session.scalar(select(PaymentNotification.state)) == NotificationState.FAILED

    # Something other than a domain error: kept failed with the new reason, not a server error.
    failing_settle(monkeypatch, RuntimeError("the disk is full"))
    app.config["PROPAGATE_EXCEPTIONS"] = False
    still = submit_form(client, page(client, "/bendahara/notifikasi"), f"apply-{notification_id}")
    assert still.status_code == 200 and "masih belum dapat diterapkan" in still.get_data(as_text=True)
    db_session.expire_all()
    assert db_session.get(PaymentNotification, notification_id).error == "RuntimeError: the disk is full"

    fixed()
    applied = submit_form(client, page(client, "/bendahara/notifikasi"), f"apply-{notification_id}").get_data(
        as_text=True)
    assert "Notifikasi 0A1B2C3D4E5F6G7H diterapkan: diterapkan." in applied  # named by its NTPN
    assert "Semua notifikasi pembayaran sudah diterapkan." in applied
    assert desk_count(client) == 0
    db_session.expire_all()
    assert db_session.get(Order, accepted).status == OrderStatus.PAID
    paid = [e for e in workflow.events(db_session, accepted) if e.action == "record_payment"]
    assert [(e.actor_name, e.actor_role) for e in paid] == [("Bendahara Satu", "treasurer")]  # who applied it

    again = submit_form(client, listed, f"apply-{notification_id}")  # an old copy of the list
    assert "sudah diterapkan sebelumnya" in again.get_data(as_text=True)
    assert client.post("/bendahara/notifikasi/987654/terapkan",
                       data={"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', listed).group(1)}
                       ).status_code == 404


def test_only_the_treasurer_s_desk_sees_and_applies_notifications(  # noqa: F811
        app, client, db_session, code, accepted, treasurer, monkeypatch):  # noqa: F811
    failing_settle(monkeypatch)
    send(client, app, body_for(code))
    notification_id = db_session.scalar(select(PaymentNotification.id))
    sign_in_as(client, "petugas@example.test")  # an officer
    assert client.get("/bendahara/notifikasi").status_code == 403
    listed = client.get("/katalog").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', listed).group(1)
    assert client.post(f"/bendahara/notifikasi/{notification_id}/terapkan",
                       data={"csrf_token": token}).status_code == 403
    assert db_session.scalar(select(PaymentNotification.state)) == NotificationState.FAILED


def test_the_list_asks_as_many_questions_with_300_notifications_as_with_30(app, client, db_session, treasurer):
    def seed(n: int, start: int) -> None:
        body = json.dumps(body_for("820261124000001")).encode().decode()
        db_session.execute(insert(PaymentNotification), [dict(
            webhook_id=f"msg_seed_{start + i}", channel=NotificationChannel.WEBHOOK, body=body,
            state=NotificationState.FAILED, error="uji") for i in range(n)])
        db_session.commit()

    seed(30, 0)
    sign_in_as(client, TREASURER)
    few = statements_for(app, client, "/bendahara/notifikasi")
    seed(270, 30)
    assert statements_for(app, client, "/bendahara/notifikasi") == few
    assert "300 notifikasi" in page(client, "/bendahara/notifikasi")
    assert desk_count(client) == 300
