"""What the public sees of a credit record: never personal data. A person's record shows no identifier and a
masked name (the family name and one asterisk per other character, like ``registry.masking``'s masks); other
subjects show their unified social credit code (public by law) or nothing (experts: no number either)."""

from __future__ import annotations

from typing import Any

from .models import CreditRecord, SubjectKind
from .publication import publication_end


def person_name_mask(name: str) -> str:
    """张** / 欧阳*: the first character kept (two for the common compound surnames), the rest as asterisks."""
    name = (name or "").strip()
    if not name:
        return ""
    keep = 2 if name[:2] in {"欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐"} else 1
    keep = min(keep, max(len(name) - 1, 1))
    return name[:keep] + "*" * max(len(name) - keep, 1)


def record_public_view(record: CreditRecord) -> dict[str, Any]:
    person_like = record.subject_kind in (SubjectKind.PERSON, SubjectKind.EXPERT)
    return {
        "record_no": record.record_no, "version": record.version,
        "subject_kind": record.get_subject_kind_display(),
        "subject_name": person_name_mask(record.subject_name) if person_like else record.subject_name,
        "subject_key": "" if person_like else record.subject_key,
        "kind": record.kind, "kind_label": record.get_kind_display(), "source": record.get_source_display(),
        "title": record.title, "authority": record.authority, "decision_no": record.decision_no,
        "decided_on": record.decided_on, "valid_from": record.valid_from, "valid_until": record.valid_until,
        "published_until": publication_end(record),
        "restrictions": [r.get_behaviour_display() for r in record.restrictions.all()],
    }
