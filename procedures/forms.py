"""Forms of the catalog admin pages that are not a model's: upload, new municipality, preview."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.html import escape

from procedures import date_limits
from procedures.answer_fields import UNKNOWN, answer_field, answer_value
from procedures.catalog import Catalog, municipality_code_error, prefecture_of
from procedures.catalog_io import FORMAT
from procedures.catalog_xlsx import MAX_BYTES
from procedures.models import Municipality
from procedures.rules import QuestionType

# The preview's one non-answer: nothing entered or chosen is 「回答なし」, as if the question was
# never asked, for every type of question. わからない is an answer the family can give (where the
# question allows it), and a multi question's 「該当なし」 is the answer "none of these".
UNANSWERED_LABEL = "回答なし"
NONE_APPLIES, NONE_APPLIES_LABEL = "__none__", "該当なし"


class CatalogUploadForm(forms.Form):
    file = forms.FileField(
        label="カタログのファイル（※必須）",
        help_text=f"{FORMAT} の JSON（.json）か Excel（.xlsx）。5MB まで。",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError("＊ファイルが大きすぎます（5MB まで）。")
        return upload


class MunicipalityFromTemplateForm(forms.Form):
    code = forms.CharField(
        label="団体コード（※必須）",
        max_length=6,
        help_text="全国地方公共団体コード（6桁、6桁目は検査数字）。例: 011002",
    )
    name = forms.CharField(label="市区町村名（※必須）", max_length=100, help_text="例: 札幌市")
    prefecture = forms.CharField(
        label="都道府県（※任意）", max_length=10, required=False, help_text="空欄なら団体コードから決めます。"
    )
    editor = forms.ModelChoiceField(
        label="編集者（※任意）",
        queryset=get_user_model().objects.filter(is_superuser=False).order_by("username"),
        required=False,
        help_text="選んだ人をこの市区町村の編集者にします（今の所属からは外れます）。",
    )

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if municipality_code_error(code):
            raise forms.ValidationError(
                "＊団体コードが正しくありません（6桁の数字で、6桁目は検査数字です）。"
            )
        if Municipality.objects.filter(code=code).exists():
            raise forms.ValidationError("＊この団体コードの市区町村はすでにあります。")
        return code

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("code") and not cleaned.get("prefecture"):
            cleaned["prefecture"] = prefecture_of(cleaned["code"]) or ""
            if not cleaned["prefecture"]:
                self.add_error("prefecture", "＊団体コードから都道府県を決められません。入力してください。")
        return cleaned


class CatalogPreviewForm(forms.Form):
    """Every question of a catalog, for trying the rules without a case. A question left empty is
    「回答なし」 (not asked); わからない is chosen where the question allows it, and is where every
    such question starts, so that a first try shows what the counter would have to confirm."""

    death_date = forms.DateField(
        label="亡くなった日（※必須）", widget=forms.DateInput(attrs={"type": "date"})
    )
    birth_date = forms.DateField(
        label="生年月日（※任意）",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="空欄なら年齢は「わからない」になります。",
    )

    def __init__(self, *args, catalog: Catalog, **kwargs):
        super().__init__(*args, **kwargs)
        self.catalog = catalog
        self.fields["death_date"].initial = timezone.localdate()
        for question in catalog.questions:
            self.fields[f"q_{question.key}"] = _question_field(question)
            if question.allow_unknown and question.type in (QuestionType.NUMBER, QuestionType.DATE):
                self.fields[f"u_{question.key}"] = forms.BooleanField(
                    label=f"わからない（{question.text}）", required=False, initial=True
                )

    def case_document(self) -> dict:
        """The case document of okuyami-catalog/1 for the cleaned answers."""
        data = self.cleaned_data
        answers, unknown = {}, []
        for question in self.catalog.questions:
            value = data.get(f"q_{question.key}")
            if value == UNKNOWN:
                unknown.append(question.key)
            elif value not in (None, "", []):
                answers[question.key] = [] if value == NONE_APPLIES else value
        birth = data.get("birth_date")
        return {
            "deceased": {
                "death_date": data["death_date"].isoformat(),
                "birth_date": birth.isoformat() if birth else None,
            },
            "answers": answers,
            "unknown": unknown,
        }

    def clean_death_date(self):
        return _in_range(self.cleaned_data["death_date"])

    def clean_birth_date(self):
        return _in_range(self.cleaned_data["birth_date"])

    def clean(self):
        cleaned = super().clean()
        death, birth = cleaned.get("death_date"), cleaned.get("birth_date")
        if death and birth and birth > death:
            self.add_error("birth_date", "＊生年月日が亡くなった日より後になっています。")
        for question in self.catalog.questions:
            name = f"q_{question.key}"
            if cleaned.pop(f"u_{question.key}", False):
                if cleaned.get(name) not in (None, ""):
                    self.add_error(name, "＊値を入れたときは「わからない」を外してください。")
                cleaned[name] = UNKNOWN
            if cleaned.get(name) in (None, "", [], UNKNOWN):
                continue
            try:
                cleaned[name] = answer_value(
                    question, cleaned[name], markers={NONE_APPLIES: NONE_APPLIES_LABEL}
                )
            except forms.ValidationError as exc:
                self.add_error(name, f"＊{exc.messages[0]}")
        return cleaned


def _in_range(day):
    if day is not None and not date_limits.in_range(day):
        raise forms.ValidationError(f"＊{date_limits.RANGE_JA}の日付を入力してください。")
    return day


def _question_field(question) -> forms.Field:
    help_text = f"{question.help + '　' if question.help else ''}キー: {question.key}"
    if question.type == QuestionType.MULTI:
        help_text += "　何も選ばなければ「回答なし」です。"
    elif question.type in (QuestionType.NUMBER, QuestionType.DATE):
        help_text += "　空欄なら「回答なし」です。"
    multi = question.type == QuestionType.MULTI
    picked = question.type in (QuestionType.YES_NO, QuestionType.CHOICE, QuestionType.MULTI)
    field = answer_field(
        question,
        required=False,
        markers=((NONE_APPLIES, NONE_APPLIES_LABEL),) if multi else (),
        drop_down=True,
        # Django prints help_text as HTML: the editor's 補足 is text, so it is escaped here.
        help_text=escape(help_text),
        # A number's or a date's わからない is the box beside it (CatalogPreviewForm).
        initial=([UNKNOWN] if multi else UNKNOWN) if question.allow_unknown and picked else None,
    )
    if question.type in (QuestionType.YES_NO, QuestionType.CHOICE):
        field.choices = [("", UNANSWERED_LABEL), *field.choices]
    return field
