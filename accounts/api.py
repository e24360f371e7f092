"""Account endpoints: codes, registration, sign-in, tokens, who am I, real-name binding."""

import datetime as dt
from collections.abc import Callable
from typing import Literal

from django.contrib.auth import update_session_auth_hash
from django.http import HttpRequest, HttpResponse
from ninja import Path, Query, Router, Schema, Status
from pydantic import Field

from core.api import Page, PageParams, ProblemOut, page_links
from core.bounds import MAX_ID
from core.http import client_address
from core.masking import mask_id_number

from . import selectors
from .auth import citizen_auth, require_csrf
from .device_cookie import device_cookie_id, device_cookie_id_or_new, device_cookie_set
from .models import ApiToken, LoginEvent, User
from .phones import mask_email, mask_phone
from .services.binding import identity_bind_confirm, identity_bind_start
from .services.codes import CodeSent
from .services.contact import (
    email_change_confirm,
    email_change_start,
    phone_change_confirm,
    phone_change_start,
)
from .services.devices import device_forget, device_hash_of
from .services.language import user_language_set
from .services.passwords import password_change, password_reset, password_reset_start
from .services.registration import registration_code_request, user_register
from .services.sign_in import sign_in_start, sign_out
from .services.step_up import step_up_confirm, step_up_required, step_up_start
from .services.tokens import token_issue, token_revoke
from .user_agents import user_agent_summary

router = Router(tags=["accounts"])


# --- schemas --------------------------------------------------------------------------------

_PHONE = Field(max_length=32, description="Mainland mobile number, e.g. 13912345678.")
_PASSWORD = Field(max_length=128, description="8 to 128 characters.")
_CODE = Field(max_length=16, description="The 6-digit code from the message.")


class CodeSentOut(Schema):
    channel: str = Field(description="sms or email")
    destination: str = Field(description="Where the code went, masked.")
    expires_at: dt.datetime
    resend_after: int = Field(description="Seconds before a new code may be asked for.")


class OtpIn(Schema):
    purpose: Literal["register", "reset_password"]
    phone: str = _PHONE


class RegisterIn(Schema):
    phone: str = _PHONE
    password: str = _PASSWORD
    email: str = Field("", max_length=254)
    code: str = _CODE


_DEVICE_CODE = Field(
    "",
    max_length=16,
    description="On a device not seen before: the code sent to the account's phone by the "
    "first call (which answered 202). Leave out otherwise.",
)


class LoginIn(Schema):
    phone: str = _PHONE
    password: str = _PASSWORD
    code: str = _DEVICE_CODE


class TokenIn(Schema):
    phone: str = _PHONE
    password: str = _PASSWORD
    device: str = Field(min_length=1, max_length=100, description="e.g. 'iPhone of Zhang Wei'.")
    device_id: str = Field(
        "",
        max_length=100,
        description="The app's own id for this installation (random, kept on the device, up "
        "to 100 printable characters without spaces). Once a code has been confirmed with it, "
        "tokens for this account are issued with the password alone; without it every token "
        "needs a code.",
    )
    code: str = _DEVICE_CODE


class DeviceCodeSentOut(CodeSentOut):
    code_required: bool = Field(
        True, description="A new device: repeat the call with the code sent to the phone."
    )


class TokenCreatedOut(Schema):
    id: int
    token: str = Field(description="Send as `Authorization: Bearer <token>`. Shown only once.")
    device: str
    expires_at: dt.datetime


class TokenOut(Schema):
    id: int
    device: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    expires_at: dt.datetime
    revoked: bool
    current: bool = Field(description="The token of this very request.")


class KnownDeviceOut(Schema):
    id: int
    kind: Literal["web", "app"] = Field(description="web: a browser; app: an app installation.")
    label: str = Field(
        description="A browser as 'Chrome on Windows' (never its full User-Agent); an app by "
        "the device name it gave."
    )
    first_seen_at: dt.datetime = Field(description="When the code was first confirmed on it.")
    last_seen_at: dt.datetime | None = Field(description="Its latest sign-in.")
    current: bool = Field(description="This very browser (always false with a bearer token).")


class PasswordResetIn(Schema):
    phone: str = _PHONE
    code: str = _CODE
    password: str = _PASSWORD


class ActingForOut(Schema):
    id: int
    name: str = Field(description="In the reader's language: Chinese characters or pinyin.")
    name_zh: str
    name_pinyin: str
    id_number: str = Field(description="Masked.")
    relation: str = Field(description="self or minor")


