"""Check rendered HTML is inert: parse it and look at real tags and attributes, not at text
(escaped text such as "&lt;img onerror=…&gt;" is harmless and may legitimately show)."""

from __future__ import annotations

from html.parser import HTMLParser

FORBIDDEN_TAGS = {"script", "style", "svg", "iframe", "object", "embed", "img", "math", "form",
                  "input", "link", "meta", "base"}
URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href"}
SAFE_SCHEMES = ("http://", "https://", "mailto:", "/", "#")


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in FORBIDDEN_TAGS:
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name == "style":
                self.problems.append(f"{tag}[{name}]")
            if name in URL_ATTRS and value is not None:
                if not value.strip().lower().startswith(SAFE_SCHEMES):
                    self.problems.append(f"{tag}[{name}={value}]")


def unsafe_parts(html: str) -> list[str]:
    """Tags and attributes in ``html`` that could run script or restyle the page."""
    collector = _Collector()
    collector.feed(html)
    return collector.problems
