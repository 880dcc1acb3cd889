"""Loading tariff schedule files: the real ones load, and every broken file is refused
with a message that names the file, the item and the problem."""

from datetime import date
from pathlib import Path

import pytest

from sales_service.pnbp import (
    ZERO_RATE_SEGMENTS,
    NoScheduleInForce,
    PricingRule,
    ProductKind,
    ScheduleBook,
    TariffFileInvalid,
    TariffItemUnknown,
    load_schedule_dir,
    load_schedule_file,
    parse_schedule,
)

TARIFFS = Path(__file__).resolve().parents[2] / "tariffs"

HEADER = """
code = "pp-99-2030"
regulation = "PP 99/2030"
title = "Tarif uji"
effective_from = 2030-01-01
source = "uji"

[zero_rate]
segments = ["central_government", "foreign_mission"]
legal_basis = "PP 99/2030 Pasal 8"
"""

MAP_ITEM = """
[[item]]
code = "map-one"
name_id = "Peta satu"
name_en = "Map one"
kind = "map"
rule = "per_unit"
source = "Lampiran"
unit_price = 30000
"""

PAGES_ITEM = """
[[item]]
code = "pub-one"
name_id = "Publikasi"
name_en = "Publication"
kind = "publication"
rule = "page_blocks"
source = "Lampiran"
first_block_price = 50000
next_block_price = 15000
block_pages = 50
"""

BYTES_ITEM = """
[[item]]
code = "data-one"
name_id = "Data mikro"
name_en = "Microdata"
kind = "microdata"
rule = "size_bytes"
source = "Lampiran"
first_unit_price = 20000
first_unit_bytes = 1000000
step_price = 20
step_bytes = 1000
"""


def schedule_text(*, header: str = HEADER, items: str = MAP_ITEM + PAGES_ITEM + BYTES_ITEM) -> str:
    return header + items


def refusal(text: str, filename: str = "uji.toml") -> str:
    with pytest.raises(TariffFileInvalid) as refused:
        parse_schedule(text, filename)
    assert refused.value.http_status == 422
    return refused.value.message


# --- valid files ---------------------------------------------------------------------------


def test_a_valid_file_is_read_field_by_field():
    schedule = parse_schedule(
        schedule_text(header=HEADER.replace("source", 'notes = ["Pasal 3"]\nsource', 1)),
        "uji.toml",
    )
    assert (schedule.code, schedule.regulation, schedule.title) == (
        "pp-99-2030",
        "PP 99/2030",
        "Tarif uji",
    )
    assert schedule.effective_from == date(2030, 1, 1)
    assert schedule.effective_until is None
    assert schedule.notes == ("Pasal 3",)
    assert schedule.zero_rate.legal_basis == "PP 99/2030 Pasal 8"
    assert {s.value for s in schedule.zero_rate.segments} == {
        "central_government",
        "foreign_mission",
    }
    assert list(schedule.items) == ["map-one", "pub-one", "data-one"]
    data = schedule.item("data-one")
    assert (data.kind, data.rule) == (ProductKind.MICRODATA, PricingRule.SIZE_BYTES)
    assert (data.first_unit_price, data.first_unit_bytes, data.step_price, data.step_bytes) == (
        20_000,
        1_000_000,
        20,
        1_000,
    )
    assert data.priceable
    assert (data.name_id, data.name_en) == ("Data mikro", "Microdata")
    assert schedule.bank_charges_basis is None  # optional: an invoice then cites no article


def test_the_bank_charges_rule_is_read_from_the_file():
    text = schedule_text(header=HEADER.replace("source", 'bank_charges_basis = "PP 99/2030 Pasal 3"\nsource', 1))
    assert parse_schedule(text, "uji.toml").bank_charges_basis == "PP 99/2030 Pasal 3"


def test_an_item_without_any_amount_loads_but_is_not_priceable():
    text = schedule_text(items=MAP_ITEM.replace("unit_price = 30000", ""))
    item = parse_schedule(text, "uji.toml").item("map-one")
    assert item.unit_price is None
    assert not item.priceable


