import shutil
from datetime import date

import pytest

from sales_service.pnbp import services
from sales_service.pnbp.schedule import NoScheduleInForce, TariffFileInvalid
from tests.conftest import TARIFF_DIR


def test_loading_twice_stores_one_version_and_a_change_adds_a_version(session, tmp_path):
    first = services.load_tariff_dir(session, TARIFF_DIR, loaded_by="test")
    assert {r.status for r in first} == {"new"}
    again = services.load_tariff_dir(session, TARIFF_DIR, loaded_by="test")
    assert {r.status for r in again} == {"unchanged"}

    changed = tmp_path / "tariffs"
    shutil.copytree(TARIFF_DIR, changed)
    path = changed / "pp-13-2024.toml"
    path.write_text(path.read_text("utf-8").replace("unit_price = 70_000", "unit_price = 75_000", 1), "utf-8")
    results = {r.code: r for r in services.load_tariff_dir(session, changed, loaded_by="admin")}
    assert (results["pp-13-2024"].status, results["pp-13-2024"].version) == ("updated", 2)
    assert results["pp-7-2015"].status == "unchanged"

    versions = [v.version for v in services.schedule_versions(session) if v.code == "pp-13-2024"]
    assert versions == [2, 1]  # the earlier version is kept, not overwritten
    line = services.quote(session, [("map-regency-desa", 1)], on=date(2026, 1, 5)).lines[0]
    assert line.amount == 75_000


def test_an_invalid_file_stores_nothing(session, tmp_path):
    broken = tmp_path / "tariffs"
    shutil.copytree(TARIFF_DIR, broken)
    path = broken / "pp-13-2024.toml"
    path.write_text(path.read_text("utf-8").replace("unit_price = 70_000", "unit_price = 70_000.5", 1), "utf-8")
    with pytest.raises(TariffFileInvalid, match="pp-13-2024.toml"):
        services.load_tariff_dir(session, broken, loaded_by="test")
    assert services.schedule_versions(session) == []


def test_no_schedule_loaded_gives_a_clear_message(session):
    with pytest.raises(NoScheduleInForce, match="load-tariffs"):
        services.schedule_in_force(session, date(2026, 1, 1))
