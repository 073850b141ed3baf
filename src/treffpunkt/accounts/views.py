from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_ratelimit.core import is_ratelimited

from treffpunkt.accounts import actions, queries
from treffpunkt.accounts.forms import (
    AcceptInvitationForm,
    InviteForm,
    LoginForm,
    ProfileForm,
    QueuedPasswordResetForm,
    RegistrationForm,
    RolesForm,
)
from treffpunkt.accounts.models import Invitation, Role, User
from treffpunkt.accounts.permissions import role_required
from treffpunkt.core.queries import site_settings

BACKEND = "django.contrib.auth.backends.ModelBackend"


def _login_email_key(group: str, request: HttpRequest) -> str:
    return request.POST.get("username", "").strip().lower()[:254]


def _login_pair_key(group: str, request: HttpRequest) -> str:
    return f"{_login_email_key(group, request)}|{request.META.get('REMOTE_ADDR', '')}"


class LoginView(auth_views.LoginView):
    """Django's login, with attempts limited (as django-axes does by default) per IP address
    and per address-and-IP pair, so nobody can lock a member out by trying wrong passwords
    for their address from elsewhere; across all IP addresses one address gets
    ``LOGIN_RATE_PER_ADDRESS`` wrong attempts, after which only the right password gets in."""

    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        limited = [
            is_ratelimited(
                request,
                group=f"login-{key_name}",
                key=key,
                rate=settings.LOGIN_RATE,
                increment=True,
            )
            for key_name, key in (("ip", "ip"), ("pair", _login_pair_key))
        ]
        if any(limited):
            return self._too_many_attempts()
        form = self.get_form()
        if form.is_valid():
            return self.form_valid(form)
        if is_ratelimited(
            request,
            group="login-email",
            key=_login_email_key,
            rate=settings.LOGIN_RATE_PER_ADDRESS,
            increment=True,
        ):
            return self._too_many_attempts()
        return self.form_invalid(form)

    def _too_many_attempts(self) -> HttpResponse:
        form = self.get_form()
        form.errors.clear()
        form.add_error(None, _("Too many login attempts. Please wait a minute, then try again."))
        response = self.render_to_response(self.get_context_data(form=form))
        response.status_code = 429
        return response

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["registration_open"] = site_settings().registration_open
        return context


class PasswordResetView(auth_views.PasswordResetView):
    """Django's password reset, with the email sent by the worker; at most ten requests an
    hour from one IP address (and one email an address in ten minutes, see the form)."""

    form_class = QueuedPasswordResetForm
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if is_ratelimited(request, group="password-reset", key="ip", rate="10/h", increment=True):
            form = self.get_form()
            form.errors.clear()
            form.add_error(None, _("Please wait a while before asking again."))
            response = self.render_to_response(self.get_context_data(form=form))
            response.status_code = 429
            return response
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: Any) -> HttpResponse:
        # Links in the email point at the public address, also behind a proxy.
        self.extra_email_context = {"base_url": settings.BASE_URL}
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


def register(request: HttpRequest) -> HttpResponse:
    if not site_settings().registration_open:
        raise Http404(_("Registration is closed. Please ask an admin for an invitation."))
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = actions.register_member(
            form.cleaned_data["email"],
            form.cleaned_data["display_name"],
            form.cleaned_data["password1"],
        )
        login(request, user, backend=BACKEND)
        messages.success(request, _("Welcome! Your account is ready."))
        return redirect("core:home")
    return render(request, "accounts/register.html", {"form": form})


def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    invitation = queries.find_invitation(token)
    if invitation is None:
        return render(request, "accounts/invitation_invalid.html", status=404)
    form = AcceptInvitationForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            user = actions.accept_invitation(
                invitation, form.cleaned_data["display_name"], form.cleaned_data["password1"]
            )
        except actions.InvitationUsed as used:
            messages.info(request, used.message)
            return redirect("accounts:login")
        login(request, user, backend=BACKEND)
        return _first_step(request, user)
    return render(
        request, "accounts/accept_invitation.html", {"form": form, "invitation": invitation}
    )


