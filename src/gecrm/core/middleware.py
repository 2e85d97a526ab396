from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.template.loader import render_to_string
from django.utils import translation

from .exceptions import CreateForbidden, OutsideScopeError, StaleObjectError
from .http import client_ip


class StaleObjectMiddleware:
    """Answer 409 Conflict when a view loses an optimistic-lock race, and a refused create with
    the 403 page (the user's posts create nothing of the kind) or the 404 page (a parent, org
    unit or customer outside their scope); the action rolled back, nothing was written."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, StaleObjectError):
            body = render_to_string("web/conflict.html", {"message": str(exception)}, request)
            return HttpResponse(body, status=409)
        if isinstance(exception, CreateForbidden):
            raise PermissionDenied(str(exception)) from exception
        if isinstance(exception, OutsideScopeError):
            raise Http404(str(exception)) from exception
        return None


class RequestContextMiddleware:
    """Remember the client address and browser of this request for the change and audit logs.

    Actions called from views and the API read them from context variables; the command line
    and jobs run outside any request and record none.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from .changes import current_ip, current_user_agent

        token = current_ip.set(client_ip(request))
        agent_token = current_user_agent.set(user_agent(request))
        try:
            return self.get_response(request)
        finally:
            current_user_agent.reset(agent_token)
            current_ip.reset(token)


USER_AGENT_LENGTH = 300


def user_agent(request) -> str:
    """The browser's User-Agent, cut to what a log entry keeps."""
    return (request.META.get("HTTP_USER_AGENT") or "")[:USER_AGENT_LENGTH]


class LocaleMiddleware(DjangoLocaleMiddleware):
    """Chinese first: the UI speaks zh-hans unless the user chose another language.

    Django's own middleware follows the browser's Accept-Language, so a Chinese office on an
    English operating system would get English pages. Here the language comes from the language
    cookie (set by the language switcher) or else LANGUAGE_CODE; only API clients, which have no
    switcher, may ask for a language with Accept-Language.
    """

    def process_request(self, request):
        cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if cookie and translation.check_for_language(cookie):
            language = translation.get_supported_language_variant(cookie)
        elif request.path_info.startswith("/api/"):
            language = translation.get_language_from_request(request)
        else:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
