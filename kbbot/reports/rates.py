"""Rates of the report: a share, None where there is nothing to share out."""


def ratio(numerator, denominator):
    return numerator / denominator if denominator else None
