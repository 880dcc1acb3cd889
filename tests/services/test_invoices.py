from datetime import UTC, date, datetime, timedelta

import pytest

from sales_service.accounts import api_tokens
from sales_service.accounts.models import Domicile
from sales_service.errors import Conflict, InvalidInput, PermissionDenied
from sales_service.files.models import DocumentType
from sales_service.files.storage import FileStorage
from sales_service.invoices import services
from sales_service.invoices.gateway import SimulatedSimponi
from sales_service.invoices.models import CodeStatus, CorrectionStatus, InvoiceStatus, PaymentRoute
from sales_service.orders import ordering, review
from sales_service.orders.lifecycle import IllegalTransition, OrderStatus
from sales_service.orders.workflow import Actor
from sales_service.pnbp.schedule import ProductKind
from sales_service.pnbp.segments import BuyerSegment
from sales_service.roles import Role
from tests.factories import ABSTRACT, make_buyer, make_map, make_microdata, make_publication, make_staff, pdf_bytes

TODAY = date(2026, 11, 24)
SLA = {kind: 10 for kind in ProductKind}
SETTINGS = services.InvoiceSettings(office_code="927100", number_format="INV/{satker}/{year}/{seq:05d}",
                                    expiry_days=7, bank={"bank_name": "Bank Contoh", "account_name": "RPL BPS",
                                                         "account_number": "123", "swift": "BANKIDJA"})


class Clock:
    def __init__(self):
        self.now = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)

    def __call__(self):
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def gateway(clock):
    return SimulatedSimponi(first_digit=8, webhook_url="http://127.0.0.1:9/unused", webhook_secret="whsec_" + "A" * 44,
                            clock=clock)


def accepted_order(session, officer, tmp_path, *, buyer=None, product=None, zero_rate=False):
    buyer = buyer or make_buyer(session)
    product = product or make_publication(session, pages=1000)  # 50.000 + 19 x 15.000 = 335.000
    order = ordering.add_to_order(session, buyer, product.id, on=TODAY)
    ordering.update_details(session, Actor(buyer), order.id, purpose="Penelitian", commercial=not zero_rate,
                          claim_zero_rate=zero_rate, zero_rate_purpose="research" if zero_rate else None)
    storage = FileStorage(tmp_path / "uploads")
    if order.kinds & {ProductKind.MICRODATA, ProductKind.MAP}:
        ordering.save_abstract(session, Actor(buyer), order.id, ABSTRACT, storage, max_bytes=10**7)
    if zero_rate:
        ordering.upload_document(session, Actor(buyer), order.id, DocumentType.REQUEST_LETTER, pdf_bytes(),
                               "surat.pdf", storage, max_bytes=10**7)
    ordering.submit(session, Actor(buyer), order.id, today=TODAY, sla_days=SLA)
    if zero_rate:
        review.decide_zero_rate(session, Actor(officer), order.id, approve=True)
    review.accept(session, Actor(officer), order.id)
    return order, buyer


def test_issued_invoice_copies_the_priced_lines_and_gets_a_billing_code(tariffs_loaded, officer, gateway, tmp_path):
    session = tariffs_loaded
    order, _buyer = accepted_order(session, officer, tmp_path)
    invoice = services.issue_invoice(session, Actor(officer), order.id, SETTINGS, gateway, today=TODAY)
    assert order.status == OrderStatus.INVOICED
    assert invoice.number == f"INV/927100/2026/{invoice.sequence:05d}" and invoice.version == 1
    assert invoice.total == 335_000 and invoice.payment_route == PaymentRoute.BILLING_CODE
    line = invoice.lines[0]
    assert (line.regulation, line.item_code, line.quantity, line.unit_price, line.amount) == (
        "PP 13/2024", "pub-electronic", 1000, 50_000, 335_000)
    code = invoice.current_code
    assert len(code.code) == 15 and code.code.startswith("8") and code.amount == 335_000
    assert code.expires_at - code.issued_at == timedelta(days=7)


def test_invoice_numbers_follow_each_other_per_office_and_year(tariffs_loaded, officer, gateway, tmp_path):
    session = tariffs_loaded
    first = services.issue_invoice(session, Actor(officer), accepted_order(session, officer, tmp_path)[0].id,
                                   SETTINGS, gateway, today=TODAY)
    second = services.issue_invoice(session, Actor(officer), accepted_order(session, officer, tmp_path)[0].id,
                                    SETTINGS, gateway, today=TODAY)
    next_year = services.issue_invoice(session, Actor(officer), accepted_order(session, officer, tmp_path)[0].id,
                                       SETTINGS, gateway, today=date(2027, 1, 4))
    assert second.sequence == first.sequence + 1
    assert next_year.number == "INV/927100/2027/00001"


