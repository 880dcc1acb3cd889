"""Issue 8, point 6: what is shown is what is ordered. Without JavaScript, "Pesan" orders the
variables ticked now, priced afresh (never the set priced last); the same data set added to a
draft twice is refused with a message; while an invoice correction is open the page does not
tell the buyer to pay a code that a reissue would void."""

import re
from datetime import date

import pytest

from sales_service.invoices.gateway import SimulatedSimponi
from sales_service.orders import ordering, review
from sales_service.orders.workflow import Actor
from sales_service.roles import Role
from tests.buyer_steps import element_text, page, send, sign_in_as, submit_form, text_of
from tests.factories import make_buyer, make_microdata, make_publication, make_staff

BUYER, OFFICER = "ani@example.test", "petugas@example.test"
DAY = date(2026, 11, 24)


@pytest.fixture
def dataset(app, db_session):
    """10.000 records; R101 and R102 are 2 bytes wide, KAPITA 12 (full set 160.000 bytes)."""
    make_buyer(db_session, email=BUYER, full_name="Ani Buyer")
    dataset = make_microdata(db_session, record_count=10_000)
    db_session.commit()
    return {v.name: v.id for v in dataset.variables} | {"id": dataset.id}


def test_without_javascript_pesan_orders_the_ticked_variables_not_the_last_priced_set(client, dataset):
    sign_in_as(client, BUYER)
    product = page(client, f"/katalog/{dataset['id']}")
    priced = text_of(submit_form(client, product, "quote-form", tick={"var": [str(dataset["R101"])]},
                                 button=("step", "price")))
    assert "untuk 1 variabel terpilih" in priced
    # KAPITA ticked too, "Hitung harga" not pressed again: the order takes both, priced now.
    response = submit_form(client, priced, "quote-form",
                           tick={"var": [str(dataset[name]) for name in ("R101", "KAPITA")]},
                           button=("step", "order"))
    order = text_of(response)
    lines = element_text(order, "lines")
    assert "Variabel: R101 , KAPITA" in lines and "R102" not in lines
    assert "Perkiraan ukuran" in order  # a subset, priced on an estimate


def test_the_same_data_set_twice_on_a_draft_is_refused_with_a_message(client, dataset):
    sign_in_as(client, BUYER)
    product = page(client, f"/katalog/{dataset['id']}")
    first = submit_form(client, product, "quote-form", tick={"var": [str(dataset["R101"])]}, button=("step", "order"))
    order_id = re.search(r"/pesanan/(\d+)$", first.request.path).group(1)
    again = submit_form(client, page(client, f"/katalog/{dataset['id']}"), "quote-form",
                        tick={"var": [str(dataset["KAPITA"])]}, button=("step", "order"))
    assert again.request.path == f"/katalog/{dataset['id']}"  # back on the product page
    html = text_of(again)
    assert re.search(r"Susenas Maret 2024 sudah ada di pesanan PST-\d{4}-\d{6}\. Untuk memilih variabel lain, "
                     r"hapus dulu barisnya dari pesanan itu\.", html)
    assert re.search(rf'name="var" value="{dataset["KAPITA"]}" checked', html)  # the choice is still ticked
    lines = element_text(page(client, f"/pesanan/{order_id}"), "lines")
    assert lines.count("Susenas Maret 2024") == 1 and "KAPITA" not in lines


@pytest.fixture
def invoiced(app, db_session):
    buyer = make_buyer(db_session, email=BUYER, full_name="Ani Buyer")
    officer = make_staff(db_session, Role.OFFICER, email=OFFICER)
    order = ordering.add_to_order(db_session, buyer, make_publication(db_session).id, on=DAY)
    ordering.update_details(db_session, Actor(buyer), order.id, purpose="Kajian", commercial=True,
                            claim_zero_rate=False)
    ordering.submit(db_session, Actor(buyer), order.id, today=DAY, sla_days={})
    review.accept(db_session, Actor(officer), order.id)
    db_session.commit()
    app.extensions["billing_gateway_factory"] = lambda config: SimulatedSimponi(
        webhook_url="http://127.0.0.1:9/", webhook_secret=config["WEBHOOK_SECRET"])
    return order.id


def test_while_a_correction_is_open_the_code_is_not_offered_for_payment(client, invoiced):
    sign_in_as(client, OFFICER)
    send(client, f"/pesanan/{invoiced}/invoice")
    sign_in_as(client, BUYER)
    code = re.search(r"<code>(\d{15})</code>", page(client, f"/pesanan/{invoiced}")).group(1)
    send(client, f"/pesanan/{invoiced}/koreksi", target="invoice", reason="Nama instansi salah.")
    waiting = page(client, f"/pesanan/{invoiced}")
    assert "Jangan membayar dulu: permintaan koreksi belum dijawab petugas." in waiting
    assert code not in waiting and "Bayar di bank/pos persepsi" not in waiting

    sign_in_as(client, OFFICER)
    send(client, f"/pesanan/{invoiced}/koreksi/tolak", explanation="Nama sudah sesuai profil.")
    sign_in_as(client, BUYER)
    answered = page(client, f"/pesanan/{invoiced}")
    assert code in answered and "Bayar di bank/pos persepsi" in answered  # declined: the code stands
