from datetime import date

import pytest
from sqlalchemy import event, func, select

from sales_service.errors import Conflict, InvalidInput, PermissionDenied
from sales_service.files.models import DocumentType, StoredFile
from sales_service.files.storage import FileStorage
from sales_service.files.uploads import UnsupportedFileType
from sales_service.orders import office_calendar, ordering, queue, review, walk_in, workflow
from sales_service.orders.lifecycle import IllegalTransition, OrderStatus
from sales_service.orders.models import OrderEvent, ZeroRateClaim
from sales_service.orders.ordering import RequirementsMissing
from sales_service.orders.workflow import Actor, OrderChanged, OrderNotFound
from sales_service.pnbp.schedule import ProductKind
from sales_service.pnbp.segments import BuyerSegment
from sales_service.roles import Role
from tests.factories import (
    ABSTRACT,
    make_buyer,
    make_map,
    make_microdata,
    make_publication,
    make_staff,
    pdf_bytes,
)

TODAY = date(2026, 11, 24)
SLA_DAYS = {ProductKind.PUBLICATION: 10, ProductKind.MICRODATA: 15, ProductKind.MAP: 10}
MAX = 10_000_000


@pytest.fixture
def storage(tmp_path):
    return FileStorage(tmp_path / "uploads")


@pytest.fixture
def people(tariffs_loaded):
    session = tariffs_loaded
    return dict(
        buyer=make_buyer(session, email="ani@example.test", full_name="Ani"),
        other=make_buyer(session, email="lain@example.test"),
        officer=make_staff(session, Role.OFFICER, full_name="Petugas Satu"),
        officer2=make_staff(session, Role.OFFICER, full_name="Petugas Dua"),
        pemda=make_buyer(session, email="pemda@example.test", segment=BuyerSegment.REGIONAL_GOVERNMENT),
    )


def microdata_order(session, buyer, storage=None, *, with_abstract=True):
    dataset = make_microdata(session, record_count=500_000)
    chosen = [v.id for v in dataset.variables if v.name in ("R101", "KAPITA")]
    order = ordering.add_to_order(session, buyer, dataset.id, chosen, on=TODAY)
    ordering.update_details(session, Actor(buyer), order.id, purpose="Penelitian tesis", commercial=False,
                            claim_zero_rate=False)
    if with_abstract:
        ordering.save_abstract(session, Actor(buyer), order.id, ABSTRACT, storage, max_bytes=MAX)
    return order


def test_a_draft_keeps_the_quote_and_the_chosen_variables(session, people):
    order = microdata_order(session, people["buyer"], with_abstract=False)
    line = order.lines[0]
    assert [v.name for v in line.variables] == ["R101", "KAPITA"]
    assert (line.quantity, line.amount, line.full_set) == (7_000_000, 140_000, False)  # 500.000 x 14 bytes
    assert (line.estimated_quantity, line.estimated_amount) == (7_000_000, 140_000)
    assert order.status == OrderStatus.DRAFT and order.total == 140_000
    publication = make_publication(session, pages=60)
    same = ordering.add_to_order(session, people["buyer"], publication.id, on=TODAY)
    assert same.id == order.id and order.total == 140_000 + 65_000  # one open draft collects products


def _statements_while(session, action):
    sent: list[str] = []

    def note(_connection, _cursor, statement, *_args):
        if statement.startswith("SELECT"):  # not the test transaction's savepoints
            sent.append(statement)

    engine = session.get_bind().engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        return action(), sent
    finally:
        event.remove(engine, "before_cursor_execute", note)


def test_an_order_reads_the_variables_of_all_its_microdata_lines_at_once_and_none_for_other_lines(session,
                                                                                                   people):
    buyer = people["buyer"]
    order = microdata_order(session, buyer, with_abstract=False)  # R101 and KAPITA chosen
    second = make_microdata(session, title="Sakernas Agustus 2024", survey="Sakernas")
    ordering.add_to_order(session, buyer, second.id, [v.id for v in second.variables if v.name == "R102"], on=TODAY)
    ordering.add_to_order(session, buyer, make_publication(session).id, on=TODAY)
    only_publications = ordering.add_to_order(session, people["other"], make_publication(session, title="Lain").id,
                                              on=TODAY)
    session.commit()
    session.expunge_all()  # as a new request finds them

    loaded, sent = _statements_while(session, lambda: workflow.load_order(session, order.id))
    assert [[v.name for v in line.variables] for line in loaded.lines] == [["R101", "KAPITA"], ["R102"], []]
    assert len(sent) == 2 and "FROM order_line_variable" in sent[1]  # the order with its lines, their variables

    loaded, sent = _statements_while(session, lambda: workflow.load_order(session, only_publications.id))
    assert [list(line.variables) for line in loaded.lines] == [[]] and len(sent) == 1


