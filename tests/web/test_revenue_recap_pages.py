"""The revenue recap through HTTP (issue 10, point 11): the treasurer's page per day and per month,
and the same figures in the CSV and the XLSX."""

import csv
import io
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from sales_service.invoices.gateway import SimulatedSimponi
from sales_service.payments.models import Payment, PaymentStatus
from sales_service.roles import Role
from tests.conftest import login
from tests.factories import make_buyer, make_staff
from tests.services.test_invoices import Clock
from tests.services.test_revenue_recap import MAP, PUBLICATION, Office, refunds_paid_between, seed_books

NOVEMBER = "/bendahara/rekap?per=hari&bulan=2031-11"
YEAR = "/bendahara/rekap?per=bulan&tahun=2031"


@pytest.fixture
def books(db_session, tmp_path):
    """The seeded books of the service tests (``seed_books``), committed, and the treasurer's account."""
    session = db_session
    clock = Clock()
    simponi = SimulatedSimponi(first_digit=8, webhook_url="http://127.0.0.1:9/unused",
                               webhook_secret="whsec_" + "A" * 44, clock=clock)
    officer = make_staff(session, Role.OFFICER, full_name="Petugas Satu")
    make_staff(session, Role.TREASURER, email="bendahara@example.test")
    seed_books(Office(session, officer, simponi, clock, tmp_path))
    session.commit()
    return session


def settled_in_2031(session) -> int:
    return session.scalar(select(func.sum(Payment.amount)).where(
        Payment.status == PaymentStatus.SETTLED, Payment.paid_at >= datetime(2030, 12, 31, 17, tzinfo=UTC),
        Payment.paid_at < datetime(2031, 12, 31, 17, tzinfo=UTC)))


def test_the_treasurer_reads_a_month_day_by_day_with_items_and_the_rp0_register(client, books):
    login(client, "bendahara@example.test")
    page = client.get(NOVEMBER).get_data(as_text=True)
    assert "November 2031" in page
    assert '<strong id="total-received">Rp1.410.000</strong>' in page  # 4 x 335.000 + 70.000; not the flagged 300.000
    assert '<strong id="total-refunded">Rp335.000</strong>' in page  # the double payment, refunded on the 20th
    assert '<strong id="total-net">Rp1.075.000</strong>' in page
    assert "3 November 2031" in page and "4 November 2031" in page and "20 November 2031" in page
    assert "Publikasi elektronik" in page and "Peta digital wilkerstat satu kabupaten/kota per desa/kelurahan" in page
    assert "425131" in page
    waivers = page.split('id="recap-waivers"')[1]
    assert "Lembaga pendidikan dalam negeri" in waivers and "Rp335.000" in waivers


def test_the_months_of_a_year_follow_the_offices_calendar(client, books):
    login(client, "bendahara@example.test")
    page = client.get(YEAR).get_data(as_text=True)
    periods = page.split('id="recap-periods"')[1].split("</table>")[0]
    assert "November 2031" in periods and "Desember 2031" in periods
    assert "Rp1.410.000" in periods and "Rp1.075.000" in periods and "Rp670.000" in periods
    assert '<strong id="total-net">Rp1.745.000</strong>' in page  # December's approved refund is not paid yet


def test_english_pages_write_the_recap_the_english_way(client, books):
    login(client, "bendahara@example.test")
    client.get("/bahasa/en")
    page = client.get(NOVEMBER).get_data(as_text=True)
    assert "Revenue recap" in page and "Rp1,410,000" in page and "Digital statistical area map" in page
    assert "Domestic education institution" in page


@pytest.mark.parametrize("role", [Role.OFFICER, Role.BUYER])
def test_only_the_treasurer_and_the_admin_read_the_recap(client, db_session, role):
    if role == Role.BUYER:
        make_buyer(db_session, email="someone@example.test")
    else:
        make_staff(db_session, role, email="someone@example.test")
    make_staff(db_session, Role.ADMIN, email="admin@example.test")
    db_session.commit()
    login(client, "someone@example.test")
    for path in (NOVEMBER, "/bendahara/rekap.csv", "/bendahara/rekap.xlsx"):
        assert client.get(path).status_code == 403, path
    client.post("/keluar", data={"csrf_token": _token(client)})
    login(client, "admin@example.test")
    assert client.get(NOVEMBER).status_code == 200


def _token(client):
    from tests.conftest import csrf_token

    return csrf_token(client, "/katalog")


def _csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    return str(value)


@pytest.mark.parametrize("path, period_of", [
    ("/bendahara/rekap.csv?per=hari&bulan=2031-11", lambda d: d.isoformat()),
    ("/bendahara/rekap.csv?per=bulan&tahun=2031", lambda d: f"{d:%Y-%m}"),
])
def test_the_xlsx_holds_the_same_figures_as_the_csv(client, books, path, period_of):
    login(client, "bendahara@example.test")
    answer = client.get(path)
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    assert answer.headers["Content-Disposition"].startswith("attachment; filename=\"rekap-penerimaan-2031")
    rows = _csv_rows(answer.data)
    xlsx = client.get(path.replace(".csv", ".xlsx"))
    assert xlsx.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    workbook = load_workbook(io.BytesIO(xlsx.data))
    assert workbook.sheetnames == ["Ringkasan", "Rincian"]

    detail = [[_cell_text(v) for v in row] for row in workbook["Rincian"].iter_rows(values_only=True)]
    # Cell for cell, once the XLSX's date cells are written as the CSV writes periods.
    assert [row[:1] + [_csv_period(row[1], period_of)] + row[2:] for row in detail[1:]] == rows[1:]
    assert detail[0] == rows[0] == ["Jenis", "Periode", "Kode akun", "Peraturan", "Kode item", "Uraian",
                                    "Banyaknya", "Jumlah (Rp)"]

    received = sum(int(row[7]) for row in rows[1:] if row[0] == "Penerimaan")
    refunds = sum(int(row[7]) for row in rows[1:] if row[0] == "Pengembalian")  # negative amounts
    waived = sum(int(row[7]) for row in rows[1:] if row[0].startswith("Register Rp0"))
    summary = list(workbook["Ringkasan"].iter_rows(values_only=True))
    total = summary[-1]
    assert total[0] == "Jumlah" and total[2] == received and total[3] == -refunds == PUBLICATION
    assert total[4] == received + refunds  # net: received minus refunds paid
    assert waived == PUBLICATION
    if "tahun" in path:
        assert received == settled_in_2031(books) == 6 * PUBLICATION + MAP
        assert total[4] == settled_in_2031(books) - refunds_paid_between(books, date(2031, 1, 1), date(2031, 12, 31))
    else:
        assert received == 4 * PUBLICATION + MAP
        assert ["Pengembalian", "2031-11-20", "425131", "", "", "", "", str(-PUBLICATION)] in rows
        assert ["Penerimaan", "2031-11-03", "425131", "PP 13/2024", "map-regency-desa",
                "Peta digital wilkerstat satu kabupaten/kota per desa/kelurahan", "1", str(MAP)] in rows


def _csv_period(text: str, period_of) -> str:
    return period_of(date.fromisoformat(text)) if text else text
