"""Case API for counter staff: cases, answers, result, finalise, relay marks, prints, tokens."""

from contextlib import contextmanager

from django.core.validators import RegexValidator
from django.db.models import CharField
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core.web.errors import ApiError, where_message
from core.web.fields import BoundedDateField, BoundedDateTimeField, StrictCharField
from core.web.openapi import VERSION_REQUIRED, ErrorSerializer, date_pattern
from core.web.permissions import CounterRole
from core.web.query import query_bool
from okuyami import form_printing, selectors, services
from okuyami.models import Case, Mark, validate_appointment, validate_case_date, validate_not_future
from okuyami.printing import TITLES, pdf_response
from okuyami.services import API, Shown
from procedures import date_limits
from procedures.evaluation import CaseInvalid
from procedures.form_pdf import FormPdfError
from procedures.rules import parse_date

CONFLICT = "the case changed since version {sent} (it is now {now}): reload it and apply your change again"
CLOSED = "the case is finalised: its answers and result can no longer change (reopen it to correct it)"
CANCELLED = "the case was cancelled: it is kept for the record and changes no more"


MAX_VERSION = 2**31 - 1  # Case.version is a PositiveIntegerField


def sent_version(request) -> int:
    """The version the client last saw: If-Match (ETag) or `version` in the body, an integer from 1
    to MAX_VERSION (a larger one overflowed the database's integer: a 500)."""
    raw = request.headers.get("If-Match", "").strip().removeprefix("W/").strip('"')
    body = request.data.get("version") if isinstance(request.data, dict) else None
    if raw:
        version = int(raw) if raw.isascii() and raw.isdigit() else None
    elif body is None:
        version = None
    elif isinstance(body, bool) or not isinstance(body, int):
        raise ApiError([("version", "must be an integer: the version you last read")])
    else:
        version = body
    if version is None:
        raise ApiError(
            [("version", "required: send the version you last read, as If-Match or in the body")],
            status.HTTP_428_PRECONDITION_REQUIRED,
        )
    if not 1 <= version <= MAX_VERSION:
        raise ApiError([("version", f"must be an integer from 1 to {MAX_VERSION}")])
    return version


def conflict(case: Case, sent: int) -> ApiError:
    case.refresh_from_db(fields=["version"])
    return ApiError([("version", CONFLICT.format(sent=sent, now=case.version))], status.HTTP_409_CONFLICT)


# What every change of a case may be refused for besides a stale version, as the API says it (409).
REFUSED = {services.CaseCancelled: CANCELLED, services.CaseClosed: CLOSED}


@contextmanager
def refused_as_conflict(
    case: Case, version: int | None = None, refusals: dict[type[Exception], str] | None = None
):
    """A case service's refusals as the API answers them, 409: a stale `version` (with the one the
    case is at now), a cancelled or finalised case (REFUSED), and `refusals` (exception: message)."""
    refusals = {**REFUSED, **(refusals or {})}
    try:
        yield
    except services.StaleCase:
        raise conflict(case, version) from None
    except tuple(refusals) as error:
        # By isinstance, as the except clause matched: a subclass of a refusal is refused alike.
        message = next(text for kind, text in refusals.items() if isinstance(error, kind))
        raise ApiError([(None, message)], status.HTTP_409_CONFLICT) from None


def with_etag(response: Response, case: Case) -> Response:
    response["ETag"] = f'"{case.version}"'
    return response


class CounterApi(APIView):
    permission_classes = [IsAuthenticated, CounterRole]

    def case(self) -> Case:
        return selectors.case_for(self.request.municipality, self.kwargs["pk"])

    def shown(self, what: Shown, case: Case | None = None) -> None:
        services.case_shown(
            municipality=self.request.municipality, user=self.request.user, shown=what, case=case, channel=API
        )


def _death_dates():
    return date_limits.EARLIEST, min(timezone.localdate(), date_limits.LATEST)


def _birth_dates():
    return date_limits.EARLIEST, date_limits.LATEST


def _appointment_dates():
    return date_limits.appointment_range(timezone.localdate())