def test_submit_refuses_until_the_abstract_is_there(session, people, storage):
    buyer = people["buyer"]
    order = microdata_order(session, buyer, with_abstract=False)
    with pytest.raises(RequirementsMissing, match="Abstraksi penggunaan data"):
        ordering.submit(session, Actor(buyer), order.id, today=TODAY, sla_days=SLA_DAYS)
    ordering.save_abstract(session, Actor(buyer), order.id, ABSTRACT, storage, max_bytes=MAX)
    ordering.submit(session, Actor(buyer), order.id, today=TODAY, sla_days=SLA_DAYS)
    assert order.status == OrderStatus.SUBMITTED
    assert (order.requirements_complete_on, order.sla_budget_days) == (TODAY, 15)


def test_return_resubmit_accept_loop_keeps_every_version_and_event(session, people, storage):
    buyer, officer = people["buyer"], people["officer"]
    order = microdata_order(session, buyer, storage)
    ordering.submit(session, Actor(buyer), order.id, today=TODAY, sla_days=SLA_DAYS)
    review.return_order(session, Actor(officer), order.id,
                          {"abstract": "Metode belum dijelaskan.", "variables": "", "other": ""})
    assert order.status == OrderStatus.RETURNED
    reasons = ordering.latest_return(session, order).return_reasons
    assert [(r.document, r.reason) for r in reasons] == [("abstract", "Metode belum dijelaskan.")]

    ordering.save_abstract(session, Actor(buyer), order.id, dict(ABSTRACT, method="Regresi kuantil."), storage,
                           attachment=(pdf_bytes(), "abstrak-v2.pdf"), max_bytes=MAX)
    ordering.submit(session, Actor(buyer), order.id, today=TODAY, sla_days=SLA_DAYS)
    review.return_order(session, Actor(officer), order.id, {"purpose": "Sebutkan nama universitas."})
    ordering.submit(session, Actor(buyer), order.id, today=TODAY, sla_days=SLA_DAYS)
    review.accept(session, Actor(officer), order.id)
    assert order.status == OrderStatus.ACCEPTED

    from sales_service.sppd import services as sppd

    versions = sppd.abstracts(session, order.id)
    assert [(a.version, a.method) for a in versions] == [(2, "Regresi kuantil."), (1, ABSTRACT["method"])]
    assert versions[0].attachment.file.filename == "abstrak-v2.pdf"
    trail = [(e.action, e.actor_name, e.from_status, e.to_status) for e in workflow.events(session, order.id)
             if e.to_status]
    assert trail == [
        ("create", "Ani", None, OrderStatus.DRAFT),
        ("submit", "Ani", OrderStatus.DRAFT, OrderStatus.SUBMITTED),
        ("return", "Petugas Satu", OrderStatus.SUBMITTED, OrderStatus.RETURNED),
        ("submit", "Ani", OrderStatus.RETURNED, OrderStatus.SUBMITTED),
        ("return", "Petugas Satu", OrderStatus.SUBMITTED, OrderStatus.RETURNED),
        ("submit", "Ani", OrderStatus.RETURNED, OrderStatus.SUBMITTED),
        ("accept", "Petugas Satu", OrderStatus.SUBMITTED, OrderStatus.ACCEPTED),
    ]
    assert order.requirements_complete_on == TODAY  # the SLA start is not reset by resubmission


def test_a_return_must_say_what_to_fix(session, people, storage):
    order = microdata_order(session, people["buyer"], storage)
    ordering.submit(session, Actor(people["buyer"]), order.id, today=TODAY, sla_days=SLA_DAYS)
    with pytest.raises(InvalidInput, match="sedikitnya satu alasan"):
        review.return_order(session, Actor(people["officer"]), order.id, {"abstract": "  "})
    assert order.status == OrderStatus.SUBMITTED


def test_buyers_cannot_review_and_documents_freeze_once_submitted(session, people, storage):
    buyer = people["buyer"]
    order = microdata_order(session, buyer, storage)
    ordering.submit(session, Actor(buyer), order.id, today=TODAY, sla_days=SLA_DAYS)
    with pytest.raises(PermissionDenied):
        review.accept(session, Actor(buyer), order.id)
    with pytest.raises(Conflict, match="tidak dapat diubah"):
        ordering.save_abstract(session, Actor(buyer), order.id, ABSTRACT, storage, max_bytes=MAX)
    with pytest.raises(IllegalTransition):
        ordering.submit(session, Actor(buyer), order.id, today=TODAY, sla_days=SLA_DAYS)


