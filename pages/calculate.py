"""Calculate(Exp, Type, Prec): + - * / and parentheses over int64, float64 or decimals.

As go-ibax's template/calculate.go: numbers are runs of digits and dots, the operators are
binary only (no unary minus), the type is `float` when unspecified and the expression has a
dot, int64 arithmetic wraps as Go's does, money (decimal) division keeps 16 decimals, and
errors are the reference's texts.
"""

from __future__ import annotations

from decimal import MAX_EMAX, MIN_EMIN, ROUND_HALF_UP, Context, Decimal, InvalidOperation
from typing import Final

from chain.golang.decimal import decimal_text, div_round, parse_decimal
from chain.golang.ints import INT64_MAX, wrap_int64
from chain.golang.strconv import format_float, parse_float
from chain.numbers import clamp_int64

ERR_EXP: Final = "wrong expression"
ERR_DIV: Final = "dividing by zero"
ERR_PREC: Final = "precision is negative"
MAX_EXPRESSION: Final = 10_000  # characters; the reference has no bound
MAX_PRECISION: Final = 1000

_INT, _FLOAT, _MONEY = 0, 1, 2
_OPS: Final = {"+": 1, "-": 1, "*": 2, "/": 2}
# Exact decimal arithmetic (the default context rounds to 28 digits; shopspring never rounds).
_EXACT: Final = Context(prec=MAX_EXPRESSION * 4, Emax=MAX_EMAX, Emin=MIN_EMIN)


class CalcError(ValueError):
    """An expression Calculate answers with an error text."""


def _parse_int(text: str) -> int:
    try:
        value = int(text, 10) if text.isdigit() and text.isascii() else None
    except ValueError:
        value = None
    if value is None:
        raise CalcError(f'strconv.ParseInt: parsing "{text}": invalid syntax')
    if value > INT64_MAX:
        raise CalcError(f'strconv.ParseInt: parsing "{text}": value out of range')
    return value


def _parse_float(text: str) -> float:
    try:
        value = parse_float(text)
    except ValueError as exc:
        raise CalcError(f'strconv.ParseFloat: parsing "{text}": invalid syntax') from exc
    if value in (float("inf"), float("-inf")):
        raise CalcError(f'strconv.ParseFloat: parsing "{text}": value out of range')
    return value


def _parse_money(text: str) -> Decimal:
    try:
        return parse_decimal(text)
    except ValueError as exc:
        raise CalcError(str(exc)) from exc


Token = tuple[str, object]  # ("n", value) | ("op", "+") | ("(", None) | (")", None)


def _tokens(expression: str, kind: int) -> list[Token]:
    tokens: list[Token] = []
    number_start = -1
    for index, ch in enumerate(expression):
        if ch.isdecimal() or ch == ".":  # unicode.IsDigit
            if number_start < 0:
                number_start = index
            continue
        if number_start >= 0:
            text = expression[number_start:index]
            value: object
            if kind == _INT:
                value = _parse_int(text)
            elif kind == _FLOAT:
                value = _parse_float(text)
            else:
                value = _parse_money(text)
            if tokens and tokens[-1][0] == "n":
                raise CalcError(ERR_EXP)
            tokens.append(("n", value))
            number_start = -1
        if ch in _OPS:
            if tokens and tokens[-1][0] == "op":
                raise CalcError(ERR_EXP)
            tokens.append(("op", ch))
        elif ch == "(":
            if tokens and tokens[-1][0] == "n":
                raise CalcError(ERR_EXP)
            tokens.append(("(", None))
        elif ch == ")":
            if tokens and tokens[-1][0] == "op":
                raise CalcError(ERR_EXP)
            tokens.append((")", None))
        elif ch not in " \t\n\r":
            raise CalcError(ERR_EXP)
    return tokens


