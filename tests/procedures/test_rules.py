"""The condition language of okuyami-catalog/1 (CATALOG_FORMAT.md, "Conditions")."""

from datetime import date

import pytest

from procedures.rules import UNKNOWN, And, ConditionError, Or, QuestionSpec, compile_condition, parse

QUESTIONS = {
    spec.key: spec
    for spec in (
        QuestionSpec("head", "yes_no", "世帯主でしたか？"),
        QuestionSpec("pension", "yes_no", "年金を受け取っていましたか？"),
        QuestionSpec("care", "yes_no", "要介護認定を受けていましたか？"),
        QuestionSpec(
            "insurance",
            "choice",
            "健康保険は？",
            (("kokuho", "国民健康保険"), ("koki", "後期高齢者医療"), ("shaho", "被用者保険")),
        ),
        QuestionSpec("vehicles", "multi", "名義の車両は？", (("gentsuki", "原付"), ("kei", "軽自動車"))),
        QuestionSpec("household", "number", "世帯に残る方は何人？"),
        QuestionSpec("children", "number", "子は何人？"),
        QuestionSpec("moved_in", "date", "転入した日は？"),
    )
}


def check(source: str, facts: dict, **kwargs):
    return compile_condition(source, QUESTIONS, **kwargs).evaluate(facts)


def error_of(source: str, **kwargs) -> str:
    with pytest.raises(ConditionError) as caught:
        compile_condition(source, QUESTIONS, **kwargs)
    return str(caught.value)


# --- Parsing --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "source",
    [
        "true",
        "false",
        "head == true",
        "true == head",
        "household >= 2",
        "household > -1",
        "age >= 40 and age < 65",
        'insurance == "kokuho"',
        "insurance == 'kokuho'",
        'insurance != "koki"',
        'insurance in ["kokuho", "koki"]',
        "insurance not in ['shaho']",
        '"gentsuki" in vehicles',
        "'kei' not in vehicles",
        'moved_in >= "2026-01-01"',
        "age > household",
        "not head == true",
        "not (head == true or pension == true) and care == false",
        "((age >= 75))",
        "age in [40, 50, 60]",
        "head in [true]",
        "  head==true  and\tpension!=false ",
    ],
)
def test_it_accepts_well_formed_conditions(source):
    assert compile_condition(source, QUESTIONS).source == source


@pytest.mark.parametrize(
    ("source", "fragments"),
    [
        ("age >= 40 40", ["syntax error at position 11", "'40'"]),
        ("(age >= 40", ["syntax error at position 11", "')'"]),
        ("age >= 40 and", ["syntax error at position 14"]),
        ("not", ["syntax error at position 4"]),
        ("true true", ["syntax error at position 6", "'true'"]),
        ("age >= (40)", ["syntax error at position 8", "'('"]),
        ("insurance in [household]", ["syntax error at position 15", "list"]),
    ],
)
def test_it_reports_a_syntax_error_with_its_position(source, fragments):
    message = error_of(source)
    for fragment in fragments:
        assert fragment in message


@pytest.mark.parametrize(
    ("source", "position"),
    [
        ('insurance == "koku', 14),
        ("insurance == 'koku", 14),
        ("'kei in vehicles", 1),
    ],
)
def test_it_reports_an_unterminated_string_where_it_starts(source, position):
    message = error_of(source)
    assert f"position {position}" in message
    assert "unterminated string" in message


@pytest.mark.parametrize(
    ("source", "position", "char", "hint"),
    [
        ("age = 40", 5, "'='", "'=='"),
        ("head == true && age > 3", 14, "'&'", "'and'"),
        ("head == true || age > 3", 14, "'|'", "'or'"),
        ("!head", 1, "'!'", "'!=' or 'not'"),
    ],
)
def test_it_reports_an_unexpected_character_with_a_hint(source, position, char, hint):
    message = error_of(source)
    assert f"position {position}" in message
    assert f"unexpected character {char}" in message
    assert f"(did you mean {hint}?)" in message


def test_it_reports_an_unexpected_character_without_a_hint_when_none_fits():
    message = error_of("age @ 3")
    assert "position 5" in message
    assert "unexpected character '@'" in message
    assert "did you mean" not in message


@pytest.mark.parametrize("source", ["head", "head and age > 3", "age >= 40 or (pension)"])
def test_it_rejects_a_bare_name(source):
    message = error_of(source)
    assert "bare name is not a condition" in message
    assert "== true" in message


@pytest.mark.parametrize("source", ["", "   ", "\t\n"])
def test_it_rejects_an_empty_condition(source):
    assert "empty condition" in error_of(source)


