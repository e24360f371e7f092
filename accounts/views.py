"""Account pages: sign in and out, register, codes, real-name binding, devices, changes."""

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from core.errors import Problem
from core.http import client_address
from core.masking import mask_id_number
from notifications.selectors import inbox_unread_count

from . import selectors
from .device_cookie import device_cookie_id, device_cookie_id_or_new, device_cookie_set
from .forms import (
    CodeForm,
    EmailChangeForm,
    IdentityForm,
    LoginForm,
    PasswordChangeForm,
    PasswordResetConfirmForm,
    PasswordResetForm,
    PhoneChangeForm,
    RegisterForm,
)
from .models import KnownDevice, LoginEvent, User, VerificationCode
from .phones import mask_email, mask_phone, phone_clean
from .services.binding import identity_bind_confirm, identity_bind_start
from .services.codes import CodeSent, code_resend
from .services.contact import (
    email_change_confirm,
    email_change_start,
    phone_change_confirm,
    phone_change_start,
)
from .services.devices import device_code_send, device_confirm, device_forget, device_hash_of
from .services.language import LANGUAGES, user_language_set
from .services.passwords import password_change, password_reset, password_reset_start
from .services.registration import registration_start, user_register
from .services.sign_in import session_start, sign_in_start, sign_out
from .services.step_up import step_up_confirm, step_up_fresh, step_up_start
from .services.tokens import token_revoke
from .user_agents import user_agent_summary

Purpose = VerificationCode.Purpose
# What a pending two-step flow keeps in the session between its pages.
REGISTER_PHONE = "accounts:register_phone"
RESET_PHONE = "accounts:reset_phone"
# A right password on a new device, waiting for the code: {"user", "at", "next"}.
PENDING_SIGN_IN = "accounts:pending_sign_in"
PENDING_SIGN_IN_SECONDS = 10 * 60
SENT_TO = "accounts:sent_to:%s"


def _attempt(form: forms.Form, call: Callable[[], Any]) -> tuple[bool, Any]:
    """Run a service; put a refusal on the form (on its field when it names one)."""
    try:
        return True, call()
    except Problem as problem:
        placed = False
        for error in problem.errors:
            if error["field"] in form.fields:
                form.add_error(error["field"], error["message"])
                placed = True
        if not placed:
            form.add_error(None, problem.detail)
        return False, None


def _resend(request: HttpRequest, call: Callable[[], Any], purpose: str) -> str | None:
    """Send a new code; return the problem's text if refused (shown above the code form)."""
    try:
        sent = call()
    except Problem as problem:
        return problem.detail
    _remember_sent(request, purpose, sent)
    messages.success(request, _("We sent a new code to %(to)s.") % {"to": sent.destination})
    return None


def _remember_sent(request: HttpRequest, purpose: str, sent: CodeSent) -> None:
    request.session[SENT_TO % purpose] = sent.destination


def _safe_next(request: HttpRequest) -> str | None:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


def _code_page(
    request: HttpRequest,
    form: CodeForm,
    *,
    title: str,
    purpose: str,
    back_url: str,
    lead: str = "",
    resend_error: str | None = None,
) -> HttpResponse:
    return render(
        request,
        "accounts/code_confirm.html",
        {
            "form": form,
            "title": title,
            "lead": lead,
            "destination": request.session.get(SENT_TO % purpose, ""),
            "back_url": back_url,
            "resend_error": resend_error,
        },
    )


def _code_requested(
    request: HttpRequest, form: forms.Form, *, purpose: str, send: Callable[[dict], Any]
) -> bool:
    """The POST of a page whose form asks for a code: send it (`send` gets the form's data; a
    refusal lands on the form); True once sent, to go on to the page that asks for the code."""
    if request.method != "POST" or not form.is_valid():
        return False
    ok, sent = _attempt(form, lambda: send(form.cleaned_data))
    if ok:
        _remember_sent(request, purpose, sent)
    return ok


@dataclass
class _CodeStep:
    """What the POST of a code page came to."""

    form: forms.Form
    resend_error: str | None = None
    done: HttpResponse | None = None  # a new code was sent: back to the page
    confirmed: bool = False
    result: Any = None


