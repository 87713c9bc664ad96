"""Importing, replacing and erasing a municipality's extract; the commands; the demo and trial extracts."""

import io
import json
import zipfile
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from core.models import AuditEvent
from core.personal import personal_data_of
from okuyami.residents.models import Extract, Person, PersonFact
from okuyami.residents.sample import SAMPLE_EXTRACT
from okuyami.residents.services import ExtractInvalid, extract_import, extracts_expire
from procedures.models import Municipality
from tests.conftest import fixture_document
from tests.okuyami.conftest import TYPICAL_STANDARD_RECORDS
from tests.okuyami.residents.conftest import EXAMPLE, EXAMPLE_FACTS, HANAKO, TARO, person

pytestmark = pytest.mark.django_db


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def refused(*args) -> tuple[str, str]:
    err = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command(*args, stdout=io.StringIO(), stderr=err)
    return err.getvalue(), str(raised.value)


def people_of(municipality) -> list[tuple]:
    extract = Extract.objects.get(municipality=municipality)
    return list(
        Person.objects.filter(extract=extract)
        .order_by("atena_number")
        .values_list("atena_number", "name", "kana_key", "kana_key_reversed", "death_date")
    )


def partitions() -> list[str]:
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT child.relname FROM pg_inherits JOIN pg_class child ON child.oid = inhrelid "
            "JOIN pg_class parent ON parent.oid = inhparent "
            "WHERE parent.relname LIKE 'residents_%' AND child.relkind = 'r' "
            "ORDER BY 1"
        )
        return [row[0] for row in cursor.fetchall()]


def test_import_residents_stores_the_extract_and_prints_the_counts(city_a, extract_dir):
    out, _ = run("import_residents", "122041", str(extract_dir(EXAMPLE, EXAMPLE_FACTS)))
    assert "imported the resident extract of 122041 (residents.csv UTF-8, facts.csv UTF-8): " in out
    assert "3 people, 1 households, 1 deceased, 3 facts" in out
    extract = Extract.objects.get(municipality=city_a)
    assert (extract.people, extract.households, extract.deceased, extract.facts) == (3, 1, 1, 3)
    assert extract.imported_by == "import_residents"
    assert people_of(city_a) == [
        ("300000000101", "見本 太郎", "ミホンタロウ", "タロウミホン", date(2026, 11, 20)),
        ("300000000102", "見本 花子", "ミホンハナコ", "ハナコミホン", None),
        ("300000000103", "見本 一郎", "ミホンイチロウ", "イチロウミホン", None),  # moved out: no death date
    ]
    facts = PersonFact.objects.filter(extract=extract).order_by("fact").values_list("fact", "value")
    assert list(facts) == [
        ("health.insurance", "koki"),
        ("local.water_contract", "true"),
        ("seal.registered", "true"),
    ]
    event = AuditEvent.objects.get(action="change")
    assert event.username == "import_residents"
    assert event.detail == "住民記録を取り込み（3人、1世帯、死亡による消除1人、他の台帳の事実3件）"


def test_a_cp932_zip_is_imported_too(city_a, extract_dir, tmp_path):
    folder = extract_dir(EXAMPLE, EXAMPLE_FACTS, encoding="cp932", newline="\n")
    archive = tmp_path / "extract.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for name in ("residents.csv", "facts.csv"):
            zipped.write(folder / name, f"extract/{name}")
    out, _ = run("import_residents", "122041", str(archive))
    assert "(residents.csv CP932, facts.csv CP932): 3 people" in out
    assert [row[1] for row in people_of(city_a)] == ["見本 太郎", "見本 花子", "見本 一郎"]


def test_a_new_import_replaces_the_previous_extract_whole(city_a, extract_dir):
    run("import_residents", "122041", str(extract_dir(EXAMPLE, EXAMPLE_FACTS)))
    first = Extract.objects.get(municipality=city_a).pk
    newer = [HANAKO, person("500", household="9", name="新規 住民", kana="シンキ ジュウミン")]
    run("import_residents", "122041", str(extract_dir(newer)))
    extract = Extract.objects.get(municipality=city_a)
    assert extract.pk != first
    assert [row[0] for row in people_of(city_a)] == ["300000000102", "500"]
    assert Person.objects.count() == 2 and not PersonFact.objects.exists()
    assert Extract.objects.count() == 1
    if connection.vendor == "postgresql":  # the replaced extract's partitions are dropped
        assert partitions() == [f"residents_person_{extract.pk}", f"residents_personfact_{extract.pk}"]