def test_another_buyer_cannot_see_or_touch_the_order(session, people, storage):
    order = microdata_order(session, people["buyer"], storage)
    with pytest.raises(OrderNotFound):
        workflow.get_order_for(session, order.id, people["other"])
    with pytest.raises(OrderNotFound):
        ordering.cancel(session, Actor(people["other"]), order.id)
    assert workflow.get_order_for(session, order.id, people["officer"]).id == order.id


def test_rp0_claim_approved_keeps_normal_price_and_legal_basis(session, people, storage):
    pemda, officer = people["pemda"], people["officer"]
    order = ordering.add_to_order(session, pemda, make_map(session).id, on=TODAY)
    with pytest.raises(InvalidInput, match="nonkomersial"):
        ordering.update_details(session, Actor(pemda), order.id, purpose="RTRW", commercial=True,
                                claim_zero_rate=True)
    ordering.update_details(session, Actor(pemda), order.id, purpose="Penyusunan RTRW", commercial=False,
                            claim_zero_rate=True, zero_rate_purpose="government")
    ordering.save_abstract(session, Actor(pemda), order.id, ABSTRACT, storage, max_bytes=MAX)
    with pytest.raises(RequirementsMissing, match="Surat permohonan"):
        ordering.submit(session, Actor(pemda), order.id, today=TODAY, sla_days=SLA_DAYS)
    ordering.upload_document(session, Actor(pemda), order.id, DocumentType.REQUEST_LETTER,
                             pdf_bytes("Surat permohonan"), "surat.pdf", storage, max_bytes=MAX)
    ordering.submit(session, Actor(pemda), order.id, today=TODAY, sla_days=SLA_DAYS)
    with pytest.raises(Conflict, match="Rp0"):
        review.accept(session, Actor(officer), order.id)  # the claim must be decided first
    review.decide_zero_rate(session, Actor(officer), order.id, approve=True)
    line = order.lines[0]
    assert (line.amount, line.normal_amount, line.waived) == (0, 70_000, True)
    assert "Perban BPS 2/2019" in line.waiver_basis and order.zero_rate_basis == line.waiver_basis
    review.accept(session, Actor(officer), order.id)
    assert order.total == 0 and order.normal_total == 70_000


def test_rp0_refused_buyer_chooses_full_price(session, people, storage):
    pemda, officer = people["pemda"], people["officer"]
    order = ordering.add_to_order(session, pemda, make_publication(session).id, on=TODAY)
    ordering.update_details(session, Actor(pemda), order.id, purpose="Kajian", commercial=False,
                            claim_zero_rate=True, zero_rate_purpose="government")
    ordering.upload_document(session, Actor(pemda), order.id, DocumentType.REQUEST_LETTER,
                             pdf_bytes(), "surat.pdf", storage, max_bytes=MAX)
    ordering.submit(session, Actor(pemda), order.id, today=TODAY, sla_days=SLA_DAYS)
    with pytest.raises(InvalidInput, match="Alasan penolakan"):
        review.decide_zero_rate(session, Actor(officer), order.id, approve=False, note="")
    review.decide_zero_rate(session, Actor(officer), order.id, approve=False,
                              note="Surat tidak ditandatangani pejabat berwenang.")
    assert (order.status, order.zero_rate) == (OrderStatus.RETURNED, ZeroRateClaim.REFUSED)
    with pytest.raises(Conflict, match="tarif penuh"):
        ordering.submit(session, Actor(pemda), order.id, today=TODAY, sla_days=SLA_DAYS)
    review.continue_at_full_price(session, Actor(pemda), order.id)
    ordering.submit(session, Actor(pemda), order.id, today=TODAY, sla_days=SLA_DAYS)
    assert order.status == OrderStatus.SUBMITTED and order.total == 80_000


def test_companies_cannot_claim_rp0(session, people):
    company = make_buyer(session, segment=BuyerSegment.PRIVATE_COMPANY)
    order = ordering.add_to_order(session, company, make_publication(session).id, on=TODAY)
    with pytest.raises(InvalidInput, match="Tarif Rp0 hanya untuk instansi"):
        ordering.update_details(session, Actor(company), order.id, purpose="Riset pasar", commercial=False,
                                claim_zero_rate=True)


