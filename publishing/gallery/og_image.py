"""The campaign's default sharing image (1200×630), for pages without a story's own still."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

OG_SIZE = (1200, 630)
DEFAULT_OG_IMAGE = "img/og-default.jpg"  # under static/
FONT_DIRS = ("/usr/share/fonts/truetype/noto", "/usr/share/fonts/truetype/dejavu")
FONTS = ("NotoSans-Bold.ttf", "DejaVuSans-Bold.ttf")


def _font(size: int) -> object:
    from PIL import ImageFont

    for folder in FONT_DIRS:
        for name in FONTS:
            if (Path(folder) / name).exists():
                return ImageFont.truetype(str(Path(folder) / name), size)
    return ImageFont.load_default(size)


def draw_default_og_image(path: Path) -> Path:
    """Draw the claim and the alliance in the brand colours and save a JPEG at ``path``."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", OG_SIZE, (11, 79, 138))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, OG_SIZE[1] - 36, OG_SIZE[0], OG_SIZE[1]), fill=(194, 65, 12))
    draw.text((80, 150), "ZUSAMMEN.", font=_font(150), fill="white")  # type: ignore[arg-type]
    draw.text((80, 310), "MEHR.", font=_font(150), fill="white")  # type: ignore[arg-type]
    draw.text(
        (84, 500),
        str(settings.CAMPAIGN_ALLIANCE),
        font=_font(44),  # type: ignore[arg-type]
        fill=(230, 238, 246),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, format="JPEG", quality=85, optimize=True, progressive=True)
    return path
