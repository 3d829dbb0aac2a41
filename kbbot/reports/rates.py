"""Rates and averages of the report: None where there is nothing to measure."""

import statistics


def ratio(numerator, denominator):
    return numerator / denominator if denominator else None


def mean(values):
    """The mean of `values` (a list), None without any; of flags, the share that are true, in [0, 1]."""
    return ratio(sum(values), len(values))


def median(values):
    """The median of `values`, None without any."""
    return statistics.median(values) if values else None
