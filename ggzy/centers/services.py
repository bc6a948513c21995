"""Writes of the centers app: venues, rooms, seats and workstations, activation, remote sessions, cross-center
requests and the session log. Every write runs in a transaction and leaves an audit record (which the ledger
appends to its log)."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets

from django.db import IntegrityError, transaction

from ggzy.accounts.roles import Role
from ggzy.core import clock
from ggzy.core.audit import audit_record
from ggzy.core.errors import Conflict, DomainError, NotAllowed

from .models import (
    ActivationCode,
    CenterRequest,
    RemoteSession,
    RequestKind,
    RequestState,
    Room,
    Seat,
    SessionEvent,
    SessionVenue,
    Venue,
    VenueRole,
    Workstation,
)

CODE_LIFETIME = dt.timedelta(hours=2)
_FINGERPRINT = re.compile(r"^[0-9a-f]{64}$")


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def is_staff_of(actor, center_id: int | None) -> bool:
    if actor is None or not actor.is_authenticated:
        return False
    if actor.role == Role.ADMIN:
        return True
    return actor.role == Role.CENTER_STAFF and center_id is not None and actor.center_id == center_id


def _require_staff(
    actor, center_id: int | None, message: str = "只有该场地所属中心的工作人员可以执行此操作"
) -> None:
    if not is_staff_of(actor, center_id):
        raise NotAllowed(message)


def _text(value, field: str, label: str, max_length: int, *, required: bool = True) -> str:
    text = (value or "").strip() if isinstance(value, str) else ""
    if required and not text:
        raise DomainError(f"请填写{label}", field=field)
    if len(text) > max_length:
        raise DomainError(f"{label}不能超过{max_length}个字", field=field)
    return text


def _count(value, field: str, label: str) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise DomainError(f"{label}应为正整数", field=field) from None
    if number < 1 or number > 999:
        raise DomainError(f"{label}应在1到999之间", field=field)
    return number


def venue_create(*, actor, name: str, city: str, address: str = "") -> Venue:
    """A venue of the actor's own center."""
    center_id = getattr(actor, "center_id", None)
    _require_staff(actor, center_id, "只有交易中心工作人员可以登记评标场地")
    if center_id is None:
        raise DomainError("请先为账号指定所属中心", field="center")
    name = _text(name, "name", "场地名称", 128)
    city = _text(city, "city", "城市", 32)
    address = _text(address, "address", "地址", 255, required=False)
    try:
        with transaction.atomic():
            venue = Venue.objects.create(center_id=center_id, name=name, city=city, address=address)
            audit_record(
                actor=actor,
                action="centers.venue_create",
                obj=venue,
                center_id=center_id,
                after={"name": name, "city": city},
            )
    except IntegrityError:
        raise Conflict("本中心已有同名场地", field="name") from None
    return venue


def room_create(*, actor, venue: Venue, name: str) -> Room:
    _require_staff(actor, venue.center_id)
    name = _text(name, "room", "评标室名称", 64)
    try:
        with transaction.atomic():
            room = Room.objects.create(venue=venue, name=name)
            audit_record(
                actor=actor,
                action="centers.room_create",
                obj=room,
                center_id=venue.center_id,
                after={"venue": venue.pk, "name": name},
            )
    except IntegrityError:
        raise Conflict("该场地已有同名评标室", field="room") from None
    return room


def workstation_add(*, actor, room: Room, seat_label: str) -> Workstation:
    """A seat in the room with its workstation (the workstation takes the seat's label)."""
    _require_staff(actor, room.venue.center_id)
    label = _text(seat_label, "seat", "席位号", 32)
    try:
        with transaction.atomic():
            seat = Seat.objects.create(room=room, label=label)
            workstation = Workstation.objects.create(seat=seat, label=label)
            audit_record(
                actor=actor,
                action="centers.workstation_add",
                obj=workstation,
                center_id=room.venue.center_id,
                after={"room": room.pk, "label": label},
            )
    except IntegrityError:
        raise Conflict("该评标室已有此席位号", field="seat") from None
    return workstation


def activation_code_issue(*, actor, workstation: Workstation) -> str:
    """A one-time code (8 digits, valid two hours) for the workstation; returned once, only its digest is kept."""
    center_id = workstation.venue.center_id
    _require_staff(actor, center_id)
    now = clock.now()
    with transaction.atomic():
        while True:
            code = f"{secrets.randbelow(10**8):08d}"
            if not ActivationCode.objects.filter(code_digest=digest(code)).exists():
                break
        issued = ActivationCode.objects.create(
            workstation=workstation,
            code_digest=digest(code),
            issued_by=actor,
            issued_at=now,
            expires_at=now + CODE_LIFETIME,
        )
        audit_record(
            actor=actor,
            action="centers.code_issue",
            obj=issued,
            center_id=center_id,
            after={"workstation": workstation.pk, "expires_at": issued.expires_at},
        )
    return code


