from django.shortcuts import render

from procedures.models import Municipality


def home(request):
    """The start page: what this is and which catalogs are loaded."""
    municipalities = Municipality.objects.order_by("code")
    return render(request, "okuyami/home.html", {"municipalities": municipalities})
