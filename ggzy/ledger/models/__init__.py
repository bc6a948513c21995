from .checkpoints import Checkpoint, Cosignature, Witness, WitnessKind
from .log import LogEntry, LogHead, TreeNode
from .outbox import Subscriber, SubscriberKind
from .sealed import SealedEntry

__all__ = ["Checkpoint", "Cosignature", "LogEntry", "LogHead", "SealedEntry", "Subscriber", "SubscriberKind", "TreeNode",
           "Witness", "WitnessKind"]
