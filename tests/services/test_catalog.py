from datetime import date

import pytest

from sales_service.catalog import services
from sales_service.catalog.models import MicrodataSet
from sales_service.errors import InvalidInput
from sales_service.pnbp.schedule import ProductKind
from sales_service.pnbp.segments import BuyerSegment
from tests.factories import make_map, make_microdata, make_publication

TODAY = date(2026, 11, 24)


def test_search_finds_by_title_survey_and_regency_and_hides_inactive(session):
    make_publication(session, title="Kabupaten Klaten Dalam Angka 2025")
    make_microdata(session, title="Survei Angkatan Kerja Nasional Agustus 2024", survey="Sakernas")
    make_map(session, title="Peta wilayah kerja per desa", regency_name="Kabupaten Klaten")
    make_publication(session, title="Klaten lama", active=False)

    titles = lambda result: sorted(p.title for p in result.products)  # noqa: E731
    assert titles(services.search_products(session, text="sakernas")) == ["Survei Angkatan Kerja Nasional Agustus 2024"]
    assert titles(services.search_products(session, text="klaten")) == [
        "Kabupaten Klaten Dalam Angka 2025", "Peta wilayah kerja per desa"]
    assert services.search_products(session, text="klaten", include_inactive=True).total == 3
    assert titles(services.search_products(session, kind=ProductKind.MAP)) == ["Peta wilayah kerja per desa"]


def test_search_pages_through_results(session):
    for n in range(services.PAGE_SIZE + 3):
        make_publication(session, title=f"Publikasi {n:02d}")
    first = services.search_products(session, text="publikasi")
    last = services.search_products(session, text="publikasi", page=2)
    assert (first.total, first.pages, len(first.products), len(last.products)) == (23, 2, 20, 3)
    assert services.search_products(session, text="publikasi", page=99).page == 2


def test_tariff_item_follows_the_product(session):
    assert make_publication(session).tariff_item_code == "pub-electronic"
    assert make_microdata(session).tariff_item_code == "microdata-raw"
    assert make_microdata(session, title="Tabulasi", processed=True).tariff_item_code == "microdata-processed"
    assert make_map(session).tariff_item_code == "map-regency-desa"
    national = make_map(session, title="Indonesia", coverage="national", level="kecamatan",
                        regency_code=None, regency_name=None)
    assert national.tariff_item_code == "map-national-kecamatan"


def test_publication_quote_uses_pages(tariffs_loaded):
    session = tariffs_loaded
    publication = make_publication(session, pages=120)
    priced = services.quote_product(session, publication, on=TODAY)
    assert (priced.quantity, priced.quote.total) == (120, 80_000)  # 50.000 + 2 blocks of 15.000


def test_microdata_subset_is_an_estimate_of_records_times_widths(tariffs_loaded):
    session = tariffs_loaded
    dataset = make_microdata(session, record_count=200_000)  # widths 2 + 2 + 12 = 16 bytes
    full = services.quote_product(session, dataset, on=TODAY)
    assert (full.quantity, full.estimated, full.quote.total) == (3_200_000, False, 64_000)

    kapita = [v.id for v in dataset.variables if v.name == "KAPITA"]
    subset = services.quote_product(session, dataset, on=TODAY, variable_ids=kapita)
    assert (subset.quantity, subset.estimated) == (2_400_000, True)
    assert subset.quote.total == 48_000  # 20.000 + 1.400.000 bytes x Rp0,02
    assert subset.quote.total < full.quote.total

    everything = [v.id for v in dataset.variables]
    assert services.quote_product(session, dataset, on=TODAY, variable_ids=everything).estimated is False


def test_variables_of_another_dataset_are_refused(tariffs_loaded):
    session = tariffs_loaded
    first = make_microdata(session)
    second = make_microdata(session, title="Podes 2024")
    with pytest.raises(InvalidInput, match="tidak ada dalam set data"):
        services.quote_product(session, first, on=TODAY, variable_ids=[second.variables[0].id])


def test_government_buyer_gets_rp0_only_for_non_commercial_use(tariffs_loaded):
    session = tariffs_loaded
    publication = make_publication(session, pages=50)
    free = services.quote_product(session, publication, on=TODAY, segment=BuyerSegment.REGIONAL_GOVERNMENT,
                                  commercial=False)
    assert (free.quote.total, free.quote.lines[0].normal_amount) == (0, 50_000)
    paid = services.quote_product(session, publication, on=TODAY, segment=BuyerSegment.REGIONAL_GOVERNMENT)
    assert paid.quote.total == 50_000


@pytest.mark.parametrize("text, message", [
    ("R101;Provinsi", "NAMA;label;lebar byte"),
    ("R101;Provinsi;0", "lebar byte harus bilangan bulat positif"),
    ("R101;Provinsi;dua", "lebar byte harus bilangan bulat positif"),
    ("R101;Provinsi;2\nr101;Lagi;2", "tercantum dua kali"),
])
def test_variable_lines_are_checked_line_by_line(text, message):
    with pytest.raises(InvalidInput, match=message):
        services.parse_variable_lines(text)


def test_admin_edit_keeps_variable_ids_and_rejects_bad_input_without_change(session):
    dataset = make_microdata(session)
    ids = {v.name: v.id for v in dataset.variables}
    values = services.product_form_values(dataset)
    values["variables"] = "KAPITA;Pengeluaran per kapita;14\nR101;Provinsi;2\nR102;Kabupaten;2"
    services.update_product(session, dataset.id, values)
    assert [v.name for v in dataset.variables] == ["KAPITA", "R101", "R102"]
    assert {v.name: v.id for v in dataset.variables} == ids

    bad = dict(values, record_count="-5")
    with pytest.raises(InvalidInput, match="Jumlah record"):
        services.update_product(session, dataset.id, bad)


@pytest.mark.parametrize("fields, message", [
    (dict(coverage="regency", level="desa", regency_code="33", regency_name="X"), "4 angka"),
    (dict(coverage="planet", level="desa"), "tidak dikenal"),
])
def test_map_fields_are_checked(session, fields, message):
    with pytest.raises(InvalidInput, match=message):
        services.create_product(session, ProductKind.MAP, dict(title="Peta", **fields))


def test_microdata_set_needs_variables(session):
    with pytest.raises(InvalidInput, match="sedikitnya satu variabel"):
        services.create_product(session, ProductKind.MICRODATA, dict(
            title="Kosong", survey="S", period="P", region_level="R", file_format="CSV",
            record_count=1, full_size_bytes=1, variables=""))
    assert not session.query(MicrodataSet).count()
