"""Issue 8, points 2 and 3: the Rp0 choice made on the product page survives into the order, a
new order's use is chosen by the buyer (never preset to commercial), and a student or any person
can claim Rp0 through an eligible institution's letter, the order recording the institution and
which of the four purposes; an education institution qualifies only when domestic."""

import re

import pytest

from sales_service.accounts.models import Domicile
from sales_service.files.storage import FileStorage
from sales_service.pnbp.segments import BuyerSegment
from sales_service.roles import Role
from tests.buyer_steps import element_text, page, send, sign_in_as, submit_form, text_of
from tests.factories import make_buyer, make_publication, make_staff, pdf_bytes

PEMDA, STUDENT, OFFICER = "pemda@example.test", "mahasiswa@example.test", "petugas@example.test"


@pytest.fixture
def world(app, db_session):
    make_buyer(db_session, email=PEMDA, full_name="Dinas Kominfo", segment=BuyerSegment.REGIONAL_GOVERNMENT,
               institution="Pemerintah Kabupaten Klaten")
    make_buyer(db_session, email=STUDENT, full_name="Sari Mahasiswi", segment=BuyerSegment.STUDENT)
    make_staff(db_session, Role.OFFICER, email=OFFICER, full_name="Petugas Satu")
    publication = make_publication(db_session, pages=1000)  # Rp335.000
    db_session.commit()
    return dict(publication=publication.id, storage=FileStorage(app.config["UPLOAD_DIR"]))


def order_id_of(response) -> int:
    return int(re.search(r"/pesanan/(\d+)$", response.request.path).group(1))


def test_ticking_rp0_on_the_product_page_and_ordering_gives_an_rp0_claim_at_rp0(client, world):
    sign_in_as(client, PEMDA)
    product = page(client, f"/katalog/{world['publication']}")
    response = submit_form(client, product, "quote-form", tick={"nonkomersial": "1"}, button=("step", "order"))
    order = text_of(response)
    assert "Produk ditambahkan ke pesanan" in order
    assert element_text(order, "order-total") == "Rp0"
    assert '<span class="price-old">Rp335.000</span>' in order  # the normal price beside it
    assert "Tarif Rp0 dimohon; menunggu keputusan petugas." in order
    assert re.search(r'name="commercial" value="0" checked', order)  # non-commercial, as ticked
    assert "Bila ditolak, berlaku harga normal Rp335.000." in order


def test_a_new_orders_use_is_chosen_by_the_buyer_never_preset(client, world):
    sign_in_as(client, PEMDA)
    product = page(client, f"/katalog/{world['publication']}")
    response = submit_form(client, product, "quote-form", button=("step", "order"))  # Rp0 not ticked
    order_id = order_id_of(response)
    order = text_of(response)
    assert element_text(order, "order-total") == "Rp335.000"
    assert not re.search(r'name="commercial" value="[01]" checked', order)  # neither use chosen for them
    submit_form(client, order, "details-form", tick={"purpose": "Bahan rapat koordinasi"})
    refused = send(client, f"/pesanan/{order_id}/ajukan", follow=True)
    assert "Pilih dulu penggunaan data: komersial atau nonkomersial." in text_of(refused)

    order = page(client, f"/pesanan/{order_id}")
    submit_form(client, order, "details-form", tick={"commercial": "1"})
    submitted = send(client, f"/pesanan/{order_id}/ajukan", follow=True)
    assert "Pesanan diajukan." in text_of(submitted)


def test_a_student_claims_rp0_through_a_universitys_letter_and_the_officer_sees_who_and_why(client, world):
    sign_in_as(client, STUDENT)
    product = page(client, f"/katalog/{world['publication']}")
    assert "atas surat permohonan lembaga yang berhak" in product  # not a dead end
    priced = submit_form(client, product, "quote-form", tick={"nonkomersial": "1"}, button=("step", "price"))
    assert element_text(text_of(priced), "price") == "Rp0"  # no JavaScript: priced for the ticked choice
    response = submit_form(client, text_of(priced), "quote-form", button=("step", "order"))
    order_id = order_id_of(response)
    order = text_of(response)
    assert element_text(order, "order-total") == "Rp0" and "Tarif Rp0 dimohon" in order

    submit_form(client, order, "details-form", tick={"purpose": "Skripsi tentang kemiskinan"})
    refused = send(client, f"/pesanan/{order_id}/ajukan", follow=True)
    assert "Lengkapi permohonan tarif Rp0: lembaga pemohon, jenis lembaga dan tujuannya." in text_of(refused)

    order = page(client, f"/pesanan/{order_id}")
    submit_form(client, order, "details-form", tick={
        "institution": "Universitas Gadjah Mada", "institution_segment": "education_institution",
        "zero_rate_purpose": "research"})
    send(client, f"/pesanan/{order_id}/surat", file=(pdf_bytes("Surat dekan"), "surat-dekan.pdf"))
    submitted = send(client, f"/pesanan/{order_id}/ajukan", follow=True)
    assert "Pesanan diajukan." in text_of(submitted)

    sign_in_as(client, OFFICER)
    review = page(client, f"/pesanan/{order_id}")
    assert element_text(review, "zero-rate-claim-summary") == (
        "Pemohon tarif Rp0: Universitas Gadjah Mada (Lembaga pendidikan dalam negeri) · "
        "tujuan: Penelitian dan ilmu pengetahuan")
    approved = send(client, f"/pesanan/{order_id}/rp0", decision="approve", version=re.search(
        r'name="version" value="(\d+)"', review).group(1), follow=True)
    assert "Tarif Rp0 disetujui." in text_of(approved) and element_text(text_of(approved), "order-total") == "Rp0"


def test_a_person_cannot_name_a_company_as_the_institution_behind_a_claim(client, world):
    sign_in_as(client, STUDENT)
    response = submit_form(client, page(client, f"/katalog/{world['publication']}"), "quote-form",
                           tick={"nonkomersial": "1"}, button=("step", "order"))
    refused = submit_form(client, text_of(response), "details-form", tick={
        "purpose": "Magang", "institution": "PT Maju", "institution_segment": "private_company",
        "zero_rate_purpose": "research"})
    assert "Lembaga itu tidak berhak atas tarif Rp0" in text_of(refused)


@pytest.mark.parametrize("domicile, offered", [(Domicile.INDONESIA, True), (Domicile.ABROAD, False)])
def test_an_education_institution_qualifies_only_when_domestic(client, db_session, world, domicile, offered):
    make_buyer(db_session, email="kampus@example.test", segment=BuyerSegment.EDUCATION_INSTITUTION,
               institution="Universitas Contoh", domicile=domicile)
    db_session.commit()
    sign_in_as(client, "kampus@example.test")
    product = page(client, f"/katalog/{world['publication']}")
    assert ('name="nonkomersial"' in product) is offered
    claimed = page(client, f"/katalog/{world['publication']}?nonkomersial=1")
    assert element_text(claimed, "price") == ("Rp0" if offered else "Rp335.000")
    response = submit_form(client, product, "quote-form", button=("step", "order"))
    order = text_of(response)
    assert ('name="claim_zero_rate"' in order) is offered
    refused = send(client, f"/pesanan/{order_id_of(response)}/rincian", purpose="Riset", commercial="0",
                   claim_zero_rate="on", zero_rate_purpose="research", follow=True)
    assert ("Tarif Rp0 hanya untuk instansi pemerintah" in text_of(refused)) is not offered
