"""okuyami-residents/1: every rule of the extract, read without a database (okuyami.residents.extract)."""

import io
import zipfile
from datetime import date

import pytest

from okuyami.residents.extract import Resident, ResidentFact, read_extract, validate_extract
from tests.okuyami.residents.conftest import (
    EXAMPLE,
    EXAMPLE_FACTS,
    FACTS_HEADER,
    HANAKO,
    HEADER,
    ICHIRO,
    TARO,
    csv_text,
    person,
)


def rows_of(source):
    report = validate_extract(source)
    assert report.ok, report.errors
    from okuyami.residents.extract import ExtractReport

    collected = ExtractReport()
    return list(read_extract(source, report=collected)), collected


def errors_of(source) -> list[str]:
    report = validate_extract(source)
    assert not report.ok
    return report.errors


# --- The contract's example, in both encodings and both line ends ---------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
@pytest.mark.parametrize("newline", ["\r\n", "\n"])
def test_it_reads_the_contracts_example_in_every_encoding_and_line_end(extract_dir, encoding, newline):
    folder = extract_dir(EXAMPLE, EXAMPLE_FACTS, encoding=encoding, newline=newline)
    rows, report = rows_of(folder)
    people = [row for row in rows if isinstance(row, Resident)]
    facts = [row for row in rows if isinstance(row, ResidentFact)]
    assert [p.atena_number for p in people] == ["300000000101", "300000000102", "300000000103"]
    taro = people[0]
    assert (taro.name, taro.kana, taro.birth_date) == ("見本 太郎", "ミホン タロウ", date(1950, 4, 2))
    assert (taro.removal_date, taro.removal_reason, taro.deceased) == (date(2026, 11, 20), "死亡", True)
    assert (people[1].current, people[2].removal_reason) == (True, "転出")
    assert [(f.fact, f.value) for f in facts] == [
        ("health.insurance", "koki"),
        ("seal.registered", True),
        ("local.water_contract", True),
    ]
    assert report.counts() == {"people": 3, "households": 1, "deceased": 1, "facts": 3}
    expected = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8", "cp932": "CP932"}[encoding]
    assert report.encodings == {"residents.csv": expected, "facts.csv": expected}


def test_it_reads_cp932s_extension_characters_in_both_byte_forms(tmp_path):
    # 髙 and 﨑 are IBM extensions: Windows writes them as NEC-selected (ED/EE) or IBM (FA-FC) bytes.
    rows = [
        person("1", household="1", name="髙橋 正雄", kana="タカハシ マサオ"),
        person("2", household="2", name="山﨑 光子", kana="ヤマザキ ミツコ"),
        person("3", household="3", name="山﨑 光子", kana="ヤマザキ ミツコ"),
    ]
    data = csv_text(HEADER, rows).encode("cp932")
    assert "髙".encode("cp932") == b"\xee\xe0" and "﨑".encode("cp932") == b"\xed\x95"
    head, third = data.rsplit(b"\r\n3,", 1)
    data = head.replace(b"\xee\xe0", b"\xfb\xfc") + b"\r\n3," + third.replace(b"\xed\x95", b"\xfa\xb1")
    assert b"\xfb\xfc" in data and b"\xfa\xb1" in data and b"\xed\x95" in data
    folder = tmp_path / "cp932"
    folder.mkdir()
    (folder / "residents.csv").write_bytes(data)
    people, report = rows_of(folder)
    assert report.encodings["residents.csv"] == "CP932"
    assert [p.name for p in people] == ["髙橋 正雄", "山﨑 光子", "山﨑 光子"]
    assert people[0].kana == "タカハシ マサオ"


def test_it_reads_characters_outside_cp932_in_utf8(extract_dir):
    # 𠮷 (U+20BB7) has no CP932 bytes: a system writing it must write UTF-8.
    yoshida = person("4", name="𠮷田 修", kana="ヨシダ オサム")
    rows, report = rows_of(extract_dir([yoshida]))
    assert rows[0].name == "𠮷田 修"
    assert report.encodings["residents.csv"] == "UTF-8"