def test_it_rejects_a_condition_that_is_not_a_string():
    with pytest.raises(ConditionError):
        compile_condition(None, QUESTIONS)


@pytest.mark.parametrize(
    ("source", "name", "suggestion"),
    [
        ('insurence == "kokuho"', "insurence", "insurance"),
        ("househould >= 2", "househould", "household"),
        ("agee >= 75", "agee", "age"),
        ("head == tru", "tru", "true"),
    ],
)
def test_it_rejects_an_unknown_question_suggesting_the_nearest(source, name, suggestion):
    assert f"unknown question '{name}' (did you mean '{suggestion}'?)" in error_of(source)


def test_it_rejects_an_unknown_question_without_a_suggestion_when_none_is_close():
    message = error_of("xyz == 1")
    assert "unknown question 'xyz'" in message
    assert "did you mean" not in message


@pytest.mark.parametrize(
    ("source", "question", "value"),
    [
        ('insurance == "kokuhoo"', "insurance", "kokuhoo"),
        ("insurance != 'jibai'", "insurance", "jibai"),
        ('insurance in ["kokuho", "kokuhoo"]', "insurance", "kokuhoo"),
        ('"jidosha" in vehicles', "vehicles", "jidosha"),
        ("'kay' not in vehicles", "vehicles", "kay"),
    ],
)
def test_it_rejects_unknown_choice(source, question, value):
    message = error_of(source)
    assert f"'{question}' has no choice '{value}'" in message


def test_it_suggests_the_nearest_choice():
    assert "did you mean 'kokuho'?" in error_of('insurance == "kokuhoo"')


@pytest.mark.parametrize(
    ("source", "question", "literal"),
    [
        ("head == 1", "'head' is a yes/no question", "the integer 1"),
        ('head == "true"', "'head' is a yes/no question", 'the string "true"'),
        ("pension != 0", "'pension' is a yes/no question", "the integer 0"),
        ('household == "2"', "'household' is a number question", 'the string "2"'),
        ("household >= true", "'household' is a number question", "the boolean true"),
        ('age >= "40"', "'age' is a number", 'the string "40"'),
        ("insurance == 1", "'insurance' is a choice question", "the integer 1"),
        ("insurance == true", "'insurance' is a choice question", "the boolean true"),
        ("insurance in [1, 2]", "'insurance' is a choice question", "the integer 1"),
        ("moved_in >= 20260101", "'moved_in' is a date question", "the integer 20260101"),
        ("moved_in == false", "'moved_in' is a date question", "the boolean false"),
        ('1 == "a"', "the integer 1", 'the string "a"'),
    ],
)
def test_it_rejects_a_literal_of_the_wrong_type(source, question, literal):
    message = error_of(source)
    assert message.startswith("wrong type:")
    assert question in message
    assert literal in message


@pytest.mark.parametrize("literal", ["2026-02-30", "2026/01/01", "2026-1-1", "令和8年1月1日", ""])
def test_it_rejects_a_date_literal_that_is_not_a_date(literal):
    message = error_of(f'moved_in >= "{literal}"')
    assert "'moved_in' is a date question" in message
    assert f'"{literal}" is not a date' in message


@pytest.mark.parametrize(
    ("source", "op", "question"),
    [
        ('insurance > "kokuho"', ">", "'insurance' is a choice question"),
        ("insurance <= 'koki'", "<=", "'insurance' is a choice question"),
        ("head < true", "<", "'head' is a yes/no question"),
        ("pension >= false", ">=", "'pension' is a yes/no question"),
        ("head > pension", ">", "'head' is a yes/no question"),
        ("true < false", "<", "true and false"),
    ],
)
def test_it_refuses_to_order_choices_and_yes_no(source, op, question):
    message = error_of(source)
    assert f"'{op}'" in message
    assert question in message


@pytest.mark.parametrize(
    ("source", "op"),
    [('vehicles == "kei"', "=="), ("vehicles != 'gentsuki'", "!="), ("insurance == vehicles", "==")],
)
def test_it_refuses_equality_on_a_multi_question(source, op):
    message = error_of(source)
    assert "'vehicles' is a multi question" in message
    assert "in vehicles" in message
    assert f"'{op}'" in message


def test_it_refuses_a_multi_question_on_the_left_of_in():
    message = error_of('vehicles in ["kei"]')
    assert "'vehicles' is a multi question" in message
    assert "in vehicles" in message


