"""Every write to customers and contacts: views, API, CLI and imports call these."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gecrm.access.creating import blame_new_customer, check_created, check_may_create
from gecrm.core.changes import create_logged, delete_logged, update_versioned
from gecrm.core.trees import move_descendants, position, set_position, would_cycle

from .models import Contact, Customer


def do_create_customer(fields: dict, *, actor, source: str = "web") -> Customer:
    """Create a customer (HQ when `parent` is None, otherwise a branch of `parent`) where the
    actor could edit it afterwards: CreateForbidden / OutsideScopeError otherwise, nothing
    written (`gecrm.access.creating`)."""
    check_may_create(Customer, actor)
    parent = fields.pop("parent", None)
    customer = Customer(**fields)
    set_position(customer, parent)
    with transaction.atomic():
        customer = create_logged(customer, actor=actor, source=source)
        check_created(customer, actor, blame=lambda: blame_new_customer(customer, parent, actor))
        return customer


def do_update_customer(
    customer: Customer, changes: dict, *, expected_version: int, actor, source: str = "web"
) -> dict:
    """Edit a customer; moving it under another parent moves its whole subtree."""
    with transaction.atomic():
        old_path = customer.path
        if "parent" in changes:
            parent = changes.pop("parent")
            if parent is not None and would_cycle(customer, parent):
                raise ValidationError(
                    {"parent": _("A customer cannot be placed under itself or its own branch.")}
                )
            changes.update(position(customer, parent))
        changed = update_versioned(
            customer, changes, expected_version=expected_version, actor=actor, source=source
        )
        move_descendants(Customer, old_path, customer.path)
        return changed


def do_add_contact(customer: Customer, fields: dict, *, actor, source: str = "web") -> Contact:
    """Add a contact to a customer the actor may edit (else nothing is written)."""
    check_may_create(Contact, actor)
    with transaction.atomic():
        contact = create_logged(Contact(customer=customer, **fields), actor=actor, source=source)
        check_created(contact, actor, blame="customer")
        return contact


def do_update_contact(
    contact: Contact, changes: dict, *, expected_version: int, actor, source: str = "web"
) -> dict:
    return update_versioned(
        contact, changes, expected_version=expected_version, actor=actor, source=source
    )


def do_delete_contact(contact: Contact, *, expected_version: int, actor, source: str = "web"):
    delete_logged(contact, expected_version=expected_version, actor=actor, source=source)