def test_it_reads_quoted_fields_with_commas_quotes_and_escaped_quotes(extract_dir, tmp_path):
    folder = tmp_path / "quoted"
    folder.mkdir()
    text = (
        ",".join(HEADER) + "\r\n"
        '"5","8001","見本 ""愛称"" 太郎","ミホン タロウ","1960-01-01","1","世帯主",'
        '"見本県みほん市中央1-2-3, みほんハイツ101","0","",""\r\n'
    )
    (folder / "residents.csv").write_text(text, encoding="utf-8")
    rows, _ = rows_of(folder)
    assert rows[0].name == '見本 "愛称" 太郎'
    assert rows[0].address == "見本県みほん市中央1-2-3, みほんハイツ101"


def test_it_reads_a_header_in_another_order(extract_dir):
    order = list(reversed(HEADER))
    rows = [tuple(reversed(row)) for row in EXAMPLE]
    people, _ = rows_of(extract_dir(rows, header=order))
    assert [p.atena_number for p in people] == ["300000000101", "300000000102", "300000000103"]
    assert people[0].relation == "世帯主"


def test_facts_csv_is_optional_and_the_header_of_facts_may_be_in_any_order(extract_dir):
    rows, report = rows_of(extract_dir(EXAMPLE))
    assert report.facts == 0 and len(rows) == 3
    swapped = [(value, fact, number) for number, fact, value in EXAMPLE_FACTS]
    rows, report = rows_of(extract_dir(EXAMPLE, swapped, facts_header=("value", "fact", "宛名番号")))
    assert report.facts == 3


def test_blank_lines_and_surrounding_spaces_are_ignored(tmp_path):
    folder = tmp_path / "spaces"
    folder.mkdir()
    text = ",".join(HEADER) + "\n\n" + " 6 ,8001, 見本 太郎 ,ミホン タロウ,1960-01-01,1,世帯主,住所,0,,\n\n"
    (folder / "residents.csv").write_text(text, encoding="utf-8")
    rows, _ = rows_of(folder)
    assert (rows[0].atena_number, rows[0].name) == ("6", "見本 太郎")


# --- 和暦: every era, its first and last days ------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("M06.01.01", date(1873, 1, 1)),
        ("M45.07.29", date(1912, 7, 29)),
        ("T01.07.30", date(1912, 7, 30)),
        ("T15.12.24", date(1926, 12, 24)),
        ("S01.12.25", date(1926, 12, 25)),
        ("S25.04.02", date(1950, 4, 2)),
        ("S64.01.07", date(1989, 1, 7)),
        ("H01.01.08", date(1989, 1, 8)),
        ("H12.02.29", date(2000, 2, 29)),
        ("H31.04.30", date(2019, 4, 30)),
        ("R01.05.01", date(2019, 5, 1)),
        ("R08.11.20", date(2026, 11, 20)),
        ("2026-11-20", date(2026, 11, 20)),
        ("1948-02-29", date(1948, 2, 29)),
    ],
)
def test_it_reads_dates_in_every_era(extract_dir, text, expected):
    rows, _ = rows_of(extract_dir([person("1", birth=text)]))
    assert rows[0].birth_date == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("M05.12.31", "'M05.12.31' is not a date of 明治 (M06.01.01 to M45.07.29)"),
        ("M45.07.30", "'M45.07.30' is not a date of 明治 (M06.01.01 to M45.07.29)"),
        ("T01.07.29", "'T01.07.29' is not a date of 大正 (T01.07.30 to T15.12.24)"),
        ("T15.12.25", "'T15.12.25' is not a date of 大正 (T01.07.30 to T15.12.24)"),
        ("S01.12.24", "'S01.12.24' is not a date of 昭和 (S01.12.25 to S64.01.07)"),
        ("S64.01.08", "'S64.01.08' is not a date of 昭和 (S01.12.25 to S64.01.07)"),
        ("H01.01.07", "'H01.01.07' is not a date of 平成 (H01.01.08 to H31.04.30)"),
        ("H31.05.01", "'H31.05.01' is not a date of 平成 (H01.01.08 to H31.04.30)"),
        ("R01.04.30", "'R01.04.30' is not a date of 令和 (R01.05.01 on)"),
        ("H00.01.01", "'H00.01.01' is not a date of 平成 (H01.01.08 to H31.04.30)"),
        ("H31.02.29", "'H31.02.29' is not a date"),
        ("2027-02-29", "'2027-02-29' is not a date"),
        ("S25.4.2", "'S25.4.2' is not a date: write YYYY-MM-DD, or 和暦 as S25.04.02 (M, T, S, H or R)"),
        ("昭和25年4月2日", "is not a date: write YYYY-MM-DD"),
        ("2026/11/20", "is not a date: write YYYY-MM-DD"),
        ("K01.01.01", "is not a date: write YYYY-MM-DD"),
        ("1872-12-31", "'1872-12-31' is before 1873-01-01"),
        ("2201-01-01", "'2201-01-01' is after 2200-12-31"),
    ],
)
def test_it_refuses_dates_outside_their_era_or_calendar(extract_dir, text, message):
    errors = errors_of(extract_dir([person("1", birth=text)]))
    assert len(errors) == 1
    assert errors[0].startswith("residents.csv line 2 column 生年月日: ")
    assert message in errors[0]


