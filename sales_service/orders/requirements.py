"""What an order needs before an officer can review it (DOMAIN.md "Requirements").

Every order states its purpose and use (commercial or not); microdata and maps need an
abstract of data use; an Rp0 claim needs a request letter and names the institution and
purpose behind it; private companies need an NPWP on file. A requirement the officer's
last return names is shown as needing work until something new is given for it. Pure.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from sales_service.errors import N_
from sales_service.pnbp.schedule import ProductKind


class Requirement(StrEnum):
    PURPOSE = "purpose"
    ABSTRACT = "abstract"
    REQUEST_LETTER = "request_letter"
    ZERO_RATE_CLAIM = "zero_rate_claim"
    NPWP = "npwp"


REQUIREMENT_LABELS = {
    Requirement.PURPOSE: N_("Tujuan dan sifat penggunaan (komersial atau nonkomersial)"),
    Requirement.ABSTRACT: N_("Abstraksi penggunaan data"),
    Requirement.REQUEST_LETTER: N_("Surat permohonan tarif Rp0"),
    Requirement.ZERO_RATE_CLAIM: N_("Lembaga pemohon dan tujuan tarif Rp0"),
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
    returned: bool = False  # the officer's last return names it and nothing new was given since

    @property
    def state(self) -> str:
        """``met``, ``missing`` or ``to_fix`` (given, but returned by the officer for correction)."""
        return "to_fix" if self.returned else "met" if self.met else "missing"


def check_requirements(
    *,
    kinds: Iterable[ProductKind],
    zero_rate_claimed: bool,
    needs_npwp: bool,
    has_npwp: bool,
    has_abstract: bool,
    has_request_letter: bool,
    has_purpose: bool | None = None,
    zero_rate_claim_complete: bool | None = None,
    returned: Iterable[Requirement] = (),
) -> list[RequirementCheck]:
    """The requirements this order has, each with whether it is met; ``has_purpose`` and
    ``zero_rate_claim_complete`` None leave those out. ``returned``: what the officer's last
    return asks to correct and the buyer has not given anew since."""
    returned = set(returned)
    checks = []
    if has_purpose is not None:
        checks.append(RequirementCheck(Requirement.PURPOSE, has_purpose))
    if needs_agreement(kinds):
        checks.append(RequirementCheck(Requirement.ABSTRACT, has_abstract))
    if zero_rate_claimed:
        checks.append(RequirementCheck(Requirement.REQUEST_LETTER, has_request_letter))
        if zero_rate_claim_complete is not None:
            checks.append(RequirementCheck(Requirement.ZERO_RATE_CLAIM, zero_rate_claim_complete))
    if needs_npwp:
        checks.append(RequirementCheck(Requirement.NPWP, has_npwp))
    return [RequirementCheck(c.requirement, c.met, returned=c.met and c.requirement in returned) for c in checks]
