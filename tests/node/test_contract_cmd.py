"""`ibax-node contract check|test` as a user runs them: a subprocess on files in a temp dir."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from tests.nodeproc import node_cmd

NOTES = """// Adds a note for the caller; $result is the new row's id.
contract AddNote {
    data {
        Text string
    }
    conditions {
        if Size($Text) == 0 {
            error "a note needs text"
        }
    }
    action {
        $result = DBInsert("notes", {text: $Text, author: $key_id})
    }
}
"""
COLUMNS = (
    '[{"name":"text","type":"varchar","index":"0","conditions":"true"},'
    '{"name":"author","type":"number","index":"0","conditions":"true"}]'
)
CASES = f"""
[[case]]
name = "make the notes table"
contract = "@1NewTable"
params = {{ ApplicationId = 1, Name = "notes", Columns = '{COLUMNS}', Permissions = '{{"insert":"true","update":"true","new_column":"true"}}' }}

[[case]]
name = "adds a note"
params = {{ Text = "hello" }}
signer = "alice"
result = "1"

[[case]]
name = "refuses an empty note"
params = {{ Text = "" }}
error = "a note needs text"
"""  # noqa: E501 - a TOML inline table stays on one line


def contract(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        node_cmd("contract", *args), cwd=cwd, capture_output=True, text=True, timeout=120
    )


def test_check_reports_errors_with_line_and_column(tmp_path: Path) -> None:
    (tmp_path / "notes.sim").write_text(NOTES)
    done = contract("check", "notes.sim", cwd=tmp_path)
    assert (done.returncode, done.stdout, done.stderr) == (0, "notes.sim: ok\n", "")
    bad = "contract Bad {\n    action {\n        $result = 1 +\n    }\n}\n"
    (tmp_path / "bad.sim").write_text(bad)
    done = contract("check", "bad.sim", cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr == "bad.sim:4:5: unexpected '}'\n        }\n        ^\n"
    (tmp_path / "call.sim").write_text("contract Call {\n    action {\n        Nope(1)\n    }\n}\n")
    done = contract("check", "call.sim", cwd=tmp_path)
    # The line, indented by four, and a caret under the column.
    assert done.stderr == "call.sim:3:9: unknown identifier Nope\n" + (
        "            Nope(1)\n            ^\n"
    )
    # System contracts may be called; two contracts in a file cannot be deployed as one.
    (tmp_path / "two.sim").write_text(
        "contract A {\n action { @1TokensSend(\"Recipient,Amount\", \"0\", \"1\") }\n}\n"
        "contract B {\n action { }\n}\n"
    )
    done = contract("check", "two.sim", cwd=tmp_path)
    assert done.returncode == 1
    assert "one contract a file, as @1NewContract takes it (found: A, B)" in done.stderr


def test_cases_run_on_a_throwaway_chain(tmp_path: Path) -> None:
    (tmp_path / "notes.sim").write_text(NOTES)
    (tmp_path / "notes.toml").write_text(CASES)
    done = contract("test", "notes.sim", "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stderr.endswith("3 passed, 0 failed\n")
    table, note, empty = json.loads(done.stdout)
    assert table["contract"] == "@1NewTable" and table["passed"]
    assert {"table": "@create_table", "id": "1_notes", "previous": None} in table["rows"]
    assert note["result"] == "1" and note["errmsg"] is None and note["block"] > table["block"]
    assert note["fuel"] > 0
    assert note["rows"] == [{"table": "1_notes", "id": "1", "previous": None}]
    assert note["signer"] != table["signer"]  # alice, registered for the run
    assert empty["errmsg"] == {"type": "error", "error": "a note needs text"}
    assert empty["rows"] == [] and empty["result"] == ""
    # The text form names the same things.
    done = contract("test", "notes.sim", "--case", "make the notes table", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "case make the notes table: ok" in done.stdout
    assert "@create_table id 1_notes: inserted" in done.stdout


def test_a_case_not_as_expected_fails(tmp_path: Path) -> None:
    (tmp_path / "notes.sim").write_text(NOTES)
    done = contract("test", "notes.sim", "--param", "Text=hi", cwd=tmp_path)
    # Ad hoc, without the table: the insert fails in its block.
    assert done.returncode == 1
    assert "case ad hoc: FAILED" in done.stdout
    assert "0 passed, 1 failed" in done.stderr
    outcome: dict[str, Any] = json.loads(
        contract("test", "notes.sim", "--param", "Text=hi", "--json", cwd=tmp_path).stdout
    )[0]
    assert outcome["block"] and outcome["errmsg"]["error"]
    # A parameter the contract does not take is refused as sendTx would, in no block.
    (tmp_path / "notes.toml").write_text('[[case]]\nname = "n"\nparams = { Txt = "x" }\n')
    outcome = json.loads(contract("test", "notes.sim", "--json", cwd=tmp_path).stdout)[0]
    assert outcome["block"] == 0 and outcome["errmsg"]["type"] == "refused"
    assert "Txt" in outcome["errmsg"]["error"]


def test_unusable_files_exit_2(tmp_path: Path) -> None:
    (tmp_path / "notes.sim").write_text(NOTES)
    (tmp_path / "notes.toml").write_text("[[case]\n")
    done = contract("test", "notes.sim", cwd=tmp_path)
    assert done.returncode == 2 and "is not valid TOML" in done.stderr
    (tmp_path / "notes.toml").write_text('[[case]]\nname = "a"\nparms = {}\n')
    done = contract("test", "notes.sim", cwd=tmp_path)
    assert done.returncode == 2 and "unknown key(s) parms" in done.stderr
    (tmp_path / "notes.toml").write_text('[[case]]\nname = "a"\n')
    done = contract("test", "notes.sim", "--case", "b", cwd=tmp_path)
    assert done.returncode == 2 and "no case named 'b'" in done.stderr
    (tmp_path / "bad.sim").write_text("contract {\n")
    done = contract("test", "bad.sim", cwd=tmp_path)
    assert done.returncode == 2 and done.stderr.startswith("bad.sim:1:")
