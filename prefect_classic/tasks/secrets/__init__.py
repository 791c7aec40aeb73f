"""Secret tasks: fetch sensitive values at run time without ever persisting them.

Every secret task's Result is a `SecretResult` and checkpointing is off, so the value stays in
memory: it is never written by checkpoints, targets or a flow's default Result.
"""

from prefect_classic.tasks.secrets.base import PrefectSecret, SecretBase, get_local_secret
from prefect_classic.tasks.secrets.env_var import EnvVarSecret

__all__ = ["EnvVarSecret", "PrefectSecret", "SecretBase", "get_local_secret"]
