"""A municipality's procedure catalog: places, counters, questions, procedures.

The rules live in `rules.py` and `catalog.py`; these models only hold what an
okuyami-catalog/1 document holds, so that it round-trips.
"""

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, RegexValidator
from django.db import models

from core.models import municipality_field, staff_field, verbose_names
from core.personal import PersonalData
from core.validators import validate_phone
from procedures.catalog import KEY_RE, municipality_code_error
from procedures.deadlines import DEATH, Deadline, Unit
from procedures.facts import prefill_document
from procedures.rules import QuestionType

key_validator = RegexValidator(
    KEY_RE, "半角英小文字で始まり、半角英小文字・数字・_ のみ（64文字まで）で入力してください。"
)


def validate_municipality_code(value: str) -> None:
    if municipality_code_error(value):
        raise ValidationError(
            "全国地方公共団体コード（6桁、6桁目は検査数字）が正しくありません。", code="invalid"
        )


PRECHECK_GREETING_LENGTH = 400
# The public page settings, edited on their own admin page (okuyami.precheck.admin).
PRECHECK_FIELDS = ("precheck_enabled", "precheck_greeting", "precheck_phone")


class Municipality(models.Model):
    code = models.CharField("団体コード", max_length=6, unique=True, validators=[validate_municipality_code])
    name = models.TextField("市区町村名")
    prefecture = models.TextField("都道府県")
    # Bumped by every catalog change: compiled catalogs are cached per version.
    catalog_version = models.PositiveIntegerField("カタログ版", default=0, editable=False)
    # Set on a trial (お試し) municipality of the sandbox: removed with its logins after this time.
    trial_expires_at = models.DateTimeField("お試しの期限", null=True, blank=True, editable=False)
    updated_at = models.DateTimeField("更新日時", auto_now=True)

    # The families' pre-check at home (okuyami.precheck): on or off, with the municipality's own
    # words on its first page and the number that books a visit to the counter.
    precheck_enabled = models.BooleanField(
        "ご家族向けの事前確認ページを公開する",
        default=False,
        help_text="公開すると、/check/ の一覧に載り、ご家族がログインせずに質問に答えられます。",
    )
    precheck_greeting = models.TextField(
        "事前確認ページのあいさつ",
        blank=True,
        max_length=PRECHECK_GREETING_LENGTH,
        validators=[MaxLengthValidator(PRECHECK_GREETING_LENGTH)],
        help_text=f"最初のページに載せる短い文（{PRECHECK_GREETING_LENGTH}文字まで）。空欄なら載せません。",
    )
    precheck_phone = models.CharField(
        "おくやみコーナーの予約電話番号",
        max_length=20,
        blank=True,
        validators=[validate_phone],
        error_messages={"phone": "予約電話番号は、数字とハイフンで10〜20文字で入力してください。"},
        help_text="例：047-000-0000。結果のページに載せます。空欄なら載せません。",
    )

    # The greeting and the booking number are the office's words and number, about no one.
    personal_data = PersonalData(other=("code", "name", "prefecture", "precheck_greeting", "precheck_phone"))

    class Meta(verbose_names("市区町村")):
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.prefecture}{self.name}（{self.code}）"


class CatalogItem(models.Model):
    """An item of a municipality's catalog that the format names by a key (a place, a counter, a
    question, a procedure): one key names one item in the municipality (`municipality`, each
    model's own foreign key)."""

    key = models.CharField("キー", max_length=64, validators=[key_validator])

    class Meta:
        abstract = True
        constraints = [models.UniqueConstraint(fields=["municipality", "key"], name="%(class)s_key_unique")]

    def __str__(self) -> str:
        return self.name  # a question's is its text

    def check_same_municipality(self, field: str, label: str) -> None:
        """Refuse `field` (the place of a counter, the counter of a procedure) of another municipality."""
        chosen = getattr(self, field) if getattr(self, f"{field}_id") else None
        if chosen is not None and self.municipality_id and chosen.municipality_id != self.municipality_id:
            raise ValidationError({field: f"同じ市区町村の{label}を選んでください。"})


