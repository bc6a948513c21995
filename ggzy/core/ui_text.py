"""Messages shown to users, translated when the page is rendered (``{{ message|tr }}``, ``translate_message``).

Services raise ``DomainError`` with Chinese messages, and views flash Chinese messages: records, logs and the API
keep them as they are, whatever the language of the user who happened to act. A page translates them when it
renders them: a message that is a msgid of the catalogue is translated directly; a message built from a
template with values (``不能超过200个字符``) is matched against the templates of ``ui_messages.TEMPLATES`` and
rebuilt from the translated template, its values translated in turn (a field label inside a message). Messages
joined with “；” are translated part by part. What is not in the catalogue stays as it is (Chinese).
"""

from __future__ import annotations

import functools
import re

from django.utils import translation

from .ui_messages import TEMPLATES

_PLACEHOLDER = re.compile(r"%\((\w+)\)s|%%")


@functools.cache
def _patterns() -> list[tuple[re.Pattern[str], str]]:
    compiled = []
    for template in TEMPLATES:
        parts, position = [], 0
        for match in _PLACEHOLDER.finditer(template):
            parts.append(re.escape(template[position:match.start()]))
            parts.append("%" if match.group(0) == "%%" else f"(?P<{match.group(1)}>.+?)")
            position = match.end()
        parts.append(re.escape(template[position:]))
        compiled.append((re.compile("".join(parts), re.DOTALL), template))
    # the most specific (longest fixed text) first: “签名有效：证书有效（…）” before “签名有效：…”
    return sorted(compiled, key=lambda item: -len(_PLACEHOLDER.sub("", item[1])))


def translate_message(text: object) -> str:
    """``text`` in the active language when the catalogue knows it (or its template); otherwise unchanged."""
    if text is None:
        return ""
    message = str(text)
    language = translation.get_language() or ""
    if not message or language.startswith("zh"):
        return message
    return _translate(message, depth=0)


def _translate(message: str, depth: int) -> str:
    direct = translation.gettext(message)
    if direct != message or depth > 3:
        return direct
    for pattern, template in _patterns():
        match = pattern.fullmatch(message)
        if match and not any("；" in value for value in match.groupdict().values()):
            values = {name: _translate(value, depth + 1) for name, value in match.groupdict().items()}
            translated = translation.gettext(template)
            if translated == template:
                return message
            try:
                return translated % values
            except (KeyError, TypeError, ValueError):  # a broken translation never breaks the page
                return message
    if "；" in message:
        return "; ".join(_translate(part, depth + 1) for part in message.split("；"))
    return message
