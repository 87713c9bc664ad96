"""Forms of the catalog admin pages that are not a model's: upload, new municipality, preview,
and a procedure's own application forms (申請書)."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.html import escape

from procedures import date_limits
from procedures.answer_fields import DATE_HINT, UNKNOWN, TypedDateField, answer_field, answer_value
from procedures.catalog import Catalog, municipality_code_error, prefecture_of
from procedures.catalog_bundle import MAX_BUNDLE_BYTES
from procedures.catalog_io import FORMAT
from procedures.catalog_xlsx import MAX_BYTES
from procedures.form_pdf import MAX_BYTES as PDF_MAX_BYTES
from procedures.form_pdf import MAX_PAGES as PDF_MAX_PAGES
from procedures.models import Municipality
from procedures.rules import QuestionType

# The preview's own non-answer: the question left unanswered, as if never asked.
UNANSWERED, UNANSWERED_LABEL = "__none__", "回答なし"


def _upload_within(upload, limit: int, what: str):
    """The uploaded file, refused when it is larger than `limit` bytes."""
    if upload.size > limit:
        raise forms.ValidationError(f"＊{what}が大きすぎます（{limit // (1024 * 1024)}MBまで）。")
    return upload


class CatalogUploadForm(forms.Form):
    file = forms.FileField(
        label="カタログのファイル（※必須）",
        help_text=(
            f"{FORMAT} の JSON（.json）か Excel（.xlsx）、5MB まで。"
            f"申請書のPDFを含むときは、書き出した .zip（{MAX_BUNDLE_BYTES // (1024 * 1024)}MB まで）。"
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        bundle = upload.name.lower().endswith(".zip")
        return _upload_within(upload, MAX_BUNDLE_BYTES if bundle else MAX_BYTES, "ファイル")


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
    """Every question of a catalog, not answered at first, for trying the rules without a case."""

    # Typed 和暦 or 西暦 and shown back in 和暦, as on the counter's screens.
    death_date = TypedDateField(
        label="亡くなった日（※必須）",
        error_label="亡くなった日",
        mark="＊",
        help_text=DATE_HINT,
        error_messages={"required": "＊亡くなった日を入力してください。"},
    )
    birth_date = TypedDateField(
        label="生年月日（※任意）",
        error_label="生年月日",
        mark="＊",
        required=False,
        help_text=f"空欄なら年齢は「わからない」になります。{DATE_HINT}",
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
            if value == UNKNOWN or (value in (None, "") and question.allow_unknown):
                unknown.append(question.key)
            elif value not in (None, "", UNANSWERED):
                answers[question.key] = value
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
            if cleaned.get(name) in (None, ""):
                continue
            try:
                cleaned[name] = answer_value(question, cleaned[name], markers={UNANSWERED: UNANSWERED_LABEL})
            except forms.ValidationError as exc:
                self.add_error(name, f"＊{exc.messages[0]}")
        return cleaned


def _in_range(day):
    if day is not None and not date_limits.in_range(day):
        raise forms.ValidationError(f"＊{date_limits.RANGE_JA}の日付を入力してください。")
    return day


def _question_field(question) -> forms.Field:
    """A question as a drop-down with one way of not answering it: わからない where the question
    allows it (as at the counter), else 回答なし (not answered, as a question not asked)."""
    help_text = f"{question.help + '　' if question.help else ''}キー: {question.key}"
    if question.type == QuestionType.MULTI:
        help_text += "　何も選ばなければ「該当なし」です。"
    elif question.type in (QuestionType.NUMBER, QuestionType.DATE):
        help_text += (
            "　空欄なら「わからない」です。" if question.allow_unknown else "　空欄なら「回答なし」です。"
        )
    initial = UNKNOWN if question.allow_unknown else UNANSWERED
    return answer_field(
        question,
        required=False,
        markers=() if question.allow_unknown else ((UNANSWERED, UNANSWERED_LABEL),),
        drop_down=True,
        # Django prints help_text as HTML: the editor's 補足 is text, so it is escaped here.
        help_text=escape(help_text),
        initial=[initial] if question.type == QuestionType.MULTI else initial,
    )


# --- A procedure's own forms (申請書): upload, and placing the fields ---------------------------


def _title() -> forms.CharField:
    return forms.CharField(
        label="様式の名前（※必須）",
        max_length=200,
        help_text="申請書に印刷されている名前。例: 国民健康保険 被保険者資格喪失届",
        error_messages={
            "required": "＊様式の名前を入力してください。",
            "max_length": "＊様式の名前は200文字以内で入力してください。",
        },
    )


PDF_REQUIRED = {"required": "＊PDFファイルを選んでください。", "empty": "＊PDFファイルが空です。"}


class FormUploadForm(forms.Form):
    title = _title()
    pdf = forms.FileField(
        label="申請書のPDF（※必須）",
        error_messages=PDF_REQUIRED,
        help_text=f"A4・A3・B4・B5・レターのPDF、{PDF_MAX_BYTES // (1024 * 1024)}MB・"
        f"{PDF_MAX_PAGES}ページまで。",
    )

    def clean_pdf(self):
        return _upload_within(self.cleaned_data["pdf"], PDF_MAX_BYTES, "PDF")


class FormReplaceForm(forms.Form):
    pdf = forms.FileField(
        label="差し替えるPDF（※必須）",
        error_messages=PDF_REQUIRED,
        help_text="印刷する欄はそのまま残ります。新しいPDFに合わない欄があれば、差し替えずにお知らせします。",
    )

    clean_pdf = FormUploadForm.clean_pdf


class FormTitleForm(forms.Form):
    title = _title()


def _number(label: str, help_text: str = "") -> forms.FloatField:
    return forms.FloatField(
        label=label,
        required=False,
        help_text=help_text,
        error_messages={"invalid": "＊半角数字で入力してください（例: 51.5）。"},
        widget=forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal"}),
    )


class PlacementForm(forms.Form):
    """One printed field: a value, where (page and x/y in mm, or a fillable field's name), how big."""

    value = forms.ChoiceField(
        label="印刷する値（※必須）",
        error_messages={
            "required": "＊印刷する値を選んでください。",
            "invalid_choice": "＊印刷する値を一覧から選び直してください（「%(value)s」はありません）。",
        },
    )
    page = forms.IntegerField(
        label="ページ（※必須）",
        min_value=1,
        widget=forms.NumberInput(attrs={"min": 1}),
        error_messages={
            "required": "＊ページを入力してください。",
            "invalid": "＊ページは数字で入力してください。",
            "min_value": "＊ページは1以上です。",
        },
    )
    x = _number("左から（mm）")
    y = _number("上から（mm）")
    width = _number("幅（mm、※任意）", "収まらない文字は6ptまで小さくします。")
    size = _number("文字の大きさ（pt、※任意）", "空欄なら10.5pt。")
    acroform = forms.ChoiceField(
        label="PDFの入力欄（※任意）",
        required=False,
        error_messages={
            "invalid_choice": "＊PDFの入力欄を一覧から選び直してください（「%(value)s」はありません）。"
        },
    )

    def __init__(self, *args, values=(), acroforms=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["value"].choices = [("", "（選んでください）"), *values]
        self.fields["acroform"].choices = [
            ("", "（なし：位置で指定）"),
            *((name, name) for name in acroforms),
        ]
        current = self.initial.get("value")
        if current and current not in dict(values):
            self.fields["value"].choices.append((current, current))  # keep what is stored visible

    def placement(self) -> dict:
        """The row as the format's field, keys in the format's order, unset ones left out."""
        data = self.cleaned_data
        out: dict = {"page": data["page"]}
        for name in ("x", "y", "width", "size"):
            if data.get(name) is not None:
                number = round(data[name], 2)
                out[name] = int(number) if number.is_integer() else number
        if data.get("acroform"):
            out["acroform"] = data["acroform"]
        out["value"] = data["value"]
        return out


class BasePlacementFormSet(forms.BaseFormSet):
    def kept(self) -> list[PlacementForm]:
        """The rows kept, in order: the stored ones not deleted, and the new ones filled in."""
        initial = self.initial_form_count()
        return [
            form
            for index, form in enumerate(self.forms)
            if (index < initial or form.has_changed())
            and not self._should_delete_form(form)
            and form.cleaned_data
        ]

    def placements(self) -> list[dict]:
        return [form.placement() for form in self.kept()]


PlacementFormSet = forms.formset_factory(
    PlacementForm, formset=BasePlacementFormSet, extra=2, can_delete=True
)
