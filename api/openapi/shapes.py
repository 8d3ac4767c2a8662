"""Shapes of the IBAX API v2: answer schemas and request fields the route descriptions share."""

from __future__ import annotations

from api.openapi.schema import (
    ANY_OBJECT,
    BASE64,
    BOOL,
    EMPTY_OR_NUMBER,
    HEX,
    INT,
    NUMBER_TEXT,
    STR,
    Field,
    Schema,
    array,
    mapping,
    nullable,
    ref,
    struct,
    text,
)

# ---- shared schemas ----------------------------------------------------------------------

TREE_NODE: Schema = {
    "type": "object",
    "description": "A Logicor output node, as the reference encodes it.",
    "properties": {
        "tag": STR,
        "attr": {"type": "object"},
        "text": STR,
        "children": array(ref("TreeNode")),
        "tail": array(ref("TreeNode")),
    },
    "required": ["tag"],
    "additionalProperties": False,
}

TX_INFO_DATA = struct(
    {
        "block_id": INT,
        "block_hash": HEX,
        "address": STR,
        "ecosystem": INT,
        "hash": HEX,
        "expedite": STR,
        "contract_name": STR,
        "params": nullable(ANY_OBJECT),
        "created_at": {**INT, "description": "milliseconds"},
        "size": STR,
        "status": {**INT, "description": "0 done, 1 failed with a penalty"},
    }
)

COMPONENTS: dict[str, Schema] = {
    "Error": struct(
        {"error": text("an E_* code of the reference"), "msg": text("what went wrong")}
    ),
    "Parameter": struct({"id": NUMBER_TEXT, "name": STR, "value": STR, "conditions": STR}),
    "Rows": struct(
        {"count": INT, "list": nullable(array(mapping(STR)))},
    ),
    "TxInfo": struct(
        {"blockid": EMPTY_OR_NUMBER, "confirm": INT, "data": TX_INFO_DATA}, optional=("data",)
    ),
    "TreeNode": TREE_NODE,
    "Tree": struct({"tree": nullable(array(ref("TreeNode")))}),
    "Count": struct({"count": INT}),
}

# ---- fields ------------------------------------------------------------------------------

LIMIT = Field("limit", "rows per page (default 25, at most 1000)", schema=NUMBER_TEXT)
OFFSET = Field("offset", "rows to skip", schema=NUMBER_TEXT)
ECOSYSTEM = Field("ecosystem", "ecosystem id (default: the caller's)", schema=NUMBER_TEXT)
NAMES = Field("names", "comma list of names (default: all)")
COLUMNS = Field("columns", "comma list of columns (default: all readable)")
BLOCK_RANGE = (
    Field("block_id", "first block (default 1)", schema=NUMBER_TEXT),
    Field("count", "how many blocks (default 25, at most 1000)", schema=NUMBER_TEXT),
)
CONTRACTINFO = Field("contractinfo", "1 or true: add the tx's `data`")
WHERE = Field("where", "a DBFind where object as JSON")
PAGE_FORM = (
    Field("lang", "language of the page's resources (default: Accept-Language)"),
    Field("ecosystem", "ecosystem of an anonymous call", schema=NUMBER_TEXT),
    Field("keyID", "key id of an anonymous call"),
    Field("roleID", "role id of an anonymous call"),
)

PARAM = ref("Parameter")
PARAMS = struct({"list": array(PARAM)})
ROWS = ref("Rows")
COUNT = ref("Count")
TREE = ref("Tree")
ITEM = struct({"id": INT, "name": STR}, optional=("id", "name"))

NOT_FOUND = {404: "not found (E_NOTFOUND and friends)"}
BAD_INPUT = {400: "bad input (E_SERVER naming it)"}

