"""ca_register / crl_import / ca_set_enabled: signatures checked before anything is kept; only admins may act."""

import datetime as dt

import pytest
from django.core.management import call_command

from ggzy.accounts.roles import Role
from ggzy.core.errors import Conflict, DomainError, NotAllowed
from ggzy.core.models import AuditEntry
from ggzy.pki import services
from ggzy.pki.models import Algorithm, RevocationList, TrustedCA
from ggzy.pki.testpki import ca_new

from .conftest import NOW


@pytest.mark.parametrize("algorithm", [Algorithm.SM2, Algorithm.ECDSA])
def test_admin_registers_a_root_ca_and_the_change_is_audited(db, make_user, demo_pki, algorithm):
    # given
    admin = make_user(Role.ADMIN)
    ca = demo_pki.cas[algorithm]
    # when
    trusted = services.ca_register(actor=admin, certificate=ca.issued.pem)
    # then
    assert trusted.is_root and trusted.enabled
    assert trusted.algorithm == algorithm
    assert trusted.name == ca.name
    entry = AuditEntry.objects.get(action="pki.ca_register")
    assert entry.actor == admin and entry.object_id == str(trusted.pk)


def test_registering_the_same_ca_twice_is_refused(db, demo_pki):
    # given
    services.ca_register(actor=None, certificate=demo_pki.cas[Algorithm.SM2].issued.der)
    # when / then
    with pytest.raises(Conflict):
        services.ca_register(actor=None, certificate=demo_pki.cas[Algorithm.SM2].issued.pem)
    assert TrustedCA.objects.count() == 1


@pytest.mark.parametrize(("certificate", "message"), [
    pytest.param("user", "不是CA证书", id="end-entity"),
    pytest.param("garbage", "格式无法识别", id="garbage"),
    pytest.param("orphan-intermediate", "上级CA", id="intermediate-without-its-issuer"),
])
def test_bad_ca_certificates_are_refused_and_nothing_is_written(db, demo_pki, certificate, message):
    # given
    from ggzy.pki.testpki import CA_USAGES

    data = {
        "user": lambda: demo_pki.users["王建国/sign"].pem,
        "garbage": lambda: b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
        "orphan-intermediate": lambda: demo_pki.cas[Algorithm.SM2].issue(
            label="m", subject=[("2.5.4.3", "孤立中级CA")], usages=CA_USAGES, ca=True,
            not_before=NOW, not_after=NOW + dt.timedelta(days=9)).pem,
    }[certificate]()
    # when
    with pytest.raises(DomainError) as raised:
        services.ca_register(actor=None, certificate=data)
    # then
    assert message in str(raised.value)
    assert raised.value.errors.get("certificate")
    assert TrustedCA.objects.count() == 0
    assert AuditEntry.objects.count() == 0


@pytest.mark.parametrize("role", [Role.BIDDER, Role.CENTER_STAFF, Role.SUPERVISOR])
def test_only_administrators_change_the_trust_store(db, make_user, centers, demo_pki, role):
    # given
    user = make_user(role, center=centers["jinan"])
    before = AuditEntry.objects.count()
    # when / then
    with pytest.raises(NotAllowed):
        services.ca_register(actor=user, certificate=demo_pki.cas[Algorithm.SM2].issued.pem)
    with pytest.raises(NotAllowed):
        services.crl_import(actor=user, crl=demo_pki.crls[Algorithm.SM2])
    assert TrustedCA.objects.count() == 0
    assert AuditEntry.objects.count() == before


@pytest.mark.parametrize("algorithm", [Algorithm.SM2, Algorithm.ECDSA])
def test_crl_import_checks_the_issuers_signature(db, demo_pki, algorithm):
    # given
    services.ca_register(actor=None, certificate=demo_pki.cas[algorithm].issued.pem)
    crl = demo_pki.crls[algorithm]
    tampered = bytearray(crl)
    tampered[len(crl) // 2] ^= 0x01  # inside the TBS: a revoked serial or a date
    # when
    imported = services.crl_import(actor=None, crl=crl)
    # then
    assert imported.revoked_count == 1 and imported.number == 1
    assert imported.next_update == NOW + dt.timedelta(days=30)
    with pytest.raises(DomainError):
        services.crl_import(actor=None, crl=bytes(tampered))
    assert RevocationList.objects.count() == 1
    assert AuditEntry.objects.filter(action="pki.crl_import").count() == 1


@pytest.mark.parametrize("algorithm", [Algorithm.SM2, Algorithm.ECDSA])
def test_a_crl_from_an_impostor_with_the_same_name_is_refused(db, demo_pki, algorithm):
    # given: another key under the registered CA's exact name
    real = demo_pki.cas[algorithm]
    services.ca_register(actor=None, certificate=real.issued.pem)
    impostor = ca_new(name=real.name, algorithm=algorithm, not_before=NOW - dt.timedelta(days=1))
    forged = impostor.crl(this_update=NOW, next_update=NOW + dt.timedelta(days=7))
    # when / then
    with pytest.raises(DomainError, match="签名验证失败"):
        services.crl_import(actor=None, crl=forged)
    assert RevocationList.objects.count() == 0


def test_a_crl_of_an_unregistered_ca_and_a_duplicate_are_refused(db, demo_pki):
    # given
    services.ca_register(actor=None, certificate=demo_pki.cas[Algorithm.SM2].issued.pem)
    services.crl_import(actor=None, crl=demo_pki.crls[Algorithm.SM2])
    # when / then
    with pytest.raises(DomainError, match="不是已登记的CA"):
        services.crl_import(actor=None, crl=demo_pki.crls[Algorithm.ECDSA])
    with pytest.raises(Conflict):
        services.crl_import(actor=None, crl=demo_pki.crls[Algorithm.SM2])
    assert RevocationList.objects.count() == 1


def test_pki_demo_command_builds_and_registers_both_cas(db, tmp_path):
    # given
    target = tmp_path / "pki"
    # when
    call_command("pki", "demo", "--dir", str(target))
    call_command("pki", "demo", "--dir", str(target))  # a second run reuses the files
    # then
    assert set(TrustedCA.objects.values_list("algorithm", flat=True)) == {Algorithm.SM2, Algorithm.ECDSA}
    assert RevocationList.objects.count() == 2
    assert (target / "manifest.json").exists()
    assert len(list((target / "custodians").glob("*.key"))) == 5
    assert oct((target / "ca" / "sm2-root.key").stat().st_mode & 0o777) == "0o600"
