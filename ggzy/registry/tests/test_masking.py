"""The masking table: the public never sees personal IDs, personal phones or bank accounts."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ggzy.registry.masking import MASKING, Audience, entity_view, id_number_mask, masked, phone_mask
from ggzy.registry.schemas import EntityOut, EntityPublicOut, KeyPersonPublicOut

from .factories import BankAccountFactory, KeyPersonFactory, MarketEntityFactory


def test_phone_keeps_first_three_and_last_four():
    assert phone_mask("13812345678") == "138****5678"
    assert phone_mask("0531-88886666") == "053******6666"
    assert phone_mask("") == ""


def test_id_number_keeps_region_prefix_and_last_four():
    assert id_number_mask("370102198503150077") == "3701**********0077"


@given(st.text(min_size=9, max_size=18, alphabet="0123456789X"))
def test_masked_id_number_never_reveals_the_middle(number):
    shown = id_number_mask(number)
    assert len(shown) == len(number)
    assert shown[4:-4] == "*" * (len(number) - 8)


@given(id_number=st.text(min_size=18, max_size=18, alphabet="0123456789X"),
       phone=st.from_regex(r"1[3-9]\d{9}", fullmatch=True),
       account=st.from_regex(r"\d{12,20}", fullmatch=True))
def test_public_view_of_a_row_never_contains_personal_data(id_number, phone, account):
    # given a key person and a bank account with any values
    person = {"name": "王强", "role": "项目经理", "id_number": id_number, "phone": phone, "certificate_number": ""}
    bank = {"bank_name": "工商银行", "account_name": "某公司", "account_number": account}
    # when they are shown to the public
    shown = str(masked("key_person", person, Audience.PUBLIC)) + str(masked("bank_account", bank, Audience.PUBLIC))
    # then neither the ID number nor the phone nor the account number appear
    assert id_number not in shown and phone not in shown and account not in shown


@pytest.mark.django_db
@settings(max_examples=20, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(phone=st.from_regex(r"1[3-9]\d{9}", fullmatch=True))
def test_public_entity_view_masks_the_contact_phone(phone, frozen_clock):
    # given an entity with a key person and a bank account
    entity = MarketEntityFactory.build(contact_phone=phone, region=_region())
    view = entity_view(_saved(entity), Audience.PUBLIC)
    # then the contact phone is masked, and no bank accounts or personal data are shown
    assert view["contact_phone"] == phone[:3] + "****" + phone[-4:]
    assert "bank_accounts" not in view
    assert all("id_number" not in p and "phone" not in p for p in view["key_persons"])


def _region():
    from ggzy.registry.models import Region

    return Region.objects.get(code="370102")


def _saved(entity):
    from ggzy.registry.entity_input import region_center

    entity.center = region_center(entity.region)
    entity.save()
    KeyPersonFactory(entity=entity)
    BankAccountFactory(entity=entity)
    return entity


@pytest.mark.django_db
def test_owner_and_staff_see_masked_id_and_full_phone_and_accounts(frozen_clock):
    # given an entity with one key person and one bank account
    person = KeyPersonFactory()
    bank = BankAccountFactory(entity=person.entity)
    for audience in (Audience.OWNER, Audience.STAFF):
        # when its own users or its staff look
        view = entity_view(person.entity, audience)
        # then they see the phone and the account number, and the ID number masked
        assert view["key_persons"][0]["id_number"] == id_number_mask(person.id_number)
        assert view["key_persons"][0]["phone"] == person.phone
        assert view["bank_accounts"][0]["account_number"] == bank.account_number
        assert view["contact_phone"] == person.entity.contact_phone


def test_public_schema_has_no_field_the_table_hides_from_the_public():
    # given every field the table hides from the public
    hidden = {key for key, rule in MASKING.items() if Audience.PUBLIC not in rule}
    public_fields = {f"entity.{n}" for n in EntityPublicOut.model_fields} | {
        f"key_person.{n}" for n in KeyPersonPublicOut.model_fields}
    # then the public schema has none of them, and the full schema has them all
    assert not hidden & public_fields
    assert {"entity.bank_accounts", "entity.key_persons"} <= {f"entity.{n}" for n in EntityOut.model_fields}
