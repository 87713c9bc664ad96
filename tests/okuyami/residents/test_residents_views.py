"""The upload of a resident extract: counts before applying, errors, and who may use it."""

import io
import zipfile
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent
from core.staff import Role, staff_membership_set
from okuyami.residents.models import Extract, Person
from okuyami.residents.services import extract_import, extracts_expire
from tests.okuyami.residents.conftest import EXAMPLE, EXAMPLE_FACTS, person, write_extract

pytestmark = pytest.mark.django_db

UPLOAD = reverse("residents:import")


def confirm_url(code: str) -> str:
    return reverse("residents:import-confirm", args=[code])


def decide_url(code: str) -> str:
    return reverse("residents:import-decide", args=[code])


def zipped(tmp_path, residents=EXAMPLE, facts=EXAMPLE_FACTS, name="extract.zip") -> SimpleUploadedFile:
    folder = write_extract(tmp_path / name.replace(".", "-"), residents, facts, encoding="cp932")
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as archive:
        for csv_name in ("residents.csv", "facts.csv"):
            archive.write(folder / csv_name, csv_name)
    return SimpleUploadedFile(name, data.getvalue(), content_type="application/zip")


@pytest.fixture
def frank(city_b):
    """管理者 of city B."""
    user = get_user_model().objects.create_user("frank", password="pass-frank")
    staff_membership_set(user=user, municipality=city_b, role=Role.MANAGER)
    return user


def test_a_manager_sees_the_counts_before_anything_changes_then_applies(client, erin, city_a, tmp_path):
    client.force_login(erin)
    page = client.get(UPLOAD)
    assert page.status_code == 200
    assert "住民記録の取り込み：船橋市" in page.content.decode() and "団体コード" not in page.content.decode()
    response = client.post(UPLOAD, {"archive": zipped(tmp_path)})
    assert response.status_code == 302 and response["Location"] == confirm_url("122041")
    assert not Extract.objects.filter(municipality=city_a).exists()  # nothing applied yet
    page = client.get(confirm_url("122041")).content.decode()
    for shown in ("<td>3人</td>", "<td>1世帯</td>", "<td>1人</td>", "<td>3件</td>", "取り込む"):
        assert shown in page
    response = client.post(decide_url("122041"), {"decision": "apply"}, follow=True)
    assert "船橋市の住民記録を取り込みました（3人）。" in response.content.decode()
    extract = Extract.objects.get(municipality=city_a)
    assert (extract.people, extract.pending_for) == (3, None)
    assert Person.objects.filter(extract=extract).count() == 3
    details = list(AuditEvent.objects.filter(username="erin").order_by("id").values_list("detail", flat=True))
    assert details == [
        "住民記録を確認のため読み込み（3人、1世帯、死亡による消除1人、他の台帳の事実3件）",
        "住民記録を取り込み（3人、1世帯、死亡による消除1人、他の台帳の事実3件）",
    ]


def test_an_applied_upload_replaces_the_extract_in_use(client, erin, city_a, extract_dir, tmp_path):
    extract_import(municipality=city_a, source=extract_dir([person("1", household="1")]), actor="test")
    client.force_login(erin)
    client.post(UPLOAD, {"archive": zipped(tmp_path)})
    assert Extract.objects.get(municipality=city_a).people == 1  # still the one in use
    page = client.get(confirm_url("122041")).content.decode()
    assert "<td>3人</td><td>1人</td>" in page.replace("\n", "").replace("    ", "")
    client.post(decide_url("122041"), {"decision": "apply"})
    assert list(Extract.objects.values_list("people", flat=True)) == [3]


def test_discarding_an_upload_erases_it(client, erin, city_a, tmp_path):
    client.force_login(erin)
    client.post(UPLOAD, {"archive": zipped(tmp_path)})
    response = client.post(decide_url("122041"), {"decision": "discard"}, follow=True)
    assert "読み込んだ住民記録は取り込まずに消去しました。" in response.content.decode()
    assert not Extract.objects.exists() and not Person.objects.exists()
    response = client.get(confirm_url("122041"), follow=True)  # nothing waits any more
    assert "確認待ちの住民記録はありません。" in response.content.decode()


