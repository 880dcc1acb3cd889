"""The commands `make run` relies on, on an empty database file."""

from sqlalchemy import func, select

from sales_service import create_app, db
from sales_service.accounts.models import User
from sales_service.catalog.models import DigitalMap, MicrodataSet, Product, Publication
from sales_service.roles import Role
from tests.conftest import web_config


def test_fresh_database_gets_schema_tariffs_demo_catalogue_and_accounts(tmp_path):
    app = create_app(web_config(tmp_path, tmp_path / "fresh.db"))
    runner = app.test_cli_runner()
    assert "up to date" in runner.invoke(args=["migrate"]).output
    loaded = runner.invoke(args=["load-tariffs"])
    assert loaded.exit_code == 0
    assert "pp-13-2024 version 1 (new)" in loaded.output and "pp-7-2015 version 1 (new)" in loaded.output
    seeded = runner.invoke(args=["seed-demo"])
    assert seeded.exit_code == 0
    for email in ("admin@demo.test", "petugas@demo.test", "bendahara@demo.test", "pembeli@demo.test"):
        assert email in seeded.output
    assert runner.invoke(args=["seed-demo"]).exit_code == 0  # a second run adds nothing twice

    with app.app_context():
        session = db.session()
        counts = {model.__name__: session.scalar(select(func.count()).select_from(model))
                  for model in (Publication, MicrodataSet, DigitalMap, Product)}
        roles = set(session.scalars(select(User.role)))
        susenas = session.scalar(select(MicrodataSet).where(MicrodataSet.survey == "Susenas"))
        assert len(susenas.variables) >= 10
    assert counts["Product"] == counts["Publication"] + counts["MicrodataSet"] + counts["DigitalMap"]
    assert min(counts["Publication"], counts["MicrodataSet"], counts["DigitalMap"]) >= 4
    assert roles == set(Role)
    app.extensions["sales_db"]["engine"].dispose()


def test_create_user_makes_staff_and_refuses_bad_input(tmp_path):
    app = create_app(web_config(tmp_path, tmp_path / "fresh.db"))
    runner = app.test_cli_runner()
    runner.invoke(args=["migrate"])
    made = runner.invoke(args=["create-user", "kasir@example.test", "--name", "Kasir", "--role", "treasurer",
                               "--password", "kelapa muda tujuh pohon"])
    assert made.exit_code == 0 and "Created treasurer kasir@example.test" in made.output
    again = runner.invoke(args=["create-user", "kasir@example.test", "--name", "K", "--role", "officer",
                                "--password", "kelapa muda tujuh pohon"])
    assert again.exit_code != 0 and "sudah terdaftar" in again.output
    short = runner.invoke(args=["create-user", "x@example.test", "--name", "X", "--role", "admin",
                                "--password", "pendek"])
    assert short.exit_code != 0 and "minimal 8" in short.output
    app.extensions["sales_db"]["engine"].dispose()


def test_load_tariffs_names_the_broken_file_and_item(tmp_path):
    broken = tmp_path / "tariffs"
    broken.mkdir()
    (broken / "bad.toml").write_text(
        'code = "x"\nregulation = "X"\ntitle = "X"\neffective_from = 2030-01-01\nsource = "s"\n'
        '[zero_rate]\nsegments = []\nlegal_basis = "none"\n'
        '[[item]]\ncode = "pub-x"\nname_id = "a"\nname_en = "a"\nkind = "publication"\nrule = "per_page"\n'
        'source = "s"\n', "utf-8")
    app = create_app(web_config(tmp_path, tmp_path / "fresh.db"))
    runner = app.test_cli_runner()
    runner.invoke(args=["migrate"])
    result = runner.invoke(args=["load-tariffs", str(broken)])
    assert result.exit_code != 0
    assert "bad.toml" in result.output and "pub-x" in result.output and "per_page" in result.output
    app.extensions["sales_db"]["engine"].dispose()