def test_a_refused_extract_changes_nothing_and_every_error_is_printed(city_a, extract_dir):
    run("import_residents", "122041", str(extract_dir(EXAMPLE, EXAMPLE_FACTS)))
    before, stored = people_of(city_a), Extract.objects.get(municipality=city_a)
    bad = [*EXAMPLE, person("7", sex="3"), person("8", household="8", birth="H31.05.01")]
    folder = extract_dir(bad, [*EXAMPLE_FACTS, ("999", "seal.registered", "true")])
    err, message = refused("import_residents", "122041", str(folder))
    assert err.splitlines() == [
        "residents.csv line 5 column 性別: '3' is not 1 (男) or 2 (女)",
        "residents.csv line 6 column 生年月日: 'H31.05.01' is not a date of 平成 (H01.01.08 to H31.04.30)",
        "facts.csv line 5 column 宛名番号: 999 is not a 宛名番号 of residents.csv",
    ]
    assert message == f"{folder}: 3 errors; nothing was imported (the stored extract is unchanged)"
    assert people_of(city_a) == before
    assert Extract.objects.get(municipality=city_a).pk == stored.pk
    assert PersonFact.objects.count() == 3
    assert AuditEvent.objects.filter(action="change").count() == 1
    assert len(partitions()) == (2 if connection.vendor == "postgresql" else 0)


def test_the_service_raises_the_report_of_a_refused_extract(city_a, extract_dir):
    with pytest.raises(ExtractInvalid) as raised:
        extract_import(municipality=city_a, source=extract_dir([TARO, TARO]), actor="test")
    assert raised.value.report.errors == [
        "residents.csv line 3 column 宛名番号: 300000000101 is also on line 2: it must be unique"
    ]
    assert not Extract.objects.exists() and not Person.objects.exists()


def test_each_municipality_has_its_own_extract(city_a, city_b, extract_dir):
    run("import_residents", "122041", str(extract_dir(EXAMPLE)))
    run("import_residents", "131016", str(extract_dir([person("1", household="1")])))
    assert [row[0] for row in people_of(city_a)] == ["300000000101", "300000000102", "300000000103"]
    assert [row[0] for row in people_of(city_b)] == ["1"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("12204", "x"), "municipality code '12204'"),
        (("131016", "x"), "no municipality with code 131016"),
    ],
)
def test_import_residents_names_a_bad_municipality(city_a, args, message):
    _, refusal = refused("import_residents", *args)
    assert message in refusal


def test_import_residents_names_a_missing_path(city_a, tmp_path):
    err, message = refused("import_residents", "122041", str(tmp_path / "nowhere"))
    assert err.strip() == f"{tmp_path / 'nowhere'}: no such folder or file"
    assert "1 error; nothing was imported" in message


# --- Erasing: purge_residents and the retention job ----------------------------------------------


def test_purge_residents_erases_one_or_every_extract(city_a, city_b, extract_dir):
    run("import_residents", "122041", str(extract_dir(EXAMPLE, EXAMPLE_FACTS)))
    run("import_residents", "131016", str(extract_dir([person("1", household="1")])))
    out, _ = run("purge_residents", "122041")
    assert out.strip() == "erased 1 resident extract(s): 122041"
    assert not Extract.objects.filter(municipality=city_a).exists()
    assert Person.objects.count() == 1 and not PersonFact.objects.exists()
    out, _ = run("purge_residents")
    assert out.strip() == "erased 1 resident extract(s): 131016"
    assert not Person.objects.exists() and not Extract.objects.exists()
    assert partitions() == []
    out, _ = run("purge_residents")
    assert out.strip() == "erased 0 resident extract(s)"
    erased = AuditEvent.objects.filter(action="erase").order_by("id")
    assert [(e.municipality_code, e.username, e.detail) for e in erased] == [
        ("122041", "purge_residents", "住民記録を消去（purge_residents）"),
        ("131016", "purge_residents", "住民記録を消去（purge_residents）"),
    ]


def test_an_extract_not_replaced_for_the_retention_days_is_erased_by_purge_cases(
    city_a, city_b, extract_dir, settings
):
    settings.OKUYAMI_RECORDS_DAYS = 7
    run("import_residents", "122041", str(extract_dir(EXAMPLE)))
    run("import_residents", "131016", str(extract_dir([person("1", household="1")])))
    eight_days_ago = timezone.now() - timedelta(days=8)
    Extract.objects.filter(municipality=city_a).update(imported_at=eight_days_ago)
    out, _ = run("purge_cases")
    assert "erased 1 resident extract(s) older than 7 days" in out
    assert not Extract.objects.filter(municipality=city_a).exists()
    assert Extract.objects.filter(municipality=city_b).exists()  # imported today
    assert AuditEvent.objects.get(action="erase").username == "purge_cases"
    out, _ = run("purge_cases")
    assert "erased 0 resident extract(s)" in out
    assert extracts_expire(now=timezone.now() + timedelta(days=8)) == ["131016"]


