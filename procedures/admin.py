"""The Django admin for catalogs, scoped per municipality.

Every save is checked with the same validation as `import_catalog`, on the whole
catalog, so no path can store a condition the evaluator would refuse. Who sees what
is decided in one place, `MunicipalityScopedAdmin` (on top of `selectors.catalog_scope`):
the operator (superuser) every municipality, an editor their own, nobody else anything.
"""

import json

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import path, reverse

from core.staff import is_operator
from core.web.middleware import takes_uploads
from procedures import admin_views, form_admin_views
from procedures.admin_prefill import PrefillFormMixin, prefill_form_field
from procedures.admin_widgets import ConditionWidget
from procedures.catalog_io import deadline_entry
from procedures.catalog_labels import field_label
from procedures.deadlines import DEATH, Deadline, Unit
from procedures.models import (
    PRECHECK_FIELDS,
    ApplicationForm,
    Choice,
    Counter,
    Document,
    Municipality,
    Place,
    Procedure,
    Question,
)
from procedures.rules import ConditionError, QuestionType, names_in, parse
from procedures.selectors import (
    MUNICIPALITY_PATH,
    catalog_errors_with,
    catalog_scope,
    condition_questions,
    editor_municipality,
    item_state,
    may_edit_catalogs,
    question_entry,
)
from procedures.services import catalog_touch


def _raise_catalog_errors(errors: list[tuple[str | None, str]], fields: set[str]) -> None:
    if not errors:
        return
    by_field: dict[str, list[str]] = {}
    for field, message in errors:
        by_field.setdefault(field if field in fields else "__all__", []).append(message)
    raise ValidationError(
        {name: [ValidationError(m) for m in messages] for name, messages in by_field.items()}
    )


def municipality_id_of(obj) -> int | None:
    """The id of the municipality a catalog object belongs to, without a query."""
    path = MUNICIPALITY_PATH[type(obj)]
    if path == "pk":
        return obj.pk
    *parents, last = path.split("__")
    for parent in parents:
        obj = getattr(obj, parent)
    return getattr(obj, f"{last}_id")


