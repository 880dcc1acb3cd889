"""The payment-notification webhook, held to its contract (DESIGN.md)."""

import json
import time

import pytest
from sqlalchemy import func, select

from sales_service import db
from sales_service.errors import Conflict
from sales_service.invoices.models import Invoice
from sales_service.payments import services as payment_services
from sales_service.payments import signing
from sales_service.payments.models import NotificationState, Payment, PaymentNotification, PaymentProblem
from tests.conftest import csrf_token, login
from tests.factories import stored_notification
from tests.web.test_invoice_pages import accepted, issue  # noqa: F401  (fixture)

URL = "/webhooks/payments"


@pytest.fixture
def code(app, client, accepted):  # noqa: F811
    issue(client, accepted)
    with app.app_context():
        invoice = db.session().scalar(select(Invoice).where(Invoice.order_id == accepted))
        return invoice.current_code.code


def body_for(code: str, **changes) -> dict:
    data = {"billing_code": code, "amount": 335_000, "currency": "IDR", "ntpn": "0A1B2C3D4E5F6G7H",
            "ntb": "123456789012", "bank": "BANK X", "channel": "teller", "paid_at": "2026-11-24T10:15:00+07:00"}
    data.update(changes)
    return {"type": "billing.paid", "data": data}


def send(client, app, payload, *, msg_id="msg_1", timestamp=None, raw: bytes | None = None, headers=None):
    raw = raw if raw is not None else json.dumps(payload).encode()
    timestamp = int(time.time()) if timestamp is None else timestamp
    signed = signing.headers(app.config["WEBHOOK_SECRET"], msg_id, timestamp, raw)
    if headers is not None:
        signed = headers(signed)
    return client.post(URL, data=raw, headers={**signed, "Content-Type": "application/json"})


def count(app, model, *conditions) -> int:
    with app.app_context():
        return db.session().scalar(select(func.count()).select_from(model).where(*conditions))


def test_a_signed_notification_of_the_exact_amount_marks_the_order_paid(client, app, code, accepted):  # noqa: F811
    response = send(client, app, body_for(code))  # no CSRF token: the route is signed instead
    assert response.status_code == 200 and response.get_json()["status"] == "applied"
    assert count(app, Payment) == 1
    login(client, "ani@example.test")
    page = client.get(f"/pesanan/{accepted}").get_data(as_text=True)
    assert "Dibayar" in page
    assert "mencatat pembayaran lunas" in page  # the event is named on the timeline, not shown as its key


def test_once_the_code_is_paid_the_buyer_is_no_longer_told_to_pay_and_sees_the_ntpn(client, app, code,
                                                                                     accepted):  # noqa: F811
    login(client, "ani@example.test")
    before = client.get(f"/pesanan/{accepted}").get_data(as_text=True)
    assert "Bayar di bank/pos persepsi" in before and 'id="invoice-paid"' not in before
    client.post("/keluar", data={"csrf_token": csrf_token(client, "/katalog")})
    assert send(client, app, body_for(code)).status_code == 200
    login(client, "ani@example.test")
    page = client.get(f"/pesanan/{accepted}").get_data(as_text=True)
    assert 'id="invoice-paid"' in page and "Bayar di bank/pos persepsi" not in page and "berlaku sampai" not in page
    received = page[page.index('id="payments-received"'):]
    assert "0A1B2C3D4E5F6G7H" in received and "Rp335.000" in received and "diterima" in received
    assert "24 November 2026, 10.15 WIB" in received


def test_a_payment_of_the_wrong_amount_is_shown_to_the_buyer_as_being_checked(client, app, code,
                                                                                accepted):  # noqa: F811
    assert send(client, app, body_for(code, amount=300_000)).status_code == 200
    login(client, "ani@example.test")
    page = client.get(f"/pesanan/{accepted}").get_data(as_text=True)
    received = page[page.index('id="payments-received"'):]
    assert "Rp300.000" in received and "sedang diperiksa bendahara" in received
    assert 'id="invoice-paid"' not in page  # nothing was settled: the invoice still asks for its amount


