"""Descriptions of the IBAX REST API v2 routes (api/routes.py), keyed by method and path.

Kept apart from the route table so that edits to either do not collide; the tests fail when
a served route has no description here, or a description names a route nobody serves.
Shapes follow the reference node (go-ibax), as the README's API section describes them.
"""

from __future__ import annotations

from api.openapi.schema import (
    BASE64,
    BOOL,
    EMPTY_OR_NUMBER,
    HEX,
    INT,
    NUMBER_TEXT,
    STR,
    Answer,
    Field,
    Op,
    array,
    mapping,
    nullable,
    ok,
    one_of,
    ref,
    struct,
    text,
)
from api.openapi.shapes import (
    BAD_INPUT,
    BALANCE,
    BLOCK_RANGE,
    BLOCK_TX,
    COLUMNS,
    CONTENT_PAGE,
    CONTRACT,
    CONTRACT_ROW,
    CONTRACTINFO,
    COUNT,
    DETAILED_BLOCK,
    ECOSYSTEM,
    GETUID_ANONYMOUS,
    GETUID_LOGGED_IN,
    ITEM,
    KEYINFO,
    LIMIT,
    LOGIN,
    NAMES,
    NETWORK,
    NOT_FOUND,
    OFFSET,
    PAGE_FORM,
    PAGE_ROW,
    PARAM,
    PARAMS,
    ROWS,
    SNIPPET_ROW,
    TABLE,
    TREE,
    TX_STATUS,
    WHERE,
)

PREFIX = "/api/v2"

def _binary(description: str, media: str = "*/*") -> Answer:
    return Answer(200, description, {}, media)


def _metric(what: str) -> Op:
    return Op(f"Count {what}", "metrics", (ok(COUNT),))


# ---- the routes --------------------------------------------------------------------------

