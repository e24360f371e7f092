"""Check the demo service guides in guides.json for shape, order and language.

Run from the project root: ``.venv/bin/python guide/demo/check_guides.py [path]``.
Exits 0 when every check passes, 1 with one line per problem otherwise.
"""

import json
import re
import sys
from pathlib import Path

GUIDES_PATH = Path(__file__).resolve().parent / "guides.json"

EXPECTED = [
    ("passport-first-application", "passport"),
    ("passport-renewal", "passport"),
    ("passport-replacement", "passport"),
    ("hk-macao-pass", "hk-macao-pass"),
    ("taiwan-permit", "taiwan-permit"),
    ("endorsement-hk-macao-group", "endorsement-hk-macao"),
    ("endorsement-hk-macao-individual", "endorsement-hk-macao"),
    ("endorsement-hk-macao-business", "endorsement-hk-macao"),
    ("endorsement-hk-macao-relatives", "endorsement-hk-macao"),
    ("endorsement-hk-macao-other", "endorsement-hk-macao"),
    ("endorsement-hk-macao-stay", "endorsement-hk-macao"),
    ("endorsement-taiwan-group", "endorsement-taiwan"),
    ("endorsement-taiwan-individual", "endorsement-taiwan"),
    ("endorsement-taiwan-relatives", "endorsement-taiwan"),
    ("endorsement-taiwan-business", "endorsement-taiwan"),
    ("endorsement-taiwan-other", "endorsement-taiwan"),
    ("endorsement-taiwan-invited", "endorsement-taiwan"),
    ("endorsement-taiwan-settlement", "endorsement-taiwan"),
    ("exit-entry-record-certificate", "exit-entry-record"),
]

STRING_KEYS = [
    "slug",
    "service",
    "title_zh",
    "title_en",
    "summary_zh",
    "summary_en",
    "eligibility_zh",
    "eligibility_en",
    "fees_zh",
    "fees_en",
    "processing_time_zh",
    "processing_time_en",
    "where_zh",
    "where_en",
]
LIST_KEYS = ["materials_zh", "materials_en", "steps_zh", "steps_en"]
GUIDE_KEYS = {*STRING_KEYS, *LIST_KEYS, "order", "faqs"}
FAQ_KEYS = {"question_zh", "question_en", "answer_zh", "answer_en"}
MIN_FAQS, MAX_FAQS = 3, 5

# Han ideographs: a zh field must contain at least one.
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# Han plus CJK punctuation and full-width forms: an en field must contain none.
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
PLACEHOLDER_WORDS = r"lorem|ipsum|\btodo\b|\btbd\b|xxx|待补充|待定"
PLACEHOLDERS = re.compile(PLACEHOLDER_WORDS, re.IGNORECASE)


def check_text(where: str, key: str, value: str, errors: list[str]) -> None:
    """Check one non-empty string for its language and for placeholder text."""
    if key.endswith("_zh") and not HAN.search(value):
        errors.append(f"{where}.{key}: no Chinese characters")
    if key.endswith("_en") and CJK.search(value):
        found = CJK.findall(value)[:5]
        errors.append(f"{where}.{key}: contains CJK characters: {found}")
    if PLACEHOLDERS.search(value):
        errors.append(f"{where}.{key}: looks like placeholder text")


def check_string(where: str, key: str, value: object, errors: list[str]) -> None:
    """Check that value is a non-empty string in the right language."""
    if not isinstance(value, str) or not value.strip():
        errors.append(f"{where}.{key}: must be a non-empty string")
        return
    check_text(where, key, value, errors)


def check_list(where: str, key: str, value: object, errors: list[str]) -> None:
    """Check that value is a non-empty list of non-empty strings in one language."""
    if not isinstance(value, list) or not value:
        errors.append(f"{where}.{key}: must be a non-empty list")
        return
    for i, item in enumerate(value):
        check_string(f"{where}.{key}[{i}]", key, item, errors)