class Place(CatalogItem):
    municipality = municipality_field("places")
    name = models.TextField("名称")
    order = models.IntegerField("巡回順")
    outside = models.BooleanField(
        "市区町村以外の機関",
        default=False,
        help_text="年金事務所・税務署・法務局・家庭裁判所・警察署・会社など、この市区町村の窓口ではない場所。",
    )

    personal_data = PersonalData(other=("key", "name"))

    class Meta(CatalogItem.Meta, verbose_names("場所")):
        ordering = ["municipality", "order", "key"]


class Counter(CatalogItem):
    municipality = municipality_field("counters")
    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="counters", verbose_name="場所")
    name = models.TextField("窓口名")
    order = models.IntegerField("場所内の順")
    location = models.TextField("窓口の位置", blank=True)
    phone = models.TextField("電話番号", blank=True)
    hours = models.TextField("受付時間", blank=True)

    # The counter's own phone number and place: an office's, not a person's.
    personal_data = PersonalData(other=("key", "name", "location", "phone", "hours"))

    class Meta(CatalogItem.Meta, verbose_names("窓口")):
        ordering = ["municipality", "place__order", "order", "key"]

    def clean(self) -> None:
        self.check_same_municipality("place", "場所")


def _pairs(mapping: dict) -> list[list]:
    return [[key, value] for key, value in mapping.items()]


def _mapping(value):
    """A stored list of [key, value] pairs as the dict it keeps (anything else as it is)."""
    if isinstance(value, list) and all(isinstance(pair, list) and len(pair) == 2 for pair in value):
        return {key: item for key, item in value}
    return value


class OrderedMappingField(models.JSONField):
    """A JSON object that comes back in its own order: stored as a list of [key, value] pairs,
    because PostgreSQL's jsonb re-sorts an object's keys (SQLite keeps them). A question's
    prefill `values` are in the order the catalog gives them, and export and diffs show that
    order. Reads and writes a dict; a dict stored before (no pairs) reads as it is."""

    def from_db_value(self, value, expression, connection):
        return _mapping(super().from_db_value(value, expression, connection))

    def get_prep_value(self, value):
        return super().get_prep_value(_pairs(value) if isinstance(value, dict) else value)


def _as_pairs(values):
    return _pairs(values) if isinstance(values, dict) else values


def _kept_document(document, convert):
    """A catalog document with each question's prefill `values` passed through `convert`."""
    questions = document.get("questions") if isinstance(document, dict) else None
    if not isinstance(questions, list):
        return document
    kept = []
    for question in questions:
        prefill = question.get("prefill") if isinstance(question, dict) else None
        if isinstance(prefill, dict) and prefill.get("values") is not None:
            question = {**question, "prefill": {**prefill, "values": convert(prefill["values"])}}
        kept.append(question)
    return {**document, "questions": kept}


class CatalogDocumentField(models.JSONField):
    """A catalog document (okuyami-catalog/1) whose prefill `values` keep their order on
    PostgreSQL too (as OrderedMappingField): the only objects of the format whose key order is
    part of the catalog."""

    def from_db_value(self, value, expression, connection):
        return _kept_document(super().from_db_value(value, expression, connection), _mapping)

    def get_prep_value(self, value):
        return super().get_prep_value(_kept_document(value, _as_pairs))


class Question(CatalogItem):
    municipality = municipality_field("questions")
    position = models.IntegerField("質問の順", help_text="小さい順に質問します。")
    text = models.TextField("質問文")
    help = models.TextField("補足", blank=True)
    type = models.CharField("回答の種類", max_length=10, choices=[(t.value, t.label) for t in QuestionType])
    ask_if = models.TextField("質問する条件", blank=True, help_text="空欄なら常に質問します。例: age >= 40")
    allow_unknown = models.BooleanField("「わからない」を認める", default=True)
    # The catalog's `prefill`: the fact of the municipality's records that answers the question
    # (empty: none), and `values` (a fact value as text -> the answer, in its order; null: the
    # value itself).
    prefill_fact = models.CharField("住民記録の事実", max_length=70, blank=True)
    prefill_values = OrderedMappingField("記録の値ごとの回答", null=True, blank=True)

    personal_data = PersonalData(
        other=("key", "text", "help", "type", "ask_if", "prefill_fact", "prefill_values")
    )

    class Meta(CatalogItem.Meta, verbose_names("質問")):
        ordering = ["municipality", "position", "key"]

    def __str__(self) -> str:
        return self.text

    @property
    def prefill(self) -> dict | None:
        """The question's `prefill` as the catalog document holds it, or None."""
        return prefill_document(self.prefill_fact, self.prefill_values)

    def set_prefill(self, prefill: dict | None) -> None:
        for name, value in prefill_columns(prefill).items():
            setattr(self, name, value)


