"""Needle's context-free built-ins with go-ibax's semantics: time, math, money, JSON, keys, random.

`STDLIB` maps a name to (function, fuel charged before the call). Functions that need more
than their arguments come from factories the executor calls per transaction:
`crypto_stdlib(crypto)` (CheckSign, HMac), `random_stdlib(seed)`, `ecosystem_stdlib(digits)`
(FormatMoney's digit 0) and `bitcoin_stdlib(testnet)`. Every function bounds its work on
hostile input; `arg_size_fuel` prices the size of the arguments for callers that charge it.
`go_text` (Go's %v) and `json_encode` (the reference's JSONEncode) are bounded drop-ins for
the basic Str/Join/Sprintf and JSONEncode.

Parameters typed in the reference (int64, float64, string, ...) are checked strictly, as the
reference's reflective call panics on another type; `any` parameters take every value.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Final

from contracts.stdlib import gojson, gomath, gotime, keys, values
from contracts.stdlib.gofmt import go_text
from contracts.stdlib.gojson import encode as json_encode
from contracts.stdlib.keys import bitcoin_stdlib, crypto_stdlib
from contracts.stdlib.rand import random_stdlib
from contracts.stdlib.values import ecosystem_stdlib

__all__ = [
    "STDLIB",
    "arg_size_fuel",
    "bitcoin_stdlib",
    "crypto_stdlib",
    "ecosystem_stdlib",
    "go_text",
    "json_encode",
    "random_stdlib",
]

Entry = tuple[Callable[..., Any], int]

STDLIB: Final[dict[str, Entry]] = {
    # time (UTC, never the clock)
    "DateTime": (gotime.date_time, 10),
    "UnixDateTime": (gotime.unix_date_time, 10),
    "DateTimeLocation": (gotime.date_time_location, 20),
    "UnixDateTimeLocation": (gotime.unix_date_time_location, 20),
    "AddDate": (gotime.add_date, 10),
    "DateFormat": (gotime.date_format, 20),
    # floats
    "Log": (gomath.log_, 5),
    "Log10": (gomath.log10_, 5),
    "Pow": (gomath.pow_, 5),
    "Sqrt": (gomath.sqrt_, 5),
    "Round": (gomath.round_, 5),
    "Floor": (gomath.floor_, 5),
    "MathMod": (gomath.math_mod, 5),
    # decimals and money
    "MathModDecimal": (gomath.math_mod_decimal, 10),
    "SqrtDecimal": (gomath.sqrt_decimal, 100),
    "Div": (gomath.div, 10),
    "GreaterThan": (gomath.greater_than, 5),
    "GreaterThanOrEqual": (gomath.greater_than_or_equal, 5),
    "LessThan": (gomath.less_than, 5),
    "LessThanOrEqual": (gomath.less_than_or_equal, 5),
    "FormatMoney": (values.format_money, 10),
    # values
    "GetType": (values.get_type, 1),
    "SortedKeys": (values.sorted_keys, 10),
    "HasSlice": (values.has_slice, 10),
    "JSONEncodeIndent": (gojson.json_encode_indent, 20),
    "RegexpMatch": (values.regexp_match, 50),
    "CheckNumberChars": (values.check_number_chars, 5),
    # keys and addresses
    "HexToPub": (keys.hex_to_pub, 5),
    "PubToHex": (keys.pub_to_hex, 5),
    "EthereumAddress": (keys.ethereum_address, 20),
    "TronAddress": (keys.tron_address, 20),
}

# One unit of fuel per this many characters, bytes or items of the arguments.
SIZE_FUEL_UNIT: Final = 256


def arg_size_fuel(args: Sequence[Any]) -> int:
    """Extra fuel for the size of a call's arguments (top level only, so it costs O(args))."""
    total = 0
    for arg in args:
        if isinstance(arg, (str, bytes, list, dict)):
            total += len(arg)
    return total // SIZE_FUEL_UNIT
