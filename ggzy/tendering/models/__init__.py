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
from .intention import ProcurementIntention
from .negotiation import FinalQuotation, NegotiationRecord, NegotiationRound, RequirementChange
from .opening import OpeningObjection, OpeningRecord
from .projects import Clarification, FairCompetitionFinding, Lot, Project, ProjectDocument, TenderDocument
from .result import Award, BondRefund, Candidate, Contract, ResultObjection
from .single_source import SingleSourceDeal, SingleSourceObjection, SingleSourcePublicity

__all__ = [
    "BankArrival", "Challenge", "Complaint", "LotSuspension", "BankStatementImport", "BondAccount", "GuaranteeIssuer", "GuaranteeRecord",
    "ArchiveAccess", "ArchivePackage", "Award", "Bid", "BidBond", "BidDocumentProfile", "BidEvent", "BidFile", "BondRefund", "Candidate",
    "Clarification", "CommitteeFormation", "CommitteeMember", "RecusalDeclaration", "Contract", "Custodian", "CustodianShare", "DocumentDownload", "EvaluationReport", "FairCompetitionFinding", "HallSignIn", "Lot", "LotOpeningKey",
    "FinalQuotation", "NegotiationRecord", "NegotiationRound", "RequirementChange", "OpeningObjection", "OpeningRecord", "ProcurementIntention", "Project", "ReportSignature", "ResultObjection", "Score", "SignUp", "SingleSourceDeal", "SingleSourceObjection", "SingleSourcePublicity",
    "TenderDocument", "ProjectDocument",
]
