"""The single catalogue of API errors: stable E_* codes, HTTP statuses and message templates."""

from __future__ import annotations

from enum import Enum
from typing import Any


class E(Enum):
    """Every error code the API answers with; once published, a code never changes."""

    CONTRACT = ("E_CONTRACT", 404, "There is not %s contract")
    DBNIL = ("E_DBNIL", 400, "DB is nil")
    DELETEDKEY = ("E_DELETEDKEY", 403, "The key is deleted")
    ECOSYSTEM = ("E_ECOSYSTEM", 400, "Ecosystem %d doesn't exist")
    EMPTYPUBLIC = ("E_EMPTYPUBLIC", 400, "Public key is undefined")
    KEYNOTFOUND = ("E_KEYNOTFOUND", 404, "Key has not been found")
    EMPTYSIGN = ("E_EMPTYSIGN", 400, "Signature is undefined")
    HASHWRONG = ("E_HASHWRONG", 400, "Hash is incorrect")
    HASHNOTFOUND = ("E_HASHNOTFOUND", 400, "Hash %s has not been found")
    HEAVYPAGE = ("E_HEAVYPAGE", 400, "This page is heavy")
    INSTALLED = ("E_INSTALLED", 400, "Chain is already installed")
    INVALIDWALLET = ("E_INVALIDWALLET", 400, "Wallet %s is not valid")
    LIMITFORSIGN = ("E_LIMITFORSIGN", 400, "Length of forsign is too big (%d)")
    LIMITTXSIZE = ("E_LIMITTXSIZE", 400, "The size of tx is too big (%d)")
    NOTFOUND = ("E_NOTFOUND", 404, "Page not found")
    RECORDNOTFOUND = ("E_NOTFOUND", 404, "Record not found")
    PARAMNOTFOUND = ("E_PARAMNOTFOUND", 404, "Parameter %s has not been found")
    PERMISSION = ("E_PERMISSION", 401, "Permission denied")
    QUERY = ("E_QUERY", 500, "DB query is wrong")
    RECOVERED = ("E_RECOVERED", 500, "API recovered")
    SERVER = ("E_SERVER", 400, "Server error")
    SIGNATURE = ("E_SIGNATURE", 400, "Signature is incorrect")
    UNKNOWNSIGN = ("E_UNKNOWNSIGN", 400, "Unknown signature")
    STATELOGIN = ("E_STATELOGIN", 403, "%d is not a membership of ecosystem %d")
    TABLENOTFOUND = ("E_TABLENOTFOUND", 404, "Table %s has not been found")
    TOKEN = ("E_TOKEN", 400, "Token is not valid")
    TOKENEXPIRED = ("E_TOKENEXPIRED", 401, "Token is expired by %s")
    UNAUTHORIZED = ("E_UNAUTHORIZED", 401, "Unauthorized")
    UNDEFINEVAL = ("E_UNDEFINEVAL", 400, "Value %s is undefined")
    UNKNOWNUID = ("E_UNKNOWNUID", 400, "Unknown uid")
    CLB = ("E_CLB", 400, "Virtual Dedicated Ecosystem %d doesn't exist")
    CLBCREATED = ("E_CLBCREATED", 400, "Virtual Dedicated Ecosystem is already created")
    REQUESTNOTFOUND = ("E_REQUESTNOTFOUND", 400, "Request %s doesn't exist")
    UPDATING = ("E_UPDATING", 503, "Node is updating blockchain, block height %d")
    STOPPING = ("E_STOPPING", 503, "Network is stopping")
    NOTIMPLEMENTED = ("E_NOTIMPLEMENTED", 501, "Not implemented")
    PARAMMONEYDIGIT = (
        "E_PARAMMONEYDIGIT",
        400,
        "The number of decimal places cannot be exceeded ( %s )",
    )
    DIFKEY = ("E_DIFKEY", 400, "Sender's key is different from tx key")
    BANNED = ("E_BANNED", 403, "The key %d is banned till %s")
    CHECKROLE = ("E_CHECKROLE", 403, "Access denied")
    NEWUSER = ("E_NEWUSER", 401, "The block packing in progress, please wait")
    ECONOTOPEN = (
        "E_ECONOTOPEN",
        401,
        "The ecosystem (%d) is not open and cannot be registered address",
    )

    @property
    def code(self) -> str:
        return self.value[0]

    @property
    def status(self) -> int:
        return self.value[1]

    @property
    def template(self) -> str:
        return self.value[2]


class ApiError(Exception):
    """An error answered as ``{"error": code, "msg": text}`` with the catalogue's status."""

    def __init__(self, kind: E, *args: Any, msg: str | None = None, status: int | None = None):
        self.kind = kind
        self.code = kind.code
        self.status = status if status is not None else kind.status
        self.msg = msg if msg is not None else (kind.template % args if args else kind.template)
        super().__init__(f"{self.code}: {self.msg}")


def server_error(text: str, status: int = 400) -> ApiError:
    """The reference's catch-all: E_SERVER carrying the underlying error's text."""
    return ApiError(E.SERVER, msg=text, status=status)
