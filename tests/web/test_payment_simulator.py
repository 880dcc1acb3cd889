"""The simulator's controls on the order page (issue 10, point 12): each pays the billing code
through the simulated bank, which sends a real signed HTTP notification to this very app, served
on a loopback port, as the payment network would; the silent one sends none, and only the sweep
finds that payment."""

import re
import threading

import pytest
from sqlalchemy import func, select
from werkzeug.serving import make_server

from sales_service import db
from sales_service.invoices.gateway import HttpBillingGateway, SimulatedSimponi
from sales_service.invoices.simulator_models import SimulatedPayment
from sales_service.payments.models import (
    NotificationChannel,
    Payment,
    PaymentNotification,
    PaymentProblem,
    PaymentStatus,
)
from tests.conftest import csrf_token, login
from tests.web.test_invoice_pages import accepted, issue  # noqa: F401  (fixture)


@pytest.fixture
def served(app):
    """The app on a loopback port; the simulated bank posts its notifications there."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="webhook-server", daemon=True)
    thread.start()
    webhook_url = f"http://127.0.0.1:{server.server_port}/webhooks/payments"
    app.config["WEBHOOK_URL"] = webhook_url
    yield webhook_url
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


@pytest.fixture
def invoiced(app, client, accepted, served):  # noqa: F811
    """The order invoiced (Rp335.000, billing code issued by the simulator, which posts to the served
    app) and the officer signed in."""
    app.extensions["billing_gateway_factory"] = lambda config: SimulatedSimponi(
        webhook_url=config["WEBHOOK_URL"], webhook_secret=config["WEBHOOK_SECRET"])
    issue(client, accepted)
    login(client, "petugas@example.test")
    return accepted


def count(app, model, *conditions) -> int:
    with app.app_context():
        return db.session().scalar(select(func.count()).select_from(model).where(*conditions))


def simulate(client, order_id, **form):
    """Press one of the simulator's buttons on the order page."""
    page = client.get(f"/pesanan/{order_id}").get_data(as_text=True)
    code = re.search(r"<code>(\d{15})</code>", page).group(1)
    token = csrf_token(client, f"/pesanan/{order_id}")
    return client.post(f"/simulasi/kode-billing/{code}", data={"csrf_token": token, **form}, follow_redirects=True)


def test_staff_see_the_controls_with_the_code_and_where_notifications_go(client, invoiced, served):
    page = client.get(f"/pesanan/{invoiced}").get_data(as_text=True)
    section = page.split('id="payment-simulator"')[1].split("</section>")[0]
    code = re.search(r"<code>(\d{15})</code>", page).group(1)
    assert code in section and served in section and "Rp335.000" in section
    for button in ("simulate-full", "simulate-twice", "simulate-silent", "simulate-wrong-amount"):
        assert f'id="{button}"' in section


def test_paying_in_full_sends_a_signed_notification_that_marks_the_order_paid(client, app, invoiced):
    page = simulate(client, invoiced, cara="lunas").get_data(as_text=True)
    assert "notifikasi terkirim, dijawab HTTP 200" in page
    assert "Dibayar" in page
    assert count(app, Payment, Payment.status == PaymentStatus.SETTLED) == 1
    # It came over HTTP through the webhook (signature checked there), not by a shortcut.
    assert count(app, PaymentNotification, PaymentNotification.channel == NotificationChannel.WEBHOOK) == 1


def test_paying_twice_records_the_second_ntpn_as_a_double_payment(client, app, invoiced):
    page = simulate(client, invoiced, cara="dua-kali").get_data(as_text=True)
    assert page.count("notifikasi terkirim, dijawab HTTP 200") == 2
    assert count(app, Payment) == 2 and count(app, PaymentNotification) == 2
    assert count(app, Payment, Payment.status == PaymentStatus.SETTLED) == 1
    assert count(app, Payment, Payment.problem == PaymentProblem.DOUBLE_PAYMENT) == 1
    assert "Dibayar" in page


def test_paying_another_amount_is_recorded_and_flagged_and_the_order_still_waits(client, app, invoiced):
    page = simulate(client, invoiced, cara="jumlah-lain", jumlah="300.000").get_data(as_text=True)
    assert "dibayar Rp300.000" in page and "HTTP 200" in page
    assert count(app, Payment, Payment.problem == PaymentProblem.WRONG_AMOUNT, Payment.amount == 300_000) == 1
    assert count(app, Payment, Payment.status == PaymentStatus.SETTLED) == 0
    assert "Invoice terbit" in page


def test_another_amount_must_be_another_amount(client, app, invoiced):
    response = simulate(client, invoiced, cara="jumlah-lain", jumlah="335.000")
    assert response.status_code == 409 and "Bayar lunas" in response.get_data(as_text=True)
    assert count(app, SimulatedPayment) == 0
    response = simulate(client, invoiced, cara="jumlah-lain", jumlah="banyak")
    assert response.status_code == 422 and 'value="banyak"' in response.get_data(as_text=True)  # kept as typed


def test_a_silent_payment_sends_nothing_and_only_the_sweep_finds_it(client, app, invoiced):
    page = simulate(client, invoiced, cara="tanpa-notifikasi").get_data(as_text=True)
    assert "tanpa notifikasi" in page and "Invoice terbit" in page
    assert count(app, PaymentNotification) == 0 and count(app, Payment) == 0
    assert count(app, SimulatedPayment, SimulatedPayment.notified.is_(False)) == 1

    result = app.test_cli_runner().invoke(args=["sweep-payments", "--after-minutes", "0"])
    assert result.exit_code == 0, result.output
    assert "1 payment(s) found" in result.output
    assert count(app, Payment, Payment.status == PaymentStatus.SETTLED) == 1
    assert "Dibayar" in client.get(f"/pesanan/{invoiced}").get_data(as_text=True)


def test_without_the_simulator_there_are_no_controls_and_no_route(client, app, invoiced):
    app.extensions["billing_gateway_factory"] = lambda config: HttpBillingGateway("http://127.0.0.1:9")
    page = client.get(f"/pesanan/{invoiced}").get_data(as_text=True)
    assert 'id="payment-simulator"' not in page
    assert simulate(client, invoiced, cara="lunas").status_code == 404
    assert count(app, SimulatedPayment) == 0


def test_an_unknown_code_is_not_found(client, app, invoiced):
    token = csrf_token(client, f"/pesanan/{invoiced}")
    for code in ("820311230000000", "12345"):
        response = client.post(f"/simulasi/kode-billing/{code}", data={"csrf_token": token, "cara": "lunas"})
        assert response.status_code == 404
    assert count(app, SimulatedPayment) == 0


def test_buyers_never_see_the_controls(client, app, invoiced):
    client.post("/keluar", data={"csrf_token": csrf_token(client, "/katalog")})
    login(client, "ani@example.test")
    page = client.get(f"/pesanan/{invoiced}").get_data(as_text=True)
    assert "Invoice terbit" in page and 'id="payment-simulator"' not in page
    assert simulate(client, invoiced, cara="lunas").status_code == 403