def _postfix(tokens: list[Token]) -> list[Token]:
    """The reference's shunting-yard, quirks included (one pop per operator)."""
    out: list[Token] = []
    stack: list[Token] = []
    for token in tokens:
        kind = token[0]
        if kind == "n":
            out.append(token)
        elif kind == "(":
            stack.append(token)
        elif kind == ")":
            i = len(stack) - 1
            while i >= 0 and stack[i][0] != "(":
                out.append(stack[i])
                i -= 1
            if i < 0:
                raise CalcError(ERR_EXP)
            del stack[i:]
        else:
            if stack:
                last = stack[-1]
                if last[0] != "(" and _OPS[str(last[1])] >= _OPS[str(token[1])]:
                    out.append(last)
                    stack[-1] = token
                    continue
            stack.append(token)
    for token in reversed(stack):
        if token[0] != "op":
            raise CalcError(ERR_EXP)
        out.append(token)
    return out


def _apply(op: str, a: object, b: object, kind: int) -> object:
    if kind == _INT:
        x, y = int(a), int(b)  # type: ignore[call-overload]
        if op == "+":
            return wrap_int64(x + y)
        if op == "-":
            return wrap_int64(x - y)
        if op == "*":
            return wrap_int64(x * y)
        quotient = abs(x) // abs(y)
        return wrap_int64(quotient if (x < 0) == (y < 0) else -quotient)
    if kind == _FLOAT:
        f, g = float(a), float(b)  # type: ignore[arg-type]
        if op == "+":
            return f + g
        if op == "-":
            return f - g
        if op == "*":
            return f * g
        return f / g
    d, e = a, b
    assert isinstance(d, Decimal) and isinstance(e, Decimal)
    if op == "+":
        return _EXACT.add(d, e)
    if op == "-":
        return _EXACT.subtract(d, e)
    if op == "*":
        return _EXACT.multiply(d, e)
    return div_round(d, e)


def _round(value: Decimal, places: int) -> Decimal:
    """shopspring's Round: to `places` decimals, halves away from zero."""
    if not value.is_finite():
        raise CalcError(ERR_EXP)
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP, context=_EXACT)


def _evaluate(postfix: list[Token], kind: int, precision: str) -> str:
    stack: list[object] = []
    for token in postfix:
        if token[0] == "n":
            stack.append(token[1])
            continue
        if len(stack) < 2:
            raise CalcError(ERR_EXP)
        right = stack.pop()
        if token[1] == "/" and (
            (kind == _MONEY and Decimal(str(right)).is_zero()) or (kind != _MONEY and right == 0)
        ):
            raise CalcError(ERR_DIV)
        stack[-1] = _apply(str(token[1]), stack[-1], right, kind)
    if len(stack) != 1:
        raise CalcError(ERR_EXP)
    result = stack[0]
    if precision != "":
        places = clamp_int64(precision)
        if kind != _INT and places < 0:
            raise CalcError(ERR_PREC)
        places = min(places, MAX_PRECISION)
        if kind == _FLOAT:
            return decimal_text(_round(Decimal(repr(float(result))), places))  # type: ignore[arg-type]
        if kind == _MONEY:
            assert isinstance(result, Decimal)
            return decimal_text(_round(result, places))
    if kind == _FLOAT:
        # decimal.NewFromString(fmt.Sprintf("%f", f)); "+Inf" does not parse: the zero value.
        text = format_float(float(result), "f", 6)  # type: ignore[arg-type]
        return decimal_text(Decimal(text)) if text[-1].isdigit() else "0"
    if kind == _MONEY:
        assert isinstance(result, Decimal)
        return decimal_text(result)
    return str(result)


def calculate(expression: str, type_name: str, precision: str) -> str:
    """The text Calculate shows: the value, or the reference's error text."""
    if len(expression) > MAX_EXPRESSION:
        return ERR_EXP
    if not type_name and "." in expression:
        type_name = "float"
    kind = {"float": _FLOAT, "money": _MONEY}.get(type_name, _INT)
    try:
        tokens = _tokens(expression + " ", kind)
        return _evaluate(_postfix(tokens), kind, precision)
    except CalcError as exc:
        return str(exc)
    except (InvalidOperation, OverflowError):
        return ERR_EXP
