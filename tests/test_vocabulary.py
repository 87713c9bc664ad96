"""One vocabulary per concept: question types and adjustment actions are spelled once, in their enum.

Every other module and template names them through the enum (QuestionType.MULTI,
AdjustmentAction.DROP, or the enum passed to a template), so a renamed or added value
cannot be missed in one place. Test data is the exchange format itself and may spell them.
"""

import ast
import re
from pathlib import Path

from okuyami.guide import AdjustmentAction
from procedures.rules import QuestionType

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("core", "procedures", "okuyami", "config", "bench")
DEFINITIONS = {ROOT / "procedures" / "rules.py", ROOT / "okuyami" / "guide.py"}
WORDS = {*QuestionType, *AdjustmentAction}
TEMPLATE_LITERAL = re.compile(rf"""(?:==|!=|value=)\s*["']({"|".join(sorted(WORDS))})["']""")


def python_files() -> list[Path]:
    return [
        path
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if "migrations" not in path.parts and path not in DEFINITIONS
    ]


def vocabulary_literals(source: str) -> list[tuple[int, int, str]]:
    """(line, column, word) for each string constant that spells a question type or an adjustment action.

    Not counted: dictionary keys and subscripts (`stop["number"]` is a field of the guide),
    and an HTML input's type in a widget's `attrs` (`{"type": "date"}`).
    """
    tree = ast.parse(source)
    exempt: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            exempt |= {id(key) for key in node.keys if key is not None}
        elif isinstance(node, ast.Subscript):
            exempt.add(id(node.slice))
        elif isinstance(node, ast.keyword) and node.arg == "attrs" and isinstance(node.value, ast.Dict):
            exempt |= {
                id(value)
                for key, value in zip(node.value.keys, node.value.values, strict=True)
                if isinstance(key, ast.Constant) and key.value == "type"
            }
    return sorted(
        (node.lineno, node.col_offset, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and node.value in WORDS and id(node) not in exempt
    )


def test_no_module_spells_a_question_type_or_an_adjustment_action():
    found = [
        f"{path.relative_to(ROOT)}:{line} {word!r}"
        for path in python_files()
        for line, _, word in vocabulary_literals(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_no_template_spells_one():
    found = [
        f"{path.relative_to(ROOT)}: {match.group()}"
        for package in ("okuyami", "procedures")
        for path in sorted((ROOT / package).rglob("*.html"))
        for match in TEMPLATE_LITERAL.finditer(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_the_check_finds_a_spelled_out_type_and_action():
    source = 'if q.type in ("choice", "multi") or a.action == "drop":\n    x = {"type": "date"}["number"]\n'
    found = [(line, word) for line, _, word in vocabulary_literals(source)]
    assert found == [(1, "choice"), (1, "multi"), (1, "drop"), (2, "date")]
    assert TEMPLATE_LITERAL.search('<input name="action" value="add">')