class MeOut(Schema):
    id: int
    phone: str = Field(description="Masked: only the last four digits.")
    email: str = Field(description="Masked.")
    is_bound: bool = Field(description="Bound to a person of the registry (real-name binding).")
    bound_at: dt.datetime | None
    name: str | None = None
    id_number: str | None = Field(None, description="Masked.")
    acting_for: list[ActingForOut] = Field(
        description="Whom the citizen may act for: themself and registered minor children."
    )
    language: Literal["zh-hans", "en"] = Field(
        description="The language of every message sent to the account (notifications, "
        "one-time codes). Set from the language of registration; change it with PATCH me."
    )


class MeUpdateIn(Schema):
    language: Literal["zh-hans", "en"] = Field(
        description="The language of the account's messages: zh-hans (Chinese) or en."
    )


class IdentityIn(Schema):
    name: str = Field(max_length=100, description="As written on the ID card.")
    id_number: str = Field(max_length=32, description="Resident ID number (18 characters).")


class CodeIn(Schema):
    code: str = _CODE


class PhoneChangeIn(Schema):
    password: str = _PASSWORD
    phone: str = Field(max_length=32, description="The new mobile number.")


class EmailChangeIn(Schema):
    password: str = _PASSWORD
    email: str = Field(max_length=254, description="The new email address.")


def _code_sent(sent: CodeSent) -> dict:
    return {
        "channel": sent.channel,
        "destination": sent.destination,
        "expires_at": sent.expires_at,
        "resend_after": sent.resend_after,
    }


def _me(user: User) -> dict:
    person = user.person if user.person_id else None
    return {
        "id": user.pk,
        "phone": mask_phone(user.phone),
        "email": mask_email(user.email),
        "is_bound": person is not None,
        "bound_at": user.bound_at,
        "name": person.name if person else None,
        "id_number": mask_id_number(person.id_number) if person else None,
        "acting_for": [
            {
                "id": item.person.pk,
                "name": item.person.name,
                "name_zh": item.person.name_zh,
                "name_pinyin": item.person.name_pinyin,
                "id_number": mask_id_number(item.person.id_number),
                "relation": item.relation,
            }
            for item in selectors.acting_for(user=user)
        ],
        "language": user.language,
    }


def _bearer(request: HttpRequest) -> bool:
    return getattr(request.auth, "api_token", None) is not None


def _token(token: ApiToken, request: HttpRequest) -> dict:
    current = getattr(request.auth, "api_token", None)
    return {
        "id": token.pk,
        "device": token.name,
        "created_at": token.created_at,
        "last_used_at": token.last_used_at,
        "expires_at": token.expires_at,
        "revoked": token.revoked_at is not None,
        "current": current is not None and current.pk == token.pk,
    }


# --- sign-up, sign-in -------------------------------------------------------------------------


@router.post(
    "auth/otp",
    response={202: CodeSentOut, 409: ProblemOut, 422: ProblemOut, 429: ProblemOut, 503: ProblemOut},
    url_name="auth_otp",
    summary="Send a one-time code (registration or password reset)",
)
def auth_otp(request: HttpRequest, payload: OtpIn):
    """Send a 6-digit code by SMS. Codes last 10 minutes, allow 5 tries, and may be asked for
    once a minute and 10 times a day per number. For a password reset the answer is the same
    whether or not the number has an account."""
    if payload.purpose == "register":
        sent = registration_code_request(
            phone=payload.phone, client_address=client_address(request)
        )
    else:
        sent = password_reset_start(phone=payload.phone, client_address=client_address(request))
    return Status(202, _code_sent(sent))


@router.post(
    "auth/register",
    response={201: MeOut, 409: ProblemOut, 422: ProblemOut},
    url_name="auth_register",
    summary="Create an account with the code sent to the number",
)
def auth_register(request: HttpRequest, payload: RegisterIn):
    """Then sign in (`auth/login`) or get a token (`auth/token`)."""
    user = user_register(
        phone=payload.phone, code=payload.code, password=payload.password, email=payload.email
    )
    return Status(201, _me(user))


