"""Order actions through HTTP, one happy path each, checked by what the user then sees:
the Rp0 decision, the final size of a variable extract, a new billing code, the sample,
cancelling an invoiced order, a plain cancel, removing a line, and office leave days
moving an SLA deadline."""

import re
from datetime import UTC, date, datetime, timedelta
from io import BytesIO

import pytest

from sales_service.files.storage import FileStorage
from sales_service.invoices.gateway import SimulatedSimponi
from sales_service.orders.review import accept
from sales_service.orders.workflow import Actor
from sales_service.pnbp.segments import BuyerSegment
from sales_service.roles import Role
from tests.conftest import csrf_token, login
from tests.factories import make_buyer, make_microdata, make_order, make_publication, make_staff, pdf_bytes

BUYER, PEMDA, OFFICER, ADMIN = "ani@example.test", "pemda@example.test", "petugas@example.test", "admin@example.test"


class ShiftedClock:
    """The simulated SIMPONI's clock: real time, shifted when a test needs a code issued in the past."""

    def __init__(self):
        self.shift = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.shift


@pytest.fixture
def world(app, db_session):
    buyer = make_buyer(db_session, email=BUYER, full_name="Ani Buyer")
    pemda = make_buyer(db_session, email=PEMDA, full_name="Dinas Kominfo", segment=BuyerSegment.REGIONAL_GOVERNMENT,
                       institution="Pemerintah Kabupaten Klaten")
    officer = make_staff(db_session, Role.OFFICER, email=OFFICER, full_name="Petugas Satu")
    make_staff(db_session, Role.ADMIN, email=ADMIN, full_name="Admin Kantor")
    db_session.commit()
    clock = ShiftedClock()
    # The simulator posts nowhere in these tests (no payment is made).
    app.extensions["billing_gateway_factory"] = lambda config: SimulatedSimponi(
        webhook_url="http://127.0.0.1:9/", webhook_secret=config["WEBHOOK_SECRET"], clock=clock)
    return dict(session=db_session, buyer=buyer, pemda=pemda, officer=officer, clock=clock,
                storage=FileStorage(app.config["UPLOAD_DIR"]))


def as_user(client, email):
    """Sign out whoever is signed in, then sign in as ``email``."""
    signed_in = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get("/katalog").get_data(as_text=True))
    if signed_in:
        client.post("/keluar", data={"csrf_token": signed_in.group(1)})
    assert login(client, email).status_code == 302


def post(client, path, **data):
    return client.post(path, data=dict(data, csrf_token=csrf_token(client, "/katalog")),
                       content_type="multipart/form-data")


def page_of(client, order_id) -> str:
    return client.get(f"/pesanan/{order_id}").get_data(as_text=True)


def status_of(page: str) -> str:
    return re.search(r'id="order-status">([^<]+)<', page).group(1)


def total_of(page: str) -> str:
    return re.search(r'id="order-total">([^<]+)<', page).group(1)


def flash_of(page: str) -> str:
    return re.search(r'role="status">([^<]+)<', page).group(1)


def accepted_order(world, buyer, product):
    order = make_order(world["session"], buyer, product)
    accept(world["session"], Actor(world["officer"]), order.id)
    world["session"].commit()
    return order.id


def issue_invoice(client, order_id) -> str:
    as_user(client, OFFICER)
    response = post(client, f"/pesanan/{order_id}/invoice")
    assert response.status_code == 302
    page = page_of(client, order_id)
    assert status_of(page) == "Invoice terbit"
    return re.search(r"<code>(\d{15})</code>", page).group(1)


# -- Rp0 -------------------------------------------------------------------------------------------

@pytest.fixture
def rp0_claim(world):
    """A regional government's publication order (1.000 pages: Rp335.000) claiming Rp0, submitted."""
    order = make_order(world["session"], world["pemda"], make_publication(world["session"], pages=1000),
                       commercial=False, claim_zero_rate=True, storage=world["storage"])
    world["session"].commit()
    return order.id


