"""Who buys, and which buyers may receive the Rp0 (zero-rupiah) tariff.

Rp0 eligibility follows PP 7/2015 Pasal 8, PP 13/2024 Pasal 4, Perban BPS 2/2019 and the
BPS service standard "Penjualan Nol Rupiah" (2024): government bodies (central and
regional), state institutions, domestic education institutions, foreign missions and
international organisations, for non-commercial use only. Individuals (students included)
and companies pay; a student qualifies only through an institution's request letter, i.e.
as ``EDUCATION_INSTITUTION``.
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
