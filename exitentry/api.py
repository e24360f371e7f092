"""The JSON API at /api/v1: one NinjaAPI, one router per domain app."""

from accounts.api import router as accounts_router
from applications.api import router as applications_router
from applications.staff_api import router as applications_staff_router
from appointments.api import router as appointments_router
from certificates.api import router as certificates_router
from certificates.staff_api import router as certificates_staff_router
from core.api import ApiRenderer, ProblemAwareNinjaAPI, install_problem_handlers, register_api
from crossings.api import router as crossings_router
from documents.api import router as documents_router
from endorsements.api import router as endorsements_router
from endorsements.api import staff_router as endorsements_staff_router
from guide.api import router as guide_router
from notifications.api import router as notifications_router
from reception.api import router as reception_router
from staff.api import router as staff_router

api = ProblemAwareNinjaAPI(
    title="exitentry API",
    version="1",
    description=(
        "One API for the website, the mobile app and the mini-programs. Errors are "
        "application/problem+json with a stable `code`; texts follow Accept-Language "
        "(zh-Hans or en)."
    ),
    urls_namespace="api",
    renderer=ApiRenderer(),
    docs_url="/docs",
    openapi_url="/openapi.json",
)
install_problem_handlers(api)
register_api(api)
api.add_router("", guide_router)
api.add_router("", accounts_router)
api.add_router("", documents_router)
api.add_router("", appointments_router)
api.add_router("", applications_router)
api.add_router("", notifications_router)
api.add_router("", crossings_router)
api.add_router("", certificates_router)
api.add_router("", endorsements_router)
api.add_router("staff", staff_router)
api.add_router("staff/reception", reception_router)
api.add_router("staff", applications_staff_router)
api.add_router("staff", certificates_staff_router)
api.add_router("staff", endorsements_staff_router)
