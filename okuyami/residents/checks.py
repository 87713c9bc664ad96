"""`manage.py check` (and every server start) refuses a records URL the lookup would refuse."""

from django.conf import settings
from django.core.checks import Error, register

from okuyami.residents.live import url_problem


@register()
def records_url_check(app_configs, **kwargs) -> list[Error]:
    url = settings.OKUYAMI_RECORDS_URL
    if not url:
        return []
    problem = url_problem(url, allow_local_http=settings.OKUYAMI_RECORDS_ALLOW_LOCAL_HTTP)
    if problem is None:
        return []
    return [Error(f"OKUYAMI_RECORDS_URL {problem}", id="residents.E001")]