def _code_step(
    request: HttpRequest,
    *,
    purpose: str,
    resend: Callable[[], Any],
    confirm: Callable[[dict], Any],
    here: str,
    form_class: type[forms.Form] = CodeForm,
) -> _CodeStep:
    """The POST of a page that asks for a code: "resend" sends a new one (`resend`; back to
    `here` once sent); else the form's data goes to `confirm`, whose refusal lands on the form."""
    if request.method == "POST" and "resend" in request.POST:
        resend_error = _resend(request, resend, purpose)
        if resend_error is None:
            return _CodeStep(form=form_class(), done=redirect(here))
        return _CodeStep(form=form_class(), resend_error=resend_error)
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        confirmed, result = _attempt(form, lambda: confirm(form.cleaned_data))
        return _CodeStep(form=form, confirmed=confirmed, result=result)
    return _CodeStep(form=form)


# --- sign in, sign out ------------------------------------------------------------------------


def login_view(request: HttpRequest) -> HttpResponse:
    """Sign in with mobile number and password; on a browser not seen before, then with the
    code sent to the account's phone (login_confirm_view)."""
    if request.method == "POST":
        form = LoginForm(request.POST)
        if form.is_valid():
            ok, signed = _attempt(
                form,
                lambda: sign_in_start(
                    request=request,
                    phone=form.cleaned_data["phone"],
                    password=form.cleaned_data["password"],
                    device_id=device_cookie_id(request),
                    channel=LoginEvent.Channel.WEB,
                ),
            )
            if ok and signed.sent is not None:
                request.session[PENDING_SIGN_IN] = {
                    "user": signed.user.pk,
                    "at": int(time.time()),
                    "next": _safe_next(request) or "",
                }
                _remember_sent(request, Purpose.NEW_DEVICE, signed.sent)
                return redirect("accounts:login_confirm")
            if ok:
                return redirect(_safe_next(request) or "accounts:account")
    else:
        if request.user.is_authenticated and request.user.phone:
            return redirect(_safe_next(request) or "accounts:account")
        form = LoginForm()
    return render(request, "accounts/login.html", {"form": form, "next": _safe_next(request)})


def _pending_sign_in(request: HttpRequest) -> tuple[User | None, str]:
    """The account waiting for its new-device code on this session, and where to go after."""
    pending = request.session.get(PENDING_SIGN_IN) or {}
    if not pending or time.time() - pending.get("at", 0) > PENDING_SIGN_IN_SECONDS:
        request.session.pop(PENDING_SIGN_IN, None)
        return None, ""
    user = User.objects.filter(pk=pending.get("user"), is_active=True).first()
    return user, pending.get("next", "")


def login_confirm_view(request: HttpRequest) -> HttpResponse:
    """Sign in on a new browser, step 2: the code sent to the account's phone. The browser is
    then remembered (a signed cookie) and signs in with the password alone."""
    user, next_url = _pending_sign_in(request)
    if user is None:
        messages.error(request, _("Sign in again: the code was asked for too long ago."))
        return redirect("accounts:login")

    def confirm(data: dict) -> str:
        device_id = device_cookie_id_or_new(request)
        device_confirm(
            user=user,
            code=data["code"],
            device_id=device_id,
            kind=KnownDevice.Kind.WEB,
            name=user_agent_summary(request.headers.get("User-Agent")),
        )
        return device_id

    step = _code_step(
        request,
        purpose=Purpose.NEW_DEVICE,
        resend=lambda: device_code_send(user=user, client_address=client_address(request)),
        confirm=confirm,
        here="accounts:login_confirm",
    )
    if step.done:
        return step.done
    if step.confirmed:
        request.session.pop(PENDING_SIGN_IN, None)
        request.session.pop(SENT_TO % Purpose.NEW_DEVICE, None)
        session_start(request=request, user=user, channel=LoginEvent.Channel.WEB)
        response = redirect(next_url or "accounts:account")
        device_cookie_set(response, step.result)
        return response
    return _code_page(
        request,
        step.form,
        title=_("Confirm it is you"),
        lead=_(
            "You are signing in on a device we do not know yet. Enter the code we sent to the "
            "mobile number of the account; this device will then be remembered."
        ),
        purpose=Purpose.NEW_DEVICE,
        resend_error=step.resend_error,
        back_url=reverse("accounts:login"),
    )


