#!/usr/bin/env bash
# e2e: `satmark info --json` agrees with `gdalinfo -json` (GDAL's own view of
# the file) on driver, size, band count and types, EPSG code, geotransform and
# lon/lat bounds, for the valid rasters in tests/data and the bundled tiles.
# gdalinfo's wgs84Extent is the polygon of the four corners; our bounds come
# from densified edges, so they may only be slightly larger (tolerance below).
# Files are read as stored (--georef none for the RPC image, which satmark
# otherwise shows through a warped view).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib/expect.sh"
SATMARK=${SATMARK:?set SATMARK to the satmark binary}
DATA=${SATMARK_TEST_DATA:?set SATMARK_TEST_DATA}
SRC=${SATMARK_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
need_command gdalinfo
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

files=(L7_ETMs.tif rio_world.byte.tif cogeotiff_sparse.tif cogeotiff_model_transformation.tif
       gdal_spaf27_brokengdal.tif itiff_usda_naip_256_webp_z3.tif rio_all-nodata.tif
       gdal_int12.tif gdal_cint16.tif rio_corrupt.tif rio_rotated.tif rio_float_nan.tif
       gdal_byte_rpc.tif gdal_slim_g4.tif rio_goes.tif derived_huge_dims_100k_square.tif)
paths=()
for f in "${files[@]}"; do paths+=("$DATA/$f"); done
shopt -s nullglob
tiles=("$SRC"/assets/tiles/*.tif)
shopt -u nullglob
paths+=("${tiles[@]}")

for path in "${paths[@]}"; do
    name=$(basename "$path")
    rc=0
    # The file as stored, as gdalinfo sees it: an RPC image's georeferenced
    # view is compared with gdalwarp's in georef_roundtrip.sh instead.
    as_stored=()
    [[ $name == gdal_byte_rpc.tif ]] && as_stored=(--georef none)
    timeout 60 "$SATMARK" info --json --no-hash "${as_stored[@]}" "$path" >"$tmp/ours.json" 2>"$tmp/err" || rc=$?
    if [ "$rc" -ne 0 ]; then
        echo "FAIL: $name: satmark info exit $rc: $(head -3 "$tmp/err")"; failures=$((failures + 1)); continue
    fi
    timeout 60 gdalinfo -json -nomd -noct "$path" >"$tmp/gdal.json" 2>/dev/null || true
    if ! python3 - "$name" "$tmp/ours.json" "$tmp/gdal.json" <<'PY'
import json, sys
name, ours_path, gdal_path = sys.argv[1:4]
ours = json.load(open(ours_path))
gdal = json.load(open(gdal_path))
problems = []
def check(cond, what):
    if not cond:
        problems.append(what)

check(ours["driver"] == gdal["driverShortName"], f"driver {ours['driver']} vs {gdal['driverShortName']}")
check([ours["width"], ours["height"]] == gdal["size"], f"size {ours['width']}x{ours['height']} vs {gdal['size']}")
check(len(ours["bands"]) == len(gdal["bands"]), "band count")
for i, (a, b) in enumerate(zip(ours["bands"], gdal["bands"])):
    want = b["type"]
    if want == "Byte" and b.get("metadata", {}).get("IMAGE_STRUCTURE", {}).get("PIXELTYPE") == "SIGNEDBYTE":
        want = "Int8"
    # -nomd drops band metadata: accept Int8 for Byte (GDAL 3.6 SIGNEDBYTE)
    check(a["type"] == want or (want == "Byte" and a["type"] == "Int8"), f"band {i+1} type {a['type']} vs {want}")
    check(a["color_interp"] == b["colorInterpretation"], f"band {i+1} colour {a['color_interp']} vs {b['colorInterpretation']}")
gepsg = gdal.get("stac", {}).get("proj:epsg")
crs = ours["crs"]
if gepsg:
    check(crs is not None and crs["epsg"] == gepsg, f"epsg {crs and crs['epsg']} vs {gepsg}")
if "coordinateSystem" not in gdal or not gdal["coordinateSystem"].get("wkt"):
    check(crs is None, "crs should be null when GDAL has none")
gt = gdal.get("geoTransform")
if gt:
    check(ours["geotransform"] is not None and
          all(abs(x - y) <= 1e-9 * max(1.0, abs(y)) for x, y in zip(ours["geotransform"], gt)),
          f"geotransform {ours['geotransform']} vs {gt}")
else:
    check(ours["geotransform"] is None, "geotransform should be null")
ext = gdal.get("wgs84Extent")
if ext and not (ext.get("coordinates") and ext["coordinates"][0]):
    ext = None  # GDAL could not convert the corners
if ext:
    ring = ext["coordinates"][0]
    lons = [p[0] for p in ring]; lats = [p[1] for p in ring]
    gw, ge, gs, gn = min(lons), max(lons), min(lats), max(lats)
    b = ours["bounds_lonlat"]
    if b is None:
        problems.append("bounds_lonlat null but GDAL has a wgs84Extent")
    else:
        w, s, e, n = b
        tol = 1e-6 + 0.002 * max(e - w, n - s)
        # ours may exceed the corner box slightly (curved edges), never shrink it
        check(w <= gw + 1e-6 and w >= gw - tol, f"west {w} vs {gw}")
        check(e >= ge - 1e-6 and e <= ge + tol, f"east {e} vs {ge}")
        check(s <= gs + 1e-6 and s >= gs - tol, f"south {s} vs {gs}")
        check(n >= gn - 1e-6 and n <= gn + tol, f"north {n} vs {gn}")
elif crs is not None and ours["geotransform"] is not None:
    # GDAL could not convert the corners (e.g. off a geostationary disc):
    # ours must still be finite numbers or null, never garbage.
    b = ours["bounds_lonlat"]
    check(b is None or all(isinstance(v, float) and -180 <= v <= 180 for v in b), f"bounds {b}")
if ours["bounds_lonlat"] is not None:
    w, s, e, n = ours["bounds_lonlat"]
    check(-90 <= s <= n <= 90 and -180 <= w <= 180 and -180 <= e <= 180, f"bounds out of range {ours['bounds_lonlat']}")
ovs = gdal["bands"][0].get("overviews", [])
check(ours["overviews"] == [o["size"] for o in ovs], f"overviews {ours['overviews']} vs {[o['size'] for o in ovs]}")
if problems:
    print(f"FAIL: {name}: " + "; ".join(problems))
    sys.exit(1)
print(f"ok: {name}")
PY
    then
        failures=$((failures + 1))
    fi
done
[ "${#tiles[@]}" -gt 0 ] || { echo "FAIL: no assets/tiles/*.tif (the bundled tiles are part of the repository)"; failures=$((failures + 1)); }
if [ "$failures" -ne 0 ]; then
    echo "info_gdal_compare: $failures failure(s)"; exit 1
fi
echo "info_gdal_compare: ok (${#paths[@]} files)"
