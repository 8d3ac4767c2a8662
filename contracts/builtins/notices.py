"""UpdateNotifications and UpdateRolesNotifications: publish notification counts after the block."""

from __future__ import annotations

from typing import Any

from chain.numbers import clamp_int64
from contracts.builtins.data import host_of
from contracts.builtins.gotypes import want_int
from contracts.builtins.registry import REGISTRY
from contracts.vm import Machine

# The reference's price_exec_update_notifications / price_exec_update_roles_notifications.
NOTIFY_FUEL = 50


@REGISTRY.builtin("UpdateNotifications", fuel=NOTIFY_FUEL, machine=True)
def update_notifications(m: Machine, ecosystem: Any, *accounts: Any) -> None:
    """UpdateNotifications(ecosystem, account...): once the block is in, publish these
    accounts' notification counts (an array as the first account: its items). Values that
    are not strings are skipped, as the reference does."""
    host = host_of(m)
    eco = want_int(ecosystem)
    if accounts and isinstance(accounts[0], list):
        accounts = tuple(accounts[0])
    host.accounts.update((eco, a) for a in accounts if isinstance(a, str))


@REGISTRY.builtin("UpdateRolesNotifications", fuel=NOTIFY_FUEL, machine=True)
def update_roles_notifications(m: Machine, ecosystem: Any, *roles: Any) -> None:
    """UpdateRolesNotifications(ecosystem, roleId...): the same for every holder of these
    roles (ids as numbers or their text; an array as the first one: its items)."""
    host = host_of(m)
    eco = want_int(ecosystem)
    if roles and isinstance(roles[0], list):
        roles = tuple(roles[0])
    for role in roles:
        if isinstance(role, int) and not isinstance(role, bool):
            host.roles.add((eco, role))
        elif isinstance(role, str):
            host.roles.add((eco, clamp_int64(role)))