class MunicipalityScopedAdmin:
    """Tenant scoping for every catalog admin and inline, in one place.

    Lists, forms' choices, inlines, autocomplete, history and delete pages all go
    through `get_queryset` or `formfield_for_foreignkey`, both limited here; an id
    from another municipality is not found (404), never forbidden (403), so ids
    cannot be probed. An editor's municipality is set for them and not shown.
    """

    def get_queryset(self, request):
        return catalog_scope(super().get_queryset(request), user=request.user)

    def has_module_permission(self, request):
        return may_edit_catalogs(request.user)

    def has_view_permission(self, request, obj=None):
        return self.may_edit(request, obj)

    def has_add_permission(self, request, obj=None):
        return self.may_edit(request, obj)

    def has_change_permission(self, request, obj=None):
        return self.may_edit(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.may_edit(request, obj)

    def may_edit(self, request, obj=None) -> bool:
        if not may_edit_catalogs(request.user):
            return False
        if obj is None or is_operator(request.user):
            return True
        return municipality_id_of(obj) == editor_municipality(request.user).pk

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        related = db_field.related_model
        if related in MUNICIPALITY_PATH:
            kwargs["queryset"] = catalog_scope(related._default_manager.all(), user=request.user)
            if related is Municipality and not is_operator(request.user):
                municipality = editor_municipality(request.user)
                kwargs["initial"] = municipality.pk if municipality else None
                kwargs["disabled"] = True  # the value comes from the account, never from the request
                kwargs["widget"] = forms.HiddenInput
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_list_display(self, request):
        shown = super().get_list_display(request)
        return shown if is_operator(request.user) else [f for f in shown if f != "municipality"]

    def get_list_filter(self, request):
        shown = super().get_list_filter(request)
        return shown if is_operator(request.user) else [f for f in shown if f != "municipality"]

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        """A 404 that says what happened: an item is gone after another editor's import, undo or
        delete. What a form sent is shown, so that nothing typed is lost. Another municipality's
        id answers the same page, so ids cannot be probed."""
        posted = []
        if request.method == "POST":
            for field in opts.concrete_fields:
                value = request.POST.get(field.name, "").strip()
                if value and field.editable and not field.is_relation:
                    posted.append((field.verbose_name, value))
        context = {
            **self.admin_site.each_context(request),
            "opts": opts,
            "title": f"{opts.verbose_name}が見つかりません",
            "object_id": object_id,
            "posted": posted,
            "changelist_url": reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"),
        }
        return TemplateResponse(request, "admin/procedures/gone.html", context, status=404)


class CatalogAdmin(MunicipalityScopedAdmin, admin.ModelAdmin):
    """Bumps the catalog version on every change and records who changed what."""

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        verb = "変更" if change else "追加"
        catalog_touch(
            municipality=form.instance.municipality,
            user=request.user,
            note=f"{self.opts.verbose_name}「{form.instance}」（{form.instance.key}）を{verb}",
        )

    def delete_model(self, request, obj):
        municipality = obj.municipality
        super().delete_model(request, obj)
        catalog_touch(
            municipality=municipality,
            user=request.user,
            note=f"{self.opts.verbose_name}「{obj}」（{obj.key}）を削除",
        )

    def delete_queryset(self, request, queryset):
        by_municipality: dict = {}
        for obj in queryset:
            by_municipality.setdefault(obj.municipality, []).append(obj.key)
        super().delete_queryset(request, queryset)
        for municipality, keys in by_municipality.items():
            catalog_touch(
                municipality=municipality,
                user=request.user,
                note=f"{self.opts.verbose_name}（{', '.join(keys)}）を削除",
            )


class SeenStateForm(forms.ModelForm):
    """A change form that knows what the item held when it was opened (a hidden field), so that a
    save after another editor's change to the same item (an edit, an import, an undo) is refused
    with what changed instead of silently undoing it. Saving again then keeps this form's values."""

    seen = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["seen"] = json.dumps(item_state(type(self.instance), self.instance.pk))

    def clean(self):
        cleaned = super().clean()
        if not self.instance.pk or not cleaned.get("seen"):
            return cleaned
        try:
            seen = json.loads(cleaned["seen"])
        except ValueError:
            seen = None
        current = item_state(type(self.instance), self.instance.pk)
        if current is None or seen == current:
            return cleaned
        changed = _changed_fields(type(self.instance), seen if isinstance(seen, dict) else {}, current)
        self.data = self.data.copy()  # the page now carries what is stored: a second save is deliberate
        self.data[self.add_prefix("seen")] = json.dumps(current)
        raise ValidationError(
            "＊この画面を開いたあとで、ほかの人（取り込み・取り消しを含む）がこの"
            f"{self._meta.model._meta.verbose_name}を変更したため、保存していません。"
            f"変わった項目: {'、'.join(changed)}。今の内容を確かめるには、この画面を開き直してください。"
            "この画面の内容で上書きするときは、もう一度保存してください。",
            code="changed_meanwhile",
        )


def _changed_fields(model, seen: dict, current: dict) -> list[str]:
    """The Japanese names of what differs between two states of an item (a field, or its choices
    or documents)."""
    names = []
    for name, value in current.items():
        if seen.get(name) != value:
            field = model._meta.get_field(name)  # a field by its attname, or the related rows
            label = field.related_model._meta.verbose_name if field.one_to_many else field.verbose_name
            names.append(str(label))
    return names or ["（不明）"]


def _condition_municipality(request, obj) -> int | None:
    """The municipality whose questions a condition field's helper lists: the item's, or the
    editor's own on an add form (None for the operator, who picks it on the form)."""
    if obj is not None:
        return obj.municipality_id
    municipality = editor_municipality(request.user)
    return municipality.pk if municipality is not None else None


def _with_condition_helper(form, field: str, questions: list[dict], *, asking: bool = False):
    """`form` whose condition `field` lists `questions` and offers the builder."""

    class Form(form):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.fields[field].widget = ConditionWidget(questions, asking=asking)

    return Form


def _catalog_clean(form, section: str, entry: dict, *, field_of=None, **extra) -> None:
    """Validate the whole catalog with `entry` in place; errors go next to their fields
    (`field_of(field, message)` names the form field when it is not the format's)."""
    municipality = form.cleaned_data.get("municipality")
    if form.errors or municipality is None:
        return
    original = form.instance.key if form.instance.pk else None
    errors = catalog_errors_with(
        municipality=municipality, section=section, entry=entry, original_key=original, **extra
    )
    if field_of is not None:
        errors = [(field_of(field, message), message) for field, message in errors]
    _raise_catalog_errors(errors, set(form.fields))


@admin.register(Municipality)
class MunicipalityAdmin(MunicipalityScopedAdmin, admin.ModelAdmin):
    list_display = ["code", "name", "prefecture", "catalog_version", "updated_at"]
    search_fields = ["code", "name", "prefecture"]
    exclude = PRECHECK_FIELDS  # on their own page, for the editor too (okuyami.precheck.admin)
    change_form_template = "admin/procedures/municipality/change_form.html"
    change_list_template = "admin/procedures/municipality/change_list.html"

    # The municipality itself is the operator's; an editor views it as the home of their catalog.
    def has_add_permission(self, request, obj=None):
        return is_operator(request.user)

    def has_change_permission(self, request, obj=None):
        return is_operator(request.user)

    def has_delete_permission(self, request, obj=None):
        return is_operator(request.user)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and set(form.changed_data) & {"code", "name", "prefecture"}:
            catalog_touch(municipality=obj, user=request.user, note="市区町村の情報を変更")

    def get_urls(self):
        def view(function, name):
            def wrapped(request, *args, **kwargs):
                return function(self, request, *args, **kwargs)

            if function is admin_views.import_file:  # a bundle of up to 50 MB
                takes_uploads(wrapped)
            return path(
                name[0], self.admin_site.admin_view(wrapped), name=f"procedures_municipality_{name[1]}"
            )

        return [
            view(admin_views.from_template, ("from-template/", "from_template")),
            view(admin_views.import_file, ("<path:object_id>/catalog/import/", "import")),
            view(admin_views.export_file, ("<path:object_id>/catalog/export/<str:fmt>/", "export")),
            view(admin_views.preview, ("<path:object_id>/catalog/preview/", "preview")),
            view(admin_views.revision_list, ("<path:object_id>/catalog/revisions/", "revisions")),
            view(
                admin_views.revision_detail,
                ("<path:object_id>/catalog/revisions/<int:revision_id>/", "revision"),
            ),
            view(
                admin_views.revision_revert,
                ("<path:object_id>/catalog/revisions/<int:revision_id>/<str:mode>/", "revert"),
            ),
            *super().get_urls(),
        ]

    def municipality_for(self, request, object_id) -> Municipality:
        """The municipality of a catalog page: 404 outside the user's scope."""
        municipality = self.get_object(request, object_id)
        if municipality is None:
            raise Http404("市区町村が見つかりません。")
        if not self.has_view_permission(request, municipality):
            raise PermissionDenied
        return municipality

    def change_view(self, request, object_id, form_url="", extra_context=None):
        municipality = self.municipality_for(request, object_id)
        extra_context = {**(extra_context or {}), **admin_views.overview_context(municipality)}
        return super().change_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        # Another municipality's id is not found before an editor is told they may not delete.
        self.municipality_for(request, object_id)
        return super().delete_view(request, object_id, extra_context)


@admin.register(Place)
class PlaceAdmin(CatalogAdmin):
    class Form(SeenStateForm):
        class Meta:
            model = Place
            fields = ["municipality", "key", "name", "order", "outside"]

        def clean(self):
            cleaned = super().clean()
            entry = {
                "key": cleaned.get("key"),
                "name": cleaned.get("name"),
                "order": cleaned.get("order"),
                **({"outside": True} if cleaned.get("outside") else {}),
            }
            _catalog_clean(self, "places", entry)
            return cleaned

    form = Form
    list_display = ["name", "key", "order", "outside", "municipality"]
    list_filter = ["municipality", "outside"]
    search_fields = ["name", "key"]
    ordering = ["municipality", "order", "key"]


@admin.register(Counter)
class CounterAdmin(CatalogAdmin):
    class Form(SeenStateForm):
        class Meta:
            model = Counter
            fields = ["municipality", "key", "name", "place", "order", "location", "phone", "hours"]

        def clean(self):
            cleaned = super().clean()
            place = cleaned.get("place")
            entry = {
                "key": cleaned.get("key"),
                "name": cleaned.get("name"),
                "place": place.key if place else None,
                "order": cleaned.get("order"),
                **{name: cleaned.get(name) or None for name in ("location", "phone", "hours")},
            }
            if place is not None:
                _catalog_clean(self, "counters", entry)
            return cleaned

    form = Form
    autocomplete_fields = ["place"]
    list_display = ["name", "key", "place", "order", "location", "municipality"]
    list_filter = ["municipality", ("place", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "key", "location"]
    ordering = ["municipality", "place__order", "order", "key"]


class ChoiceFormSet(forms.BaseInlineFormSet):
    """Validates the question with its choices against the whole catalog."""

    def clean(self):
        super().clean()
        question = self.instance
        if any(self.errors) or not question.municipality_id or not question.key:
            return
        choices = [
            Choice(value=form.cleaned_data["value"], label=form.cleaned_data["label"])
            for form in sorted(self.forms, key=lambda f: f.cleaned_data.get("position") or 0)
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        original = Question.objects.filter(pk=question.pk).values_list("key", flat=True).first()
        errors = catalog_errors_with(
            municipality=question.municipality,
            section="questions",
            entry=question_entry(question, choices),
            original_key=original,
            position=question.position,
        )
        if errors:
            raise ValidationError(
                [
                    f"＊{field_label('questions', field)}: {message.removeprefix('＊')}" if field else message
                    for field, message in errors
                ]
            )


class ChoiceInline(MunicipalityScopedAdmin, admin.TabularInline):
    model = Choice
    formset = ChoiceFormSet
    extra = 0


# A question's own fields in the editor, above its 住民記録からの回答 (PrefillFormMixin).
QUESTION_FIELDS = ("municipality", "key", "position", "text", "help", "type", "ask_if", "allow_unknown")


class QuestionAdminForm(PrefillFormMixin, SeenStateForm):
    class Meta:
        model = Question
        fields = [*QUESTION_FIELDS, "prefill_fact"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        question_type = self.data.get("type", "") if self.is_bound else self.instance.type
        choices = list(self.instance.choices.values_list("value", "label")) if self.instance.pk else []
        self.setup_prefill(question_type=question_type, choices=choices)

    def clean_ask_if(self):
        source = self.cleaned_data["ask_if"].strip()
        if source:
            try:
                parse(source)
            except ConditionError as exc:
                raise ValidationError(f"＊{exc.ja}") from None
        return source

    def clean(self):
        cleaned = super().clean()
        municipality = cleaned.get("municipality")
        prefill = self.clean_prefill()
        if self.errors or municipality is None or not (cleaned.get("ask_if") or prefill):
            return cleaned
        # ask_if reads only earlier questions, so the stored choices of this one are enough to check it
        # (and the prefill) here, next to the fields; the choices inline checks the rest with the
        # choices as edited.
        question = Question(**{name: cleaned.get(name) for name in ("key", "text", "help", "type", "ask_if")})
        question.set_prefill(prefill)
        choices = list(self.instance.choices.all()) if self.instance.pk else []
        errors = catalog_errors_with(
            municipality=municipality,
            section="questions",
            entry=question_entry(question, choices),
            original_key=self.instance.key if self.instance.pk else None,
            position=cleaned.get("position"),
        )
        own = [
            (prefill_form_field(f), m) for f, m in errors if f == "ask_if" or (f or "").startswith("prefill")
        ]
        if own:
            self.instance.ask_if = cleaned["ask_if"]  # the inline lists every catalog error, these too
            _raise_catalog_errors(own, {"ask_if", *self.PREFILL_FIELDS})
        return cleaned


@admin.register(Question)
class QuestionAdmin(CatalogAdmin):
    form = QuestionAdminForm
    inlines = [ChoiceInline]
    fieldsets = [
        (
            None,
            {"fields": [*QUESTION_FIELDS, "seen"]},
        ),
        (
            "住民記録からの回答",
            {
                "fields": list(PrefillFormMixin.PREFILL_FIELDS),
                "description": (
                    "市区町村の住民記録や他の台帳が答えを持っている質問は、窓口で聞く前に回答を埋めます"
                    "（窓口で確かめ、違えば変えられます）。"
                ),
            },
        ),
    ]
    list_display = ["position", "text", "key", "type", "ask_if", "prefill_fact", "municipality"]
    list_display_links = ["text"]
    list_filter = ["municipality", "type", "allow_unknown"]
    search_fields = ["text", "key", "ask_if"]
    ordering = ["municipality", "position", "key"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        questions = condition_questions(
            municipality_id=_condition_municipality(request, obj), before=obj.position if obj else None
        )
        return _with_condition_helper(form, "ask_if", questions, asking=True)

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms, protected = super().get_deleted_objects(objs, request)
        for question in objs:
            readers = [
                p.name
                for p in Procedure.objects.filter(municipality=question.municipality)
                if question.key in _names(p.applies_if)
            ] + [
                q.text
                for q in Question.objects.filter(municipality=question.municipality).exclude(pk=question.pk)
                if question.key in _names(q.ask_if)
            ]
            protected.extend(f"{name}（条件が質問「{question.key}」を使っています）" for name in readers)
            printed = ApplicationForm.objects.filter(procedure__municipality=question.municipality)
            protected.extend(
                f"申請書「{form.title}」（欄に質問「{question.key}」の回答を印刷します）"
                for form in printed
                if any(field.get("value") == f"answer.{question.key}" for field in form.fields)
            )
        return deleted, counts, perms, protected


def _names(source: str) -> set[str]:
    try:
        return set(names_in(parse(source))) if source else set()
    except ConditionError:
        return set()


class DocumentInline(MunicipalityScopedAdmin, admin.TabularInline):
    model = Document
    extra = 1


DEADLINE_FIELDS = ("deadline_amount", "deadline_unit", "deadline_from")


class ProcedureAdminForm(SeenStateForm):
    """The deadline is one group: a number, 日/か月/年, and 亡くなった日 or a date question."""

    deadline_from = forms.ChoiceField(
        label="期限の起算日",
        required=False,
        help_text="「亡くなった日」か、この市区町村の日付の質問（例: 葬儀を行った日）から数えます。",
    )

    class Meta:
        model = Procedure
        fields = [
            "municipality",
            "counter",
            "key",
            "name",
            "applies_if",
            *DEADLINE_FIELDS,
            "deadline_note",
            "description",
            "url",
            "order",
        ]
        help_texts = {
            "deadline_amount": (
                "空欄なら期限なし。か月・年は民法の数え方（起算日の翌日から数え、応当日の前日まで）です。"
            ),
        }

    def __init__(self, *args, date_questions=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "亡くなった日")]
        choices += [(key, f"{text}（{key}）") for key, text in date_questions]
        current = self.instance.deadline_from
        if current and current not in {key for key, _ in choices}:
            choices.append((current, current))  # keep what is stored visible, so the check can name it
        self.fields["deadline_from"].choices = choices

    def clean(self):
        cleaned = super().clean()
        counter = cleaned.get("counter")
        amount = cleaned.get("deadline_amount")
        if amount is None and cleaned.get("deadline_from"):
            self.add_error("deadline_amount", "＊起算日を選んだときは、期限の長さを入力してください。")
        if self.errors or counter is None:
            return cleaned
        deadline = None
        if amount is not None:
            deadline = Deadline(amount, Unit(cleaned["deadline_unit"]), cleaned.get("deadline_from") or DEATH)
        entry = {
            "key": cleaned["key"],
            "name": cleaned["name"],
            "counter": counter.key,
            "applies_if": cleaned["applies_if"].strip(),
            **deadline_entry(deadline),
            **{name: cleaned.get(name) or None for name in ("deadline_note", "description", "url")},
            "order": cleaned.get("order") or 0,
        }
        _catalog_clean(self, "procedures", entry, field_of=_deadline_field)
        return cleaned


def _deadline_field(field: str | None, message: str) -> str | None:
    """The form field a catalog error about the deadline belongs to: its start, else its amount."""
    if field == "deadline.from":
        return "deadline_from"
    if field in ("deadline_days", "deadline") or (field or "").startswith("deadline."):
        return "deadline_amount"
    return field


@admin.register(Procedure)
class ProcedureAdmin(CatalogAdmin):
    form = ProcedureAdminForm
    inlines = [DocumentInline]
    autocomplete_fields = ["counter"]
    change_form_template = "admin/procedures/procedure/change_form.html"

    def get_urls(self):
        def view(function, route, name, cacheable=False, uploads=False):
            def wrapped(request, *args, **kwargs):
                return function(self, request, *args, **kwargs)

            if uploads:  # a form's PDF, up to 10 MB
                takes_uploads(wrapped)
            wrapped = self.admin_site.admin_view(wrapped, cacheable=cacheable)
            return path(route, wrapped, name=f"procedures_procedure_{name}")

        form = "<path:object_id>/forms/<int:form_id>/"
        return [
            view(form_admin_views.form_list, "<path:object_id>/forms/", "forms", uploads=True),
            view(form_admin_views.form_edit, form, "form"),
            # A page image never changes (its URL names the PDF's hash): the browser may keep it.
            view(form_admin_views.form_page, f"{form}pages/<int:page>.png", "form_page", cacheable=True),
            view(form_admin_views.form_replace, f"{form}replace/", "form_replace", uploads=True),
            view(form_admin_views.form_remove, f"{form}delete/", "form_delete"),
            *super().get_urls(),
        ]

    fieldsets = [
        (None, {"fields": ["municipality", "counter", "key", "name", "applies_if", "seen"]}),
        (
            "期限",
            {
                "fields": [DEADLINE_FIELDS, "deadline_note"],
                "description": (
                    "例: 3「か月」「亡くなった日」、2「年」「葬儀を行った日」。"
                    "期限の日が土日・祝日・年末年始なら次の開庁日になります。"
                ),
            },
        ),
        (None, {"fields": ["description", "url", "order"]}),
    ]
    list_display = ["name", "key", "counter", "deadline_shown", "forms_shown", "applies_if", "municipality"]

    @admin.display(description="申請書")
    def forms_shown(self, obj):
        return obj.forms_count or "—"

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(forms_count=Count("forms"))

    @admin.display(description="期限")
    def deadline_shown(self, obj):
        rule = obj.deadline
        if rule is None:
            return "—"
        return rule.wording() if rule.from_death else rule.wording(rule.start)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        questions = catalog_scope(Question.objects.filter(type=QuestionType.DATE), user=request.user)
        if obj is not None:
            questions = questions.filter(municipality_id=obj.municipality_id)
        date_questions = list(dict.fromkeys(questions.order_by("position", "key").values_list("key", "text")))

        class Form(form):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, date_questions=date_questions, **kwargs)

        questions = condition_questions(municipality_id=_condition_municipality(request, obj))
        return _with_condition_helper(Form, "applies_if", questions)

    list_filter = ["municipality", ("counter", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "key", "applies_if", "description"]
    ordering = ["municipality", "counter__place__order", "counter__order", "order", "key"]