def prefill_columns(prefill: dict | None) -> dict:
    """A question's columns for its `prefill` as the catalog document holds it (or None)."""
    return {
        "prefill_fact": prefill["fact"] if prefill else "",
        "prefill_values": prefill.get("values") if prefill else None,
    }


class Choice(models.Model):
    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="choices", verbose_name="質問"
    )
    value = models.CharField("値", max_length=64, validators=[key_validator])
    label = models.TextField("表示名")
    position = models.IntegerField("順", default=0)

    personal_data = PersonalData(other=("value", "label"))

    class Meta(verbose_names("選択肢")):
        ordering = ["question", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["question", "value"], name="choice_value_unique")]

    def __str__(self) -> str:
        return self.label


class Procedure(CatalogItem):
    municipality = municipality_field("procedures")
    counter = models.ForeignKey(
        Counter, on_delete=models.PROTECT, related_name="procedures", verbose_name="窓口"
    )
    name = models.TextField("手続き名")
    applies_if = models.TextField(
        "対象となる条件", default="true", help_text='全員が対象なら true。例: insurance == "kokuho"'
    )
    # The deadline: `deadline_amount` units from `deadline_from` (empty: the date of death, otherwise
    # the key of a date question). No amount: no deadline.
    deadline_amount = models.PositiveIntegerField("期限の長さ", null=True, blank=True)
    deadline_unit = models.CharField(
        "期限の単位", max_length=6, choices=[(u.value, u.label) for u in Unit], default=Unit.DAYS
    )
    deadline_from = models.CharField(
        "期限の起算日",
        max_length=64,
        blank=True,
        help_text="空欄なら亡くなった日。日付の質問のキーなら、その回答の日から数えます。",
    )
    deadline_note = models.TextField("期限の説明", blank=True)
    description = models.TextField("説明", blank=True)
    url = models.TextField("参考URL", blank=True)
    order = models.IntegerField("窓口内の順", default=0)

    personal_data = PersonalData(
        other=(
            "key",
            "name",
            "applies_if",
            "deadline_unit",
            "deadline_from",
            "deadline_note",
            "description",
            "url",
        )
    )

    class Meta(CatalogItem.Meta, verbose_names("手続き")):
        ordering = ["municipality", "counter__place__order", "counter__order", "order", "key"]

    def clean(self) -> None:
        self.check_same_municipality("counter", "窓口")

    @property
    def deadline(self) -> Deadline | None:
        if self.deadline_amount is None:
            return None
        return Deadline(self.deadline_amount, Unit(self.deadline_unit), self.deadline_from or DEATH)

    @property
    def deadline_days(self) -> int | None:
        """The deadline as `deadline_days` says it (days from the death), or None."""
        rule = self.deadline
        return rule.days_from_death if rule is not None else None

    def set_deadline(self, deadline: Deadline | None) -> None:
        for name, value in deadline_columns(deadline).items():
            setattr(self, name, value)


def deadline_columns(deadline: Deadline | None) -> dict:
    """A deadline rule as a procedure's three columns (no amount: no deadline)."""
    return {
        "deadline_amount": deadline.amount if deadline else None,
        "deadline_unit": deadline.unit.value if deadline else Unit.DAYS.value,
        "deadline_from": "" if deadline is None or deadline.from_death else deadline.start,
    }