def _fingerprint(value) -> str:
    text = (value or "").strip().lower() if isinstance(value, str) else ""
    if not _FINGERPRINT.match(text):
        raise DomainError("未能读取本机设备指纹，请在浏览器中启用脚本后重试", field="fingerprint")
    return text


def workstation_activate(*, actor, code: str, fingerprint: str) -> Workstation:
    """The expert, at the workstation, enters the code: the workstation is bound to this browser and to them."""
    if actor is None or not actor.is_authenticated or actor.role != Role.EXPERT:
        raise NotAllowed("只有评标专家可以激活评标工位")
    code = (code or "").strip() if isinstance(code, str) else ""
    if not re.fullmatch(r"\d{8}", code):
        raise DomainError("激活码应为8位数字", field="code")
    device = _fingerprint(fingerprint)
    now = clock.now()
    with transaction.atomic():
        issued = (
            ActivationCode.objects.select_for_update()
            .select_related("workstation__seat__room__venue")
            .filter(code_digest=digest(code))
            .first()
        )
        if issued is None or issued.used_at is not None or issued.expires_at <= now:
            raise DomainError("激活码无效、已使用或已过期", field="code")
        workstation = issued.workstation
        # one browser is bound to one workstation: an earlier binding of this browser is released
        Workstation.objects.filter(fingerprint_digest=digest(device)).exclude(pk=workstation.pk).update(
            fingerprint_digest="", occupant=None, activated_at=None
        )
        workstation.fingerprint_digest = digest(device)
        workstation.occupant = actor
        workstation.activated_at = now
        workstation.save(update_fields=["fingerprint_digest", "occupant", "activated_at"])
        issued.used_at, issued.used_by = now, actor
        issued.save(update_fields=["used_at", "used_by"])
        audit_record(
            actor=actor,
            action="centers.workstation_activate",
            obj=workstation,
            center_id=workstation.venue.center_id,
            after={"workstation": workstation.pk},
        )
    return workstation


def session_create(
    *,
    actor,
    subject_key: str,
    subject_code: str,
    subject_title: str,
    center_id: int,
    host_venue: Venue | None,
    seats: int | str = 1,
) -> RemoteSession:
    """The host center opens a remote session for a lot (tendering passes the lot in) in one of its venues."""
    _require_staff(actor, center_id, "只有本项目所属中心的工作人员可以创建远程异地评标")
    if host_venue is None or not host_venue.is_active:
        raise DomainError("请选择主场场地", field="host_venue")
    if host_venue.center_id != center_id:
        raise DomainError("主场须为本中心的评标场地", field="host_venue")
    count = _count(seats, "seats", "主场席位数")
    try:
        with transaction.atomic():
            session = RemoteSession.objects.create(
                subject_key=subject_key,
                subject_code=subject_code,
                subject_title=subject_title[:255],
                center_id=center_id,
                host_venue=host_venue,
                created_by=actor,
                created_at=clock.now(),
            )
            SessionVenue.objects.create(session=session, venue=host_venue, role=VenueRole.HOST, seats=count)
            _event(
                session,
                actor=actor,
                kind="create",
                venue=host_venue,
                text=f"创建远程异地评标，主场：{host_venue}（{count}席）",
            )
    except IntegrityError:
        raise Conflict("该标段已创建远程异地评标", field="subject") from None
    return session


def session_request(
    *,
    actor,
    session: RemoteSession,
    kind: str,
    count,
    venue: Venue | None = None,
    to_center_id: int | None = None,
    note: str = "",
) -> CenterRequest:
    """The host center asks another center for seats in one of its venues, or for experts."""
    _require_staff(actor, session.center_id, "只有主场中心的工作人员可以发出请求")
    if kind not in RequestKind.values:
        raise DomainError("请求类型无效", field="kind")
    number = _count(count, "count", "数量")
    if kind == RequestKind.SEATS:
        if venue is None or not venue.is_active:
            raise DomainError("请选择副场场地", field="venue")
        to_center_id = venue.center_id
    elif to_center_id is None:
        raise DomainError("请选择被请求的中心", field="to_center")
    if to_center_id == session.center_id:
        raise DomainError(
            "跨中心请求须发往其他城市的中心", field="venue" if kind == RequestKind.SEATS else "to_center"
        )
    note = _text(note, "note", "说明", 255, required=False)
    with transaction.atomic():
        request = CenterRequest.objects.create(
            session=session,
            kind=kind,
            to_center_id=to_center_id,
            venue=venue,
            count=number,
            note=note,
            requested_by=actor,
            requested_at=clock.now(),
        )
        what = f"{venue}的{number}个席位" if kind == RequestKind.SEATS else f"{number}名专家"
        _event(session, actor=actor, kind="request", venue=venue, text=f"向{request.to_center}请求{what}")
    return request


