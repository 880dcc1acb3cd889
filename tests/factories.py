"""Plain factory functions with keyword defaults (services layer, no mocks)."""

from __future__ import annotations

from datetime import date
from itertools import count

from sqlalchemy.orm import Session

from sales_service.accounts import services as accounts
from sales_service.accounts.models import Domicile, User
from sales_service.catalog import services as catalog
from sales_service.catalog.models import DigitalMap, MicrodataSet, Publication
from sales_service.pnbp.schedule import ProductKind
from sales_service.pnbp.segments import BuyerSegment
from sales_service.roles import Role

PASSWORD = "kelapa muda tujuh pohon"  # passes the password rule (accounts.passwords)
_numbers = count(1)


def make_buyer(session: Session, *, email: str | None = None, segment=BuyerSegment.INDIVIDUAL,
               domicile=Domicile.INDONESIA, institution: str = "", npwp: str = "",
               full_name: str = "Budi Santoso") -> User:
    if segment == BuyerSegment.PRIVATE_COMPANY and not npwp:
        npwp = "01.234.567.8-901.000"
    if not institution and segment not in (BuyerSegment.INDIVIDUAL, BuyerSegment.STUDENT):
        institution = "Instansi Contoh"
    return accounts.register_buyer(
        session, email=email or f"buyer{next(_numbers)}@example.test", password=PASSWORD,
        full_name=full_name, segment=segment, domicile=domicile, institution=institution, npwp=npwp,
    )


def make_staff(session: Session, role: Role, *, email: str | None = None, full_name: str = "Siti Rahma") -> User:
    return accounts.create_staff(
        session, email=email or f"{role.value}{next(_numbers)}@example.test", password=PASSWORD,
        full_name=full_name, role=role,
    )


def make_publication(session: Session, *, title: str = "Statistik Daerah Contoh 2025", pages: int = 120,
                     year: int = 2025, active: bool = True) -> Publication:
    return catalog.create_product(session, ProductKind.PUBLICATION, dict(
        title=title, year=year, pages=pages, language="Indonesia", active=active))


def make_microdata(session: Session, *, title: str = "Susenas Maret 2024", survey: str = "Susenas",
                   record_count: int = 1000,
                   variables: str = "R101;Provinsi;2\nR102;Kabupaten;2\nKAPITA;Pengeluaran;12",
                   full_size_bytes: int | None = None, year: int = 2024, processed: bool = False) -> MicrodataSet:
    widths = sum(int(line.rsplit(";", 1)[1]) for line in variables.splitlines())
    return catalog.create_product(session, ProductKind.MICRODATA, dict(
        title=title, year=year, survey=survey, period="Maret 2024", region_level="Kabupaten/kota",
        file_format="CSV", record_count=record_count,
        full_size_bytes=full_size_bytes or record_count * widths, variables=variables, processed=processed))


def make_map(session: Session, *, title: str = "Peta Kabupaten Klaten per Desa", coverage: str = "regency",
             level: str = "desa", regency_code: str | None = "3310", regency_name: str | None = "Kabupaten Klaten",
             year: int = 2024) -> DigitalMap:
    return catalog.create_product(session, ProductKind.MAP, dict(
        title=title, year=year, coverage=coverage, level=level, regency_code=regency_code,
        regency_name=regency_name))


def pdf_bytes(text: str = "Abstraksi penggunaan data") -> bytes:
    """A real one-page PDF, as a buyer's scanner or word processor would make."""
    from io import BytesIO

    from reportlab.pdfgen import canvas

    buffer = BytesIO()
    page = canvas.Canvas(buffer)
    page.drawString(72, 720, text)
    page.save()
    return buffer.getvalue()


ABSTRACT = dict(
    title="Ketimpangan pengeluaran rumah tangga di Jawa Tengah",
    background="Mengukur ketimpangan pengeluaran per kapita untuk perencanaan daerah.",
    method="Indeks Gini dan dekomposisi Theil per kabupaten.",
    data_requested="Susenas Maret 2024 Kor Individu; variabel R101, R102, KAPITA; Jawa Tengah.",
    outputs="Artikel jurnal dan ringkasan kebijakan.",
    no_redistribution=True,
)


