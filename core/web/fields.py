"""Serializer fields that take only what their schema says."""

from collections.abc import Callable
from datetime import date

from rest_framework import serializers


class StrictCharField(serializers.CharField):
    """A string, and only a string: DRF's CharField turns 0 or 1.5 into "0" and "1.5"."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class BoundedDateField(serializers.DateField):
    """A DateField whose schema states its range (`bounds()` gives the first and last day, read when
    the schema is made, so a range that ends today moves with the day). The serializer checks it."""

    def __init__(self, *, bounds: Callable[[], tuple[date, date]], **kwargs):
        self.bounds = bounds
        super().__init__(**kwargs)


class BoundedDateTimeField(serializers.DateTimeField):
    """The same for a date and time: the pattern bounds its date part."""

    def __init__(self, *, bounds: Callable[[], tuple[date, date]], **kwargs):
        self.bounds = bounds
        super().__init__(**kwargs)

    def to_internal_value(self, value):
        try:
            return super().to_internal_value(value)
        except OverflowError:  # DRF's make_aware check overflows for a naive time near year 1
            self.fail("overflow")
