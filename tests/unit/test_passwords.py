"""The password rule (NIST SP 800-63B, zxcvbn's judgement): refused with the reason, or accepted."""

import pytest

from sales_service.accounts.passwords import (
    COMMON,
    DATE,
    MAX_LENGTH,
    PATTERN,
    PERSONAL,
    WeakPassword,
    check_password,
)

PERSON = dict(email="budi.santoso@example.test", full_name="Budi Santoso")


@pytest.mark.parametrize(("password", "reason"), [
    ("12345678", COMMON),
    ("password", COMMON),
    ("demo12345", COMMON),
    ("qwertyuiop", COMMON),
    ("        ", PATTERN),  # eight spaces
    ("abcdefghijk", PATTERN),
    ("zxzxzxzxzxzx", PATTERN),
    ("17081945", DATE),
    ("budi.santoso@example.test", PERSONAL),  # the e-mail address itself
    ("BudiSantoso2025", PERSONAL),
    ("santoso.budi!!", PERSONAL),
    ("Budi Santoso 1", PERSONAL),
    ("kucingku1", COMMON),
])
def test_guessable_passwords_are_refused_with_the_reason(password, reason):
    with pytest.raises(WeakPassword) as refused:
        check_password(password, **PERSON)
    assert refused.value.template == reason


@pytest.mark.parametrize("password", ["", "a", "Tujuh!7"])
def test_fewer_than_8_characters_are_refused(password):
    with pytest.raises(WeakPassword, match="minimal 8 karakter"):
        check_password(password, **PERSON)


@pytest.mark.parametrize("password", [
    "kopi tubruk sawah hujan",
    "garam laut di Klaten",
    "Sawah Hijau Pagi 2026!",
    "ꦱꦼꦥꦸꦂ ꦲꦶꦗꦺꦴ Кириллица 東京タワー",  # any script, spaces kept
    "x7#Lq9!vR2",
    "kereta api malam ke Surabaya membawa " + "durian " * 4,  # 64 characters and more
])
def test_long_unrelated_passwords_are_accepted(password):
    check_password(password, **PERSON)


def test_up_to_128_characters_are_accepted_and_more_are_refused():
    words = "kereta api malam ke Surabaya membawa durian Medan mangga Indramayu salak Pondoh jeruk Pontianak "
    long_one = (words + "kopi Toraja teh Kayu Aro cokelat Jembrana vanili Papua lada Lampung pala Banda")[:MAX_LENGTH]
    assert len(long_one) == MAX_LENGTH
    check_password(long_one, **PERSON)
    with pytest.raises(WeakPassword, match="maksimal"):
        check_password(long_one + "x", **PERSON)