# Strings are taken as they are sent, not trimmed, so that the schema's lengths and patterns are
# the rules; these two say what trimming used to (blank) and what the database refuses (NUL).
NOT_BLANK = RegexValidator(r"^[^\x00]*\S[^\x00]*$", "must not be blank")
NO_NUL = RegexValidator(r"^[^\x00]+$", "must not hold a NUL character")  # "" is blank, allowed
TEXT = {"trim_whitespace": False, "validators": [NOT_BLANK]}
UNTRIMMED = {"trim_whitespace": False}  # the model's own validators (kana, phone) apply


class CaseSerializer(serializers.ModelSerializer):
    # Strings only (DRF's CharField turned 0 into "0"); the dates' schemas state their ranges.
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        CharField: StrictCharField,
    }
    death_date = BoundedDateField(bounds=_death_dates, validators=[validate_case_date, validate_not_future])
    deceased_birth_date = BoundedDateField(
        bounds=_birth_dates, required=False, allow_null=True, validators=[validate_case_date]
    )
    appointment_at = BoundedDateTimeField(
        bounds=_appointment_dates, required=False, allow_null=True, validators=[validate_appointment]
    )

    class Meta:
        model = Case
        shown = ("answers", "unknown", "version", "created_at", "updated_at", "finalised_at", "copied_from")
        fields = ["id", "status", *services.CASE_FIELDS, *shown]
        read_only_fields = ["id", "status", *shown]
        extra_kwargs = {
            "deceased_name": TEXT,
            "deceased_address": TEXT,
            "visitor_name": TEXT,
            "visitor_relation": TEXT,
            "visitor_address": {"trim_whitespace": False, "validators": [NO_NUL]},
            "deceased_kana": UNTRIMMED,
            "visitor_kana": UNTRIMMED,
            "visitor_phone": UNTRIMMED,
        }

    # The field rules (kana, phone, the dates) come with the model's validators; the services
    # check the rest (birth before death) and answer ValidationError by field.


def changes_case(request, *, invalid: bool = False):
    """The schema of an endpoint that changes a case: it needs the version last read (If-Match or
    `version`) and answers the case, or 409 (and 400 when the body can be `invalid`)."""
    errors = {400: ErrorSerializer} if invalid else {}
    return extend_schema(
        request=request,
        responses={200: CaseSerializer, **errors, 409: ErrorSerializer},
        extensions={VERSION_REQUIRED: True},
    )


class CaseListApi(CounterApi, generics.ListCreateAPIView):
    """Cases of the user's municipality, newest first; filter by status and reception date."""

    serializer_class = CaseSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=[s.value for s in Case.Status]),
            OpenApiParameter(
                "created_on",
                OpenApiTypes.DATE,
                description="YYYY-MM-DD, in Japan time",
                pattern=date_pattern(date_limits.EARLIEST, date_limits.LATEST),
            ),
        ]
    )
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        self.shown(Shown.CASE_LIST)
        return response

    def get_queryset(self):
        cases = selectors.cases_for(self.request.municipality).order_by("-created_at", "-id")
        status_filter = self.request.query_params.get("status")
        if status_filter is not None:
            if status_filter not in Case.Status.values:
                raise ApiError([("status", f"must be one of {', '.join(Case.Status.values)}")])
            cases = cases.filter(status=status_filter)
        else:  # a cancelled case is gone from the lists unless asked for
            cases = cases.exclude(status=Case.Status.CANCELLED)
        created_on = self.request.query_params.get("created_on")
        if created_on is not None:
            day = parse_date(created_on)
            if day is None or not date_limits.in_range(day):
                raise ApiError([("created_on", f'must be a date "YYYY-MM-DD" {date_limits.RANGE_EN}')])
            cases = cases.filter(created_at__date=day)
        return cases

    def perform_create(self, serializer):
        data = {name: serializer.validated_data.get(name) for name in services.CASE_FIELDS}
        data["visitor_address"] = data["visitor_address"] or ""
        serializer.instance = services.case_create(
            municipality=self.request.municipality, user=self.request.user, data=data, channel=API
        )


