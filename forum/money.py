"""The one money formatter. Amounts are integer fen (分, 1/100 yuan), never floats."""

from __future__ import annotations


def yuan(fen: int, *, grouped: bool = True) -> str:
    """Integer fen as yuan with two decimals: 1234567 → "12,345.67", -5 → "-0.05";
    ``grouped=False`` leaves out the thousands separators (CSV cells: "12345.67")."""
    if isinstance(fen, bool) or not isinstance(fen, int):
        raise TypeError("amounts are integer fen")
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole:,}.{cents:02d}" if grouped else f"{sign}{whole}.{cents:02d}"


def yuan_sign(fen: int | None) -> str:
    """The template filter ``yuan``: 200 → "¥2.00", -200 → "-¥2.00", 1234567 → "¥12,345.67"."""
    text = yuan(int(fen or 0))
    return "-¥" + text[1:] if text.startswith("-") else "¥" + text
