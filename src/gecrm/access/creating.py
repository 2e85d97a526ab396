"""Who may create what: one rule for every create path (web form, API, import, CLI `--user`).

A user may create an object only where they could edit it afterwards. Rather than a second copy
of the scope rules, the creating action asks the change scope itself (`restrict(actor,
"change")`), inside its own transaction:

- before writing, `check_may_create(Model, actor)`: when the actor's change scope of that model
  is empty by rule (posts that edit nothing — a hotline agent's customers; anyone but an
  administrator's org units, staff and products), `CreateForbidden` (403): "your post may not
  create this";
- after writing, `check_created(obj, actor, blame=…)`: when the new row is not in the change
  scope (a parent, org unit or customer the actor may not edit), `OutsideScopeError` (404 in the
  API, an error on the blamed field in forms and imports). Raised inside the action's transaction, it
  rolls the insert (and its change log entry) back: a refusal writes nothing.

`actor=None` (the CLI without `--user`, the demo builder, migrations) is not limited. The same
questions serve the forms' pickers (`creatable_org_units`, `creatable_parents`).
"""

from django.db import connections
from django.utils.translation import gettext as _

from gecrm.core.exceptions import CreateForbidden, OutsideScopeError
from gecrm.core.querysets import may_create

from .scopes import INDUSTRY_POSTS, creatable_unit_ids, grant_of

__all__ = [
    "blame_new_customer",
    "check_created",
    "check_may_create",
    "creatable_org_units",
    "creatable_parents",
    "customer_blame",
    "may_create",
]

CHANGE = "change"


def _unrestricted(actor) -> bool:
    return actor is None or getattr(actor, "is_superuser", False)


def check_may_create(model, actor) -> None:
    """Raise CreateForbidden unless the actor's posts may create some `model` (call it first in
    the action, before writing: it also loads the actor's grant as it was before the write)."""
    if not may_create(model, actor):
        raise CreateForbidden(model)


def check_created(obj, actor, *, blame) -> None:
    """Inside the creating transaction, after the insert: raise OutsideScopeError (rolling the
    transaction back) unless the actor may edit the new `obj`. `blame` is the field to name, or
    a callable answering (field, message) once the answer is no."""
    if _unrestricted(actor):
        return
    if not type(obj).objects.restrict(actor, CHANGE).filter(pk=obj.pk).exists():
        field, message = blame() if callable(blame) else (blame, None)
        raise OutsideScopeError(field, message)


def customer_blame(actor, *, unit_ok: bool, parent_given: bool, parent_ok: bool):
    """Which field put a new customer outside the actor's change scope, and why: its org unit,
    its parent, or (the rest of the rule) its segment and industry. `unit_ok`: the org unit is
    one of `creatable_org_units`; `parent_ok`: the parent is one of `creatable_parents`."""
    if not unit_ok:
        return "org_unit", _(
            "You may not create customers owned by this org unit: it is outside your data scope."
        )
    if parent_given and not parent_ok:
        return "parent", _(
            "You may not create branches of this customer: it is outside your data scope."
        )
    if not parent_given and not grant_of(actor).posts & INDUSTRY_POSTS:
        return "parent", _(
            "You may only create branches of the customers you may edit: give a parent customer."
        )
    return "industry", _(
        "You may not create customers of this segment or industry: it is outside your data scope."
    )


def blame_new_customer(customer, parent, actor):
    """`customer_blame` for one new customer (two small queries, only once refused)."""
    from gecrm.customers.models import Customer

    return customer_blame(
        actor,
        unit_ok=creatable_org_units(actor).filter(pk=customer.org_unit_id).exists(),
        parent_given=parent is not None,
        parent_ok=parent is not None
        and creatable_parents(Customer, actor).filter(pk=parent.pk).exists(),
    )


# ---------------------------------------------------------------------------- pickers


def creatable_parents(model, actor):
    """The records a new `model` may be placed under: those the actor may edit (a branch of an
    editable customer, a sub-unit of an editable unit)."""
    if _unrestricted(actor):
        return model.objects.all()
    return model.objects.restrict(actor, CHANGE)


def creatable_org_units(actor):
    """The org units a new customer may belong to so that the actor could edit it."""
    from gecrm.customers.models import Customer
    from gecrm.org.models import OrgUnit

    if actor is None:
        return OrgUnit._base_manager.all()
    units = OrgUnit.objects.restrict(actor, "view")
    if actor.is_superuser:
        return units
    if not may_create(Customer, actor):
        return units.none()
    ids = creatable_unit_ids(actor, connections[units.db].vendor)
    return units if ids is None else units.filter(pk__in=ids)
