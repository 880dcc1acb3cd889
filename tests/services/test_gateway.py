"""Billing gateways: the simulated SIMPONI issues unique, expiring codes and pays them by
sending real signed notifications; the HTTP gateway survives a flaky endpoint and
refuses answers it cannot trust.

Both talk real HTTP to servers on 127.0.0.1 started here; the simulator keeps its
bills in its own table of the migrated schema (the shared ``session``, rolled back after
each test), so these run on SQLite and on PostgreSQL alike.
"""

from __future__ import annotations

import json
import re
import socket
from datetime import UTC, datetime, timedelta

import pytest
import requests
from sqlalchemy import select

from sales_service.errors import InvalidInput
from sales_service.invoices import gateway as gw
from sales_service.invoices.gateway import (
    BillingGatewayError,
    BillingNotPayable,
    BillingRequest,
    HttpBillingGateway,
    SimulatedSimponi,
)
from sales_service.invoices.simulator_models import SimulatedBill
from sales_service.payments import signing
from tests.loopback import Loopback

SECRET = signing.new_secret()
START = datetime(2026, 11, 23, 3, 15, tzinfo=UTC)  # 10:15 WIB


def bill_request(amount=150_000, expires_days=7):
    return BillingRequest(invoice_number="INV/3310/2026/00001", amount=amount, payer_name="Siti Aminah",
                          description="PNBP BPS INV/3310/2026/00001", expires_days=expires_days)


# --- loopback HTTP servers --------------------------------------------------------------------


@pytest.fixture
def upstream():
    with Loopback() as server:
        yield server


@pytest.fixture
def receiver():
    """Stands for the service's webhook: records what the simulated bank sends."""
    with Loopback(default=(200, {"status": "accepted"})) as server:
        yield server


@pytest.fixture
def closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return port  # nothing listens there now: connections are refused


# --- simulated SIMPONI ------------------------------------------------------------------------


class Clock:
    def __init__(self, now=START):
        self.now = now

    def __call__(self):
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def simponi(receiver, clock):
    return SimulatedSimponi(first_digit=8, webhook_url=receiver.url + "/webhooks/payments", webhook_secret=SECRET,
                            clock=clock)


def received_notification(receiver, index=0, *, now):
    """The notification as the webhook got it, after checking its signature on the raw bytes."""
    path, headers, body = receiver.requests[index]
    assert path == "/webhooks/payments"
    webhook_id = signing.verify(SECRET, headers, body, now=int(now.timestamp()))
    return webhook_id, json.loads(body)


@pytest.mark.parametrize("first_digit", [7, 8, 9])
def test_codes_are_15_digits_start_with_the_configured_digit_and_never_repeat(session, receiver, first_digit):
    simponi = SimulatedSimponi(first_digit=first_digit, webhook_url=receiver.url, webhook_secret=SECRET)

    codes = [simponi.issue(session, bill_request()).code for _ in range(500)]

    assert all(re.fullmatch(rf"{first_digit}[0-9]{{14}}", code) for code in codes)
    assert len(set(codes)) == 500
    assert session.scalar(select(SimulatedBill).where(SimulatedBill.code == codes[0])).amount == 150_000


def test_a_code_carries_its_issue_date_in_western_indonesia_time(session, simponi, clock):
    clock.now = datetime(2026, 11, 23, 18, 30, tzinfo=UTC)  # already 24 November, 01:30 WIB

    assert simponi.issue(session, bill_request()).code.startswith("8261124")


@pytest.mark.parametrize("first_digit", [0, 1, 6, 10])
def test_a_first_digit_outside_7_to_9_is_refused(receiver, first_digit):
    with pytest.raises(ValueError):
        SimulatedSimponi(first_digit=first_digit, webhook_url=receiver.url, webhook_secret=SECRET)


def test_a_taken_code_is_drawn_again_until_a_free_one_is_found(session, receiver):
    draws = iter([42, 42, 42, 43])
    simponi = SimulatedSimponi(webhook_url=receiver.url, webhook_secret=SECRET, clock=lambda: START,
                               randbelow=lambda _: next(draws))

    first = simponi.issue(session, bill_request())
    second = simponi.issue(session, bill_request())

    assert (first.code, second.code) == ("826112300000042", "826112300000043")
    assert session.scalar(select(SimulatedBill.code).where(SimulatedBill.code == first.code)) == first.code


