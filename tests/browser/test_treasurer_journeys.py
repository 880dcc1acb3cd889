"""Issue 10's acceptance journeys at the treasurer's desk, in Chromium:

(a) a domestic buyer's billing code is paid through the payment simulator (a real signed
    notification to this server's webhook), the treasurer issues the receipt from the order
    page, and the buyer downloads it;
(b) a buyer abroad uploads a proof of transfer, the treasurer imports a CAMT.053 statement
    holding the credit, confirms the proposed match and issues the receipt from the batch list;
(c) a walk-in visitor pays cash at the counter, the treasurer records it and issues the
    receipt, then records the deposit into the state treasury.

The orders reach "Invoice terbit" through the pages as the invoice journey does; every
payment, receipt and deposit step is taken in the browser as its user would take it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from test_invoice_journey import billing_code, download, invoice_number, pdf_text
from test_order_journey import expect_status, login, logout, make_pdf

from sales_service.documents.layout import amount_in_words

pytestmark = pytest.mark.browser

BUYER_EMAIL, BUYER_NAME = "pembeli@demo.test", "Pembeli Demo"
ABROAD_EMAIL, ABROAD_NAME = "abroad@demo.test", "Demo Researcher"
OFFICER_EMAIL = "petugas@demo.test"
TREASURER_EMAIL = "bendahara@demo.test"
RECEIPT_ISSUED = re.compile(r"Kuitansi (KW/\S+) diterbitkan\.")
REFERENCE = re.compile(r"PST-\d{4}-\d{6}")
TRANSFER_REFERENCE = "FT26LEIDEN0001"


def rupiah(text: str) -> int:
    """"Rp95.000" -> 95000."""
    digits = re.sub(r"\D", "", text)
    assert digits, f"no amount in {text!r}"
    return int(digits)


def rupiah_text(amount: int) -> str:
    return "Rp" + f"{amount:,}".replace(",", ".")


def squeezed(text: str) -> str:
    return " ".join(text.split())


def order_reference(page: Page) -> str:
    return REFERENCE.search(page.get_by_role("heading", level=1).inner_text()).group(0)


def buyer_orders_publication(page: Page, email: str, title: str) -> str:
    """The buyer signed in as ``email`` orders a publication, documents and submits it; returns
    the order's reference and signs out."""
    login(page, email)
    page.goto("/katalog?jenis=publication")
    page.locator("#results").get_by_role("link", name=title, exact=True).click()
    page.locator("#order-button").click()
    expect(page).to_have_url(re.compile(r"/pesanan/\d+$"))
    expect_status(page, "Draf")
    reference = order_reference(page)
    details = page.locator("#details")
    details.locator("[name=purpose]").fill("Bahan penelitian perbandingan antarwilayah")
    details.get_by_label("Nonkomersial").check()
    details.get_by_role("button", name="Simpan rincian").click()
    expect(page.get_by_role("status")).to_contain_text("Rincian pesanan disimpan")
    page.locator("#submit-order").click()
    expect_status(page, "Diajukan, menunggu pemeriksaan")
    logout(page)
    return reference