def test_an_order_is_invoiced_once(tariffs_loaded, officer, gateway, tmp_path):
    session = tariffs_loaded
    order, _ = accepted_order(session, officer, tmp_path)
    services.issue_invoice(session, Actor(officer), order.id, SETTINGS, gateway, today=TODAY)
    with pytest.raises(IllegalTransition):
        services.issue_invoice(session, Actor(officer), order.id, SETTINGS, gateway, today=TODAY)
    assert len(services.invoices_of(session, order.id)) == 1


def test_rp0_invoice_is_zero_with_the_legal_basis_and_no_code(tariffs_loaded, officer, gateway, tmp_path):
    session = tariffs_loaded
    pemda = make_buyer(session, segment=BuyerSegment.REGIONAL_GOVERNMENT)
    order, _ = accepted_order(session, officer, tmp_path, buyer=pemda, product=make_map(session), zero_rate=True)
    invoice = services.issue_invoice(session, Actor(officer), order.id, SETTINGS, gateway, today=TODAY)
    assert (invoice.total, invoice.payment_route, invoice.current_code) == (0, PaymentRoute.NONE, None)
    assert "Perban BPS 2/2019" in invoice.zero_rate_basis
    assert invoice.lines[0].normal_amount == 70_000 and invoice.lines[0].waived


def test_buyers_abroad_get_bank_details_instead_of_a_code(tariffs_loaded, officer, gateway, tmp_path):
    session = tariffs_loaded
    abroad = make_buyer(session, domicile=Domicile.ABROAD)
    order, _ = accepted_order(session, officer, tmp_path, buyer=abroad)
    invoice = services.issue_invoice(session, Actor(officer), order.id, SETTINGS, gateway, today=TODAY)
    assert invoice.payment_route == PaymentRoute.BANK_TRANSFER and invoice.current_code is None
    assert invoice.bank_details == dict(SETTINGS.bank, reference=invoice.number)


def test_subset_microdata_needs_its_final_size_before_invoicing(tariffs_loaded, officer, gateway, tmp_path):
    session = tariffs_loaded
    buyer = make_buyer(session)
    dataset = make_microdata(session, record_count=100_000)
    order = ordering.add_to_order(session, buyer, dataset.id, [dataset.variables[0].id], on=TODAY)
    ordering.update_details(session, Actor(buyer), order.id, purpose="Tesis", commercial=False, claim_zero_rate=False)
    ordering.save_abstract(session, Actor(buyer), order.id, ABSTRACT, FileStorage(tmp_path), max_bytes=10**7)
    ordering.submit(session, Actor(buyer), order.id, today=TODAY, sla_days=SLA)
    review.accept(session, Actor(officer), order.id)
    with pytest.raises(Conflict, match="ukuran akhir"):
        services.issue_invoice(session, Actor(officer), order.id, SETTINGS, gateway, today=TODAY)
    review.set_final_size(session, Actor(officer), order.id, order.lines[0].id, 250_000)
    invoice = services.issue_invoice(session, Actor(officer), order.id, SETTINGS, gateway, today=TODAY)
    assert (invoice.lines[0].quantity, invoice.total) == (250_000, 20_000)


def test_correction_voids_and_reissues_with_a_new_code(tariffs_loaded, officer, gateway, tmp_path):
    session = tariffs_loaded
    order, buyer = accepted_order(session, officer, tmp_path)
    v1 = services.issue_invoice(session, Actor(officer), order.id, SETTINGS, gateway, today=TODAY)
    old_code = v1.current_code.code
    services.request_correction(session, Actor(buyer), order.id, "invoice", "Nama instansi salah.")
    assert order.status == OrderStatus.CORRECTION_REQUESTED
    v2 = services.reissue(session, Actor(officer), order.id, SETTINGS, gateway, today=TODAY, note="Diperbaiki.")
    assert (v1.status, v2.status, v2.version, v2.replaces_id) == (InvoiceStatus.VOID, InvoiceStatus.ISSUED, 2, v1.id)
    assert v2.number != v1.number and v2.current_code.code != old_code
    assert v1.billing_codes[0].status == CodeStatus.CANCELLED
    assert [i.version for i in services.invoices_of(session, order.id)] == [2, 1]  # the buyer sees both
    assert services.corrections_of(session, order.id)[0].status == CorrectionStatus.REISSUED
    assert order.status == OrderStatus.INVOICED