def logout_view(request: HttpRequest) -> HttpResponse:
    """Sign out (POST); a GET shows the button."""
    if request.method == "POST":
        sign_out(request=request, user=request.user, channel=LoginEvent.Channel.WEB)
        messages.success(request, _("You have signed out."))
        return redirect("accounts:login")
    return render(request, "accounts/logout.html")


# --- registration -----------------------------------------------------------------------------


def register_view(request: HttpRequest) -> HttpResponse:
    """Step 1 of 2: number, password, email."""
    if request.user.is_authenticated and request.method == "GET":
        return redirect("accounts:account")
    form = RegisterForm(request.POST or None)
    if _code_requested(
        request,
        form,
        purpose=Purpose.REGISTER,
        send=lambda data: registration_start(
            phone=data["phone"],
            password=data["password"],
            email=data["email"],
            client_address=client_address(request),
        ),
    ):
        request.session[REGISTER_PHONE] = phone_clean(form.cleaned_data["phone"])
        return redirect("accounts:register_confirm")
    return render(request, "accounts/register.html", {"form": form})


def register_confirm_view(request: HttpRequest) -> HttpResponse:
    """Step 2 of 2: the code sent to the number; then signed in."""
    phone = request.session.get(REGISTER_PHONE)
    if not phone:
        return redirect("accounts:register")
    step = _code_step(
        request,
        purpose=Purpose.REGISTER,
        resend=lambda: code_resend(
            purpose=Purpose.REGISTER, destination=phone, client_address=client_address(request)
        ),
        confirm=lambda data: user_register(phone=phone, code=data["code"]),
        here="accounts:register_confirm",
    )
    if step.done:
        return step.done
    if step.confirmed:
        session_start(request=request, user=step.result, channel=LoginEvent.Channel.WEB)
        messages.success(
            request,
            _("Your account is ready and you are signed in. Next, bind your identity."),
        )
        return redirect("accounts:identity")
    return _code_page(
        request,
        step.form,
        title=_("Confirm your mobile number"),
        purpose=Purpose.REGISTER,
        resend_error=step.resend_error,
        back_url=reverse("accounts:register"),
    )


# --- password reset ---------------------------------------------------------------------------


def password_reset_view(request: HttpRequest) -> HttpResponse:
    """Forgotten password, step 1: the number."""
    form = PasswordResetForm(request.POST or None)
    if _code_requested(
        request,
        form,
        purpose=Purpose.RESET_PASSWORD,
        send=lambda data: password_reset_start(
            phone=data["phone"], client_address=client_address(request)
        ),
    ):
        request.session[RESET_PHONE] = phone_clean(form.cleaned_data["phone"])
        return redirect("accounts:password_reset_confirm")
    return render(request, "accounts/password_reset.html", {"form": form})


def password_reset_confirm_view(request: HttpRequest) -> HttpResponse:
    """Forgotten password, step 2: the code and a new password."""
    phone = request.session.get(RESET_PHONE)
    if not phone:
        return redirect("accounts:password_reset")
    step = _code_step(
        request,
        purpose=Purpose.RESET_PASSWORD,
        resend=lambda: password_reset_start(phone=phone, client_address=client_address(request)),
        confirm=lambda data: password_reset(
            phone=phone, code=data["code"], password=data["password"]
        ),
        here="accounts:password_reset_confirm",
        form_class=PasswordResetConfirmForm,
    )
    if step.done:
        return step.done
    if step.confirmed:
        request.session.pop(RESET_PHONE, None)
        messages.success(
            request,
            _(
                "Your password has been changed and you were signed out everywhere. Sign "
                "in with your new password."
            ),
        )
        return redirect("accounts:login")
    return render(
        request,
        "accounts/password_reset_confirm.html",
        {"form": step.form, "destination": mask_phone(phone), "resend_error": step.resend_error},
    )


# --- the account --------------------------------------------------------------------------------


