"""The upload of a resident extract, marked up the デジタル庁デザインシステム way (okuyami.forms.DadsForm)."""

from django import forms

from okuyami.forms import CaseForm, DadsForm, _date_field, _text
from okuyami.residents.records import deceased_was_head, visitor_relation
from okuyami.residents.selectors import SearchCriteria
from procedures.catalog import municipality_code_error
from procedures.selectors import municipality_by_code


class ExtractUploadForm(DadsForm, forms.Form):
    """A 管理者's upload, for their own municipality."""

    archive = forms.FileField(
        label="住民記録の抽出ファイル（.zip）",
        help_text="residents.csv と facts.csv（任意）をまとめた .zip ファイル。文字コードは UTF-8 または"
        " Shift_JIS（CP932）。大きな市の抽出は、管理コマンド import_residents で取り込んでください。",
        error_messages={
            "required": "住民記録の抽出ファイルを選んでください。",
            "empty": "選んだファイルは空です。",
            "invalid": "ファイルを選び直してください。",
        },
    )


class OperatorExtractUploadForm(ExtractUploadForm):
    """The operator's upload, for the municipality they name."""

    municipality = forms.CharField(
        label="団体コード",
        max_length=6,
        help_text="取り込む市区町村の、6桁の全国地方公共団体コード",
        error_messages={"required": "団体コードを入力してください。"},
    )
    field_order = ["municipality", "archive"]

    def clean_municipality(self):
        code = self.cleaned_data["municipality"].strip()
        if municipality_code_error(code):
            raise forms.ValidationError("団体コードは、検査数字を含む6桁の数字で入力してください。")
        municipality = municipality_by_code(code)
        if municipality is None:
            raise forms.ValidationError("この団体コードの市区町村は登録されていません。")
        return municipality


# --- The counter: 新しい受付 from the records ---------------------------------------------------

OTHER = "other"


class RecordSearchForm(DadsForm, forms.Form):
    """住民記録から探す: two of カナ, 生年月日, 死亡日 and 宛名番号 (the service refuses fewer)."""

    kana = _text(
        "カナ",
        required=False,
        help_text="姓だけ・名だけでも、先頭から探します（ひらがなでも構いません）。",
    )
    birth_date = _date_field("生年月日", required=False)
    death_date = _date_field("死亡日", required=False)
    atena_number = _text(
        "宛名番号", required=False, max_length=15, attrs={"autocomplete": "off", "inputmode": "numeric"}
    )

    def criteria(self) -> SearchCriteria:
        data = self.cleaned_data
        return SearchCriteria(
            kana=data["kana"].strip(),
            birth_date=data["birth_date"],
            death_date=data["death_date"],
            atena_number=data["atena_number"].strip(),
        )


class RecordCaseForm(CaseForm):
    """受付 from a deceased person's records: the deceased filled in, the visitor picked from the
    household (relation from the 続柄 when the deceased was the 世帯主) or typed."""

    atena_number = forms.CharField(widget=forms.HiddenInput, max_length=15)
    visitor_member = forms.ChoiceField(
        label="来庁された方",
        widget=forms.RadioSelect,
        help_text="世帯の方を選ぶと、氏名・フリガナ・続柄は住民記録から入ります（電話番号は入力してください）。",
        error_messages={"required": "来庁された方を選んでください。"},
    )

    SECTIONS = (
        CaseForm.SECTIONS[0],
        ("来庁された方", ("visitor_member", *CaseForm.SECTIONS[1][1])),
        *CaseForm.SECTIONS[2:],
    )

    def __init__(self, *args, household: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.household = household
        head = deceased_was_head(household)
        self.relations = [visitor_relation(member["relation"], deceased_head=head) for member in household]
        self.fields["visitor_member"].choices = [
            *(
                (str(index), self._member_label(member, relation))
                for index, (member, relation) in enumerate(zip(household, self.relations, strict=True))
            ),
            (OTHER, "世帯の方以外（下に入力してください）"),
        ]
        for name in ("visitor_name", "visitor_kana", "visitor_relation"):
            self.fields[name].required = False
        self.fields["visitor_name"].help_text = "世帯の方以外のときに入力してください。"

    @staticmethod
    def _member_label(member: dict, relation: str) -> str:
        told = f"（亡くなった方の{relation}）" if relation else ""
        return f"{member['name']}（{member['kana']}）・続柄 {member['relation']}{told}"

    def clean(self):
        cleaned = super().clean()
        chosen = cleaned.get("visitor_member")
        if chosen is None:
            return cleaned
        if chosen == OTHER:
            for name in ("visitor_name", "visitor_kana", "visitor_relation"):
                if not cleaned.get(name) and name not in self.errors:
                    self.add_error(name, self.fields[name].error_messages["required"])
            return cleaned
        index = int(chosen)
        member = self.household[index]
        cleaned["visitor_name"], cleaned["visitor_kana"] = member["name"], member["kana"]
        if self.relations[index]:
            cleaned["visitor_relation"] = self.relations[index]
        elif not cleaned.get("visitor_relation"):
            self.add_error(
                "visitor_relation",
                "続柄が住民記録からわからないため、亡くなった方との続柄を選択してください。",
            )
        return cleaned
