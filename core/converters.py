"""URL converters: `<id:pk>` is a database id of at most 18 digits (larger numbers would
overflow the database driver; they match no URL and answer 404)."""


class IdConverter:
    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)