def request_answer(*, actor, request: CenterRequest, accept: bool, note: str = "") -> CenterRequest:
    """The other center answers; accepting a request for seats makes its venue a guest venue of the session."""
    _require_staff(actor, request.to_center_id, "只有被请求中心的工作人员可以答复")
    note = _text(note, "answer_note", "答复说明", 255, required=False)
    with transaction.atomic():
        request = CenterRequest.objects.select_for_update().get(pk=request.pk)
        if request.state != RequestState.PENDING:
            raise Conflict("该请求已答复", field="state")
        request.state = RequestState.ACCEPTED if accept else RequestState.DECLINED
        request.answered_by, request.answered_at, request.answer_note = actor, clock.now(), note
        request.save(update_fields=["state", "answered_by", "answered_at", "answer_note"])
        session = request.session
        if accept and request.kind == RequestKind.SEATS and request.venue is not None:
            SessionVenue.objects.update_or_create(
                session=session,
                venue=request.venue,
                defaults={"role": VenueRole.GUEST, "seats": request.count},
            )
        verdict = "同意" if accept else "拒绝"
        _event(
            session,
            actor=actor,
            kind="answer",
            venue=request.venue,
            text=f"{request.to_center}{verdict}{request.get_kind_display()}请求（{request.count}）"
            + (f"：{note}" if note else ""),
        )
    return request


def _event(
    session: RemoteSession,
    *,
    actor,
    kind: str,
    text: str,
    venue: Venue | None = None,
    workstation: Workstation | None = None,
) -> SessionEvent:
    event = SessionEvent.objects.create(
        session=session,
        at=clock.now(),
        kind=kind,
        venue=venue,
        workstation=workstation,
        actor=actor if actor is not None and actor.is_authenticated else None,
        text=text[:255],
    )
    audit_record(
        actor=actor,
        action=f"remote.{kind}",
        obj=event,
        center_id=session.center_id,
        after={
            "session": session.pk,
            "subject": session.subject_key,
            "text": event.text,
            "workstation": workstation.pk if workstation else None,
        },
    )
    return event


def session_gate(*, subject_key: str, user, fingerprint: str) -> Workstation | None:
    """Called by the evaluation before a member acts: with no remote session for the subject, nothing to check
    (None); otherwise the member must be at a workstation of the session's venues, activated by them in this
    browser. The first time a member passes from a workstation, the log records that they joined from there."""
    session = RemoteSession.objects.filter(subject_key=subject_key).first()
    if session is None:
        return None
    device = (fingerprint or "").strip().lower() if isinstance(fingerprint, str) else ""
    venues = set(session.venues.values_list("venue_id", flat=True))
    workstation = (
        Workstation.objects.select_related("seat__room__venue")
        .filter(fingerprint_digest=digest(device), occupant=user)
        .first()
        if _FINGERPRINT.match(device)
        else None
    )
    if workstation is None or workstation.venue.pk not in venues:
        raise NotAllowed("本标段为远程异地评标：请在主场或副场已激活的评标工位上操作")
    with transaction.atomic():
        if not session.events.filter(kind="join", actor=user, workstation=workstation).exists():
            role = session.venues.get(venue=workstation.venue).get_role_display()
            _event(
                session,
                actor=user,
                kind="join",
                venue=workstation.venue,
                workstation=workstation,
                text=f"专家从{role} {workstation} 加入",
            )
    return workstation


def session_log(
    *, subject_key: str, user, kind: str, text: str, workstation: Workstation | None = None
) -> None:
    """The evaluation appends what happened (scores submitted, votes, the report, signatures); inside the caller's
    transaction. No session for the subject: nothing is logged."""
    session = RemoteSession.objects.filter(subject_key=subject_key).first()
    if session is None:
        return
    _event(
        session,
        actor=user,
        kind=kind,
        text=text,
        workstation=workstation,
        venue=workstation.venue if workstation else None,
    )
