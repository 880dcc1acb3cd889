"""What an order needs before an officer can review it (DOMAIN.md "Requirements").

Publications need nothing; microdata and maps need an abstract of data use; an
Rp0 claim needs a request letter; private companies need an NPWP on file. Pure.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from sales_service.errors import N_
from sales_service.pnbp.schedule import ProductKind


class Requirement(StrEnum):
    ABSTRACT = "abstract"
    REQUEST_LETTER = "request_letter"
    NPWP = "npwp"


REQUIREMENT_LABELS = {
    Requirement.ABSTRACT: N_("Abstraksi penggunaan data"),
    Requirement.REQUEST_LETTER: N_("Surat permohonan tarif Rp0"),
    Requirement.NPWP: N_("NPWP perusahaan"),
}

# Microdata and maps are used under a data-use agreement: they need an abstract of
# data use before review and a signed SPPD before delivery (DOMAIN.md "SPPD").
NEEDS_AGREEMENT = frozenset({ProductKind.MICRODATA, ProductKind.MAP})


def needs_agreement(kinds: Iterable[ProductKind]) -> bool:
    """Whether an order of these product kinds needs an abstract and an SPPD."""
    return bool(NEEDS_AGREEMENT & set(kinds))


def has_sample(kinds: Iterable[ProductKind]) -> bool:
    """Microdata orders get a sample of the data with the invoice."""
    return ProductKind.MICRODATA in set(kinds)


@dataclass(frozen=True)
class RequirementCheck:
    requirement: Requirement
    met: bool


def check_requirements(
    *,
    kinds: Iterable[ProductKind],
    zero_rate_claimed: bool,
    needs_npwp: bool,
    has_npwp: bool,
    has_abstract: bool,
    has_request_letter: bool,
) -> list[RequirementCheck]:
    """The requirements this order has, each with whether it is met."""
    checks = []
    if needs_agreement(kinds):
        checks.append(RequirementCheck(Requirement.ABSTRACT, has_abstract))
    if zero_rate_claimed:
        checks.append(RequirementCheck(Requirement.REQUEST_LETTER, has_request_letter))
    if needs_npwp:
        checks.append(RequirementCheck(Requirement.NPWP, has_npwp))
    return checks