# --- Each rule of residents.csv, with its line and column -------------------------------------------


@pytest.mark.parametrize(
    ("fields", "column", "message"),
    [
        ({"number": ""}, "宛名番号", "is required"),
        ({"number": "12a"}, "宛名番号", "'12a' is not 1 to 15 ASCII digits"),
        ({"number": "１２３"}, "宛名番号", "is not 1 to 15 ASCII digits"),
        ({"number": "1234567890123456"}, "宛名番号", "is not 1 to 15 ASCII digits"),
        ({"household": "x"}, "世帯番号", "'x' is not 1 to 15 ASCII digits"),
        ({"name": ""}, "氏名", "is required"),
        ({"name": "あ" * 101}, "氏名", "is 101 characters long; at most 100"),
        ({"kana": "みほん たろう"}, "氏名カナ", "is not a reading in full-width katakana"),
        ({"kana": "ﾐﾎﾝ ﾀﾛｳ"}, "氏名カナ", "is not a reading in full-width katakana"),
        ({"kana": "MIHON"}, "氏名カナ", "is not a reading in full-width katakana"),
        ({"birth": ""}, "生年月日", "is required"),
        ({"sex": "0"}, "性別", "'0' is not 1 (男) or 2 (女)"),
        ({"relation": ""}, "続柄", "is required"),
        ({"address": ""}, "住所", "is required"),
        ({"address": "住" * 201}, "住所", "at most 200"),
        ({"foreign": "2"}, "外国人", "'2' is not 0, or 1 for a foreign resident"),
        ({"removed": "2026-01-01"}, "消除事由", "is required with 消除日"),
        ({"reason": "死亡"}, "消除事由", "is given without 消除日"),
        (
            {"removed": "2026-01-01", "reason": "死去"},
            "消除事由",
            "'死去' is not one of 死亡, 転出, 職権消除, その他",
        ),
        ({"removed": "1959-12-31", "reason": "転出"}, "消除日", "1959-12-31 is before the 生年月日"),
        ({"removed": "R08.13.01", "reason": "死亡"}, "消除日", "'R08.13.01' is not a date"),
        ({"name": "見本\t太郎"}, "氏名", "must not hold line breaks, tabs or other control characters"),
        ({"address": "一丁目\n2番"}, "住所", "must not hold line breaks"),
    ],
)
def test_each_rule_of_residents_csv_is_reported_with_its_line_and_column(
    extract_dir, fields, column, message
):
    rows = [HANAKO, person(**{"number": "9", **fields})]
    errors = errors_of(extract_dir(rows))
    assert len(errors) == 1, errors
    assert errors[0].startswith(f"residents.csv line 3 column {column}: ")
    assert message in errors[0]