def test_declined_correction_keeps_the_invoice(tariffs_loaded, officer, gateway, tmp_path):
    session = tariffs_loaded
    order, buyer = accepted_order(session, officer, tmp_path)
    v1 = services.issue_invoice(session, Actor(officer), order.id, SETTINGS, gateway, today=TODAY)
    services.request_correction(session, Actor(buyer), order.id, "invoice", "Tolong ganti tujuan.")
    with pytest.raises(InvalidInput):
        services.decline_correction(session, Actor(officer), order.id, "")
    services.decline_correction(session, Actor(officer), order.id, "Tujuan sesuai abstraksi yang disetujui.")
    assert v1.status == InvoiceStatus.ISSUED and order.status == OrderStatus.INVOICED
    assert services.corrections_of(session, order.id)[0].response.startswith("Tujuan sesuai")


def test_expired_code_is_replaced_on_request_and_kept_in_history(tariffs_loaded, officer, gateway, clock, tmp_path):
    session = tariffs_loaded
    order, buyer = accepted_order(session, officer, tmp_path)
    invoice = services.issue_invoice(session, Actor(officer), order.id, SETTINGS, gateway, today=TODAY)
    with pytest.raises(services.CodeStillValid):
        services.request_new_code(session, Actor(buyer), invoice.id, SETTINGS, gateway, now=clock.now,
                                  expires_text=str)
    clock.now += timedelta(days=8)
    new = services.request_new_code(session, Actor(buyer), invoice.id, SETTINGS, gateway, now=clock.now,
                                    expires_text=str)
    assert [c.status for c in invoice.billing_codes] == [CodeStatus.REPLACED, CodeStatus.ACTIVE]
    assert invoice.current_code is new and new.expires_at == clock.now + timedelta(days=7)


def test_api_tokens_are_hashed_and_revocable(tariffs_loaded):
    session = tariffs_loaded
    admin = make_staff(session, Role.ADMIN)
    token, plain = api_tokens.issue_api_token(session, admin, "SAKTI")
    assert plain.startswith("sst_") and token.token_hash != plain and plain not in token.token_hash
    assert api_tokens.authenticate_api_token(session, plain).id == token.id
    assert api_tokens.authenticate_api_token(session, plain + "x") is None
    api_tokens.revoke_api_token(session, admin, token.id)
    assert api_tokens.authenticate_api_token(session, plain) is None
    with pytest.raises(PermissionDenied):
        api_tokens.issue_api_token(session, make_staff(session, Role.OFFICER), "x")


def test_expired_code_cannot_be_paid_but_its_replacement_can(tariffs_loaded, officer, clock, tmp_path):
    """Through the simulated SIMPONI: payment of an expired code is refused and nothing
    reaches the webhook; the new code is paid with a signed notification."""
    from sales_service.invoices.gateway import BillingNotPayable
    from sales_service.payments import signing
    from tests.loopback import Loopback

    session = tariffs_loaded
    secret = signing.new_secret()
    with Loopback(default=(200, {"status": "accepted"})) as webhook:
        simponi = SimulatedSimponi(first_digit=8, webhook_url=webhook.url + "/webhooks/payments",
                                   webhook_secret=secret, clock=clock)
        order, buyer = accepted_order(session, officer, tmp_path)
        invoice = services.issue_invoice(session, Actor(officer), order.id, SETTINGS, simponi, today=TODAY)
        expired = invoice.current_code.code
        clock.now += timedelta(days=7, seconds=1)
        with pytest.raises(BillingNotPayable):
            simponi.pay(session, expired)
        assert webhook.requests == []
        new = services.request_new_code(session, Actor(buyer), invoice.id, SETTINGS, simponi, now=clock.now,
                                        expires_text=str)
        sent = simponi.pay(session, new.code)
    assert sent["status"] == 200 and len(webhook.requests) == 1
    path, headers, body = webhook.requests[0]
    assert path == "/webhooks/payments"
    assert signing.verify(secret, headers, body, now=int(clock.now.timestamp()))
    assert sent["body"]["data"]["billing_code"] == new.code and sent["body"]["data"]["amount"] == 335_000