class ProcedurePart(models.Model):
    """One of a procedure's documents or forms, kept in the procedure's order (`procedure`: each
    model's own foreign key)."""

    position = models.IntegerField("順", default=0)

    class Meta:
        abstract = True
        ordering = ["procedure", "position", "id"]


class Document(ProcedurePart):
    procedure = models.ForeignKey(
        Procedure, on_delete=models.CASCADE, related_name="documents", verbose_name="手続き"
    )
    text = models.TextField("持ち物")

    personal_data = PersonalData(other=("text",))

    class Meta(ProcedurePart.Meta, verbose_names("持ち物")):
        pass

    def __str__(self) -> str:
        return self.text


class FormPdf(models.Model):
    """The bytes of a municipality's PDF form, named by their SHA-256.

    Kept in the database, so every app server reads the same forms without shared disk, and
    content-addressed, so every revision of the catalog that uses a PDF shares one copy (a
    revision's document names its forms' PDFs by hash). Rows stay while the municipality does:
    the history may restore any of them.
    """

    municipality = municipality_field("form_pdfs")
    sha256 = models.CharField("SHA-256", max_length=64)
    data = models.BinaryField("PDF")
    size = models.PositiveIntegerField("大きさ（バイト）")
    # What form_pdf.inspect_pdf found (pages, fillable fields), so compiling a catalog reads no PDF.
    info = models.JSONField("ページと入力欄")
    created_at = models.DateTimeField("登録日時", auto_now_add=True)

    personal_data = PersonalData(other=("sha256", "info"))

    class Meta(verbose_names("申請書のPDF")):
        constraints = [models.UniqueConstraint(fields=["municipality", "sha256"], name="form_pdf_unique")]

    def __str__(self) -> str:
        return f"PDF {self.sha256[:12]}"


class ApplicationForm(ProcedurePart):
    """One of a procedure's own application forms (a `forms[]` entry), printed pre-filled."""

    procedure = models.ForeignKey(
        Procedure, on_delete=models.CASCADE, related_name="forms", verbose_name="手続き"
    )
    file = models.CharField(
        "ファイル名", max_length=200, help_text="forms/kokuho_loss.pdf のような名前です。"
    )
    title = models.TextField("様式の名前")
    pdf = models.ForeignKey(FormPdf, on_delete=models.PROTECT, related_name="forms", verbose_name="PDF")
    # The format's `fields`, as the document holds them (page, x, y, width, size, acroform, value).
    fields = models.JSONField("印刷する欄", default=list, blank=True)

    personal_data = PersonalData(other=("file", "title", "fields"))

    class Meta(ProcedurePart.Meta, verbose_names("申請書")):
        pass

    def __str__(self) -> str:
        return self.title


class CatalogRevision(models.Model):
    """One change to a municipality's catalog: who, when, how, and the whole catalog after it.

    Recorded by `services.catalog_touch`, which every write path calls, so admin edits,
    imports, reverts and copies of the template all leave one. The diff of a revision
    is its document against the previous revision's.
    """

    class Action(models.TextChoices):
        EDIT = "edit", "管理画面で編集"
        IMPORT = "import", "取り込み"
        REVERT = "revert", "取り消し・復元"
        TEMPLATE = "template", "テンプレートから作成"

    municipality = municipality_field("revisions")
    catalog_version = models.PositiveIntegerField("カタログ版")
    created_at = models.DateTimeField("日時", auto_now_add=True)
    user = staff_field("変更した人", blank=True)
    username = models.CharField("変更した人（記録時）", max_length=150, blank=True)
    action = models.CharField("操作", max_length=10, choices=Action.choices)
    note = models.TextField("内容", blank=True)
    document = CatalogDocumentField("変更後のカタログ")

    # Who changed the catalog is kept with the change; the catalog itself describes no person.
    personal_data = PersonalData(staff=("username",), other=("action", "note", "document"))

    class Meta(verbose_names("カタログの変更履歴")):
        ordering = ["municipality", "-id"]

    def __str__(self) -> str:
        return f"{self.municipality.code} 版{self.catalog_version} {self.get_action_display()}"
