"""Numbers per language on pages (issue 8, point 12): counts and rupiah grouped as the
visitor's language writes them."""

import re

from tests.factories import make_microdata

PRICE = re.compile(r'id="price">([^<]+)<')


def test_prices_and_counts_are_grouped_as_the_visitor_s_language_writes_numbers(client, db_session):
    dataset = make_microdata(db_session, record_count=1_000_000)  # 16.000.000 bytes: Rp320.000
    db_session.commit()
    assert PRICE.search(client.get(f"/katalog/{dataset.id}").get_data(as_text=True)).group(1) == "Rp320.000"
    assert "1.000.000 record" in client.get("/katalog").get_data(as_text=True)
    client.get("/bahasa/en")
    assert PRICE.search(client.get(f"/katalog/{dataset.id}").get_data(as_text=True)).group(1) == "Rp320,000"
    assert "1,000,000 record" in client.get("/katalog").get_data(as_text=True)
