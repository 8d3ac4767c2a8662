"""Who may write the shared and platform tables: the reference's rows of `1_tables`."""

from __future__ import annotations

from typing import NamedTuple

from chain.storage.ecosystem_defaults import DEVELOPER, MAIN_1


def contract_access(*names: str) -> str:
    """`ContractAccess("@1A","@1B")`: only these contracts may write."""
    return "ContractAccess(" + ",".join(f'"{name}"' for name in names) + ")"


class TableRights(NamedTuple):
    """A `1_tables` row: who may insert, update and add columns, and who may change each column."""

    name: str
    insert: str
    update: str
    new_column: str
    columns: tuple[tuple[str, str], ...]

    def permissions(self) -> dict[str, str]:
        return {"insert": self.insert, "update": self.update, "new_column": self.new_column}


_EDIT_CONTRACT = contract_access("@1EditContract")
_EDIT_LANG = contract_access("@1EditLang")
_EDIT_MENU = contract_access("@1EditMenu")
_EDIT_PAGE = contract_access("@1EditPage")
_EDIT_SNIPPET = contract_access("@1EditSnippet")
_EDIT_PARAMETER = contract_access("@1EditParameter")
_EDIT_APP_PARAM = contract_access("@1EditAppParam")
_EDIT_SECTION = contract_access("@1EditSection")
_CHANGE_APP = contract_access("@1ItemChangeAppId")
_PROFILE = contract_access("@1ProfileEdit")
_UPLOAD = contract_access("@1UploadBinary")
_ROLES_DELETE = contract_access("@1RolesDelete")
_UNASSIGN = contract_access("@1RolesUnassign")
_CLOSE = contract_access("@1NotificationsClose")
_PROCESS = contract_access("@1NotificationsClose", "@1NotificationsProcess")
_NODES_BAN = contract_access("@1CheckNodesBan")
_EDIT_DELAYED = contract_access("@1EditDelayedContract")
_NEW_TOKEN = contract_access("@1NewToken")
_TE_CHANGE = contract_access("@1TeChange", "@1NewToken")
_PLATFORM_PARAM = contract_access("@1UpdatePlatformParam")


def _developer_table(name: str, *columns: tuple[str, str]) -> TableRights:
    # Most content tables: the ecosystem's developers insert and update, only
    # ecosystem 1's main condition adds columns.
    return TableRights(name, DEVELOPER, DEVELOPER, MAIN_1, columns)


