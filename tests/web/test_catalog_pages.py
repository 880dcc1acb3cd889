import re

from sales_service.pnbp.segments import BuyerSegment
from sales_service.roles import Role
from tests.conftest import csrf_token, login
from tests.factories import make_buyer, make_microdata, make_publication, make_staff


def _price(html: str) -> str:
    match = re.search(r'id="price">([^<]+)<', html)
    assert match, "no price shown"
    return match.group(1)


def test_catalogue_lists_and_filters_products(client, db_session):
    make_publication(db_session, title="Kabupaten Contoh Dalam Angka 2025")
    make_microdata(db_session, title="Sakernas Agustus 2024", survey="Sakernas")
    db_session.commit()
    page = client.get("/katalog").get_data(as_text=True)
    assert "Kabupaten Contoh Dalam Angka 2025" in page and "Sakernas Agustus 2024" in page
    filtered = client.get("/katalog?q=sakernas").get_data(as_text=True)
    assert "Sakernas Agustus 2024" in filtered and "Dalam Angka" not in filtered
    by_kind = client.get("/katalog?jenis=publication").get_data(as_text=True)
    assert "Dalam Angka" in by_kind and "Sakernas" not in by_kind
    nothing = client.get("/katalog?q=tidakada").get_data(as_text=True)
    assert "Tidak ada produk yang cocok" in nothing


def test_htmx_search_gets_only_the_results_fragment_with_vary(client, db_session):
    make_publication(db_session, title="Statistik Indonesia 2025")
    db_session.commit()
    full = client.get("/katalog?q=statistik")
    fragment = client.get("/katalog?q=statistik", headers={"HX-Request": "true"})
    assert "<html" in full.get_data(as_text=True)
    body = fragment.get_data(as_text=True)
    assert "<html" not in body and body.lstrip().startswith('<section id="results"')
    assert "Statistik Indonesia 2025" in body
    assert "HX-Request" in fragment.headers["Vary"] and "HX-Request" in full.headers["Vary"]


def test_publication_page_shows_its_regulated_price(client, db_session):
    publication = make_publication(db_session, pages=101)
    db_session.commit()
    page = client.get(f"/katalog/{publication.id}").get_data(as_text=True)
    assert _price(page) == "Rp80.000"  # 50.000 + 2 started blocks of 15.000
    assert "PP 13/2024" in page


def test_ticking_variables_reprices_the_microdata_quote(client, db_session):
    dataset = make_microdata(db_session, record_count=500_000)  # 16 bytes per record: 8 MB
    db_session.commit()
    full = client.get(f"/katalog/{dataset.id}").get_data(as_text=True)
    assert _price(full) == "Rp160.000"  # 20.000 + 7.000.000 bytes x Rp0,02
    kapita = next(v.id for v in dataset.variables if v.name == "KAPITA")
    fragment = client.get(f"/katalog/{dataset.id}?var={kapita}", headers={"HX-Request": "true"})
    body = fragment.get_data(as_text=True)
    assert body.lstrip().startswith('<article class="quote"')
    assert _price(body) == "Rp120.000"  # 6.000.000 bytes estimated: 20.000 + 5.000.000 x Rp0,02
    assert "Perkiraan ukuran 6.000.000 byte untuk 1 variabel terpilih" in body
    assert "HX-Request" in fragment.headers["Vary"]


def test_unknown_variable_gets_a_clear_message(client, db_session):
    dataset = make_microdata(db_session)
    db_session.commit()
    response = client.get(f"/katalog/{dataset.id}?var=999999")
    assert response.status_code == 422
    assert "Variabel yang dipilih tidak ada dalam set data ini." in response.get_data(as_text=True)


def test_government_buyer_can_see_the_rp0_price(client, db_session):
    make_buyer(db_session, email="pemda@example.test", segment=BuyerSegment.REGIONAL_GOVERNMENT)
    publication = make_publication(db_session, pages=40)
    db_session.commit()
    login(client, "pemda@example.test")
    page = client.get(f"/katalog/{publication.id}").get_data(as_text=True)
    assert "nonkomersial" in page and _price(page) == "Rp50.000"
    free = client.get(f"/katalog/{publication.id}?nonkomersial=1").get_data(as_text=True)
    assert _price(free) == "Rp0"
    assert "Perban BPS 2/2019" in free and 'class="price-old">Rp50.000' in free


def test_a_company_is_not_offered_rp0(client, db_session):
    # Persons may claim through an institution's letter (tests/web/test_zero_rate_claims.py); companies pay.
    make_buyer(db_session, email="orang@example.test", segment=BuyerSegment.PRIVATE_COMPANY)
    publication = make_publication(db_session, pages=40)
    db_session.commit()
    login(client, "orang@example.test")
    page = client.get(f"/katalog/{publication.id}?nonkomersial=1").get_data(as_text=True)
    assert _price(page) == "Rp50.000"
    assert 'name="nonkomersial"' not in page


def test_inactive_or_missing_product_is_404(client, db_session):
    hidden = make_publication(db_session, active=False)
    db_session.commit()
    assert client.get(f"/katalog/{hidden.id}").status_code == 404
    assert client.get("/katalog/424242").status_code == 404


def test_tariff_and_rp0_pages_explain_the_rules(client):
    tariffs = client.get("/tarif").get_data(as_text=True)
    assert "PP 13/2024" in tariffs and "Rp36.000.000" in tariffs and "PP 7/2015" in tariffs
    assert "nilai tidak tercatat" in tariffs
    zero = client.get("/tarif/nol-rupiah").get_data(as_text=True)
    eligible = zero.split('id="eligible"')[1].split("</ul>")[0]
    paying = zero.split('id="paying"')[1].split("</ul>")[0]
    assert "Pemerintah daerah" in eligible and "Perusahaan swasta" in paying and "Mahasiswa" in paying


def test_admin_adds_and_edits_a_map(client, db_session):
    make_staff(db_session, Role.ADMIN, email="admin@example.test")
    db_session.commit()
    login(client, "admin@example.test")
    token = csrf_token(client, "/admin/produk/baru/map")
    bad = client.post("/admin/produk/baru/map", data=dict(
        title="Peta Kota Sorong", coverage="regency", level="desa", regency_code="92", regency_name="Kota Sorong",
        active="on", csrf_token=token))
    assert bad.status_code == 422
    assert "4 angka" in bad.get_data(as_text=True) and 'value="Peta Kota Sorong"' in bad.get_data(as_text=True)
    ok = client.post("/admin/produk/baru/map", data=dict(
        title="Peta Kota Sorong", coverage="regency", level="desa", regency_code="9271", regency_name="Kota Sorong",
        active="on", csrf_token=token))
    assert ok.status_code == 302
    listing = client.get("/admin/produk?q=sorong").get_data(as_text=True)
    assert "map-regency-desa" in listing
    product_id = int(re.search(r"/admin/produk/(\d+)/ubah", listing).group(1))
    page = client.get(f"/katalog/{product_id}").get_data(as_text=True)
    assert _price(page) == "Rp70.000"

    edited = client.post(f"/admin/produk/{product_id}/ubah", data=dict(
        title="Peta Kota Sorong", coverage="regency", level="kecamatan", regency_code="9271",
        regency_name="Kota Sorong", csrf_token=token))  # "active" unticked: hidden from the catalogue
    assert edited.status_code == 302
    assert client.get(f"/katalog/{product_id}").status_code == 404
