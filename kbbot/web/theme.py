"""The help center's look, from configuration: product name, brand colour and logo.

Pure functions. `from_config` validates the settings once, when the app is
created; `stylesheet` turns the brand colour into the CSS custom properties
served at /theme.css, with the derived colours computed to meet WCAG 2.1 AA
contrast whatever colour is configured.
"""

import re
from dataclasses import dataclass

from ..text import url_parts

_HEX_COLOR = re.compile(r"#(?:[0-9a-fA-F]{3}){1,2}")
WHITE = (255, 255, 255)
BLACK = (0, 0, 0)
TEXT_CONTRAST = 4.5  # WCAG 2.1 AA, normal text


@dataclass(frozen=True)
class Theme:
    product_name: str
    brand_color: str  # "#rrggbb", lower case
    logo_url: str | None  # https URL or a path on this site


def parse_color(value):
    """(r, g, b) in 0..255 of a "#rgb" or "#rrggbb" colour; ValueError otherwise."""
    if not isinstance(value, str) or not _HEX_COLOR.fullmatch(value.strip()):
        raise ValueError(f"not a hex colour: {value!r}")
    digits = value.strip()[1:]
    if len(digits) == 3:
        digits = "".join(digit * 2 for digit in digits)
    return tuple(int(digits[i : i + 2], 16) for i in (0, 2, 4))


def to_hex(rgb):
    return "#" + "".join(f"{channel:02x}" for channel in rgb)


def relative_luminance(rgb):
    """WCAG 2.1 relative luminance of an sRGB colour, in [0, 1]."""

    def linear(channel):
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(channel) for channel in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(first, second):
    """WCAG 2.1 contrast ratio of two colours, in [1, 21]."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def mix(color, other, weight):
    """`color` moved towards `other` by `weight` in [0, 1] (0: `color`, 1: `other`), whole channels.

    Rounded here, so that contrast is checked on exactly the colour the stylesheet will name.
    """
    return tuple(round(a + (b - a) * weight) for a, b in zip(color, other))


def readable_on(color, background, minimum=TEXT_CONTRAST):
    """`color`, darkened only as much as needed for `minimum` contrast against a light `background`."""
    for step in range(101):
        candidate = mix(color, BLACK, step / 100)
        if contrast_ratio(candidate, background) >= minimum:
            return candidate
    return BLACK


def contrast_color(background):
    """Black or white, whichever is easier to read on `background`."""
    return WHITE if contrast_ratio(WHITE, background) >= contrast_ratio(BLACK, background) else BLACK


def _check_logo_url(value):
    parts = url_parts(value)
    if parts is not None and parts.scheme == "https" and parts.netloc:
        return value
    if parts is not None and not parts.scheme and not parts.netloc and value.startswith("/"):
        return value
    raise ValueError(
        f"KBBOT_LOGO_URL must be an https:// URL or a path on this site (/static/logo.svg); got {value!r}"
    )


def from_config(config):
    """The validated theme of the app `config` (PRODUCT_NAME, BRAND_COLOR, LOGO_URL; defaults in config.py).

    Raises ValueError naming the environment variable of a bad setting.
    """
    color = config["BRAND_COLOR"]
    try:
        rgb = parse_color(color)
    except ValueError as e:
        raise ValueError(
            f"KBBOT_BRAND_COLOR must be a hex colour such as #2563eb or #26e; got {color!r}"
        ) from e
    product_name = " ".join(str(config["PRODUCT_NAME"] or "").split())
    if not product_name:
        raise ValueError("KBBOT_PRODUCT_NAME must not be empty")
    logo_url = (config.get("LOGO_URL") or "").strip() or None
    return Theme(
        product_name=product_name,
        brand_color=to_hex(rgb),
        logo_url=_check_logo_url(logo_url) if logo_url else None,
    )


def css_variables(theme):
    """The theme's CSS custom properties, name -> "#rrggbb"."""
    brand = parse_color(theme.brand_color)
    on_brand = contrast_color(brand)
    # Hover moves away from the text colour on the brand, so contrast only grows; a brand that is
    # already (almost) black or white moves the other way a little, so that hover still shows.
    hover_towards = BLACK if on_brand == WHITE else WHITE
    if contrast_ratio(brand, hover_towards) < 1.2:
        hover_towards = WHITE if hover_towards == BLACK else BLACK
    soft = mix(brand, WHITE, 0.9)
    return {
        "--kb-brand": to_hex(brand),
        "--kb-brand-contrast": to_hex(on_brand),
        "--kb-brand-hover": to_hex(mix(brand, hover_towards, 0.15)),
        "--kb-brand-soft": to_hex(soft),
        "--kb-brand-border": to_hex(mix(brand, WHITE, 0.7)),
        # Links, brand-coloured text and focus rings: readable on white and on --kb-brand-soft.
        "--kb-brand-text": to_hex(readable_on(brand, soft)),
    }


def stylesheet(theme):
    """/theme.css: the custom properties on :root (names are shared with the widget; keep them stable)."""
    lines = [
        "/* The kbbot help center's theme. Custom properties (names shared with the widget):",
        "   --kb-brand          the brand colour as configured (buttons, accents)",
        "   --kb-brand-contrast black or white, for text on --kb-brand",
        "   --kb-brand-hover    --kb-brand on hover or press (text contrast kept)",
        "   --kb-brand-soft     a light tint of the brand, for backgrounds",
        "   --kb-brand-border   a medium tint of the brand, for borders",
        "   --kb-brand-text     the brand, darkened to 4.5:1 on white and on --kb-brand-soft (links, focus)",
        "   Generated from KBBOT_BRAND_COLOR. */",
        ":root {",
        *(f"  {name}: {value};" for name, value in css_variables(theme).items()),
        "}",
        "",
    ]
    return "\n".join(lines)