BLOCK_TX = struct(
    {"hash": BASE64, "contract_name": STR, "params": nullable(ANY_OBJECT), "key_id": INT}
)
DETAILED_TX = struct(
    {
        "hash": BASE64,
        "contract_name": STR,
        "params": nullable(ANY_OBJECT),
        "key_id": INT,
        "time": INT,
        "type": INT,
        "size": STR,
    }
)
DETAILED_BLOCK = struct(
    {
        "header": struct(
            {"block_id": INT, "time": INT, "key_id": INT, "node_position": INT, "version": INT}
        ),
        "hash": BASE64,
        "node_position": INT,
        "key_id": INT,
        "time": INT,
        "tx_count": INT,
        "size": STR,
        "rollbacks_hash": BASE64,
        "merkle_root": BASE64,
        "bin_data": BASE64,
        "stop_count": INT,
        "transactions": array(DETAILED_TX),
    }
)
TX_STATUS = struct(
    {
        "blockid": EMPTY_OR_NUMBER,
        "errmsg": struct({"type": STR, "error": STR, "id": STR}, optional=("id",)),
        "result": STR,
        "penalty": INT,
    },
    optional=("errmsg",),
)
CONTRACT = struct(
    {
        "id": {**INT, "description": "table id + 5000: the Header.ID of a transaction"},
        "state": INT,
        "tableid": NUMBER_TEXT,
        "walletid": NUMBER_TEXT,
        "tokenid": NUMBER_TEXT,
        "address": STR,
        "fields": array(struct({"name": STR, "type": STR, "optional": BOOL})),
        "name": STR,
        "app_id": INT,
        "ecosystem": INT,
        "conditions": STR,
    }
)
CONTRACT_ROW = struct(
    {
        name: STR
        for name in (
            "address",
            "app_id",
            "conditions",
            "ecosystem_id",
            "id",
            "name",
            "token_id",
            "value",
            "wallet_id",
        )
    }
)
GETUID_ANONYMOUS = struct(
    {"uid": NUMBER_TEXT, "token": STR, "network_id": STR, "cryptoer": STR, "hasher": STR}
)
GETUID_LOGGED_IN = struct(
    {
        "expire": text("Go duration left, e.g. 7h59m49s"),
        "ecosystem_id": NUMBER_TEXT,
        "key_id": NUMBER_TEXT,
        "address": STR,
        "network_id": STR,
        "cryptoer": STR,
        "hasher": STR,
    }
)
LOGIN = struct(
    {
        "token": STR,
        "ecosystem_id": NUMBER_TEXT,
        "key_id": NUMBER_TEXT,
        "account": STR,
        "notify_key": text("a token for the live events' connect command (when they are on)"),
        "isnode": BOOL,
        "isowner": BOOL,
        "clb": BOOL,
        "timestamp": NUMBER_TEXT,
        "roles": array(struct({"role_id": INT, "role_name": STR})),
    },
    optional=("roles", "notify_key"),
)
NETWORK = struct(
    {
        "network_id": STR,
        "centrifugo_url": STR,
        "test": BOOL,
        "private": BOOL,
        "honor_nodes": array(
            struct(
                {
                    "tcp_address": STR,
                    "api_address": STR,
                    "public_key": HEX,
                    "unban_time": STR,
                    "stopped": BOOL,
                }
            )
        ),
    }
)
KEYINFO = struct(
    {
        "account": STR,
        "ecosystems": array(
            struct(
                {
                    "ecosystem": NUMBER_TEXT,
                    "name": STR,
                    "digits": INT,
                    "roles": array(struct({"id": NUMBER_TEXT, "name": STR})),
                    "notifications": array(struct({"role_id": STR, "count": INT})),
                },
                optional=("roles",),
            )
        ),
    }
)
BALANCE = struct(
    {
        "amount": {**EMPTY_OR_NUMBER, "description": '"" for an unknown key'},
        "digits": INT,
        "total": NUMBER_TEXT,
        "utxo": NUMBER_TEXT,
        "token_symbol": STR,
        "token_name": STR,
    }
)
TABLE = struct(
    {
        "name": STR,
        "insert": STR,
        "new_column": STR,
        "update": STR,
        "read": STR,
        "filter": STR,
        "conditions": STR,
        "app_id": NUMBER_TEXT,
        "columns": array(struct({"name": STR, "type": STR, "perm": STR})),
    },
    optional=("read", "filter"),
)
PAGE_ROW = struct(
    {
        "id": INT,
        "name": STR,
        "value": STR,
        "menu": STR,
        "nodesCount": INT,
        "app_id": INT,
        "conditions": STR,
    },
    optional=("id", "name", "value", "menu", "nodesCount", "app_id", "conditions"),
)
SNIPPET_ROW = struct(
    {"id": INT, "name": STR, "value": STR, "conditions": STR},
    optional=("id", "name", "value", "conditions"),
)
CONTENT_PAGE = struct(
    {
        "menu": STR,
        "menutree": array(ref("TreeNode")),
        "title": STR,
        "tree": nullable(array(ref("TreeNode"))),
        "nodesCount": INT,
    },
    optional=("menu", "menutree", "title", "nodesCount"),
)
