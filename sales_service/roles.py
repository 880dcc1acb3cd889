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


class Capability(StrEnum):
    """What a role may do beyond one order (an order's own rules are ``orders.permissions``)."""

    ORDER_ONLINE = "order_online"  # put products on an order from the catalogue
    SERVE_WALK_IN = "serve_walk_in"  # the counter's guest book
    ADMINISTER = "administer"  # catalogue, staff accounts, leave days, API tokens


CAPABILITIES = {
    Role.BUYER: frozenset({Capability.ORDER_ONLINE}),
    Role.OFFICER: frozenset({Capability.SERVE_WALK_IN}),
    Role.TREASURER: frozenset(),
    Role.ADMIN: frozenset({Capability.SERVE_WALK_IN, Capability.ADMINISTER}),
}


def role_can(role: Role | None, capability: Capability | str) -> bool:
    return role is not None and Capability(capability) in CAPABILITIES[role]
