#!/usr/bin/env python3
"""Helpers for the other-date tests (render_other_dates.sh, view_other_dates.sh).

  lib_dates.py pick ANNOTATIONS TILE_NAME CLASS
      prints two feature ids: a polygon mark of CLASS observed on TILE_NAME and
      one observed only on other images (exit 3 when either is missing)
  lib_dates.py ring ANNOTATIONS ID
      prints the outer ring of feature ID as "lon lat" lines (for gdaltransform)
  lib_dates.py points VIEW
      reads "x y z" lines (tile pixels, gdaltransform's output) and prints the
      ImageMagick polygon "x,y x,y ..." in window pixels for the viewer's
      screenshot view "src X Y W H out W H" (VIEW); "-" = already in pixels
  lib_dates.py pngtext PNG KEY
      prints the PNG's text chunk KEY (tEXt, iTXt or zTXt; "" when absent)
"""
import json
import struct
import sys
import zlib


def features(path):
    return json.load(open(path))["features"]


def pick(path, tile, cls):
    this = other = None
    for f in features(path):
        p = f.get("properties") or {}
        if p.get("class") != cls or (f.get("geometry") or {}).get("type") != "Polygon":
            continue
        images = [o.get("image") for o in p.get("observations") or []]
        if not images:
            continue
        if tile in images:
            this = this or f["id"]
        else:
            other = other or f["id"]
    if not this or not other:
        sys.exit(3)
    print(this, other)


def ring(path, fid):
    for f in features(path):
        if f.get("id") == fid:
            for lon, lat in f["geometry"]["coordinates"][0]:
                print(lon, lat)
            return
    sys.exit(f"no feature {fid}")


def points(view):
    if view == "-":
        sx = sy = 1.0
        x0 = y0 = 0.0
    else:
        w = view.split()
        x0, y0, sw, sh = map(float, w[1:5])
        ow, oh = float(w[6]), float(w[7])
        sx, sy = ow / sw, oh / sh
    out = []
    for line in sys.stdin:
        v = line.split()
        if len(v) >= 2:
            out.append("%.1f,%.1f" % ((float(v[0]) - x0) * sx, (float(v[1]) - y0) * sy))
    print(" ".join(out))


def pngtext(path, key):
    data = open(path, "rb").read()
    i = 8
    while i + 8 <= len(data):
        n, kind = struct.unpack(">I4s", data[i:i + 8])
        body = data[i + 8:i + 8 + n]
        i += 12 + n
        name, _, rest = body.partition(b"\0")
        if name.decode("latin-1") != key:
            continue
        if kind == b"tEXt":
            print(rest.decode("latin-1"))
        elif kind == b"zTXt":
            print(zlib.decompress(rest[1:]).decode("latin-1"))
        elif kind == b"iTXt":
            compressed = rest[0]
            rest = rest[2:]
            _lang, _, rest = rest.partition(b"\0")
            _tkey, _, text = rest.partition(b"\0")
            print((zlib.decompress(text) if compressed else text).decode("utf-8"))
        return


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "pick":
        pick(sys.argv[2], sys.argv[3], sys.argv[4])
    elif cmd == "ring":
        ring(sys.argv[2], sys.argv[3])
    elif cmd == "points":
        points(sys.argv[2])
    elif cmd == "pngtext":
        pngtext(sys.argv[2], sys.argv[3])
    else:
        sys.exit("unknown command " + cmd)
