"""Pages of the access app: the user's own data scope, and role administration for admins."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, user_passes_test
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from gecrm.accounts.models import Assignment, active_on_q
from gecrm.core.exceptions import StaleObjectError
from gecrm.core.views import render_conflict
from gecrm.org.choices import Post
from gecrm.org.models import Staff

from .roles import do_set_roles, gecrm_permissions, permission_key
from .scopes import describe_scope, grant_of


@login_required
def my_scope(request):
    """Who I am to the system: posts, org unit, active assignments and the resulting rules."""
    user = request.user
    grant = grant_of(user)
    staff = Staff.objects.filter(user=user).prefetch_related("posts").first()
    assignments = (
        Assignment.objects.filter(active_on_q(_today()), user=user)
        .select_related("customer")
        .order_by("customer__path", "role")
    )
    return render(
        request,
        "access/my_scope.html",
        {
            "staff": staff,
            "grant": grant,
            "rules": describe_scope(user),
            "assignments": assignments[:200],
            "assignment_count": assignments.count(),
            "permissions": sorted(user.get_all_permissions()),
        },
    )


def _today():
    from django.utils import timezone

    return timezone.localdate()


def _superuser(user):
    if not (user.is_authenticated and user.is_active):
        return False
    if not user.is_superuser:
        raise PermissionDenied
    return True


admin_required = user_passes_test(_superuser)


@login_required
@admin_required
def role_list(request):
    """Staff with their posts and permissions; administrators change them from here."""
    q = request.GET.get("q", "").strip()
    post = request.GET.get("post", "")
    staff = Staff.objects.select_related("user", "org_unit").prefetch_related(
        "posts",
        Prefetch("user__groups"),
        Prefetch("user__user_permissions", to_attr="direct_permissions"),
    )
    if q:
        staff = staff.filter(Q(user__username__icontains=q) | Q(name__icontains=q))
    if post in Post.values:
        staff = staff.filter(posts__post=post)
    page = Paginator(staff.order_by("user__username"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "access/role_list.html",
        {"page": page, "q": q, "post": post, "post_choices": Post.choices},
    )


class RoleForm(forms.Form):
    posts = forms.MultipleChoiceField(
        label=gettext_lazy("Posts"),
        choices=Post.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    permissions = forms.MultipleChoiceField(
        label=gettext_lazy("Permissions"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, permissions, **kwargs):
        super().__init__(*args, **kwargs)
        self.permission_objects = {permission_key(p): p for p in permissions}
        self.fields["permissions"].choices = [
            (key, f"{p.name} ({key})") for key, p in self.permission_objects.items()
        ]


@login_required
@admin_required
@require_http_methods(["GET", "POST"])
def role_edit(request, username):
    staff = get_object_or_404(
        Staff.objects.select_related("user", "org_unit").prefetch_related("posts"),
        user__username=username,
    )
    permissions = list(gecrm_permissions())
    held = set(staff.user.user_permissions.all())
    initial = {
        "posts": staff.post_codes,
        "permissions": [permission_key(p) for p in permissions if p in held],
        "version": staff.version,
    }
    if request.method == "POST":
        form = RoleForm(request.POST, permissions=permissions)
        if form.is_valid():
            chosen = [form.permission_objects[k] for k in form.cleaned_data["permissions"]]
            try:
                do_set_roles(
                    staff,
                    posts=form.cleaned_data["posts"],
                    permissions=chosen,
                    expected_version=form.cleaned_data["version"],
                    actor=request.user,
                    source="web",
                )
            except StaleObjectError as error:
                return render_conflict(
                    request, str(error), reverse("access:role_edit", args=[username])
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("%(object)s was saved.") % {"object": staff})
                return redirect("access:role_list")
    else:
        form = RoleForm(initial=initial, permissions=permissions)
    return render(request, "access/role_edit.html", {"staff": staff, "form": form})
