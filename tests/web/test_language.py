import sys

from sales_service.config import PROJECT_ROOT
from tests.factories import make_microdata

sys.path.insert(0, str(PROJECT_ROOT / "scripts"))
import messages  # noqa: E402


def test_every_ui_string_has_an_english_translation():
    assert messages.untranslated(messages.all_messages(), messages.read_catalogue()) == []


def test_pages_are_indonesian_first_and_english_on_request(client, db_session):
    dataset = make_microdata(db_session)
    db_session.commit()
    indonesian = client.get("/katalog").get_data(as_text=True)
    assert '<html lang="id">' in indonesian and "Katalog produk statistik" in indonesian

    switched = client.get("/bahasa/en?next=/katalog")
    assert switched.headers["Location"] == "/katalog"
    english = client.get("/katalog").get_data(as_text=True)
    assert '<html lang="en">' in english and "Katalog produk statistik" not in english
    assert "1 product found" in english
    product = client.get(f"/katalog/{dataset.id}").get_data(as_text=True)
    assert "Choose variables" in product or "Select variables" in product
    assert "Pilih variabel" not in product

    client.get("/bahasa/id")
    assert "Katalog produk statistik" in client.get("/katalog").get_data(as_text=True)


def test_domain_errors_follow_the_visitor_language(client, db_session):
    dataset = make_microdata(db_session)
    db_session.commit()
    client.get("/bahasa/en")
    page = client.get(f"/katalog/{dataset.id}?var=987654").get_data(as_text=True)
    assert "Variabel yang dipilih" not in page
    assert "variable" in page.lower()


def test_unknown_language_is_ignored(client):
    client.get("/bahasa/xx")
    assert '<html lang="id">' in client.get("/katalog").get_data(as_text=True)


def test_a_page_s_translation_functions_read_as_jinja_s_own_do(app):
    """What `_()`, `ngettext` and `{% trans %}` give a page: the translation, escaped where the page
    escapes, its values filled in (any name, `%%` read as `%`), in the visitor's language."""
    from flask import render_template_string, session

    template = ('{{ _("Katalog") }}|{{ _("%(message)s & %(n)s%%", message="<b>", n=5) }}|'
                '{{ ngettext("%(num)d produk ditemukan", "%(num)d produk ditemukan", 2) }}|'
                '{% trans count=1 %}{{ count }} pesanan{% pluralize %}{{ count }} pesanan{% endtrans %}|'
                '{{ _("100%% lunas") }}')  # `%%` without values too
    with app.test_request_context():
        assert render_template_string(template) == "Katalog|&lt;b&gt; & 5%|2 produk ditemukan|1 pesanan|100% lunas"
        session["language"] = "en"
        assert render_template_string(template).startswith("Catalogue|&lt;b&gt; & 5%|2 products found|")