def test_a_refused_file_lists_its_errors_and_changes_nothing(client, erin, city_a, extract_dir, tmp_path):
    extract_import(municipality=city_a, source=extract_dir(EXAMPLE), actor="test")
    before = Extract.objects.get(municipality=city_a)
    client.force_login(erin)
    bad = zipped(tmp_path, [*EXAMPLE, person("7", sex="3"), person("8", household="8", birth="H31.05.01")])
    page = client.post(UPLOAD, {"archive": bad})
    assert page.status_code == 200
    text = page.content.decode()
    assert "＊ファイルに誤りがあります（2件）。住民記録は変更していません。" in text
    assert "residents.csv line 5 column 性別: &#x27;3&#x27; is not 1 (男) or 2 (女)" in text
    assert "residents.csv line 6 column 生年月日:" in text
    assert list(Extract.objects.values_list("pk", "pending_for")) == [(before.pk, None)]


def test_a_file_that_is_not_a_zip_is_refused(client, erin):
    client.force_login(erin)
    page = client.post(UPLOAD, {"archive": SimpleUploadedFile("residents.csv", "宛名番号\n".encode())})
    assert "neither a folder nor a .zip" in page.content.decode()
    assert not Extract.objects.exists()


def test_no_file_is_a_form_error_with_the_error_summary(client, erin):
    client.force_login(erin)
    page = client.post(UPLOAD, {})
    text = page.content.decode()
    assert page.status_code == 200
    assert "<title>エラー：住民記録の取り込み" in text
    assert 'aria-invalid="true"' in text and "＊住民記録の抽出ファイルを選んでください。" in text
    assert '<a href="#id_archive">住民記録の抽出ファイルを選んでください。</a>' in text  # the error summary
    assert 'aria-describedby="id_archive_helptext id_archive_error"' in text


def test_the_operator_chooses_the_municipality(client, operator, city_a, city_b, tmp_path):
    client.force_login(operator)
    assert "団体コード" in client.get(UPLOAD).content.decode()
    page = client.post(UPLOAD, {"municipality": "131017", "archive": zipped(tmp_path)})
    assert "検査数字を含む6桁の数字" in page.content.decode()
    page = client.post(UPLOAD, {"municipality": "011002", "archive": zipped(tmp_path)})
    assert "この団体コードの市区町村は登録されていません。" in page.content.decode()
    response = client.post(UPLOAD, {"municipality": "131016", "archive": zipped(tmp_path)})
    assert response["Location"] == confirm_url("131016")
    client.post(decide_url("131016"), {"decision": "apply"})
    assert Extract.objects.get(municipality=city_b).people == 3
    assert client.get(confirm_url("999999")).status_code == 404


@pytest.mark.parametrize("who", ["alice", "bob", "charlie"])
def test_counter_staff_and_editors_may_not_import(client, request, who, city_a, tmp_path):
    client.force_login(request.getfixturevalue(who))
    assert client.get(UPLOAD).status_code == 403
    assert client.post(UPLOAD, {"archive": zipped(tmp_path)}).status_code == 403
    assert client.get(confirm_url("122041")).status_code == 403
    assert client.post(decide_url("122041"), {"decision": "apply"}).status_code == 403
    assert not Extract.objects.exists()


def test_anonymous_users_are_sent_to_the_login(client, city_a):
    for url in (UPLOAD, confirm_url("122041")):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_another_municipalitys_manager_gets_404(client, erin, frank, city_a, tmp_path):
    client.force_login(erin)
    client.post(UPLOAD, {"archive": zipped(tmp_path)})
    client.force_login(frank)
    assert client.get(confirm_url("122041")).status_code == 404
    assert client.post(decide_url("122041"), {"decision": "apply"}).status_code == 404
    assert client.post(decide_url("122041"), {"decision": "discard"}).status_code == 404
    assert Extract.objects.get(pending_for=city_a).people == 3  # untouched, still waiting
    assert not Extract.objects.filter(municipality=city_a).exists()


def test_deciding_takes_a_post(client, erin, city_a):
    client.force_login(erin)
    assert client.get(decide_url("122041")).status_code == 405


def test_the_menu_shows_the_import_to_managers_and_the_operator(client, erin, alice):
    client.force_login(erin)
    assert 'href="/records/import/">住民記録の取り込み</a>' in client.get(UPLOAD).content.decode()
    client.force_login(alice)
    assert "住民記録の取り込み" not in client.get(reverse("okuyami:case-list")).content.decode()


def test_an_upload_left_waiting_is_erased_the_next_day(client, erin, city_a, tmp_path):
    client.force_login(erin)
    client.post(UPLOAD, {"archive": zipped(tmp_path)})
    assert extracts_expire(now=timezone.now() + timedelta(hours=23)) == []
    assert Extract.objects.filter(pending_for=city_a).exists()
    extracts_expire(now=timezone.now() + timedelta(hours=25))
    assert not Extract.objects.exists()
    assert AuditEvent.objects.filter(action="erase", detail="確認待ちの住民記録を取り込まずに消去").exists()
