"""Personal data, declared once per model: which fields hold something about a person, and how
each is erased when the retention period ends.

Each model of the project carries `personal_data = PersonalData(...)` beside its fields;
models of Django and of the libraries are declared in `LIBRARY_MODELS` below. Retention
(erasing), printing (the family's details on paper), the case API and the reception form read
the declarations, and tests/core/test_personal.py fails when a text field of any model of
any installed app is declared nowhere, so a new field must be classified the day it is added.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from typing import Any

from django.db import models


class Erase(Enum):
    """How a personal field is erased."""

    BLANK = "blank"  # text becomes ""
    NULL = "null"  # the value becomes None (NULL)
    EMPTY_OBJECT = "empty_object"  # JSON {}
    EMPTY_LIST = "empty_list"  # JSON []
    MONTH = "month"  # a date keeps its month only (the first of it), for statistics by month


@dataclass(frozen=True)
class Personal:
    """One personal field: how it is erased, whose it is and under what name it is printed.

    `erase` is an Erase, or a function of the stored value giving what is kept (a reduced copy).
    `person` ("deceased", "visitor" …) and `printed` place it in the people the documents print;
    `entered` marks what staff type on the reception form (and the case API takes).
    """

    erase: Erase | Callable[[Any], Any]
    person: str | None = None
    printed: str | None = None
    entered: bool = False

    def erased(self, value: Any) -> Any:
        if callable(self.erase):
            return self.erase(value)
        if self.erase is Erase.MONTH:
            return value.replace(day=1) if isinstance(value, date) else value
        return {
            Erase.BLANK: "",
            Erase.NULL: None,
            Erase.EMPTY_OBJECT: {},
            Erase.EMPTY_LIST: [],
        }[self.erase]


@dataclass(frozen=True)
class PersonalData:
    """A model's declaration. `fields`: the families' personal data, erased at the end of the
    retention period. `staff`: about staff (names in records, logins), kept for accountability
    and managed with the accounts. `other`: text about no person."""

    fields: Mapping[str, Personal] = field(default_factory=dict)
    staff: tuple[str, ...] = ()
    other: tuple[str, ...] = ()

    def declared(self) -> set[str]:
        return {*self.fields, *self.staff, *self.other}

    def erased_values(self, instance=None) -> dict[str, Any]:
        """Every personal field's value after erasure (from `instance`'s own values where the
        erasure keeps part of them)."""
        return {
            name: personal.erased(getattr(instance, name, None)) for name, personal in self.fields.items()
        }

    def entered(self) -> tuple[str, ...]:
        """The fields staff enter on the reception form, in declaration order."""
        return tuple(name for name, personal in self.fields.items() if personal.entered)

    def printed(self) -> dict[str, tuple[tuple[str, str], ...]]:
        """person -> ((printed name, field), …): the people the printed documents carry."""
        people: dict[str, list[tuple[str, str]]] = {}
        for name, personal in self.fields.items():
            if personal.person and personal.printed:
                people.setdefault(personal.person, []).append((personal.printed, name))
        return {person: tuple(pairs) for person, pairs in people.items()}


NONE = PersonalData()

# Models of Django and of the libraries, by label: they cannot carry a declaration themselves.
LIBRARY_MODELS: dict[str, PersonalData] = {
    # Staff accounts (the operator manages them); a password hash is no text about anyone.
    "auth.user": PersonalData(staff=("username", "first_name", "last_name", "email"), other=("password",)),
    "auth.group": PersonalData(other=("name",)),
    "auth.permission": PersonalData(other=("name", "codename")),
    "contenttypes.contenttype": PersonalData(other=("app_label", "model")),
    # Sessions of staff, ended by `clearsessions`.
    "sessions.session": PersonalData(staff=("session_data",), other=("session_key",)),
    # The admin's own history: the operator's and editors' actions on catalog items.
    "admin.logentry": PersonalData(other=("object_id", "object_repr", "change_message")),
    "authtoken.token": PersonalData(other=("key",)),
    # Login attempts of staff (django-axes), cleared by `axes_reset_logs`.
    "axes.accessattempt": PersonalData(
        staff=("username", "ip_address", "user_agent", "http_accept", "path_info", "get_data", "post_data")
    ),
    "axes.accesslog": PersonalData(
        staff=("username", "ip_address", "user_agent", "http_accept", "path_info", "session_hash")
    ),
    "axes.accessfailurelog": PersonalData(
        staff=("username", "ip_address", "user_agent", "http_accept", "path_info")
    ),
    "axes.accessattemptexpiration": NONE,
}


def personal_data_of(model) -> PersonalData | None:
    """The model's declaration, or None when it has none."""
    for declared in (model, model._meta.concrete_model):  # a proxy shares its model's rows
        own = declared.__dict__.get("personal_data")
        if isinstance(own, PersonalData):
            return own
    return LIBRARY_MODELS.get(model._meta.concrete_model._meta.label_lower)


def erase_personal_data(queryset, **also: Any) -> int:
    """Erase the declared personal fields of every row of `queryset` (setting `also` too).

    One UPDATE when no erasure keeps part of a value; otherwise one per row.
    """
    declaration = personal_data_of(queryset.model)
    if declaration is None:
        raise LookupError(f"{queryset.model._meta.label} declares no personal data")
    by_value = [p for p in declaration.fields.values() if callable(p.erase) or p.erase is Erase.MONTH]
    if not by_value:
        return queryset.update(**declaration.erased_values(), **also)
    rows = queryset.model._default_manager.filter(pk__in=queryset.values("pk"))
    return sum(
        rows.filter(pk=instance.pk).update(**declaration.erased_values(instance), **also)
        for instance in queryset
    )


TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField, models.GenericIPAddressField)


def undeclared_fields(model) -> list[str]:
    """The text fields of `model` (anything that can hold words about a person) that its
    declaration does not classify; all of them when it has none."""
    declaration = personal_data_of(model) or NONE
    return [
        f.name
        for f in model._meta.concrete_fields
        if isinstance(f, TEXT_FIELDS) and f.name not in declaration.declared()
    ]