def test_officer_approves_rp0_and_both_sides_see_the_waived_price(client, rp0_claim):
    as_user(client, OFFICER)
    before = page_of(client, rp0_claim)
    # Claimed at Rp0, as the product page quoted it, the normal price beside it until the officer decides.
    assert "Tarif Rp0 dimohon; menunggu keputusan petugas." in before and total_of(before) == "Rp0"
    assert '<span class="price-old">Rp335.000</span>' in before
    assert 'id="accept-order"' not in before  # the claim is decided first

    response = post(client, f"/pesanan/{rp0_claim}/rp0", decision="approve", note="Surat lengkap.")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert flash_of(page) == "Keputusan tarif Rp0 dicatat."
    assert "Tarif Rp0 disetujui." in page and total_of(page) == "Rp0"
    assert '<span class="price-old">Rp335.000</span>' in page  # the normal price stays visible
    assert status_of(page) == "Diajukan, menunggu pemeriksaan" and 'id="accept-order"' in page

    as_user(client, PEMDA)
    buyer_page = page_of(client, rp0_claim)
    assert "Tarif Rp0 disetujui." in buyer_page and total_of(buyer_page) == "Rp0"


def test_officer_refuses_rp0_and_the_buyer_continues_at_full_price(client, rp0_claim):
    as_user(client, OFFICER)
    response = post(client, f"/pesanan/{rp0_claim}/rp0", decision="refuse",
                    note="Surat belum ditandatangani kepala dinas.")
    assert response.status_code == 302
    assert status_of(page_of(client, rp0_claim)) == "Dikembalikan untuk perbaikan"

    as_user(client, PEMDA)
    page = page_of(client, rp0_claim)
    assert "Surat belum ditandatangani kepala dinas." in page
    assert "Permohonan tarif Rp0 ditolak. Lanjutkan dengan tarif penuh (Rp335.000) atau batalkan pesanan." in page
    response = post(client, f"/pesanan/{rp0_claim}/tarif-penuh", version=re.search(
        r'name="version" value="(\d+)"', page).group(1))
    assert response.status_code == 302
    page = page_of(client, rp0_claim)
    assert "Pesanan dilanjutkan dengan tarif penuh." in flash_of(page)
    assert "Permohonan tarif Rp0 ditolak." not in page and total_of(page) == "Rp335.000"
    assert post(client, f"/pesanan/{rp0_claim}/ajukan").status_code == 302
    assert status_of(page_of(client, rp0_claim)) == "Diajukan, menunggu pemeriksaan"


def test_refusing_rp0_needs_a_reason_and_changes_nothing(client, rp0_claim):
    as_user(client, OFFICER)
    response = post(client, f"/pesanan/{rp0_claim}/rp0", decision="refuse", note="")
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "Alasan penolakan" in re.search(r'role="alert"[^>]*>([^<]+)<', body).group(1)
    page = page_of(client, rp0_claim)
    assert status_of(page) == "Diajukan, menunggu pemeriksaan"
    assert "Tarif Rp0 dimohon; menunggu keputusan petugas." in page


# -- final size of a variable extract --------------------------------------------------------------

@pytest.fixture
def subset_order(world):
    """Two 2-byte variables of 500.000 records: estimated 2.000.000 bytes = Rp40.000."""
    dataset = make_microdata(world["session"], record_count=500_000)
    chosen = [v.id for v in dataset.variables if v.name in ("R101", "R102")]
    order = make_order(world["session"], world["buyer"], dataset, variable_ids=chosen)
    world["session"].commit()
    return order.id, order.lines[0].id


@pytest.mark.parametrize("typed", ["1.250.000", "1,250,000", "1250000", " 1.250.000 "])
def test_officer_types_the_final_size_and_the_line_is_repriced(client, subset_order, typed):
    order_id, line_id = subset_order
    as_user(client, OFFICER)
    before = page_of(client, order_id)
    assert total_of(before) == "Rp40.000" and "Perkiraan ukuran" in before

    response = post(client, f"/pesanan/{order_id}/baris/{line_id}/ukuran", size=typed)
    assert response.status_code == 302
    page = page_of(client, order_id)
    assert flash_of(page) == "Ukuran akhir dicatat dan harga baris dihitung ulang."
    # 20.000 for the first 1.000.000 bytes + 250.000 x Rp0,02
    assert total_of(page) == "Rp25.000"
    assert "Perkiraan awal 2.000.000 byte = Rp40.000; ukuran akhir 1.250.000 byte." in page

    as_user(client, BUYER)
    assert total_of(page_of(client, order_id)) == "Rp25.000"


