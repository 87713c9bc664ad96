"""Catalog API: public catalogs and evaluation, and catalog import/export for editors."""

from django.db import DatabaseError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.parsers import BaseParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core.limits import MAX_PUBLIC_BODY_BYTES, MAX_UPLOAD_BODY_BYTES
from core.web.errors import ApiError, where_message
from core.web.fields import BoundedDateField
from core.web.openapi import ErrorSerializer
from core.web.parsers import JSONParser
from core.web.permissions import EditorRole
from core.web.query import query_bool
from procedures import date_limits
from procedures.catalog_bundle import MAX_BUNDLE_BYTES, read_bundle, unused_warnings
from procedures.catalog_changes import catalog_changes
from procedures.catalog_files import bundle_for
from procedures.catalog_io import FORMAT, CatalogInvalid, read_catalog, write_catalog
from procedures.deadlines import DEATH, MAX_DAYS, UNIT_RANGE
from procedures.evaluation import CaseInvalid, evaluate, read_case
from procedures.facts import STANDARD_FACTS
from procedures.models import Municipality
from procedures.rules import QuestionType
from procedures.selectors import catalog_for, catalog_for_code, catalog_snapshot_for
from procedures.services import catalog_import

# --- Shapes for the schema (the documents themselves are the contract's) -----------


def _case_dates():
    return date_limits.EARLIEST, date_limits.LATEST


CaseDocument = inline_serializer(
    "EvaluateInput",
    {
        "deceased": inline_serializer(
            "Deceased",
            {
                "birth_date": BoundedDateField(bounds=_case_dates, required=False, allow_null=True),
                "death_date": BoundedDateField(bounds=_case_dates),
            },
        ),
        "answers": serializers.DictField(required=False, allow_null=True),
        "unknown": serializers.ListField(child=serializers.CharField(), required=False, allow_null=True),
    },
)
ResultDocument = inline_serializer(
    "EvaluateResult",
    {
        "municipality": serializers.CharField(),
        "applies": serializers.ListField(child=serializers.DictField()),
        "maybe": serializers.ListField(child=serializers.DictField()),
        "route": serializers.ListField(child=serializers.DictField()),
    },
)
_optional = {"required": False, "allow_null": True}
DeadlineRule = inline_serializer(
    "Deadline",
    {
        **{
            unit.value: serializers.IntegerField(min_value=low, max_value=high, required=False)
            for unit, (low, high) in UNIT_RANGE.items()
        },
        "from": serializers.CharField(
            required=False,
            help_text=f'"{DEATH}" (the default) or the key of a date question',
        ),
    },
    required=False,
    allow_null=True,
    help_text="a deadline in days, months or years (Civil Code counting); never with deadline_days",
)
PrefillRule = inline_serializer(
    "Prefill",
    {
        "fact": serializers.CharField(
            help_text=(
                "the fact of the municipality's records that answers the question: one of "
                f"{', '.join(STANDARD_FACTS)}, or local.<key> (a municipality's own fact)"
            ),
        ),
        "values": serializers.DictField(
            required=False,
            allow_null=True,
            help_text=(
                "a value of the fact as text (true, false, an integer, a string) -> the answer it gives; "
                "a value not listed leaves the question to be asked. Without it the value is the answer"
            ),
        ),
    },
    required=False,
    allow_null=True,
    help_text="the fact from the municipality's records that answers this question before it is asked",
)
QuestionEntry = inline_serializer(
    "Question",
    {
        "key": serializers.CharField(),
        "text": serializers.CharField(),
        "help": serializers.CharField(**_optional),
        "type": serializers.ChoiceField(choices=[t.value for t in QuestionType]),
        "choices": serializers.ListField(
            child=inline_serializer(
                "QuestionChoice", {"value": serializers.CharField(), "label": serializers.CharField()}
            ),
            **_optional,
        ),
        "ask_if": serializers.CharField(**_optional),
        "allow_unknown": serializers.BooleanField(**_optional),
        "prefill": PrefillRule,
    },
)
CatalogDocument = inline_serializer(
    "Catalog",
    {
        "format": serializers.CharField(help_text=f'"{FORMAT}"'),
        "municipality": inline_serializer(
            "CatalogMunicipality",
            {
                "code": serializers.CharField(),
                "name": serializers.CharField(),
                "prefecture": serializers.CharField(),
            },
        ),
        "places": serializers.ListField(
            child=inline_serializer(
                "Place",
                {
                    "key": serializers.CharField(),
                    "name": serializers.CharField(),
                    "order": serializers.IntegerField(),
                    "outside": serializers.BooleanField(
                        required=False, help_text="an office that is not the municipality's (default false)"
                    ),
                },
            )
        ),
        "counters": serializers.ListField(child=serializers.DictField()),
        "questions": serializers.ListField(child=QuestionEntry),
        "procedures": serializers.ListField(
            child=inline_serializer(
                "Procedure",
                {
                    "key": serializers.CharField(),
                    "name": serializers.CharField(),
                    "counter": serializers.CharField(),
                    "applies_if": serializers.CharField(),
                    "deadline_days": serializers.IntegerField(
                        min_value=0,
                        max_value=MAX_DAYS,
                        help_text="days from the death; never with deadline",
                        **_optional,
                    ),
                    "deadline": DeadlineRule,
                    "deadline_note": serializers.CharField(**_optional),
                    "documents": serializers.ListField(child=serializers.CharField(), **_optional),
                    "description": serializers.CharField(**_optional),
                    "url": serializers.CharField(**_optional),
                    "order": serializers.IntegerField(**_optional),
                    "forms": serializers.ListField(
                        child=serializers.DictField(),
                        help_text="the procedure's own PDF forms; only in a bundle (GET …/catalog/bundle)",
                        **_optional,
                    ),
                },
            )
        ),
    },
)


