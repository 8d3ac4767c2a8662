"""Language resources: `$name$` in parameters and LangRes, as go-ibax's `language` package.

Resources are an ecosystem's `1_languages` rows: a name and a JSON object of texts by
language code. The renderer loads an ecosystem's resources once per render.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Final

from chain.numbers import clamp_int64

DEFAULT_LANG: Final = "en"  # language.DefLang() with no configured language list
MAX_NAME: Final = 64
_PREFIXED = re.compile(r"@([0-9]+)([A-Za-z0-9_][A-Za-z0-9_]*)", re.ASCII)

# name -> language code -> text (codes as stored, plus a lowercased copy of each)
Resources = Mapping[str, Mapping[str, str]]


def parse_name(text: str) -> tuple[int, str]:
    """converter.ParseName: `@5name` -> (5, "name"); anything else -> (0, "")."""
    match = _PREFIXED.fullmatch(text)
    if match is None:
        return 0, ""
    return clamp_int64(match.group(1)), match.group(2)


def pick_text(texts: Mapping[str, str], accept: str) -> str:
    """The text for an Accept-Language list: the first code (or xx-yy) the resource has, else
    the default language's, else any."""
    lang = DEFAULT_LANG
    for item in accept.split(","):
        code = item.lower()
        if len(code) < 2:
            break
        if len(code) >= 5 and code[2] == "-" and code[:5] in texts:
            lang = code[:5]
            break
        if code[:2] in texts:
            lang = code[:2]
            break
    value = texts.get(lang, "")
    if not value:
        # The reference returns whichever text its map iteration meets first; ours: the first.
        for any_text in texts.values():
            return any_text
    return value


Lookup = Callable[[int], Resources]


def lang_text(name: str, ecosystem: int, accept: str, resources: Lookup) -> tuple[str, bool]:
    """language.LangText: the resource `name` (`@N` selects ecosystem N) and whether found."""
    if " " in name or ecosystem == 0:
        return name, False
    eco, plain = parse_name(name)
    if eco != 0:
        ecosystem, name = eco, plain
    texts = resources(ecosystem).get(name)
    if texts is None:
        return name, False
    return pick_text(texts, accept), True


def lang_macro(text: str, ecosystem: int, accept: str, resources: Lookup) -> str:
    """language.LangMacro: each `$name$` that names a resource becomes its text.

    As the reference: a name that is not found leaves "$name" and its closing "$" opens the
    next name; a control character or a name over 64 characters ends the attempt.
    """
    if "$" not in text:
        return text
    out: list[str] = []
    name: list[str] = []
    in_name = False
    for ch in text:
        if ch != "$":
            if in_name:
                name.append(ch)
                if len(name) > MAX_NAME or ch < " ":
                    out.append("$")
                    out.extend(name)
                    in_name = False
                    name.clear()
            else:
                out.append(ch)
            continue
        if in_name:
            value, found = lang_text("".join(name), ecosystem, accept, resources)
            if found:
                out.append(value)
                in_name = False
            else:
                out.append("$")
                out.extend(name)
            name.clear()
        else:
            in_name = True
    if in_name:
        out.append("$")
        out.extend(name)
    return "".join(out)


def resources_from_rows(rows: list[tuple[str, str]]) -> dict[str, dict[str, str]]:
    """name -> texts from (name, res JSON) rows; codes also lowercased, bad JSON is empty."""
    found: dict[str, dict[str, str]] = {}
    for name, res in rows:
        try:
            data = json.loads(res) if res else {}
        except ValueError:
            data = {}
        texts: dict[str, str] = {}
        if isinstance(data, dict):
            for key, value in data.items():
                if isinstance(value, str):
                    texts[key] = value
            for key, value in list(texts.items()):
                texts[key.lower()] = value
        found[name] = texts
    return found
