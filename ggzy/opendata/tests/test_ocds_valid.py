"""An export of the platform's data is valid OCDS 1.1 (+ bids extension) per the official validator, offline:
zero schema errors and no value outside a closed codelist (shared test data: skipped only without it, never in CI)."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command

from ggzy.core import clock
from ggzy.core.testing import shared_data_path
from ggzy.opendata import ocds, ocds_rights
from ggzy.tendering import selectors_opendata
from ggzy.tendering.tests.conftest import lot_ready

from .conftest import play, rights_demo_close_all, rights_demo_load
from .validator import validate


def _problems(report: dict) -> tuple[list, dict]:
    return report.get("validation_errors", []), report.get("additional_closed_codelist_values", {})


@pytest.fixture
def exported(world, tmp_path):
    # given a works lot played to its contract, a failed-free GP lot still open for bids, in the platform's data
    shared_data_path("ocds", "standard-1__1__5.zip")
    for _stage, _lot in play(world):
        pass
    lot_ready(world, method="gp_open_tender")
    # when the whole range is exported with the management command
    out = tmp_path / "ocds.jsonl"
    call_command("ocds", "export", "--from", "2020-01-01", "--to", "2029-12-31", "--output", str(out))
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


@pytest.mark.django_db
def test_exported_records_and_releases_are_valid_ocds(exported):
    # given the exported records (one per lot)
    assert len(exported) == 2
    package = {**ocds._package("https://example.invalid/ocds/export.jsonl"), "records": exported}
    # when the official validator checks the record package offline
    report = validate(package)
    # then it reports no schema error and no closed-codelist violation, and it did check the bids extension
    errors, closed = _problems(report)
    assert errors == [] and closed == {}
    assert report["extensions"]["extensions"] and not report["extensions"].get("invalid_extension")
    compiled = {r["ocid"]: r["compiledRelease"] for r in exported}
    works = next(c for c in compiled.values() if c["tender"]["procurementMethodDetails"] == "工程建设项目公开招标")
    assert len(works["bids"]["details"]) == 3 and works["contracts"][0]["status"] == "active"
    # given every release of the same processes
    facts = [selectors_opendata.lot_open_facts(lot) for lot in selectors_opendata.lot_codes_changed()]
    package = ocds.release_package(facts, uri="https://example.invalid/ocds/releases.json")
    # when validated offline / then nothing is wrong
    report = validate(package)
    assert _problems(report) == ([], {})
    assert {tag for r in package["releases"] for tag in r["tag"]} >= {"tender", "tenderUpdate", "award", "contract"}


def test_the_validator_is_not_a_rubber_stamp():
    # given a release with a status outside the closed tenderStatus codelist and a missing required id
    shared_data_path("ocds", "standard-1__1__5.zip")
    bad = {**ocds._package("https://example.invalid/x.json"), "releases": [
        {"ocid": "ocds-ggzysd-1", "date": "2026-01-01T00:00:00Z", "tag": ["tender"], "initiationType": "tender",
         "tender": {"id": "1", "status": "在招标"}}]}
    # when validated / then the missing id is an error and the status a closed-codelist violation
    errors, closed = _problems(validate(bad))
    assert errors and closed


def _export(tmp_path, name: str, *kind: str) -> list[dict]:
    out = tmp_path / name
    today = clock.today()
    call_command("ocds", "export", "--from", str(today.replace(year=today.year - 2)),
                 "--to", str(today.replace(year=today.year + 2)), "--output", str(out), *kind)
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


@pytest.mark.django_db
def test_rights_demo_in_the_export_is_valid_ocds_at_every_stage(tmp_path):
    # given the rights demo (a listing in every stage and mode, loaded at the real time as `demo_load` does)
    shared_data_path("ocds", "standard-1__1__5.zip")
    rights_demo_load()
    from ggzy.rights.models import RightsListing

    codes = set(RightsListing.objects.filter(announced_at__lte=clock.now()).values_list("code", flat=True))
    for moment in ("as_loaded", "all_closed"):
        if moment == "all_closed":
            rights_demo_close_all()
            codes = set(RightsListing.objects.values_list("code", flat=True))
        # when the whole range is exported (records, then releases) and validated offline
        records = _export(tmp_path, f"{moment}.jsonl")
        rights = {r["ocid"]: r for r in records if "-rights-" in r["ocid"]}
        assert {ocds_rights.listing_code_of(ocid) for ocid in rights} == codes, moment
        report = validate({**ocds._package("https://example.invalid/ocds/export.jsonl"), "records": records})
        # then zero schema errors, no closed-codelist violation, and the bids extension was checked
        assert _problems(report) == ([], {}), moment
        assert report["extensions"]["extensions"] and not report["extensions"].get("invalid_extension")
        releases = _export(tmp_path, f"{moment}-releases.jsonl", "--kind", "releases")
        report = validate({**ocds._package("https://example.invalid/ocds/releases.jsonl"), "releases": releases})
        assert _problems(report) == ([], {}), moment
    # and every step of a listing is there once all are closed: announcement, suspension and resumption, 成交 with
    # bids, 流拍, the contract and its payment
    tags = {tag for r in releases if "-rights-" in r["ocid"] for tag in r["tag"]}
    assert tags == {"tender", "tenderAmendment", "tenderUpdate", "award", "awardCancellation", "contract",
                    "implementation"}
    void = rights[ocds_rights.ocid_for("DEMO-QL-2026-004")]["compiledRelease"]  # 资格后审: the winner refused
    assert void["awards"][0]["status"] == "cancelled" and void["tender"]["status"] == "unsuccessful"
    assert "（演示）" in void["awards"][0]["description"] and "contracts" not in void
    sold = rights[ocds_rights.ocid_for("DEMO-QL-2026-001")]["compiledRelease"]
    assert [b["value"]["amount"] for b in sold["bids"]["details"]] == [12000000, 12100000, 12300000]
    assert sold["awards"][0]["value"]["amount"] == 12300000 and sold["tender"]["numberOfTenderers"] == 2
    assert sold["contracts"][0]["implementation"]["transactions"][0]["payee"] == sold["tender"]["procuringEntity"]
    failed = rights[ocds_rights.ocid_for("DEMO-QL-2026-002")]["compiledRelease"]
    assert failed["tender"]["status"] == "unsuccessful" and failed["listingTerms"]["reservePrice"] == "3500000.00"
    assert "awards" not in failed
    # and the highest bidder of a failed listing (below the reserve) is not named: it won nothing
    assert [b["value"]["amount"] for b in failed["bids"]["details"]] == [3000000]
    assert not any("tenderers" in b for b in failed["bids"]["details"]) and len(failed["parties"]) == 1
    # the weighted quote 权重报价: its announced factors, rated criteria, the award to the best score (not the best price)
    weighted = rights[ocds_rights.ocid_for("DEMO-QL-2026-110")]["compiledRelease"]
    assert weighted["tender"]["awardCriteria"] == "ratedCriteria"
    assert [f["name"] for f in weighted["listingTerms"]["weightFactors"]] == ["报价", "职工安置人数", "承诺投资额"]
    assert weighted["awards"][0]["value"]["amount"] == 12600000 and weighted["listingTerms"]["mode"] == "权重报价"