@router.post(
    "auth/login",
    response={
        200: MeOut,
        202: DeviceCodeSentOut,
        401: ProblemOut,
        403: ProblemOut,
        422: ProblemOut,
        429: ProblemOut,
        503: ProblemOut,
    },
    url_name="auth_login",
    summary="Sign in on the website's session",
)
def auth_login(request: HttpRequest, response: HttpResponse, payload: LoginIn):
    """Needs the CSRF token (X-CSRFToken header) as every session write does. The session id
    changes at sign-in; the session ends after 30 minutes without a request or 12 hours after
    sign-in. After 5 failures for the same account from the same address, that account is locked
    for that address for 15 minutes (429).

    A browser not seen before (no device cookie known to the account) gets 202: a code was
    sent to the account's phone; repeat the call with `code`. The browser then gets its device
    cookie and signs in with the password alone from then on."""
    require_csrf(request)
    device_id = device_cookie_id_or_new(request) if payload.code else device_cookie_id(request)
    signed = sign_in_start(
        request=request,
        phone=payload.phone,
        password=payload.password,
        device_id=device_id,
        code=payload.code,
        channel=LoginEvent.Channel.API,
        device_name=user_agent_summary(request.headers.get("User-Agent")),
    )
    if signed.sent is not None:
        return Status(202, _code_sent(signed.sent) | {"code_required": True})
    if payload.code:
        device_cookie_set(response, device_id)
    return Status(200, _me(signed.user))


@router.post(
    "auth/logout",
    auth=citizen_auth,
    response={204: None, 401: ProblemOut, 403: ProblemOut},
    url_name="auth_logout",
    summary="Sign out (session), or revoke the bearer token used",
)
def auth_logout(request: HttpRequest):
    sign_out(request=request, user=request.auth, channel=LoginEvent.Channel.API)
    return Status(204, None)


@router.post(
    "auth/token",
    response={
        201: TokenCreatedOut,
        202: DeviceCodeSentOut,
        401: ProblemOut,
        422: ProblemOut,
        429: ProblemOut,
        503: ProblemOut,
    },
    url_name="auth_token",
    summary="Get a bearer token for an app or mini-program",
)
def auth_token(request: HttpRequest, payload: TokenIn):
    """The token is shown once; only its hash is kept. It lasts API_TOKEN_LIFETIME_DAYS (90 days
    by default) and can be revoked from `me/tokens`. Failures count towards the same lockout as
    the website's sign-in.

    A device not seen before (its `device_id` never confirmed for this account, or no
    `device_id`) first gets 202: a code was sent to the account's phone (at most one a minute,
    10 a day). Repeat the call with the same `device_id` and the `code`: the device is
    remembered (only a hash of its id is kept) and later tokens need the password alone."""
    issued = token_issue(
        request=request,
        phone=payload.phone,
        password=payload.password,
        device=payload.device,
        device_id=payload.device_id,
        code=payload.code,
    )
    if isinstance(issued, CodeSent):
        return Status(202, _code_sent(issued) | {"code_required": True})
    return Status(
        201,
        {
            "id": issued.token.pk,
            "token": issued.key,
            "device": issued.token.name,
            "expires_at": issued.token.expires_at,
        },
    )


@router.post(
    "auth/password-reset",
    response={204: None, 422: ProblemOut},
    url_name="auth_password_reset",
    summary="Set a new password with the code sent to the number",
)
def auth_password_reset(request: HttpRequest, payload: PasswordResetIn):
    """Ask for the code with `auth/otp` (purpose reset_password). Every session and token of
    the account ends."""
    password_reset(phone=payload.phone, code=payload.code, password=payload.password)
    return Status(204, None)


# --- me -------------------------------------------------------------------------------------------


@router.get(
    "me",
    auth=citizen_auth,
    response={200: MeOut, 401: ProblemOut},
    url_name="me",
    summary="Who am I, and whom may I act for",
)
def me(request: HttpRequest):
    return Status(200, _me(request.auth))


@router.patch(
    "me",
    auth=citizen_auth,
    response={200: MeOut, 401: ProblemOut, 403: ProblemOut, 422: ProblemOut},
    url_name="me_update",
    summary="Change my account's settings: the language of my messages",
)
def me_update(request: HttpRequest, payload: MeUpdateIn):
    """Messages (notifications and one-time codes) are written in this language from now on."""
    user_language_set(user=request.auth, language=payload.language)
    return Status(200, _me(request.auth))


