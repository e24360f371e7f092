"""Which persons' pages a staff member may open now: grants made by a lookup with a reason.

A session-scoped grant, rather than a signed token in the URL, because:
- it ends with the sign-in (logout, idle timeout, session lifetime) and cannot be replayed from
  another session, even by the same staff member;
- nothing in a URL can end up in browser history, a shared link, a Referer header or a proxy's
  log, and the person page's URL carries no secret;
- the reason stays on the server, so every later view of the page (and a reveal of the full ID
  number) is logged with the reason given at the lookup without the browser sending it back.
A grant lasts GRANT_SECONDS from the lookup; after that the page asks for a new lookup.
"""

import time

from django.http import HttpRequest

SESSION_KEY = "staff_person_grants"
GRANT_SECONDS = 15 * 60
MAX_GRANTS = 20


def _grants(request: HttpRequest) -> dict:
    now = time.time()
    grants = request.session.get(SESSION_KEY) or {}
    return {
        key: grant
        for key, grant in grants.items()
        if grant.get("until", 0) > now and grant.get("staff") == request.user.pk
    }


def grant_person(request: HttpRequest, *, person_id: int, reason: str) -> None:
    """Let this session open the person's page for GRANT_SECONDS, with the lookup's reason."""
    grants = _grants(request)
    grants.pop(str(person_id), None)
    grants[str(person_id)] = {
        "staff": request.user.pk,
        "reason": reason,
        "until": time.time() + GRANT_SECONDS,
    }
    # Oldest first (dicts keep insertion order): keep the newest MAX_GRANTS.
    request.session[SESSION_KEY] = dict(list(grants.items())[-MAX_GRANTS:])


def granted_reason(request: HttpRequest, *, person_id: int) -> str | None:
    """The reason of this session's current grant for the person, or None."""
    grant = _grants(request).get(str(person_id))
    return grant["reason"] if grant else None