def test_the_invoice_button_waits_for_the_extract_size_and_the_page_says_why(client, world, subset_order):
    order_id, line_id = subset_order
    accept(world["session"], Actor(world["officer"]), order_id)
    world["session"].commit()
    as_user(client, OFFICER)
    page = page_of(client, order_id)
    assert 'id="issue-invoice"' not in page  # no button that can only answer 409
    assert "Catat dulu ukuran akhir ekstrak untuk:" in page

    post(client, f"/pesanan/{order_id}/baris/{line_id}/ukuran", size="1.250.000")
    page = page_of(client, order_id)
    assert 'id="issue-invoice"' in page and 'id="invoice-waits"' not in page


def test_officer_uploads_the_extract_and_its_measured_size_prices_the_line(client, subset_order):
    order_id, line_id = subset_order
    as_user(client, OFFICER)
    extract = BytesIO(b"3310;01\n" * 50_000)  # 400.000 bytes
    response = post(client, f"/pesanan/{order_id}/baris/{line_id}/ukuran", size="9.999.999",
                    extract=(extract, "ekstrak.csv"))
    assert response.status_code == 302
    page = page_of(client, order_id)
    assert "ukuran akhir 400.000 byte." in page and total_of(page) == "Rp20.000"  # the measured file wins


def test_a_size_that_is_not_a_number_is_refused_and_the_price_stays(client, subset_order):
    order_id, line_id = subset_order
    as_user(client, OFFICER)
    response = post(client, f"/pesanan/{order_id}/baris/{line_id}/ukuran", size="satu juta")
    assert response.status_code == 422
    assert "Isi ukuran ekstrak dalam byte" in response.get_data(as_text=True)
    assert total_of(page_of(client, order_id)) == "Rp40.000"


# -- billing code, sample, cancelling an invoiced order -------------------------------------------

def test_buyer_gets_a_new_billing_code_for_an_expired_one(client, world):
    order_id = accepted_order(world, world["buyer"], make_publication(world["session"], pages=1000))
    world["clock"].shift = -timedelta(days=8)  # issued 8 days ago; codes live 7 days
    old_code = issue_invoice(client, order_id)
    world["clock"].shift = timedelta(0)

    as_user(client, BUYER)
    page = page_of(client, order_id)
    assert "kedaluwarsa sejak" in page and 'id="new-code"' in page
    response = post(client, f"/pesanan/{order_id}/kode-billing-baru")
    assert response.status_code == 302
    page = page_of(client, order_id)
    new_code = re.search(r'id="billing-code">[^<]*<strong><code>(\d{15})</code>', page).group(1)
    assert new_code != old_code
    assert flash_of(page).startswith(f"Kode billing baru {new_code} berlaku sampai ")
    assert "kedaluwarsa sejak" not in page and 'id="new-code"' not in page
    assert "berlaku sampai" in re.search(r'id="billing-code">(.*?)</p>', page, re.S).group(1)
    assert f"<code>{old_code}</code> (replaced)" in page  # the old code kept in the history
    assert 'id="invoice-total">Rp335.000<' in page


def test_officer_uploads_the_sample_and_the_buyer_downloads_it_with_the_invoice(client, world):
    order_id = accepted_order(world, world["buyer"], make_microdata(world["session"], title="Sakernas Agustus 2025"))
    sample = pdf_bytes("Sampel 10 baris Sakernas")
    as_user(client, OFFICER)
    response = post(client, f"/pesanan/{order_id}/sampel", file=(BytesIO(sample), "sampel.pdf"))
    assert response.status_code == 302
    page = page_of(client, order_id)
    assert flash_of(page) == "Sampel data diunggah."
    timeline = page[page.index('id="timeline"'):]
    assert "mengunggah sampel data" in timeline and "sampel.pdf" in timeline
    issue_invoice(client, order_id)

    as_user(client, BUYER)
    page = page_of(client, order_id)
    link = re.search(r'href="(/berkas/\d+)" id="sample-file"', page).group(1)
    download = client.get(link)
    try:
        assert download.status_code == 200 and download.data == sample
    finally:
        download.close()


def test_officer_cancels_an_invoiced_order_and_the_code_is_no_longer_offered(client, world):
    order_id = accepted_order(world, world["buyer"], make_publication(world["session"], pages=1000))
    code = issue_invoice(client, order_id)
    page = page_of(client, order_id)
    assert "/batal-dengan-invoice" in page  # the cancel form of an invoiced order

    response = post(client, f"/pesanan/{order_id}/batal-dengan-invoice", reason="Pembeli mengundurkan diri.",
                    version=re.search(r'name="version" value="(\d+)"', page).group(1))
    assert response.status_code == 302
    page = page_of(client, order_id)
    assert flash_of(page) == "Pesanan dibatalkan; invoice dan kode billingnya tidak berlaku lagi."
    assert status_of(page) == "Dibatalkan" and "Pembeli mengundurkan diri." in page

    as_user(client, BUYER)
    page = page_of(client, order_id)
    assert status_of(page) == "Dibatalkan"
    # The cancelled code must not be shown to the buyer as one to pay.
    assert not re.search(rf"{code}</code></strong>\s*· berlaku sampai", page), \
        "the cancelled billing code is still shown as valid"
    assert "Bayar di bank/pos persepsi" not in page, "the buyer is still told to pay the cancelled code"