def public_municipality(code: str) -> Municipality:
    return get_object_or_404(Municipality, code=code)


class MunicipalitySerializer(serializers.ModelSerializer):
    class Meta:
        model = Municipality
        fields = ["code", "name", "prefecture"]


class MunicipalityListApi(generics.ListAPIView):
    """Every municipality with a catalog (public, no personal data)."""

    permission_classes = [AllowAny]
    throttle_scope = "public"
    queryset = Municipality.objects.order_by("code")
    serializer_class = MunicipalitySerializer


class CatalogApi(APIView):
    """A municipality's catalog as an okuyami-catalog/1 document (public)."""

    permission_classes = [AllowAny]
    throttle_scope = "public"

    @extend_schema(responses={200: CatalogDocument, 404: ErrorSerializer})
    def get(self, request, code: str):
        return Response(write_catalog(catalog_for(municipality=public_municipality(code))))


def bundle_response(municipality: Municipality) -> HttpResponse:
    response = HttpResponse(
        bundle_for(municipality=municipality, catalog=catalog_for(municipality=municipality)),
        content_type="application/zip",
    )
    response["Content-Disposition"] = f'attachment; filename="catalog-{municipality.code}.zip"'
    return response


BUNDLE = {(200, "application/zip"): OpenApiTypes.BINARY, 404: ErrorSerializer}


class CatalogBundleApi(APIView):
    """A municipality's catalog as a bundle (public): a .zip of catalog.json and its PDF forms."""

    permission_classes = [AllowAny]
    throttle_scope = "public"

    @extend_schema(responses=BUNDLE)
    def get(self, request, code: str):
        return bundle_response(public_municipality(code))