def test_every_error_is_reported_not_just_the_first(extract_dir):
    rows = [
        person("1", sex="3", foreign="x"),
        person("2", household="2"),
        person("bad", household="3", birth="H31.05.01"),
    ]
    errors = errors_of(extract_dir(rows))
    assert errors == [
        "residents.csv line 2 column 性別: '3' is not 1 (男) or 2 (女)",
        "residents.csv line 2 column 外国人: 'x' is not 0, or 1 for a foreign resident",
        "residents.csv line 4 column 宛名番号: 'bad' is not 1 to 15 ASCII digits",
        "residents.csv line 4 column 生年月日: 'H31.05.01' is not a date of 平成 (H01.01.08 to H31.04.30)",
    ]


def test_a_quoted_line_break_counts_in_the_line_numbers(tmp_path):
    folder = tmp_path / "multiline"
    folder.mkdir()
    text = (
        ",".join(HEADER) + "\r\n"
        '1,1,"見本\r\n太郎",ミホン タロウ,1960-01-01,1,世帯主,住所,0,,\r\n'
        "2,2,見本 次郎,ミホン ジロウ,1960-01-01,3,世帯主,住所,0,,\r\n"
    )
    (folder / "residents.csv").write_text(text, encoding="utf-8", newline="")
    assert errors_of(folder) == [
        "residents.csv line 2 column 氏名: must not hold line breaks, tabs or other control characters",
        "residents.csv line 4 column 性別: '3' is not 1 (男) or 2 (女)",
    ]


def test_the_number_must_be_unique(extract_dir):
    errors = errors_of(extract_dir([HANAKO, person("7"), person("300000000102", household="9")]))
    assert errors == [
        "residents.csv line 4 column 宛名番号: 300000000102 is also on line 2: it must be unique"
    ]


def test_numbers_with_leading_zeros_are_different_numbers(extract_dir):
    rows, report = rows_of(extract_dir([person("7", household="1"), person("007", household="01")]))
    assert [p.atena_number for p in rows] == ["7", "007"]
    assert report.households == 2


def test_a_household_has_at_most_one_current_head(extract_dir):
    rows = [
        person("1", household="5"),
        person(
            "2", household="5", relation="世帯主", removed="2025-01-01", reason="死亡"
        ),  # removed: no count
        person("3", household="5", relation="世帯主"),
        person("4", household="6"),  # another household
    ]
    errors = errors_of(extract_dir(rows))
    assert errors == ["residents.csv line 4 column 続柄: household 5 already has a current 世帯主 (line 2)"]


def test_a_household_may_have_no_head_while_a_new_one_is_not_registered(extract_dir):
    rows = [
        person("1", household="5", relation="世帯主", removed="R08.11.20", reason="死亡"),
        person("2", household="5", relation="妻"),
    ]
    people, report = rows_of(extract_dir(rows))
    assert len(people) == 2 and report.deceased == 1


# --- The file itself --------------------------------------------------------------------------------


def test_unknown_missing_and_repeated_columns_are_refused(extract_dir):
    assert HEADER[3] == "氏名カナ" and HEADER[-2:] == ("消除日", "消除事由")
    header = (*HEADER[:3], "氏名かな", *HEADER[4:-1], "消除日")  # カナ misspelt, 消除事由 as a second 消除日
    errors = errors_of(extract_dir([], header=header))
    assert errors == [
        f"residents.csv line 1 column 氏名かな: unknown column (the columns are {','.join(HEADER)})",
        "residents.csv line 1 column 消除日: appears twice",
        "residents.csv line 1 column 氏名カナ: is missing from the header",
        "residents.csv line 1 column 消除事由: is missing from the header",
    ]