@pytest.mark.parametrize(
    ("source", "detail"),
    [
        ('insurance in "kokuho"', ""),
        ("age in 40", ""),
        ("household not in 3", ""),
        ('"kokuho" in insurance', "'insurance' is a choice question"),
        ("2 in household", "'household' is a number question"),
    ],
)
def test_it_refuses_in_without_a_list_or_multi_question_on_the_right(source, detail):
    message = error_of(source)
    assert "needs a list [...] or a multi question on its right" in message
    assert detail in message


@pytest.mark.parametrize(
    ("source", "fragment"),
    [
        ("age >= [1]", "a list can only follow 'in' or 'not in'"),
        ("[1] in [1]", "a list cannot stand left of 'in'"),
    ],
)
def test_it_refuses_a_list_outside_membership(source, fragment):
    assert fragment in error_of(source)


def test_ask_if_may_not_read_a_question_asked_later():
    message = error_of('insurance == "koki"', available=frozenset({"head"}))
    assert "'insurance' is not asked before this question" in message


def test_ask_if_may_read_earlier_questions_and_age():
    condition = compile_condition("head == true and age >= 40", QUESTIONS, available=frozenset({"head"}))
    assert condition.evaluate({"head": True, "age": 50}) is True


# --- Three-valued logic -------------------------------------------------------------------

T, F, U = True, False, UNKNOWN  # answers of yes_no questions a and b: yes, no, わからない


@pytest.mark.parametrize(
    ("head", "pension", "expected"),
    [
        (T, T, True),
        (T, F, False),
        (T, U, None),
        (F, T, False),
        (F, F, False),
        (F, U, False),
        (U, T, None),
        (U, F, False),
        (U, U, None),
    ],
)
def test_and_is_false_if_any_is_false_else_unknown_if_any_is_unknown(head, pension, expected):
    assert check("head == true and pension == true", {"head": head, "pension": pension}) is expected


@pytest.mark.parametrize(
    ("head", "pension", "expected"),
    [
        (T, T, True),
        (T, F, True),
        (T, U, True),
        (F, T, True),
        (F, F, False),
        (F, U, None),
        (U, T, True),
        (U, F, None),
        (U, U, None),
    ],
)
def test_or_is_true_if_any_is_true_else_unknown_if_any_is_unknown(head, pension, expected):
    assert check("head == true or pension == true", {"head": head, "pension": pension}) is expected


@pytest.mark.parametrize(("head", "expected"), [(T, False), (F, True), (U, None)])
def test_not_flips_true_and_false_and_keeps_unknown(head, expected):
    assert check("not head == true", {"head": head}) is expected
    assert check("not (head == true)", {"head": head}) is expected


@pytest.mark.parametrize(
    ("head", "pension", "care", "expected"),
    [
        (T, F, U, None),
        (T, T, U, True),
        (F, U, U, None),
        (F, U, F, False),
        (U, U, T, True),
        (U, U, F, None),
    ],
)
def test_three_operands_follow_the_same_rules(head, pension, care, expected):
    facts = {"head": head, "pension": pension, "care": care}
    assert check("(head == true and pension == true) or care == true", facts) is expected


@pytest.mark.parametrize(
    "source",
    [
        "age >= 40",
        "age == 40",
        "age != 40",
        "age in [40, 41]",
        "age not in [40, 41]",
        'insurance == "koki"',
        'insurance != "koki"',
        'insurance in ["koki"]',
        'insurance not in ["koki"]',
        '"kei" in vehicles',
        '"kei" not in vehicles',
        'moved_in < "2026-01-01"',
        "head != false",
    ],
)
def test_every_comparison_reading_an_unknown_fact_is_unknown(source):
    facts = {"age": U, "insurance": U, "vehicles": U, "moved_in": U, "head": U}
    assert check(source, facts) is None


# --- Unanswered (null) ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("head == true", False),
        ("head == false", False),
        ("head != true", True),
        ("head != false", True),
        ('insurance == "koki"', False),
        ('insurance != "koki"', True),
        ("household == 0", False),
        ("household != 0", True),
        ("household > 0", False),
        ("household >= 0", False),
        ("household < 100", False),
        ("household <= 100", False),
        ('moved_in >= "1900-01-01"', False),
        ('moved_in < "2100-01-01"', False),
        ('insurance in ["kokuho", "koki", "shaho"]', False),
        ('insurance not in ["kokuho"]', False),
        ('"kei" in vehicles', False),
        ('"kei" not in vehicles', False),
        ("household > children", False),
        ("household != children", True),
        ("not head == true", True),
    ],
)
def test_an_unanswered_question_is_null(source, expected):
    assert check(source, {"age": 80}) is expected