def test_asking_for_an_item_the_schedule_lacks_is_not_found():
    schedule = parse_schedule(schedule_text(), "uji.toml")
    with pytest.raises(TariffItemUnknown, match="pub-printed"):
        schedule.item("pub-printed")


def test_the_items_of_a_loaded_schedule_cannot_be_changed():
    schedule = parse_schedule(schedule_text(), "uji.toml")
    with pytest.raises(TypeError):
        schedule.items["map-one"] = None


# --- every broken file is refused, naming file, item and problem -------------------------

INVALID_ITEMS = [
    pytest.param(
        MAP_ITEM + MAP_ITEM,
        "map-one",
        "muncul lebih dari sekali",
        id="duplicate-item-code",
    ),
    pytest.param(
        PAGES_ITEM.replace("next_block_price = 15000", "next_block_price = 15000.5"),
        "pub-one",
        "next_block_price = 15000.5 adalah pecahan",
        id="fractional-amount",
    ),
    pytest.param(
        MAP_ITEM.replace("unit_price = 30000", "unit_price = -30000"),
        "map-one",
        "unit_price tidak boleh negatif",
        id="negative-amount",
    ),
    pytest.param(
        MAP_ITEM.replace("unit_price = 30000", 'unit_price = "30.000"'),
        "map-one",
        "unit_price harus bilangan bulat",
        id="string-amount",
    ),
    pytest.param(
        MAP_ITEM.replace("unit_price = 30000", "unit_price = true"),
        "map-one",
        "unit_price harus bilangan bulat",
        id="boolean-amount",
    ),
    pytest.param(
        MAP_ITEM.replace("unit_price = 30000", "unit_price = 30000.0"),
        "map-one",
        "unit_price harus bilangan bulat",
        id="float-amount-without-fraction",
    ),
    pytest.param(
        MAP_ITEM.replace('rule = "per_unit"', 'rule = "per_kilo"'),
        "map-one",
        "aturan harga 'per_kilo' tidak dikenal",
        id="unknown-rule",
    ),
    pytest.param(
        MAP_ITEM.replace('kind = "map"', 'kind = "poster"'),
        "map-one",
        "jenis produk 'poster' tidak dikenal",
        id="unknown-kind",
    ),
    pytest.param(
        MAP_ITEM.replace('name_en = "Map one"\n', ""),
        "map-one",
        "field wajib name_en tidak ada",
        id="missing-item-field",
    ),
    pytest.param(
        MAP_ITEM.replace('code = "map-one"\n', ""),
        "ke-1",
        "field wajib code tidak ada",
        id="missing-item-code-names-position",
    ),
    pytest.param(
        MAP_ITEM.replace('source = "Lampiran"', 'source = ""'),
        "map-one",
        "source harus teks yang tidak kosong",
        id="empty-text-field",
    ),
    pytest.param(
        PAGES_ITEM.replace("next_block_price = 15000\n", ""),
        "pub-one",
        "nominal tidak lengkap; next_block_price tidak ada",
        id="some-amounts-missing",
    ),
    pytest.param(
        BYTES_ITEM.replace("step_bytes = 1000\n", ""),
        "data-one",
        "nominal tidak lengkap; step_bytes tidak ada",
        id="size-missing-with-amounts",
    ),
    pytest.param(
        BYTES_ITEM.replace("step_bytes = 1000", "step_bytes = 0"),
        "data-one",
        "step_bytes harus lebih dari nol",
        id="zero-size",
    ),
    pytest.param(
        MAP_ITEM.replace("unit_price = 30000", "unit_prise = 30000"),
        "map-one",
        "field unit_prise tidak dikenal untuk aturan per_unit",
        id="misspelt-amount",
    ),
    pytest.param(
        MAP_ITEM + "first_block_price = 50000\n",
        "map-one",
        "field first_block_price tidak dikenal untuk aturan per_unit",
        id="amount-of-another-rule",
    ),
    pytest.param(
        MAP_ITEM.replace('code = "map-one"', 'code = "Map One"'),
        "Map One",
        "kode item hanya boleh huruf kecil",
        id="code-with-spaces",
    ),
    pytest.param(
        MAP_ITEM.replace('name_id = "Peta satu"', f'name_id = "{"P" * 301}"'),
        "map-one",
        "name_id terlalu panjang (301 karakter; paling banyak 300)",
        id="name-longer-than-the-invoice-line-holds",
    ),
    pytest.param(
        MAP_ITEM + MAP_ITEM.replace('code = "map-one"', 'code = "map-two"').replace("Map one", "Map two"),
        "map-two",
        "name_id sama dengan item map-one",
        id="two-items-of-one-indonesian-name",
    ),
    pytest.param(
        MAP_ITEM + MAP_ITEM.replace('code = "map-one"', 'code = "map-two"').replace("Peta satu", "Peta dua"),
        "map-two",
        "name_en sama dengan item map-one",
        id="two-items-of-one-english-name",
    ),
]


