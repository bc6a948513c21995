"""The demo pool (640 valid experts over the 16 cities, idempotent, demo logins linked) and the classification
import command (idempotent, refuses broken files)."""

import io
import time

import pytest
from django.core.management import CommandError, call_command

from ggzy.experts import selectors
from ggzy.experts.demo import demo_experts_load
from ggzy.experts.models import Classification, Expert, ExpertStatus
from ggzy.registry.personal_id import id_number_validate

pytestmark = pytest.mark.django_db


def test_demo_pool_is_valid_spread_quick_and_idempotent(frozen_clock, make_user, centers):
    make_user("expert", username="zhuanjia")
    make_user("expert", username="zhuanjia2")
    make_user("center_staff", center=centers["jinan"], username="jinan_staff")
    started = time.monotonic()
    created = demo_experts_load()
    assert time.monotonic() - started < 30
    assert created == 640 and demo_experts_load() == 0
    assert Expert.objects.values("region").distinct().count() == 16
    assert Expert.objects.filter(status__in=[ExpertStatus.SUSPENDED, ExpertStatus.RETIRED]).exists()
    for expert in Expert.objects.all()[:50]:
        id_number_validate(expert.id_number)
    assert selectors.expert_for_user(make_user("expert", username="x")) is None
    from ggzy.accounts.models import User

    assert selectors.expert_for_user(User.objects.get(username="zhuanjia")).name == "陈刚"
    assert len(selectors.experts_penalised_ids()) == 6
    health = selectors.pool_health()
    assert health.total == 640 and health.by_classification and len(health.by_city) == 16


def test_classification_import_is_idempotent_and_checks_the_file(tmp_path):
    out = io.StringIO()
    call_command("experts_classifications_import", stdout=out)
    assert "新增 0" in out.getvalue()  # the migration loaded the table already
    file = tmp_path / "full.csv"
    file.write_text("code,name,parent_code\nA0801,房屋建筑工程,A08\nA08,施工（更名）,A\n", encoding="utf-8")
    call_command("experts_classifications_import", str(file), stdout=out)
    assert Classification.objects.get(code="A0801").level == 3
    assert Classification.objects.get(code="A08").name == "施工（更名）"
    call_command("experts_classifications_import", str(file), stdout=(again := io.StringIO()))
    assert again.getvalue().strip() == "新增 0，更新 0，无变化 2"
    bad = tmp_path / "bad.csv"
    bad.write_text("A0901,x,B09\n", encoding="utf-8")
    with pytest.raises(CommandError, match="应以上级代码 B09 开头"):
        call_command("experts_classifications_import", str(bad))
    bad.write_text("Z01,x,Z\n", encoding="utf-8")
    with pytest.raises(CommandError, match="上级分类 Z 不存在"):
        call_command("experts_classifications_import", str(bad))
    assert not Classification.objects.filter(code="Z01").exists()
    assert Classification.objects.filter(level=1).count() == 3
