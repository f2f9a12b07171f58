"""/fhir/r4/: thin views. They check the caller, parse, call a search or the intake service,
and answer FHIR JSON; every refusal is an OperationOutcome."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from chairside.access.authorizations.selectors import authorization_for_pas
from chairside.fhir import intake, pas
from chairside.fhir.capability import capability_statement
from chairside.fhir.http import FhirError, caller, check_csrf, error_response, read_json, respond
from chairside.fhir.params import SearchError, parse
from chairside.fhir.resources import KINDS, Kind
from chairside.tenancy.access import signed_in
from chairside.tenancy.roles import Perm

View = Callable[..., HttpResponse]


def fhir_view(methods: tuple[str, ...]) -> Callable[[View], View]:
    """Allowed methods, and FhirError (and a search error) → OperationOutcome."""

    def wrap(view: View) -> View:
        @csrf_exempt  # tokens carry no cookie; sessions are checked in check_csrf
        def inner(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method not in methods:
                return error_response(
                    FhirError(405, f"{request.method} is not supported here.", code="not-supported")
                )
            try:
                return view(request, *args, **kwargs)
            except SearchError as exc:
                return error_response(FhirError(400, str(exc), code="invalid"))
            except FhirError as exc:
                return error_response(exc)

        return inner

    return wrap


def base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("fhir:system"))


def _kind(name: str) -> Kind:
    kind = KINDS.get(name)
    if kind is None:
        raise FhirError(404, f"This server does not serve {name} resources.", code="not-supported")
    return kind


@fhir_view(("GET",))
def metadata(request: HttpRequest) -> HttpResponse:
    # Describes the server only (no patient data): open to anyone, as FHIR clients expect.
    return respond(capability_statement(base_url(request)))


@fhir_view(("GET",))
def instance(request: HttpRequest, kind: str, resource_id: str) -> HttpResponse:
    found_kind = _kind(kind)
    membership = caller(request, found_kind.perm)
    found = found_kind.read(membership.organization, resource_id)
    if not found:
        raise FhirError(404, f"No {kind} {resource_id} here.", code="not-found")
    return respond(found[0])


@fhir_view(("GET", "POST"))
def type_level(request: HttpRequest, kind: str) -> HttpResponse:
    found_kind = _kind(kind)
    if request.method == "POST":
        if kind != "ServiceRequest":
            raise FhirError(405, f"{kind} cannot be created here.", code="not-supported")
        return _create(
            request,
            lambda body, m, u: intake.referral_from_service_request(
                organization=m.organization, user=u, resource=body
            ),
        )
    membership = caller(request, found_kind.perm)
    search = parse(request.GET, found_kind.params)
    page = found_kind.search(membership.organization, search)
    return respond(_searchset(request, kind, search, page))


@fhir_view(("GET",))
def pas_request(request: HttpRequest, authorization_id: Any) -> HttpResponse:
    """The Da Vinci PAS request Bundle of one of the caller's authorizations."""
    membership = caller(request, Perm.ACCESS_EDIT)
    auth = authorization_for_pas(organization=membership.organization, public_id=authorization_id)
    if auth is None:
        raise FhirError(404, f"No prior authorization {authorization_id} here.", code="not-found")
    requested = pas.requested(auth, timezone.localdate())
    try:
        bundle = pas.pas_request_bundle(auth, requested, base_url(request))
    except pas.PasBundleError as exc:
        raise FhirError(422, str(exc), code="invariant") from None
    pas.audit_export(auth, signed_in(request), bundle)  # caller() refused anyone else
    return respond(bundle)


@fhir_view(("POST",))
def system(request: HttpRequest) -> HttpResponse:
    return _create(
        request,
        lambda body, m, u: intake.referral_from_transaction(
            organization=m.organization, user=u, bundle=body
        ),
    )


def _create(request: HttpRequest, run: Callable[[dict[str, Any], Any, Any], Any]) -> HttpResponse:
    membership = caller(request, Perm.ACCESS_EDIT)
    check_csrf(request)
    body = read_json(request)
    try:
        result = run(body, membership, request.user)
    except ValidationError as exc:
        raise intake.as_fhir_error(exc) from None
    headers = {"Location": f"{base_url(request)}{result.location}"} if result.location else {}
    return respond(result.body, result.status, **headers)


def _searchset(request: HttpRequest, kind: str, search: Any, page: Any) -> dict[str, Any]:
    base = base_url(request)
    kept = [(k, v) for k in request.GET if k not in ("_offset",) for v in request.GET.getlist(k)]

    def link(relation: str, offset: int) -> dict[str, str]:
        query = urlencode([*kept, ("_offset", str(offset))])
        return {"relation": relation, "url": f"{base}{kind}?{query}"}

    links = [link("self", search.offset), link("first", 0)]
    if search.offset + search.count < page.total:
        links.append(link("next", search.offset + search.count))
    if search.offset > 0:
        links.append(link("previous", max(0, search.offset - search.count)))
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": page.total,
        "link": links,
        "entry": [
            {
                "fullUrl": f"{base}{r['resourceType']}/{r['id']}",
                "resource": r,
                "search": {"mode": "match"},
            }
            for r in page.resources
        ],
    }
