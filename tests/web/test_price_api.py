import pytest


@pytest.mark.parametrize("query, amount", [
    ("item=pub-electronic&quantity=250", 110_000),
    ("item=microdata-raw&quantity=1500000", 30_000),
    ("item=microdata-processed&quantity=1200000000", 26_400_000),
    ("item=map-national-desa&quantity=2", 72_000_000),
])
def test_price_api_answers_the_regulated_amount(client, query, amount):
    response = client.get(f"/api/v1/price?{query}&on=2026-11-24")
    assert response.status_code == 200
    body = response.get_json()
    assert body["amount"] == amount and isinstance(body["amount"], int)
    assert body["schedule"] == "pp-13-2024"
    assert body["quantity"] == int(query.split("quantity=")[1])
    assert body["item"] == query.split("&")[0].removeprefix("item=")
    assert body["basis"]


@pytest.mark.parametrize("query, status, message", [
    ("quantity=5", 422, "item"),
    ("item=pub-electronic", 422, "quantity"),
    ("item=pub-electronic&quantity=abc", 422, "positive whole number"),
    ("item=pub-electronic&quantity=-3", 422, "positive whole number"),
    ("item=pub-electronic&quantity=0", 422, "quantity"),
    ("item=pub-electronic&quantity=10&on=24-11-2026", 422, "YYYY-MM-DD"),
    ("item=peta-dunia&quantity=1", 404, "peta-dunia"),
    ("item=pub-printed&quantity=10&on=2020-06-01", 422, "not priceable under PP 7/2015: amount not recorded"),
    ("item=pub-electronic&quantity=10&on=2001-01-01", 404, "2001-01-01"),
])
def test_price_api_errors_are_json_with_a_message(client, query, status, message):
    response = client.get(f"/api/v1/price?{query}")
    assert response.status_code == status
    assert response.is_json
    assert message in response.get_json()["error"]


@pytest.mark.parametrize("query", [
    "item=pub-electronic&quantity=%C2%B2",  # "²" passes str.isdigit() but is no number
    "item=microdata-raw&quantity=" + "9" * 40,
    "item=microdata-raw&quantity=" + "9" * 5000,
])
def test_strange_quantities_get_a_clear_422_not_a_crash(client, query):
    response = client.get(f"/api/v1/price?{query}")
    assert response.status_code == 422 and response.is_json


@pytest.mark.parametrize("path", [
    "/katalog/99999999999999999999999",
    "/katalog?tahun=%C2%B2",
    "/katalog?hal=99999999999999999999",
])
def test_strange_ids_and_filters_do_not_crash_the_catalogue(client, path):
    assert client.get(path).status_code in (200, 404)
