from django import template

register = template.Library()


@register.filter
def endorsements_of(mapping: dict, document_id: int) -> list:
    """The endorsements of one pass from endorsements_on_documents' answer."""
    return (mapping or {}).get(document_id, [])
