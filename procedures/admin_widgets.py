"""Widgets of the catalog admin."""

from django.contrib.admin.widgets import AdminTextareaWidget


class ConditionWidget(AdminTextareaWidget):
    """A condition (applies_if, ask_if) stays a plain text field; beside it, the questions it may
    read with their keys and choice values (in a <details>, no script needed) and a builder for the
    common shapes that writes the condition into the field (procedures/condition_builder.js, shown
    only when the script runs)."""

    template_name = "admin/procedures/widgets/condition.html"

    class Media:
        js = ("procedures/condition_builder.js",)
        css = {"all": ("procedures/admin.css",)}

    def __init__(self, questions=(), *, asking: bool = False, attrs=None):
        super().__init__(attrs={"rows": 3, "spellcheck": "false", "autocapitalize": "off", **(attrs or {})})
        self.questions = list(questions)
        self.asking = asking  # an ask_if: only earlier questions

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["questions"] = self.questions
        context["widget"]["asking"] = self.asking
        return context
