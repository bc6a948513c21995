from .checkpoints import Checkpoint, Cosignature, Witness, WitnessKind
from .log import LogEntry, LogHead, TreeNode
from .outbox import Subscriber, SubscriberKind

__all__ = ["Checkpoint", "Cosignature", "LogEntry", "LogHead", "Subscriber", "SubscriberKind", "TreeNode", "Witness",
           "WitnessKind"]