@pytest.mark.parametrize(("items", "item", "problem"), INVALID_ITEMS)
def test_an_invalid_item_is_refused_naming_file_item_and_problem(items, item, problem):
    message = refusal(schedule_text(items=items), "pp-99-2030.toml")
    assert "pp-99-2030.toml" in message
    assert f"item {item}" in message
    assert problem in message


INVALID_HEADERS = [
    pytest.param(
        HEADER.replace(
            "effective_from = 2030-01-01",
            "effective_from = 2030-01-01\neffective_until = 2029-12-31",
        ),
        "effective_until 2029-12-31 lebih awal dari effective_from 2030-01-01",
        id="until-before-from",
    ),
    pytest.param(
        HEADER.replace('title = "Tarif uji"\n', ""),
        "field wajib title tidak ada",
        id="missing-title",
    ),
    pytest.param(
        HEADER.replace("effective_from = 2030-01-01\n", ""),
        "field wajib effective_from tidak ada",
        id="missing-effective-from",
    ),
    pytest.param(
        HEADER.replace("effective_from = 2030-01-01", 'effective_from = "2030-01-01"'),
        "effective_from harus tanggal TOML",
        id="date-as-string",
    ),
    pytest.param(
        HEADER.replace("effective_from = 2030-01-01", "effective_from = 2030-01-01T08:00:00"),
        "effective_from harus tanggal TOML",
        id="date-with-time",
    ),
    pytest.param(
        HEADER.replace('"foreign_mission"', '"students"'),
        "segmen Rp0 'students' tidak dikenal",
        id="unknown-zero-rate-segment",
    ),
    pytest.param(
        HEADER.replace('legal_basis = "PP 99/2030 Pasal 8"\n', ""),
        "field wajib zero_rate.legal_basis tidak ada",
        id="missing-legal-basis",
    ),
    pytest.param(
        HEADER.split("[zero_rate]")[0],
        "field wajib zero_rate tidak ada",
        id="missing-zero-rate",
    ),
    pytest.param(
        HEADER.replace("source", "efective_until = 2031-01-01\nsource", 1),
        "field efective_until tidak dikenal",
        id="misspelt-top-level-field",
    ),
    pytest.param(
        HEADER.replace("source", "notes = [3]\nsource", 1),
        "notes harus daftar teks",
        id="notes-not-text",
    ),
    pytest.param(
        HEADER.replace("source", 'bank_charges_basis = " "\nsource', 1),
        "bank_charges_basis harus teks yang tidak kosong",
        id="empty-bank-charges-basis",
    ),
]


@pytest.mark.parametrize(("header", "problem"), INVALID_HEADERS)
def test_an_invalid_schedule_header_is_refused_naming_file_and_problem(header, problem):
    message = refusal(schedule_text(header=header), "pp-99-2030.toml")
    assert "pp-99-2030.toml" in message
    assert problem in message