def test_purge_residents_expired_follows_the_setting(city_a, extract_dir, settings):
    settings.OKUYAMI_RECORDS_DAYS = 2
    run("import_residents", "122041", str(extract_dir(EXAMPLE)))
    Extract.objects.update(imported_at=timezone.now() - timedelta(days=1))
    assert run("purge_residents", "--expired")[0].strip() == (
        "erased 0 resident extract(s) imported more than 2 days ago"
    )
    Extract.objects.update(imported_at=timezone.now() - timedelta(days=3))
    assert run("purge_residents", "--expired")[0].strip() == (
        "erased 1 resident extract(s) imported more than 2 days ago: 122041"
    )
    _, message = refused("purge_residents", "122041", "--expired")
    assert "give no CODE" in message


# --- case_from_records ------------------------------------------------------------------------------


def test_case_from_records_prints_the_case_document(city_a, extract_dir):
    run("import_residents", "122041", str(extract_dir(EXAMPLE, EXAMPLE_FACTS)))
    out, _ = run("case_from_records", "122041", "300000000101")
    document = json.loads(out)
    assert document["deceased"] == {
        "name": "見本 太郎",
        "kana": "ミホン タロウ",
        "birth_date": "1950-04-02",
        "death_date": "2026-11-20",
        "address": "見本県みほん市中央一丁目2番3号",
    }
    assert document["household"] == [
        {"name": "見本 花子", "kana": "ミホン ハナコ", "relation": "妻", "birth_date": "1952-08-15"}
    ]
    # The contract city's questions that a fact answers: 世帯主 and the insurance.
    assert document["answers"] == {"head_of_household": True, "insurance": "koki"}
    event = AuditEvent.objects.get(action="view")
    assert (event.username, event.detail) == ("case_from_records", "住民記録を参照（宛名番号 300000000101）")


def test_the_case_document_from_the_records_evaluates_as_it_is(city_a, extract_dir, tmp_path):
    # docs/catalog-format.md, "Points the contract leaves open" 7: evaluate accepts the records'
    # personal fields and the household, and reads none of them.
    run("import_residents", "122041", str(extract_dir(EXAMPLE, EXAMPLE_FACTS)))
    document = tmp_path / "case.json"
    document.write_text(run("case_from_records", "122041", "300000000101")[0], encoding="utf-8")
    result = json.loads(run("evaluate", "122041", str(document))[0])
    assert result["municipality"] == "122041"
    assert "見本" not in json.dumps(result, ensure_ascii=False)  # no name comes back out
    bad = json.loads(document.read_text(encoding="utf-8"))
    bad["deceased"]["name"], bad["household"] = 1, "妻"
    document.write_text(json.dumps(bad), encoding="utf-8")
    errors, message = refused("evaluate", "122041", str(document))
    assert "2 errors; nothing was evaluated" in message
    assert "deceased.name: must be a string or null" in errors
    assert "household: must be a list of the household's members" in errors


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("300000000102", "宛名番号 300000000102: the records do not show this person's death"),
        ("1", "宛名番号 1: no such 宛名番号 in the resident extract"),
        ("abc", "宛名番号 abc: a 宛名番号 is 1 to 15 ASCII digits"),
    ],
)
def test_case_from_records_refuses_a_person_the_records_do_not_show_dead(
    city_a, extract_dir, number, message
):
    run("import_residents", "122041", str(extract_dir(EXAMPLE, EXAMPLE_FACTS)))
    _, refusal = refused("case_from_records", "122041", number)
    assert refusal.startswith(message)


def test_case_from_records_without_an_extract(city_a):
    _, refusal = refused("case_from_records", "122041", "300000000101")
    assert "has no resident extract (import_residents) and no live lookup" in refusal


# --- The demo and the trials ------------------------------------------------------------------------