# The shared tables' rights in every ecosystem (tables_data.go). Wherever the reference lets
# @1TokensTransfer move money, our token contract @1TokensSend may too.
SHARED_TABLE_RIGHTS: tuple[TableRights, ...] = (
    _developer_table(
        "contracts",
        ("name", "false"),
        ("value", _EDIT_CONTRACT),
        ("wallet_id", contract_access("@1BindWallet", "@1UnbindWallet")),
        ("token_id", _EDIT_CONTRACT),
        ("conditions", _EDIT_CONTRACT),
        ("permissions", MAIN_1),
        ("app_id", _CHANGE_APP),
        ("ecosystem", "false"),
    ),
    TableRights(
        "keys",
        "true",
        contract_access(
            "@1TokensTransfer",
            "@1TokensSend",
            "@1TokensLockoutMember",
            "@1NewToken",
            "@1TeBurn",
            "@1ProfileEdit",
            "@1NewUser",
        ),
        MAIN_1,
        (
            ("pub", contract_access("@1NewUser")),
            (
                "amount",
                contract_access(
                    "@1TokensTransfer", "@1TokensSend", "@1NewToken", "@1TeBurn", "@1ProfileEdit"
                ),
            ),
            ("maxpay", MAIN_1),
            ("deleted", contract_access("@1DeleteMember")),
            ("blocked", contract_access("@1TokensLockoutMember")),
            ("account", "false"),
            ("ecosystem", "false"),
            ("multi", MAIN_1),
        ),
    ),
    TableRights(
        "history",
        contract_access(
            "@1TokensTransfer",
            "@1TokensSend",
            "@1NewUser",
            "@1NewToken",
            "@1TeBurn",
            "@1ProfileEdit",
            "@1MembershipRequest",
            "@1MembershipDecide",
            "@1MembershipAdd",
            "@1DeleteMember",
        ),
        MAIN_1,
        MAIN_1,
        tuple(
            (column, "false")
            for column in (
                "sender_id",
                "recipient_id",
                "sender_balance",
                "recipient_balance",
                "amount",
                "value_detail",
                "comment",
                "status",
                "block_id",
                "txhash",
                "ecosystem",
                "type",
                "created_at",
            )
        ),
    ),
    _developer_table(
        "languages",
        ("name", _EDIT_LANG),
        ("res", _EDIT_LANG),
        ("conditions", _EDIT_LANG),
        ("permissions", MAIN_1),
        ("ecosystem", "false"),
    ),
    _developer_table(
        "menu",
        ("name", "false"),
        ("value", contract_access("@1EditMenu", "@1AppendMenu")),
        ("title", _EDIT_MENU),
        ("conditions", _EDIT_MENU),
        ("permissions", MAIN_1),
        ("ecosystem", "false"),
    ),
    _developer_table(
        "pages",
        ("name", "false"),
        ("value", contract_access("@1EditPage", "@1AppendPage")),
        ("menu", _EDIT_PAGE),
        ("validate_count", _EDIT_PAGE),
        ("validate_mode", _EDIT_PAGE),
        ("app_id", _CHANGE_APP),
        ("conditions", _EDIT_PAGE),
        ("permissions", MAIN_1),
        ("ecosystem", "false"),
    ),
    _developer_table(
        "snippets",
        ("name", "false"),
        ("value", _EDIT_SNIPPET),
        ("conditions", _EDIT_SNIPPET),
        ("permissions", MAIN_1),
        ("app_id", _CHANGE_APP),
        ("ecosystem", "false"),
    ),
    TableRights(
        "members",
        _PROFILE,
        _PROFILE,
        MAIN_1,
        (
            ("image_id", _PROFILE),
            ("member_info", _PROFILE),
            ("member_name", "false"),
            ("account", "false"),
            ("ecosystem", "false"),
        ),
    ),
    TableRights(
        "roles",
        contract_access("@1RolesCreate", "@1RolesInstall"),
        contract_access("@1RolesAccessManager", "@1RolesDelete"),
        MAIN_1,
        (
            ("default_page", "false"),
            ("creator", "false"),
            ("deleted", _ROLES_DELETE),
            ("company_id", "false"),
            ("date_deleted", _ROLES_DELETE),
            ("image_id", "false"),
            ("role_name", "false"),
            ("date_created", "false"),
            ("roles_access", contract_access("@1RolesAccessManager")),
            ("role_type", "false"),
            ("ecosystem", "false"),
        ),
    ),
    TableRights(
        "roles_participants",
        contract_access("@1RolesAssign", "@1VotingDecisionCheck", "@1RolesInstall"),
        _UNASSIGN,
        MAIN_1,
        (
            ("deleted", _UNASSIGN),
            ("date_deleted", _UNASSIGN),
            ("member", "false"),
            ("role", "false"),
            ("date_created", "false"),
            ("appointed", "false"),
            ("ecosystem", "false"),
        ),
    ),
    TableRights(
        "notifications",
        contract_access("@1NotificationsSend", "@1CheckNodesBan", "@1NotificationsBroadcast"),
        contract_access(
            "@1NotificationsSend",
            "@1NotificationsClose",
            "@1NotificationsProcess",
            "@1NotificationsUpdateParams",
        ),
        MAIN_1,
        (
            ("date_closed", _CLOSE),
            ("sender", "false"),
            ("processing_info", _PROCESS),
            ("date_start_processing", _PROCESS),
            ("notification", "false"),
            ("page_name", "false"),
            ("page_params", contract_access("@1NotificationsUpdateParams")),
            ("closed", _CLOSE),
            ("date_created", "false"),
            ("recipient", "false"),
            ("ecosystem", "false"),
        ),
    ),
    _developer_table(
        "sections",
        ("title", _EDIT_SECTION),
        ("urlname", _EDIT_SECTION),
        ("page", _EDIT_SECTION),
        ("roles_access", contract_access("@1SectionRoles")),
        ("status", contract_access("@1EditSection", "@1NewSection")),
        ("ecosystem", "false"),
    ),
    _developer_table(
        "applications",
        ("name", "false"),
        ("uuid", "false"),
        ("conditions", contract_access("@1EditApplication")),
        ("deleted", contract_access("@1DelApplication")),
        ("ecosystem", "false"),
    ),
    TableRights(
        "binaries",
        _UPLOAD,
        _UPLOAD,
        MAIN_1,
        (
            ("hash", _UPLOAD),
            ("account", "false"),
            ("data", _UPLOAD),
            ("name", "false"),
            ("app_id", "false"),
            ("ecosystem", "false"),
            ("mime_type", _UPLOAD),
        ),
    ),
    TableRights(
        "parameters",
        DEVELOPER,
        _EDIT_PARAMETER,
        MAIN_1,
        (
            ("name", "false"),
            ("value", _EDIT_PARAMETER),
            ("conditions", _EDIT_PARAMETER),
            ("permissions", MAIN_1),
            ("ecosystem", "false"),
        ),
    ),
    TableRights(
        "app_params",
        DEVELOPER,
        _EDIT_APP_PARAM,
        MAIN_1,
        (
            ("app_id", _CHANGE_APP),
            ("name", "false"),
            ("value", _EDIT_APP_PARAM),
            ("conditions", _EDIT_APP_PARAM),
            ("permissions", MAIN_1),
            ("ecosystem", "false"),
        ),
    ),
    TableRights(
        "buffer_data",
        "true",
        "true",
        MAIN_1,
        (("key", "false"), ("value", "true"), ("account", "false"), ("ecosystem", "false")),
    ),
    TableRights(
        "views",
        DEVELOPER,
        "false",
        "false",
        (
            ("name", "false"),
            ("columns", "false"),
            ("wheres", "false"),
            ("permissions", "true"),
            ("conditions", "true"),
            ("app_id", "false"),
            ("ecosystem", "false"),
        ),
    ),
)

