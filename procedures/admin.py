"""The Django admin for catalogs.

Every save is checked with the same validation as `import_catalog`, on the whole
catalog, so no path can store a condition the evaluator would refuse.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from procedures.models import (
    Choice,
    Counter,
    Document,
    Municipality,
    Place,
    Procedure,
    Question,
    StaffMembership,
)
from procedures.rules import names_in, parse
from procedures.selectors import catalog_errors_with, question_entry
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


class CatalogAdmin(admin.ModelAdmin):
    """Bumps the catalog version on every change so compiled catalogs are refreshed."""

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        catalog_touch(municipality=form.instance.municipality)

    def delete_model(self, request, obj):
        municipality = obj.municipality
        super().delete_model(request, obj)
        catalog_touch(municipality=municipality)

    def delete_queryset(self, request, queryset):
        municipalities = {obj.municipality for obj in queryset}
        super().delete_queryset(request, queryset)
        for municipality in municipalities:
            catalog_touch(municipality=municipality)


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "prefecture", "updated_at"]
    search_fields = ["code", "name", "prefecture"]


@admin.register(Place)
class PlaceAdmin(CatalogAdmin):
    list_display = ["name", "key", "order", "municipality"]
    list_filter = ["municipality"]
    search_fields = ["name", "key"]


@admin.register(Counter)
class CounterAdmin(CatalogAdmin):
    list_display = ["name", "key", "place", "order", "municipality"]
    list_filter = ["municipality"]
    search_fields = ["name", "key"]


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
        )
        if errors:
            raise ValidationError([f"{field}: {message}" if field else message for field, message in errors])


class ChoiceInline(admin.TabularInline):
    model = Choice
    formset = ChoiceFormSet
    extra = 0


class QuestionAdminForm(forms.ModelForm):
    class Meta:
        model = Question
        fields = ["municipality", "key", "position", "text", "help", "type", "ask_if", "allow_unknown"]

    def clean_ask_if(self):
        source = self.cleaned_data["ask_if"].strip()
        if source:
            try:
                parse(source)
            except ValueError as exc:
                raise ValidationError(str(exc)) from None
        return source


@admin.register(Question)
class QuestionAdmin(CatalogAdmin):
    form = QuestionAdminForm
    inlines = [ChoiceInline]
    list_display = ["position", "text", "key", "type", "municipality"]
    list_display_links = ["text"]
    list_filter = ["municipality", "type"]
    search_fields = ["text", "key"]

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
        return deleted, counts, perms, protected


def _names(source: str) -> set[str]:
    try:
        return set(names_in(parse(source))) if source else set()
    except ValueError:
        return set()


class DocumentInline(admin.TabularInline):
    model = Document
    extra = 1


class ProcedureAdminForm(forms.ModelForm):
    class Meta:
        model = Procedure
        fields = [
            "municipality",
            "counter",
            "key",
            "name",
            "applies_if",
            "deadline_days",
            "deadline_note",
            "description",
            "url",
            "order",
        ]

    def clean(self):
        cleaned = super().clean()
        municipality, counter = cleaned.get("municipality"), cleaned.get("counter")
        if self.errors or municipality is None or counter is None:
            return cleaned
        entry = {
            "key": cleaned["key"],
            "name": cleaned["name"],
            "counter": counter.key,
            "applies_if": cleaned["applies_if"].strip(),
            "deadline_days": cleaned.get("deadline_days"),
            "order": cleaned.get("order") or 0,
        }
        original = self.instance.key if self.instance.pk else None
        errors = catalog_errors_with(
            municipality=municipality, section="procedures", entry=entry, original_key=original
        )
        _raise_catalog_errors(errors, set(self.fields))
        return cleaned


@admin.register(Procedure)
class ProcedureAdmin(CatalogAdmin):
    form = ProcedureAdminForm
    inlines = [DocumentInline]
    list_display = ["name", "key", "counter", "deadline_days", "applies_if", "municipality"]
    list_filter = ["municipality"]
    search_fields = ["name", "key", "applies_if"]


@admin.register(StaffMembership)
class StaffMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "municipality", "role"]
    list_filter = ["municipality", "role"]