def test_a_row_with_another_number_of_fields_is_refused(tmp_path):
    folder = tmp_path / "width"
    folder.mkdir()
    (folder / "residents.csv").write_text(",".join(HEADER) + "\n1,2,3\n", encoding="utf-8")
    assert errors_of(folder) == ["residents.csv line 2: has 3 fields; the header has 11"]


def test_bad_quoting_is_refused_with_its_line_and_the_rest_is_read(tmp_path):
    folder = tmp_path / "quoting"
    folder.mkdir()
    text = (
        ",".join(HEADER) + "\n"
        '1,1,"見本"太郎,ミホン タロウ,1960-01-01,1,世帯主,住所,0,,\n'
        "2,2,見本 次郎,ミホン ジロウ,1960-01-01,3,世帯主,住所,0,,\n"
    )
    (folder / "residents.csv").write_text(text, encoding="utf-8")
    errors = errors_of(folder)
    assert errors[0].startswith("residents.csv line 2: is not valid CSV (RFC 4180)")
    assert errors[1] == "residents.csv line 3 column 性別: '3' is not 1 (男) or 2 (女)"


def test_an_empty_file_has_no_header(tmp_path):
    folder = tmp_path / "empty"
    folder.mkdir()
    (folder / "residents.csv").write_bytes(b"")
    assert errors_of(folder)[0].startswith("residents.csv line 1: the header is missing (the file is empty)")


def test_bytes_that_are_not_text_are_reported_in_their_column(tmp_path):
    folder = tmp_path / "bytes"
    folder.mkdir()
    good = csv_text(HEADER, [person("1", name="髙橋 正雄"), person("2", household="2")]).encode("cp932")
    broken = good.replace("髙橋".encode("cp932"), b"\x81\x7f")  # neither UTF-8 nor CP932
    (folder / "residents.csv").write_bytes(broken)
    assert errors_of(folder) == [
        "residents.csv line 2 column 氏名: holds bytes that are not CP932 text (the file is read as CP932)"
    ]


def test_a_file_that_is_neither_encoding_keeps_the_one_valid_for_longer(tmp_path):
    folder = tmp_path / "mixed"
    folder.mkdir()
    text = csv_text(HEADER, [person("1", name="見本 太郎"), person("2", household="2", name="見本 次郎")])
    first, second = text.split("\r\n2,")
    data = first.encode("utf-8") + b"\r\n2," + second.encode("cp932")  # a UTF-8 file broken later
    (folder / "residents.csv").write_bytes(data)
    errors = errors_of(folder)
    message = "holds bytes that are not UTF-8 text (the file is read as UTF-8)"
    assert errors == [
        f"residents.csv line 3 column {column}: {message}" for column in ("氏名", "氏名カナ", "続柄", "住所")
    ]


def test_the_extract_must_hold_residents_csv(tmp_path):
    folder = tmp_path / "nothing"
    folder.mkdir()
    (folder / "facts.csv").write_text(",".join(FACTS_HEADER) + "\n", encoding="utf-8")
    assert errors_of(folder) == ["residents.csv: missing from the extract"]


def test_other_csv_files_are_refused(extract_dir):
    folder = extract_dir()
    (folder / "Facts.csv").write_text("x\n", encoding="utf-8")
    (folder / "README.txt").write_text("not a csv", encoding="utf-8")
    assert errors_of(folder) == [
        "Facts.csv: not a file of okuyami-residents/1 (only residents.csv and facts.csv)"
    ]


def test_a_path_that_is_neither_a_folder_nor_a_zip_is_refused(tmp_path):
    (tmp_path / "residents.txt").write_text("hello", encoding="utf-8")
    assert errors_of(tmp_path / "residents.txt") == [
        f"{tmp_path / 'residents.txt'}: neither a folder nor a .zip (not a .zip)"
    ]
    assert errors_of(tmp_path / "nowhere") == [f"{tmp_path / 'nowhere'}: no such folder or file"]


