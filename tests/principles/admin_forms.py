"""Post an admin change form as a browser would: every field as it is rendered."""

from html.parser import HTMLParser


class _FormFields(HTMLParser):
    """What a browser would post from the admin's change form, as it is rendered."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, object] = {}
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs) -> None:
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button"):
            if attrs.get("type") == "checkbox":
                if "checked" in attrs:
                    self.data[name] = attrs.get("value") or "on"
            else:
                self.data[name] = attrs.get("value") or ""
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in attrs:
            self.data[self._select] = attrs.get("value") or ""

    def handle_endtag(self, tag) -> None:
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data) -> None:
        if self._textarea:
            self.data[self._textarea] += data


def change_form(client, url: str) -> dict:
    parser = _FormFields()
    parser.feed(client.get(url).content.decode())
    data = {k: v for k, v in parser.data.items() if "__prefix__" not in k}
    # Textareas start with a newline that browsers drop.
    return {k: v[1:] if isinstance(v, str) and v.startswith("\n") else v for k, v in data.items()}
