"""The order page reads each table once per request (issue 8, point 21), whoever opens it (the
buyer, the officer, the treasurer) and whatever the order holds: abstract versions with their
attachments, a request letter, a sample, an invoice, proofs of transfer, payments, a receipt, a
refund. An order with six abstract versions, five letters and a long timeline costs
the page as many statements as one with one of each. A table that holds nothing of the order
(most orders have no refund, no receipt, no correction) is not read at all: one statement asks
which of them hold anything."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import text

from sales_service import orm
from sales_service.accounts.models import Domicile
from sales_service.files.models import DocumentType
from sales_service.files.storage import FileStorage
from sales_service.invoices import services as invoices
from sales_service.invoices.gateway import SimulatedSimponi
from sales_service.orders import ordering, review
from sales_service.orders.workflow import Actor
from sales_service.payments import receipts, resolutions, transfers
from sales_service.payments import services as payments
from sales_service.payments.notifications import BillingPaid
from sales_service.pnbp.segments import BuyerSegment
from sales_service.roles import Role
from tests.conftest import login
from tests.factories import ABSTRACT, make_buyer, make_microdata, make_staff, pdf_bytes
from tests.services.test_invoices import SETTINGS
from tests.services.test_receipts import OFFICE
from tests.web.test_staff_lists import counted

DAY = date(2026, 11, 24)
ABROAD, DOMESTIC = "jane@example.test", "dinas@example.test"
OFFICER, TREASURER = "petugas@example.test", "bendahara@example.test"
COMPANY = "pt@example.test"


@pytest.fixture
def people(app, db_session):
    people = {
        ABROAD: make_buyer(db_session, email=ABROAD, full_name="Jane Abroad", domicile=Domicile.ABROAD),
        DOMESTIC: make_buyer(db_session, email=DOMESTIC, full_name="Dinas Kominfo",
                             segment=BuyerSegment.REGIONAL_GOVERNMENT, institution="Pemerintah Kabupaten Klaten"),
        COMPANY: make_buyer(db_session, email=COMPANY, full_name="Rina Wulandari", institution="PT Data Nusantara",
                            segment=BuyerSegment.PRIVATE_COMPANY),
        OFFICER: make_staff(db_session, Role.OFFICER, email=OFFICER, full_name="Petugas Satu"),
        TREASURER: make_staff(db_session, Role.TREASURER, email=TREASURER, full_name="Bendahara Satu"),
    }
    db_session.commit()
    # The simulated bank: the staff's simulator section is on the page too.
    app.extensions["billing_gateway_factory"] = lambda config: gateway(app)
    return people


def gateway(app) -> SimulatedSimponi:
    return SimulatedSimponi(webhook_url="http://127.0.0.1:9/", webhook_secret=app.config["WEBHOOK_SECRET"])


class Orders:
    """Orders taken through the services to each state the order page shows."""

    def __init__(self, app, db_session, people):
        self.app, self.session, self.people = app, db_session, people
        self.storage = FileStorage(app.config["UPLOAD_DIR"])

    def actor(self, email: str) -> Actor:
        return Actor(self.people[email])

    def drafted(self, buyer: str, product, *, versions: int, edits: int, letters: int = 0, **details):
        """A draft with ``versions`` abstract versions (each with its attachment), ``letters`` request
        letter versions, and its details saved ``edits`` more times (each a timeline entry)."""
        session, actor = self.session, self.actor(buyer)
        order = ordering.add_to_order(session, self.people[buyer], product.id, on=DAY)
        for n in range(edits + 1):
            ordering.update_details(session, actor, order.id, purpose=f"Penelitian tahap {n + 1}", **details)
        for n in range(versions):
            ordering.save_abstract(session, actor, order.id, dict(ABSTRACT, title=f"Kajian versi {n + 1}"),
                                   self.storage, attachment=(pdf_bytes(f"Lampiran {n}"), f"lampiran-{n}.pdf"),
                                   max_bytes=10**7)
        for n in range(letters):
            ordering.upload_document(session, actor, order.id, DocumentType.REQUEST_LETTER, pdf_bytes(f"Surat {n}"),
                                     f"surat-{n}.pdf", self.storage, max_bytes=10**7)
        ordering.submit(session, actor, order.id, today=DAY, sla_days={})
        return order

    def abroad(self, stage: str, *, versions: int = 1, edits: int = 0) -> int:
        """Jane's microdata order from abroad, paid by transfer, taken to ``stage``."""
        session, officer, treasurer = self.session, self.actor(OFFICER), self.actor(TREASURER)
        order = self.drafted(ABROAD, make_microdata(session), versions=versions, edits=edits, commercial=True,
                             claim_zero_rate=False)
        if stage != "submitted":
            review.accept(session, officer, order.id)
            invoices.upload_sample(session, officer, order.id, pdf_bytes("Sampel"), "sampel.pdf", self.storage,
                                   max_bytes=10**7)
            invoice = invoices.issue_invoice(session, officer, order.id, SETTINGS, gateway(self.app), today=DAY)
        if stage in ("proof waiting", "partly paid", "receipted", "refund opened"):
            first = self.proof(order.id, "FT2611240001")
            if stage != "proof waiting":
                transfers.verify_proof(session, treasurer, first.id, credited=invoice.total // 2, received_on=DAY)
        if stage in ("receipted", "refund opened"):
            rest = invoice.total - invoice.total // 2
            surplus = 25_000 if stage == "refund opened" else 0
            transfers.verify_proof(session, treasurer, self.proof(order.id, "FT2611240002").id,
                                   credited=rest + surplus, received_on=DAY)
            if surplus:
                flagged = next(p for p in payments.payments_of_invoice(session, invoice.id) if p.problem)
                resolutions.resolve(session, treasurer, flagged.id, resolutions.Resolution.REFUND,
                                    note="Kelebihan transfer.")
            receipts.issue_receipt(session, treasurer, order.id, self.receipt_settings(), today=DAY)
        session.commit()
        return order.id

    def top_up_asked(self) -> int:
        """A company's microdata order whose billing code was paid short: the treasurer counted what
        came and asked the buyer to top up the rest."""
        session, officer = self.session, self.actor(OFFICER)
        order = self.drafted(COMPANY, make_microdata(session), versions=1, edits=0, commercial=True,
                             claim_zero_rate=False)
        review.accept(session, officer, order.id)
        invoice = invoices.issue_invoice(session, officer, order.id, SETTINGS, gateway(self.app), today=DAY)
        short = payments.record_billing_payment(session, BillingPaid(
            billing_code=invoice.current_code.code, amount=invoice.total // 2, currency="IDR",
            ntpn="0A1B2C3D4E5F6G7H", ntb="1", bank="BANK X", channel="teller",
            paid_at=datetime(2026, 11, 24, 3, 0, tzinfo=UTC)))
        resolutions.resolve(session, self.actor(TREASURER), short.id, resolutions.Resolution.TOP_UP,
                            note="Transfer kurang dari tagihan.")
        session.commit()
        return order.id

    def returned(self, *, versions: int = 1, edits: int = 0, letters: int = 1) -> int:
        """The regional government's Rp0 claim for microdata, returned by the officer naming the abstract,
        the letter and the purpose; the buyer has saved a new abstract since."""
        session = self.session
        order = self.drafted(DOMESTIC, make_microdata(session), versions=versions, edits=edits, letters=letters,
                             commercial=False, claim_zero_rate=True, zero_rate_purpose="research")
        review.return_order(session, self.actor(OFFICER), order.id, {
            "abstract": "Metode belum jelas.", "request_letter": "Surat belum ditandatangani.",
            "purpose": "Sebutkan kegiatan yang didanai."})
        ordering.save_abstract(session, self.actor(DOMESTIC), order.id, dict(ABSTRACT, method="Indeks Gini."),
                               self.storage, max_bytes=10**7)
        session.commit()
        return order.id

    def proof(self, order_id: int, reference: str):
        declared = transfers.DeclaredTransfer(amount="21.50", currency="USD", transferred_on=DAY.isoformat(),
                                              sender_name="Jane Abroad", sender_bank="Bank of Elsewhere",
                                              reference=reference)
        return transfers.upload_proof(self.session, self.actor(ABROAD), order_id, (pdf_bytes(reference), "wire.pdf"),
                                      declared, self.storage, max_bytes=10**7, locale="en_GB", today=DAY)

    def receipt_settings(self) -> receipts.ReceiptSettings:
        return receipts.ReceiptSettings(office=OFFICE, timezone="Asia/Jakarta", storage=self.storage,
                                        verify_url=lambda code: f"https://example.test/verify/kuitansi/{code}")


@pytest.fixture
def orders(app, db_session, people):
    return Orders(app, db_session, people)


def page_reads(app, client, who: str, order_id: int) -> tuple[Counter, list[str]]:
    """The tables the order page reads (the one each SELECT reads from, its first FROM; the one
    statement asking which tables hold anything of the order is not a reading) and every
    statement it sends, as ``who`` opens it."""
    login(client, who)
    path = f"/pesanan/{order_id}"
    client.get(path)  # once before: what a process loads only once (holiday tables) is not the page's
    with counted(app) as statements:
        response = client.get(path)
    assert response.status_code == 200
    assert sum(1 for s in statements if s.startswith(PROBE)) <= 1, "\n".join(statements)
    tables = Counter(found.group(1) for s in statements
                     if not s.startswith(PROBE) and (found := re.search(r"\bFROM (\w+)", s)))
    return tables, statements


PROBE = "SELECT EXISTS"
# The tables read only when they hold something of the order, by the column that says so.
ASKED_FIRST = {"order_document": "order_id", "abstract_version": "order_id", "correction_request": "order_id",
               "transfer_proof": "order_id", "payment": "order_id", "refund": "order_id", "receipt": "order_id"}


def holding(session, order_id: int) -> set[str]:
    """Which of those tables hold a row of the order (asked plainly, table by table)."""
    return {table for table, column in ASKED_FIRST.items()
            if session.execute(text(f"SELECT 1 FROM {table} WHERE {column} = :id LIMIT 1"), {"id": order_id}).first()}


def read_more_than_once(tables: Counter, who: str, buyer: str) -> dict[str, int]:
    """Tables read more than once; the accounts table holds two people the page needs, the one
    signed in (read by the session) and the order's buyer: one read each."""
    allowed = {"user_account": 1 if who == buyer else 2}
    return {table: n for table, n in tables.items() if n > allowed.get(table, 1)}


VIEWERS = [pytest.param(who, id=who.split("@")[0]) for who in ("buyer", OFFICER, TREASURER)]
ABROAD_STAGES = ["submitted", "invoiced", "proof waiting", "partly paid", "receipted", "refund opened"]


@pytest.mark.parametrize("who", VIEWERS)
@pytest.mark.parametrize("stage", ABROAD_STAGES)
def test_the_page_of_an_order_paid_from_abroad_reads_each_table_once(app, client, db_session, orders, who,
                                                                     stage):
    order_id = orders.abroad(stage, versions=2, edits=2)
    who = ABROAD if who == "buyer" else who

    tables, _statements = page_reads(app, client, who, order_id)

    assert read_more_than_once(tables, who, ABROAD) == {}
    assert tables["order_event"] == 1 and tables["invoice"] == 1
    held = holding(db_session, order_id)
    assert {"order_document", "abstract_version"} <= held
    assert ("refund" in held) == (stage == "refund opened")
    for table in ASKED_FIRST:  # read once when the order has some, never when it has none
        assert tables[table] == (table in held), table


@pytest.mark.parametrize("who", VIEWERS)
def test_the_page_of_a_returned_order_reads_each_table_once(app, client, orders, who):
    order_id = orders.returned(versions=2, edits=2, letters=2)
    who = DOMESTIC if who == "buyer" else who

    tables, _statements = page_reads(app, client, who, order_id)

    assert read_more_than_once(tables, who, DOMESTIC) == {}
    for table in ("order_document", "abstract_version", "order_event"):
        assert tables[table] == 1, table
    for table in ("payment", "refund", "receipt", "transfer_proof", "correction_request"):
        assert tables[table] == 0, table  # nothing of the money half yet: not read


@pytest.mark.parametrize("who", VIEWERS)
@pytest.mark.parametrize("stage", ["submitted", "refund opened"])
def test_six_abstract_versions_and_a_long_timeline_cost_the_page_no_more_statements(app, client, orders, who,
                                                                                    stage):
    who = ABROAD if who == "buyer" else who
    small = orders.abroad(stage, versions=1, edits=0)
    large = orders.abroad(stage, versions=6, edits=10)

    _tables, few = page_reads(app, client, who, small)
    _tables, many = page_reads(app, client, who, large)

    assert len(many) == len(few), "\n".join(many)


@pytest.mark.parametrize("who", VIEWERS)
def test_five_request_letters_and_a_long_timeline_cost_a_returned_order_no_more_statements(app, client, orders,
                                                                                          who):
    who = DOMESTIC if who == "buyer" else who
    small = orders.returned(versions=1, edits=0, letters=1)
    large = orders.returned(versions=6, edits=10, letters=5)

    _tables, few = page_reads(app, client, who, small)
    _tables, many = page_reads(app, client, who, large)

    assert len(many) == len(few), "\n".join(many)


@pytest.mark.parametrize("who", VIEWERS)
def test_the_page_of_an_order_asked_for_a_top_up_reads_each_table_once(app, client, orders, who):
    order_id = orders.top_up_asked()
    who = COMPANY if who == "buyer" else who

    tables, _statements = page_reads(app, client, who, order_id)

    assert read_more_than_once(tables, who, COMPANY) == {}
    assert tables["payment"] == 1 and tables["sales_order"] == 1
    page = client.get(f"/pesanan/{order_id}").get_data(as_text=True)
    assert "Transfer kurang dari tagihan." in page  # the top-up asked is on the page


@pytest.mark.parametrize("stage", [*ABROAD_STAGES, "correction asked"])
def test_each_reading_the_page_may_leave_out_finds_rows_exactly_when_its_table_holds_the_order(app, db_session,
                                                                                              orders, stage):
    """The page leaves a reading out when the column it was named with holds nothing of the order:
    so each reading must find rows exactly then (a reading that came to find rows some other way
    would have them hidden)."""
    if stage == "correction asked":
        order_id = orders.abroad("invoiced")
        invoices.request_correction(db_session, orders.actor(ABROAD), order_id, "invoice", "Alamat salah.")
        db_session.commit()
    else:
        order_id = orders.abroad(stage)
    named = app.extensions["order_reads"]
    found = {read: bool(read(db_session, order_id)) for read in named}

    assert found == dict(zip(named, orm.holding(db_session, list(named.values()), order_id), strict=True))
    if stage == "correction asked":
        assert any(found.values()) and len(named) >= 7
    if stage in ("refund opened", "correction asked"):
        tables = holding(db_session, order_id)
        assert ("correction_request" in tables) == (stage == "correction asked")
