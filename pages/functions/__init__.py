"""What every Logicor function does: one behaviour per name of the function table.

`BEHAVIOURS` maps the `run`/`full` names of pages.spec to async functions of a call's
context returning the text the call writes ("" for none). Every name the table uses must
have one; this is checked when the package is imported.
"""

from __future__ import annotations

from pages.functions import data, sources, tags, values  # noqa: F401 - they fill REGISTRY
from pages.functions.common import REGISTRY
from pages.renderer import Behaviour
from pages.spec import FUNCS, TAILS

BEHAVIOURS: dict[str, Behaviour] = dict(REGISTRY)


def _check() -> None:
    specs = [*FUNCS.values(), *(t for table in TAILS.values() for t in table.values())]
    missing = sorted({n for s in specs for n in (s.run, s.full) if n not in BEHAVIOURS})
    if missing:
        raise ImportError(f"Logicor behaviours missing: {', '.join(missing)}")


_check()
