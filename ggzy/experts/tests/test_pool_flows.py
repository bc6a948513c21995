"""Entry checks from template data, the self-service review flow, ratings and penalties, and the pages per role."""

import datetime as dt

import pytest

from ggzy.catalog.models import TemplatePeriod
from ggzy.core.errors import DomainError, NotAllowed
from ggzy.experts import selectors
from ggzy.experts.models import ChangeRequestStatus, ExpertChangeRequest, ExpertRating
from ggzy.experts.services import (
    change_request_decide,
    entry_problems,
    entry_rules,
    expert_penalty_record,
    expert_profile_update,
    expert_rate,
)
from ggzy.registry.personal_id import id_number_make

from .factories import ExpertFactory

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 3, 2)


def test_entry_rules_come_from_the_catalog_template_data():
    rules = entry_rules(TODAY)
    assert (rules.experience_min, rules.senior_title_required, rules.age_max) == (8, True, 65)
    ok = entry_problems(
        birth_date=dt.date(1961, 3, 2), title_level="senior_deputy", years_in_field=8, on_date=TODAY
    )
    assert ok == {}  # exactly 65 and exactly 8 years are admissible
    bad = entry_problems(
        birth_date=dt.date(1960, 3, 3), title_level="intermediate", years_in_field=7, on_date=TODAY
    )  # turns 66 tomorrow: still 65 today
    assert set(bad) == {"years_in_field", "title_level"}
    bad = entry_problems(
        birth_date=dt.date(1960, 3, 2), title_level="senior_full", years_in_field=30, on_date=TODAY
    )
    assert bad == {"id_number": "年龄超过65周岁（按身份证号码计算为66周岁）"}


def test_changing_the_template_value_changes_the_check():
    TemplatePeriod.objects.filter(key="expert_age_max").update(value=70)
    TemplatePeriod.objects.filter(key="expert_senior_title_required").update(value=0)
    assert (
        entry_problems(
            birth_date=dt.date(1958, 1, 1), title_level="intermediate", years_in_field=10, on_date=TODAY
        )
        == {}
    )


@pytest.fixture
def staff(make_user, centers):
    return make_user("center_staff", center=centers["jinan"])


@pytest.fixture
def expert_user(make_user):
    return make_user("expert")


def test_expert_changes_phone_directly_and_employer_through_review(expert_user, staff, frozen_clock):
    expert = ExpertFactory(user=expert_user, employer_name="甲公司", phone="13900000000")
    change = expert_profile_update(
        actor=expert_user,
        expert=expert,
        data={"phone": "13911112222", "employer_name": "乙公司", "title": expert.title},
    )
    expert.refresh_from_db()
    assert expert.phone == "13911112222"  # applied at once
    assert expert.employer_name == "甲公司"  # waits for review
    assert change.changes == {"employer_name": "乙公司"} and change.previous == {"employer_name": "甲公司"}
    with pytest.raises(DomainError, match="已有待审核的变更申请"):
        expert_profile_update(actor=expert_user, expert=expert, data={"title": "正高级工程师"})
    with pytest.raises(DomainError, match="退回时须填写理由"):
        change_request_decide(actor=staff, request=change, approve=False)
    change_request_decide(actor=staff, request=change, approve=True)
    expert.refresh_from_db()
    assert expert.employer_name == "乙公司"
    assert ExpertChangeRequest.objects.get().status == ChangeRequestStatus.APPROVED


def test_returned_request_changes_nothing_and_others_cannot_edit(expert_user, staff, make_user, frozen_clock):
    expert = ExpertFactory(user=expert_user, title="高级工程师")
    change = expert_profile_update(actor=expert_user, expert=expert, data={"title": "正高级工程师"})
    change_request_decide(actor=staff, request=change, approve=False, reason="请上传职称证书")
    expert.refresh_from_db()
    assert expert.title == "高级工程师"
    with pytest.raises(NotAllowed):
        expert_profile_update(actor=make_user("expert"), expert=expert, data={"phone": "13900000001"})
    with pytest.raises(NotAllowed):
        change_request_decide(actor=expert_user, request=change, approve=True)
    with pytest.raises(DomainError, match="手机号码"):
        expert_profile_update(actor=expert_user, expert=expert, data={"phone": "123"})


def test_ratings_once_per_lot_and_side_marks_checked(staff, make_user, frozen_clock):
    expert = ExpertFactory()
    marks = {"attendance": 5, "punctuality": 4, "quality": 4, "conduct": 5}
    expert_rate(actor=staff, expert=expert, subject_code="L-1", marks=marks)
    expert_rate(actor=make_user("tenderer"), expert=expert, subject_code="L-1", marks={**marks, "quality": 2})
    with pytest.raises(DomainError, match="本标段已评价过该专家"):
        expert_rate(actor=staff, expert=expert, subject_code="L-1", marks=marks)
    with pytest.raises(DomainError, match="评审质量评分应为1至5的整数") as caught:
        expert_rate(actor=staff, expert=expert, subject_code="L-2", marks={**marks, "quality": 6})
    assert caught.value.errors == {"quality": ["评审质量评分应为1至5的整数"]}
    with pytest.raises(NotAllowed):
        expert_rate(actor=make_user("bidder"), expert=expert, subject_code="L-3", marks=marks)
    performance = selectors.expert_performance(expert)
    assert performance.ratings == 2 and performance.quality == 3
    assert ExpertRating.objects.count() == 2


def test_penalties_in_force_are_avoided_by_the_draw_selector(staff, frozen_clock):
    bidding, credit, other, over = ExpertFactory(), ExpertFactory(), ExpertFactory(), ExpertFactory()
    today = frozen_clock.today()
    expert_penalty_record(actor=staff, expert=bidding, kind="bidding", reason="违规", decided_on=today)
    expert_penalty_record(
        actor=staff,
        expert=credit,
        kind="credit",
        reason="失信",
        decided_on=today,
        until=today + dt.timedelta(days=30),
    )
    expert_penalty_record(actor=staff, expert=other, kind="other", reason="提醒", decided_on=today)
    expert_penalty_record(
        actor=staff,
        expert=over,
        kind="bidding",
        reason="旧",
        decided_on=today - dt.timedelta(400),
        until=today - dt.timedelta(days=1),
    )
    assert selectors.experts_penalised_ids(today) == {bidding.pk, credit.pk}
    assert selectors.experts_penalised_ids(today + dt.timedelta(days=31)) == {bidding.pk}
    with pytest.raises(DomainError, match="期限不能早于决定日期"):
        expert_penalty_record(
            actor=staff,
            expert=other,
            kind="credit",
            reason="x",
            decided_on=today,
            until=today - dt.timedelta(days=1),
        )


def test_experts_over_the_age_cap_are_retired(frozen_clock):
    from ggzy.experts.services.entry import experts_retire_over_age

    today = frozen_clock.today()
    still = ExpertFactory(id_number=id_number_make(f"370102{today.year - 65}{today:%m%d}001"))  # 65 today
    over = ExpertFactory(id_number=id_number_make(f"370102{today.year - 66}{today:%m%d}002"))  # 66 today
    removed = ExpertFactory(id_number=id_number_make("37010219500101003"), status="removed")
    assert experts_retire_over_age(today) == 1
    for expert in (still, over, removed):
        expert.refresh_from_db()
    assert (still.status, over.status, removed.status) == ("active", "retired", "removed")
