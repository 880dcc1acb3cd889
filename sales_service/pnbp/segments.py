"""Who buys, and which buyers may receive the Rp0 (zero-rupiah) tariff.

Rp0 eligibility follows PP 7/2015 Pasal 8, PP 13/2024 Pasal 4, Perban BPS 2/2019 and the
BPS service standard "Penjualan Nol Rupiah" (2024): government bodies (central and
regional), state institutions, domestic education institutions, foreign missions and
international organisations, for non-commercial use only. Individuals (students included)
and companies pay; a student (or any individual) qualifies only through the request letter
of an eligible institution, which the order names with one of the four purposes.
"""

from __future__ import annotations

from enum import StrEnum


class BuyerSegment(StrEnum):
    INDIVIDUAL = "individual"
    STUDENT = "student"
    PRIVATE_COMPANY = "private_company"
    CENTRAL_GOVERNMENT = "central_government"  # central government body or state institution
    REGIONAL_GOVERNMENT = "regional_government"
    EDUCATION_INSTITUTION = "education_institution"  # domestic only
    FOREIGN_MISSION = "foreign_mission"
    INTERNATIONAL_ORGANISATION = "international_organisation"


# The five groups named by PP 7/2015 Pasal 8 and the 2024 "Penjualan Nol Rupiah" standard.
# A schedule file states its own list (``[zero_rate] segments``); this is the legal default.
ZERO_RATE_SEGMENTS: frozenset[BuyerSegment] = frozenset(
    {
        BuyerSegment.CENTRAL_GOVERNMENT,
        BuyerSegment.REGIONAL_GOVERNMENT,
        BuyerSegment.EDUCATION_INSTITUTION,
        BuyerSegment.FOREIGN_MISSION,
        BuyerSegment.INTERNATIONAL_ORGANISATION,
    }
)

# (Indonesian label, English label)
SEGMENT_LABELS: dict[BuyerSegment, tuple[str, str]] = {
    BuyerSegment.INDIVIDUAL: ("Perorangan", "Individual"),
    BuyerSegment.STUDENT: ("Mahasiswa/pelajar", "Student"),
    BuyerSegment.PRIVATE_COMPANY: ("Perusahaan swasta", "Private company"),
    BuyerSegment.CENTRAL_GOVERNMENT: (
        "Instansi pemerintah pusat/lembaga negara",
        "Central government body / state institution",
    ),
    BuyerSegment.REGIONAL_GOVERNMENT: ("Pemerintah daerah", "Regional government"),
    BuyerSegment.EDUCATION_INSTITUTION: (
        "Lembaga pendidikan dalam negeri",
        "Domestic education institution",
    ),
    BuyerSegment.FOREIGN_MISSION: ("Perwakilan negara asing", "Foreign mission"),
    BuyerSegment.INTERNATIONAL_ORGANISATION: (
        "Lembaga internasional",
        "International organisation",
    ),
}


class ZeroRatePurpose(StrEnum):
    """The four purposes for which Rp0 may be given (BPS service standard "Penjualan Nol
    Rupiah", 2024; Perban BPS 2/2019). The order records which one was claimed."""

    GOVERNMENT = "government"  # penyelenggaraan pemerintahan
    RESEARCH = "research"  # penelitian dan ilmu pengetahuan
    COMMUNITY = "community"  # pemberdayaan masyarakat
    INTERNATIONAL = "international"  # komitmen internasional


# (Indonesian label, English label)
PURPOSE_LABELS: dict[ZeroRatePurpose, tuple[str, str]] = {
    ZeroRatePurpose.GOVERNMENT: ("Penyelenggaraan pemerintahan", "Government work"),
    ZeroRatePurpose.RESEARCH: ("Penelitian dan ilmu pengetahuan", "Research and science"),
    ZeroRatePurpose.COMMUNITY: ("Pemberdayaan masyarakat", "Community empowerment"),
    ZeroRatePurpose.INTERNATIONAL: ("Komitmen internasional", "International commitments"),
}


class ClaimRoute(StrEnum):
    """How a buyer of a segment may claim Rp0."""

    OWN_RIGHT = "own_right"  # the buyer is itself an eligible institution
    INSTITUTION_LETTER = "institution_letter"  # a person, through an eligible institution's letter
    NONE = "none"  # companies, and institutions that do not qualify, always pay


# People: they pay, but may qualify through the request letter of an eligible institution
# they work or study for (the 2024 standard: "mahasiswa ... melalui surat permohonan instansi").
PERSONS = frozenset({BuyerSegment.INDIVIDUAL, BuyerSegment.STUDENT})


def claim_route(segment: BuyerSegment | None, *, abroad: bool) -> ClaimRoute:
    """How (whether) a buyer of ``segment`` may claim Rp0. An education institution
    qualifies only when domestic (PP 7/2015 Pasal 8: "lembaga pendidikan dalam negeri")."""
    if segment is None:
        return ClaimRoute.NONE
    if segment in PERSONS:
        return ClaimRoute.INSTITUTION_LETTER
    if segment == BuyerSegment.EDUCATION_INSTITUTION and abroad:
        return ClaimRoute.NONE
    return ClaimRoute.OWN_RIGHT if segment in ZERO_RATE_SEGMENTS else ClaimRoute.NONE


def claiming_segment(segment: BuyerSegment | None, *, abroad: bool,
                     institution_segment: BuyerSegment | None = None) -> BuyerSegment | None:
    """The eligible segment an Rp0 claim is made under, or None when the buyer cannot claim:
    the buyer's own, or for a person the institution's whose letter they bring (a domestic
    education institution when not yet named, the usual case of a student)."""
    route = claim_route(segment, abroad=abroad)
    if route == ClaimRoute.OWN_RIGHT:
        return segment
    if route == ClaimRoute.INSTITUTION_LETTER:
        chosen = institution_segment or BuyerSegment.EDUCATION_INSTITUTION
        return chosen if chosen in ZERO_RATE_SEGMENTS else None
    return None