@router.get(
    "me/tokens",
    auth=citizen_auth,
    response={200: Page[TokenOut], 401: ProblemOut, 422: ProblemOut},
    url_name="me_tokens",
    summary="My devices (active tokens)",
)
def me_tokens(request: HttpRequest, page: Query[PageParams]):
    tokens = selectors.tokens_active(user=request.auth)
    count = tokens.count()
    results = tokens[page.offset : page.offset + page.limit]
    return Status(
        200,
        {
            **page_links(request, count=count, limit=page.limit, offset=page.offset),
            "results": [_token(t, request) for t in results],
        },
    )


@router.post(
    "me/tokens/{token_id}/revoke",
    auth=citizen_auth,
    response={200: TokenOut, 401: ProblemOut, 403: ProblemOut, 404: ProblemOut},
    url_name="me_token_revoke",
    summary="Revoke one of my devices",
)
def me_token_revoke(request: HttpRequest, token_id: int = Path(..., ge=1, le=MAX_ID)):
    """Revoking again changes nothing. Another citizen's token is not found (404)."""
    token = token_revoke(user=request.auth, token_id=token_id)
    return Status(200, _token(token, request))


@router.get(
    "me/devices",
    auth=citizen_auth,
    response={200: Page[KnownDeviceOut], 401: ProblemOut, 422: ProblemOut},
    url_name="me_devices",
    summary="My remembered devices (browsers and apps that sign in without a code)",
)
def me_devices(request: HttpRequest, page: Query[PageParams]):
    """Browsers and app installations on which a code sent to the account's phone was
    confirmed: they sign in (or get a token) with the password alone. Last seen first."""
    devices = selectors.devices_known(user=request.auth)
    count = devices.count()
    rows = devices[page.offset : page.offset + page.limit]
    this = None if _bearer(request) else device_hash_of(device_cookie_id(request))
    return Status(
        200,
        {
            **page_links(request, count=count, limit=page.limit, offset=page.offset),
            "results": [
                {
                    "id": d.pk,
                    "kind": d.kind,
                    "label": d.label,
                    "first_seen_at": d.created_at,
                    "last_seen_at": d.last_seen_at,
                    "current": this is not None and d.device_hash == this,
                }
                for d in rows
            ],
        },
    )


@router.delete(
    "me/devices/{device_id}",
    auth=citizen_auth,
    response={204: None, 401: ProblemOut, 403: ProblemOut, 404: ProblemOut, 422: ProblemOut},
    url_name="me_device_forget",
    summary="Forget one of my remembered devices",
)
def me_device_forget(request: HttpRequest, device_id: int = Path(..., ge=1, le=MAX_ID)):
    """The device is asked a code sent to the account's phone the next time it signs in or
    gets a token. It is not signed out: revoke an app's token with `me/tokens/{id}/revoke`.
    Another citizen's device is not found (404)."""
    device_forget(user=request.auth, device_id=device_id)
    return Status(204, None)


# --- changes made with a code: real-name binding, a new mobile number or email ----------------

# The answers of the two steps of a change made with a code (real-name binding, a new mobile
# number or email): the code is sent, then confirmed.
_CODE_SENT_ANSWERS = {
    202: CodeSentOut,
    401: ProblemOut,
    403: ProblemOut,
    409: ProblemOut,
    422: ProblemOut,
    429: ProblemOut,
    503: ProblemOut,
}
_CONFIRMED_ANSWERS = {
    200: MeOut,
    401: ProblemOut,
    403: ProblemOut,
    409: ProblemOut,
    422: ProblemOut,
}


def _keeping_this_session(request: HttpRequest, change: Callable[[int | None], User]) -> User:
    """Make a change that ends every other session and token of the account (`change` gets
    the id of the token to keep); this request's token is kept, or its session's hash follows."""
    token = getattr(request.auth, "api_token", None)
    user = change(token.pk if token else None)
    if token is None:
        update_session_auth_hash(request, user)
    return user


