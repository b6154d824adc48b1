#!/usr/bin/env python3
"""Print the size and colour statistics of a PNG, using only the standard
library: width, height, distinct colours and the share of pixels that are
not the background (the most common colour). Used by the report test to
check that a screenshot is not blank.

    png_stats.py FILE  ->  "width height colours non_background_share"
"""
import struct
import sys
import zlib
from collections import Counter


def rows_of(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise SystemExit("not a PNG: %s" % path)
    pos, idat = 8, b""
    width = height = depth = colour_type = None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour_type = struct.unpack(">IIBB", body[:10])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    if depth != 8 or colour_type not in (2, 6):
        raise SystemExit("unsupported PNG (depth %s, colour type %s)" % (depth, colour_type))
    bpp = 3 if colour_type == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * bpp
    prev = bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if kind == 1:
                line[x] = (line[x] + a) & 255
            elif kind == 2:
                line[x] = (line[x] + b) & 255
            elif kind == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        yield width, height, bpp, bytes(line)
        prev = line


def main():
    counts = Counter()
    width = height = 0
    for width, height, bpp, line in rows_of(sys.argv[1]):
        for x in range(0, len(line), bpp):
            counts[line[x:x + 3]] += 1
    total = sum(counts.values())
    background = counts.most_common(1)[0][1]
    print(width, height, len(counts), "%.4f" % (1 - background / total))


if __name__ == "__main__":
    main()
