"""The condition language of okuyami-catalog/1: parse, type-check, evaluate.

Pure Python, no Django and never eval/exec. A condition is parsed and checked
once per catalog load into a `Condition`, then evaluated many times against a
case's facts with three-valued logic (True / False / None for unknown).
"""

from __future__ import annotations

import difflib
import functools
import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import NamedTuple


class QuestionType(StrEnum):
    """The answer types of okuyami-catalog/1 questions: the one vocabulary, here and everywhere."""

    YES_NO = "yes_no"
    CHOICE = "choice"
    MULTI = "multi"
    NUMBER = "number"
    DATE = "date"

    @classmethod
    def of(cls, value: object) -> QuestionType | None:
        """The type `value` names, or None (for any value, a list or None too)."""
        try:
            return cls(value)
        except ValueError:
            return None

    @property
    def label(self) -> str:
        """Japanese, for the screens."""
        return _TYPE_LABELS[self]

    @property
    def has_choices(self) -> bool:
        return self in (QuestionType.CHOICE, QuestionType.MULTI)


_TYPE_LABELS = {
    QuestionType.YES_NO: "はい／いいえ",
    QuestionType.CHOICE: "ひとつ選ぶ",
    QuestionType.MULTI: "複数選ぶ",
    QuestionType.NUMBER: "数",
    QuestionType.DATE: "日付",
}
AGE = "age"
KEYWORDS = frozenset({"and", "or", "not", "in", "true", "false"})
COMPARISON_OPS = ("==", "!=", "<", "<=", ">", ">=", "in", "not in")
ORDERING_OPS = frozenset({"<", "<=", ">", ">="})

# A fact that was answered わからない. An unanswered question is simply absent.
UNKNOWN = type("Unknown", (), {"__repr__": lambda self: "UNKNOWN"})()

Facts = Mapping[str, object]
TruthValue = bool | None  # None is "unknown"


class ConditionError(Exception):
    """A condition that does not parse or does not fit the catalog's questions. str(): English, as
    the API and the CLI say it; `ja`: Japanese, for the editors' screens."""

    def __init__(self, message: str, ja: str | None = None):
        super().__init__(message)
        self.ja = ja or message


@dataclass(frozen=True)
class QuestionSpec:
    """What the language needs to know of a question."""

    key: str
    type: str
    text: str = ""
    choices: tuple[tuple[str, str], ...] = ()  # (value, label)

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(value for value, _ in self.choices)

    def label(self, value: str) -> str:
        return dict(self.choices).get(value, value)


# --- Tokens -----------------------------------------------------------------

# How deeply `not`, parentheses and lists may nest. A real condition needs three or four
# levels; the parser recurses once per level, so a limit keeps a hostile catalog from
# exhausting the stack (`"not " * 990 + "true"`).
MAX_DEPTH = 32