def test_a_payment_of_a_voided_code_stays_on_the_buyer_s_page_beside_the_new_code(client, app, code,
                                                                                  accepted):  # noqa: F811
    login(client, "ani@example.test")
    client.post(f"/pesanan/{accepted}/koreksi", data={
        "target": "invoice", "reason": "Alamat salah.", "csrf_token": csrf_token(client, "/katalog")})
    client.post("/keluar", data={"csrf_token": csrf_token(client, "/katalog")})
    login(client, "petugas@example.test")
    assert client.post(f"/pesanan/{accepted}/koreksi/terbitkan-ulang", data={
        "csrf_token": csrf_token(client, "/katalog")}).status_code == 302
    client.post("/keluar", data={"csrf_token": csrf_token(client, "/katalog")})
    with app.app_context():
        first = db.session().scalar(select(Invoice.number).where(Invoice.order_id == accepted, Invoice.version == 1))

    assert send(client, app, body_for(code)).status_code == 200  # the buyer paid the old code all the same
    login(client, "ani@example.test")
    page = client.get(f"/pesanan/{accepted}").get_data(as_text=True)
    received = page[page.index('id="payments-received"'):]
    assert "0A1B2C3D4E5F6G7H" in received and first in received and "sedang diperiksa bendahara" in received


@pytest.mark.parametrize("tamper", [
    pytest.param(lambda h: {}, id="no headers"),
    pytest.param(lambda h: {k: v for k, v in h.items() if k != "webhook-signature"}, id="no signature"),
    pytest.param(lambda h: {**h, "webhook-signature": "v1," + "A" * 44}, id="wrong signature"),
    pytest.param(lambda h: {**h, "webhook-signature": h["webhook-signature"].replace(",", "")},
                 id="signature without a comma"),
    pytest.param(lambda h: {**h, "webhook-timestamp": "soon"}, id="timestamp not a number"),
    pytest.param(lambda h: {**h, "webhook-id": "msg_other"}, id="signed for another id"),
])
def test_a_missing_wrong_or_malformed_signature_is_refused(client, app, code, tamper):
    response = send(client, app, body_for(code), headers=tamper)
    assert response.status_code == 401
    assert count(app, Payment) == 0 and count(app, PaymentNotification) == 0


@pytest.mark.parametrize("offset", [-360, 360])
def test_a_timestamp_six_minutes_old_or_ahead_is_refused(client, app, code, offset):
    response = send(client, app, body_for(code), timestamp=int(time.time()) + offset)
    assert response.status_code == 401 and count(app, PaymentNotification) == 0


@pytest.mark.parametrize("raw, problem", [
    (b"\xff\xfe not utf-8", "UTF-8"),
    (b"{not json", "JSON"),
    (json.dumps({"type": "billing.refunded", "data": {}}).encode(), "billing.paid"),
])
def test_a_body_that_is_not_utf8_json_is_refused(client, app, code, raw, problem):
    response = send(client, app, None, raw=raw)
    assert response.status_code == 400 and problem in response.get_json()["problem"]
    assert count(app, PaymentNotification) == 0


@pytest.mark.parametrize("changes", [
    {"ntpn": "0A1B2C3D4E5F6G7"}, {"ntpn": "0A1B2C3D4E5F6G7H9"}, {"ntpn": "0A1B2C3D4E5F6G7-"},
    {"amount": 0}, {"amount": -335_000}, {"amount": 335_000.5}, {"amount": "335000"}, {"amount": True},
    {"currency": "USD"}, {"billing_code": "12345"}, {"paid_at": "2026-11-24 10:15"}, {"paid_at": "kemarin"},
], ids=str)
def test_malformed_fields_are_refused_and_nothing_is_stored(client, app, code, changes):
    response = send(client, app, body_for(code, **changes))
    assert response.status_code == 400
    assert count(app, PaymentNotification) == 0 and count(app, Payment) == 0


def test_the_same_notification_twice_and_its_ntpn_under_a_new_id_make_one_payment(client, app, code):
    assert send(client, app, body_for(code), msg_id="msg_1").status_code == 200
    again = send(client, app, body_for(code), msg_id="msg_1")
    assert again.status_code == 200 and again.get_json()["status"] == "duplicate"
    renamed = send(client, app, body_for(code), msg_id="msg_2")
    assert renamed.status_code == 200 and renamed.get_json()["status"] == "duplicate"
    assert count(app, Payment) == 1 and count(app, PaymentNotification) == 2