def _first_step(request: HttpRequest, user: User) -> HttpResponse:
    """A new member lands where their role starts, told what to do first."""
    welcome = _("Welcome to %(site)s!") % {"site": site_settings().name}
    if user.is_superuser:
        next_step, url = _("Next, invite the people you work with."), "accounts:members"
    elif user.is_organizer:
        next_step = _("Start with your first event: it gets a poster, a live wall and a recap.")
        url = "events:create"
    elif user.is_author:
        next_step = _("Write your first post; it stays a draft until you publish it.")
        url = "blog:my_posts"
    elif user.is_moderator:
        next_step = _(
            "Here are the events whose walls you keep in order; comments waiting for you are "
            "under “Comments”."
        )
        url = "events:mine"
    else:
        next_step = _("Add a picture and a few words about you, if you like.")
        url = "accounts:profile"
    messages.success(request, f"{welcome} {next_step}")
    return redirect(url)


def setup(request: HttpRequest, token: str) -> HttpResponse:
    """The one-time page, linked from `treffpunkt serve`, that creates the first admin."""
    if not queries.first_admin_token_is_valid(token):
        return render(request, "accounts/setup_done.html", status=404)
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = actions.create_admin(
            form.cleaned_data["email"],
            form.cleaned_data["display_name"],
            form.cleaned_data["password1"],
        )
        login(request, user, backend=BACKEND)
        messages.success(
            request, _("You are the admin now. Next, invite the people you work with.")
        )
        return redirect("accounts:members")
    return render(request, "accounts/setup.html", {"form": form})


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    initial = {"display_name": user.display_name, "bio": user.bio}
    form = ProfileForm(request.POST or None, request.FILES or None, initial=initial, user=user)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                actions.update_profile(
                    user,
                    display_name=form.cleaned_data["display_name"],
                    bio=form.cleaned_data["bio"],
                    avatar=form.cleaned_data["avatar"] or None,
                    remove_avatar=form.cleaned_data.get("remove_avatar", False),
                )
            except ValidationError as error:
                form.add_error("avatar", error)
            else:
                messages.success(request, _("Your profile is saved."))
                return redirect("accounts:profile")
        status = 400
    return render(request, "accounts/profile.html", {"form": form}, status=status)


@role_required(Role.ADMIN)
def members(request: HttpRequest) -> HttpResponse:
    form = InviteForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            invitation, url = actions.invite_member(
                form.cleaned_data["email"],
                form.cleaned_data["roles"],
                request.user,  # type: ignore[arg-type]
            )
            messages.success(
                request,
                _("Invitation sent to %(email)s. You can also pass on this link: %(url)s")
                % {"email": invitation.email, "url": url},
            )
            return redirect("accounts:members")
        status = 400
    context = {
        "form": form,
        "members": User.objects.order_by("display_name"),
        "invitations": Invitation.objects.pending().select_related("invited_by"),
        "settings_invitation_days": settings.INVITATION_VALID_DAYS,
    }
    return render(request, "accounts/members.html", context, status=status)


@require_POST
@role_required(Role.ADMIN)
def revoke_invitation(request: HttpRequest, pk: int) -> HttpResponseBase:
    invitation = get_object_or_404(Invitation.objects.pending(), pk=pk)
    actions.revoke_invitation(invitation)
    messages.success(
        request, _("The invitation for %(email)s no longer works.") % {"email": invitation.email}
    )
    return redirect("accounts:members")


@role_required(Role.ADMIN)
def member_roles(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_object_or_404(User, pk=pk)
    form = RolesForm(request.POST or None, initial={"roles": member.roles})
    if request.method == "POST" and form.is_valid():
        try:
            actions.change_roles(member, form.cleaned_data["roles"], changed_by=request.user)  # type: ignore[arg-type]
        except ValidationError as error:
            form.add_error("roles", error)
        else:
            messages.success(request, _("Roles of %(name)s saved.") % {"name": member.public_name})
            return redirect("accounts:members")
    status = 400 if form.errors else 200
    return render(
        request, "accounts/member_roles.html", {"form": form, "member": member}, status=status
    )
