"""Pictures made in the tests with Pillow, and hand-built hostile files."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image


def picture(
    format: str = "PNG", size: tuple[int, int] = (300, 200), colour: str = "red", **options: object
) -> bytes:
    """An image of ``size`` in ``format``: the left half ``colour``, the right half blue."""
    image = Image.new("RGB", size, "blue")
    image.paste(colour, (0, 0, size[0] // 2, size[1]))
    out = io.BytesIO()
    image.save(out, format=format, **options)
    return out.getvalue()


def jpeg_with_gps() -> bytes:
    """A JPEG whose EXIF holds a camera model and a GPS position."""
    exif = Image.Exif()
    exif[0x0110] = "SecretCam 3000"  # Model
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (48.0, 51.0, 24.0)  # GPSLatitudeRef, GPSLatitude
    gps[3], gps[4] = "E", (2.0, 21.0, 3.0)  # GPSLongitudeRef, GPSLongitude
    return picture("JPEG", exif=exif.tobytes())


def animated_gif() -> bytes:
    """A two-frame GIF: a green first frame, a red second one."""
    frames = [Image.new("RGB", (64, 64), colour) for colour in ("#00ff00", "#ff0000")]
    out = io.BytesIO()
    frames[0].save(out, format="GIF", save_all=True, append_images=frames[1:], duration=100)
    return out.getvalue()


def png_bomb(width: int = 20_000, height: int = 20_000) -> bytes:
    """A PNG of a few hundred bytes whose header claims ``width`` by ``height`` pixels:
    decoding it would take gigabytes."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    rows = zlib.compress(b"\x00" * 4096)
    signature = b"\x89PNG\r\n\x1a\n"
    return signature + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")


def decoded(data: bytes) -> Image.Image:
    """``data`` opened and loaded by Pillow."""
    image = Image.open(io.BytesIO(data))
    image.load()
    return image
