"""Bid document profiles: made while the opening decrypts (none before), text and author metadata read in memory,
the tender documents' own text removed; the document indicators fire on copied bids and stay quiet otherwise."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

from ggzy.core import clock
from ggzy.supervision.indicators import base
from ggzy.tendering import doctext, selectors_bid_texts
from ggzy.tendering.models import BidDocumentProfile
from ggzy.tendering.services import opening

from .conftest import lot_ready
from .test_services_flow import _bid

PLAN = ("本公司拟投入项目经理一名、技术负责人一名，现场设安全员两名。基础施工采用旋挖钻孔灌注桩，主体结构采用"
        "铝合金模板体系，外墙保温在主体验收后分段施工。雨季施工期间设置截水沟与集水井，夜间施工时控制噪声。")
OTHER = ("我方组建以注册建造师为核心的项目部，配备专职质检员和资料员。土方开挖分三层进行，每层深度不超过两米，"
         "边坡采用喷锚支护。钢筋集中加工后由塔吊运至作业面，混凝土采用商品混凝土泵送浇筑并覆盖养护七天。")
THIRD = ("项目实行总承包管理，分包单位须经发包人书面同意。施工现场设封闭围挡和洗车槽，渣土车辆全部覆盖。"
         "进度计划以周为单位滚动调整，每月向监理报送进度报告，工程资料与施工进度同步形成并归档。")


def docx(text: str, creator: str = "", company: str = "") -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        body = "".join(f"<w:p><w:r><w:t>{line}</w:t></w:r></w:p>" for line in text.split("。") if line)
        zf.writestr("word/document.xml", '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/'
                    f'2006/main"><w:body>{body}</w:body></w:document>')
        zf.writestr("docProps/core.xml", '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/'
                    '2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/">'
                    f"<dc:creator>{creator}</dc:creator></cp:coreProperties>")
        zf.writestr("docProps/app.xml", '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
                    f'extended-properties"><Company>{company}</Company></Properties>')
    return buf.getvalue()


def test_docx_text_and_authors_are_read_and_hostile_files_are_recorded_not_raised():
    # given a docx, a GB 18030 text file, a zip without a document, a DTD bomb and random bytes
    # when read
    good = doctext.extract(docx("第一段。第二段", creator="张三", company="甲公司"))
    # then the text and the author fields come out; the rest are recorded as unreadable
    assert good.status == "ok" and "第一段" in good.text and good.authors == {"author": "张三", "company": "甲公司"}
    assert doctext.extract("投标函".encode("gb18030")).text == "投标函"
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w") as zf:
        zf.writestr("word/document.xml", '<!DOCTYPE a [<!ENTITY a "aaaa">]><a>&a;</a>')
    assert doctext.extract(bomb.getvalue()).status == "unreadable"
    assert doctext.extract(b"\x00\x01\x02binary").status == "unreadable"
    assert doctext.extract(b"%PDF-1.4 broken").status == "unreadable"


def test_a_file_over_the_limit_is_skipped_as_too_large(monkeypatch):
    # given a limit of 10 bytes
    monkeypatch.setattr(doctext, "MAX_FILE_BYTES", 10)
    collector = doctext.Collector()
    # when 12 bytes arrive
    collector.feed(b"123456")
    collector.feed(b"789012")
    # then nothing is kept and the file is recorded too large
    assert collector.result().status == "too_large"


def _opened_lot(world, contents):
    lot = lot_ready(world)
    for i, content in enumerate(contents):
        _bid(world, lot, i, ["7650000.00", "7480000.00", "7720000.00"][i], content=content)
    return lot


def test_profiles_exist_only_after_decryption_and_copied_bids_raise_signals(world):
    # given three bids: two with the same plan written by the same person, one different
    lot = _opened_lot(world, [docx(PLAN, creator="王五"), docx(PLAN + "另设应急仓库", creator="王五"),
                              docx(OTHER, creator="赵六")])
    # then before the opening there is no profile and the selector answers nothing
    assert not BidDocumentProfile.objects.exists()
    assert selectors_bid_texts.lot_document_profiles(lot_id=lot.pk) == []
    # when the lot is opened and decrypted
    clock.advance(dt.timedelta(days=21, minutes=1))
    lot = opening.lot_open(actor=world.staff, lot=lot)
    opening.opening_decrypt_all(actor=world.staff, lot=lot)
    # then each bid has a profile without its text, and the document indicators fire for the copying pair only
    profiles = selectors_bid_texts.lot_document_profiles(lot_id=lot.pk)
    assert len(profiles) == 3 and all(p["files"][0]["status"] == "ok" for p in profiles)
    assert all("本公司" not in str(p) for p in BidDocumentProfile.objects.values())
    third = str(lot.bids.get(price="7720000.00").bidder_id)
    for code in ("documents.similarity", "documents.same_author", "documents.shared_errors"):
        spec = base.get(code)
        assert spec is not None
        signals = list(spec.run(lot_id=lot.pk))
        # copied text also copies its unusual clauses: shared_errors fires for the same pair (yellow)
        assert len(signals) == 1 and signals[0].lot_id == lot.pk and signals[0].indicator == code
        assert len(signals[0].subjects) == 2 and third not in signals[0].subjects
    assert base.get("documents.similarity").run(lot_id=lot.pk)[0].level == "red"  # type: ignore[union-attr, index]


def test_bids_sharing_only_the_tender_documents_stay_quiet(world, monkeypatch):
    # given tender documents whose text every bid copies, and each bidder's own plan
    from ggzy.tendering.services import doc_profiles
    boiler = ("投标人应当按照招标文件的要求编制投标文件，投标文件应当对招标文件提出的实质性要求和条件作出响应。"
              "评标委员会按照技术标、商务标和信用标分别评分。承包人应按合同约定的工期完成全部工程并承担保修责任。") * 3
    monkeypatch.setattr(doc_profiles, "tender_sets", lambda lot: (
        frozenset(doc_profiles.textprint.shingles(boiler)), frozenset(doc_profiles.textprint.tokens(boiler))))
    lot = _opened_lot(world, [docx(boiler + PLAN), docx(boiler + OTHER), docx(boiler + THIRD)])
    clock.advance(dt.timedelta(days=21, minutes=1))
    lot = opening.lot_open(actor=world.staff, lot=lot)
    # when decrypted and screened
    opening.opening_decrypt_all(actor=world.staff, lot=lot)
    # then nothing fires
    for code in ("documents.similarity", "documents.shared_errors", "documents.same_author"):
        spec = base.get(code)
        assert spec is not None and list(spec.run(lot_id=lot.pk)) == []


def test_pdf_text_and_author_are_read():
    # given a pdf written by reportlab with an author
    from reportlab.pdfgen import canvas
    buf = io.BytesIO()
    pdf = canvas.Canvas(buf)
    pdf.setAuthor("Zhang San")
    pdf.drawString(72, 720, "Construction plan for lot one")
    pdf.save()
    # when read
    out = doctext.extract(buf.getvalue())
    # then the page text and /Author come out
    assert out.kind == "pdf" and out.status == "ok"
    assert "Construction plan" in out.text and out.authors["author"] == "Zhang San"


def test_tender_sets_are_read_lazily_from_the_published_documents_and_clarifications(world):
    # given a published lot with a text tender document in the file store and a clarification
    from ggzy.core import files as file_store
    from ggzy.core import textprint as screens
    from ggzy.tendering.models import TenderDocument
    from ggzy.tendering.services import doc_profiles
    lot = lot_ready(world)
    text = "投标人应当按照招标文件的要求编制投标文件，不得擅自修改工程量清单。"
    digest = file_store.put(text.encode())
    TenderDocument.objects.create(lot=lot, name="补充.txt", sha256=digest, size=len(text.encode()),
                                  uploaded_at=clock.now(), published_at=clock.now())
    unpublished = "尚未发布的修改稿内容不应计入招标文件文本。"
    TenderDocument.objects.create(lot=lot, name="草稿.txt", sha256=file_store.put(unpublished.encode()),
                                  size=10, uploaded_at=clock.now())
    # when the tender sets are computed
    shingles, _tokens = doc_profiles.tender_sets(lot)
    # then the published text is in them and the unpublished draft is not
    assert screens.shingles(text) <= shingles
    assert not screens.shingles(unpublished) <= shingles