def test_cancelling_an_invoiced_order_voids_the_invoice_and_its_code(tariffs_loaded, officer, gateway, tmp_path):
    session = tariffs_loaded
    order, buyer = accepted_order(session, officer, tmp_path)
    invoice = services.issue_invoice(session, Actor(officer), order.id, SETTINGS, gateway, today=TODAY)
    with pytest.raises(Conflict, match="bersama invoicenya"):
        ordering.cancel(session, Actor(buyer), order.id)  # the plain cancel would leave a payable code
    services.cancel_invoiced_order(session, Actor(officer), order.id, gateway, reason="Pembeli membatalkan.")
    assert order.status == OrderStatus.CANCELLED and invoice.status == InvoiceStatus.VOID
    assert invoice.current_code.status == CodeStatus.CANCELLED
    from sales_service.invoices.gateway import BillingNotPayable

    with pytest.raises(BillingNotPayable):
        gateway.pay(session, invoice.current_code.code)


def test_a_disputed_sample_is_answered_with_a_new_sample_and_the_invoice_stands(tariffs_loaded, officer, gateway,
                                                                                 tmp_path):
    session = tariffs_loaded
    order, buyer = accepted_order(session, officer, tmp_path, product=make_microdata(session))
    storage = FileStorage(tmp_path / "uploads")
    services.upload_sample(session, Actor(officer), order.id, pdf_bytes("sampel v1"), "sampel.pdf", storage,
                           max_bytes=10**7)
    invoice = services.issue_invoice(session, Actor(officer), order.id, SETTINGS, gateway, today=TODAY)
    services.request_correction(session, Actor(buyer), order.id, "sample", "Sampel tidak memuat variabel KAPITA.")
    with pytest.raises(Conflict, match="Unggah dulu sampel"):
        services.reissue(session, Actor(officer), order.id, SETTINGS, gateway, today=TODAY)
    services.upload_sample(session, Actor(officer), order.id, pdf_bytes("sampel v2"), "sampel.pdf", storage,
                           max_bytes=10**7)
    kept = services.reissue(session, Actor(officer), order.id, SETTINGS, gateway, today=TODAY)
    assert kept.id == invoice.id and invoice.status == InvoiceStatus.ISSUED and len(invoice.billing_codes) == 1
    assert order.status == OrderStatus.INVOICED
    assert services.corrections_of(session, order.id)[0].status == CorrectionStatus.REISSUED


def test_an_invoice_never_has_two_payable_codes(tariffs_loaded, officer, gateway, tmp_path):
    from sqlalchemy.exc import IntegrityError

    from sales_service.invoices.models import BillingCode

    session = tariffs_loaded
    order, _ = accepted_order(session, officer, tmp_path)
    invoice = services.issue_invoice(session, Actor(officer), order.id, SETTINGS, gateway, today=TODAY)
    first = invoice.current_code
    with pytest.raises(IntegrityError):
        with session.begin_nested():
            session.add(BillingCode(invoice=invoice, code="812345678901234", amount=first.amount,
                                    issued_at=first.issued_at, expires_at=first.expires_at,
                                    status=CodeStatus.ACTIVE))


def test_a_failed_reissue_leaves_the_old_code_payable(tariffs_loaded, officer, gateway, tmp_path):
    """The billing service is outside our transaction: old codes are cancelled there
    only after the new version exists, so a failure leaves the buyer a payable code."""
    from sqlalchemy import select

    from sales_service.invoices.gateway import BillingGatewayError
    from sales_service.invoices.simulator_models import SimulatedBill

    session = tariffs_loaded
    order, buyer = accepted_order(session, officer, tmp_path)
    invoice = services.issue_invoice(session, Actor(officer), order.id, SETTINGS, gateway, today=TODAY)
    code = invoice.current_code.code
    services.request_correction(session, Actor(buyer), order.id, "invoice", "Nama salah.")

    class RefusesNewCodes:
        def issue(self, session, request):
            raise BillingGatewayError("down")

        def cancel(self, session, code):
            gateway.cancel(session, code)

    with pytest.raises(BillingGatewayError):
        services.reissue(session, Actor(officer), order.id, SETTINGS, RefusesNewCodes(), today=TODAY)
    bill = session.scalar(select(SimulatedBill).where(SimulatedBill.code == code))
    assert not bill.cancelled


def test_a_publication_order_has_no_sppd_or_sample_to_correct(tariffs_loaded, officer, gateway, tmp_path):
    session = tariffs_loaded
    order, buyer = accepted_order(session, officer, tmp_path)
    services.issue_invoice(session, Actor(officer), order.id, SETTINGS, gateway, today=TODAY)
    for target in ("sample", "sppd"):
        with pytest.raises(InvalidInput):
            services.request_correction(session, Actor(buyer), order.id, target, "Tolong perbaiki.")
    assert order.status == OrderStatus.INVOICED
