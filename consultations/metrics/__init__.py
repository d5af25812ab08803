"""How fast patients are answered: due times, time to first contact, and the figures the
dashboard (the admin index), the daily digest and `consultation_report` show.

One module per job; callers use `consultations.metrics.<name>`, re-exported here:
- config: the two settings (default week, response target), read strictly at start-up;
- response_times: when first contact is due, how long it took, the backfill;
- percentiles: percentiles per group in one query (the engine under every figure);
- figures: per-clinic figures for a period, the digest's counts, the scope they cover;
- weekly: the dashboard chart's weeks (consultations.charts lays them out);
- formatting: minutes in words staff read at a glance.
"""

from .config import check_settings, parse_week, site_target_hours, site_time_zone
from .figures import (
    DEFAULT_PERIOD,
    PERIOD_CHOICES,
    Figures,
    Period,
    clinic_figures,
    digest_counts,
    locations_visible_to,
    period_days,
    scope,
    visit_totals,
)
from .formatting import describe_minutes, rounded, whole_minutes
from .percentiles import ALL_ROWS, MEDIAN, P90, GroupSpread, percentiles_by_group
from .response_times import (
    apply_first_contact,
    backfill,
    default_schedule,
    due_at,
    first_contact_minutes,
    schedule_for,
    stamp_first_contact,
    target_minutes,
)
from .weekly import CHART_WEEKS, Week, weekly

# The engine's names before the split, for branches written against them.
percentiles = percentiles_by_group
Spread = GroupSpread
ALL = ALL_ROWS

__all__ = [
    "ALL",
    "ALL_ROWS",
    "CHART_WEEKS",
    "DEFAULT_PERIOD",
    "MEDIAN",
    "P90",
    "PERIOD_CHOICES",
    "Figures",
    "GroupSpread",
    "Period",
    "Spread",
    "Week",
    "apply_first_contact",
    "backfill",
    "check_settings",
    "clinic_figures",
    "default_schedule",
    "describe_minutes",
    "digest_counts",
    "due_at",
    "first_contact_minutes",
    "locations_visible_to",
    "parse_week",
    "percentiles",
    "percentiles_by_group",
    "period_days",
    "rounded",
    "schedule_for",
    "scope",
    "site_target_hours",
    "site_time_zone",
    "stamp_first_contact",
    "target_minutes",
    "visit_totals",
    "weekly",
    "whole_minutes",
]