def test_final_size_reprices_the_line_and_keeps_the_estimate(session, people, storage):
    buyer, officer = people["buyer"], people["officer"]
    order = microdata_order(session, buyer, storage)
    line_id = order.lines[0].id
    with pytest.raises(IllegalTransition.__mro__[1]):  # Conflict: not before submission
        review.set_final_size(session, Actor(officer), order.id, line_id, 1)
    ordering.submit(session, Actor(buyer), order.id, today=TODAY, sla_days=SLA_DAYS)
    line = review.set_final_size(session, Actor(officer), order.id, line_id, 7_512_345)
    assert (line.quantity, line.amount) == (7_512_345, 150_247)  # 20.000 + 6.512.345 x Rp0,02 = 150.246,9
    assert (line.estimated_quantity, line.estimated_amount) == (7_000_000, 140_000)
    event = workflow.events(session, order.id)[-1]
    assert event.action == "final_size" and event.details["before"] == {"quantity": 7_000_000, "amount": 140_000}
    with pytest.raises(InvalidInput):
        review.set_final_size(session, Actor(officer), order.id, line_id, 0)


def test_walk_in_gets_the_next_queue_number_of_the_day(session, people):
    officer = people["officer"]
    dataset = make_microdata(session)
    guest = dict(name="Tamu Satu", identity_type="ktp", identity_number="3310010101010001", institution="",
                 email="tamu@example.test", phone="0812", purpose="Tugas akhir", segment="student",
                 commercial="0")
    first = walk_in.create_walk_in(session, Actor(officer), guest, [dataset.id], today=TODAY)
    second = walk_in.create_walk_in(session, Actor(officer), dict(guest, name="Tamu Dua"), [dataset.id],
                                     today=TODAY)
    tomorrow = walk_in.create_walk_in(session, Actor(officer), guest, [dataset.id], today=date(2026, 11, 25))
    assert (first.walk_in.queue_number, second.walk_in.queue_number, tomorrow.walk_in.queue_number) == (1, 2, 1)
    assert first.lines[0].full_set and first.lines[0].quantity == dataset.full_size_bytes
    assert first.buyer_id is None and first.buyer_name == "Tamu Satu"
    with pytest.raises(PermissionDenied):
        walk_in.create_walk_in(session, Actor(people["buyer"]), guest, [dataset.id], today=TODAY)
    with pytest.raises(InvalidInput, match="Nomor identitas"):
        walk_in.create_walk_in(session, Actor(officer), dict(guest, identity_number=""), [dataset.id],
                                today=TODAY)


def test_cancel_rules(session, people, storage):
    buyer, officer = people["buyer"], people["officer"]
    order = microdata_order(session, buyer, storage)
    ordering.submit(session, Actor(buyer), order.id, today=TODAY, sla_days=SLA_DAYS)
    with pytest.raises(InvalidInput, match="Alasan pembatalan"):
        ordering.cancel(session, Actor(officer), order.id, reason="")
    ordering.cancel(session, Actor(officer), order.id, reason="Abstraksi tidak sesuai dengan variabel.")
    assert order.status == OrderStatus.CANCELLED and order.cancel_reason.startswith("Abstraksi")
    with pytest.raises(IllegalTransition):
        review.accept(session, Actor(officer), order.id)
    draft = ordering.add_to_order(session, buyer, make_publication(session).id, on=TODAY)
    ordering.cancel(session, Actor(buyer), draft.id)  # the buyer needs no reason
    assert draft.status == OrderStatus.CANCELLED


def test_acting_on_an_outdated_page_is_refused(session, people, storage):
    buyer, officer = people["buyer"], people["officer"]
    order = microdata_order(session, buyer, storage)
    ordering.submit(session, Actor(buyer), order.id, today=TODAY, sla_days=SLA_DAYS)
    seen = order.version
    review.return_order(session, Actor(people["officer2"]), order.id, {"other": "Lengkapi."})
    with pytest.raises(OrderChanged, match="baru saja diubah"):
        review.accept(session, Actor(officer), order.id, expected_version=seen)
    assert order.status == OrderStatus.RETURNED


def test_refused_upload_stores_neither_file_nor_row(session, people, storage):
    buyer = people["buyer"]
    order = microdata_order(session, buyer, storage)
    before_rows = session.scalar(select(func.count(StoredFile.id)))
    with pytest.raises(UnsupportedFileType):
        ordering.save_abstract(session, Actor(buyer), order.id, ABSTRACT, storage,
                               attachment=(b"MZ\x90\x00" + b"\x00" * 200, "abstrak.pdf"), max_bytes=MAX)
    assert session.scalar(select(func.count(StoredFile.id))) == before_rows
    assert not any(p.is_file() for p in storage.root.rglob("*")) if storage.root.exists() else True