# -- plain cancel and removing a line --------------------------------------------------------------

def test_buyer_cancels_a_submitted_order_without_a_reason(client, world):
    order = make_order(world["session"], world["buyer"], make_publication(world["session"]))
    world["session"].commit()
    as_user(client, BUYER)
    assert post(client, f"/pesanan/{order.id}/batal", reason="").status_code == 302
    page = page_of(client, order.id)
    assert flash_of(page) == "Pesanan dibatalkan." and status_of(page) == "Dibatalkan"
    assert 'id="cancel-form"' not in page  # nothing left to cancel


def test_buyer_removes_a_line_from_a_draft_and_the_total_follows(client, world):
    session = world["session"]
    order = make_order(session, world["buyer"], make_publication(session, title="Klaten Dalam Angka 2025", pages=1000),
                       make_publication(session, title="Statistik Daerah Klaten 2025", pages=60), submitted_on=None)
    session.commit()
    drop = order.lines[1]
    as_user(client, BUYER)
    assert total_of(page_of(client, order.id)) != "Rp335.000"  # both lines
    assert post(client, f"/pesanan/{order.id}/baris/{drop.id}/hapus").status_code == 302
    page = page_of(client, order.id)
    assert flash_of(page) == "Produk dihapus dari pesanan."
    assert "Statistik Daerah Klaten 2025" not in page[:page.index('id="timeline"')]
    assert "Klaten Dalam Angka 2025" in page and total_of(page) == "Rp335.000"


# -- office leave days and the SLA deadline ---------------------------------------------------------

def deadline_texts(client, order_id) -> tuple[str, int, str]:
    """The deadline the officer reads on the order page (with the working days late)
    and in the queue row."""
    page = page_of(client, order_id)
    shown = re.search(r"Lewat tenggat (\d+ \w+ \d{4}): terlambat (\d+) hari kerja", page)
    queue = client.get("/petugas/pesanan").get_data(as_text=True)
    row = re.search(rf'href="/pesanan/{order_id}".*?</tr>', queue, re.S).group(0)
    in_queue = re.findall(r"<td>(\d+ \w+ \d{4})</td>", row)
    assert len(in_queue) == 1, row
    return shown.group(1), int(shown.group(2)), in_queue[0]


def test_an_office_leave_day_moves_the_deadline_the_officer_sees(client, world):
    # Requirements complete on Friday 6 November 2026; 10 working days end Friday 20 November.
    order = make_order(world["session"], world["buyer"], make_publication(world["session"]),
                       submitted_on=date(2026, 11, 6))
    world["session"].commit()
    as_user(client, OFFICER)
    deadline, late, in_queue = deadline_texts(client, order.id)
    assert (deadline, in_queue) == ("20 November 2026", "20 November 2026")

    as_user(client, ADMIN)
    response = post(client, "/admin/cuti", day="2026-11-11", note="Rapat kerja kantor")
    assert response.status_code == 302
    leave_page = client.get("/admin/cuti").get_data(as_text=True)
    assert flash_of(leave_page) == "Hari cuti kantor dicatat."
    assert "11 November 2026" in leave_page and "Rapat kerja kantor" in leave_page

    as_user(client, OFFICER)
    moved, late_after, in_queue = deadline_texts(client, order.id)
    # The Wednesday off pushes the tenth working day past the weekend.
    assert (moved, in_queue) == ("23 November 2026", "23 November 2026") and late_after == late - 1

    as_user(client, ADMIN)
    leave_id = re.search(r'/admin/cuti/(\d+)/hapus', leave_page).group(1)
    assert post(client, f"/admin/cuti/{leave_id}/hapus").status_code == 302
    assert "Belum ada hari cuti kantor." in client.get("/admin/cuti").get_data(as_text=True)
    as_user(client, OFFICER)
    assert deadline_texts(client, order.id) == (deadline, late, "20 November 2026")
