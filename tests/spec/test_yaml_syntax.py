"""YAML syntax errors name the line a person must fix, with a hint for the common mistakes.

Each case is a mistake as people make it; the expected line, column and words
are read off the text by hand. The parser alone reports several of these a
line late (a key without its `: ` runs on into the next line) or in its own
terms (`expected <block end>`).
"""

from __future__ import annotations

import pytest

from controlplane.diagnostics import Diagnostic
from controlplane.spec.load import load_source


@pytest.mark.parametrize(
    ("text", "line", "col", "message", "hint"),
    [
        (
            "metadata:\n  team: y\n  name:x\ntask: 1\n",
            3,
            7,
            "invalid YAML: missing space after ':' in 'name:x'",
            "write 'name: x': a key's ':' is followed by a space",
        ),
        (
            "metadata:\n  team:growth   # owns the pages\n  tier: standard\n",
            2,
            7,
            "invalid YAML: missing space after ':' in 'team:growth'",
            "write 'team: growth': a key's ':' is followed by a space",
        ),
        (
            "metadata:\n  name:x\n  team: y\n",
            2,
            7,
            "invalid YAML: missing space after ':' in 'name:x'",
            "write 'name: x': a key's ':' is followed by a space",
        ),
        (
            "a:\n  - name:x\n    team: y\n",
            2,
            9,
            "invalid YAML: missing space after ':' in 'name:x'",
            "write 'name: x': a key's ':' is followed by a space",
        ),
        (
            "metadata:\n  team: y\n  name x\ntask: 1\n",
            3,
            3,
            "invalid YAML: no ':' after the key 'name'",
            "write `key: value`; a list item starts with '- ', a comment with '#'",
        ),
        (
            "metadata:\n  name: x\n team: y\n",
            3,
            2,
            "invalid YAML: bad indentation: 'team' lines up with no key above it",
            "keys of one mapping start in the same column: indent it by 2 spaces like 'name' "
            "on line 2, or by 0 spaces like 'metadata' on line 1",
        ),
        (
            "metadata:\n  name: x\n  # a comment\n\n      team: y\n",
            5,
            7,
            "invalid YAML: bad indentation: 'team' lines up with no key above it",
            "keys of one mapping start in the same column: indent it by 2 spaces like 'name' "
            "on line 2",
        ),
        (
            "serving:\n   mode: realtime\n  instance_type: ml.c5.xlarge\n  instances: 2\n",
            2,
            4,
            "invalid YAML: bad indentation: 'mode' is indented by 3 spaces, the keys below it by 2",
            "keys of one mapping start in the same column: indent 'mode' by 2 spaces like "
            "'instance_type' on line 3",
        ),
        (
            "metadata:\n  name: x\n      team: y\n",
            3,
            7,
            "invalid YAML: bad indentation: 'team' is indented more than 'name' on line 2",
            "keys of one mapping start in the same column: indent it by 2 spaces; only a key "
            "ending in ':' takes keys indented below it",
        ),
        (
            # A key moved out to column 0 between its siblings: the key that moved is named,
            # on its own line, not the sibling below it that YAML stumbles on.
            "rollout:\n  stages: [5, 25, 100]\nbake_time: 2h\n  rollback_on: [error_rate]\n",
            3,
            1,
            "invalid YAML: bad indentation: 'bake_time' is indented by 0 spaces, the keys "
            "around it by 2",
            "keys of one mapping start in the same column: indent 'bake_time' by 2 spaces like "
            "'stages' on line 2 and 'rollback_on' on line 4",
        ),
        (
            # The same, one level down and with a comment between.
            "rollout:\n  shadow:\n    duration: 48h\n  max_divergence: 5%\n  # why\n"
            "    state: shadow\n",
            4,
            3,
            "invalid YAML: bad indentation: 'max_divergence' is indented by 2 spaces, the keys "
            "around it by 4",
            "keys of one mapping start in the same column: indent 'max_divergence' by 4 spaces "
            "like 'duration' on line 3 and 'state' on line 6",
        ),
        (
            "a:\n  -\tb\n",
            2,
            4,
            "invalid YAML: a tab where YAML expects a space",
            "replace the tab with a space",
        ),
        (
            "a:\n  b: 1\n\t c: 2\n",
            3,
            1,
            "invalid YAML: a tab is used for indentation",
            "indent with spaces: YAML does not allow tabs in indentation",
        ),
        (
            "a: 'it\nb: 1\n",
            1,
            4,
            "invalid YAML: the ' that opens this value is never closed",
            "end the value with a matching '",
        ),
        (
            "a: {b: 'x'y}\n",
            1,
            11,
            "invalid YAML: expected ',' or '}' here, in the '{' opened at column 4",
            "separate items with ', '; quote a value that holds a quote, ', ' or '}'",
        ),
        (
            "a: 'b'c\n",
            1,
            7,
            "invalid YAML: text after the closing ' of a value",
            "quote the whole value, or move the text inside the quotes or brackets",
        ),
        (
            "a: [b]]\n",
            1,
            7,
            "invalid YAML: a ']' that closes nothing",
            "remove it, or add the '[' or '{' it should close",
        ),
        (
            "metadata:\n  name: x\n  - team\n",
            3,
            3,
            "invalid YAML: a list item ('- ') among the keys of a mapping",
            "a mapping holds `key: value` lines; put a list under a key of its own",
        ),
        (
            "a:\n  - b\n  c: d\n",
            3,
            3,
            "invalid YAML: the key 'c' stands among the items of a list",
            "indent it under the item it belongs to, or start it with '- ' to make a new item",
        ),
        (
            "owners: @acme/risk-ml\n",
            1,
            9,
            "invalid YAML: a value cannot start with '@' unless it is quoted",
            'quote it: "@acme/risk-ml"',
        ),
        (
            'path: "C:\\data"\n',
            1,
            10,
            "invalid YAML: a backslash in a double-quoted value starts an unknown escape",
            "write \\\\ for a backslash, or quote the value with single quotes, which keep "
            "backslashes as they are",
        ),
        (
            "a: 1\n%b\n",
            2,
            1,
            "invalid YAML: a '%' at the start of a line begins a YAML directive",
            "indent the line under its key, or quote the value that starts with '%'",
        ),
        (
            "state: |shadow\n",
            1,
            8,
            "invalid YAML: a value cannot start with '|' unless it is quoted",
            "quote it: \"|shadow\"; a '|' alone at the end of a line starts a text written on "
            "the lines below",
        ),
        (
            "stages: - 5\n",
            1,
            9,
            "invalid YAML: a list item ('- ') on the same line as its key",
            "put each '- ' item on a line of its own, indented below the key, or write the list "
            "as [a, b]",
        ),
        (
            "stages: [5,\n  , 25]\n",
            2,
            3,
            "invalid YAML: a ',' where a value should be",
            "remove it, or quote the value it belongs to",
        ),
        (
            "# spec\n  apiVersion: mlcp/v1\nkind: Model\n",
            2,
            3,
            "invalid YAML: the first key of the file, 'apiVersion', is indented",
            "top-level keys start at the left margin, with no spaces before them",
        ),
        (
            'team: "growth\ntier: standard\nowners: ["@acme"]\n',
            1,
            7,
            'invalid YAML: the " that opens this value is closed only on line 3',
            'end the value with a matching " on this line',
        ),
        (
            "q:\n  m:\n    - a: 1\n    - b: 2\n   - c: 3\n",
            5,
            4,
            "invalid YAML: bad indentation: this list item is indented by 3 spaces, the item "
            "on line 4 by 4",
            "items of one list start in the same column: indent the '-' by 4 spaces",
        ),
        (
            "q:\n  m:\n    - a: 1\n    - b: 2\n        - c: 3\n",
            5,
            9,
            "invalid YAML: bad indentation: this list item is indented by 8 spaces, the item "
            "on line 4 by 4",
            "items of one list start in the same column: indent the '-' by 4 spaces",
        ),
    ],
)
def test_a_syntax_error_names_the_line_to_fix(
    text: str, line: int, col: int, message: str, hint: str
) -> None:
    found = load_source(text.encode("utf-8"), "spec.yaml")
    assert isinstance(found, Diagnostic), found
    assert (found.code, found.line, found.col) == ("MLCP100", line, col)
    assert (found.message, found.hint) == (message, hint)
