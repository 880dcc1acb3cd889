"""English for buyers abroad (issue 8, point 12): the admin fills English descriptions, periods
and variable labels, the English pages show them (Indonesian where none was given), and numbers
and rupiah are grouped as each language writes them."""

import re

import pytest

from sales_service.catalog import services as catalog
from sales_service.roles import Role
from tests.conftest import csrf_token, login
from tests.factories import make_microdata, make_staff

VARIABLES_EN = "R101;Provinsi;2;Province\nR102;Kabupaten;2;Regency\nKAPITA;Pengeluaran per kapita;12"


@pytest.fixture
def english_dataset(client, db_session):
    """A data set the admin described in English through the admin form (KAPITA left Indonesian)."""
    make_staff(db_session, Role.ADMIN, email="admin@example.test")
    dataset = make_microdata(db_session, record_count=1_000_000)
    db_session.commit()
    login(client, "admin@example.test")
    form = client.get(f"/admin/produk/{dataset.id}/ubah").get_data(as_text=True)
    assert 'name="description_en"' in form and 'name="period_en"' in form
    response = client.post(f"/admin/produk/{dataset.id}/ubah", data=dict(
        title="Susenas Maret 2024", title_en="Susenas March 2024",
        description="Data mikro Susenas, satu record per individu.",
        description_en="Susenas microdata, one record per person.",
        year="2024", survey="Susenas", period="Maret 2024", period_en="March 2024", region_level="Kabupaten/kota",
        file_format="CSV", record_count="1.000.000", full_size_bytes="16.000.000", variables=VARIABLES_EN,
        active="on", csrf_token=csrf_token(client, "/admin/produk")))
    assert response.status_code == 302
    client.post("/keluar", data={"csrf_token": csrf_token(client, "/katalog")})
    return dataset.id


def test_the_admin_form_keeps_the_english_fields(client, english_dataset):
    login(client, "admin@example.test")
    form = client.get(f"/admin/produk/{english_dataset}/ubah").get_data(as_text=True)
    assert "Susenas microdata, one record per person." in form
    assert 'name="period_en" value="March 2024"' in form
    assert "R101;Provinsi;2;Province" in form and "KAPITA;Pengeluaran per kapita;12</textarea>" in form


def test_the_english_catalogue_shows_the_english_period_and_numbers(client, english_dataset):
    indonesian = client.get("/katalog").get_data(as_text=True)
    assert "Maret 2024" in indonesian and "1.000.000 record" in indonesian
    client.get("/bahasa/en")
    english = client.get("/katalog").get_data(as_text=True)
    assert "Susenas March 2024" in english and "March 2024" in english and "Maret" not in english
    assert "1,000,000 record" in english


def test_english_prices_are_grouped_the_english_way(client, english_dataset):
    price = re.compile(r'id="price">([^<]+)<')
    assert price.search(client.get(f"/katalog/{english_dataset}").get_data(as_text=True)).group(1) == "Rp320.000"
    client.get("/bahasa/en")
    assert price.search(client.get(f"/katalog/{english_dataset}").get_data(as_text=True)).group(1) == "Rp320,000"


def test_the_walk_in_counter_in_english_shows_english_titles_and_variable_labels(client, db_session,
                                                                                  english_dataset):
    make_staff(db_session, Role.OFFICER, email="petugas@example.test")
    db_session.commit()
    login(client, "petugas@example.test")
    client.get("/bahasa/en")
    page = client.get("/petugas/tamu").get_data(as_text=True)
    assert "Susenas March 2024" in page
    assert "<span>Province</span>" in page and "<span>Regency</span>" in page
    assert "<span>Pengeluaran per kapita</span>" in page  # no English label given: the Indonesian one


def test_english_text_falls_back_to_indonesian_where_the_admin_left_it_empty(db_session, english_dataset):
    db_session.expire_all()  # the admin changed it through the web
    dataset = catalog.get_product(db_session, english_dataset)
    assert dataset.display_description("en") == "Susenas microdata, one record per person."
    assert dataset.display_description("id") == "Data mikro Susenas, satu record per individu."
    assert (dataset.display_period("en"), dataset.display_period("id")) == ("March 2024", "Maret 2024")
    assert [v.display_label("en") for v in dataset.variables] == ["Province", "Regency", "Pengeluaran per kapita"]
    plain = make_microdata(db_session, title="Sakernas Agustus 2024", survey="Sakernas")
    assert plain.display_description("en") == plain.description and plain.display_period("en") == "Maret 2024"


def test_the_english_product_page_shows_the_english_description_period_and_variable_labels(client,
                                                                                          english_dataset):
    client.get("/bahasa/en")
    page = client.get(f"/katalog/{english_dataset}").get_data(as_text=True)
    assert "Susenas microdata, one record per person." in page and "Data mikro Susenas" not in page
    assert "March 2024" in page and "Maret 2024" not in page
    assert "<span>Province</span>" in page and "<span>Regency</span>" in page
    assert "<span>Pengeluaran per kapita</span>" in page  # no English label given: the Indonesian one
