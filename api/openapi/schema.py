"""The vocabulary of the route descriptions: operations, fields, answers and JSON Schemas."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

Schema = dict[str, Any]

JSON = "application/json"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")

# ---- JSON Schema (2020-12, as OpenAPI 3.1 uses it) ---------------------------------------

STR: Schema = {"type": "string"}
INT: Schema = {"type": "integer"}
BOOL: Schema = {"type": "boolean"}
NUMBER_TEXT: Schema = {"type": "string", "pattern": "^-?[0-9]+$"}
EMPTY_OR_NUMBER: Schema = {"type": "string", "pattern": "^(-?[0-9]+)?$"}
HEX: Schema = {"type": "string", "pattern": "^[0-9a-f]*$"}
BASE64: Schema = {"type": "string", "contentEncoding": "base64"}
ANY_OBJECT: Schema = {"type": "object"}


def text(description: str) -> Schema:
    """A string with a description."""
    return {"type": "string", "description": description}


def ref(name: str) -> Schema:
    """A reference to a shared schema."""
    return {"$ref": f"#/components/schemas/{name}"}


def array(items: Schema) -> Schema:
    return {"type": "array", "items": items}


def nullable(schema: Schema) -> Schema:
    """Go's nil slice or pointer: the value or null."""
    return {"anyOf": [schema, {"type": "null"}]}


def mapping(values: Schema) -> Schema:
    """A JSON object used as a map (keys are data: hashes, block ids, column names)."""
    return {"type": "object", "additionalProperties": values}


def struct(fields: Mapping[str, Schema], optional: tuple[str, ...] = ()) -> Schema:
    """A Go struct: exactly these fields, all present except the `omitempty` ones named."""
    unknown = set(optional) - set(fields)
    if unknown:
        raise ValueError(f"optional fields {sorted(unknown)} are not fields")
    return {
        "type": "object",
        "properties": dict(fields),
        "required": [name for name in fields if name not in optional],
        "additionalProperties": False,
    }


def one_of(*schemas: Schema) -> Schema:
    return {"oneOf": list(schemas)}


# ---- operations --------------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    """A query or form parameter; every value travels as text."""

    name: str
    description: str
    required: bool = False
    schema: Schema = field(default_factory=lambda: dict(STR))


@dataclass(frozen=True)
class Answer:
    """One documented answer: its status, media type and body schema (None: no body)."""

    status: int
    description: str
    schema: Schema | None = None
    media: str = JSON


@dataclass(frozen=True)
class Op:
    """What one (method, path) does, as the OpenAPI document says it.

    `login` is checked against the route table's auth flag by the tests; `errors` are the
    statuses worth naming (each answered in the surface's error envelope); `json_body` is a
    JSON request body, `form` a form body (urlencoded or multipart, as Go's ParseForm reads).
    """

    summary: str
    tag: str
    answers: tuple[Answer, ...]
    description: str = ""
    login: bool = False
    query: tuple[Field, ...] = ()
    form: tuple[Field, ...] = ()
    json_body: Schema | None = None
    raw_body: Mapping[str, Schema] | None = None  # any other body: media type -> schema
    errors: Mapping[int, str] = field(default_factory=dict)
    security: tuple[str, ...] = ()  # security schemes beyond the login token
    path_params: Mapping[str, str] = field(default_factory=dict)


def ok(schema: Schema | None, description: str = "Success", media: str = JSON) -> Answer:
    """The usual 200 answer."""
    return Answer(200, description, schema, media)


def no_content(description: str = "Done") -> Answer:
    return Answer(204, description)
