"""Issue 8, point 5: nothing the user typed is lost on an error. A refused upload keeps the
abstract's fields; a file too large to read comes back to the order page saying the limit; a
refused action answers with the order page's address (for htmx) and its own address, reopened,
leads to the order page instead of a 405; a new abstract version keeps the previous attachment
unless a new file is given."""

import re

import pytest

from tests.buyer_steps import element_text, page, send, sign_in_as, text_of
from tests.factories import make_buyer, make_microdata, pdf_bytes

BUYER = "ani@example.test"
TYPED = dict(title="Ketimpangan di Klaten", background="Latar belakang yang panjang dan teliti.",
             method="Indeks Gini per kecamatan.", data_requested="Susenas 2024, Klaten, KAPITA.",
             outputs="Skripsi.", no_redistribution="on")


@pytest.fixture
def draft(app, db_session, client):
    """A buyer's draft order of a microdata set (it needs an abstract), opened in the client."""
    buyer = make_buyer(db_session, email=BUYER)
    dataset = make_microdata(db_session)
    db_session.commit()
    from sales_service.orders import ordering
    from tests.factories import ORDER_DAY

    order = ordering.add_to_order(db_session, buyer, dataset.id, on=ORDER_DAY)
    db_session.commit()
    sign_in_as(client, BUYER)
    return order.id


def abstract_form_values(html: str) -> dict:
    form = html[html.index('id="abstract-form"'):]
    form = form[:form.index("</form>")]
    values = dict(re.findall(r'<input name="(\w+)" value="([^"]*)"', form))
    values.update(re.findall(r'<textarea name="(\w+)"[^>]*>([^<]*)</textarea>', form))
    return values


def test_a_refused_upload_keeps_what_was_typed_into_the_abstract(client, draft):
    response = send(client, f"/pesanan/{draft}/abstrak", file=(b"MZ\x90\x00 not a document", "abstrak.exe"),
                    **TYPED)
    html = text_of(response)
    assert response.status_code in (415, 422)
    assert element_text(html, "form-error")  # the reason is shown
    values = abstract_form_values(html)
    assert values["title"] == TYPED["title"] and values["background"] == TYPED["background"]
    assert values["method"] == TYPED["method"] and values["outputs"] == TYPED["outputs"]
    assert re.search(r'name="no_redistribution" checked', html)


def test_a_file_too_large_to_read_comes_back_to_the_order_page_with_the_limit(client, app, draft):
    app.config["MAX_UPLOAD_MB"] = 1
    app.config["MAX_CONTENT_LENGTH"] = 2_000_000  # as the app sets it for 1 MB: a larger request is not read
    huge = pdf_bytes()[:-6] + b" " * 2_500_000 + b"%%EOF\n"
    response = send(client, f"/pesanan/{draft}/abstrak", file=(huge, "besar.pdf"), **TYPED)
    html = text_of(response)
    assert response.status_code == 413
    assert element_text(html, "form-error") == (
        "Berkas terlalu besar: batas 1 MB per berkas. Pilih berkas yang lebih kecil.")
    assert 'id="abstract-form"' in html  # the order page, where the form is, not an error page
    assert response.headers["HX-Replace-Url"] == f"/pesanan/{draft}"


def test_a_refused_action_leaves_no_address_that_answers_405(client, draft):
    refused = send(client, f"/pesanan/{draft}/ajukan")
    assert refused.status_code == 409 and "Isi dulu tujuan penggunaan data." in text_of(refused)
    # htmx shows the order page's address; the forms are sent by htmx (hx-boost).
    assert refused.headers["HX-Replace-Url"] == f"/pesanan/{draft}"
    assert re.search(r'<form method="post" hx-boost="true" action="/pesanan/\d+/ajukan"', text_of(refused))
    # Without JavaScript the action's address stays in the bar: reopening it shows the order.
    reopened = client.get(f"/pesanan/{draft}/ajukan")
    assert reopened.status_code == 303 and reopened.headers["Location"] == f"/pesanan/{draft}"


def test_the_details_typed_before_a_refusal_are_kept(client, draft):
    refused = send(client, f"/pesanan/{draft}/rincian", purpose="x" * 2001, commercial="0")
    html = text_of(refused)
    assert refused.status_code == 422 and "terlalu panjang" in element_text(html, "form-error")
    assert "x" * 2001 in html and re.search(r'name="commercial" value="0" checked', html)


def test_a_new_abstract_version_keeps_the_attachment_unless_a_new_one_is_given(client, draft):
    send(client, f"/pesanan/{draft}/abstrak", file=(pdf_bytes("Lampiran asli"), "lampiran.pdf"), **TYPED)
    html = page(client, f"/pesanan/{draft}")
    assert "tanpa berkas baru, versi baru tetap memakai lampiran.pdf" in html
    send(client, f"/pesanan/{draft}/abstrak", **dict(TYPED, method="Indeks Gini dan Theil."))
    versions = element_text(page(client, f"/pesanan/{draft}"), "abstract-versions")
    assert versions.count("lampiran.pdf") == 2  # version 2 carries the first version's attachment


def test_a_file_too_large_for_another_packages_upload_also_comes_back_to_the_order_page(client, app, draft):
    """The same answer for every upload form on the order page, not only the orders blueprint's
    (here the invoices blueprint's sample upload, refused before it is read)."""
    app.config["MAX_UPLOAD_MB"] = 1
    app.config["MAX_CONTENT_LENGTH"] = 2_000_000
    huge = pdf_bytes()[:-6] + b" " * 2_500_000 + b"%%EOF\n"
    response = send(client, f"/pesanan/{draft}/sampel", file=(huge, "sampel.pdf"))
    assert response.status_code == 413
    assert element_text(response.get_data(as_text=True), "form-error") == (
        "Berkas terlalu besar: batas 1 MB per berkas. Pilih berkas yang lebih kecil.")
