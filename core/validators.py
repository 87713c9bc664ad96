"""Field rules both apps share: a phone number (a family's at reception, an office's for booking).

A RegexValidator, so that the API's schema states the same pattern.
"""

import re

from django.core.validators import RegexValidator

PHONE_RE = re.compile(r"^[0-9０-９\-－ー()（）]{10,20}$")
validate_phone = RegexValidator(PHONE_RE, "must be 10 to 20 digits and hyphens", code="phone")
