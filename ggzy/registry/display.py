"""How change records read on a page: one line per changed field, in Chinese."""

from __future__ import annotations

from typing import Any

from .services import CHANGED, field_label

_ROW_LABELS = {"qualification_type": "", "level": "", "certificate_number": "证书", "valid_from": "自",
               "valid_until": "至", "bank_name": "", "account_name": "户名", "name": "", "role": "",
               "id_number": "身份证号码", "phone": "电话"}


def _text(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, dict):
        parts = []
        for key, item in value.items():
            if item in (None, ""):
                continue
            label = _ROW_LABELS.get(key, "")
            parts.append(f"{label}{item}" if label else str(item))
        return " ".join(parts) or "—"
    return str(value)


def version_change_lines(changes: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(field label, before, after); personal data show only the ``已修改`` marker."""
    lines = []
    for key, value in (changes or {}).items():
        label = field_label(key)
        if isinstance(value, list) and len(value) == 2:
            lines.append((label, _text(value[0]), _text(value[1])))
        else:
            lines.append((label, "", CHANGED if value == CHANGED else _text(value)))
    return lines
