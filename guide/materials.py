"""The materials of a guide, each with the applicants it applies to.

A guide's materials are one item per line (an administrator edits them in the back-office). A
line may start with conditions in square brackets, all of which must hold for the applicant:

    [under16] For a child under 16: the guardian's resident ID card and proof of guardianship
    [16+] Registered state employees: the written consent of your employer
    [lost] If lost or stolen: a written statement of how it was lost

Conditions: `under16`, `16+` (age on the day of the appointment), `minor`, `adult` (under or
from 18), the application's kind (`first`, `renewal`, `replacement`), the replacement reason
(`lost`, `damaged`) and `endorsements` (endorsements asked for with the card). A line without
conditions applies to everyone; the public guide shows every line without its conditions.
"""

import datetime as dt
import re
from dataclasses import dataclass

CONDITIONS = frozenset(
    {
        "under16",
        "16+",
        "minor",
        "adult",
        "first",
        "renewal",
        "replacement",
        "lost",
        "damaged",
        "endorsements",
    }
)
_PREFIX = re.compile(r"^\s*\[([^\]]*)\]\s*")


@dataclass(frozen=True)
class Material:
    text: str
    conditions: frozenset[str]

    def applies_to(self, facts: frozenset[str]) -> bool:
        return self.conditions <= facts


def materials_parse(text: str) -> list[Material]:
    """The items of a materials text, with their conditions (unknown words are kept as text)."""
    items = []
    for line in (text or "").splitlines():
        line = line.strip().strip("-•\t ").strip()
        if not line:
            continue
        conditions: frozenset[str] = frozenset()
        found = _PREFIX.match(line)
        if found:
            words = frozenset(w.strip().lower() for w in found.group(1).split(",") if w.strip())
            if words and words <= CONDITIONS:
                conditions, line = words, line[found.end() :]
        items.append(Material(text=line, conditions=conditions))
    return items


def applicant_facts(
    *,
    birth_date: dt.date,
    on: dt.date,
    kind: str,
    replacement_reason: str | None = None,
    endorsements: list[str] | None = None,
) -> frozenset[str]:
    """What is true of an applicant, in the words of the conditions."""
    age = on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))
    facts = {"under16" if age < 16 else "16+", "minor" if age < 18 else "adult", kind}
    if replacement_reason:
        facts.add(replacement_reason)
    if endorsements:
        facts.add("endorsements")
    return frozenset(facts)
