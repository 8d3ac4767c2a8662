"""Descriptions of the CCash bank routes (api/bank/routes.py), keyed by method and full path.

Written per endpoint with the API versions it exists on, apart from the route table, so the
tests can compare the two. Errors are CCash's: a JSON string such as "User not found".
"""

from __future__ import annotations

from api.openapi.schema import (
    BOOL,
    INT,
    STR,
    Answer,
    Field,
    Op,
    Schema,
    array,
    no_content,
    nullable,
    ok,
    struct,
)
from chain.bank.rules import UINT32_MAX
from chain.golang.ints import INT64_MAX, INT64_MIN

UINT32: Schema = {"type": "integer", "minimum": 0, "maximum": UINT32_MAX}
INT64: Schema = {"type": "integer", "minimum": INT64_MIN, "maximum": INT64_MAX}
NAME = Field("name", "user name", required=True)
LOG_V1 = nullable(array(struct({"to": STR, "from": STR, "amount": UINT32, "time": INT})))
LOG_V2 = nullable(
    array(struct({"counterparty": STR, "receiving": BOOL, "amount": UINT32, "time": INT}))
)
PROPERTIES = struct(
    {
        "version": INT,
        "min_version": INT,
        "max_log": INT,
        "add_user_open": BOOL,
        "return_on_del": nullable(STR),
        "min_name_size": INT,
        "max_name_size": INT,
    }
)

USER = ("user",)
ADMIN = ("admin",)
ACCEPT = "Needs `Accept: application/json` (or */*), else 406."
JSON_IN = "Needs `Content-Type` and `Accept` of application/json, else 406."
NO_USER = {404: "no such user"}


def _body(fields: dict[str, Schema], optional: tuple[str, ...] = ()) -> Schema:
    # CCash reads what it needs and ignores the rest of the object.
    schema = struct(fields, optional)
    schema["additionalProperties"] = True
    return schema


