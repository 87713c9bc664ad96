"""The upload of a resident extract, marked up the デジタル庁デザインシステム way (okuyami.forms.DadsForm)."""

from django import forms

from okuyami.forms import DadsForm
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
