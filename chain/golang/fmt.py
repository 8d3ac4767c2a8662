"""Go's fmt.Sprintf engine: verbs, flags, widths, precisions, argument indexes and error forms.

`Printer` formats Go's basic kinds byte for byte as fmt does; a subclass says how values of
its own model are printed (`print_arg`) and named (`type_name`, what %T and the error forms
show). Output is capped at MAX_OUTPUT characters.
"""

from __future__ import annotations

from typing import Any, Final

from chain.golang.ints import UINT64_MAX
from chain.golang.strconv import (
    LDIGITS,
    MAX_RUNE,
    UDIGITS,
    can_backquote,
    format_float,
    is_print,
    quote,
    quote_rune,
)

MAX_OUTPUT: Final = 1 << 20
_ARG_LIMIT: Final = 1_000_000  # fmt's tooLarge: widths, precisions and [n] beyond are refused


class Printer:
    """One Sprintf call: the output so far and the flags of the verb being printed."""

    __slots__ = (
        "parts",
        "size",
        "wid",
        "prec",
        "wid_present",
        "prec_present",
        "minus",
        "plus",
        "sharp",
        "space",
        "zero",
        "plus_v",
        "sharp_v",
        "erroring",
        "reordered",
        "good_arg_num",
    )

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.size = 0
        self.erroring = False
        self.reordered = False
        self.good_arg_num = True
        self.clear_flags()

    def clear_flags(self) -> None:
        self.wid = self.prec = 0
        self.wid_present = self.prec_present = False
        self.minus = self.plus = self.sharp = self.space = self.zero = False
        self.plus_v = self.sharp_v = False

    # -- output ----------------------------------------------------------------------------

    def reserve(self, count: int) -> None:
        if self.size + count > MAX_OUTPUT:
            raise ValueError(f"the formatted text is longer than {MAX_OUTPUT} characters")

    def write(self, text: str) -> None:
        self.reserve(len(text))
        self.size += len(text)
        self.parts.append(text)

    def padding(self, count: int) -> None:
        if count > 0:
            self.reserve(count)
            self.write(("0" if self.zero else " ") * count)

    def pad(self, text: str) -> None:
        """Text padded to the width (counted in characters) on the left, or right with '-'."""
        if not self.wid_present or self.wid == 0:
            self.write(text)
            return
        width = self.wid - len(text)
        if self.minus:
            self.write(text)
            self.padding(width)
        else:
            self.padding(width)
            self.write(text)

    def truncate(self, text: str) -> str:
        return text[: self.prec] if self.prec_present else text

    # -- strings and bytes -----------------------------------------------------------------

    def fmt_s(self, text: str) -> None:
        self.pad(self.truncate(text))

    def fmt_q(self, text: str) -> None:
        text = self.truncate(text)
        if self.sharp and can_backquote(text):
            self.pad("`" + text + "`")
        else:
            self.pad(quote(text, ascii_only=self.plus))

    def fmt_hex_text(self, data: bytes, digits: str) -> None:
        # fmtSbx: the bytes as hex, "0x" once with '#', per byte with '# ', spaced with ' '.
        length = len(data)
        if self.prec_present and self.prec < length:
            length = self.prec
        width = 2 * length
        if width <= 0:
            if self.wid_present:
                self.padding(self.wid)
            return
        if self.space:
            if self.sharp:
                width *= 2
            width += length - 1
        elif self.sharp:
            width += 2
        if self.wid_present and self.wid > width and not self.minus:
            self.padding(self.wid - width)
        self.reserve(width)
        body = data[:length].hex()
        if digits is UDIGITS:
            body = body.upper()
        prefix = "0" + digits[16] if self.sharp else ""
        if self.space:
            pairs = [body[i : i + 2] for i in range(0, len(body), 2)]
            self.write(prefix + (" " + prefix).join(pairs))
        else:
            self.write(prefix + body)
        if self.wid_present and self.wid > width and self.minus:
            self.padding(self.wid - width)

    def fmt_string(self, text: str, verb: str) -> None:
        if verb == "v":
            if self.sharp_v:
                self.fmt_q(text)
            else:
                self.fmt_s(text)
        elif verb == "s":
            self.fmt_s(text)
        elif verb == "x":
            self.fmt_hex_text(text.encode("utf-8", "surrogateescape"), LDIGITS)
        elif verb == "X":
            self.fmt_hex_text(text.encode("utf-8", "surrogateescape"), UDIGITS)
        elif verb == "q":
            self.fmt_q(text)
        else:
            self.bad_verb(verb, text)

    def fmt_bytes(self, data: bytes, verb: str, type_name: str) -> None:
        if verb in ("v", "d"):
            if self.sharp_v:
                self.write(type_name + "{")
                for i, byte in enumerate(data):
                    if i:
                        self.write(", ")
                    self.fmt_0x64(byte, True)
                self.write("}")
                return
            self.write("[")
            for i, byte in enumerate(data):
                if i:
                    self.write(" ")
                self.fmt_integer(byte, 10, False, verb, LDIGITS)
            self.write("]")
        elif verb == "s":
            self.pad(self.truncate(data.decode("utf-8", "surrogateescape")))
        elif verb == "x":
            self.fmt_hex_text(data, LDIGITS)
        elif verb == "X":
            self.fmt_hex_text(data, UDIGITS)
        elif verb == "q":
            self.fmt_q(data.decode("utf-8", "surrogateescape"))
        else:
            # Any other verb prints the slice item by item, as uint8 values.
            self.write("[")
            for i, byte in enumerate(data):
                if i:
                    self.write(" ")
                self.fmt_int(byte, False, verb, "uint8")
            self.write("]")

    # -- numbers ---------------------------------------------------------------------------

    def fmt_bool(self, value: bool, verb: str) -> None:
        if verb in ("t", "v"):
            self.pad("true" if value else "false")
        else:
            self.bad_verb(verb, value)

    def fmt_0x64(self, value: int, leading_0x: bool) -> None:
        sharp = self.sharp
        self.sharp = leading_0x
        self.fmt_integer(value, 16, False, "v", LDIGITS)
        self.sharp = sharp

    def fmt_integer(self, value: int, base: int, signed: bool, verb: str, digits: str) -> None:
        negative = signed and value < 0
        magnitude = -value if negative else value
        prec = 0
        if self.prec_present:
            prec = self.prec
            if prec == 0 and magnitude == 0:
                zero, self.zero = self.zero, False
                self.padding(self.wid)
                self.zero = zero
                return
        elif self.zero and self.wid_present:
            prec = self.wid
            if negative or self.plus or self.space:
                prec -= 1
        if base == 10:
            body = str(magnitude)
        else:
            body = format(magnitude, {16: "x", 8: "o", 2: "b"}[base])
            if digits is UDIGITS:
                body = body.upper()
        if len(body) < prec:
            self.reserve(prec)
            body = "0" * (prec - len(body)) + body
        if self.sharp:
            if base == 2:
                body = "0b" + body
            elif base == 8 and body[0] != "0":
                body = "0" + body
            elif base == 16:
                body = "0" + digits[16] + body
        if verb == "O":
            body = "0o" + body
        if negative:
            body = "-" + body
        elif self.plus:
            body = "+" + body
        elif self.space:
            body = " " + body
        zero, self.zero = self.zero, False
        self.pad(body)
        self.zero = zero

    def fmt_unicode(self, code: int) -> None:
        prec = self.prec if self.prec_present and self.prec > 4 else 4
        self.reserve(prec)
        body = "U+" + format(code, "X").rjust(prec, "0")
        if self.sharp and code <= MAX_RUNE and is_print(chr(code)):
            body += " '" + chr(code) + "'"
        zero, self.zero = self.zero, False
        self.pad(body)
        self.zero = zero

    def fmt_int(self, value: int, signed: bool, verb: str, type_name: str = "int64") -> None:
        if verb == "v":
            if self.sharp_v and not signed:
                self.fmt_0x64(value, True)
            else:
                self.fmt_integer(value, 10, signed, verb, LDIGITS)
        elif verb == "d":
            self.fmt_integer(value, 10, signed, verb, LDIGITS)
        elif verb == "b":
            self.fmt_integer(value, 2, signed, verb, LDIGITS)
        elif verb in ("o", "O"):
            self.fmt_integer(value, 8, signed, verb, LDIGITS)
        elif verb == "x":
            self.fmt_integer(value, 16, signed, verb, LDIGITS)
        elif verb == "X":
            self.fmt_integer(value, 16, signed, verb, UDIGITS)
        elif verb == "c":
            code = value & UINT64_MAX
            code = 0xFFFD if code > MAX_RUNE or 0xD800 <= code <= 0xDFFF else code
            self.pad(chr(code))
        elif verb == "q":
            self.pad(quote_rune(value & UINT64_MAX, self.plus))
        elif verb == "U":
            self.fmt_unicode(value & UINT64_MAX)
        else:
            self.bad_verb(verb, value, type_name)

    def fmt_float(self, value: float, verb: str) -> None:
        if verb == "v":
            self.fmt_float_as(value, "g", -1)
        elif verb in ("b", "g", "G", "x", "X"):
            self.fmt_float_as(value, verb, -1)
        elif verb in ("f", "e", "E"):
            self.fmt_float_as(value, verb, 6)
        elif verb == "F":
            self.fmt_float_as(value, "f", 6)
        else:
            self.bad_verb(verb, value)

    def fmt_float_as(self, value: float, verb: str, prec: int) -> None:
        if self.prec_present:
            prec = self.prec
            self.reserve(prec)
        num = format_float(value, verb, prec)
        if num[0] not in "+-":
            num = "+" + num
        if self.space and num[0] == "+" and not self.plus:
            num = " " + num[1:]
        if num[1] in "IN":
            # Infinities and NaN are never zero padded; NaN shows a sign only when asked.
            zero, self.zero = self.zero, False
            if num[1] == "N" and not self.space and not self.plus:
                num = num[1:]
            self.pad(num)
            self.zero = zero
            return
        if self.sharp and verb != "b":
            num = self.sharp_float(num, verb, prec)
        if self.plus or num[0] != "+":
            if self.zero and self.wid_present and self.wid > len(num):
                self.write(num[0])
                self.padding(self.wid - len(num))
                self.write(num[1:])
                return
            self.pad(num)
            return
        self.pad(num[1:])

    @staticmethod
    def sharp_float(num: str, verb: str, prec: int) -> str:
        # '#': always a decimal point, and %g keeps its trailing zeros up to the precision.
        digits = 0
        if verb in ("v", "g", "G", "x"):
            digits = 6 if prec == -1 else prec
        tail = ""
        has_point = saw_nonzero = False
        for i in range(1, len(num)):
            ch = num[i]
            if ch == ".":
                has_point = True
            elif ch in "pP" or (ch in "eE" and verb not in "xX"):
                num, tail = num[:i], num[i:]
                break
            else:
                saw_nonzero = saw_nonzero or ch != "0"
                if saw_nonzero:
                    digits -= 1
        if not has_point:
            if len(num) == 2 and num[1] == "0":
                digits -= 1
            num += "."
        if digits > 0:
            if digits > MAX_OUTPUT:
                raise ValueError(f"the formatted text is longer than {MAX_OUTPUT} characters")
            num += "0" * digits
        return num + tail

    # -- values (the subclass's model) -----------------------------------------------------

    def type_name(self, value: Any) -> str:
        """The Go type name of a value, as %T and the error forms show it."""
        raise NotImplementedError

    def print_arg(self, arg: Any, verb: str) -> None:
        """One argument at the top level (fmt's printArg)."""
        raise NotImplementedError

    def bad_verb(self, verb: str, value: Any, type_name: str | None = None) -> None:
        self.erroring = True
        self.write("%!" + verb + "(")
        if value is None:
            self.write("<nil>")
        else:
            self.write((type_name or self.type_name(value)) + "=")
            self.print_arg(value, "v")
        self.write(")")
        self.erroring = False

    # -- the format ------------------------------------------------------------------------

    def sprintf(self, fmt: str, args: tuple[Any, ...]) -> str:
        """fmt.Sprintf(fmt, args...): the whole text."""
        self.do_printf(fmt, args)
        return "".join(self.parts)

    def arg_number(self, arg_num: int, fmt: str, i: int, count: int) -> tuple[int, int, bool]:
        """An explicit [n] argument index at fmt[i], if any: (next arg, next i, found)."""
        if i >= len(fmt) or fmt[i] != "[":
            return arg_num, i, False
        self.reordered = True
        close = fmt.find("]", i + 1)
        if len(fmt) - i < 3 or close < 0:
            self.good_arg_num = False
            return arg_num, i + 1, False
        index, ok, end = _parse_number(fmt, i + 1, close)
        if not ok or end != close:
            self.good_arg_num = False
            return arg_num, close + 1, False
        if 0 <= index - 1 < count:
            return index - 1, close + 1, True
        self.good_arg_num = False
        return arg_num, close + 1, True

    def do_printf(self, fmt: str, args: tuple[Any, ...]) -> None:
        end, arg_num, i = len(fmt), 0, 0
        while i < end:
            self.good_arg_num = True
            percent = fmt.find("%", i)
            if percent < 0:
                self.write(fmt[i:])
                break
            if percent > i:
                self.write(fmt[i:percent])
            i = percent + 1
            self.clear_flags()
            i = self.parse_flags(fmt, i)
            arg_num, i, after_index = self.arg_number(arg_num, fmt, i, len(args))
            # width
            if i < end and fmt[i] == "*":
                i += 1
                self.wid, self.wid_present, arg_num = _int_from_arg(args, arg_num)
                if not self.wid_present:
                    self.write("%!(BADWIDTH)")
                if self.wid < 0:
                    self.wid, self.minus, self.zero = -self.wid, True, False
                after_index = False
            else:
                self.wid, self.wid_present, i = _parse_number(fmt, i, end)
                if after_index and self.wid_present:
                    self.good_arg_num = False
            # precision
            if i + 1 < end and fmt[i] == ".":
                i += 1
                if after_index:
                    self.good_arg_num = False
                arg_num, i, after_index = self.arg_number(arg_num, fmt, i, len(args))
                if i < end and fmt[i] == "*":
                    i += 1
                    self.prec, self.prec_present, arg_num = _int_from_arg(args, arg_num)
                    if self.prec < 0:
                        self.prec, self.prec_present = 0, False
                    if not self.prec_present:
                        self.write("%!(BADPREC)")
                    after_index = False
                else:
                    self.prec, self.prec_present, i = _parse_number(fmt, i, end)
                    if not self.prec_present:
                        self.prec, self.prec_present = 0, True
            if not after_index:
                arg_num, i, after_index = self.arg_number(arg_num, fmt, i, len(args))
            if i >= end:
                self.write("%!(NOVERB)")
                break
            verb = fmt[i]
            i += 1
            if 0xD800 <= ord(verb) <= 0xDFFF:
                verb = "\ufffd"  # an invalid byte reads as utf8.RuneError
            if verb == "%":
                self.write("%")
            elif not self.good_arg_num:
                self.write("%!" + verb + "(BADINDEX)")
            elif arg_num >= len(args):
                self.write("%!" + verb + "(MISSING)")
            else:
                if verb == "v":
                    self.sharp_v, self.sharp = self.sharp, False
                    self.plus_v, self.plus = self.plus, False
                self.print_arg(args[arg_num], verb)
                arg_num += 1
        if not self.reordered and arg_num < len(args):
            self.clear_flags()
            self.write("%!(EXTRA ")
            for n, arg in enumerate(args[arg_num:]):
                if n:
                    self.write(", ")
                if arg is None:
                    self.write("<nil>")
                else:
                    self.write(self.type_name(arg) + "=")
                    self.print_arg(arg, "v")
            self.write(")")

    def parse_flags(self, fmt: str, i: int) -> int:
        while i < len(fmt):
            ch = fmt[i]
            if ch == "#":
                self.sharp = True
            elif ch == "0":
                self.zero = not self.minus  # zero padding only to the left
            elif ch == "+":
                self.plus = True
            elif ch == "-":
                self.minus, self.zero = True, False
            elif ch == " ":
                self.space = True
            else:
                break
            i += 1
        return i


def _parse_number(fmt: str, start: int, end: int) -> tuple[int, bool, int]:
    """fmt's parsenum: (number, present, next index); a huge number swallows the format."""
    num, present, i = 0, False, start
    while i < end and "0" <= fmt[i] <= "9":
        if num > _ARG_LIMIT:
            return 0, False, end
        num = num * 10 + ord(fmt[i]) - 48
        present = True
        i += 1
    return num, present, i


def _int_from_arg(args: tuple[Any, ...], arg_num: int) -> tuple[int, bool, int]:
    """A '*' width or precision: the next argument if it is an integer of sane size."""
    if arg_num >= len(args):
        return 0, False, arg_num
    value = args[arg_num]
    if type(value) is not int or not -_ARG_LIMIT <= value <= _ARG_LIMIT:
        return 0, False, arg_num + 1
    return value, True, arg_num + 1