@pytest.mark.parametrize(
    ("source", "facts"),
    [
        ("household > children", {"household": U}),
        ("household == children", {"children": U}),
        ("household != children", {"household": U}),
        ("age >= household", {"age": U}),
    ],
)
def test_unknown_beats_null_in_one_comparison(source, facts):
    assert check(source, facts) is None


# --- Membership ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("insurance", "inside", "outside"),
    [("kokuho", True, False), ("koki", True, False), ("shaho", False, True), (U, None, None)],
)
def test_in_and_not_in_on_a_choice_question_use_a_list(insurance, inside, outside):
    facts = {"insurance": insurance}
    assert check('insurance in ["kokuho", "koki"]', facts) is inside
    assert check("insurance not in ['kokuho', 'koki']", facts) is outside


@pytest.mark.parametrize(
    ("vehicles", "inside", "outside"),
    [
        (frozenset({"gentsuki"}), True, False),
        (frozenset({"gentsuki", "kei"}), True, False),
        (frozenset({"kei"}), False, True),
        (frozenset(), False, True),
        (U, None, None),
    ],
)
def test_in_and_not_in_on_a_multi_question(vehicles, inside, outside):
    facts = {"vehicles": vehicles}
    assert check('"gentsuki" in vehicles', facts) is inside
    assert check('"gentsuki" not in vehicles', facts) is outside


@pytest.mark.parametrize(("age", "expected"), [(40, True), (45, False), (50, True), (U, None)])
def test_in_works_on_numbers(age, expected):
    assert check("age in [40, 50]", {"age": age}) is expected


# --- Precedence, literals ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        # head is yes, pension and care are no: "or" taken first would give false.
        ("head == true or pension == true and care == true", True),
        ("pension == true and care == true or head == true", True),
        ("(head == true or pension == true) and care == true", False),
        ("head == true or (pension == true and care == true)", True),
        # not binds tighter than and: (not head) and pension, not not (head and pension).
        ("not head == true and pension == true", False),
        ("not head == false and pension == false", True),
        ("not (head == false and pension == true)", True),
    ],
)
def test_and_binds_tighter_than_or_and_parentheses_group(source, expected):
    assert check(source, {"head": True, "pension": False, "care": False}) is expected


def test_or_is_the_outermost_operation_without_parentheses():
    assert isinstance(parse("head == true or pension == true and care == true"), Or)
    assert isinstance(parse("(head == true or pension == true) and care == true"), And)


@pytest.mark.parametrize(
    ("source", "moved_in", "expected"),
    [
        ('moved_in >= "2026-01-01"', date(2026, 1, 1), True),
        ('moved_in >= "2026-01-01"', date(2025, 12, 31), False),
        ('moved_in > "2026-01-01"', date(2026, 1, 1), False),
        ('moved_in < "2026-10-01"', date(2026, 9, 30), True),
        ("moved_in == '2024-02-29'", date(2024, 2, 29), True),
        ('moved_in != "2024-02-29"', date(2024, 3, 1), True),
        ('moved_in <= "1999-12-31"', date(2000, 1, 1), False),
    ],
)
def test_a_date_question_compares_as_dates(source, moved_in, expected):
    assert check(source, {"moved_in": moved_in}) is expected


@pytest.mark.parametrize("source", ['insurance == "koki"', "insurance == 'koki'"])
def test_strings_may_be_single_or_double_quoted(source):
    assert check(source, {"insurance": "koki"}) is True
    assert check(source, {"insurance": "kokuho"}) is False


@pytest.mark.parametrize(
    ("source", "household", "expected"),
    [
        ("household > -1", 0, True),
        ("household >= -1", 0, True),
        ("household == -0", 0, True),
        ("household < -1", 0, False),
        ("-1 < household", 0, True),
    ],
)
def test_integers_may_be_negative(source, household, expected):
    assert check(source, {"household": household}) is expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("true", True),
        ("false", False),
        ("not false", True),
        ("not true", False),
        ("true and head == true", None),
        ("false and head == true", False),
        ("true or head == true", True),
        ("false or head == true", None),
    ],
)
def test_true_and_false_are_conditions(source, expected):
    assert check(source, {"head": U}) is expected


