"""The HTTP API under /api/v1/: one NinjaAPI assembling each app's router.

Authentication is a bearer token (`gecrm token create USERNAME`) or the browser's session (with
CSRF on unsafe methods). Errors have one shape everywhere; see `gecrm.core.api`.
"""

import json
import logging

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.renderers import JSONRenderer

from gecrm.access.auth import BearerTokenAuth, SessionAuth
from gecrm.accounts.api import router as assignments_router
from gecrm.catalog.api import router as products_router
from gecrm.core.api import ModelValidationError, django_validation_errors, localized_errors
from gecrm.core.exceptions import CreateForbidden, OutsideScopeError, StaleObjectError
from gecrm.customers.api import router as customers_router
from gecrm.org.api import org_units_router, regions_router, staff_router

logger = logging.getLogger(__name__)


class Utf8JSONRenderer(JSONRenderer):
    """JSON with Chinese as UTF-8 text rather than `\\uXXXX` escapes (half the size)."""

    def render(self, request, data, *, response_status):
        text = json.dumps(data, cls=self.encoder_class, ensure_ascii=False)
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate somewhere: escaped JSON is still valid
            text = json.dumps(data, cls=self.encoder_class)
        return text


class GecrmAPI(NinjaAPI):
    """NinjaAPI whose 422 messages speak the request's language (Accept-Language)."""

    def validation_error_from_error_contexts(self, error_contexts):
        exc = super().validation_error_from_error_contexts(error_contexts)
        # ninja drops each error's `input`; the length messages need it.
        raw = [
            error
            for context in error_contexts
            for error in context.pydantic_validation_error.errors(include_url=False)
        ]
        if len(raw) == len(exc.errors):
            for item, error in zip(exc.errors, raw, strict=True):
                item["input"] = error.get("input")
        return NinjaValidationError(localized_errors(exc.errors))


api = GecrmAPI(
    title="gecrm API",
    version="1",
    description=(
        "Government & Enterprise customers, sales organisation and products. "
        "Authenticate with `Authorization: Bearer <token>` (`gecrm token create USERNAME`) "
        "or a logged-in browser session. Lists answer `{count, items}` with `limit`/`offset`."
    ),
    urls_namespace="api",
    auth=[BearerTokenAuth(), SessionAuth()],
    renderer=Utf8JSONRenderer(),
    # "ninja" is in INSTALLED_APPS, so Swagger UI is served from our own static files (no CDN).
    docs=Swagger(settings={"persistAuthorization": True}),
)

api.add_router("/org-units", org_units_router)
api.add_router("/staff", staff_router)
api.add_router("/regions", regions_router)
api.add_router("/products", products_router)
api.add_router("/customers", customers_router)
api.add_router("/assignments", assignments_router)


@api.exception_handler(AuthenticationError)
def unauthorized(request, exc: AuthenticationError):
    # RFC 6750: a 401 names the scheme the client should use.
    response = api.create_response(request, {"detail": "Unauthorized"}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="gecrm"'
    return response


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    if exc.status_code == 400 and str(exc).startswith("Cannot parse request body"):
        # A body that is not JSON is invalid input like any other: 422, in the one error shape.
        detail = [{"loc": ["body"], "msg": _("Enter a valid JSON."), "type": "json_invalid"}]
        return api.create_response(request, {"detail": detail}, status=422)
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


@api.exception_handler(ModelValidationError)
def model_validation_error(request, exc: ModelValidationError):
    return api.create_response(request, {"detail": exc.errors}, status=422)


@api.exception_handler(DjangoValidationError)
def django_validation_error(request, exc: DjangoValidationError):
    return api.create_response(request, {"detail": django_validation_errors(exc)}, status=422)


@api.exception_handler(StaleObjectError)
def stale_object(request, exc: StaleObjectError):
    return api.create_response(request, {"detail": str(exc)}, status=409)


@api.exception_handler(CreateForbidden)
def create_forbidden(request, exc: CreateForbidden):
    # The caller's posts may not create this kind of record at all; nothing was written.
    return api.create_response(request, {"detail": str(exc)}, status=403)


@api.exception_handler(OutsideScopeError)
def outside_scope(request, exc: OutsideScopeError):
    # The parent, org unit or customer referred to is outside the caller's change scope: as for
    # any object out of scope, 404 (the message says which field); nothing was written.
    return api.create_response(request, {"detail": str(exc)}, status=404)


@api.exception_handler(IntegrityError)
def integrity_error(request, exc: IntegrityError):
    # Validation already checks uniqueness; this is the lost race between check and insert.
    message = str(exc).lower()
    field = next((name for name in ("uscc", "code") if name in message), None)
    detail = (
        _("Another record already uses this %(field)s.") % {"field": field}
        if field
        else _("This change conflicts with existing data.")
    )
    return api.create_response(request, {"detail": detail}, status=409)


@api.exception_handler(DataError)
def data_error(request, exc: DataError):
    # Input validation should make this unreachable; answer 422 rather than a bare 500.
    logger.warning("API input reached the database invalid: %s", exc)
    return api.create_response(
        request,
        {"detail": [{"loc": ["body"], "msg": _("Invalid value."), "type": "value_error"}]},
        status=422,
    )
