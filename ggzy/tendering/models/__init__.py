"""Tendering models, one module per aggregate."""

from .archive import ArchiveAccess, ArchivePackage
from .bidding import Bid, BidBond, BidEvent, BidFile, DocumentDownload, SignUp
from .bonds import BankArrival, BankStatementImport, BondAccount, GuaranteeIssuer, GuaranteeRecord
from .complaints import Challenge, Complaint, LotSuspension
from .custody import Custodian, CustodianShare, LotOpeningKey
from .docprofile import BidDocumentProfile
from .evaluation import (
                         CommitteeFormation,
                         CommitteeMember,
                         EvaluationReport,
                         RecusalDeclaration,
                         ReportSignature,
                         Score,
)
from .hall import HallSignIn
from .opening import OpeningObjection, OpeningRecord
from .projects import Clarification, FairCompetitionFinding, Lot, Project, ProjectDocument, TenderDocument
from .result import Award, BondRefund, Candidate, Contract, ResultObjection

__all__ = [
    "BankArrival", "Challenge", "Complaint", "LotSuspension", "BankStatementImport", "BondAccount", "GuaranteeIssuer", "GuaranteeRecord",
    "ArchiveAccess", "ArchivePackage", "Award", "Bid", "BidBond", "BidDocumentProfile", "BidEvent", "BidFile", "BondRefund", "Candidate",
    "Clarification", "CommitteeFormation", "CommitteeMember", "RecusalDeclaration", "Contract", "Custodian", "CustodianShare", "DocumentDownload", "EvaluationReport", "FairCompetitionFinding", "HallSignIn", "Lot", "LotOpeningKey",
    "OpeningObjection", "OpeningRecord", "Project", "ReportSignature", "ResultObjection", "Score", "SignUp",
    "TenderDocument", "ProjectDocument",
]