# White space between tokens is ASCII white space or the ideographic space (U+3000), which a
# Japanese input method types; other Unicode spaces (a no-break space pasted from a web page)
# are refused, as the format says. A string holds no escapes: a backslash is an ordinary
# character, and a string cannot hold its own quote.
WHITE_SPACE = " \t\n\r\f\v\u3000"  # also what a blank required string of a catalog holds
_TOKEN = re.compile(
    r"""
    (?P<space>[ \t\n\r\f\v\u3000]+)
  | (?P<int>-?[0-9]+)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op>==|!=|<=|>=|<|>)
  | (?P<punct>[()\[\],])
  | (?P<string>"[^"]*"|'[^']*')
  | (?P<bad>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_HINTS = {"=": "'=='", "&": "'and'", "|": "'or'", "!": "'!=' or 'not'"}
_HINTS_JA = {"=": "「==」", "&": "「and」", "|": "「or」", "!": "「!=」か「not」"}


def _did_you_mean(close: list[str]) -> tuple[str, str]:
    """The hint of a misspelling, in English and in Japanese."""
    if not close:
        return "", ""
    return f" (did you mean '{close[0]}'?)", f"（「{close[0]}」のまちがいですか？）"


class _Token(NamedTuple):
    kind: str  # int, name, op, punct, string, end
    text: str
    pos: int  # 1-based character position


def _tokenize(source: str) -> list[_Token]:
    tokens: list[_Token] = []
    # Every character starts some alternative (`bad` at worst), so the matches tile the source.
    for match in _TOKEN.finditer(source):
        kind = match.lastgroup
        if kind == "space":
            continue
        if kind == "bad":
            char, position = match.group(), match.start() + 1
            if char in "\"'":
                raise ConditionError(
                    f"syntax error at position {position}: unterminated string",
                    f"{position}文字目: 文字列を閉じる {char} がありません",
                )
            hint = f" (did you mean {_HINTS[char]}?)" if char in _HINTS else ""
            hint_ja = f"（{_HINTS_JA[char]}のまちがいですか？）" if char in _HINTS else ""
            raise ConditionError(
                f"syntax error at position {position}: unexpected character {char!r}{hint}",
                f"{position}文字目: 「{char}」は条件に使えません{hint_ja}",
            )
        tokens.append(_Token(kind, match.group(), match.start() + 1))
    tokens.append(_Token("end", "", len(source) + 1))
    return tokens


# --- Syntax tree --------------------------------------------------------------


@dataclass(frozen=True)
class Const:
    value: bool


@dataclass(frozen=True)
class Name:
    key: str
    pos: int


@dataclass(frozen=True)
class Literal:
    value: object  # bool, int or str
    pos: int


@dataclass(frozen=True)
class ListLiteral:
    items: tuple[Literal, ...]
    pos: int


Operand = Name | Literal | ListLiteral


@dataclass(frozen=True)
class Compare:
    op: str
    left: Operand
    right: Operand
    pos: int


@dataclass(frozen=True)
class Not:
    operand: Node


@dataclass(frozen=True)
class And:
    operands: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    operands: tuple[Node, ...]


Node = Const | Compare | Not | And | Or


class _Parser:
    def __init__(self, source: str):
        self.tokens = _tokenize(source)
        self.index = 0
        self.depth = 0  # `not`, parentheses and lists open around the current token

    def enter(self, token: _Token) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ConditionError(
                f"syntax error at position {token.pos}: nested too deeply "
                f"(at most {MAX_DEPTH} levels of parentheses and 'not')",
                f"{token.pos}文字目: かっこと not の重なりが深すぎます（{MAX_DEPTH}段まで）",
            )

    @property
    def peek(self) -> _Token:
        return self.tokens[self.index]

    def next(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def at_keyword(self, word: str, offset: int = 0) -> bool:
        token = self.tokens[min(self.index + offset, len(self.tokens) - 1)]
        return token.kind == "name" and token.text == word

    def error(self, message: str, ja: str, token: _Token | None = None) -> ConditionError:
        token = token or self.peek
        return ConditionError(f"syntax error at position {token.pos}: {message}", f"{token.pos}文字目: {ja}")

    def describe(self, token: _Token) -> str:
        return "the end of the condition" if token.kind == "end" else repr(token.text)

    def describe_ja(self, token: _Token) -> str:
        return "条件の終わり" if token.kind == "end" else f"「{token.text}」"

    def parse(self) -> Node:
        if self.peek.kind == "end":
            raise ConditionError(
                "empty condition: write 'true' for a procedure everyone needs",
                "条件が空です。全員が対象なら true と書いてください",
            )
        node = self.parse_or()
        if self.peek.kind != "end":
            raise self.error(
                f"unexpected {self.describe(self.peek)}",
                f"{self.describe_ja(self.peek)}はここに書けません（and か or で続けてください）",
            )
        return node

    def parse_or(self) -> Node:
        return self._junction("or", self.parse_and, Or)

    def parse_and(self) -> Node:
        return self._junction("and", self.parse_not, And)

    def _junction(self, word: str, operand, node) -> Node:
        """`operand (word operand)*`: one operand as it is, several joined in `node`."""
        operands = [operand()]
        while self.at_keyword(word):
            self.next()
            operands.append(operand())
        return operands[0] if len(operands) == 1 else node(tuple(operands))

    def parse_not(self) -> Node:
        if self.at_keyword("not"):
            self.enter(self.next())
            node = Not(self.parse_not())
            self.depth -= 1
            return node
        return self.parse_atom()

    def parse_atom(self) -> Node:
        if self.peek.text == "(" and self.peek.kind == "punct":
            self.enter(self.next())
            node = self.parse_or()
            if self.peek.text != ")":
                raise self.error(
                    f"expected ')' but found {self.describe(self.peek)}",
                    f"「)」がありません（{self.describe_ja(self.peek)}があります）",
                )
            self.next()
            self.depth -= 1
            return node
        operand = self.parse_operand()
        op_token = self.peek
        op = self.parse_comparison_op()
        if op is None:
            if isinstance(operand, Literal) and isinstance(operand.value, bool):
                return Const(operand.value)
            if isinstance(operand, Name):
                raise ConditionError(
                    f"syntax error at position {operand.pos}: a bare name is not a condition "
                    f"(write '{operand.key} == true')",
                    f"{operand.pos}文字目: 質問のキーだけでは条件になりません"
                    f"（「{operand.key} == true」のように書いてください）",
                )
            raise self.error(
                f"expected a comparison operator but found {self.describe(op_token)}",
                f"==、!=、>= などの比べ方がありません（{self.describe_ja(op_token)}があります）",
            )
        right = self.parse_operand()
        return Compare(op, operand, right, op_token.pos)

    def parse_comparison_op(self) -> str | None:
        token = self.peek
        if token.kind == "op":
            self.next()
            return token.text
        if self.at_keyword("in"):
            self.next()
            return "in"
        if self.at_keyword("not") and self.at_keyword("in", 1):
            self.next()
            self.next()
            return "not in"
        return None

    def parse_operand(self) -> Operand:
        token = self.peek
        if token.kind == "punct" and token.text == "[":
            self.next()
            items: list[Literal] = []
            if self.peek.text != "]":
                while True:
                    if self.peek.text == "[" and self.peek.kind == "punct":  # refused before it nests
                        raise self.error("a list holds only literals", "[ ] の中には値だけを書けます")
                    item = self.parse_operand()
                    if not isinstance(item, Literal):
                        raise ConditionError(
                            f"syntax error at position {item.pos}: a list holds only literals",
                            f"{item.pos}文字目: [ ] の中には値だけを書けます",
                        )
                    items.append(item)
                    if self.peek.text == ",":
                        self.next()
                        continue
                    break
            if self.peek.text != "]":
                raise self.error(
                    f"expected ',' or ']' but found {self.describe(self.peek)}",
                    f"「,」か「]」がありません（{self.describe_ja(self.peek)}があります）",
                )
            self.next()
            return ListLiteral(tuple(items), token.pos)
        self.next()
        if token.kind == "int":
            return Literal(int(token.text), token.pos)
        if token.kind == "string":
            return Literal(_unquote(token.text), token.pos)
        if token.kind == "name":
            if token.text in ("true", "false"):
                return Literal(token.text == "true", token.pos)
            if token.text not in KEYWORDS:
                return Name(token.text, token.pos)
        raise self.error(
            f"expected a question, a value or '(' but found {self.describe(token)}",
            f"質問のキー、値、「(」のどれかがありません（{self.describe_ja(token)}があります）",
            token,
        )


def _unquote(text: str) -> str:
    return text[1:-1]


def parse(source: str) -> Node:
    """Parse a condition into its syntax tree; raises ConditionError."""
    return _Parser(source).parse()


# --- Type checking ----------------------------------------------------------------

_TYPE_NAMES = {
    QuestionType.YES_NO: "a yes/no question (compare with true or false)",
    QuestionType.CHOICE: "a choice question",
    QuestionType.MULTI: "a multi question",
    QuestionType.NUMBER: "a number question",
    QuestionType.DATE: 'a date question (compare with "YYYY-MM-DD")',
}
_DATE_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def parse_date(text: object) -> date | None:
    """A strict "YYYY-MM-DD" date, or None."""
    if not isinstance(text, str) or not _DATE_RE.match(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _type_ja(spec: QuestionSpec) -> str:
    """「はい／いいえ」の質問, 年齢の数."""
    return "亡くなったときの年齢（数）" if spec.key == AGE else f"「{QuestionType(spec.type).label}」の質問"


def _compare_with_ja(spec: QuestionSpec) -> str:
    """How a question of this type is compared, in Japanese: the hint after a wrong type."""
    if spec.key == AGE or spec.type == QuestionType.NUMBER:
        return "（数は 75 のように引用符なしで書きます）"
    if spec.type == QuestionType.YES_NO:
        return "（true か false と比べます）"
    if spec.type == QuestionType.DATE:
        return '（"2024-04-01" のように書きます）'
    return "（選択肢の値を引用符で囲んで書きます）"


def _describe_literal(literal: Literal) -> tuple[str, str]:
    """A value written in a condition, as an error names it: (English, Japanese)."""
    value = literal.value
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}", f"「{str(value).lower()}」（はい／いいえ）"
    if isinstance(value, int):
        return f"the integer {value}", f"数「{value}」"
    return f'the string "{value}"', f'文字列「"{value}"」'


class _Checker:
    def __init__(self, questions: Mapping[str, QuestionSpec], available: frozenset[str] | None):
        self.questions = questions
        self.available = available  # for ask_if: only earlier questions

    def spec(self, name: Name) -> QuestionSpec:
        if name.key == AGE:
            return QuestionSpec(AGE, QuestionType.NUMBER, "年齢")
        question = self.questions.get(name.key)
        if question is None:
            known = [*self.questions, AGE]
            close = difflib.get_close_matches(name.key, [*known, "true", "false"], n=1)
            hint, hint_ja = _did_you_mean(close)
            raise ConditionError(
                f"unknown question '{name.key}'{hint}", f"「{name.key}」という質問はありません{hint_ja}"
            )
        if self.available is not None and name.key not in self.available:
            raise ConditionError(
                f"'{name.key}' is not asked before this question: "
                "ask_if may use only age and the questions listed before it",
                f"「{name.key}」はこの質問より後に聞く質問です。"
                "質問する条件には age とこの質問より前の質問だけを使えます",
            )
        return question

    def check(self, node: Node) -> None:
        if isinstance(node, Compare):
            self.check_compare(node)
        elif isinstance(node, Not):
            self.check(node.operand)
        elif isinstance(node, And | Or):
            for operand in node.operands:
                self.check(operand)

    def check_compare(self, node: Compare) -> None:
        for side in (node.left, node.right):
            if isinstance(side, Name):
                self.spec(side)  # unknown names first: the clearest message
        if node.op in ("in", "not in"):
            self.check_membership(node)
            return
        for side in (node.left, node.right):
            if isinstance(side, ListLiteral):
                raise ConditionError(
                    f"a list can only follow 'in' or 'not in', not '{node.op}'",
                    f"[ ] は in か not in の後にだけ書けます（「{node.op}」の後には書けません）",
                )
            self.refuse_multi(side, node.op)
        self.check_pair(node.left, node.right, node.op)

    def refuse_multi(self, side: Operand, op: str) -> None:
        """A multi question is tested one value at a time ('"value" in q'), never as a whole with `op`."""
        if isinstance(side, Name) and self.spec(side).type == QuestionType.MULTI:
            raise ConditionError(
                f"'{side.key}' is a multi question: test it with '\"value\" in {side.key}', not '{op}'",
                f'「{side.key}」は複数選択の質問です。「{op}」ではなく「"値" in {side.key}」と書いてください',
            )

    def check_membership(self, node: Compare) -> None:
        left, right = node.left, node.right
        if isinstance(left, ListLiteral):
            raise ConditionError(
                f"a list cannot stand left of '{node.op}'", f"[ ] は「{node.op}」の左には書けません"
            )
        if isinstance(right, Name):
            spec = self.spec(right)
            if spec.type != QuestionType.MULTI:
                raise ConditionError(
                    f"'{node.op}' needs a list [...] or a multi question on its right; "
                    f"'{right.key}' is {_TYPE_NAMES[spec.type]}",
                    f"「{node.op}」の右には [ ] か複数選択の質問を書きます。"
                    f"「{right.key}」は{_type_ja(spec)}です",
                )
            if not (isinstance(left, Literal) and isinstance(left.value, str)):
                raise ConditionError(
                    f"the left of '{node.op} {right.key}' must be one of its values in quotes",
                    f"「{node.op} {right.key}」の左には、その選択肢の値を引用符で囲んで書いてください",
                )
            self.check_choice_value(spec, left)
            return
        if isinstance(right, Literal):
            raise ConditionError(
                f"'{node.op}' needs a list [...] or a multi question on its right",
                f"「{node.op}」の右には [ ] か複数選択の質問を書きます",
            )
        self.refuse_multi(left, node.op)
        for item in right.items:
            self.check_pair(left, item, node.op)

    def check_pair(self, left: Operand, right: Operand, op: str) -> None:
        if isinstance(left, Literal) and isinstance(right, Name):
            left, right = right, left
        if isinstance(left, Name) and isinstance(right, Name):
            self.check_names(left, right, op)
        elif isinstance(left, Name):
            self.check_name_literal(self.spec(left), right, op)
        elif type(left.value) is not type(right.value):
            (a, a_ja), (b, b_ja) = _describe_literal(left), _describe_literal(right)
            raise ConditionError(
                f"wrong type: {a} compared with {b}", f"種類の違う値は比べられません（{a_ja}と{b_ja}）"
            )
        elif op in ORDERING_OPS and isinstance(left.value, bool):
            raise ConditionError(
                f"'{op}' cannot order true and false", f"true と false は「{op}」で比べられません"
            )

    def check_names(self, left: Name, right: Name, op: str) -> None:
        a, b = self.spec(left), self.spec(right)
        if a.type != b.type or (a.type == QuestionType.CHOICE and a.key != b.key):
            raise ConditionError(
                f"wrong type: '{left.key}' is {_TYPE_NAMES[a.type]}, '{right.key}' is {_TYPE_NAMES[b.type]}",
                f"種類の違う質問は比べられません（「{left.key}」は{_type_ja(a)}、「{right.key}」は{_type_ja(b)}）",
            )
        self.check_ordering(a, op)

    def check_name_literal(self, spec: QuestionSpec, literal: Literal, op: str) -> None:
        value = literal.value
        expected = {
            QuestionType.YES_NO: bool,
            QuestionType.NUMBER: int,
            QuestionType.CHOICE: str,
            QuestionType.DATE: str,
        }[spec.type]
        if type(value) is not expected:
            what = "'age' is a number" if spec.key == AGE else f"'{spec.key}' is {_TYPE_NAMES[spec.type]}"
            described, described_ja = _describe_literal(literal)
            raise ConditionError(
                f"wrong type: {what}, compared with {described}",
                f"「{spec.key}」は{_type_ja(spec)}です。{described_ja}とは比べられません"
                + _compare_with_ja(spec),
            )
        if spec.type == QuestionType.CHOICE:
            self.check_choice_value(spec, literal)
        if spec.type == QuestionType.DATE and parse_date(value) is None:
            raise ConditionError(
                f'wrong type: \'{spec.key}\' is a date question and "{value}" is not a date "YYYY-MM-DD"',
                f"「{spec.key}」は日付の質問です。「{value}」は日付ではありません"
                '（"2024-04-01" のように書きます）',
            )
        self.check_ordering(spec, op)

    def check_ordering(self, spec: QuestionSpec, op: str) -> None:
        if op in ORDERING_OPS and spec.type not in (QuestionType.NUMBER, QuestionType.DATE):
            raise ConditionError(
                f"'{op}' compares numbers or dates; '{spec.key}' is {_TYPE_NAMES[spec.type]}",
                f"「{op}」で比べられるのは数と日付だけです。「{spec.key}」は{_type_ja(spec)}です",
            )

    def check_choice_value(self, spec: QuestionSpec, literal: Literal) -> None:
        if literal.value not in spec.values:
            close = difflib.get_close_matches(str(literal.value), spec.values, n=1)
            hint, hint_ja = _did_you_mean(close)
            raise ConditionError(
                f"'{spec.key}' has no choice '{literal.value}'{hint}; "
                f"its choices are {', '.join(spec.values)}",
                f"質問「{spec.key}」に選択肢「{literal.value}」はありません{hint_ja}。"
                f"選択肢の値: {'、'.join(spec.values)}",
            )


# --- Evaluation ---------------------------------------------------------------------


@dataclass(frozen=True)
class Condition:
    """A parsed, checked condition, ready to evaluate many times."""

    source: str
    tree: Node = field(repr=False)
    names: tuple[str, ...]  # the facts it reads, in order of first appearance
    # evaluate(facts): True, False, or None for unknown. A plain closure, not a
    # method: it is the hot path, called for every procedure of every case.
    evaluate: Callable[[Facts], TruthValue] = field(repr=False, compare=False)
    _explain: Callable[[Facts], tuple[TruthValue, tuple[str, ...]]] = field(repr=False, compare=False)

    def explain(self, facts: Facts) -> tuple[TruthValue, tuple[str, ...]]:
        """The value and the facts read by the comparisons that decided it, in order.

        For and: every operand when true, the first false one when false. For or:
        the first true operand when true, every one when false. When unknown: the
        unknown operands. `not` passes its operand's through.
        """
        value, names = self._explain(facts)
        return value, tuple(dict.fromkeys(names))

    def unknown_facts(self, facts: Facts) -> tuple[str, ...]:
        """The unknown facts the decisive comparisons read (for 要確認)."""
        return tuple(name for name in self.explain(facts)[1] if facts.get(name) is UNKNOWN)


def compile_condition(
    source: str,
    questions: Mapping[str, QuestionSpec],
    *,
    available: frozenset[str] | None = None,
) -> Condition:
    """Parse and check a condition against the catalog's questions.

    `available` limits the questions it may read (for ask_if: the earlier ones).
    Raises ConditionError with a message naming the problem.
    """
    if not isinstance(source, str):
        raise ConditionError("a condition must be a string", "条件は文字で書いてください")
    tree, names = _parsed(source)
    # What the result depends on: the source, the questions it reads (their types and choices),
    # and which of them `available` allows.
    key = (
        source,
        tuple(questions.get(name) for name in names),
        None if available is None else frozenset(name for name in names if name in available),
    )
    condition = _COMPILED.get(key)
    if condition is None:
        _Checker(questions, available).check(tree)
        evaluate, explain = _compile(tree, questions)
        condition = Condition(source, tree, names, evaluate, explain)
        if len(_COMPILED) >= _COMPILED_LIMIT:
            _COMPILED.clear()
        _COMPILED[key] = condition
    return condition


# Compiled conditions, shared by every catalog in the process: a condition compiles to the same
# thing wherever the questions it reads are the same, so after an edit a worker compiles only
# what changed (a 2,300-procedure catalog: bench/compile.py). Conditions are immutable. Bounded:
# emptied when full. Refused conditions are never kept.
_COMPILED: dict[tuple, Condition] = {}
_COMPILED_LIMIT = 50_000


@functools.lru_cache(maxsize=_COMPILED_LIMIT)
def _parsed(source: str) -> tuple[Node, tuple[str, ...]]:
    tree = parse(source)
    return tree, tuple(dict.fromkeys(names_in(tree)))


def forget_compiled_conditions() -> None:
    """Empty the process's compiled conditions (benchmarks measure a fresh worker)."""
    _COMPILED.clear()
    _parsed.cache_clear()


def names_in(node: Node):
    """Every fact name a condition reads, in order, with repeats."""
    if isinstance(node, Compare):
        yield from _names_of(node)
    elif isinstance(node, Not):
        yield from names_in(node.operand)
    elif isinstance(node, And | Or):
        for operand in node.operands:
            yield from names_in(operand)


def _names_of(compare: Compare) -> tuple[str, ...]:
    return tuple(side.key for side in (compare.left, compare.right) if isinstance(side, Name))


def _literal_value(literal: Literal, spec: QuestionSpec | None) -> object:
    if spec is not None and spec.type == QuestionType.DATE:
        return parse_date(literal.value)
    return literal.value


# Conditions compile to nested closures (no tree walking, no eval): one pair per
# node, `evaluate` giving the truth value and `explain` also the decisive facts.
_Evaluate = Callable[[Facts], TruthValue]
_Explain = Callable[[Facts], tuple[TruthValue, tuple[str, ...]]]


def _compile(node: Node, questions: Mapping[str, QuestionSpec]) -> tuple[_Evaluate, _Explain]:
    if isinstance(node, Const):
        result = (node.value, ())
        return (lambda facts: result[0]), (lambda facts: result)
    if isinstance(node, Compare):
        compare = _compile_compare(node, questions)
        names = _names_of(node)
        return compare, lambda facts: (compare(facts), names)
    if isinstance(node, Not):
        return _compile_not(*_compile(node.operand, questions))
    parts = [_compile(operand, questions) for operand in node.operands]
    return _compile_junction(
        tuple(e for e, _ in parts), tuple(x for _, x in parts), decisive=isinstance(node, Or)
    )


def _compile_not(inner: _Evaluate, inner_explain: _Explain) -> tuple[_Evaluate, _Explain]:
    def evaluate(facts):
        value = inner(facts)
        return None if value is None else not value

    def explain(facts):
        value, names = inner_explain(facts)
        return (None if value is None else not value), names

    return evaluate, explain


def _compile_junction(
    parts: tuple[_Evaluate, ...], explains: tuple[_Explain, ...], *, decisive: bool
) -> tuple[_Evaluate, _Explain]:
    """`and` (decisive False) or `or` (decisive True) in Kleene's three-valued logic."""
    settled = not decisive

    def evaluate(facts):
        result = settled
        for part in parts:
            value = part(facts)
            if value is decisive:
                return decisive
            if value is None:
                result = None
        return result

    def explain(facts):
        unknown: list[str] = []
        every: list[str] = []  # lists, not tuples: linear however many operands
        for part in explains:
            value, names = part(facts)
            if value is decisive:
                return decisive, names
            if value is None:
                unknown.extend(names)
            every.extend(names)
        return (None, tuple(unknown)) if unknown else (settled, tuple(every))

    return evaluate, explain


_MISSING = object()  # an unanswered question: absent from the facts


def _spec_of(operand: Operand, questions: Mapping[str, QuestionSpec]) -> QuestionSpec | None:
    if isinstance(operand, Name):
        return QuestionSpec(AGE, QuestionType.NUMBER) if operand.key == AGE else questions[operand.key]
    return None


def _constant(operand: Operand, other: Operand, questions: Mapping[str, QuestionSpec]) -> object:
    spec = _spec_of(other, questions)
    if isinstance(operand, ListLiteral):
        return frozenset(_literal_value(item, spec) for item in operand.items)
    return _literal_value(operand, spec)


_OPS: dict[str, Callable[[object, object], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "in": lambda a, b: a in b,
    "not in": lambda a, b: a not in b,
}
# With an unanswered (null) side: == is false, != is true, the rest are false.
_NULL_RESULT = {"!=": True}


def _compile_compare(node: Compare, questions: Mapping[str, QuestionSpec]) -> _Evaluate:
    op = _OPS[node.op]
    null_result = _NULL_RESULT.get(node.op, False)
    left, right = node.left, node.right
    if isinstance(left, Name) and isinstance(right, Name):
        a_key, b_key = left.key, right.key

        def both(facts):
            a, b = facts.get(a_key, _MISSING), facts.get(b_key, _MISSING)
            if a is UNKNOWN or b is UNKNOWN:
                return None
            if a is _MISSING or b is _MISSING:
                return null_result
            return op(a, b)

        return both
    if isinstance(left, Name) or isinstance(right, Name):
        name, other = (left, right) if isinstance(left, Name) else (right, left)
        key, constant = name.key, _constant(other, name, questions)
        # The sides as written: `age >= 40` tests the answer first, `"kei" in vehicles` the constant.
        test = op if name is left else lambda value, constant: op(constant, value)

        def name_and_constant(facts):
            value = facts.get(key, _MISSING)
            if value is UNKNOWN:
                return None
            if value is _MISSING:
                return null_result
            return test(value, constant)

        return name_and_constant
    result = op(_constant(left, right, questions), _constant(right, left, questions))
    return lambda facts: result
