"""Health checks for load balancers and monitoring."""

from django.db import DatabaseError, connection
from django.http import JsonResponse


def live(request):
    """The process answers (no database): also the trivial endpoint the benchmark compares with."""
    return JsonResponse({"status": "ok"})


def ready(request):
    """The database answers too."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return JsonResponse({"status": "database unavailable"}, status=503)
    return JsonResponse({"status": "ok"})