def test_a_file_without_items_is_refused():
    message = refusal(HEADER.replace("[zero_rate]", "item = []\n\n[zero_rate]"))
    assert "uji.toml" in message and "tidak ada item tarif" in message


def test_a_file_that_is_not_toml_is_refused_naming_the_file():
    message = refusal(schedule_text() + "\nthis is = not = toml\n")
    assert "uji.toml bukan TOML yang sah" in message


def test_a_file_that_is_not_utf8_is_refused(tmp_path):
    path = tmp_path / "latin.toml"
    path.write_bytes(schedule_text().replace("Tarif uji", "Tarif é").encode("latin-1"))
    with pytest.raises(TariffFileInvalid, match="latin.toml bukan teks UTF-8"):
        load_schedule_file(path)


# --- several schedules -----------------------------------------------------------------------


def write_schedule(directory: Path, name: str, code: str, start: str, until: str | None) -> None:
    header = HEADER.replace('"pp-99-2030"', f'"{code}"').replace("2030-01-01", start)
    if until:
        header = header.replace("source", f"effective_until = {until}\nsource", 1)
    (directory / name).write_text(schedule_text(header=header), encoding="utf-8")


def test_overlapping_windows_across_files_are_refused_naming_both(tmp_path):
    write_schedule(tmp_path, "old.toml", "pp-1-2020", "2020-01-01", "2024-03-01")
    write_schedule(tmp_path, "new.toml", "pp-2-2024", "2024-03-01", None)
    with pytest.raises(TariffFileInvalid) as refused:
        load_schedule_dir(tmp_path)
    message = refused.value.message
    assert "old.toml" in message and "new.toml" in message
    assert "tumpang tindih" in message
    assert "2020-01-01 s.d. 2024-03-01" in message and "2024-03-01 s.d. seterusnya" in message


def test_two_open_ended_schedules_overlap(tmp_path):
    write_schedule(tmp_path, "a.toml", "pp-1-2020", "2020-01-01", None)
    write_schedule(tmp_path, "b.toml", "pp-2-2024", "2024-03-01", None)
    with pytest.raises(TariffFileInvalid, match="tumpang tindih"):
        load_schedule_dir(tmp_path)


def test_a_schedule_code_used_by_two_files_is_refused_naming_both(tmp_path):
    write_schedule(tmp_path, "a.toml", "pp-1-2020", "2020-01-01", "2020-12-31")
    write_schedule(tmp_path, "b.toml", "pp-1-2020", "2021-01-01", None)
    with pytest.raises(TariffFileInvalid) as refused:
        load_schedule_dir(tmp_path)
    message = refused.value.message
    assert "pp-1-2020" in message and "a.toml" in message and "b.toml" in message
    assert "dipakai dua kali" in message


def test_adjacent_windows_load_in_date_order(tmp_path):
    write_schedule(tmp_path, "a-new.toml", "pp-2-2024", "2024-03-01", None)
    write_schedule(tmp_path, "b-old.toml", "pp-1-2020", "2020-01-01", "2024-02-29")
    assert [s.code for s in load_schedule_dir(tmp_path)] == ["pp-1-2020", "pp-2-2024"]


def test_a_schedule_book_refuses_overlapping_schedules_too():
    first = parse_schedule(schedule_text(), "a.toml")
    second = parse_schedule(
        schedule_text(header=HEADER.replace('"pp-99-2030"', '"pp-100-2031"')), "b.toml"
    )
    with pytest.raises(TariffFileInvalid) as refused:
        ScheduleBook([first, second])
    assert "pp-99-2030" in refused.value.message and "pp-100-2031" in refused.value.message


def test_an_empty_directory_is_refused(tmp_path):
    with pytest.raises(TariffFileInvalid, match="Tidak ada berkas tarif"):
        load_schedule_dir(tmp_path)


# --- the real tariffs/ directory -------------------------------------------------------------


