"""Tendering models, one module per aggregate."""

from .archive import ArchiveAccess, ArchivePackage
from .bidding import Bid, BidBond, BidEvent, BidFile, SignUp
from .bonds import BankArrival, BankStatementImport, BondAccount, GuaranteeIssuer, GuaranteeRecord
from .custody import Custodian, CustodianShare, LotOpeningKey
from .evaluation import CommitteeMember, EvaluationReport, ReportSignature, Score
from .opening import OpeningObjection, OpeningRecord
from .projects import Clarification, FairCompetitionFinding, Lot, Project, TenderDocument
from .result import Award, BondRefund, Candidate, Contract, ResultObjection

__all__ = [
    "BankArrival", "BankStatementImport", "BondAccount", "GuaranteeIssuer", "GuaranteeRecord",
    "ArchiveAccess", "ArchivePackage", "Award", "Bid", "BidBond", "BidEvent", "BidFile", "BondRefund", "Candidate",
    "Clarification", "CommitteeMember", "Contract", "Custodian", "CustodianShare", "EvaluationReport", "FairCompetitionFinding", "Lot", "LotOpeningKey",
    "OpeningObjection", "OpeningRecord", "Project", "ReportSignature", "ResultObjection", "Score", "SignUp",
    "TenderDocument",
]
