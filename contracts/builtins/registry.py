"""The one registry of built-ins: each name once, with its fuel price; twice fails at import."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from typing import Any, ParamSpec, TypeVar

from contracts.program import Builtin

F = TypeVar("F", bound=Callable[..., Any])
P = ParamSpec("P")
Made = dict[str, Builtin]


class DuplicateBuiltinError(Exception):
    """A built-in name registered twice, or a factory that made names it did not register."""


class Registry:
    """Built-ins by name. Most are registered with `builtin`; the ones that need a node's or a
    transaction's context are made by a `factory`, whose names are reserved when it is
    registered, so a clash with them fails at import too."""

    def __init__(self) -> None:
        self._entries: dict[str, Builtin] = {}
        self._made: set[str] = set()

    def _claim(self, name: str) -> None:
        if name in self._entries or name in self._made:
            raise DuplicateBuiltinError(f"built-in {name} is registered twice")

    def add(self, name: str, entry: Builtin) -> None:
        """Register `entry` under `name`."""
        self._claim(name)
        self._entries[name] = entry

    def builtin(
        self,
        name: str,
        fuel: int,
        *,
        machine: bool = False,
        tails: Iterable[str] = (),
        output_fuel: bool = False,
        input_fuel: bool = False,
    ) -> Callable[[F], F]:
        """Decorator: register the function as built-in `name` (see program.Builtin)."""

        def register(fn: F) -> F:
            entry = Builtin(fn, fuel, machine, frozenset(tails), output_fuel, input_fuel)
            self.add(name, entry)
            return fn

        return register

    def factory(self, *names: str) -> Callable[[Callable[P, Made]], Callable[P, Made]]:
        """Decorator: the function makes the built-ins `names` for a given context."""
        for name in names:
            self._claim(name)
        self._made.update(names)

        def register(make: Callable[P, Made]) -> Callable[P, Made]:
            @functools.wraps(make)
            def checked(*args: P.args, **kwargs: P.kwargs) -> Made:
                made = make(*args, **kwargs)
                if set(made) != set(names):
                    raise DuplicateBuiltinError(
                        f"{make.__name__} made {sorted(made)}, not the names it registered"
                    )
                return made

            return checked

        return register

    def __getitem__(self, name: str) -> Builtin:
        return self._entries[name]

    def table(self, *made: Mapping[str, Builtin]) -> dict[str, Builtin]:
        """Every registered built-in, with the ones factories `made` for this context."""
        table = dict(self._entries)
        for part in made:
            for name, entry in part.items():
                if name not in self._made or name in table:
                    raise DuplicateBuiltinError(f"built-in {name} is made twice or not reserved")
                table[name] = entry
        return table

    def pure(self) -> dict[str, Builtin]:
        """The registered built-ins that need no machine (nor a chain behind it)."""
        return {name: entry for name, entry in self._entries.items() if not entry.machine}


REGISTRY = Registry()
