"""Every write to org units and staff."""

from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gecrm.access.creating import check_created, check_may_create
from gecrm.core.changes import create_logged, log_change, update_versioned
from gecrm.core.models import ObjectChange
from gecrm.core.trees import move_descendants, position, set_position, would_cycle

from .models import OrgUnit, Staff, StaffPost


def do_create_org_unit(fields: dict, *, actor, source: str = "web") -> OrgUnit:
    """Administrators only, like every create: where the actor could edit it afterwards."""
    check_may_create(OrgUnit, actor)
    parent = fields.pop("parent", None)
    unit = OrgUnit(**fields)
    set_position(unit, parent)
    with transaction.atomic():
        unit = create_logged(unit, actor=actor, source=source)
        check_created(unit, actor, blame="parent")
        return unit


def do_update_org_unit(
    unit: OrgUnit, changes: dict, *, expected_version: int, actor, source: str = "web"
) -> dict:
    with transaction.atomic():
        old_path = unit.path
        if "parent" in changes:
            parent = changes.pop("parent")
            if would_cycle(unit, parent):
                raise ValidationError(
                    {"parent": _("An org unit cannot be placed under itself or its own sub-unit.")}
                )
            changes.update(position(unit, parent))
        changed = update_versioned(
            unit, changes, expected_version=expected_version, actor=actor, source=source
        )
        move_descendants(OrgUnit, old_path, unit.path)
        return changed


def _set_posts(staff: Staff, posts: list[str]) -> None:
    StaffPost.objects.filter(staff=staff).exclude(post__in=posts).delete()
    have = set(StaffPost.objects.filter(staff=staff).values_list("post", flat=True))
    StaffPost.objects.bulk_create([StaffPost(staff=staff, post=p) for p in posts if p not in have])


def do_create_staff(
    *,
    username: str,
    name: str,
    org_unit: OrgUnit,
    posts: list[str] = (),
    email: str = "",
    phone: str = "",
    password: str | None = None,
    actor,
    source: str = "web",
) -> Staff:
    """Create a login and its staff profile; without a password the login cannot sign in yet.
    Administrators only: posts are rights (`gecrm.access.creating`)."""
    check_may_create(Staff, actor)
    User = get_user_model()
    with transaction.atomic():
        if User.objects.filter(username=username).exists():
            raise ValidationError({"username": _("This username is already taken.")})
        user = User(username=username, email=email)
        if password:
            try:
                password_validation.validate_password(password, user)
            except ValidationError as error:
                raise ValidationError({"password": error.messages}) from None
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
        staff = create_logged(
            Staff(user=user, name=name, org_unit=org_unit, email=email, phone=phone),
            actor=actor,
            source=source,
        )
        _set_posts(staff, list(posts))
        if posts:
            log_change(
                staff,
                ObjectChange.Action.UPDATE,
                {"posts": [[], sorted(posts)]},
                actor=actor,
                source=source,
            )
        check_created(staff, actor, blame="org_unit")
        return staff


def do_update_staff(
    staff: Staff, changes: dict, *, expected_version: int, actor, source: str = "web"
) -> dict:
    posts = changes.pop("posts", None)
    with transaction.atomic():
        before_posts = sorted(staff.post_codes)
        changed = update_versioned(
            staff, changes, expected_version=expected_version, actor=actor, source=source
        )
        if posts is not None and sorted(posts) != before_posts:
            _set_posts(staff, list(posts))
            log_change(
                staff,
                ObjectChange.Action.UPDATE,
                {"posts": [before_posts, sorted(posts)]},
                actor=actor,
                source=source,
            )
            changed["posts"] = [before_posts, sorted(posts)]
        return changed