class CaseDetailApi(CounterApi):
    """One case; updates need the version last read (If-Match or `version`), else 409."""

    @extend_schema(responses={200: CaseSerializer, 404: ErrorSerializer})
    def get(self, request, pk):
        case = self.case()
        self.shown(Shown.CASE, case)
        return with_etag(Response(CaseSerializer(case).data), case)

    @changes_case(CaseSerializer)
    def patch(self, request, pk):
        case = self.case()
        version = sent_version(request)
        serializer = CaseSerializer(case, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = {
            name: serializer.validated_data.get(name, getattr(case, name)) for name in services.CASE_FIELDS
        }
        with refused_as_conflict(case, version):
            services.case_update(case=case, user=request.user, data=data, version=version, channel=API)
        return with_etag(Response(CaseSerializer(case).data), case)


AnswersSerializer = inline_serializer(
    "Answers",
    {
        "answers": serializers.DictField(),
        "unknown": serializers.ListField(child=serializers.CharField()),
        "version": serializers.IntegerField(min_value=1, max_value=MAX_VERSION),
    },
)


def _answers(case: Case) -> Response:
    return with_etag(
        Response({"answers": case.answers, "unknown": case.unknown, "version": case.version}), case
    )


class CaseAnswersApi(CounterApi):
    """The answers (question key to answer) and the questions answered わからない."""

    @extend_schema(responses={200: AnswersSerializer})
    def get(self, request, pk):
        case = self.case()
        self.shown(Shown.ANSWERS, case)
        return _answers(case)

    @extend_schema(request=AnswersSerializer, responses={200: AnswersSerializer, 400: ErrorSerializer})
    def put(self, request, pk):
        case = self.case()
        version = sent_version(request)
        body = request.data if isinstance(request.data, dict) else {}
        answers, unknown = body.get("answers") or {}, body.get("unknown") or []
        try:
            with refused_as_conflict(case, version):
                services.case_set_answers(
                    case=case, user=request.user, answers=answers, unknown=unknown, version=version
                )
        except CaseInvalid as exc:
            raise ApiError([where_message(error) for error in exc.errors]) from None
        return _answers(case)


class CaseResultApi(CounterApi):
    """The guide: the route with each procedure, 要確認 and manual changes (the snapshot once finalised)."""

    @extend_schema(responses={200: inline_serializer("Guide", {"stops": serializers.ListField()})})
    def get(self, request, pk):
        case = self.case()
        self.shown(Shown.RESULT, case)
        return with_etag(Response(selectors.guide_for(case)), case)


class CaseFinaliseApi(CounterApi):
    """Freeze the result; needs the version last read. Finalising a reopened case makes the next
    edition (a correction: its prints say 訂正版)."""

    @changes_case(None)
    def post(self, request, pk):
        case = self.case()
        version = sent_version(request)
        with refused_as_conflict(case, version):
            services.case_finalise(case=case, user=request.user, version=version, channel=API)
        return with_etag(Response(CaseSerializer(case).data), case)


ReasonSerializer = inline_serializer(
    "Reason",
    {
        "reason": serializers.CharField(
            max_length=200, help_text="why (kept with the case, never in the audit log)"
        ),
        "version": serializers.IntegerField(required=False),
    },
)


def _reason(request) -> str:
    body = request.data if isinstance(request.data, dict) else {}
    reason = body.get("reason")
    return reason if isinstance(reason, str) else ""


class _ReasonedChangeApi(CounterApi):
    """A change of a case's state that needs the version last read and a reason (kept with the case)."""

    change = None  # the service that makes the change: case_reopen or case_cancel
    refusals: dict[type[Exception], str] = {}  # what else the service refuses, with the message (409)

    @changes_case(ReasonSerializer, invalid=True)
    def post(self, request, pk):
        case = self.case()
        version = sent_version(request)
        with refused_as_conflict(case, version, self.refusals):
            self.change(case=case, user=request.user, reason=_reason(request), version=version, channel=API)
        return with_etag(Response(CaseSerializer(case).data), case)


class CaseReopenApi(_ReasonedChangeApi):
    """Take back a finalised case to correct it (確定の取り消し); needs the version last read and a
    reason. What the family was told stays in the case's history; the relay's marks stay."""

    change = staticmethod(services.case_reopen)
    refusals = {services.NotFinalised: "only a finalised case can be reopened"}


class CaseCancelApi(_ReasonedChangeApi):
    """Cancel a case made by mistake or twice (取り消し); needs the version last read and a reason.
    It is gone from the lists (status=cancelled finds it) and kept for the audit log and statistics."""

    change = staticmethod(services.case_cancel)


class MarkSerializer(serializers.ModelSerializer):
    procedure = serializers.CharField(source="procedure_key")
    marked_by = serializers.CharField(source="marked_by.get_username", read_only=True, default=None)

    class Meta:
        model = Mark
        fields = ["procedure", "status", "marked_by", "marked_at"]
        read_only_fields = ["marked_by", "marked_at"]


NOTHING_TO_MARK = "only a finalised case has procedures to mark"


class CaseMarksApi(CounterApi):
    """The relay: each finalised procedure marked done / not_needed / later, with who and when."""

    @extend_schema(responses={200: MarkSerializer(many=True)})
    def get(self, request, pk):
        case = self.case()
        return Response(MarkSerializer(case.marks.select_related("marked_by"), many=True).data)

    @extend_schema(request=MarkSerializer, responses={200: MarkSerializer(many=True), 400: ErrorSerializer})
    def post(self, request, pk):
        case = self.case()
        serializer = MarkSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        key = serializer.validated_data["procedure_key"]
        try:
            with refused_as_conflict(case, refusals={services.NotFinalised: NOTHING_TO_MARK}):
                services.case_mark(
                    case=case,
                    user=request.user,
                    procedure_key=key,
                    status=serializer.validated_data["status"],
                    channel=API,
                )
        except services.UnknownProcedure:
            raise ApiError([("procedure", f"'{key}' is not a procedure of this case")]) from None
        except services.GuidanceOnly:
            message = f"'{key}' is at an office outside the municipality: guidance only, nothing to mark"
            raise ApiError([("procedure", message)]) from None
        return Response(MarkSerializer(case.marks.select_related("marked_by"), many=True).data)


class CasePdfApi(CounterApi):
    """A printed document of the case as PDF: checklist, route or application (?large=1 for large
    print), or forms: the municipality's own forms of the route, filled in (404 when there are none)."""

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "large",
                bool,
                description=(
                    "large print (文字を大きく): 14 pt text, nothing under 12.6 pt, on as many pages as it "
                    "takes; for every document (checklist, route, application; the forms print as the "
                    "municipality laid them out). Without it the text is "
                    "10 pt and nothing is under 9 pt; the route sheet keeps to one page when its counters "
                    "fit and goes on to a second page otherwise."
                ),
            )
        ],
        responses={(200, "application/pdf"): OpenApiTypes.BINARY, 404: ErrorSerializer},
    )
    def get(self, request, pk, document):
        large = query_bool(request.query_params, "large")
        case = self.case()
        if case.is_cancelled:
            raise ApiError([(None, CANCELLED)], status.HTTP_409_CONFLICT)
        if document == "forms":
            forms = form_printing.forms_of_case(case)
            if not forms:
                raise ApiError([(None, "none of the procedures on the case's route has a form")], 404)
            try:
                response = form_printing.pdf_response(case, forms, today=timezone.localdate(), name="forms")
            except FormPdfError as error:
                raise ApiError([(None, f"a form could not be printed: {error.message}")], 409) from None
            title = form_printing.printed_title(forms, everything=True)
        else:
            response, title = pdf_response(case, document, large=large), TITLES[document]
        services.case_printed(case=case, user=request.user, title=title, pdf=True, channel=API)
        return response


class TokenApi(APIView):
    """Create (or replace) and revoke the caller's own API token."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None, responses={201: inline_serializer("Token", {"token": serializers.CharField()})}
    )
    def post(self, request):
        Token.objects.filter(user=request.user).delete()
        token = Token.objects.create(user=request.user)
        return Response({"token": token.key}, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request):
        Token.objects.filter(user=request.user).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)