def test_the_real_tariff_directory_loads():
    schedules = load_schedule_dir(TARIFFS)
    assert [s.code for s in schedules] == ["pp-7-2015", "pp-13-2024"]
    old, new = schedules
    # No gap and no overlap between the two regulations, whatever dates are configured.
    assert (new.effective_from - old.effective_until).days == 1
    assert new.effective_until is None
    assert all(s.zero_rate.segments == ZERO_RATE_SEGMENTS for s in schedules)


def test_pp_13_2024_has_every_amount_of_its_lampiran():
    schedule = load_schedule_file(TARIFFS / "pp-13-2024.toml")
    amounts = {
        code: tuple(
            getattr(item, name)
            for name in (
                "first_block_price",
                "next_block_price",
                "first_unit_price",
                "step_price",
                "unit_price",
            )
            if getattr(item, name) is not None
        )
        for code, item in schedule.items.items()
    }
    assert amounts == {
        "pub-electronic": (50_000, 15_000),
        "microdata-raw": (20_000, 20),
        "microdata-processed": (22_000, 22),
        "map-national-kecamatan": (12_000_000,),
        "map-national-desa": (36_000_000,),
        "map-regency-kecamatan": (30_000,),
        "map-regency-desa": (70_000,),
    }
    assert "pub-printed" not in schedule.items  # no longer a PNBP type
    assert all(item.source for item in schedule.items.values())
    assert schedule.item("microdata-raw").name_id == "Data mikro belum diolah (per set data)"


def test_each_schedule_cites_its_own_bank_charges_rule():
    old, new = load_schedule_dir(TARIFFS)
    assert old.bank_charges_basis == "PP 7/2015 Pasal 3"
    # PP 13/2024 invoices must not cite the repealed regulation's article.
    assert new.bank_charges_basis.startswith("PP 13/2024")
    assert "7/2015" not in new.bank_charges_basis


def test_pp_7_2015_carries_structure_and_articles_but_no_amounts():
    schedule = load_schedule_file(TARIFFS / "pp-7-2015.toml")
    rules = {code: item.rule for code, item in schedule.items.items()}
    assert rules == {
        "pub-printed": PricingRule.PAGE_BLOCKS,
        "pub-electronic": PricingRule.PAGE_BLOCKS,
        "microdata": PricingRule.SIZE_BYTES,
        "map": PricingRule.PER_UNIT,
    }
    assert not any(item.priceable for item in schedule.items.values())
    notes = " ".join(schedule.notes)
    for article in ("Pasal 3", "Pasal 4", "Pasal 8"):
        assert article in notes


@pytest.mark.parametrize(
    ("day", "code"),
    [
        (date(2015, 3, 1), "pp-7-2015"),
        (date(2020, 6, 15), "pp-7-2015"),
        (date(2024, 2, 29), "pp-7-2015"),
        (date(2024, 3, 1), "pp-13-2024"),
        (date(2026, 11, 23), "pp-13-2024"),
    ],
)
def test_the_schedule_in_force_is_chosen_by_date(day, code):
    book = ScheduleBook(load_schedule_dir(TARIFFS))
    assert book.in_force(day).code == code


def test_the_switch_happens_on_pp_13_2024_effective_from():
    # Follows the configured (unconfirmed) date rather than a hard-coded one.
    book = ScheduleBook(load_schedule_dir(TARIFFS))
    start = book.get("pp-13-2024").effective_from
    assert book.in_force(start).code == "pp-13-2024"
    assert book.in_force(date.fromordinal(start.toordinal() - 1)).code == "pp-7-2015"


@pytest.mark.parametrize("day", [date(2014, 12, 31), date(2015, 1, 1), date(2009, 7, 1)])
def test_no_schedule_before_2015(day):
    book = ScheduleBook(load_schedule_dir(TARIFFS))
    with pytest.raises(NoScheduleInForce) as refused:
        book.in_force(day)
    assert day.isoformat() in refused.value.message
    assert refused.value.http_status == 404
