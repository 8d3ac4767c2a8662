"""Sprintf: Go's fmt.Sprintf (chain/golang/fmt) over Needle values, as the reference's built-in.

`%v` of an array applies the verb and width to each item, a mismatched verb prints
`%!d(string=x)`, a missing argument `%!d(MISSING)`, unused ones `%!(EXTRA int64=1)`. Maps and
money print through their String() (`map[k:v]`, decimal text) for the verbs Go sends to
String() (v s x X q); for the other verbs Go prints their internal pointers, which differ from
run to run, so we print the bad-verb form instead (`%!d(decimal.Decimal=12)`). Output is capped
at 1 MiB (chain.golang.fmt.MAX_OUTPUT) and arrays that contain themselves are refused, so
aliased arrays cannot make it run long.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Final

from chain.golang.decimal import decimal_text
from chain.golang.fmt import Printer
from contracts.builtins.format import go_text
from contracts.builtins.gotypes import go_type, want_str

MAX_DEPTH: Final = 1000
_END: Final = object()


def sprintf(pattern: Any, *args: Any) -> str:
    """fmt.Sprintf(format, args...) as the reference's Sprintf built-in."""
    return _NeedlePrinter().sprintf(want_str(pattern), args)


class _NeedlePrinter(Printer):
    """Go's printer for the Needle value model (int64, float64, string, []byte, money, maps)."""

    __slots__ = ()

    def type_name(self, value: Any) -> str:
        return go_type(value)

    def fmt_stringer(self, value: Any, text: str, verb: str) -> None:
        """Money and maps: Go prints their String() for v s x X q.

        For other verbs (and %#v) Go prints their inner pointers, different on every run; we
        print the bad-verb form instead so the output stays deterministic.
        """
        if verb in ("v", "s", "x", "X", "q") and not self.erroring:
            sharp_v, self.sharp_v = self.sharp_v, False
            self.fmt_string(text, verb)
            self.sharp_v = sharp_v
        elif self.erroring:
            self.write(text)
        else:
            self.bad_verb(verb, value)

    def print_arg(self, arg: Any, verb: str) -> None:
        """One argument at the top level (printArg)."""
        if arg is None:
            if verb in ("T", "v"):
                self.pad("<nil>")
            else:
                self.bad_verb(verb, None)
            return
        if verb == "T":
            self.fmt_s(go_type(arg))
            return
        if verb == "p" or (verb == "w" and type(arg) in (list, dict, Decimal)):
            # %p: Go prints an address for arrays, maps and bytes, never the same twice.
            # %w: Sprintf takes no error to wrap; Go refuses it before looking at the value.
            self.bad_verb(verb, arg)
            return
        if type(arg) is bytes:
            self.fmt_bytes(arg, verb, "[]byte")
        elif type(arg) is list:
            self.print_list(arg, verb)
        else:
            self.print_scalar(arg, verb)

    def print_scalar(self, value: Any, verb: str) -> None:
        kind = type(value)
        if kind is str:
            self.fmt_string(value, verb)
        elif kind is int:
            self.fmt_int(value, True, verb)
        elif kind is bool:
            self.fmt_bool(value, verb)
        elif kind is float:
            self.fmt_float(value, verb)
        elif kind is Decimal:
            self.fmt_stringer(value, decimal_text(value), verb)
        elif kind is dict:
            self.fmt_stringer(value, go_text(value), verb)
        elif kind is bytes:
            # Inside an array bytes are a []uint8 value: the byte verbs, else item by item.
            if verb in ("s", "q", "x", "X"):
                self.fmt_bytes(value, verb, "[]uint8")
            elif self.sharp_v:
                self.fmt_bytes(value, "v", "[]uint8")
            else:
                self.fmt_bytes(value, verb if verb != "v" else "d", "[]uint8")
        else:
            raise TypeError(f"cannot format a {go_type(value)}")

    def print_list(self, array: list[Any], verb: str) -> None:
        """An array, its items printed with the same verb and flags (iteratively, bounded)."""
        opening, separator, closing = (
            ("[]interface {}{", ", ", "}") if self.sharp_v else ("[", " ", "]")
        )
        stack: list[tuple[Any, int, list[bool]]] = []
        open_ids: set[int] = set()

        def enter(items: list[Any]) -> None:
            if id(items) in open_ids:
                raise ValueError("the array contains itself")
            if len(stack) >= MAX_DEPTH:
                raise ValueError(f"the array is nested deeper than {MAX_DEPTH} levels")
            self.write(opening)
            stack.append((iter(items), id(items), [True]))
            open_ids.add(id(items))

        enter(array)
        while stack:
            items, ident, first = stack[-1]
            item = next(items, _END)
            if item is _END:
                stack.pop()
                open_ids.discard(ident)
                self.write(closing)
                continue
            if not first[0]:
                self.write(separator)
            first[0] = False
            if type(item) is list:
                enter(item)
            elif item is None:
                self.write("interface {}(nil)" if self.sharp_v else "<nil>")
            else:
                self.print_scalar(item, verb)