class EvaluateApi(APIView):
    """Evaluate a case: the contract's case document in, its result document out (public)."""

    permission_classes = [AllowAny]
    authentication_classes = []  # public and stateless: no session, no CSRF
    throttle_scope = "public"
    max_body_bytes = MAX_PUBLIC_BODY_BYTES  # one case document, from anyone

    @extend_schema(
        request=CaseDocument, responses={200: ResultDocument, 400: ErrorSerializer, 404: ErrorSerializer}
    )
    def post(self, request, code: str):
        catalog = catalog_for_code(code)
        if catalog is None:
            raise Http404
        try:
            case = read_case(catalog, request.data)
        except CaseInvalid as exc:
            raise ApiError([where_message(error) for error in exc.errors]) from None
        return Response(evaluate(catalog, case))


class CatalogExportApi(APIView):
    """The editor's own municipality's catalog."""

    permission_classes = [IsAuthenticated, EditorRole]

    @extend_schema(responses={200: CatalogDocument, 403: ErrorSerializer})
    def get(self, request):
        return Response(write_catalog(catalog_for(municipality=request.municipality)))


class CatalogBundleExportApi(APIView):
    """The editor's own municipality's catalog as a bundle (.zip with its PDF forms)."""

    permission_classes = [IsAuthenticated, EditorRole]

    @extend_schema(responses={**BUNDLE, 403: ErrorSerializer})
    def get(self, request):
        return bundle_response(request.municipality)


class BundleParser(BaseParser):
    """A catalog bundle posted as the body (Content-Type: application/zip): its bytes."""

    media_type = "application/zip"

    def parse(self, stream, media_type=None, parser_context=None):
        data = stream.read(MAX_BUNDLE_BYTES + 1) if stream is not None else b""
        if len(data) > MAX_BUNDLE_BYTES:
            raise ApiError([(None, f"the bundle is larger than {MAX_BUNDLE_BYTES // (1024 * 1024)} MB")])
        return data


class CatalogImportApi(APIView):
    """Replace the editor's catalog with a document (application/json) or a bundle (application/zip:
    catalog.json and the PDF forms it names); `?dry_run=true` only validates and diffs."""

    permission_classes = [IsAuthenticated, EditorRole]
    parser_classes = [JSONParser, BundleParser]
    max_request_bytes = MAX_UPLOAD_BODY_BYTES  # a bundle (JSONParser keeps a document to 6 MB)

    @extend_schema(
        request={"application/json": CatalogDocument, "application/zip": OpenApiTypes.BINARY},
        parameters=[OpenApiParameter("dry_run", bool, description="validate and diff only")],
        responses={
            200: inline_serializer(
                "ImportResult",
                {
                    "applied": serializers.BooleanField(),
                    "diff": serializers.DictField(),
                    "warnings": serializers.ListField(
                        child=serializers.CharField(), help_text="files of a bundle that no form names"
                    ),
                },
            ),
            400: ErrorSerializer,
        },
    )
    def post(self, request):
        pdfs: dict[str, bytes] = {}
        warnings: list[str] = []
        try:
            if isinstance(request.data, bytes):
                bundle = read_bundle(request.data)
                catalog = bundle.catalog()
                pdfs, warnings = bundle.pdfs_of(catalog), unused_warnings(bundle)
            else:
                catalog = read_catalog(request.data)
        except CatalogInvalid as exc:
            raise ApiError([where_message(error) for error in exc.errors]) from None
        if catalog.municipality.code != request.municipality.code:
            raise ApiError(
                [("municipality.code", f"must be your municipality's code {request.municipality.code}")]
            )
        diff = catalog_changes(
            catalog_snapshot_for(municipality=request.municipality), write_catalog(catalog, hashes=True)
        )
        dry_run = query_bool(request.query_params, "dry_run")
        if not dry_run:
            try:
                catalog_import(catalog=catalog, pdfs=pdfs, user=request.user, note="API で取り込み")
            except DatabaseError:
                raise ApiError(
                    [(None, "the database refused the import; nothing was changed")],
                    status.HTTP_503_SERVICE_UNAVAILABLE,
                ) from None
        return Response({"applied": not dry_run, "diff": diff.summary(), "warnings": warnings})