def test_the_sample_extract_is_valid_and_has_the_demo_situations():
    from okuyami.residents.extract import Resident, validate_extract

    report = validate_extract(SAMPLE_EXTRACT)
    assert report.ok, report.errors[:5]
    assert report.people >= 600 and report.households >= 250 and report.deceased >= 12
    from okuyami.residents.extract import ExtractReport, read_extract

    people = [r for r in read_extract(SAMPLE_EXTRACT, report=ExtractReport()) if isinstance(r, Resident)]
    dead = [p for p in people if p.deceased and p.removal_date >= date(2026, 11, 1)]
    names = " ".join(p.name for p in dead)
    assert len(dead) >= 12
    assert "髙" in names and "﨑" in names and "𠮷" in names
    assert any(p.foreign for p in dead)
    assert any((p.birth_date.month, p.birth_date.day) == (2, 29) for p in dead)
    households = {p.household: [q for q in people if q.household == p.household and q.current] for p in dead}
    assert any(not others for others in households.values())  # living alone
    assert any(len(others) >= 3 for others in households.values())  # a widow with children


def test_every_deceased_in_the_sample_extract_is_on_the_sample_citys_registers():
    # The sample city's catalog reads its own registers (fixtures/README.md); every deceased
    # person has each of them, so no question they answer is asked for want of the fact.
    from okuyami.residents.extract import ExtractReport, Resident, ResidentFact, read_extract
    from okuyami.residents.sample import DISABILITY_REGISTERS, LOCAL_REGISTERS

    questions = fixture_document("sample-city.json")["questions"]
    read = {
        q["prefill"]["fact"] for q in questions if q.get("prefill", {}).get("fact", "").startswith("local.")
    }
    assert read == {*LOCAL_REGISTERS, "local.water_contract"}
    rows = list(read_extract(SAMPLE_EXTRACT, report=ExtractReport()))
    facts: dict[str, dict] = {}
    for row in rows:
        if isinstance(row, ResidentFact):
            facts.setdefault(row.atena_number, {})[row.fact] = row.value
    dead = [r.atena_number for r in rows if isinstance(r, Resident) and r.deceased]
    assert len(dead) == 19
    for number in dead:
        held = facts[number]
        expected = set(LOCAL_REGISTERS) - (
            set() if held.get("disability.certificate") else set(DISABILITY_REGISTERS)
        )
        assert expected <= set(held), (number, expected - set(held))
        assert all(isinstance(held[name], bool) for name in expected)
    # The living are on none of them (only the deceased are asked about).
    living = {r.atena_number for r in rows if isinstance(r, Resident) and not r.deceased}
    assert not any(set(LOCAL_REGISTERS) & set(facts.get(number, {})) for number in living)


def test_load_demo_loads_the_sample_citys_extract_once(settings):
    settings.DEBUG = True
    out, _ = run("load_demo")
    sample = Municipality.objects.get(code="999903")
    extract = Extract.objects.get(municipality=sample)
    assert (
        f"imported the resident extract of 999903 (residents.csv UTF-8, facts.csv UTF-8): {extract.people:,}"
        in out
    )
    out, _ = run("load_demo")
    assert "kept the resident extract of 999903: already loaded" in out
    assert Extract.objects.get(municipality=sample).pk == extract.pk
    run("load_demo", "--reset")
    assert Extract.objects.get(municipality=sample).pk != extract.pk


def test_a_trial_gets_the_fictitious_extract(settings):
    settings.OKUYAMI_SANDBOX = True
    run("create_trial", "011002", "札幌市")
    trial = Municipality.objects.get(code="011002")
    assert Extract.objects.get(municipality=trial).people > 600
    out, _ = run("case_from_records", "011002", _typical_number())
    document = json.loads(out)
    assert document["deceased"]["name"] == "見本 太郎"
    # The answers come from the national template's own prefills (the catalog's `prefill`).
    assert document["answers"] == TYPICAL_STANDARD_RECORDS


def _typical_number() -> str:
    text = (SAMPLE_EXTRACT / "residents.csv").read_text(encoding="utf-8")
    return next(
        line.split(",")[0] for line in text.splitlines() if "ミホン タロウ" in line and "死亡" in line
    )


# --- The personal-data declaration ------------------------------------------------------------------


@pytest.mark.parametrize("model", [Person, PersonFact])
def test_every_field_of_a_person_is_declared_personal_and_erased_with_the_extract(model):
    fields = {field.name for field in model._meta.get_fields() if field.concrete} - {"pk", "extract"}
    declaration = personal_data_of(model)
    assert set(declaration.fields) == fields
    with pytest.raises(RuntimeError, match="deleted whole"):  # never blanked one field at a time
        declaration.erased_values()


def test_an_extracts_own_row_holds_counts_and_who_imported_it():
    assert personal_data_of(Extract).fields == {}
    assert personal_data_of(Extract).staff == ("imported_by",)
