"""The avatar image pipeline on real pictures made with Pillow, and on hostile files."""

from __future__ import annotations

import time

import pytest

from forumapp.avatars.images import ImageLimits, InvalidImage, thumbnails
from tests.pictures import animated_gif, decoded, jpeg_with_gps, picture, png_bomb

LIMITS = ImageLimits(max_bytes=2 * 1024 * 1024, max_side=4096)
SIZES = (32, 64, 128)


@pytest.mark.parametrize(
    ("format", "options"),
    [("PNG", {}), ("JPEG", {"quality": 90}), ("WEBP", {}), ("GIF", {})],
)
def test_each_accepted_format_becomes_square_webp_thumbnails(
    format: str, options: dict[str, object]
) -> None:
    result = thumbnails(picture(format, **options), SIZES, LIMITS)
    assert sorted(result) == list(SIZES)
    for size, data in result.items():
        image = decoded(data)
        assert image.format == "WEBP"
        assert image.size == (size, size)


def test_the_square_is_cut_from_the_centre() -> None:
    # 300x100: left half red, right half blue; the centred 100x100 square straddles both.
    image = decoded(thumbnails(picture(size=(300, 100)), (128,), LIMITS)[128]).convert("RGB")
    left, right = image.getpixel((5, 64)), image.getpixel((122, 64))
    assert isinstance(left, tuple) and isinstance(right, tuple)
    assert left[0] > 200 and left[2] < 60, left
    assert right[2] > 200 and right[0] < 60, right


def test_exif_and_gps_data_are_stripped() -> None:
    original = jpeg_with_gps()
    assert b"SecretCam" in original and decoded(original).getexif().get_ifd(0x8825)
    for data in thumbnails(original, SIZES, LIMITS).values():
        image = decoded(data)
        assert not image.getexif()
        assert not image.info.get("exif") and not image.info.get("icc_profile")
        assert b"SecretCam" not in data and b"Exif" not in data


def test_no_byte_of_the_upload_is_served_as_it_was() -> None:
    original = picture("PNG", size=(128, 128))
    assert thumbnails(original, (128,), LIMITS)[128] != original


def test_an_animated_gif_gives_its_first_frame() -> None:
    image = decoded(thumbnails(animated_gif(), (32,), LIMITS)[32]).convert("RGB")
    pixel = image.getpixel((16, 16))
    assert isinstance(pixel, tuple)
    assert pixel[1] > 200 and pixel[0] < 60, pixel  # green, not red
    assert getattr(image, "n_frames", 1) == 1


def test_a_decompression_bomb_is_refused_before_decoding() -> None:
    bomb = png_bomb()
    assert len(bomb) < 1000
    started = time.perf_counter()
    with pytest.raises(InvalidImage, match="pixels"):
        thumbnails(bomb, SIZES, LIMITS)
    assert time.perf_counter() - started < 0.5


def test_pillows_own_bomb_limit_is_a_refusal_too(monkeypatch: pytest.MonkeyPatch) -> None:
    # Within the side limit but past Image.MAX_IMAGE_PIXELS: a refusal, never a warning
    # turned into an error elsewhere or a 500.
    monkeypatch.setattr("PIL.Image.MAX_IMAGE_PIXELS", 100 * 100)
    with pytest.raises(InvalidImage, match="too many pixels"):
        thumbnails(picture(size=(150, 150)), SIZES, LIMITS)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"hello, I am a text file",
        b"%PDF-1.7\n" + b"x" * 100,
        picture("BMP"),  # a real image, in a format that is not offered
        picture("PNG")[:200],  # truncated
    ],
    ids=["empty", "text", "pdf", "bmp", "truncated"],
)
def test_what_is_not_an_accepted_picture_is_refused(data: bytes) -> None:
    with pytest.raises(InvalidImage, match="not a PNG, JPEG, WebP or GIF"):
        thumbnails(data, SIZES, LIMITS)


def test_a_file_over_the_size_limit_is_refused_unread() -> None:
    limits = ImageLimits(max_bytes=1024, max_side=4096)
    with pytest.raises(InvalidImage, match="larger than"):
        thumbnails(b"\x89PNG" + b"\x00" * 2000, SIZES, limits)


def test_a_picture_over_the_side_limit_is_refused() -> None:
    with pytest.raises(InvalidImage, match="at most 256 by 256"):
        thumbnails(picture(size=(300, 20)), SIZES, ImageLimits(10**6, 256))