# The platform tables' rights, in ecosystem 1 only (first_tables_data.go).
PLATFORM_TABLE_RIGHTS: tuple[TableRights, ...] = (
    TableRights(
        "delayed_contracts",
        contract_access("@1NewDelayedContract"),
        contract_access("@1CallDelayedContract", "@1EditDelayedContract", "@1CheckNodesBan"),
        MAIN_1,
        (
            ("contract", _EDIT_DELAYED),
            ("key_id", _EDIT_DELAYED),
            ("block_id", contract_access("@1CallDelayedContract", "@1EditDelayedContract")),
            ("every_block", _EDIT_DELAYED),
            (
                "counter",
                contract_access(
                    "@1CallDelayedContract", "@1EditDelayedContract", "@1CheckNodesBan"
                ),
            ),
            ("high_rate", _EDIT_DELAYED),
            ("limit", _EDIT_DELAYED),
            ("deleted", _EDIT_DELAYED),
            ("conditions", _EDIT_DELAYED),
        ),
    ),
    TableRights(
        "ecosystems",
        contract_access("@1NewEcosystem"),
        contract_access(
            "@1EditEcosystemName",
            "@1VotingVesAccept",
            "@1EcManageInfo",
            "@1EcoFeeModeManage",
            "@1EditControlMode",
            "@1NewToken",
            "@1TeChange",
            "@1TeEmission",
            "@1TeBurn",
        ),
        MAIN_1,
        (
            ("name", contract_access("@1EditEcosystemName")),
            ("info", contract_access("@1EcManageInfo")),
            ("digits", _NEW_TOKEN),
            ("fee_mode_info", contract_access("@1EcoFeeModeManage")),
            ("is_valued", contract_access("@1VotingVesAccept")),
            ("emission_amount", contract_access("@1NewToken", "@1TeBurn", "@1TeEmission")),
            ("token_symbol", _NEW_TOKEN),
            ("token_name", _NEW_TOKEN),
            ("type_emission", _TE_CHANGE),
            ("type_withdraw", _TE_CHANGE),
            ("control_mode", contract_access("@1EditControlMode")),
        ),
    ),
    TableRights(
        "platform_parameters",
        "false",
        _PLATFORM_PARAM,
        MAIN_1,
        (("value", _PLATFORM_PARAM), ("name", "false"), ("conditions", _PLATFORM_PARAM)),
    ),
    TableRights(
        "bad_blocks",
        contract_access("@1NewBadBlock"),
        contract_access("@1NewBadBlock", "@1CheckNodesBan"),
        MAIN_1,
        tuple(
            (column, _NODES_BAN)
            for column in (
                "block_id",
                "producer_node_id",
                "consumer_node_id",
                "block_time",
                "reason",
                "deleted",
            )
        ),
    ),
    TableRights(
        "node_ban_logs",
        _NODES_BAN,
        _NODES_BAN,
        MAIN_1,
        tuple((column, _NODES_BAN) for column in ("node_id", "banned_at", "ban_time", "reason")),
    ),
    TableRights("time_zones", "false", "false", "false", (("name", "false"), ("offset", "false"))),
)