def test_the_audit_trail_cannot_be_rewritten(session, people, storage):
    order = microdata_order(session, people["buyer"], storage)
    event = session.scalar(select(OrderEvent).where(OrderEvent.order_id == order.id).limit(1))
    event.reason = "rewritten"
    with pytest.raises(RuntimeError, match="append-only"):
        session.flush()


def test_sla_pauses_while_the_order_is_with_the_buyer(session, people, storage):
    buyer, officer = people["buyer"], people["officer"]
    order = microdata_order(session, buyer, storage)
    ordering.submit(session, Actor(buyer), order.id, today=TODAY, sla_days=SLA_DAYS)
    cal = office_calendar.calendar(session)
    events = workflow.events(session, order.id)
    status = queue.sla_for(order, events, cal, today=TODAY, to_local=lambda moment: moment.date())
    assert status.deadline == cal.add_working_days(TODAY, 15) and not status.paused
    review.return_order(session, Actor(officer), order.id, {"other": "Lengkapi."})
    paused = queue.sla_for(order, workflow.events(session, order.id), cal, today=TODAY,
                              to_local=lambda moment: moment.date())
    assert paused.paused and paused.deadline is None


def test_an_approved_rp0_waiver_goes_when_the_use_turns_commercial(session, people, storage):
    pemda, officer = people["pemda"], people["officer"]
    order = ordering.add_to_order(session, pemda, make_publication(session).id, on=TODAY)
    ordering.update_details(session, Actor(pemda), order.id, purpose="Kajian", commercial=False,
                            claim_zero_rate=True, zero_rate_purpose="research")
    ordering.upload_document(session, Actor(pemda), order.id, DocumentType.REQUEST_LETTER, pdf_bytes(),
                             "surat.pdf", storage, max_bytes=MAX)
    ordering.submit(session, Actor(pemda), order.id, today=TODAY, sla_days=SLA_DAYS)
    review.decide_zero_rate(session, Actor(officer), order.id, approve=True)
    review.return_order(session, Actor(officer), order.id, {"purpose": "Lengkapi tujuan."})
    ordering.update_details(session, Actor(pemda), order.id, purpose="Kajian untuk klien swasta", commercial=True,
                            claim_zero_rate=False)
    assert order.zero_rate == ZeroRateClaim.NONE and order.zero_rate_basis is None
    assert order.total == order.normal_total == 80_000 and not order.lines[0].waived


def test_other_staff_see_an_online_order_but_do_not_act_as_its_buyer(session, people, storage):
    order = microdata_order(session, people["buyer"], storage)
    treasurer = make_staff(session, Role.TREASURER)
    for act in (
        lambda: ordering.submit(session, Actor(treasurer), order.id, today=TODAY, sla_days=SLA_DAYS),
        lambda: ordering.update_details(session, Actor(people["officer"]), order.id, purpose="x", commercial=True,
                                        claim_zero_rate=False),
        lambda: ordering.cancel(session, Actor(treasurer), order.id, reason="Tidak jadi."),
    ):
        with pytest.raises(PermissionDenied):
            act()
    assert order.status == OrderStatus.DRAFT
    assert workflow.get_order_for(session, order.id, treasurer).id == order.id  # seeing is allowed


def test_the_sla_clock_waits_while_the_buyer_owes_payment(session, people, storage):
    buyer, officer = people["buyer"], people["officer"]
    order = microdata_order(session, buyer, storage)
    ordering.submit(session, Actor(buyer), order.id, today=TODAY, sla_days=SLA_DAYS)
    event = workflow.record(session, order, Actor(officer), "issue_invoice", from_status=OrderStatus.SUBMITTED,
                            to_status=OrderStatus.INVOICED)
    session.flush()
    status = queue.sla_for(order, workflow.events(session, order.id), office_calendar.calendar(session), today=TODAY,
                              to_local=lambda moment: moment.date())
    assert event.to_status == OrderStatus.INVOICED and status.paused


def test_a_publication_already_on_the_draft_is_refused_without_talk_of_variables(session, people):
    buyer = people["buyer"]
    publication = make_publication(session)
    ordering.add_to_order(session, buyer, publication.id, on=TODAY)
    with pytest.raises(ordering.AlreadyOnOrder) as refused:
        ordering.add_to_order(session, buyer, publication.id, on=TODAY)
    assert refused.value.message.endswith(f"sudah ada di pesanan {refused.value.params['reference']}.")
    assert "variabel" not in refused.value.message
