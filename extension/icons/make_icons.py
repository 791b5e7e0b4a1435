"""Draw kolscope's toolbar icons (a white lens over a rising bar chart on purple) as PNGs.

Pure Python (zlib + struct), no external assets: `python3 extension/icons/make_icons.py`.
"""

from __future__ import annotations

import math
import struct
import zlib
from pathlib import Path

PURPLE = (91, 60, 196)
WHITE = (255, 255, 255)
SS = 4  # supersampling per axis, for smooth edges


def _inside(x: float, y: float) -> tuple[float, tuple[int, int, int]] | None:
    """Colour at (x, y) in unit coordinates, or None for transparent."""
    # rounded square background
    r = 0.2
    cx, cy = min(max(x, r), 1 - r), min(max(y, r), 1 - r)
    if (x - cx) ** 2 + (y - cy) ** 2 > r * r:
        return None
    # lens ring
    d = math.hypot(x - 0.44, y - 0.42)
    if 0.19 <= d <= 0.27:
        return (1.0, WHITE)
    # handle
    t = ((x - 0.62) + (y - 0.60)) / 2
    px, py = 0.62 + t, 0.60 + t
    if 0 <= t <= 0.2 and math.hypot(x - px, y - py) <= 0.06:
        return (1.0, WHITE)
    # three bars inside the lens
    for bx, top in ((0.35, 0.47), (0.44, 0.40), (0.53, 0.33)):
        if bx - 0.03 <= x <= bx + 0.03 and top <= y <= 0.52:
            return (1.0, WHITE)
    return (1.0, PURPLE)


def draw(size: int) -> bytes:
    rows = []
    for py in range(size):
        row = bytearray([0])  # filter type 0
        for px in range(size):
            acc = [0.0, 0.0, 0.0, 0.0]
            for sy in range(SS):
                for sx in range(SS):
                    hit = _inside((px + (sx + 0.5) / SS) / size, (py + (sy + 0.5) / SS) / size)
                    if hit:
                        a, (cr, cg, cb) = hit
                        acc[0] += cr * a
                        acc[1] += cg * a
                        acc[2] += cb * a
                        acc[3] += a
            n = SS * SS
            alpha = acc[3] / n
            if alpha:
                row += bytes(round(c / acc[3]) for c in acc[:3]) + bytes([round(alpha * 255)])
            else:
                row += b"\0\0\0\0"
        rows.append(bytes(row))
    raw = b"".join(rows)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def main() -> None:
    here = Path(__file__).resolve().parent
    for size in (16, 32, 48, 128):
        (here / f"icon{size}.png").write_bytes(draw(size))
        print(f"icon{size}.png")


if __name__ == "__main__":
    main()
