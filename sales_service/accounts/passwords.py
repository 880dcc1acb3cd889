"""Which passwords are acceptable (NIST SP 800-63B, section 5.1.1.2). Pure module.

The rule: at least 8 characters, at most 128 (more than the 64 NIST asks us to accept;
the cap only keeps hashing cheap), any characters including spaces, no composition
rules, and no password that an attacker would try early: common or breached-style
passwords, keyboard patterns, repeats, dates, and passwords built from the person's
own e-mail address or name. The judgement of "tried early" is zxcvbn's (Dropbox's
estimator with its frequency lists of leaked passwords, names and words), not a list
of our own.
"""

from __future__ import annotations

import re

from zxcvbn import zxcvbn

from sales_service.errors import N_, InvalidInput

MIN_LENGTH = 8
MAX_LENGTH = 128
# zxcvbn scores 0-4; 3 means "safely unguessable: moderate protection from an offline
# slow-hash scenario" (about 10^8 guesses or more). Below that the password falls to a
# short online or offline attack.
MIN_SCORE = 3
# zxcvbn judges only the first characters (its cost grows with length, it refuses beyond 72);
# a long password whose start is judged strong is strong.
_JUDGED_LENGTH = 72  # zxcvbn raises beyond 72 characters


PERSONAL = N_("Kata sandi tidak boleh disusun dari alamat e-mail atau nama Anda; pilih kata sandi lain.")
COMMON = N_("Kata sandi ini termasuk yang paling sering dipakai dan bocor; pilih kata sandi lain.")
PATTERN = N_("Kata sandi ini berupa pengulangan, urutan atau pola papan ketik yang mudah ditebak; "
             "pilih kata sandi lain.")
DATE = N_("Kata sandi ini berupa tanggal yang mudah ditebak; pilih kata sandi lain.")
GUESSABLE = N_("Kata sandi ini terlalu mudah ditebak; pakai beberapa kata yang tidak berhubungan "
               "(misalnya empat kata acak).")


class WeakPassword(InvalidInput):
    """The password would be guessed early; the message says why."""


def check_password(password: str, *, email: str = "", full_name: str = "") -> None:
    """Accept ``password`` for the person with ``email`` and ``full_name``, or raise
    :class:`WeakPassword` with the reason."""
    password = password or ""
    if len(password) < MIN_LENGTH:
        raise WeakPassword("Kata sandi minimal {n} karakter.", n=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        raise WeakPassword("Kata sandi maksimal {n} karakter.", n=MAX_LENGTH)
    personal = _personal_words(email, full_name)
    result = zxcvbn(password[:_JUDGED_LENGTH], user_inputs=personal)
    if _built_from(password, personal) or _mostly_personal(result, personal):
        raise WeakPassword(PERSONAL)
    if result["score"] < MIN_SCORE:
        raise WeakPassword(_reason(result))


def _personal_words(email: str, full_name: str) -> list[str]:
    """The e-mail address, its parts and the words of the name, lowercased."""
    email = (email or "").strip().lower()
    local, _, domain = email.partition("@")
    words = [email, local, domain.split(".")[0] if domain else ""]
    words += re.split(r"[^0-9a-z]+", local)
    words += (full_name or "").lower().split()
    words.append("".join((full_name or "").lower().split()))
    return [word for word in dict.fromkeys(words) if len(word) >= 3]


def _letters(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", text.lower())


def _built_from(password: str, personal: list[str]) -> bool:
    """The password, once digits, spaces and punctuation are set aside, is one of the
    person's words or the whole address ("Budi.Santoso2024", "budi@example.test")."""
    bare = _letters(password)
    stripped = re.sub(r"[0-9]+", "", bare)
    candidates = {_letters(word) for word in personal}
    return bool(bare in candidates or (len(stripped) >= 3 and stripped in candidates))


def _mostly_personal(result: dict, personal: list[str]) -> bool:
    """At least half of the password is matched by zxcvbn against the person's own words."""
    if not personal:
        return False
    covered = sum(len(match["token"]) for match in result["sequence"]
                  if match.get("dictionary_name") == "user_inputs")
    return covered * 2 >= len(result["password"])


def _reason(result: dict) -> str:
    patterns = {match.get("pattern") for match in result["sequence"]}
    dictionaries = {match.get("dictionary_name") for match in result["sequence"]}
    if "passwords" in dictionaries:
        return COMMON
    if "date" in patterns:
        return DATE
    if patterns & {"repeat", "sequence", "spatial"}:
        return PATTERN
    return GUESSABLE
