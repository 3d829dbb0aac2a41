"""The kind of each number a report holds, declared once with its field (`Rate`, `Duration`...): the
dashboard's figures and tables show each value by its kind (`format_value`) and chart it on its kind's
range. A field without one of these types is a count if it is an `int`, text if a `str`."""

from functools import cache
from typing import Annotated, get_args, get_origin, get_type_hints

Rate = Annotated[float | None, "rate"]  # in [0, 1]; None where there is nothing to measure
Duration = Annotated[float | None, "duration"]  # seconds
Number = Annotated[float | None, "number"]
Score = Annotated[float | None, "score"]  # CSAT, on the 1-5 scale
NpsScore = Annotated[float | None, "nps"]  # % promoters - % detractors, in [-100, 100]


@cache
def kind_of(cls, path):
    """The kind of the field at the dotted `path` of the dataclass `cls`: kind_of(Report, "csat.average")
    is "score"; a path through a dict names one of its keys ("handoffs_by_reason.low_confidence")."""
    hint = cls
    for name in path.split("."):
        if get_origin(hint) is dict:
            hint = get_args(hint)[1]  # its values, whatever the key
        else:
            hint = get_type_hints(hint, include_extras=True)[name]
    if get_origin(hint) is Annotated:
        return hint.__metadata__[0]
    return {int: "count", str: "text"}[hint]
