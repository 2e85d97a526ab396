"""The restricted queryset: every scoped read goes through `restrict(user, action)`.

Scope rules live in the `access` app, which registers one function per model with
`register_scope`. A model without a rule is visible to every active, authenticated user;
anonymous and inactive users see nothing.
"""

from collections.abc import Callable

from django.db import models

ScopeRule = Callable[[models.QuerySet, object, str], models.QuerySet]
_scope_rules: dict[str, ScopeRule] = {}


def register_scope(model_label: str):
    """Decorator: `@register_scope("customers.customer")` on `rule(queryset, user, action)`."""

    def decorator(rule: ScopeRule) -> ScopeRule:
        _scope_rules[model_label.lower()] = rule
        return rule

    return decorator


class RestrictedQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view"):
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        rule = _scope_rules.get(self.model._meta.label_lower)
        return rule(self, user, action) if rule else self


def may_create(model, user) -> bool:
    """Whether `user` may create some `model` at all: a user creates only what they could edit
    afterwards, so not when their change scope of the model is empty by rule (`.none()`, no
    query). `None` (the command line without --user) and superusers always may. Where the new
    row may go is checked after the insert (`gecrm.access.creating.check_created`)."""
    if user is None or getattr(user, "is_superuser", False):
        return True
    return not model.objects.restrict(user, "change").query.is_empty()
