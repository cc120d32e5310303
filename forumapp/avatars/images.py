"""The avatar image pipeline: an upload in, square re-encoded thumbnails out.

Nothing of the uploaded file survives but its pixels: it is decoded by Pillow (PNG,
JPEG, WebP or the first frame of a GIF, no other decoder is tried), turned upright by
its EXIF orientation, cropped to a centred square, scaled to each size and encoded
anew as WebP without any metadata (EXIF, GPS, ICC profiles, comments). Its dimensions
are checked from the header before a single pixel is decoded, so a small file claiming
huge dimensions (a decompression bomb) costs nothing.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterable

from PIL import Image, ImageOps, UnidentifiedImageError

from forumapp.avatars.errors import ImageLimits, InvalidImage
from forumapp.lazy_text import lazy_gettext as _l

#: The formats accepted, by Pillow's names; others are not even tried.
FORMATS = ("PNG", "JPEG", "WEBP", "GIF")
#: The format of every thumbnail (forumapp.avatars.service names its files after it).
FORMAT = "WEBP"
__all__ = ["FORMATS", "ImageLimits", "InvalidImage", "thumbnails"]


def thumbnails(data: bytes, sizes: Iterable[int], limits: ImageLimits) -> dict[int, bytes]:
    """WebP squares of ``data``'s picture, one per size; :class:`InvalidImage` if it
    is too large, not an image of an accepted format, or damaged."""
    if len(data) > limits.max_bytes:
        raise InvalidImage(
            _l("The file is larger than %(size)s.", size=_megabytes(limits.max_bytes))
        )
    square = _square(_decode(data, limits))
    return {size: _encode(square.resize((size, size), Image.Resampling.LANCZOS)) for size in sizes}


def _decode(data: bytes, limits: ImageLimits) -> Image.Image:
    try:
        # A bomb past Pillow's own MAX_IMAGE_PIXELS warns first and fails past twice that:
        # both are refusals here, whatever the warning filters of the process say.
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=FORMATS)
            width, height = image.size
            if max(width, height) > limits.max_side:
                raise InvalidImage(
                    _l(
                        "The picture is %(width)s by %(height)s pixels; at most %(side)s by "
                        "%(side)s are accepted.",
                        width=width,
                        height=height,
                        side=limits.max_side,
                    )
                )
            image.seek(0)  # the first frame of an animation
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise InvalidImage(_l("The picture has too many pixels.")) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise InvalidImage(_l("The file is not a PNG, JPEG, WebP or GIF picture.")) from exc
    return image


def _square(image: Image.Image) -> Image.Image:
    upright = ImageOps.exif_transpose(image)
    mode = "RGBA" if _has_transparency(upright) else "RGB"
    converted = upright.convert(mode)
    side = min(converted.size)
    cropped = ImageOps.fit(converted, (side, side), Image.Resampling.LANCZOS)
    # A new image from the bare pixels: no info, EXIF, ICC profile or comment comes along.
    return Image.frombytes(mode, cropped.size, cropped.tobytes())


def _has_transparency(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info


def _encode(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format=FORMAT, quality=85, method=4)
    return out.getvalue()


def _megabytes(size: int) -> str:
    megabytes = f"{size / (1024 * 1024):.1f}".removesuffix(".0")
    return str(_l("%(num)s MB", num=megabytes))
