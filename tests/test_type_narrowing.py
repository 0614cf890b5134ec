"""The accessors that narrow an optional value for the type checker (issue 23's mypy work): each
returns the value where it is present and, where a caller's assumption is wrong, says so in
words instead of failing later on None."""
from dataclasses import replace

import numpy as np
import pytest
from pydantic.fields import FieldInfo
from tiny import tiny

from model.data.families.base import family_named, option_family
from model.data.fields import extra_of
from model.data.schema import SourceSpec
from model.economics import responses
from model.optimization.handle import NegotiationModel, Solution


def test_solution_column_values():
    x = np.array([1.0, 0.0])
    assert Solution("optimal", x=x).column_values() is x
    with pytest.raises(ValueError, match=r"this solve \(infeasible\) has no column values"):
        Solution("infeasible").column_values()


def test_option_choices_only_for_the_option_family(tmp_path):
    model = NegotiationModel(tiny(tmp_path))
    chooser = option_family()
    # one choice variable per (segment, option): the tiny instance's OPTIONS
    assert len(chooser.choices(model.m, model.inst)) == len(list(model.m.OPTIONS))
    with pytest.raises(TypeError, match="lever family 'commitment' chooses no tariff options"):
        family_named("commitment").choices(model.m, model.inst)


def test_extra_of_reads_the_declared_mapping():
    assert extra_of(FieldInfo(json_schema_extra={"dimension": "money"})) == {"dimension": "money"}
    assert extra_of(FieldInfo()) == {}
    with pytest.raises(TypeError, match="the format declares mappings"):
        extra_of(FieldInfo(json_schema_extra=lambda schema: None))


def test_source_kind_and_text():
    published = SourceSpec(citation="Census 2024", year=2024)
    assumed = SourceSpec(assumption="round number")
    assert (published.kind, published.said) == ("published", "Census 2024")
    assert (assumed.kind, assumed.said) == ("assumption", "round number")


def test_imposed_pass_through_and_armington_nest(tmp_path):
    seg = tiny(tmp_path).segments["car"]             # the tiny case imposes full pass-through
    assert responses._imposed(seg) == 1.0
    with pytest.raises(ValueError, match="segment car: no imposed pass-through"):
        responses._imposed(replace(seg, pass_through=None))
    with pytest.raises(ValueError, match="segment car: not an Armington segment"):
        responses._armington(seg)
