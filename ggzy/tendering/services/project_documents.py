"""受理材料: the documents a tenderer or agency submits with a project for the center's acceptance review."""

from __future__ import annotations

from django.db import transaction

from ggzy.core import clock
from ggzy.core import files as file_store
from ggzy.core.audit import audit_record
from ggzy.core.errors import Conflict, DomainError, NotAllowed

from .. import policies
from ..choices import ProjectState
from ..models import Project, ProjectDocument

PROJECT_DOCUMENT_MAX_BYTES = 50 * 1024 * 1024
PROJECT_DOCUMENT_NAME_MAX = 200


def project_document_add(*, actor, project: Project, name: str, content: bytes) -> ProjectDocument:
    """The project's tenderer or agency adds a document while the project awaits acceptance (or was returned)."""
    entity = policies.acting_entity(actor)
    if entity is None or entity.pk not in (project.tenderer_id, project.agency_id):
        raise NotAllowed("只有项目的招标人或代理机构可以提交受理材料")
    name = (name or "").strip()
    if not name:
        raise DomainError("文件名不能为空", field="documents")
    if len(name) > PROJECT_DOCUMENT_NAME_MAX:
        raise DomainError(f"文件名不能超过 {PROJECT_DOCUMENT_NAME_MAX} 个字符", field="documents")
    if not content:
        raise DomainError(f"文件“{name}”为空", field="documents")
    if len(content) > PROJECT_DOCUMENT_MAX_BYTES:
        raise DomainError(f"文件“{name}”超过50MB", field="documents")
    digest = file_store.put(content)  # content-addressed: an orphan after a rollback is harmless
    with transaction.atomic():
        state = Project.objects.select_for_update().filter(pk=project.pk).values_list("state", flat=True).get()
        if state not in (ProjectState.SUBMITTED, ProjectState.RETURNED):
            raise Conflict("项目已受理，不能再补充受理材料", field="state")
        document = ProjectDocument.objects.create(project=project, name=name, sha256=digest, size=len(content),
                                                  uploaded_at=clock.now(), uploaded_by=actor)
        audit_record(actor=actor, action="project.document_add", obj=project, center_id=project.center_id,
                     after={"document": name, "sha256": digest, "size": len(content)})
    return document