def _change_with_code(
    *,
    path: str,
    name: str,
    payload_schema: type[Schema],
    start: Callable[..., CodeSent],
    confirm: Callable[..., User],
    summaries: tuple[str, str],
    start_doc: str,
    confirm_doc: str | None = None,
    keeps_this_session: bool = False,
) -> None:
    """Add the two endpoints of such a change: `path` sends the code (the payload's fields go
    to `start`), `path/confirm` checks it (`confirm`) and answers who I am now.

    `keeps_this_session`: the change ends every other session and token of the account; the
    one of this request stays (its token is kept, or its session's hash follows the change).
    """

    def start_view(request: HttpRequest, payload: payload_schema):
        sent = start(user=request.auth, **payload.dict())
        return Status(202, _code_sent(sent))

    def confirm_view(request: HttpRequest, payload: CodeIn):
        if not keeps_this_session:
            return Status(200, _me(confirm(user=request.auth, code=payload.code)))
        user = _keeping_this_session(
            request, lambda keep: confirm(user=request.auth, code=payload.code, keep_token_id=keep)
        )
        return Status(200, _me(user))

    # A function's name is its operation's id in the OpenAPI document, its docstring the
    # operation's description.
    start_view.__name__, start_view.__doc__ = name, start_doc
    confirm_view.__name__, confirm_view.__doc__ = f"{name}_confirm", confirm_doc
    router.post(
        path,
        auth=citizen_auth,
        response=_CODE_SENT_ANSWERS,
        url_name=name,
        summary=summaries[0],
    )(start_view)
    router.post(
        f"{path}/confirm",
        auth=citizen_auth,
        response=_CONFIRMED_ANSWERS,
        url_name=f"{name}_confirm",
        summary=summaries[1],
    )(confirm_view)


_change_with_code(
    path="me/identity",
    name="me_identity",
    payload_schema=IdentityIn,
    start=identity_bind_start,
    confirm=identity_bind_confirm,
    summaries=(
        "Real-name binding, step 1: name and ID number",
        "Real-name binding, step 2: the code",
    ),
    start_doc=(
        "The person is looked up in the population registry by ID number AND name; the code "
        "goes\nto the mobile number the registry holds for that person (not the account's "
        "number), whose\nmasked form is returned. A mismatch gets one neutral 422, whether or "
        "not the ID number exists;\na person already bound to another account gets 409."
    ),
)
_change_with_code(
    path="me/phone",
    name="me_phone",
    payload_schema=PhoneChangeIn,
    start=phone_change_start,
    confirm=phone_change_confirm,
    summaries=(
        "Change my mobile number, step 1: password and new number",
        "Change my mobile number, step 2: the code",
    ),
    start_doc="The code goes to the new number.",
    confirm_doc="Every other session and token of the account ends; this one stays.",
    keeps_this_session=True,
)
_change_with_code(
    path="me/email",
    name="me_email",
    payload_schema=EmailChangeIn,
    start=email_change_start,
    confirm=email_change_confirm,
    summaries=(
        "Change my email, step 1: password and new address",
        "Change my email, step 2: the code",
    ),
    start_doc="The code goes to the new address.",
)


# --- step-up and password change ------------------------------------------------------------------


class PasswordChangeIn(Schema):
    current_password: str = _PASSWORD
    new_password: str = _PASSWORD


@router.post(
    "me/step-up",
    auth=citizen_auth,
    response={
        202: CodeSentOut,
        401: ProblemOut,
        403: ProblemOut,
        422: ProblemOut,
        429: ProblemOut,
        503: ProblemOut,
    },
    url_name="me_step_up",
    summary="Confirm it is you, step 1: a code to the account's mobile number",
)
def me_step_up(request: HttpRequest):
    """Before reporting a document lost or changing the password, a code is sent to the
    account's own number; `me/step-up/confirm` with it allows such actions from this token or
    session for STEP_UP_SECONDS (5 minutes)."""
    sent = step_up_start(user=request.auth, client_address=client_address(request))
    return Status(202, _code_sent(sent))


@router.post(
    "me/step-up/confirm",
    auth=citizen_auth,
    response={204: None, 401: ProblemOut, 403: ProblemOut, 422: ProblemOut},
    url_name="me_step_up_confirm",
    summary="Confirm it is you, step 2: the code",
)
def me_step_up_confirm(request: HttpRequest, payload: CodeIn):
    step_up_confirm(request=request, user=request.auth, code=payload.code)
    return Status(204, None)


@router.post(
    "me/password",
    auth=citizen_auth,
    response={204: None, 401: ProblemOut, 403: ProblemOut, 422: ProblemOut, 429: ProblemOut},
    url_name="me_password",
    summary="Change my password (the current one and a step-up code first)",
)
def me_password(request: HttpRequest, payload: PasswordChangeIn):
    """Needs `me/step-up/confirm` just before (403 `step_up_required`). Every other session
    and token of the account ends; this one stays."""
    step_up_required(request)
    _keeping_this_session(
        request,
        lambda keep: password_change(
            user=request.auth,
            current_password=payload.current_password,
            new_password=payload.new_password,
            keep_token_id=keep,
        ),
    )
    return Status(204, None)
