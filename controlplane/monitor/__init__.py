"""Runtime monitor: reference profiles, drift math and the Prometheus exporter.

Training writes a profile with ``build_profile``; serving imports
``ModelMonitor``; batch jobs run ``compute_drift``. All three count values into
the same bins (``controlplane.monitor.binning``).
"""

from __future__ import annotations

from controlplane.monitor.build import build_profile
from controlplane.monitor.drift import DriftReport, FeatureDrift, compute_drift, psi
from controlplane.monitor.errors import MonitorError
from controlplane.monitor.exporter import ModelMonitor
from controlplane.monitor.profile import Profile
from controlplane.monitor.profile_json import load_profile, profile_from_json, profile_to_json

__all__ = [
    "DriftReport",
    "FeatureDrift",
    "ModelMonitor",
    "MonitorError",
    "Profile",
    "build_profile",
    "compute_drift",
    "load_profile",
    "profile_from_json",
    "profile_to_json",
    "psi",
]
