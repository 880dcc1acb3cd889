"""Who is who: the roles of the service. Pure: the view decorators that check them
live in :mod:`sales_service.access`."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    BUYER = "buyer"
    OFFICER = "officer"  # petugas PST
    TREASURER = "treasurer"  # bendahara penerimaan
    ADMIN = "admin"


STAFF_ROLES = frozenset({Role.OFFICER, Role.TREASURER, Role.ADMIN})