def open_from_queue(page: Page, reference: str) -> None:
    """Staff (officer or treasurer) open an order from the queue in the menu."""
    page.get_by_role("link", name="Antrean", exact=True).click()
    page.locator("#queue").get_by_role("link", name=reference, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(reference)


def open_desk(page: Page) -> None:
    """The treasurer's desk, from the staff room in the menu."""
    page.get_by_role("link", name="Ruang staf").click()
    page.locator("#treasurer-desk-link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Meja bendahara")


def officer_invoices(page: Page, reference: str) -> None:
    """The officer accepts the submitted order and issues its invoice; stays signed in."""
    login(page, OFFICER_EMAIL)
    open_from_queue(page, reference)
    page.locator("#accept-order").click()
    expect_status(page, "Dokumen diterima")
    page.locator("#issue-invoice").click()
    expect_status(page, "Invoice terbit")


def open_own_order(page: Page, email: str, reference: str) -> None:
    login(page, email)
    page.get_by_role("link", name="Pesanan saya").click()
    page.get_by_role("link", name=reference, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(reference)


def assert_receipt_prints(data: bytes, *, number: str, payer: str, amount: str, also: tuple[str, ...] = ()) -> None:
    """The downloaded receipt is a PDF holding its number, who paid, the amount in figures and
    in words, and ``also`` (invoice number, billing code, NTPN, transfer reference...)."""
    text = squeezed(pdf_text(data))
    words = f"Terbilang {amount_in_words(rupiah(amount))}"
    for expected in (number, payer, amount, words, *also):
        assert expected in text, f"{expected!r} not in the receipt PDF:\n{text}"


def receipt_row(page: Page):
    """The valid receipt's row on the order page, once there is exactly one."""
    rows = page.locator("#receipt-list tbody tr.receipt-valid")
    expect(rows).to_have_count(1)
    return rows.first


# -- (a) a billing code paid through the simulator ------------------------------------------------------

def test_a_code_paid_through_the_simulator_is_receipted_and_the_buyer_downloads_the_receipt(page: Page):
    reference = buyer_orders_publication(page, BUYER_EMAIL, "Statistik Harga Produsen Pertanian 2024")
    officer_invoices(page, reference)
    number = invoice_number(page)
    code = billing_code(page)
    total = page.locator("#invoice-total").inner_text()

    # The simulated bank pays the code in full: a signed notification reaches the webhook.
    page.locator("#simulate-full").click()
    expect(page.get_by_role("status")).to_contain_text(f"kode billing {code} dibayar {total}")
    expect(page.get_by_role("status")).to_contain_text("dijawab HTTP 200")
    expect_status(page, "Dibayar")
    expect(page.locator("#timeline")).to_contain_text("mencatat pembayaran lunas")
    ntpn = re.search(r"NTPN (\w{16})", page.get_by_role("status").inner_text()).group(1)
    logout(page)

    # The treasurer finds the paid invoice in the desk's list of invoices awaiting a receipt.
    login(page, TREASURER_EMAIL)
    open_desk(page)
    page.locator("#count-to-receipt").click()
    row = page.locator("#awaiting-receipt tbody tr").filter(has_text=number)
    expect(row).to_contain_text(BUYER_NAME)
    expect(row).to_contain_text("kode billing")
    row.get_by_role("link", name=reference, exact=True).click()
    expect_status(page, "Dibayar")
    page.locator("#issue-receipt").click()
    expect(page.get_by_role("status")).to_contain_text(RECEIPT_ISSUED)
    expect_status(page, "Kuitansi terbit")
    receipt = receipt_row(page)
    expect(receipt).to_contain_text(total)
    receipt_number = RECEIPT_ISSUED.search(page.get_by_role("status").inner_text()).group(1)
    expect(receipt.locator("td").first).to_have_text(receipt_number)
    expect(page.locator("#issue-receipt")).to_have_count(0)  # one receipt per paid invoice
    open_desk(page)
    page.locator("#count-to-receipt").click()
    expect(page.locator("#awaiting-receipt")).not_to_contain_text(number)
    logout(page)

    # The buyer sees the receipt on the order page and downloads it.
    open_own_order(page, BUYER_EMAIL, reference)
    expect_status(page, "Kuitansi terbit")
    receipt = receipt_row(page)
    expect(receipt).to_contain_text(receipt_number)
    filename, data = download(page, receipt.locator(".receipt-pdf"))
    assert filename.endswith(".pdf"), filename
    assert_receipt_prints(data, number=receipt_number, payer=BUYER_NAME, amount=total, also=(number, code, ntpn))
    logout(page)


# -- (b) a transfer from abroad, matched on the bank statement ---------------------------------------------

CAMT053 = """<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>STMT-{key}</MsgId><CreDtTm>{day}T18:00:00+07:00</CreDtTm></GrpHdr>
    <Stmt>
      <Id>STMT-{key}</Id>
      <CreDtTm>{day}T18:00:00+07:00</CreDtTm>
      <Acct><Id><Othr><Id>1230001234567</Id></Othr></Id><Ccy>IDR</Ccy></Acct>
      <Ntry>
        <Amt Ccy="IDR">{rupiah}.00</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd>
        <Sts><Cd>BOOK</Cd></Sts>
        <BookgDt><Dt>{day}</Dt></BookgDt>
        <ValDt><Dt>{day}</Dt></ValDt>
        <AcctSvcrRef>{bank_reference}</AcctSvcrRef>
        <NtryDtls>
          <TxDtls>
            <Refs><EndToEndId>{transfer_reference}</EndToEndId></Refs>
            <AmtDtls><InstdAmt><Amt Ccy="USD">{usd}</Amt></InstdAmt></AmtDtls>
            <RltdPties><Dbtr><Pty><Nm>{sender}</Nm></Pty></Dbtr></RltdPties>
            <RmtInf><Ustrd>INVOICE {invoice}</Ustrd></RmtInf>
          </TxDtls>
        </NtryDtls>
      </Ntry>
      <Ntry>
        <Amt Ccy="IDR">7500.00</Amt>
        <CdtDbtInd>DBIT</CdtDbtInd>
        <Sts><Cd>BOOK</Cd></Sts>
        <BookgDt><Dt>{day}</Dt></BookgDt>
        <AcctSvcrRef>FEE-{key}</AcctSvcrRef>
        <AddtlNtryInf>BIAYA TRANSFER MASUK</AddtlNtryInf>
      </Ntry>
    </Stmt>
  </BkToCstmrStmt>
</Document>
"""


def test_a_proof_from_abroad_is_matched_on_the_camt053_statement_and_receipted(page: Page, tmp_path: Path):
    reference = buyer_orders_publication(page, ABROAD_EMAIL, "Kabupaten Contoh Dalam Angka 2025")
    officer_invoices(page, reference)
    number = invoice_number(page)
    total = page.locator("#invoice-total").inner_text()
    logout(page)

    # The buyer transfers from abroad and uploads the proof with what was sent.
    open_own_order(page, ABROAD_EMAIL, reference)
    expect(page.locator("#amount-remaining")).to_have_text(total)
    proof = page.locator("#proof-form")
    today = proof.locator("input[name=transferred_on]").get_attribute("max")  # the office's today
    wire = tmp_path / "wire-transfer.pdf"
    make_pdf(wire, f"SWIFT MT103 {TRANSFER_REFERENCE} USD 3.25 to RPL 054 BPS")
    proof.locator("input[name=file]").set_input_files(wire)
    proof.locator("input[name=amount]").fill("3.25")
    proof.locator("input[name=currency]").fill("USD")
    proof.locator("input[name=transferred_on]").fill(today)
    proof.locator("input[name=reference]").fill(TRANSFER_REFERENCE)
    proof.locator("input[name=sender_name]").fill(ABROAD_NAME)
    proof.locator("input[name=sender_bank]").fill("ING Bank Leiden")
    page.locator("#upload-proof").click()
    expect(page.get_by_role("status")).to_contain_text("Bukti transfer diunggah")
    expect(page.locator("#proof-waiting")).to_be_visible()
    expect(page.locator("#proof-form")).to_have_count(0)  # one proof waits at a time
    expect(page.locator("#proofs tbody tr")).to_have_count(1)
    expect(page.locator("#proofs tbody tr")).to_contain_text("menunggu verifikasi")
    logout(page)

    # The treasurer sees the proof waiting, then imports the bank statement holding the credit.
    login(page, TREASURER_EMAIL)
    open_desk(page)
    page.locator("#count-proofs").click()
    expect(page.locator("#proofs-to-verify tbody tr").filter(has_text=reference)).to_contain_text(TRANSFER_REFERENCE)
    open_desk(page)
    page.get_by_role("link", name="Mutasi rekening bendahara").click()
    bank_reference = f"CAMT{today.replace('-', '')}{reference[-6:]}"
    statement = tmp_path / "camt053.xml"
    statement.write_text(CAMT053.format(key=reference, day=today, rupiah=rupiah(total), usd="3.25",
                                        bank_reference=bank_reference, transfer_reference=TRANSFER_REFERENCE,
                                        sender=ABROAD_NAME.upper(), invoice=number), encoding="utf-8")
    upload = page.locator("#statement-upload")
    upload.locator("input[name=berkas]").set_input_files(statement)
    upload.get_by_role("button", name="Impor mutasi").click()
    expect(page.get_by_role("status")).to_contain_text("2 baris baru, 0 sudah pernah diimpor; 1 diusulkan, 0 seri.")

    # The credit is proposed for this invoice, for the reasons the treasurer reads; they confirm it.
    line = page.locator(".statement-line").filter(has_text=bank_reference)
    expect(line.locator(".state")).to_have_text("Diusulkan")
    best = line.locator(".proposals tr.best")
    expect(best).to_have_count(1)
    expect(best).to_contain_text(number)
    expect(best).to_contain_text("Usulan")
    for reason in ("nomor invoice di berita", "referensi bukti transfer", "jumlah sama dengan sisa tagihan"):
        expect(best).to_contain_text(reason)
    best.get_by_role("button", name="Konfirmasi").click()
    expect(line.get_by_role("status")).to_have_text("Pencocokan dikonfirmasi dan pembayaran dicatat.")
    expect(line.locator(".state")).to_have_text("Dicocokkan")
    expect(line.locator(".matched")).to_contain_text(number)
    expect(line.locator(".matched")).to_contain_text(total)

    # The same file again adds nothing.
    upload.locator("input[name=berkas]").set_input_files(statement)
    upload.get_by_role("button", name="Impor mutasi").click()
    expect(page.get_by_role("status")).to_contain_text("0 baris baru, 2 sudah pernah diimpor")
    expect(page.locator(".statement-line").filter(has_text=bank_reference)).to_have_count(1)

    # The proof no longer waits; the paid invoice awaits its receipt, issued from the batch list.
    open_desk(page)
    page.locator("#count-proofs").click()
    expect(page.locator("#proofs-to-verify")).not_to_contain_text(reference)
    open_desk(page)
    page.locator("#count-to-receipt").click()
    row = page.locator("#awaiting-receipt tbody tr").filter(has_text=number)
    expect(row).to_contain_text(ABROAD_NAME)
    row.get_by_role("checkbox", name=f"Terbitkan kuitansi invoice {number}").check()
    page.locator("#issue-receipts").click()
    issued = page.get_by_role("status").filter(has_text="kuitansi diterbitkan")
    expect(issued).to_contain_text(re.compile(r"^1 kuitansi diterbitkan: KW/\S+\.$"))
    receipt_number = issued.inner_text().rsplit(": ", 1)[1].rstrip(".")
    expect(page.locator("#awaiting-receipt")).not_to_contain_text(number)
    logout(page)

    # The buyer sees the order receipted, the proof verified, and downloads the receipt.
    open_own_order(page, ABROAD_EMAIL, reference)
    expect_status(page, "Kuitansi terbit")
    expect(page.locator("#amount-paid")).to_have_text(total)
    expect(page.locator("#amount-remaining")).to_have_text("Rp0")
    expect(page.locator("#proofs tbody tr")).to_contain_text("diverifikasi")
    receipt = receipt_row(page)
    expect(receipt.locator("td").first).to_have_text(receipt_number)
    _, data = download(page, receipt.locator(".receipt-pdf"))
    assert_receipt_prints(data, number=receipt_number, payer=ABROAD_NAME, amount=total,
                          also=(number, f"Referensi {TRANSFER_REFERENCE}"))
    logout(page)


# -- (c) cash at the counter, receipted and deposited ------------------------------------------------------

VISITOR = "Tamu Bayar Tunai"


def test_a_walk_in_buyer_pays_cash_gets_a_receipt_and_the_treasurer_deposits_it(page: Page):
    # The officer enters the visitor at the counter with the publication they ask for.
    login(page, OFFICER_EMAIL)
    page.get_by_role("link", name="Layani tamu loket").click()
    form = page.locator("#new-visitor form")
    form.locator("[name=name]").fill(VISITOR)
    form.locator("[name=identity_number]").fill("3310010101018888")
    form.locator("[name=email]").fill("tamu.tunai@example.test")
    form.locator("[name=purpose]").fill("Bahan laporan ketenagakerjaan desa")
    form.get_by_label("Komersial", exact=True).check()
    product = form.locator(".walk-in-product").filter(has_text="Keadaan Angkatan Kerja di Indonesia Agustus 2024")
    product.locator("input[name=product_id]").check()
    form.get_by_role("button", name="Catat tamu dan buat pesanan").click()
    expect(page.get_by_role("status")).to_contain_text("Tamu dicatat dengan nomor antrean")
    page.locator("#guest-book-today tr").filter(has_text=VISITOR).get_by_role("link", name=REFERENCE).click()
    reference = order_reference(page)
    page.locator("#submit-order").click()
    expect_status(page, "Diajukan, menunggu pemeriksaan")
    page.locator("#accept-order").click()
    expect_status(page, "Dokumen diterima")
    page.locator("#issue-invoice").click()
    expect_status(page, "Invoice terbit")
    number = invoice_number(page)
    total = page.locator("#invoice-total").inner_text()
    expect(page.locator("#cash-form")).to_have_count(0)  # the treasurer takes the money, not the officer
    logout(page)

    # The visitor pays at the treasurer's counter: the treasurer records the cash on the order page.
    login(page, TREASURER_EMAIL)
    open_desk(page)
    page.locator("#count-to-deposit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Uang dipegang bendahara")
    held_before = page.locator("#held tbody tr").filter(has=page.locator("input[name=payment]")).count()
    holding_before = rupiah(page.locator("#holding strong").inner_text())
    open_from_queue(page, reference)
    expect(page.locator("#amount-remaining")).to_have_text(total)
    cash = page.locator("#cash-form")
    expect(cash.locator("input[name=cash_amount]")).to_have_value(str(rupiah(total)))  # the remainder
    cash.locator("input[name=cash_amount]").fill(total.removeprefix("Rp"))  # as the treasurer types it: 80.000
    page.locator("#record-cash").click()
    expect(page.get_by_role("status")).to_contain_text(f"Pembayaran tunai {total} dicatat.")
    expect_status(page, "Dibayar")
    expect(page.locator("#amount-paid")).to_have_text(total)
    expect(page.locator("#amount-remaining")).to_have_text("Rp0")
    expect(page.locator("#cash-form")).to_have_count(0)
    expect(page.locator("#timeline")).to_contain_text("mencatat pembayaran tunai")

    # The receipt, handed to the visitor on paper.
    page.locator("#issue-receipt").click()
    expect_status(page, "Kuitansi terbit")
    expect(page.get_by_role("status")).to_contain_text(RECEIPT_ISSUED)
    receipt_number = RECEIPT_ISSUED.search(page.get_by_role("status").inner_text()).group(1)
    receipt = receipt_row(page)
    expect(receipt.locator("td").first).to_have_text(receipt_number)
    _, data = download(page, receipt.locator(".receipt-pdf"))
    assert_receipt_prints(data, number=receipt_number, payer=VISITOR, amount=total, also=(number, "Tunai"))

    # The cash is held until deposited: the oldest first, with its age in days.
    open_desk(page)
    page.locator("#count-to-deposit").click()
    held = page.locator("#held tbody tr").filter(has=page.locator("input[name=payment]"))
    expect(held).to_have_count(held_before + 1)
    expect(page.locator("#holding strong")).to_have_text(rupiah_text(holding_before + rupiah(total)))
    row = held.filter(has_text=reference)
    expect(row).to_contain_text(total)
    expect(row).to_contain_text("tunai")
    expect(row.locator(".age")).to_have_text("0")

    # The treasurer deposits it into the state treasury with their own billing code, which yields an NTPN.
    today = page.locator("#deposit-form input[name=deposited_on]").input_value()
    digits = reference[-6:]
    deposit_code = f"8{today[2:4]}{today[5:7]}{today[8:10]}{digits}00"  # 15 digits
    deposit_ntpn = f"SETOR{digits}00000"  # 16 letters and digits
    row.get_by_role("checkbox").check()
    deposit = page.locator("#deposit-form")
    deposit.locator("input[name=billing_code]").fill(deposit_code)
    deposit.locator("input[name=ntpn]").fill(deposit_ntpn)
    deposit.locator("input[name=amount]").fill(total.removeprefix("Rp"))
    page.locator("#record-deposit").click()
    expect(page.get_by_role("status")).to_contain_text(f"Setoran {total} dengan NTPN {deposit_ntpn} dicatat.")
    made = page.locator("#deposits tbody tr").filter(has_text=deposit_ntpn)
    expect(made).to_contain_text(deposit_code)
    expect(made).to_contain_text(total)
    expect(made).to_contain_text("tunai")

    # What is held and not deposited shrinks back by this payment.
    page.get_by_role("link", name="Uang dipegang bendahara").click()
    held = page.locator("#held tbody tr").filter(has=page.locator("input[name=payment]"))
    expect(held).to_have_count(held_before)
    expect(page.locator("#held")).not_to_contain_text(reference)
    expect(page.locator("#holding strong")).to_have_text(rupiah_text(holding_before))
    logout(page)
