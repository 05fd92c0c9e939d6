"""Analysis of a legacy extract before it is mapped: ``cutover profile``.

:func:`profile_project` reads every source of a project's mapping and returns a
:class:`ProfileResult` (column profiles and findings, worst first);
:func:`write_profile_reports` writes it as ``profile.xlsx`` and ``profile.html``.
"""

from cutover.analysis.findings import Finding
from cutover.analysis.profile import (
    ProfileResult,
    SourceProfile,
    profile_project,
    write_profile_reports,
)

__all__ = ["Finding", "ProfileResult", "SourceProfile", "profile_project", "write_profile_reports"]
