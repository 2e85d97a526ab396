from django.http import HttpResponse
from django.template.loader import render_to_string

from .exceptions import StaleObjectError


class StaleObjectMiddleware:
    """Answer 409 Conflict when a view loses an optimistic-lock race."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, StaleObjectError):
            body = render_to_string("web/conflict.html", {"message": str(exception)}, request)
            return HttpResponse(body, status=409)
        return None


class RequestContextMiddleware:
    """Remember the client address for the change log of this request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from .changes import current_ip

        token = current_ip.set(request.META.get("REMOTE_ADDR"))
        try:
            return self.get_response(request)
        finally:
            current_ip.reset(token)
