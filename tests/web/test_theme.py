"""The help center's theme: colours checked at start, derived colours readable whatever the brand."""

import pytest

from kbbot.web.theme import BLACK, WHITE, contrast_ratio, css_variables, from_config, parse_color, stylesheet

DEFAULTS = {"PRODUCT_NAME": "Help Center", "BRAND_COLOR": "#2563eb", "LOGO_URL": None}


def test_contrast_ratios_follow_wcag():
    assert contrast_ratio(BLACK, WHITE) == pytest.approx(21)
    assert contrast_ratio(WHITE, WHITE) == pytest.approx(1)
    assert contrast_ratio(parse_color("#767676"), WHITE) == pytest.approx(4.54, abs=0.01)


def test_colours_are_read_in_both_hex_forms():
    assert parse_color("#FC0") == (255, 204, 0) == parse_color("#ffcc00")
    assert from_config({**DEFAULTS, "BRAND_COLOR": "#ABC"}).brand_color == "#aabbcc"
    for bad in ("blue", "ffcc00", "#ffcc0", "#ggg", "", None):
        with pytest.raises(ValueError):
            parse_color(bad)


@pytest.mark.parametrize(
    "brand", ["#2563eb", "#ffcc00", "#10b981", "#e11d48", "#a3e635", "#ffffff", "#000000"]
)
def test_derived_colours_meet_aa_contrast_for_any_brand(brand):
    colours = {
        name: parse_color(value)
        for name, value in css_variables(from_config({**DEFAULTS, "BRAND_COLOR": brand})).items()
    }
    assert contrast_ratio(colours["--kb-brand"], colours["--kb-brand-contrast"]) >= 4.5
    assert contrast_ratio(colours["--kb-brand-hover"], colours["--kb-brand-contrast"]) >= 4.5
    assert contrast_ratio(colours["--kb-brand-text"], WHITE) >= 4.5
    assert contrast_ratio(colours["--kb-brand-text"], colours["--kb-brand-soft"]) >= 4.5


def test_the_stylesheet_declares_the_variables_the_widget_relies_on():
    css = stylesheet(from_config(DEFAULTS))
    names = {
        "--kb-brand",
        "--kb-brand-contrast",
        "--kb-brand-hover",
        "--kb-brand-soft",
        "--kb-brand-border",
        "--kb-brand-text",
    }
    assert all(f"  {name}: #" in css for name in names)


def test_a_blank_product_name_is_refused_and_a_logo_must_be_https_or_local():
    with pytest.raises(ValueError, match="KBBOT_PRODUCT_NAME"):
        from_config({**DEFAULTS, "PRODUCT_NAME": "  "})
    assert from_config({**DEFAULTS, "LOGO_URL": "/static/logo.svg"}).logo_url == "/static/logo.svg"
    for bad in (
        "http://example.com/logo.png",
        "//example.com/logo.png",
        "data:image/png;base64,AAAA",
        "logo.png",
    ):
        with pytest.raises(ValueError, match="KBBOT_LOGO_URL"):
            from_config({**DEFAULTS, "LOGO_URL": bad})
