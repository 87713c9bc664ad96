"""Stored catalogs follow two tightened rules of okuyami-catalog/1, keeping their meaning.

- A procedure's url must start with https:// or http://: any other (javascript:, data:) is cleared.
- A string literal in a condition has no escapes: a stored "ko\\ki" used to mean "koki", so its
  backslashes are taken out as the old reading did. A literal that then holds its own quote
  is written with the other one.

Without this a catalog stored before would no longer read, and every page of its
municipality would fail. Nothing is changed back: the old reading is gone.
"""

import re

from django.db import migrations

URL = re.compile(r"^https?://\S+\Z", re.IGNORECASE)
# The string literals as the old tokenizer read them, escapes included.
OLD_STRING = re.compile(r""""(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'""")


def _literal(match: re.Match) -> str:
    token = match.group()
    if "\\" not in token:
        return token
    value = re.sub(r"\\(.)", r"\1", token[1:-1])
    if '"' not in value:
        return f'"{value}"'
    if "'" not in value:
        return f"'{value}'"
    return token  # holds both quotes: no literal can say it now; the catalog's check will name it


def rewritten(condition: str) -> str:
    return OLD_STRING.sub(_literal, condition) if "\\" in condition else condition


def forwards(apps, schema_editor):
    Procedure = apps.get_model("procedures", "Procedure")
    Question = apps.get_model("procedures", "Question")
    for procedure in Procedure.objects.exclude(url="").only("url"):
        if not URL.match(procedure.url):
            Procedure.objects.filter(pk=procedure.pk).update(url="")
    for procedure in Procedure.objects.filter(applies_if__contains="\\").only("applies_if"):
        Procedure.objects.filter(pk=procedure.pk).update(applies_if=rewritten(procedure.applies_if))
    for question in Question.objects.filter(ask_if__contains="\\").only("ask_if"):
        Question.objects.filter(pk=question.pk).update(ask_if=rewritten(question.ask_if))


class Migration(migrations.Migration):
    dependencies = [("procedures", "0005_deadline_rule_and_outside_places")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