def test_a_wrong_amount_is_accepted_recorded_and_flagged(client, app, code):
    response = send(client, app, body_for(code, amount=300_000))
    assert response.status_code == 200
    assert count(app, Payment, Payment.problem == PaymentProblem.WRONG_AMOUNT) == 1


def test_an_unknown_code_is_kept_as_unmatched_money(client, app, code):
    response = send(client, app, body_for("820261124999999"))
    assert response.status_code == 200
    assert count(app, Payment, Payment.problem == PaymentProblem.UNKNOWN_CODE, Payment.invoice_id.is_(None)) == 1


@pytest.mark.parametrize(("failure", "status"), [
    pytest.param(Conflict("Pesanan ini baru saja diubah oleh pengguna lain."), 202, id="a domain error"),
    pytest.param(RuntimeError("the disk is full"), 500, id="an unexpected error"),
])
def test_a_notification_that_cannot_be_applied_stays_stored_and_the_cli_applies_it(client, app, code, monkeypatch,
                                                                                  failure, status):
    real = payment_services.settle

    def fail(*args, **kwargs):  # after the payment was inserted: that insert must be undone
        raise failure

    monkeypatch.setattr(payment_services, "settle", fail)
    app.config["PROPAGATE_EXCEPTIONS"] = False  # a 500 answered as in production, not raised into the test
    response = send(client, app, body_for(code))
    assert response.status_code == status
    assert count(app, PaymentNotification, PaymentNotification.state == NotificationState.FAILED) == 1
    assert count(app, Payment) == 0

    monkeypatch.setattr(payment_services, "settle", real)
    result = app.test_cli_runner().invoke(args=["apply-notifications"])
    assert result.exit_code == 0, result.output
    assert "1 applied, 0 still failing" in result.output
    assert count(app, PaymentNotification, PaymentNotification.state == NotificationState.APPLIED) == 1
    assert count(app, Payment) == 1


def test_the_sender_s_retry_of_a_failed_notification_applies_it(client, app, code, monkeypatch):
    real = payment_services.settle

    def fail(*args, **kwargs):
        raise Conflict("Pesanan ini baru saja diubah oleh pengguna lain.")

    monkeypatch.setattr(payment_services, "settle", fail)
    assert send(client, app, body_for(code)).status_code == 202
    monkeypatch.setattr(payment_services, "settle", real)
    retry = send(client, app, body_for(code))  # the same webhook-id again
    assert retry.status_code == 200 and retry.get_json()["status"] == "applied"
    assert count(app, Payment) == 1 and count(app, PaymentNotification) == 1


def test_the_staff_api_lists_the_payments_and_the_amount_paid(client, app, code):
    send(client, app, body_for(code))
    with app.app_context():
        from sales_service.accounts import api_tokens
        from sales_service.accounts.models import User
        from sales_service.roles import Role

        session = db.session()
        admin = session.scalar(select(User).where(User.role == Role.ADMIN))
        _token, plain = api_tokens.issue_api_token(session, admin, "SAKTI")
        number = session.scalar(select(Invoice.number))
        session.commit()
    answer = client.get(f"/api/v1/invoices/{number}", headers={"Authorization": f"Bearer {plain}"}).get_json()
    assert answer["amount_paid"] == 335_000 and answer["status"] == "paid"
    assert answer["payments"] == [{
        "source": "billing_notification", "amount": 335_000, "currency": "IDR", "ntpn": "0A1B2C3D4E5F6G7H",
        "ntb": "123456789012", "status": "settled", "problem": None, "paid_at": "2026-11-24T10:15:00+07:00"}]


def test_a_retry_of_a_notification_stored_but_never_applied_applies_it(client, app, code):
    """The server failed after storing (a crash, a 500): the sender retries the same
    webhook-id, and that retry applies it instead of being waved off as a duplicate."""
    raw = json.dumps(body_for(code)).encode()
    with app.app_context():
        session = db.session()
        stored_notification(session, "msg_crashed", raw)
        session.commit()
    retry = send(client, app, None, raw=raw, msg_id="msg_crashed")
    assert retry.status_code == 200 and retry.get_json()["status"] == "applied"
    assert count(app, Payment) == 1
    assert count(app, PaymentNotification, PaymentNotification.state == NotificationState.APPLIED) == 1
