"""System checks of the applications app: the receipt's font on a deployed server."""

from django.core import checks

from .receipt import ReceiptFontMissing, receipt_font


@checks.register(checks.Tags.compatibility, deploy=True)
def receipt_font_installed(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """`check --deploy` (run by scripts/serve_prod.sh) fails when receipts could not be made."""
    try:
        receipt_font()
    except ReceiptFontMissing as error:
        return [
            checks.Error(
                f"Acceptance receipts cannot be made: {error}.",
                hint="Install the font with scripts/ensure_fonts.sh, or set RECEIPT_FONT_PATH.",
                id="applications.E001",
            )
        ]
    return []
