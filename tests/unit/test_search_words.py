"""What the officers' text search keeps and reads as words (``orders.search_words``): the same
word however it is typed, an order number in any of the forms officers quote, and a prefix range
that holds exactly the words beginning with the prefix."""

import pytest

from sales_service.orders.search_words import WORD_LENGTH, Term, order_words, prefix_bounds, terms, words


@pytest.mark.parametrize(("text", "expected"), [
    pytest.param("Ani Lestari", ["ani", "lestari"], id="name"),
    pytest.param("ANI  lestari", ["ani", "lestari"], id="case and spaces"),
    pytest.param("Déwi Ñoñó Łukasz", ["dewi", "nono", "łukasz"], id="accents dropped, other letters kept"),
    pytest.param("Straße", ["strasse"], id="case folded"),
    pytest.param("Universitas Gadjah-Mada, Yogyakarta.", ["universitas", "gadjah", "mada", "yogyakarta"],
                 id="punctuation separates"),
    pytest.param("Sakernas_Agustus 2025", ["sakernas", "agustus", "2025"], id="underscore separates"),
    pytest.param("D.I. Yogyakarta", ["d", "i", "yogyakarta"], id="initials"),
    pytest.param("Badan Pusat Statistik 統計局", ["badan", "pusat", "statistik", "統計局"], id="non-Latin words kept"),
    pytest.param("", [], id="empty"),
    pytest.param(None, [], id="none"),
    pytest.param("— · …", [], id="no letters"),
])
def test_words_are_kept_the_same_however_they_are_written(text, expected):
    assert words(text) == expected


def test_a_long_word_is_cut_so_that_typing_it_whole_still_matches():
    long = "Pneumonoultramicroscopicsilicovolcanoconiosis" * 2
    assert words(long) == [long.lower()[:WORD_LENGTH]]


def test_an_order_is_found_by_its_buyer_institution_and_every_lines_title():
    assert order_words("Citra Dewi", "Bappeda Jawa Tengah", ["Peta Kabupaten Boyolali", "Kecamatan Sawit 2025"]) == {
        "citra", "dewi", "bappeda", "jawa", "tengah", "peta", "kabupaten", "boyolali", "kecamatan", "sawit", "2025"}
    assert order_words("Ani", None, []) == {"ani"}


@pytest.mark.parametrize(("typed", "expected"), [
    pytest.param("lestari", [Term(("lestari",), None)], id="a word"),
    pytest.param("  Lest  SAKER ", [Term(("lest",), None), Term(("saker",), None)], id="two prefixes"),
    pytest.param("PST-2026-000123", [Term(("pst", "2026", "000123"), 123)], id="order number"),
    pytest.param("pst-2026-000123", [Term(("pst", "2026", "000123"), 123)], id="order number, lower case"),
    pytest.param("ORD-2026-000123", [Term(("ord", "2026", "000123"), 123)], id="another prefix"),
    pytest.param("2026-000123", [Term(("2026", "000123"), 123)], id="year and digits"),
    pytest.param("000123", [Term(("000123",), 123)], id="digits"),
    pytest.param("123", [Term(("123",), 123)], id="digits without zeros"),
    pytest.param("2025", [Term(("2025",), 2025)], id="a year is also a number"),
    pytest.param("Gadjah-Mada", [Term(("gadjah", "mada"), None)], id="hyphenated: both words"),
    pytest.param("1234567890123", [Term(("1234567890123",), None)], id="too long for a number"),
    pytest.param("- … —", [], id="nothing to search"),
    pytest.param("a b c d e f g", [Term((w,), None) for w in "abcde"], id="five terms at most"),
    pytest.param("dewi DEWI", [Term(("dewi",), None), Term(("dewi",), None)], id="repeated"),
])
def test_what_an_officer_types_is_read_as_terms(typed, expected):
    assert terms(typed) == expected


@pytest.mark.parametrize("prefix", ["lest", "z", "9", "ani", "統計", "ł"])
def test_a_prefix_range_holds_the_words_that_begin_with_it_and_no_other(prefix):
    low, high = prefix_bounds(prefix)
    inside = [prefix, prefix + "0", prefix + "a", prefix + "zzzz", prefix + "ÿ", prefix + "統"]
    outside = [prefix[:-1], prefix[:-1] + chr(ord(prefix[-1]) - 1) + "zzz", prefix[:-1] + chr(ord(prefix[-1]) + 1),
               "", "~" * 3]
    assert all(low <= word < high for word in inside)
    assert not any(low <= word < high and not word.startswith(prefix) for word in outside)