@pytest.mark.parametrize("inside", ["", "extract-2026-11-29/"])
def test_it_reads_a_zip_of_the_files_or_of_their_folder(extract_dir, tmp_path, inside):
    folder = extract_dir(EXAMPLE, EXAMPLE_FACTS, encoding="cp932")
    archive = tmp_path / "extract.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        for name in ("residents.csv", "facts.csv"):
            zipped.write(folder / name, inside + name)
        zipped.writestr("__MACOSX/._residents.csv", b"\x00\x05")
    rows, report = rows_of(archive)
    assert report.counts() == {"people": 3, "households": 1, "deceased": 1, "facts": 3}
    # An uploaded file (a stream) is read the same way.
    rows_again, _ = rows_of(io.BytesIO(archive.read_bytes()))
    assert [getattr(r, "atena_number", None) for r in rows_again] == [
        getattr(r, "atena_number", None) for r in rows
    ]


# --- facts.csv ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fact", "column", "message"),
    [
        (("999", "seal.registered", "true"), "宛名番号", "999 is not a 宛名番号 of residents.csv"),
        (("300000000101", "seal", "true"), "fact", "'seal' is not a fact of the prefill table"),
        (("300000000101", "local.Water", "true"), "fact", "a municipality's own fact is 'local.' and a key"),
        (
            ("300000000101", "household.head", "true"),
            "fact",
            "household.head is worked out from residents.csv",
        ),
        (("300000000101", "resident.foreign", "false"), "fact", "never given in facts.csv"),
        (
            ("300000000101", "kaigo.certified", "yes"),
            "value",
            "'yes' is not a value of kaigo.certified: write true or false",
        ),
        (("300000000102", "health.insurance", "kenpo"), "value", "write kokuho, koki, none"),
        (("300000000102", "household.remaining", "1"), "fact", "household.remaining is worked out"),
        (("300000000101", "kaigo.certified", ""), "value", "is required"),
        (
            ("300000000101", "health.insurance", "koki"),
            "fact",
            "300000000101 already has a row for health.insurance",
        ),
        (
            ("300000000101", "local.water_contract", "false"),
            "fact",
            "already has a row for local.water_contract",
        ),
    ],
)
def test_each_rule_of_facts_csv_is_reported_with_its_line_and_column(extract_dir, fact, column, message):
    errors = errors_of(extract_dir(EXAMPLE, [*EXAMPLE_FACTS, fact]))
    assert len(errors) == 1, errors
    assert errors[0].startswith(f"facts.csv line 5 column {column}: ")
    assert message in errors[0]


def test_local_facts_take_a_bool_an_integer_or_text(extract_dir):
    facts = [
        ("300000000101", "local.water_contract", "false"),
        ("300000000101", "local.cemetery_plots", "2"),
        ("300000000101", "local.housing", "shiei"),
        ("300000000102", "local.water_contract", "true"),
    ]
    rows, _ = rows_of(extract_dir(EXAMPLE, facts))
    values = [(r.atena_number, r.fact, r.value) for r in rows if isinstance(r, ResidentFact)]
    assert values == [
        ("300000000101", "local.water_contract", False),
        ("300000000101", "local.cemetery_plots", 2),
        ("300000000101", "local.housing", "shiei"),
        ("300000000102", "local.water_contract", True),
    ]


def test_facts_are_not_checked_against_an_unreadable_residents_csv(extract_dir):
    folder = extract_dir([TARO, ICHIRO], EXAMPLE_FACTS, header=("宛名番号", *HEADER[1:-1], "事由"))
    errors = errors_of(folder)
    assert all(error.startswith("residents.csv line 1") for error in errors), errors


def test_the_report_keeps_the_first_errors_and_counts_them_all(extract_dir):
    rows = [person(str(i), household=str(i), sex="9") for i in range(1, 31)]
    seen = []
    report = validate_extract(extract_dir(rows), max_errors=5)
    assert (len(report.errors), report.error_count) == (5, 30)
    from okuyami.residents.extract import ExtractReport

    streamed = ExtractReport(max_errors=0, on_error=seen.append)
    list(read_extract(extract_dir(rows), report=streamed))
    assert len(seen) == 30 and streamed.errors == []
