"""Certificate pages: a citizen's certificates and the request form, the download, the public
verification page (code, PDF, a photo of the QR code or its text) and the development CA's CRL."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from accounts.decorators import bound_required
from core.errors import Problem
from core.http import client_address
from persons.selectors import persons_acting_for

from . import selectors, services, signing, verification
from .api import pdf_response, verify_url
from .errors import NothingToVerify
from .forms import CertificateRequestForm, VerifyForm, VerifyQrForm, VerifyQrImageForm


def _place(form, problem: Problem, *, field: str | None = None) -> None:
    placed = False
    for error in problem.errors:
        if error["field"] in form.fields:
            form.add_error(error["field"], error["message"])
            placed = True
    if not placed:
        form.add_error(field, problem.detail)


@never_cache
@bound_required
@require_http_methods(["GET", "POST"])
def certificate_list(request: HttpRequest) -> HttpResponse:
    """The citizen's certificates (and their minors'), and the form to ask for one."""
    persons = persons_acting_for(user=request.user)
    data = request.POST if request.method == "POST" else None
    form = CertificateRequestForm(data, persons=persons, initial={"person": persons[0].pk})
    status = 200
    if form.is_bound:
        if form.is_valid():
            try:
                certificate = services.certificate_request(
                    user=request.user,
                    person_id=form.cleaned_data["person"],
                    kind=form.cleaned_data["kind"],
                    period_start=form.cleaned_data["period_start"],
                    period_end=form.cleaned_data["period_end"],
                    purpose=form.cleaned_data["purpose"],
                    verify_url=verify_url(request),
                )
            except Problem as problem:
                _place(form, problem, field="kind")
                status = problem.status
            else:
                messages.success(
                    request,
                    _("Your certificate is ready. Its verification code is %(code)s.")
                    % {"code": certificate.code_display},
                )
                return redirect("certificates:list")
        else:
            status = 422
    certificates = list(selectors.certificates_for(user=request.user)[:50])
    return render(
        request,
        "certificates/list.html",
        {"form": form, "certificates": certificates},
        status=status,
    )


@bound_required
@require_GET
def certificate_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The signed PDF as issued; Cache-Control: no-store (set by pdf_response)."""
    try:
        certificate = selectors.certificate_get_for(user=request.user, certificate_id=pk)
    except Problem:
        raise Http404 from None
    return pdf_response(certificate)


@never_cache
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """Verify a certificate by its code and/or its PDF, by a photo of its QR code or by the QR
    code's text. No sign-in."""
    form = VerifyForm(initial={"code": request.GET.get("code", "")[:40]})
    image_form = VerifyQrImageForm()
    qr_form = VerifyQrForm()
    context: dict = {}
    status = 200
    if request.method == "POST":
        # The photo's form says so in a hidden field: a press of its button without a photo
        # is still that form's (and says that the photo is missing).
        if request.POST.get("via") == "image":
            current, field = VerifyQrImageForm(request.POST, request.FILES), "image"
            image_form = current
        elif "payload" in request.POST:
            current, field = VerifyQrForm(request.POST), "payload"
            qr_form = current
        else:
            current, field = VerifyForm(request.POST, request.FILES), "file"
            form = current
        if current.is_valid():
            try:
                verification.verify_rate_hit(client_address(request))
                context["verdict"] = _verdict_of(current)
            except Problem as problem:
                _place(current, problem, field=field)
                status = problem.status
        else:
            status = 422
    context.update(form=form, image_form=image_form, qr_form=qr_form)
    return render(request, "certificates/verify.html", context, status=status)


def _verdict_of(form) -> verification.Verdict:
    if isinstance(form, VerifyQrImageForm):
        return verification.verify_qr_image(form.cleaned_data["image"])
    if isinstance(form, VerifyQrForm):
        return verification.verify_qr(form.cleaned_data["payload"])
    return _verify_form(form)


def _verify_form(form: VerifyForm) -> verification.Verdict:
    code = (form.cleaned_data["code"] or "").strip()
    upload = form.cleaned_data["file"]
    if upload is not None:
        data = verification.upload_read(upload)
        return verification.verify_pdf(data, code=code or None)
    if not code:
        raise NothingToVerify()
    return verification.verify_code(code)


@require_GET
def ca_crl(request: HttpRequest) -> HttpResponse:
    """The signing CA's current CRLs (DER of the first), as the certificates point to."""
    material = signing.signing_material()
    if not material.crls:
        return HttpResponse(status=404)
    response = HttpResponse(material.crls[0].dump(), content_type="application/pkix-crl")
    response["Cache-Control"] = "public, max-age=3600"
    return response