def check_faqs(where: str, faqs: object, errors: list[str]) -> None:
    """Check the FAQ list: 3 to 5 objects with exactly the four bilingual keys."""
    if not isinstance(faqs, list) or not MIN_FAQS <= len(faqs) <= MAX_FAQS:
        count = len(faqs) if isinstance(faqs, list) else type(faqs).__name__
        wanted = f"{MIN_FAQS}-{MAX_FAQS}"
        errors.append(f"{where}.faqs: need a list of {wanted} FAQs, got {count}")
        return
    questions = [faq.get("question_en") for faq in faqs if isinstance(faq, dict)]
    if len(set(questions)) != len(questions):
        errors.append(f"{where}.faqs: a question is repeated")
    for i, faq in enumerate(faqs):
        faq_where = f"{where}.faqs[{i}]"
        if not isinstance(faq, dict):
            errors.append(f"{faq_where}: must be an object")
            continue
        if set(faq) != FAQ_KEYS:
            errors.append(f"{faq_where}: keys differ: {sorted(set(faq) ^ FAQ_KEYS)}")
        for key in sorted(FAQ_KEYS & set(faq)):
            check_string(faq_where, key, faq[key], errors)


def check_guide(index: int, guide: object, errors: list[str]) -> None:
    """Check one guide object against the expected slug, service, order and keys."""
    where = f"guides[{index}]"
    if not isinstance(guide, dict):
        errors.append(f"{where}: must be an object")
        return
    where = f"{where} ({guide.get('slug')!r})"
    if set(guide) != GUIDE_KEYS:
        errors.append(f"{where}: keys differ: {sorted(set(guide) ^ GUIDE_KEYS)}")
    if index < len(EXPECTED):
        slug, service = EXPECTED[index]
        if guide.get("slug") != slug:
            errors.append(f"{where}.slug: expected {slug!r} at this position")
        if guide.get("service") != service:
            got = guide.get("service")
            errors.append(f"{where}.service: expected {service!r}, got {got!r}")
    order, wanted = guide.get("order"), (index + 1) * 10
    if type(order) is not int or order != wanted:
        errors.append(f"{where}.order: expected the integer {wanted}, got {order!r}")
    for key in STRING_KEYS:
        if key in guide:
            check_string(where, key, guide[key], errors)
    for key in LIST_KEYS:
        if key in guide:
            check_list(where, key, guide[key], errors)
    if "faqs" in guide:
        check_faqs(where, guide["faqs"], errors)


def check_guides(guides: object) -> list[str]:
    """Return every problem in the parsed guides; an empty list means all is well."""
    if not isinstance(guides, list):
        return ["the top level must be a JSON array of guides"]
    errors: list[str] = []
    slugs = [guide.get("slug") for guide in guides if isinstance(guide, dict)]
    expected_slugs = [slug for slug, _ in EXPECTED]
    for slug in expected_slugs:
        count = slugs.count(slug)
        if count != 1:
            errors.append(f"slug {slug!r} appears {count} times, expected once")
    for slug in slugs:
        if slug not in expected_slugs:
            errors.append(f"unexpected slug {slug!r}")
    if len(guides) != len(EXPECTED):
        errors.append(f"expected {len(EXPECTED)} guides, found {len(guides)}")
    for index, guide in enumerate(guides):
        check_guide(index, guide, errors)
    return errors


def main(argv: list[str]) -> int:
    """Load the guides, print the problems or a summary, and return the exit code."""
    path = Path(argv[1]) if len(argv) > 1 else GUIDES_PATH
    try:
        guides = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        print(f"FAIL: cannot load {path}: {exc}", file=sys.stderr)
        return 1
    errors = check_guides(guides)
    if errors:
        for error in errors:
            print(f"FAIL: {error}", file=sys.stderr)
        print(f"{len(errors)} problem(s) in {path}", file=sys.stderr)
        return 1
    faqs = sum(len(guide["faqs"]) for guide in guides)
    size = path.stat().st_size
    print(f"OK: {len(guides)} guides, {faqs} FAQs, {size} bytes in {path.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
