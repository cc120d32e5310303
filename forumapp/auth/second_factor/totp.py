"""Time-based one-time passwords (RFC 6238) as authenticator apps make them: six digits,
a new code every 30 seconds, SHA-1, the defaults of every app.

Pure functions over pyotp: the time comes in as an argument, so tests and the service
decide what "now" is.
"""

from __future__ import annotations

import hmac
from datetime import datetime

import pyotp
import segno

#: Seconds one code lasts.
STEP_SECONDS = 30
DIGITS = 6
#: Codes of the step before and after the current one are accepted too: a phone's clock
#: may be a little off, and typing a code takes a while.
WINDOW = 1


def new_secret() -> str:
    """A random base32 secret of 160 bits (the size RFC 4226 recommends)."""
    return pyotp.random_base32(32)


def time_step(now: datetime) -> int:
    """The number of the 30-second step ``now`` falls in."""
    return int(now.timestamp()) // STEP_SECONDS


def normalize(code: str) -> str:
    """The digits of a code as typed: apps show ``123 456``, people paste ``123-456``."""
    return "".join(char for char in code if char not in " -")


def matching_step(secret: str, code: str, now: datetime, *, after: int | None = None) -> int | None:
    """The time step within ``WINDOW`` of ``now`` whose code is ``code``, or ``None``.

    Steps up to and including ``after`` are never matched: a code that was used once is
    refused for good, and so is any code older than it.
    """
    typed = normalize(code)
    if len(typed) != DIGITS or not typed.isascii() or not typed.isdigit():
        return None
    generator = pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS)
    current = time_step(now)
    for step in range(current - WINDOW, current + WINDOW + 1):
        if after is not None and step <= after:
            continue
        if hmac.compare_digest(generator.generate_otp(step), typed):
            return step
    return None


def provisioning_uri(secret: str, account: str, issuer: str) -> str:
    """The ``otpauth://`` URI an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).provisioning_uri(
        name=account, issuer_name=issuer
    )


def qr_code_svg(uri: str, title: str) -> str:
    """The QR code of ``uri`` as an inline ``<svg>`` element with an accessible title."""
    svg: str = segno.make(uri, error="m").svg_inline(
        scale=4, title=title, dark="#000", light="#fff", svgclass="qr-code"
    )
    return svg