# -- orders (through the order services, as a buyer or an officer would make them) -----------------

ORDER_DAY = date(2026, 11, 24)
SLA_DAYS = {kind: 10 for kind in ProductKind}  # working days; one budget keeps the expected deadlines simple


def make_order(session: Session, buyer: User, *products, storage=None, variable_ids=(), on: date = ORDER_DAY,
               purpose: str = "Penelitian", commercial: bool = True, claim_zero_rate: bool = False,
               submitted_on: date | None = ORDER_DAY, sla_days=None):
    """An online order of ``buyer`` for ``products`` (``variable_ids`` for the first one, a
    microdata subset), with an abstract where the products need one and a request letter
    when Rp0 is claimed, submitted on ``submitted_on`` (None: left as a draft).
    ``storage`` (a FileStorage) is needed only for the request letter."""
    from sales_service.orders import ordering as orders
    from sales_service.orders.workflow import Actor

    actor = Actor(buyer)
    order = orders.add_to_order(session, buyer, products[0].id, variable_ids, on=on)
    for product in products[1:]:
        orders.add_to_order(session, buyer, product.id, on=on)
    # An Rp0 claim names one of the four purposes (an eligible institution claims in its own name).
    orders.update_details(session, actor, order.id, purpose=purpose, commercial=commercial,
                          claim_zero_rate=claim_zero_rate, zero_rate_purpose="research" if claim_zero_rate else None)
    _complete_requirements(session, actor, order, storage, claim_zero_rate=claim_zero_rate)
    if submitted_on is not None:
        orders.submit(session, actor, order.id, today=submitted_on, sla_days=sla_days or SLA_DAYS)
    return order


def make_walk_in_order(session: Session, officer: User, *products, name: str = "Tamu Loket",
                       institution: str = "", segment: BuyerSegment = BuyerSegment.INDIVIDUAL,
                       on: date = ORDER_DAY, submitted_on: date | None = ORDER_DAY, sla_days=None):
    """A counter visitor's order entered by ``officer`` (full sets), with the abstract
    the officer types in for microdata and maps, submitted on ``submitted_on``."""
    from sales_service.orders import ordering as orders
    from sales_service.orders.walk_in import create_walk_in
    from sales_service.orders.workflow import Actor

    actor = Actor(officer)
    guest = dict(name=name, identity_type="ktp", identity_number="3310010101010001", institution=institution,
                 email="tamu@example.test", phone="0812", purpose="Bahan perencanaan", segment=segment.value,
                 commercial="1",
                 npwp="01.234.567.8-901.000" if segment == BuyerSegment.PRIVATE_COMPANY else "")
    order = create_walk_in(session, actor, guest, [product.id for product in products], today=on)
    _complete_requirements(session, actor, order, None, claim_zero_rate=False)
    if submitted_on is not None:
        orders.submit(session, actor, order.id, today=submitted_on, sla_days=sla_days or SLA_DAYS)
    return order


def _complete_requirements(session: Session, actor, order, storage, *, claim_zero_rate: bool) -> None:
    from sales_service.files.models import DocumentType
    from sales_service.orders import ordering as orders

    if order.kinds & {ProductKind.MICRODATA, ProductKind.MAP}:
        orders.save_abstract(session, actor, order.id, dict(ABSTRACT), storage, max_bytes=10**7)
    if claim_zero_rate:
        orders.upload_document(session, actor, order.id, DocumentType.REQUEST_LETTER, pdf_bytes("Surat permohonan"),
                               "surat.pdf", storage, max_bytes=10**7)


def stored_notification(session: Session, webhook_id: str, body: bytes) -> int:
    """A payment notification stored and not applied yet, as one is while another transaction
    has the turn to apply (PostgreSQL), or after the server stopped between storing and applying."""
    from sales_service.payments.models import NotificationChannel, NotificationState, PaymentNotification

    notification = PaymentNotification(webhook_id=webhook_id, channel=NotificationChannel.WEBHOOK,
                                       body=body.decode("utf-8"), state=NotificationState.RECEIVED)
    session.add(notification)
    session.flush()
    return notification.id