@pytest.mark.parametrize(
    ("source", "facts", "expected"),
    [
        ("insurance == 'koki' or age >= 75", {"insurance": U, "age": U}, ("insurance", "age")),
        ("insurance == 'koki' or age >= 75", {"insurance": U, "age": 70}, ("insurance",)),
        ("insurance == 'koki' or age >= 75", {"insurance": U, "age": 80}, ()),
        ("head == true and pension == true", {"head": True, "pension": U}, ("pension",)),
        ("head == true and pension == true", {"head": False, "pension": U}, ()),
        ("not (head == true)", {"head": U}, ("head",)),
        ("age >= household", {"age": U}, ("age",)),
        ("true", {}, ()),
    ],
)
def test_unknown_facts_names_the_unknown_facts_the_result_rests_on(source, facts, expected):
    condition = compile_condition(source, QUESTIONS)
    assert condition.unknown_facts(facts) == expected


def test_explain_gives_the_value_and_the_facts_that_decided_it():
    condition = compile_condition("head == true or pension == true", QUESTIONS)
    assert condition.explain({"head": False, "pension": True}) == (True, ("pension",))
    assert condition.explain({"head": False, "pension": False}) == (False, ("head", "pension"))


# --- Strings, white space and nesting (the contract's exact wording) ------------------------


@pytest.mark.parametrize(("source", "value"), [('"a\\b"', "a\\b"), ("'x\\'", "x\\"), ('"\\\\"', "\\\\")])
def test_a_backslash_is_an_ordinary_character_in_a_string(source, value):
    assert parse(f"{source} == {source}").left.value == value


def test_a_string_with_a_backslash_does_not_match_the_choice_without_it():
    # Before, "koki\x" silently read as "kokix" and '\k' as 'k'.
    assert "has no choice 'kok\\i'" in error_of('insurance == "kok\\i"')


def test_a_string_cannot_hold_its_own_quote():
    message = error_of('insurance == "ko\\"ki"')
    assert "syntax error" in message


@pytest.mark.parametrize("space", ["\u3000", " ", "\t", "\n", "\r\n", " \u3000 "])
def test_ascii_and_ideographic_white_space_between_tokens_is_ignored(space):
    source = f"head{space}=={space}true{space}and{space}({space}age{space}>={space}40{space})"
    assert check(source, {"head": True, "age": 41}) is True


@pytest.mark.parametrize("space", ["\u00a0", "\u2003", "\u200b", "\ufeff"])
def test_other_unicode_spaces_are_refused(space):
    assert f"unexpected character {space!r}" in error_of(f"head =={space}true")


@pytest.mark.parametrize(
    "source",
    [
        "not " * 990 + "true",
        "(" * 500 + "true" + ")" * 500,
        "(" * 3000,
        "not (" * 17 + "head == true" + ")" * 17,
    ],
)
def test_it_refuses_a_condition_nested_past_the_limit_without_exhausting_the_stack(source):
    assert "nested too deeply (at most 32 levels of parentheses and 'not')" in error_of(source)


@pytest.mark.parametrize("source", ["[" * 3000, "age in " + "[" * 3000 + "1", 'insurance in [["koki"]]'])
def test_it_refuses_a_list_inside_a_list_before_it_nests(source):
    assert "a list holds only literals" in error_of(source)


@pytest.mark.parametrize(
    ("source", "expected"),
    [("not " * 32 + "head == false", True), ("(" * 32 + "head == true" + ")" * 32, False)],
)
def test_it_accepts_nesting_up_to_the_limit(source, expected):
    assert check(source, {"head": False}) is expected


def test_explaining_a_long_condition_takes_linear_time():
    # 20,000 comparisons joined by `and`: quadratic tuple building would take minutes.
    condition = compile_condition(" and ".join(["household >= 1"] * 20000), QUESTIONS)
    assert condition.explain({"household": 2}) == (True, ("household",))


# --- Compiled once per process ---------------------------------------------------------------


def test_a_compiled_condition_is_reused_while_the_questions_it_reads_are_the_same():
    first = compile_condition('insurance == "kokuho" and age >= 40', QUESTIONS)
    other_questions = {**QUESTIONS, "head": QuestionSpec("head", "yes_no", "別の文")}
    assert compile_condition('insurance == "kokuho" and age >= 40', other_questions) is first


def test_a_condition_is_checked_again_when_a_question_it_reads_changed():
    compile_condition('insurance == "shaho"', QUESTIONS)
    fewer = {
        **QUESTIONS,
        "insurance": QuestionSpec("insurance", "choice", "健康保険は？", (("koki", "後期"),)),
    }
    with pytest.raises(ConditionError, match="has no choice 'shaho'"):
        compile_condition('insurance == "shaho"', fewer)


def test_an_ask_if_is_checked_again_against_the_questions_before_it():
    compile_condition("head == true", QUESTIONS)
    with pytest.raises(ConditionError, match="is not asked before this question"):
        compile_condition("head == true", QUESTIONS, available=frozenset({"pension"}))