def test_when_every_draw_is_taken_the_gateway_says_so(session, receiver):
    simponi = SimulatedSimponi(webhook_url=receiver.url, webhook_secret=SECRET, randbelow=lambda _: 7)
    simponi.issue(session, bill_request())

    with pytest.raises(BillingGatewayError) as failed:
        simponi.issue(session, bill_request())
    assert failed.value.http_status == 502


@pytest.mark.parametrize("days", [1, 7, 30])
def test_a_code_expires_the_given_number_of_days_after_issue(session, simponi, days):
    issued = simponi.issue(session, bill_request(expires_days=days))

    assert issued.issued_at == START
    assert issued.expires_at == START + timedelta(days=days)
    assert issued.issued_at.tzinfo is not None and issued.expires_at.utcoffset() == timedelta(0)


def test_paying_in_full_sends_one_signed_notification_in_the_contract_format(session, simponi, receiver, clock):
    code = simponi.issue(session, bill_request()).code
    clock.now = START + timedelta(days=2)

    result = simponi.pay(session, code, bank="BANK X", channel="atm")

    assert len(receiver.requests) == 1
    webhook_id, body = received_notification(receiver, now=clock.now)
    assert result["status"] == 200 and result["body"] == body and result["webhook_id"] == webhook_id
    assert body["type"] == "billing.paid"
    data = body["data"]
    assert set(data) == {"billing_code", "amount", "currency", "ntpn", "ntb", "bank", "channel", "paid_at"}
    assert data["billing_code"] == code
    assert data["amount"] == 150_000 and type(data["amount"]) is int
    assert data["currency"] == "IDR"
    assert re.fullmatch(r"[0-9A-Z]{16}", data["ntpn"])
    assert re.fullmatch(r"[0-9]{12}", data["ntb"])
    assert (data["bank"], data["channel"]) == ("BANK X", "atm")
    assert data["paid_at"] == "2026-11-25T10:15:00+07:00"
    assert {k.lower(): v for k, v in receiver.requests[0][1].items()}["content-type"] == "application/json"
    bill = session.scalar(select(SimulatedBill).where(SimulatedBill.code == code))
    assert (bill.paid_count, bill.paid_amount) == (1, 150_000)


def test_paying_in_part_sends_the_partial_amount(session, simponi, receiver, clock):
    code = simponi.issue(session, bill_request()).code

    simponi.pay(session, code, amount=100_000)

    assert received_notification(receiver, now=clock.now)[1]["data"]["amount"] == 100_000


def test_paying_twice_sends_two_notifications_with_different_ntpns_and_ids(session, simponi, receiver, clock):
    code = simponi.issue(session, bill_request()).code

    simponi.pay(session, code)
    simponi.pay(session, code)

    (first_id, first), (second_id, second) = (received_notification(receiver, i, now=clock.now) for i in (0, 1))
    assert first_id != second_id
    assert first["data"]["ntpn"] != second["data"]["ntpn"]
    bill = session.scalar(select(SimulatedBill).where(SimulatedBill.code == code))
    assert (bill.paid_count, bill.paid_amount) == (2, 300_000)


def test_a_given_ntpn_and_payment_time_are_sent_as_given(session, simponi, receiver, clock):
    code = simponi.issue(session, bill_request()).code

    simponi.pay(session, code, ntpn="0A1B2C3D4E5F6G7H", paid_at=datetime(2026, 11, 23, 10, 0, tzinfo=UTC))

    data = received_notification(receiver, now=clock.now)[1]["data"]
    assert (data["ntpn"], data["paid_at"]) == ("0A1B2C3D4E5F6G7H", "2026-11-23T17:00:00+07:00")


def test_an_expired_code_is_refused_and_nothing_is_sent(session, simponi, receiver, clock):
    issued = simponi.issue(session, bill_request(expires_days=7))
    clock.now = issued.expires_at  # the last moment it can be paid
    simponi.pay(session, issued.code)
    session.expire_all()  # read expires_at back from the database, as a later request would
    clock.now = issued.expires_at + timedelta(seconds=1)

    with pytest.raises(BillingNotPayable) as refused:
        simponi.pay(session, issued.code)
    assert "kedaluwarsa" in refused.value.message
    assert len(receiver.requests) == 1


def test_a_cancelled_code_is_refused_and_nothing_is_sent(session, simponi, receiver):
    code = simponi.issue(session, bill_request()).code
    simponi.cancel(session, code)
    simponi.cancel(session, code)  # twice is harmless

    with pytest.raises(BillingNotPayable) as refused:
        simponi.pay(session, code)
    assert "dibatalkan" in refused.value.message
    assert receiver.requests == []


