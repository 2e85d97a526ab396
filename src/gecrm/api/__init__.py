"""The HTTP API under /api/v1/: one NinjaAPI assembling each app's router."""

from .main import api

__all__ = ["api"]
