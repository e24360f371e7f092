"""The online application form, as data: which applications exist for each document, which
questions each asks, and how the answers are checked against the person's documents.

Pages ask these questions one per page; the API takes them in one request; both call
`answers_validate`, so they can never disagree.
"""

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.phones import InvalidPhone, phone_clean
from core.errors import Problem
from documents.models import Document, DocumentStatus, DocumentType
from documents.selectors import document_display_status

from .errors import AppointmentError
from .models import ApplicationKind

# The guide service whose halls and slots serve each document.
DOCUMENT_SERVICE = {
    DocumentType.PASSPORT: "passport",
    DocumentType.HK_MACAO_PASS: "hk-macao-pass",
    DocumentType.TAIWAN_PERMIT: "taiwan-permit",
}
SERVICE_DOCUMENT = {service: document for document, service in DOCUMENT_SERVICE.items()}

KINDS = {
    DocumentType.PASSPORT: (
        ApplicationKind.FIRST,
        ApplicationKind.RENEWAL,
        ApplicationKind.REPLACEMENT,
    ),
    DocumentType.HK_MACAO_PASS: (
        ApplicationKind.FIRST,
        ApplicationKind.RENEWAL,
        ApplicationKind.REPLACEMENT,
    ),
    DocumentType.TAIWAN_PERMIT: (
        ApplicationKind.FIRST,
        ApplicationKind.RENEWAL,
        ApplicationKind.REPLACEMENT,
    ),
}

# The guide that lists what to bring, per document and application.
GUIDE_SLUG = {
    (DocumentType.PASSPORT, ApplicationKind.FIRST): "passport-first-application",
    (DocumentType.PASSPORT, ApplicationKind.RENEWAL): "passport-renewal",
    (DocumentType.PASSPORT, ApplicationKind.REPLACEMENT): "passport-replacement",
}
GUIDE_SLUG_DEFAULT = {
    DocumentType.HK_MACAO_PASS: "hk-macao-pass",
    DocumentType.TAIWAN_PERMIT: "taiwan-permit",
}


def guide_slug(document_type: str, kind: str) -> str:
    return GUIDE_SLUG.get((document_type, kind)) or GUIDE_SLUG_DEFAULT.get(
        document_type, "passport-first-application"
    )


REPLACEMENT_REASONS = {
    "lost": gettext_lazy("Lost or stolen"),
    "damaged": gettext_lazy("Damaged"),
}


@dataclass(frozen=True)
class EndorsementOption:
    code: str
    label: object  # lazy text


# Endorsements that can be asked for with a new card pass. Group and individual tourism to
# Taiwan are suspended, so they are not offered (policy; the endorsements issue keeps the table).
ENDORSEMENTS = {
    DocumentType.HK_MACAO_PASS: (
        EndorsementOption("HKG-G", gettext_lazy("Hong Kong: individual travel (G)")),
        EndorsementOption("HKG-L", gettext_lazy("Hong Kong: group travel (L)")),
        EndorsementOption("HKG-S", gettext_lazy("Hong Kong: business (S)")),
        EndorsementOption("HKG-T", gettext_lazy("Hong Kong: visiting relatives (T)")),
        EndorsementOption("HKG-Q", gettext_lazy("Hong Kong: other (Q)")),
        EndorsementOption("MAC-G", gettext_lazy("Macao: individual travel (G)")),
        EndorsementOption("MAC-L", gettext_lazy("Macao: group travel (L)")),
        EndorsementOption("MAC-S", gettext_lazy("Macao: business (S)")),
        EndorsementOption("MAC-T", gettext_lazy("Macao: visiting relatives (T)")),
        EndorsementOption("MAC-Q", gettext_lazy("Macao: other (Q)")),
    ),
    DocumentType.TAIWAN_PERMIT: (
        EndorsementOption("TWN-T", gettext_lazy("Taiwan: visiting relatives (T)")),
        EndorsementOption("TWN-F", gettext_lazy("Taiwan: business (F)")),
        EndorsementOption("TWN-Q", gettext_lazy("Taiwan: other (Q)")),
        EndorsementOption("TWN-Y", gettext_lazy("Taiwan: invited (Y)")),
        EndorsementOption("TWN-D", gettext_lazy("Taiwan: settlement (D)")),
    ),
}
MAX_ENDORSEMENTS = 4


def endorsement_label(code: str) -> str:
    for options in ENDORSEMENTS.values():
        for option in options:
            if option.code == code:
                return str(option.label)
    return code


def _latest(documents: list[Document], document_type: str) -> Document | None:
    of_type = [d for d in documents if d.type == document_type]
    return max(of_type, key=lambda d: (d.issued_on, d.pk), default=None)


def _field_error(field: str, message: str, code: str = AppointmentError.INVALID_ANSWERS):
    return Problem(
        status=422, code=code, detail=message, errors=[{"field": field, "message": message}]
    )


