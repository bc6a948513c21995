from .checkpoints import Checkpoint, Cosignature, Witness, WitnessKind
from .log import LogEntry, LogHead, TreeNode

__all__ = ["Checkpoint", "Cosignature", "LogEntry", "LogHead", "TreeNode", "Witness", "WitnessKind"]