@login_required
def account_view(request: HttpRequest) -> HttpResponse:
    """My account: number, email, identity, whom I act for, recent sign-ins."""
    user = request.user
    if user.is_staff:  # staff accounts are not citizens: no identity to bind
        return redirect("staff:home")
    return render(
        request,
        "accounts/account.html",
        {
            "phone": mask_phone(user.phone),
            "email": mask_email(user.email),
            "acting_for": [
                {
                    "name": item.person.name,
                    "id_number": mask_id_number(item.person.id_number),
                    "relation": item.relation,
                }
                for item in selectors.acting_for(user=user)
            ],
            "events": selectors.login_events_recent(user=user),
            "unread_messages": inbox_unread_count(user=user),
            "languages": [("zh-hans", "简体中文"), ("en", "English")],
        },
    )


@login_required
@require_POST
def language_view(request: HttpRequest) -> HttpResponse:
    """The language of the account's messages (a choice on the account page)."""
    try:
        user_language_set(user=request.user, language=request.POST.get("language", ""))
    except Problem as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("Your messages will be written in the language you chose."))
    return redirect("accounts:account")


def set_language_view(request: HttpRequest) -> HttpResponse:
    """The site's language switcher (Django's set_language); a signed-in citizen's messages
    follow the language they switch the site to."""
    response = set_language(request)
    language = request.POST.get("language", "") if request.method == "POST" else ""
    user = request.user
    if (
        user.is_authenticated
        and not user.is_staff
        and language in LANGUAGES
        and response.status_code in (302, 204)
    ):
        user_language_set(user=user, language=language)
    return response


@login_required
def identity_view(request: HttpRequest) -> HttpResponse:
    """Real-name binding, step 1: name and ID number."""
    if request.user.person_id:
        messages.info(request, _("Your account is already bound to your identity."))
        return redirect("accounts:account")
    form = IdentityForm(request.POST or None)
    if _code_requested(
        request,
        form,
        purpose=Purpose.BIND_IDENTITY,
        send=lambda data: identity_bind_start(
            user=request.user, name=data["name"], id_number=data["id_number"]
        ),
    ):
        return redirect("accounts:identity_confirm")
    return render(request, "accounts/identity.html", {"form": form})


@login_required
def identity_confirm_view(request: HttpRequest) -> HttpResponse:
    """Real-name binding, step 2: the code sent to the phone on file."""
    if request.user.person_id:
        return redirect("accounts:account")
    if not request.session.get(SENT_TO % Purpose.BIND_IDENTITY):
        return redirect("accounts:identity")
    step = _code_step(
        request,
        purpose=Purpose.BIND_IDENTITY,
        resend=lambda: code_resend(purpose=Purpose.BIND_IDENTITY, user=request.user),
        confirm=lambda data: identity_bind_confirm(user=request.user, code=data["code"]),
        here="accounts:identity_confirm",
    )
    if step.done:
        return step.done
    if step.confirmed:
        request.session.pop(SENT_TO % Purpose.BIND_IDENTITY, None)
        messages.success(request, _("Your account is now bound to your identity."))
        return redirect("accounts:account")
    return _code_page(
        request,
        step.form,
        title=_("Confirm your identity"),
        lead=_(
            "We sent the code to the mobile number that the population registry holds for you, "
            "which may differ from your account's number."
        ),
        purpose=Purpose.BIND_IDENTITY,
        back_url=reverse("accounts:identity"),
        resend_error=step.resend_error,
    )


@login_required
def devices_view(request: HttpRequest) -> HttpResponse:
    """Apps and mini-programs signed in to the account, and the remembered browsers and apps."""
    return render(
        request,
        "accounts/devices.html",
        {
            "tokens": selectors.tokens_active(user=request.user),
            "known": selectors.devices_known(user=request.user),
            "this_device": device_hash_of(device_cookie_id(request)),
        },
    )


@login_required
@require_POST
def device_forget_view(request: HttpRequest, device_id: int) -> HttpResponse:
    try:
        device_forget(user=request.user, device_id=device_id)
    except Problem as problem:
        raise Http404(problem.detail) from problem
    messages.success(
        request, _("The device is forgotten: a code will be asked the next time it signs in.")
    )
    return redirect("accounts:devices")


@login_required
@require_POST
def device_revoke_view(request: HttpRequest, token_id: int) -> HttpResponse:
    try:
        token = token_revoke(user=request.user, token_id=token_id)
    except Problem as problem:
        raise Http404(problem.detail) from problem
    messages.success(request, _("“%(device)s” is signed out.") % {"device": token.name})
    return redirect("accounts:devices")