def kind_check(*, documents: list[Document], document_type: str, kind: str, today: dt.date):
    """Raise a 422 problem unless `kind` fits the documents the person holds of this type."""
    label = DocumentType(document_type).label
    latest = _latest(documents, document_type)
    status = document_display_status(latest, today) if latest else None
    if kind == ApplicationKind.FIRST and latest is not None:
        raise _field_error(
            "kind",
            _(
                "You have held a %(document)s before, so this is not a first application: "
                "choose renewal or replacement."
            )
            % {"document": label},
            AppointmentError.KIND_DOES_NOT_FIT,
        )
    if kind == ApplicationKind.RENEWAL:
        if latest is None:
            raise _field_error(
                "kind",
                _("There is no %(document)s to renew: choose first application.")
                % {"document": label},
                AppointmentError.KIND_DOES_NOT_FIT,
            )
        if status in (DocumentStatus.REPORTED_LOST, DocumentStatus.INVALIDATED):
            raise _field_error(
                "kind",
                _("Your latest %(document)s is %(status)s: choose replacement.")
                % {"document": label, "status": DocumentStatus(status).label},
                AppointmentError.KIND_DOES_NOT_FIT,
            )
    if kind == ApplicationKind.REPLACEMENT and latest is None:
        raise _field_error(
            "kind",
            _("There is no %(document)s to replace: choose first application.")
            % {"document": label},
            AppointmentError.KIND_DOES_NOT_FIT,
        )


# How the citizen receives the document (applications.models.Delivery): at the hall where
# the application is accepted, or by mail; changeable on the application until production.
DELIVERY_COLLECT, DELIVERY_MAIL = "collect", "mail"
DELIVERIES = {
    DELIVERY_COLLECT: gettext_lazy("Collect it at the hall"),
    DELIVERY_MAIL: gettext_lazy("Send it by mail"),
}


def answers_validate(
    *,
    documents: list[Document],
    document_type: str,
    kind: str,
    details: dict,
    default_phone: str,
    today: dt.date,
) -> dict:
    """Check the whole form and return the answers to keep; raise a 422 problem listing errors."""
    if document_type not in KINDS:
        raise _field_error("document_type", _("Choose a document."))
    if kind not in KINDS[document_type]:
        raise _field_error("kind", _("Choose which application this is."))
    kind_check(documents=documents, document_type=document_type, kind=kind, today=today)
    details = details if isinstance(details, dict) else {}
    clean: dict = {}
    errors: list[dict[str, str]] = []
    if kind == ApplicationKind.REPLACEMENT:
        reason = details.get("replacement_reason")
        latest = _latest(documents, document_type)
        status = document_display_status(latest, today) if latest else None
        if reason not in REPLACEMENT_REASONS:
            errors.append(
                {
                    "field": "replacement_reason",
                    "message": _("Say why the document is replaced: lost or damaged."),
                }
            )
        elif reason == "lost" and status != DocumentStatus.REPORTED_LOST:
            errors.append(
                {
                    "field": "replacement_reason",
                    "message": _(
                        "Report the document lost in My documents first; then book the replacement."
                    ),
                }
            )
        elif reason == "damaged" and status == DocumentStatus.REPORTED_LOST:
            errors.append(
                {
                    "field": "replacement_reason",
                    "message": _("This document is reported lost: choose lost or stolen."),
                }
            )
        else:
            clean["replacement_reason"] = reason
    options = {o.code for o in ENDORSEMENTS.get(document_type, ())}
    wanted = details.get("endorsements") or []
    if wanted and not options:
        errors.append(
            {"field": "endorsements", "message": _("Endorsements go on card passes only.")}
        )
    elif not isinstance(wanted, list) or not all(isinstance(c, str) for c in wanted):
        errors.append({"field": "endorsements", "message": _("Choose endorsements from the list.")})
    else:
        wanted = list(dict.fromkeys(wanted))
        unknown = [c for c in wanted if c not in options]
        if unknown:
            errors.append(
                {
                    "field": "endorsements",
                    "message": _("These endorsements cannot be asked for: %(codes)s.")
                    % {"codes": ", ".join(c[:10] for c in unknown[:5])},
                }
            )
        elif len(wanted) > MAX_ENDORSEMENTS:
            errors.append(
                {
                    "field": "endorsements",
                    "message": _("Choose at most %(count)d endorsements.")
                    % {"count": MAX_ENDORSEMENTS},
                }
            )
        elif options:
            clean["endorsements"] = wanted
    phone = details.get("contact_phone") or default_phone
    try:
        clean["contact_phone"] = phone_clean(str(phone)) if phone else ""
    except InvalidPhone as exc:
        errors.append({"field": "contact_phone", "message": str(exc)})
    if not clean.get("contact_phone") and "contact_phone" not in {e["field"] for e in errors}:
        errors.append(
            {"field": "contact_phone", "message": _("Give a mobile number to reach you.")}
        )
    delivery = details.get("delivery") or DELIVERY_COLLECT
    address = " ".join(str(details.get("delivery_address") or "").split())
    if delivery not in DELIVERIES:
        errors.append(
            {
                "field": "delivery",
                "message": _("Choose collection at the hall or delivery by mail."),
            }
        )
    elif delivery == DELIVERY_MAIL and not 5 <= len(address) <= 300:
        errors.append(
            {
                "field": "delivery_address",
                "message": _("Enter the full address for delivery by mail (5 to 300 characters)."),
            }
        )
    elif delivery == DELIVERY_MAIL:
        # Collection at the hall is the default and is not stored.
        clean["delivery"], clean["delivery_address"] = delivery, address
    if errors:
        raise Problem(
            status=422,
            code=AppointmentError.INVALID_ANSWERS,
            detail=errors[0]["message"],
            errors=errors,
        )
    return clean