DESCRIPTIONS: dict[tuple[str, str], Op] = {
    ("GET", "/version"): Op(
        "Node version", "system", (ok(STR, "e.g. `1.4.3 node server status is running`"),)
    ),
    ("GET", "/network"): Op("Network id and honor nodes", "system", (ok(NETWORK),)),
    ("GET", "/getuid"): Op(
        "A uid to sign, with a 5-second token",
        "auth",
        (ok(one_of(GETUID_ANONYMOUS, GETUID_LOGGED_IN)),),
        description="Anonymous: `uid` and `token`; with a valid login token: the login's facts.",
    ),
    ("POST", "/login"): Op(
        "Log in with a signed uid",
        "auth",
        (ok(LOGIN),),
        description='Sign `"LOGIN" + network_id + uid` with the key (raw r||s or DER hex) and '
        "send it with the getuid token as the bearer.",
        form=(
            Field("pubkey", "public key, hex (or key_id)"),
            Field("key_id", "the key's id or address, when no pubkey"),
            Field("signature", "hex signature", required=True),
            Field("ecosystem", "ecosystem to log in to (default 1)", schema=NUMBER_TEXT),
            Field("expire", "token lifetime in seconds", schema=NUMBER_TEXT),
            Field("role_id", "a role the key holds", schema=NUMBER_TEXT),
        ),
        security=("bearer",),
        errors={400: "unknown uid, bad signature or key", 403: "not a member, deleted key"},
    ),
    ("GET", "/auth/status"): Op(
        "Whether the bearer token is valid",
        "auth",
        (ok(struct({"active": BOOL, "exp": INT}, optional=("exp",))),),
    ),
    ("POST", "/sendTx"): Op(
        "Queue signed transactions",
        "transactions",
        (ok(struct({"hashes": mapping(HEX)})),),
        raw_body={
            "multipart/form-data": mapping(text("a raw transaction (file part) or its hex"))
        },
        description="Multipart: each file part is one raw transaction, each other value a hex "
        "one. Answers every tx hash keyed by itself and by its form field name.",
        login=True,
        errors={400: "a transaction was refused (nothing queued)", 403: "key banned"},
    ),
    ("POST", "/txstatus"): Op(
        "Status of transactions",
        "transactions",
        (ok(struct({"results": mapping(TX_STATUS)})),),
        login=True,
        form=(Field("data", '{"hashes": ["<hex>", ...]}', required=True),),
        errors={400: "a bad or unknown hash"},
    ),
    ("GET", "/contract/{name}"): Op(
        "A contract's id and fields",
        "contracts",
        (ok(CONTRACT),),
        login=True,
        path_params={"name": "`Name`, `@Name` (ecosystem 1) or `@5Name`"},
        errors=NOT_FOUND,
    ),
    ("GET", "/contracts"): Op(
        "The caller's ecosystem's contracts",
        "contracts",
        (ok(struct({"count": INT, "list": nullable(array(CONTRACT_ROW))})),),
        login=True,
        query=(LIMIT, OFFSET),
    ),
    ("POST", "/node/{name}"): Op(
        "Node-signed contract calls (not implemented, as in the reference)",
        "contracts",
        (Answer(501, "always E_NOTIMPLEMENTED", ref("Error")),),
    ),
    ("GET", "/maxblockid"): Op(
        "The newest block id", "blocks", (ok(struct({"max_block_id": INT})),), errors=NOT_FOUND
    ),
    ("GET", "/block/{id}"): Op(
        "One block's header",
        "blocks",
        (
            ok(
                struct(
                    {
                        "hash": BASE64,
                        "ecosystem_id": INT,
                        "key_id": INT,
                        "time": INT,
                        "tx_count": INT,
                        "rollbacks_hash": BASE64,
                        "node_position": INT,
                        "consensus_mode": INT,
                    }
                )
            ),
        ),
        errors=NOT_FOUND,
    ),
    ("GET", "/blocks"): Op(
        "Transactions of a range of blocks, keyed by block id",
        "blocks",
        (ok(mapping(array(BLOCK_TX))),),
        query=BLOCK_RANGE,
        errors={**NOT_FOUND, **BAD_INPUT},
    ),
    ("GET", "/detailed_blocks"): Op(
        "Headers and transactions of a range of blocks, keyed by block id",
        "blocks",
        (ok(mapping(DETAILED_BLOCK)),),
        query=BLOCK_RANGE,
        errors={**NOT_FOUND, **BAD_INPUT},
    ),
    ("GET", "/txinfo/{hash}"): Op(
        "Where a transaction is",
        "transactions",
        (ok(ref("TxInfo")),),
        query=(CONTRACTINFO,),
        errors={400: "not a hex hash"},
    ),
    ("GET", "/txinfomultiple"): Op(
        "Where transactions are",
        "transactions",
        (ok(struct({"results": mapping(ref("TxInfo"))})),),
        query=(
            Field("data", 'comma list of hashes (or {"hashes": [...]})', required=True),
            CONTRACTINFO,
        ),
    ),
    ("GET", "/tx_record/{hashes}"): Op(
        "Rows each transaction changed, with their previous values",
        "transactions",
        (ok(nullable(array(array(struct({"table": STR, "id": STR, "previous": STR}))))),),
        path_params={"hashes": "comma list of hex hashes"},
        errors={400: "not a hex hash"},
    ),
    ("GET", "/balance/{wallet}"): Op(
        "An account's balance",
        "accounts",
        (ok(BALANCE),),
        query=(ECOSYSTEM,),
        path_params={"wallet": "key id or XXXX-XXXX-... address"},
        errors={400: "bad wallet or ecosystem"},
    ),
    ("GET", "/keyinfo/{wallet}"): Op(
        "The ecosystems, roles and unread notifications of an account",
        "accounts",
        (ok(KEYINFO),),
        path_params={"wallet": "key id or XXXX-XXXX-... address"},
        errors={400: "bad wallet"},
    ),
    ("GET", "/ecosystemname"): Op(
        "An ecosystem's name",
        "accounts",
        (ok(struct({"ecosystem_name": STR})),),
        query=(
            Field("id", "ecosystem id", schema=NUMBER_TEXT),
            Field("ecosystem", "the same, when id is absent", schema=NUMBER_TEXT),
        ),
        errors=NOT_FOUND,
    ),
    ("GET", "/ecosystems"): Op(
        "Number of ecosystems (legacy)", "accounts", (ok(struct({"number": INT})),)
    ),
    ("GET", "/metrics/keys"): _metric("accounts of ecosystem 1"),
    ("GET", "/metrics/blocks"): _metric("blocks (the newest id)"),
    ("GET", "/metrics/transactions"): _metric("transactions in blocks"),
    ("GET", "/metrics/ecosystems"): _metric("ecosystems"),
    ("GET", "/metrics/honornodes"): _metric("honor nodes"),
    ("GET", "/metrics/mem"): Op(
        "Resident memory now (alloc) and at its peak (sys), bytes",
        "metrics",
        (ok(struct({"alloc": INT, "sys": INT})),),
    ),
    ("GET", "/metrics/ban"): Op(
        "Honor nodes and whether each is banned",
        "metrics",
        (ok(array(struct({"node_position": INT, "status": BOOL}))),),
    ),
    ("GET", "/metrics/blockper/{node}/{mode}"): Op(
        "All blocks, and those of one node position in a consensus mode",
        "metrics",
        (ok(struct({"totalcount": INT, "partialcount": INT})),),
        path_params={"node": "node position", "mode": "1 honor, 2 candidate"},
        errors=NOT_FOUND,
    ),
    ("GET", "/config/{option}"): Op(
        "A node setting (only `centrifugo`)",
        "system",
        (ok(STR, "the node's own live-events URL, ws://host:port (see /connection/websocket)"),),
        errors={
            400: "live events are off (the reference's answer without Centrifugo)",
            404: "unknown option",
        },
    ),
    ("GET", "/tables"): Op(
        "The caller's ecosystem's tables and their row counts",
        "data",
        (ok(struct({"count": INT, "list": array(struct({"name": STR, "count": NUMBER_TEXT}))})),),
        login=True,
        query=(LIMIT, OFFSET),
    ),
    ("GET", "/table/{name}"): Op(
        "A table's permissions and columns", "data", (ok(TABLE),), login=True, errors=NOT_FOUND
    ),
    ("GET", "/history/{name}/{id}"): Op(
        "A row's previous values, newest first",
        "data",
        (ok(struct({"list": array(mapping(STR))})),),
        login=True,
        errors=BAD_INPUT,
    ),
    ("GET", "/list/{name}"): Op(
        "A page of a table's rows (values as text)",
        "data",
        (ok(ROWS),),
        login=True,
        query=(LIMIT, OFFSET, COLUMNS),
        errors={**NOT_FOUND, 400: "bad input or access denied"},
    ),
    ("POST", "/listWhere/{name}"): Op(
        "Rows matching a DBFind where",
        "data",
        (ok(ROWS),),
        login=True,
        form=(LIMIT, OFFSET, COLUMNS, WHERE, Field("order", "DBFind order as JSON")),
        errors={**NOT_FOUND, 400: "bad input or access denied"},
    ),
    ("POST", "/nodelistWhere/{name}"): Op(
        "Rows matching a DBFind where (as listWhere)",
        "data",
        (ok(ROWS),),
        login=True,
        form=(LIMIT, OFFSET, COLUMNS, WHERE, Field("order", "DBFind order as JSON")),
        errors={**NOT_FOUND, 400: "bad input or access denied"},
    ),
    ("POST", "/sumWhere/{name}"): Op(
        "Sum of a column over the rows matching a where",
        "data",
        (ok(struct({"sum": EMPTY_OR_NUMBER})),),
        login=True,
        form=(Field("column", "column to sum", required=True), WHERE),
        errors={**NOT_FOUND, 400: "bad input or access denied"},
    ),
    ("GET", "/row/{name}/{id}"): Op(
        "One row (values as text)",
        "data",
        (ok(struct({"value": mapping(STR)})),),
        login=True,
        query=(COLUMNS,),
        errors={**NOT_FOUND, 400: "bad input or access denied"},
    ),
    ("GET", "/row/{name}/{column}/{id}"): Op(
        "One row found by another column",
        "data",
        (ok(struct({"value": mapping(STR)})),),
        login=True,
        query=(COLUMNS,),
        errors={**NOT_FOUND, 400: "bad input or access denied"},
    ),
    ("GET", "/sections"): Op(
        "The caller's ecosystem's menu sections",
        "interface",
        (ok(ROWS),),
        login=True,
        query=(LIMIT, OFFSET, Field("lang", "language of the titles")),
    ),
    ("GET", "/interface/page/{name}"): Op(
        "A page row", "interface", (ok(PAGE_ROW),), login=True, errors=NOT_FOUND
    ),
    ("GET", "/interface/menu/{name}"): Op(
        "A menu row",
        "interface",
        (
            ok(
                struct(
                    {"id": INT, "name": STR, "title": STR, "value": STR, "conditions": STR}
                )
            ),
        ),
        login=True,
        errors=NOT_FOUND,
    ),
    ("GET", "/interface/snippet/{name}"): Op(
        "A snippet row",
        "interface",
        (ok(SNIPPET_ROW),),
        login=True,
        errors=NOT_FOUND,
    ),
    ("GET", "/interface/block/{name}"): Op(
        "A snippet row (the name before 2021-12, which Weaver calls)",
        "interface",
        (ok(SNIPPET_ROW),),
        login=True,
        errors=NOT_FOUND,
    ),
    ("GET", "/ecosystemparams"): Op(
        "An ecosystem's parameters",
        "parameters",
        (ok(PARAMS),),
        login=True,
        query=(ECOSYSTEM, NAMES),
        errors=BAD_INPUT,
    ),
    ("GET", "/ecosystemparam/{name}"): Op(
        "One ecosystem parameter",
        "parameters",
        (ok(PARAM),),
        login=True,
        query=(ECOSYSTEM,),
        errors=NOT_FOUND,
    ),
    ("GET", "/systemparams"): Op(
        "The platform parameters",
        "parameters",
        (ok(PARAMS),),
        login=True,
        query=(NAMES,),
        errors={400: "none of the names exists"},
    ),
    ("GET", "/appparams/{appID}"): Op(
        "An application's parameters",
        "parameters",
        (ok(struct({"app_id": STR, "list": array(PARAM)})),),
        login=True,
        query=(ECOSYSTEM, NAMES),
        errors=BAD_INPUT,
    ),
    ("GET", "/appparam/{appID}/{name}"): Op(
        "One application parameter",
        "parameters",
        (ok(PARAM),),
        login=True,
        query=(ECOSYSTEM,),
        errors=NOT_FOUND,
    ),
    ("GET", "/appcontent/{appID}"): Op(
        "The snippets, pages and contracts of an application",
        "parameters",
        (
            ok(
                struct(
                    {
                        "snippets": nullable(array(ITEM)),
                        "pages": nullable(array(ITEM)),
                        "contracts": nullable(array(ITEM)),
                    }
                )
            ),
        ),
        login=True,
        query=(ECOSYSTEM,),
        errors=BAD_INPUT,
    ),
    ("GET", "/member/{ecosystem}/{account}"): Op(
        "A member of an ecosystem (a zero member when unknown)",
        "members",
        (
            ok(
                struct(
                    {
                        "ID": INT,
                        "MemberName": STR,
                        "ImageID": nullable(INT),
                        "MemberInfo": STR,
                    }
                )
            ),
        ),
    ),
    ("GET", "/avatar/{ecosystem}/{account}"): Op(
        "A member's avatar image", "members", (_binary("the image"),), errors=NOT_FOUND
    ),
    ("GET", "/data/{id}/data/{hash}"): Op(
        "A stored binary (its MD5 or node hash in the path)",
        "members",
        (_binary("the file, as an attachment"),),
        errors={**NOT_FOUND, 400: "wrong hash"},
    ),
    ("GET", "/data/{table}/{id}/{column}/{hash}"): Op(
        "A stored cell's bytes",
        "members",
        (_binary("the bytes", "application/octet-stream"),),
        errors={**NOT_FOUND, 400: "wrong hash"},
    ),
    # Logicor pages (POST only, as the reference's route.go routes them).
    ("POST", "/content"): Op(
        "Render a template",
        "content",
        (ok(TREE),),
        form=(
            Field("template", "Logicor source", required=True),
            Field("source", "true or 1: the unexecuted tree"),
        ),
        description="Any other form value is a page variable.",
        errors={400: "empty template, or a heavy page"},
    ),
    ("POST", "/content/page/{name}"): Op(
        "Render a page and its menu",
        "content",
        (ok(CONTENT_PAGE),),
        login=True,
        form=PAGE_FORM,
        path_params={"name": "page name; `@N` selects ecosystem N"},
        errors={**NOT_FOUND, 400: "a heavy page"},
    ),
    ("POST", "/content/menu/{name}"): Op(
        "Render a menu",
        "content",
        (ok(struct({"title": STR, "tree": nullable(array(ref("TreeNode")))})),),
        login=True,
        form=PAGE_FORM,
        errors={**NOT_FOUND, 400: "a heavy page"},
    ),
    ("POST", "/content/source/{name}"): Op(
        "A page's unexecuted tree",
        "content",
        (ok(TREE),),
        login=True,
        form=PAGE_FORM,
        errors=NOT_FOUND,
    ),
    ("POST", "/content/hash/{name}"): Op(
        "The node hash of what content/page answers",
        "content",
        (ok(struct({"hash": HEX})),),
        form=PAGE_FORM,
        errors={**NOT_FOUND, 400: "a heavy page"},
    ),
    ("GET", "/page/validators_count/{name}"): Op(
        "How many validators a page needs",
        "content",
        (ok(struct({"validate_count": INT})),),
        errors=NOT_FOUND,
    ),
}
