"""Version gates for the few hooks that use another library's private names.

A private name can change in any release without notice. Each hook is verified against
one exact version of its library; on any other version it switches itself off, says so
in one WARNING line, and the public path is used instead. The modules that hold such hooks
are named ``*_internals`` and are the only places that touch private third-party names.
"""

from __future__ import annotations

import logging
from importlib.metadata import PackageNotFoundError, version

__all__ = ["installed_version", "verified"]

logger = logging.getLogger(__name__)


def installed_version(distribution: str) -> str | None:
    """The installed version of ``distribution``, None if it is not installed."""
    try:
        return version(distribution)
    except PackageNotFoundError:
        return None


def verified(distribution: str, verified_version: str, hook: str, *,
             installed: str | None = None) -> bool:
    """Whether ``hook`` may use ``distribution``'s internals: only on ``verified_version``.

    ``installed`` defaults to the installed version; on a mismatch one WARNING names the
    hook, both versions and the public path used instead.
    """
    found = installed if installed is not None else installed_version(distribution)
    if found == verified_version:
        return True
    logger.warning("%s: verified against %s %s, found %s; using the public path instead",
                   hook, distribution, verified_version, found or "none installed")
    return False
