#!/usr/bin/env bash
# e2e: `satmark info` (text and --json) on every test raster copied from
# /work/shared/testdata into tests/data. Each file either succeeds (ok) or
# exits 1 with "satmark: error: FILE: reason" (fail), under `timeout 30`;
# a crash (exit >= 128), a timeout (124) or a sanitizer report is a failure.
# Expected outcomes, checked against GDAL 3.6.2 (see tests/data/LICENSES.md
# for where each file comes from):
#
#   file                                  outcome  why / what the output must say
#   L7_ETMs.tif                           ok       valid Landsat excerpt, EPSG:31985
#   derived_zero_bytes.tif                fail     empty file
#   derived_header_only_8bytes.tif        fail     TIFF magic, directory past the end
#   derived_huge_dims_100k_square.tif     ok       100000x100000 declared; info reads no pixels
#   rio_corrupt.tif                       ok       header fine (the tile damage shows on read)
#   itiff_fuzz_lzw_stuck.tif              ok       header fine (LZW damage shows on read)
#   cogeotiff_sparse.tif                  ok       20480x20480 RGBA, alpha band 4
#   rio_rotated.tif                       ok       warning "rotated", no CRS warning
#   rio_float_nan.tif                     ok       nodata "nan" in JSON
#   rio_world.byte.tif                    ok       bounds -180..180
#   gdal_byte_buggy_packbits.tif          ok       header fine (read fails)
#   itiff_fuzz_inf_loop_000028.tif        ok       opens with GDAL warnings, terminates
#   itiff_fuzz_oom_000016.tif             fail     bogus Compression count
#   itiff_fuzz_div0_000031.tif            fail     bogus ImageWidth count
#   gdal_dos_strip_chop.tif               ok       warning: 512 MB blocks, pixels will not be read
#   gdal_corrupted_gtiff_tags.tif         ok       geotransform, no CRS (warning)
#   gdal_spaf27_brokengdal.tif            ok       NAD27 / California zone VI
#   gdal_ModelTypeGeoKey_only.tif         ok       warning: local/engineering CRS, pixel space
#   gdal_byte_rpc.tif                     ok       warning: RPC only, pixel space
#   cogeotiff_model_transformation.tif    ok       warning: south-up; 64 Int8 bands
#   rio_goes.tif                          ok       bounds from the points on the Earth's disc
#   rio_all-nodata.tif                    ok       valid header, nodata 0
#   gdal_int12.tif                        ok       UInt16 with 12 bits
#   gdal_cint16.tif                       ok       warning: complex, amplitude shown
#   gdal_mandrilmini_12bitjpeg.tif        ok       header fine (12-bit JPEG read fails)
#   itiff_usda_naip_256_webp_z3.tif       ok       RGBA WEBP COG, alpha band 4, EPSG:3857
#   gdal_slim_g4.tif                      ok       palette, pixel space
#   gdal_twoimages.tif                    ok       warning: 2 subdatasets (pages)
#   gdal_idontexist.vrt                   fail     VRT refers to the missing file 'idontexist.tif'
#   rio_no_band.h5                        ok       no bands itself: opens subdataset 1 (warning)
#   gdal_grib_fuzz_oom.grib2              fail     not a format satmark reads
set -euo pipefail
SATMARK=${SATMARK:?set SATMARK to the satmark binary}
DATA=${SATMARK_TEST_DATA:?set SATMARK_TEST_DATA}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# file|outcome|text that must appear in the JSON output (ok) or in stderr (fail)
table='
L7_ETMs.tif|ok|"epsg": 31985
derived_zero_bytes.tif|fail|empty file
derived_header_only_8bytes.tif|fail|cannot open raster
derived_huge_dims_100k_square.tif|ok|"width": 100000
rio_corrupt.tif|ok|"driver": "GTiff"
itiff_fuzz_lzw_stuck.tif|ok|"driver": "GTiff"
cogeotiff_sparse.tif|ok|"alpha_band": 4
rio_rotated.tif|ok|rotated
rio_float_nan.tif|ok|"nodata": "nan"
rio_world.byte.tif|ok|-180.0
gdal_byte_buggy_packbits.tif|ok|"driver": "GTiff"
itiff_fuzz_inf_loop_000028.tif|ok|"driver": "GTiff"
itiff_fuzz_oom_000016.tif|fail|Compression
itiff_fuzz_div0_000031.tif|fail|ImageWidth
gdal_dos_strip_chop.tif|ok|pixels will not be read
gdal_corrupted_gtiff_tags.tif|ok|no CRS
gdal_spaf27_brokengdal.tif|ok|California zone VI
gdal_ModelTypeGeoKey_only.tif|ok|local/engineering CRS
gdal_byte_rpc.tif|ok|RPC
cogeotiff_model_transformation.tif|ok|south-up
rio_goes.tif|ok|"bounds_lonlat": [
rio_all-nodata.tif|ok|"nodata": 0
gdal_int12.tif|ok|"bits": 12
gdal_cint16.tif|ok|amplitude
gdal_mandrilmini_12bitjpeg.tif|ok|"driver": "GTiff"
itiff_usda_naip_256_webp_z3.tif|ok|"epsg": 3857
gdal_slim_g4.tif|ok|"palette": true
gdal_twoimages.tif|ok|subdatasets
gdal_idontexist.vrt|fail|missing file '"'"'idontexist.tif'"'"'
rio_no_band.h5|ok|subdataset 1 of 2
gdal_grib_fuzz_oom.grib2|fail|gdal_grib_fuzz_oom.grib2
'

sanitizer_report() { grep -qE "AddressSanitizer|LeakSanitizer|runtime error:" "$1"; }

checked=0
while IFS='|' read -r file outcome needle; do
    [ -n "$file" ] || continue
    path="$DATA/$file"
    [ -e "$path" ] || { fail "$file: missing from tests/data"; continue; }
    checked=$((checked + 1))
    for mode in text json; do
        args=(info "$path")
        [ "$mode" = json ] && args=(info --json "$path")
        rc=0
        timeout 30 "$SATMARK" "${args[@]}" >"$tmp/out" 2>"$tmp/err" || rc=$?
        if [ "$rc" -ge 124 ]; then
            fail "$file ($mode): exit $rc (crash or timeout)"; head -5 "$tmp/err"; continue
        fi
        if sanitizer_report "$tmp/err"; then
            fail "$file ($mode): sanitizer report"; head -20 "$tmp/err"; continue
        fi
        if [ "$outcome" = ok ]; then
            [ "$rc" -eq 0 ] || { fail "$file ($mode): exit $rc, want 0: $(head -3 "$tmp/err")"; continue; }
            if [ "$mode" = json ]; then
                python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$tmp/out" \
                    || { fail "$file: --json output is not JSON"; continue; }
                grep -qF -- "$needle" "$tmp/out" || fail "$file (json): output lacks '$needle'"
            fi
        else
            [ "$rc" -eq 1 ] || { fail "$file ($mode): exit $rc, want 1"; continue; }
            grep -q "^satmark: error: $path: " "$tmp/err" \
                || fail "$file ($mode): error does not name the file: $(cat "$tmp/err")"
            grep -qF -- "$needle" "$tmp/err" || fail "$file ($mode): error lacks '$needle': $(cat "$tmp/err")"
            [ ! -s "$tmp/out" ] || fail "$file ($mode): printed output despite failing"
        fi
    done
done <<<"$table"

# Every raster copied from the shared test corpus must be in the table (a new
# file needs a decision); files other helpers add under other names are theirs.
for path in "$DATA"/gdal_* "$DATA"/rio_* "$DATA"/cogeotiff_* "$DATA"/itiff_* "$DATA"/derived_* "$DATA"/L7_*; do
    [ -f "$path" ] || continue
    base=$(basename "$path")
    grep -q "^$base|" <<<"$table" || fail "$base: in tests/data but not in the table of info_hostile.sh"
done

if [ "$failures" -ne 0 ]; then
    echo "info_hostile: $failures failure(s) over $checked files"; exit 1
fi
echo "info_hostile: ok ($checked files)"