def test_an_unknown_code_cannot_be_paid_or_cancelled(session, simponi, receiver):
    with pytest.raises(BillingNotPayable):
        simponi.pay(session, "826112312345678")
    with pytest.raises(BillingGatewayError):
        simponi.cancel(session, "826112312345678")
    assert receiver.requests == []


@pytest.mark.parametrize("amount", [0, -5, True])
def test_a_payment_must_be_a_positive_whole_amount(session, simponi, receiver, amount):
    code = simponi.issue(session, bill_request()).code

    with pytest.raises(InvalidInput):
        simponi.pay(session, code, amount=amount)
    assert receiver.requests == []


def test_an_unreachable_webhook_still_records_the_payment(session, clock, closed_port):
    simponi = SimulatedSimponi(webhook_url=f"http://127.0.0.1:{closed_port}/webhooks/payments",
                               webhook_secret=SECRET, clock=clock)
    code = simponi.issue(session, bill_request()).code

    result = simponi.pay(session, code)

    assert result["status"] is None and result["error"]
    assert session.scalar(select(SimulatedBill.paid_count).where(SimulatedBill.code == code)) == 1


# --- HTTP gateway ------------------------------------------------------------------------------


class Sleeps(list):
    """Records backoff delays instead of waiting them out."""

    def __call__(self, seconds):
        self.append(seconds)


ISSUED = {"billing_code": "820261123000123", "issued_at": "2026-11-23T10:15:00+07:00",
          "expires_at": "2026-11-30T10:15:00+07:00"}


def http_gateway(url, **options):
    options = {"timeout": 2, "retries": 3, "backoff": 0.5, "sleep": Sleeps(), **options}
    return HttpBillingGateway(url, **options)


def test_issue_posts_the_request_and_returns_the_code_in_utc(upstream):
    upstream.answers.append((201, ISSUED))

    issued = http_gateway(upstream.url + "/").issue(None, bill_request())

    assert issued.code == "820261123000123"
    assert issued.issued_at == datetime(2026, 11, 23, 3, 15, tzinfo=UTC)
    assert issued.expires_at == datetime(2026, 11, 30, 3, 15, tzinfo=UTC)
    path, headers, body = upstream.requests[0]
    assert path == "/billings"
    assert json.loads(body) == {"invoice_number": "INV/3310/2026/00001", "amount": 150_000,
                                "payer_name": "Siti Aminah", "description": "PNBP BPS INV/3310/2026/00001",
                                "expires_days": 7}
    assert headers["Idempotency-Key"]


def test_cancel_posts_to_the_code(upstream):
    upstream.answers.append((204, b""))

    http_gateway(upstream.url).cancel(None, "820261123000123")

    assert [path for path, _, _ in upstream.requests] == ["/billings/820261123000123/cancel"]


def test_a_failing_server_is_retried_with_growing_delays_and_the_same_idempotency_key(upstream):
    upstream.answers.extend([(503, {"message": "sibuk"}), (503, b"busy"), (200, ISSUED)])
    sleeps = Sleeps()

    issued = http_gateway(upstream.url, sleep=sleeps).issue(None, bill_request())

    assert issued.code == "820261123000123"
    assert len(upstream.requests) == 3
    assert sleeps == [0.5, 1.0]
    assert len({headers["Idempotency-Key"] for _, headers, _ in upstream.requests}) == 1


def test_a_server_that_keeps_failing_is_named_after_the_last_retry(upstream):
    upstream.default = (500, b"oops")
    sleeps = Sleeps()

    with pytest.raises(BillingGatewayError) as failed:
        http_gateway(upstream.url, sleep=sleeps).cancel(None, "820261123000123")

    assert failed.value.reason == "server_error" and "HTTP 500" in failed.value.message
    assert len(upstream.requests) == 4 and sleeps == [0.5, 1.0, 2.0]


def test_a_server_slower_than_the_timeout_is_reported_as_a_timeout(upstream):
    upstream.answers.extend(["hang", "hang"])  # the server holds each request for 5 s
    timeouts = []

    class TimedSession(requests.Session):
        """A real HTTP session that notes the timeout each request is sent with."""

        def request(self, method, url, *args, **kwargs):
            timeouts.append(kwargs.get("timeout"))
            return super().request(method, url, *args, **kwargs)

    with pytest.raises(BillingGatewayError) as failed:
        http_gateway(upstream.url, timeout=0.2, retries=1, session_factory=TimedSession).issue(None, bill_request())

    assert failed.value.reason == "timeout" and "timeout" in failed.value.message
    assert failed.value.http_status == 502
    assert len(upstream.requests) == 2
    # Every attempt gave up after the configured 0.2 s, not the server's 5 s (a wait that long
    # would end in a dropped connection, reason "connection"): no stopwatch needed.
    assert timeouts == [0.2, 0.2]
    assert "0.2 detik" in failed.value.message


