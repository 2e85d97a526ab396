"""How API callers prove who they are: a bearer token, or the browser's Django session."""

from django.conf import settings
from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from .models import ApiToken

MAX_TOKEN_LENGTH = 200


class BearerTokenAuth(HttpBearer):
    """`Authorization: Bearer <token>` with a token from `gecrm token create USERNAME`."""

    openapi_description = (
        "A token from `gecrm token create USERNAME`, sent as `Authorization: Bearer <token>`. "
        "Unknown, revoked and expired tokens answer 401."
    )

    def authenticate(self, request, token):
        token = token.strip()
        if not token or len(token) > MAX_TOKEN_LENGTH:
            return None
        return ApiToken.authenticate(token)


class SessionAuth(APIKeyCookie):
    """The logged-in browser session, with Django's CSRF check on unsafe methods.

    Unlike ninja's `django_auth`, the CSRF check runs only once a session user is found, so an
    anonymous request answers 401 (not 403) and a bearer-token client never needs a CSRF token.
    """

    param_name = settings.SESSION_COOKIE_NAME
    openapi_description = (
        "The session of a user logged in to the web UI; unsafe methods also need the CSRF "
        "token in the `X-CSRFToken` header."
    )

    def __init__(self):
        super().__init__(csrf=True)

    def _get_key(self, request):
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request, key):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise HttpError(403, _("CSRF check failed. Reload the page and try again."))
        return user
