"""Forms of the catalog admin pages that are not a model's: upload, new municipality, preview."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone

from procedures.catalog_io import Catalog, municipality_code_error, prefecture_of
from procedures.catalog_xlsx import MAX_BYTES
from procedures.models import Municipality

UNKNOWN = "__unknown__"
UNANSWERED = "__none__"


class CatalogUploadForm(forms.Form):
    file = forms.FileField(
        label="カタログのファイル（※必須）",
        help_text="okuyami-catalog/1 の JSON（.json）か Excel（.xlsx）。5MB まで。",
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
    """Every question of a catalog with わからない chosen, for trying the rules without a case."""

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

    def case_document(self) -> dict:
        """The case document of okuyami-catalog/1 for the cleaned answers."""
        data = self.cleaned_data
        answers, unknown = {}, []
        for question in self.catalog.questions:
            value = data.get(f"q_{question.key}")
            if question.type == "multi":
                if UNKNOWN in value:
                    unknown.append(question.key)
                elif UNANSWERED not in value:
                    answers[question.key] = list(value)
            elif value in (None, "", UNKNOWN):
                if question.allow_unknown:
                    unknown.append(question.key)
            elif value != UNANSWERED:
                answers[question.key] = _answer(question.type, value)
        birth = data.get("birth_date")
        return {
            "deceased": {
                "death_date": data["death_date"].isoformat(),
                "birth_date": birth.isoformat() if birth else None,
            },
            "answers": answers,
            "unknown": unknown,
        }

    def clean(self):
        cleaned = super().clean()
        death, birth = cleaned.get("death_date"), cleaned.get("birth_date")
        if death and birth and birth > death:
            self.add_error("birth_date", "＊生年月日が亡くなった日より後になっています。")
        for question in self.catalog.questions:
            value = cleaned.get(f"q_{question.key}")
            if (
                question.type == "multi"
                and value
                and (UNKNOWN in value or UNANSWERED in value)
                and len(value) > 1
            ):
                self.add_error(
                    f"q_{question.key}", "＊「わからない」「回答なし」はほかの選択肢と一緒に選べません。"
                )
        return cleaned


def _answer(qtype: str, value):
    if qtype == "yes_no":
        return value == "yes"
    if qtype == "date":
        return value.isoformat()
    return value


def _question_field(question) -> forms.Field:
    label = question.text
    help_text = f"{question.help + '　' if question.help else ''}キー: {question.key}"
    none = [(UNKNOWN, "わからない")] if question.allow_unknown else []
    none.append((UNANSWERED, "回答なし"))
    initial = UNKNOWN if question.allow_unknown else UNANSWERED
    if question.type in ("yes_no", "choice"):
        options = (
            [("yes", "はい"), ("no", "いいえ")] if question.type == "yes_no" else list(question.spec.choices)
        )
        return forms.ChoiceField(
            label=label, help_text=help_text, choices=none + options, initial=initial, required=False
        )
    if question.type == "multi":
        return forms.MultipleChoiceField(
            label=label,
            help_text=help_text + "　何も選ばなければ「該当なし」です。",
            choices=none + list(question.spec.choices),
            initial=[initial],
            required=False,
            widget=forms.CheckboxSelectMultiple,
        )
    blank = "空欄なら「わからない」です。" if question.allow_unknown else "空欄なら「回答なし」です。"
    if question.type == "number":
        return forms.IntegerField(
            label=label, help_text=f"{help_text}　{blank}", required=False, min_value=0, max_value=10**9
        )
    return forms.DateField(
        label=label,
        help_text=f"{help_text}　{blank}",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