@pytest.mark.parametrize("answer", [
    {k: v for k, v in ISSUED.items() if k != "billing_code"},
    {**ISSUED, "billing_code": "82026112300012"},  # 14 digits
    {**ISSUED, "billing_code": "8202611230001234"},  # 16 digits
    {**ISSUED, "billing_code": "120261123000123"},  # not a non-tax bill
    {**ISSUED, "billing_code": 820261123000123},  # a number, not text
    {**ISSUED, "issued_at": "23/11/2026"},
    {**ISSUED, "expires_at": "2026-11-30T10:15:00"},  # no time zone
    {**ISSUED, "expires_at": ISSUED["issued_at"]},  # expires as it is issued
    ["820261123000123"],
    b"<html>Bad gateway</html>",
])
def test_a_malformed_answer_is_refused(upstream, answer):
    upstream.answers.append((200, answer))

    with pytest.raises(BillingGatewayError) as failed:
        http_gateway(upstream.url).issue(None, bill_request())

    assert failed.value.reason == "malformed"
    assert len(upstream.requests) == 1


@pytest.mark.parametrize("status", [202, 302])
def test_an_answer_outside_the_contract_is_not_taken_for_a_code(upstream, status):
    upstream.answers.append((status, ISSUED))

    with pytest.raises(BillingGatewayError) as failed:
        http_gateway(upstream.url).issue(None, bill_request())

    assert failed.value.reason == "unexpected_status" and str(status) in failed.value.message
    assert len(upstream.requests) == 1


def test_a_refusal_is_raised_at_once_with_the_servers_reason(upstream):
    upstream.answers.append((400, {"message": "amount must be positive"}))
    sleeps = Sleeps()

    with pytest.raises(BillingGatewayError) as failed:
        http_gateway(upstream.url, sleep=sleeps).issue(None, bill_request())

    assert failed.value.reason == "rejected"
    assert "HTTP 400" in failed.value.message and "amount must be positive" in failed.value.message
    assert len(upstream.requests) == 1 and sleeps == []


def test_a_closed_port_is_reported_as_refused_after_the_retries(closed_port):
    sleeps = Sleeps()

    with pytest.raises(BillingGatewayError) as failed:
        http_gateway(f"http://127.0.0.1:{closed_port}", retries=2, sleep=sleeps).issue(None, bill_request())

    assert failed.value.reason == "connection" and "koneksi ditolak" in failed.value.message
    assert sleeps == [0.5, 1.0]


# --- configuration -----------------------------------------------------------------------------


def test_the_simulator_is_the_default():
    gateway = gw.gateway_from_config({"WEBHOOK_URL": "http://127.0.0.1:5000/webhooks/payments",
                                      "WEBHOOK_SECRET": SECRET, "BILLING_FIRST_DIGIT": 9})

    assert isinstance(gateway, SimulatedSimponi) and gateway.first_digit == 9
    assert isinstance(gateway, gw.BillingGateway)


def test_the_http_gateway_is_chosen_by_name():
    gateway = gw.gateway_from_config({"BILLING_GATEWAY": "http", "BILLING_URL": "https://billing.example/api/",
                                      "BILLING_TIMEOUT": "4.5"})

    assert isinstance(gateway, HttpBillingGateway)
    assert (gateway.base_url, gateway.timeout) == ("https://billing.example/api", 4.5)


@pytest.mark.parametrize("config, named", [
    ({"BILLING_GATEWAY": "simponi"}, "BILLING_GATEWAY"),
    ({"BILLING_GATEWAY": "http"}, "BILLING_URL"),
    ({"BILLING_GATEWAY": "simulated", "WEBHOOK_SECRET": SECRET}, "WEBHOOK_URL"),
    ({"WEBHOOK_URL": "http://127.0.0.1/webhooks/payments"}, "WEBHOOK_SECRET"),
])
def test_a_configuration_mistake_is_named(config, named):
    with pytest.raises(ValueError, match=named):
        gw.gateway_from_config(config)