def _change_views(*, purpose: str, start_form, start, confirm, kind: str):
    """The two pages of a change of mobile number or email (password asked again)."""

    @login_required
    def start_view(request: HttpRequest) -> HttpResponse:
        form = start_form(request.POST or None)
        if _code_requested(
            request, form, purpose=purpose, send=lambda data: start(user=request.user, **data)
        ):
            return redirect(f"accounts:change_{kind}_confirm")
        return render(request, "accounts/change.html", {"form": form, "kind": kind})

    @login_required
    def confirm_view(request: HttpRequest) -> HttpResponse:
        if not request.session.get(SENT_TO % purpose):
            return redirect(f"accounts:change_{kind}")
        step = _code_step(
            request,
            purpose=purpose,
            resend=lambda: code_resend(purpose=purpose, user=request.user),
            confirm=lambda data: confirm(user=request.user, code=data["code"]),
            here=f"accounts:change_{kind}_confirm",
        )
        if step.done:
            return step.done
        if step.confirmed:
            request.session.pop(SENT_TO % purpose, None)
            # The session hash follows the number: other sessions end, this one stays.
            update_session_auth_hash(request, step.result)
            messages.success(
                request,
                _("Your mobile number has been changed.")
                if kind == "phone"
                else _("Your email address has been changed."),
            )
            return redirect("accounts:account")
        return _code_page(
            request,
            step.form,
            title=_("Confirm your new mobile number")
            if kind == "phone"
            else _("Confirm your new email address"),
            purpose=purpose,
            back_url=reverse(f"accounts:change_{kind}"),
            resend_error=step.resend_error,
        )

    return start_view, confirm_view


change_phone_view, change_phone_confirm_view = _change_views(
    purpose=Purpose.CHANGE_PHONE,
    start_form=PhoneChangeForm,
    start=phone_change_start,
    confirm=phone_change_confirm,
    kind="phone",
)
change_email_view, change_email_confirm_view = _change_views(
    purpose=Purpose.CHANGE_EMAIL,
    start_form=EmailChangeForm,
    start=email_change_start,
    confirm=email_change_confirm,
    kind="email",
)


# --- step-up and password change ------------------------------------------------------------


def step_up_page(view: Callable) -> Callable:
    """A page that changes something for good: a code to the account's phone first."""

    @login_required
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not step_up_fresh(request):
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('accounts:step_up')}?{query}")
        return view(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


@login_required
def step_up_view(request: HttpRequest) -> HttpResponse:
    """Confirm it is you: a code to the account's own phone, then back to the page asked for."""
    next_url = _safe_next(request) or reverse("accounts:account")
    form = CodeForm(request.POST if "confirm" in request.POST else None)
    resend_error = None
    sent = bool(request.session.get(SENT_TO % Purpose.STEP_UP))
    if request.method == "POST" and "send" in request.POST:
        resend_error = _resend(
            request,
            lambda: step_up_start(user=request.user, client_address=client_address(request)),
            Purpose.STEP_UP,
        )
        sent = resend_error is None or sent
        form = CodeForm()
    elif form.is_bound and form.is_valid():
        ok, _none = _attempt(
            form,
            lambda: step_up_confirm(
                request=request, user=request.user, code=form.cleaned_data["code"]
            ),
        )
        if ok:
            request.session.pop(SENT_TO % Purpose.STEP_UP, None)
            return redirect(next_url)
    return render(
        request,
        "accounts/step_up.html",
        {
            "form": form,
            "sent": sent,
            "next": next_url,
            "destination": mask_phone(request.user.phone),
            "resend_error": resend_error,
        },
    )


@step_up_page
def password_change_view(request: HttpRequest) -> HttpResponse:
    """Change the password: the current one, then the new one (after a step-up code)."""
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ok, user = _attempt(
            form,
            lambda: password_change(
                user=request.user,
                current_password=form.cleaned_data["current_password"],
                new_password=form.cleaned_data["new_password"],
            ),
        )
        if ok:
            update_session_auth_hash(request, user)  # this session stays signed in
            messages.success(
                request, _("Your password has been changed. Other devices are signed out.")
            )
            return redirect("accounts:account")
    return render(request, "accounts/password_change.html", {"form": form})