ENDPOINTS: tuple[tuple[str, str, tuple[int, ...], Op], ...] = (
    (
        "GET",
        "user/balance",
        (1, 2),
        Op("A user's balance", "bank", (ok(UINT32),), ACCEPT, query=(NAME,), errors=NO_USER),
    ),
    (
        "GET",
        "user/log",
        (1,),
        Op(
            "The caller's log, oldest first",
            "bank",
            (ok(LOG_V1),),
            ACCEPT,
            security=USER,
            errors={404: "logs are disabled"},
        ),
    ),
    (
        "GET",
        "user/log",
        (2,),
        Op(
            "The caller's log, newest first",
            "bank",
            (ok(LOG_V2),),
            ACCEPT,
            security=USER,
            errors={404: "logs are disabled"},
        ),
    ),
    (
        "GET",
        "admin/user/log",
        (1, 2),
        Op(
            "A user's log (v2 shape), for the admin",
            "bank",
            (ok(LOG_V2),),
            ACCEPT,
            query=(NAME,),
            security=ADMIN,
            errors={**NO_USER},
        ),
    ),
    (
        "POST",
        "user/transfer",
        (1, 2),
        Op(
            "Send funds; answers the sender's new balance",
            "bank",
            (ok(UINT32),),
            JSON_IN,
            json_body=_body({"name": STR, "amount": UINT32}),
            security=USER,
            errors={400: "zero amount, same names, insufficient funds", **NO_USER},
        ),
    ),
    (
        "POST",
        "user/verify_password",
        (1, 2),
        Op("Check the caller's password", "bank", (no_content(),), ACCEPT, security=USER),
    ),
    (
        "PATCH",
        "user/change_password",
        (1, 2),
        Op(
            "Change the caller's password",
            "bank",
            (no_content(),),
            JSON_IN,
            json_body=_body({"pass": STR}),
            security=USER,
        ),
    ),
    (
        "PATCH",
        "admin/user/change_password",
        (1, 2),
        Op(
            "Set a user's password",
            "bank",
            (no_content(),),
            JSON_IN,
            json_body=_body({"name": STR, "pass": STR}),
            security=ADMIN,
            errors=NO_USER,
        ),
    ),
    (
        "PATCH",
        "admin/set_balance",
        (1, 2),
        Op(
            "Set a user's balance",
            "bank",
            (no_content(),),
            JSON_IN,
            json_body=_body({"name": STR, "amount": UINT32}),
            security=ADMIN,
            errors=NO_USER,
        ),
    ),
    (
        "POST",
        "admin/impact_balance",
        (1, 2),
        Op(
            "Add to (or take from) a user's balance; answers the new balance",
            "bank",
            (ok(UINT32),),
            JSON_IN,
            json_body=_body({"name": STR, "amount": INT64}),
            security=ADMIN,
            errors={400: "zero amount or overflow", **NO_USER},
        ),
    ),
    (
        "POST",
        "admin/shutdown",
        (1, 2),
        Op("Stop the node (as SIGTERM)", "bank", (no_content(),), ACCEPT, security=ADMIN),
    ),
    (
        "GET",
        "user/exists",
        (1, 2),
        Op(
            "Whether a user exists",
            "bank",
            (no_content("it exists"),),
            ACCEPT,
            query=(NAME,),
            errors=NO_USER,
        ),
    ),
    (
        "POST",
        "admin/verify_account",
        (1, 2),
        Op("Check the admin's credentials", "bank", (no_content(),), ACCEPT, security=ADMIN),
    ),
    (
        "POST",
        "admin/prune_users",
        (1, 2),
        Op(
            "Delete users poorer than `amount` (and idle since `time`)",
            "bank",
            (ok(INT, "how many users were deleted"),),
            JSON_IN,
            json_body=_body({"amount": UINT32, "time": nullable(INT64)}, optional=("time",)),
            security=ADMIN,
        ),
    ),
    (
        "POST",
        "user/register",
        (1, 2),
        Op(
            "Register a user",
            "bank",
            (no_content(),),
            "No filters: clients send no Content-Type.",
            json_body=_body({"name": STR, "pass": STR}),
            errors={400: "invalid name", 404: "registration is closed", 409: "name taken"},
        ),
    ),
    (
        "POST",
        "admin/user/register",
        (1, 2),
        Op(
            "Register a user with a balance",
            "bank",
            (no_content(),),
            JSON_IN,
            json_body=_body({"name": STR, "amount": UINT32, "pass": STR}),
            security=ADMIN,
            errors={400: "invalid name", 409: "name taken"},
        ),
    ),
    (
        "DELETE",
        "user/delete",
        (1, 2),
        Op(
            "Delete the caller",
            "bank",
            (no_content(),),
            ACCEPT,
            security=USER,
            errors={403: "the admin and the return account cannot be deleted"},
        ),
    ),
    (
        "DELETE",
        "admin/user/delete",
        (1, 2),
        Op(
            "Delete a user",
            "bank",
            (no_content(),),
            JSON_IN,
            json_body=_body({"name": STR}),
            security=ADMIN,
            errors={403: "the admin and the return account cannot be deleted", **NO_USER},
        ),
    ),
)

UNVERSIONED: dict[tuple[str, str], Op] = {
    ("GET", "/api/properties"): Op(
        "The bank's settings", "bank", (ok(PROPERTIES),), "Versions and name rules."
    ),
    ("GET", "/api/help"): Op(
        "Where the documentation is",
        "bank",
        (Answer(301, "a redirect to bank_help_url"),),
    ),
}


def bank_descriptions() -> dict[tuple[str, str], Op]:
    """Every bank route's description, keyed by (method, full path)."""
    found: dict[tuple[str, str], Op] = {}
    for method, path, versions, op in ENDPOINTS:
        for version in versions:
            found[(method, f"/api/v{version}/{path}")] = op
    found.update(UNVERSIONED)
    return found
