"""Wages in yen per month, whatever period they were stated for.

Hours and days come from the job when it states them (hours per week), else
from the platform's full-time month, the same as marketplace's SQL
`monthly_wage()` (migration 0002): 160 hours, 20 days, a twelfth of a year.
"""

from __future__ import annotations

from enum import Enum

WEEKS_PER_MONTH = 52 / 12
HOURS_PER_DAY = 8.0
DAYS_PER_MONTH = 20.0


class WagePeriod(Enum):
    UNSPECIFIED = "UNSPECIFIED"
    HOURLY = "HOURLY"
    DAILY = "DAILY"
    MONTHLY = "MONTHLY"
    ANNUAL = "ANNUAL"


def monthly_yen(amount: float, period: WagePeriod, hours_per_week: float = 0.0) -> float | None:
    """`amount` per `period` as yen per month; None when the period is not stated.

    Hourly and daily wages use the job's hours per week when given (a
    part-time job of 20 hours pays 20 × 52/12 hours a month), else full time.
    """
    if amount <= 0 or period is WagePeriod.UNSPECIFIED:
        return None
    if period is WagePeriod.MONTHLY:
        return amount
    if period is WagePeriod.ANNUAL:
        return amount / 12
    if period is WagePeriod.HOURLY:
        hours = hours_per_week * WEEKS_PER_MONTH if hours_per_week > 0 else HOURS_PER_DAY * DAYS_PER_MONTH
        return amount * hours
    days = hours_per_week / HOURS_PER_DAY * WEEKS_PER_MONTH if hours_per_week > 0 else DAYS_PER_MONTH
    return amount * days
