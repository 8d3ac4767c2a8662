"""What a new ecosystem and the platform start with: parameters, page and menu texts."""

from __future__ import annotations

PLATFORM_ECOSYSTEM = 1
PLATFORM_ECOSYSTEM_NAME = "platform ecosystem"

# The reference's guest account key (consts.GuestPublic); its id follows the node's hasher.
GUEST_PUBLIC = bytes.fromhex(
    "ef0ab117793962b7b3ee8d2ae94b58bbd7db1aa856a7dc623fdb28ad530090b0"
    "bcf5cb81b4d6912a249f1ab30921f414ad88383208cd8ba26ae2a9c3eb543772"
)

DEVELOPER = 'ContractConditions("DeveloperCondition")'
MAIN = 'ContractConditions("MainCondition")'
MAIN_1 = 'ContractConditions("@1MainCondition")'
DEVELOPER_1 = 'ContractConditions("@1DeveloperCondition")'

PRINT_STYLESHEET = (
    "body {\n  /* You can define your custom styles here or create custom CSS rules */\n}"
)


def ecosystem_parameters(founder_key_id: int) -> tuple[tuple[str, str], ...]:
    """The 14 default parameters (name, value) of an ecosystem, in the reference's order."""
    return (
        ("founder_account", str(founder_key_id)),
        ("new_table", DEVELOPER),
        ("changing_tables", DEVELOPER),
        ("changing_language", DEVELOPER),
        ("changing_page", DEVELOPER),
        ("changing_menu", DEVELOPER),
        ("changing_contracts", DEVELOPER),
        ("changing_parameters", DEVELOPER),
        ("changing_app_params", DEVELOPER),
        ("changing_snippets", DEVELOPER),
        ("max_sum", "1000000"),
        ("print_stylesheet", PRINT_STYLESHEET),
        ("min_page_validate_count", "1"),
        ("max_page_validate_count", "6"),
    )


# Page and menu texts (Logicor). Ours, shorter than the reference's where it has any. A
# DBFind of a shared table without `@N` reads the page's ecosystem's rows (the data API's
# rule), so these pages show each ecosystem its own pages, notifications and uploads.

DEVELOPER_MENU = """\
MenuItem(Title: "Developer", Page: developer_index, Icon: "icon-wrench")
MenuItem(Title: "Import", Page: @1import_upload, Icon: "icon-cloud-upload")"""

# Used for default_menu when the default_ecosystem_menu platform parameter is empty
# (the reference then leaves the menu empty, which shows nothing to click).
DEFAULT_MENU = """\
MenuItem(Title: "Home", Page: default_page, Icon: "icon-home")
MenuItem(Title: "Developer", Page: developer_index, Icon: "icon-wrench")"""

DEVELOPER_INDEX_PAGE = """\
Div(content-wrapper){
    SetTitle("Developer")
    DBFind(pages, pages).Columns("id,name,menu").Order("name")
    Div(panel panel-primary){
        Div(panel-heading){
            Span(Body: "Pages of ecosystem #ecosystem_id#")
        }
        Table(pages, "ID=id,Name=name,Menu=menu")
    }
}"""

NOTIFICATIONS_PAGE = """\
Div(content-wrapper){
    SetTitle("Notifications")
    DBFind(notifications, notes).Columns("id,page_name,date_created").Where({"closed": 0}).Order("id")
    Div(panel panel-default){
        Table(notes, "ID=id,Page=page_name,Created=date_created")
    }
}"""  # noqa: E501 - a Logicor call chain stays on one line

IMPORT_UPLOAD_PAGE = """\
Div(content-wrapper){
    SetTitle("Import")
    Form(panel panel-primary){
        Div(panel-body){
            Span(Class: text-muted, Body: "Choose an exported application (JSON) to load")
            Input(Name: Data, Type: file)
        }
        Div(panel-footer text-right){
            Button(Body: "Load", Class: btn btn-primary, Contract: @1ImportUpload, Page: @1import_app)
        }
    }
}"""  # noqa: E501 - a Logicor call chain stays on one line

IMPORT_APP_PAGE = """\
Div(content-wrapper){
    SetTitle("Import")
    DBFind(buffer_data, upload).Columns("id,value->data").Where({"key": "import", "account": "#account_id#"}).Vars(import)
    If(#import_id# > 0){
        Div(panel panel-primary){
            Div(panel-body){
                Span(Body: "A loaded application is ready to be imported")
            }
            Div(panel-footer text-right){
                VarAsIs(imp_data, "#import_value_data#")
                Button(Body: "Import", Class: btn btn-primary, Page: @1import_app).CompositeContract(@1Import, "#imp_data#")
            }
        }
    }.Else{
        Span(Class: text-muted, Body: "Nothing loaded yet")
        LinkPage(Body: "Load a file", Page: @1import_upload)
    }
}"""  # noqa: E501 - a Logicor call chain stays on one line

PAGER_HEADER_SNIPPET = """\
If(#pager_page# > 1){
    SetVar(pager_offset, Calculate(Exp: (#pager_page# - 1) * 25, Type: int))
}.Else{
    SetVar(pager_offset, 0)
}"""
