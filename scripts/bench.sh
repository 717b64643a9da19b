#!/usr/bin/env bash
# bench — how fast `satmark render` and `satmark batch` are, against
# MapServer's map2img (same raster, same GeoJSON through OGR, labels of the
# same size) and `gdal_translate -of PNG -outsize` (imagery alone).
#
#   scripts/bench.sh            # installs the bench tools, builds, runs
#   BENCH_RUNS=9 BENCH_BUILD=/path/to/build BENCH_SIZES="8192" scripts/bench.sh
#   (BENCH_NO_SETUP=1 skips install-deps and the build)
#   BENCH_SECTIONS="render" scripts/bench.sh   # any of: render batch viewer scale
#   BENCH_SCALE_POINTS=200000 BENCH_SCALE_POLYGONS=50000 BENCH_SCALE_RUNS=3 (scale sizes)
#   BENCH_SCALE_BASELINE=/path/to/old/satmark (scale: `claims`, `validate` and
#     `export .fgb` of the points and the 100,000-point render also timed with
#     that binary in the same loop, printed as before -> after)
#
# Every timed run goes through /usr/bin/time (package `time`), so wall AND
# CPU seconds (user + system) and the peak RSS are recorded; medians are
# compared. The render comparison is made fair (issue 14): map2img at its
# default and at COMPRESSION=1 (MapServer's fastest zlib setting, set with
# the mapfile's OUTPUTFORMAT FORMATOPTION), satmark with its hash cache off
# (SATMARK_HASH_CACHE=off) and on (a warm cache in .cache/bench/hashcache).
#
# Tiles: 8192^2 and 16384^2 synthetic tiles with 500 marks from
# satmark-tilegen, cached in .cache/bench/ (generation takes minutes once).
# Runs alternate between the tools inside one loop (so load changes hit all
# of them alike) and the medians are compared. Goals: satmark <= 1/3 of
# map2img's time with a PNG no larger, on both tiles; batch -j 2 >= 1.8x the
# throughput of -j 1. Timed results never fail anything: this prints.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${BENCH_BUILD:-$here/build}
runs=${BENCH_RUNS:-7}
sizes=${BENCH_SIZES:-8192 16384}
sections=" ${BENCH_SECTIONS:-render batch viewer scale} "
want() { [[ $sections == *" $1 "* ]]; }
work=$here/.cache/bench
mkdir -p "$work"

if [[ -z "${BENCH_NO_SETUP:-}" ]]; then
  "$here/scripts/install-deps.sh" --bench
  "$here/scripts/build.sh" "$build"
fi
satmark=$build/satmark
tilegen=$build/satmark-tilegen
export SATMARK_ASSETS=$here/assets
for tool in "$satmark" "$tilegen" map2img gdal_translate gdalinfo ogr2ogr ogrinfo /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "bench: $tool not found" >&2; exit 1; }
done

now() { date +%s.%N; }
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
size_of() { stat -c %s "$1"; }

# One MapServer mapfile: the raster, then the marks in three OGR layers (one
# per geometry type), one class per satmark class with its colour, labels
# with a halo at $label_px pixels.
write_mapfile() { # TILE GEOJSON WIDTH HEIGHT "MINX MINY MAXX MAXY" LABEL_PX [ZLEVEL] > MAPFILE
  local tile=$1 gj=$2 w=$3 h=$4 ext=$5 lpx=$6 zlevel=${7:-}
  local formatoption=""
  [[ -n $zlevel ]] && formatoption="FORMATOPTION \"COMPRESSION=$zlevel\" "
  local layer
  layer=$(basename "$gj" .geojson)
  cat <<EOM
MAP
  NAME "satmark_bench"
  SIZE $w $h
  EXTENT $ext
  UNITS METERS
  FONTSET "$work/fonts.txt"
  IMAGETYPE "pngrgb"
  PROJECTION "init=epsg:32652" END
  OUTPUTFORMAT NAME "pngrgb" DRIVER "AGG/PNG" MIMETYPE "image/png" IMAGEMODE RGB EXTENSION "png" ${formatoption}END
  SYMBOL NAME "circle" TYPE ELLIPSE FILLED TRUE POINTS 1 1 END END
  LAYER NAME "imagery" TYPE RASTER STATUS ON DATA "$tile" PROJECTION "init=epsg:32652" END END
EOM
  local t g c
  for t in POLYGON LINE POINT; do
    case $t in POLYGON) g=POLYGON ;; LINE) g=LINESTRING ;; POINT) g=POINT ;; esac
    cat <<EOM
  LAYER NAME "marks_$t" TYPE $t STATUS ON
    CONNECTIONTYPE OGR CONNECTION "$gj" DATA "$layer"
    PROCESSING "NATIVE_FILTER=OGR_GEOMETRY='$g'"
    PROJECTION "init=epsg:4326" END
    CLASSITEM "class"
    LABELITEM "label"
EOM
    for c in "pier 255 214 0" "ship 0 229 255" "container_stack 255 145 0" \
             "munitions_pit 255 23 68" "rail 255 255 255" "crane 118 255 3" \
             "building 207 216 220" "aoi 255 235 59" "other 224 64 251"; do
      set -- $c
      echo "    CLASS EXPRESSION \"$1\""
      case $t in
        POINT) echo "      STYLE SYMBOL \"circle\" SIZE 14 COLOR $2 $3 $4 OUTLINECOLOR 0 0 0 WIDTH 2 END" ;;
        LINE) echo "      STYLE COLOR 0 0 0 WIDTH 6 END STYLE COLOR $2 $3 $4 WIDTH 3 END" ;;
        POLYGON) echo "      STYLE COLOR $2 $3 $4 OPACITY 30 END STYLE OUTLINECOLOR $2 $3 $4 WIDTH 3 END" ;;
      esac
      echo "      LABEL TEXT \"[label]\" TYPE TRUETYPE FONT \"dejavu\" SIZE $lpx COLOR 255 255 255 OUTLINECOLOR 0 0 0 OUTLINEWIDTH 3 POSITION AUTO PARTIALS FALSE END"
      echo "    END"
    done
    echo "  END"
  done
  echo "END"
}
echo "dejavu /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf" > "$work/fonts.txt"

# the CRS extent of a pixel window of TILE: "MINX MINY MAXX MAXY"
extent_of() { # TILE X0 Y0 W H
  gdalinfo -json "$1" | awk -v x0="$2" -v y0="$3" -v w="$4" -v h="$5" '
    /"geoTransform"/ { grab = 1; n = 0; next }
    grab && /\]/ { grab = 0 }
    grab { gsub(/[ ,]/, ""); gt[n++] = $0 }
    END { printf "%.3f %.3f %.3f %.3f\n", gt[0] + x0 * gt[1], gt[3] + (y0 + h) * gt[5], gt[0] + (x0 + w) * gt[1], gt[3] + y0 * gt[5] }'
}
# lon/lat box of the same window, for satmark --bbox
bbox_of() { # TILE X0 Y0 W H
  local ext
  ext=$(extent_of "$@")
  set -- $ext
  printf '%s %s\n%s %s\n' "$1" "$2" "$3" "$4" | gdaltransform -s_srs EPSG:32652 -t_srs EPSG:4326 |
    awk 'NR == 1 { w = $1; s = $2 } NR == 2 { e = $1; n = $2 } END { printf "%.7f,%.7f,%.7f,%.7f\n", w, s, e, n }'
}

declare -A T C M # [label] = newline-separated wall seconds, CPU seconds, peak RSS (KB)
time_run() { # LABEL COMMAND...
  local label=$1; shift
  /usr/bin/time -o "$work/last.time" -f "%e %U %S %M" "$@" >/dev/null 2>"$work/last.err" ||
    { echo "bench: $label failed:" >&2; cat "$work/last.err" >&2; exit 1; }
  local wall user sys rss
  read -r wall user sys rss < <(tail -n 1 "$work/last.time")
  T[$label]+="$wall"$'\n'
  C[$label]+="$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')"$'\n'
  M[$label]+="$rss"$'\n'
}
med() { printf '%s' "${T[$1]}" | median; }
cpu() { printf '%s' "${C[$1]}" | median; }
peak_mb() { printf '%s' "${M[$1]}" | sort -g | tail -n 1 | awk '{ printf "%.0f", $1 / 1024 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
verdict() { awk -v v="$1" -v goal="$2" -v dir="$3" 'BEGIN { ok = (dir == "le") ? v <= goal : v >= goal; print ok ? "meets goal" : "MISSES goal" }'; }

report_render() { # SIZE LABEL-PREFIX OUTS...
  local n=$1 p=$2
  local s m g
  s=$(med "$p.satmark"); m=$(med "$p.map2img"); g=$(med "$p.gdal")
  local ss ms gs
  ss=$(size_of "$work/$p.satmark.png"); ms=$(size_of "$work/$p.map2img.png"); gs=$(size_of "$work/$p.gdal.png")
  local r
  r=$(ratio "$s" "$m")
  printf '  %-34s %7.3f s  %9d bytes\n' "satmark render" "$s" "$ss"
  printf '  %-34s %7.3f s  %9d bytes\n' "map2img (MapServer)" "$m" "$ms"
  printf '  %-34s %7.3f s  %9d bytes\n' "gdal_translate -of PNG (no marks)" "$g" "$gs"
  printf '  satmark/map2img time %s (goal <= 0.33: %s), size %s (goal <= 1: %s); satmark/gdal_translate time %s\n' \
    "$r" "$(verdict "$r" 0.333 le)" "$(ratio "$ss" "$ms")" "$(verdict "$(ratio "$ss" "$ms")" 1 le)" "$(ratio "$s" "$g")"
}

want render || sizes=""
for n in $sizes; do
  tile=$work/bench$n.tif gj=$work/bench$n.geojson
  if [[ ! -s "$tile" || ! -s "$gj" ]]; then
    echo "bench: generating a ${n}x$n tile with 500 marks (once; cached in $work)"
    "$tilegen" --quiet --bench-size "$n" --marks 500 -o "$tile" --marks-out "$gj"
  fi
  half=$(( (n - 2048) / 2 ))
  write_mapfile "$tile" "$gj" 2048 2048 "$(extent_of "$tile" 0 0 "$n" "$n")" 24 > "$work/whole$n.map"
  write_mapfile "$tile" "$gj" 2048 2048 "$(extent_of "$tile" "$half" "$half" 2048 2048)" 24 > "$work/window$n.map"
  write_mapfile "$tile" "$gj" 2048 2048 "$(extent_of "$tile" 0 0 "$n" "$n")" 24 1 > "$work/whole$n.z1.map"
  bbox=$(bbox_of "$tile" "$half" "$half" 2048 2048)
  ext=$(extent_of "$tile" "$half" "$half" 2048 2048)
  mkdir -p "$work/hashcache"
  for ((i = 0; i < runs; i++)); do
    time_run "whole$n.satmark" env SATMARK_HASH_CACHE=off "$satmark" render "$tile" "$gj" -o "$work/whole$n.satmark.png" --size 2048x2048
    time_run "whole$n.map2img" map2img -m "$work/whole$n.map" -o "$work/whole$n.map2img.png"
    time_run "whole$n.satmark_cached" env SATMARK_CACHE_DIR="$work/hashcache" "$satmark" render "$tile" "$gj" -o "$work/whole$n.satmark_cached.png" --size 2048x2048
    time_run "whole$n.map2img_z1" map2img -m "$work/whole$n.z1.map" -o "$work/whole$n.map2img_z1.png"
    time_run "whole$n.gdal" gdal_translate -q -of PNG -outsize 2048 2048 "$tile" "$work/whole$n.gdal.png"
    time_run "window$n.satmark" env SATMARK_HASH_CACHE=off "$satmark" render "$tile" "$gj" -o "$work/window$n.satmark.png" --size 2048x2048 --bbox "$bbox"
    time_run "window$n.map2img" map2img -m "$work/window$n.map" -o "$work/window$n.map2img.png"
    # shellcheck disable=SC2086
    time_run "window$n.gdal" gdal_translate -q -of PNG -projwin $(awk '{ print $1, $4, $3, $2 }' <<< "$ext") -outsize 2048 2048 "$tile" "$work/window$n.gdal.png"
  done
done

# batch throughput: 48 figures (1:1 windows of 1024x1024 px of the 8192
# tile, marks on), enough work (~2 s on one CPU) that the fixed start-up of a
# run (~45 ms of dynamic linking, ~30 ms of first-figure warm-up per worker)
# does not hide the throughput
tile=$work/bench8192.tif
nbatch=48
if want batch; then
if [[ ! -s "$tile" ]]; then
  "$tilegen" --quiet --bench-size 8192 --marks 500 -o "$tile" --marks-out "$work/bench8192.geojson"
fi
{
  echo '{"satmark_manifest": 1, "defaults": {"tile": "bench8192.tif", "annotations": ["bench8192.geojson"], "size": "1024x1024"}, "figures": ['
  for ((k = 0; k < nbatch; k++)); do
    x=$(( (k % 8) * 1024 )); y=$(( (k / 8) * 1024 + 512 ))
    echo "  {\"name\": \"w$k\", \"view\": {\"bbox\": [$(bbox_of "$tile" "$x" "$y" 1024 1024)]}}$([[ $k -lt $((nbatch - 1)) ]] && echo ,)"
  done
  echo ']}'
} > "$work/bench.manifest"
for ((i = 0; i < (runs + 1) / 2; i++)); do
  rm -rf "$work/batch1" "$work/batch2"
  time_run batch.j1 "$satmark" batch "$work/bench.manifest" -o "$work/batch1" -j 1
  time_run batch.j2 "$satmark" batch "$work/bench.manifest" -o "$work/batch2" -j 2
done
fi

# The fair comparison (issue 14): wall and CPU, map2img at default and at
# zlib level 1, satmark's hash cache off and on. Goals (cache off, PNG no
# larger than map2img's): wall <= 0.25x map2img default and <= 0.45x map2img
# at level 1; CPU <= 0.6x map2img at level 1.
report_fair() { # SIZE
  local n=$1 p=whole$1
  local row
  printf '  %-36s %8s %8s %12s\n' "" "wall s" "CPU s" "PNG bytes"
  for row in "satmark, hash cache off:satmark" "satmark, hash cache on:satmark_cached" \
             "map2img default:map2img" "map2img COMPRESSION=1:map2img_z1"; do
    printf '  %-36s %8.3f %8.2f %12d\n' "${row%%:*}" "$(med "$p.${row##*:}")" "$(cpu "$p.${row##*:}")" \
      "$(size_of "$work/$p.${row##*:}.png")"
  done
  local w0 w1 c1
  w0=$(ratio "$(med "$p.satmark")" "$(med "$p.map2img")")
  w1=$(ratio "$(med "$p.satmark")" "$(med "$p.map2img_z1")")
  c1=$(ratio "$(cpu "$p.satmark")" "$(cpu "$p.map2img_z1")")
  printf '  cache off: wall/map2img %s (goal <= 0.25: %s), wall/map2img-z1 %s (goal <= 0.45: %s), CPU/map2img-z1 %s (goal <= 0.6: %s)\n' \
    "$w0" "$(verdict "$w0" 0.25 le)" "$w1" "$(verdict "$w1" 0.45 le)" "$c1" "$(verdict "$c1" 0.6 le)"
}

echo
echo "== satmark bench ($(nproc) CPUs, $runs alternating runs, medians of wall time)"
for n in $sizes; do
  echo "${n}x$n tile, 500 marks, whole tile at 2048x2048:"
  report_render "$n" "whole$n"
  echo "${n}x$n tile, 500 marks, whole tile at 2048x2048, wall and CPU (medians):"
  report_fair "$n"
  echo "${n}x$n tile, 500 marks, 1:1 window of 2048x2048 px:"
  report_render "$n" "window$n"
done
if want batch; then
  j1=$(med batch.j1); j2=$(med batch.j2); sp=$(ratio "$j1" "$j2")
  echo "batch, $nbatch figures of 1024x1024 (1:1 windows):"
  printf '  -j 1 %.3f s, -j 2 %.3f s: speed-up %s (goal >= 1.8: %s)\n' "$j1" "$j2" "$sp" "$(verdict "$sp" 1.8 ge)"
fi
echo "load average now: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine inflates the numbers)"

# ============================================================================
# Viewer section (helper "viewer", issue 14): satmark-view --bench replays a
# fixed pan/zoom path (zoom in from the whole image to 1.5x, pan, zoom out;
# 720 frames paced at 60 Hz) at 1920x1080 with SDL's software renderer, over
# a 16384x16384 tile with 5,000 marks and with 100,000 points (tilegen --big,
# observed on the tile), each on a quiet machine and beside one CPU-bound
# process (`yes > /dev/null`, as a compiler would be). Under Xvfb (x11) when
# xvfb-run is installed, else SDL's offscreen driver. Goals: first frame with
# imagery < 200 ms (marks load in the background), p99 frame < 8 ms quiet and
# < 16 ms beside the CPU-bound process, peak RSS < 300 MB. "marks shown" is
# when the marks read on their thread were first drawn; "p99 marks" the p99
# of the frames from then on. Timed results never fail anything: this prints.
# ============================================================================
viewer=$build/satmark-view
# Its own file names: the render section's bench16384.tif has 500 marks.
vtile=$work/viewer16384-5000marks.tif
vmarks=$work/viewer16384-5000marks.geojson
vmarks100k=$work/viewer16384-100000points.geojson
vruns=${BENCH_VIEWER_RUNS:-1}
if ! want viewer; then
  :
elif [[ -x "$viewer" ]]; then
  if [[ ! -s "$vtile" || ! -s "$vmarks" ]]; then
    echo "bench: generating a 16384x16384 tile with 5,000 marks for the viewer (once; cached in $work)"
    "$tilegen" --quiet --bench-size 16384 --marks 5000 -o "$vtile" --marks-out "$vmarks"
  fi
  if [[ ! -s "$vmarks100k" ]]; then
    vdate=$(awk 'match($0, /"acquired": *"[0-9-]+/) { s = substr($0, RSTART, RLENGTH); sub(/.*"/, "", s); print s; exit }' "$vmarks")
    "$tilegen" --big points --count 100000 --bbox "$(bbox_of "$vtile" 0 0 16384 16384)" \
      --image "$(basename "$vtile")" --date "${vdate:-2024-03-17}" -o "$vmarks100k"
  fi
  if command -v xvfb-run >/dev/null; then
    vdisplay=(xvfb-run -a -s "-screen 0 1920x1080x24" env SDL_VIDEODRIVER=x11)
    vdriver="Xvfb"
  else
    vdisplay=(env SDL_VIDEODRIVER=offscreen)
    vdriver="offscreen"
  fi
  echo
  echo "== satmark-view bench (1920x1080, $vdriver + software renderer, $(nproc) CPUs, $vruns run(s) each)"
  echo "  (cpu: the UI thread's CPU ms per frame, p50/p99: the frame's own work, whatever the load)"
  printf '  %-8s %-6s %6s %9s %9s %8s %8s %9s %11s %7s\n' marks beside load first_ms marks_ms p50_ms p99_ms p99marks cpu_p50/p99 rss_mb
  field() { echo "$1" | awk -v k="$2" '{ for (i = 1; i < NF; i++) if ($i == k) print $(i + 1) }'; }
  for vset in 5000:"$vmarks" 100000:"$vmarks100k"; do
    vn=${vset%%:*} vfile=${vset#*:}
    for vload in quiet busy; do
      for ((r = 1; r <= vruns; r++)); do
        hog=""
        vloadavg=$(cut -d' ' -f1 /proc/loadavg) # before the run: how quiet "quiet" was
        if [[ $vload == busy ]]; then yes > /dev/null & hog=$!; fi
        vline=$(SDL_AUDIODRIVER=dummy timeout 600 "${vdisplay[@]}" \
          "$viewer" "$vtile" "$vfile" --bench 2> "$work/viewer-bench-$vn-$vload.log") || vline=""
        if [[ -n $hog ]]; then kill "$hog"; wait "$hog" 2> /dev/null || :; fi
        if [[ -z $vline ]]; then
          echo "  $vn $vload: satmark-view --bench failed (see $work/viewer-bench-$vn-$vload.log)"
          continue
        fi
        vfirst=$(field "$vline" first_frame_ms); vp99=$(field "$vline" p99_ms)
        vgoal=8; [[ $vload == busy ]] && vgoal=16
        printf '  %-8s %-6s %6s %9s %9s %8s %8s %9s %11s %7s  first<200: %s, p99<%s: %s\n' "$vn" \
          "$([[ $vload == busy ]] && echo yes || echo -)" "$vloadavg" \
          "$vfirst" "$(field "$vline" marks_shown_ms)" "$(field "$vline" median_ms)" "$vp99" \
          "$(field "$vline" p99_marks_ms)" \
          "$(field "$vline" cpu_median_ms)/$(field "$vline" cpu_p99_ms)" "$(field "$vline" peak_rss_mb)" \
          "$(verdict "$vfirst" 200 le)" "$vgoal" "$(verdict "$vp99" "$vgoal" le)"
        grep "satmark-view bench: median" "$work/viewer-bench-$vn-$vload.log" | sed 's/^/    /' || :
      done
    done
  done
else
  echo "satmark-view not built (SDL2 missing?): viewer bench skipped"
fi

# ============================================================================
# Scale section (issue 14, helper "scale"): large annotation files against
# ogr2ogr on the same machine in the same run, tools alternating in one
# loop. Files from `satmark-tilegen --big` (deterministic; cached):
#   points   N points, the id as a property and no feature id, each observed
#            on bench8192.tif (so the counting checks count them)
#   polygons M polygons of 5..50 vertices
# Goals: validate <= 0.25x `ogr2ogr -f GeoJSON` of the same file and peak RSS
# <= 600 MB; export (GeoJSON, FlatGeobuf) <= 0.5x ogr2ogr to that format;
# claims with 3 counting checks over the points < 2 s; render of a 2048^2
# figure of the 8192^2 tile with 100,000 points in view <= 1.5x the time
# with its 500 marks. The output of each export is read back with ogrinfo
# and must have the input's feature count (a failed count fails the bench).
# ============================================================================
if want scale; then
  npoints=${BENCH_SCALE_POINTS:-1000000}
  npolys=${BENCH_SCALE_POLYGONS:-100000}
  sruns=${BENCH_SCALE_RUNS:-3}
  stile=$work/bench8192.tif
  if [[ ! -s "$stile" ]]; then
    echo "bench: generating an 8192x8192 tile with 500 marks (once; cached in $work)"
    "$tilegen" --quiet --bench-size 8192 --marks 500 -o "$stile" --marks-out "$work/bench8192.geojson"
  fi
  # a lon/lat box inside the UTM tile's footprint: the box of the whole tile
  # reaches past its corners, and a point observed on the tile but off it is
  # an error for validate (v2: the files are named for the inner box)
  sbbox=$(bbox_of "$stile" 256 256 7680 7680)
  pts=$work/scale-points-$npoints.v2.geojson polys=$work/scale-polygons-$npolys.v2.geojson
  pts100k=$work/scale-points-100000-in-view.v2.geojson
  [[ -s $pts ]] || "$tilegen" --big points --count "$npoints" --bbox "$sbbox" --image bench8192.tif --date 2024-03-17 -o "$pts"
  [[ -s $polys ]] || "$tilegen" --big polygons --count "$npolys" --bbox "$sbbox" -o "$polys"
  [[ -s $pts100k ]] || "$tilegen" --big points --count 100000 --bbox "$sbbox" -o "$pts100k"
  # three counting claims over areas of the tile (the catalog and the areas
  # are written here; the areas are observed on the same image as the points)
  IFS=, read -r bw bs be bn <<< "$sbbox"
  cat > "$work/scale-claims.json" <<EOC
{"satmark_claims": 1,
 "sources": [{"id": "bench-source", "outlet": "satmark bench", "headline": "Generated counting claims", "author": "", "published": "2024-03-20", "file": null, "reliability": "external", "reliability_note": "generated by scripts/bench.sh; not a real source", "cites": []}],
 "claims": [
$(for k in 1 2 3; do
  printf '  {"id": "bench-count-%d", "text": "Container stacks in area %d.", "quote": "", "sources": ["bench-source"], "attributed_to": [], "place": "bench", "time": {"from": "2024-03-01", "to": "2024-03-31"}, "imagery": "yes", "check": {"class": "container_stack", "area": "bench-area-%d", "op": ">=", "value": 1, "date_from": "2024-03-01", "date_to": "2024-03-31"}}%s\n' \
    "$k" "$k" "$k" "$([[ $k -lt 3 ]] && echo ,)"
done)
 ],
 "discrepancies": []}
EOC
  {
    echo '{"type":"FeatureCollection","features":['
    for k in 1 2 3; do
      awk -v k="$k" -v w="$bw" -v s="$bs" -v e="$be" -v n="$bn" 'BEGIN {
        f = k / 8; x0 = w + (e - w) * f; y0 = s + (n - s) * f; x1 = x0 + (e - w) * f; y1 = y0 + (n - s) * f
        printf "{\"type\":\"Feature\",\"id\":\"bench-area-%d\",\"properties\":{\"class\":\"aoi\",\"label\":\"area %d\",\"observations\":[{\"image\":\"bench8192.tif\",\"acquired\":\"2024-03-17\"}]},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[%.7f,%.7f],[%.7f,%.7f],[%.7f,%.7f],[%.7f,%.7f],[%.7f,%.7f]]]}}%s\n",
          k, k, x0, y0, x1, y0, x1, y1, x0, y1, x0, y0, (k < 3) ? "," : "" }'
    done
    echo ']}'
  } > "$work/scale-areas.geojson"
  out=$work/scale-out
  mkdir -p "$out"
  for ((i = 0; i < sruns; i++)); do
    rm -f "$out"/*
    time_run scale.validate.points "$satmark" validate --quiet "$pts"
    time_run scale.ogr.geojson.points ogr2ogr -f GeoJSON "$out/ogr-points.geojson" "$pts"
    time_run scale.validate.polys "$satmark" validate --quiet "$polys"
    time_run scale.ogr.geojson.polys ogr2ogr -f GeoJSON "$out/ogr-polys.geojson" "$polys"
    time_run scale.export.geojson.points "$satmark" export --no-claims "$pts" -o "$out/points.geojson"
    time_run scale.export.fgb.points "$satmark" export --no-claims "$pts" -o "$out/points.fgb"
    time_run scale.ogr.fgb.points ogr2ogr -f FlatGeobuf "$out/ogr-points.fgb" "$pts"
    time_run scale.export.geojson.polys "$satmark" export --no-claims "$polys" -o "$out/polys.geojson"
    time_run scale.export.fgb.polys "$satmark" export --no-claims "$polys" -o "$out/polys.fgb"
    time_run scale.ogr.fgb.polys ogr2ogr -f FlatGeobuf "$out/ogr-polys.fgb" "$polys"
    time_run scale.claims "$satmark" claims "$work/scale-claims.json" "$work/scale-areas.geojson" "$pts"
    if [[ -n ${BENCH_SCALE_BASELINE:-} ]]; then
      time_run scale.claims.baseline "$BENCH_SCALE_BASELINE" claims "$work/scale-claims.json" "$work/scale-areas.geojson" "$pts"
      time_run scale.validate.points.baseline "$BENCH_SCALE_BASELINE" validate --quiet "$pts"
      time_run scale.export.fgb.points.baseline "$BENCH_SCALE_BASELINE" export --no-claims "$pts" -o "$out/points-baseline.fgb"
      time_run scale.render.100k.baseline env SATMARK_HASH_CACHE=off "$BENCH_SCALE_BASELINE" render "$stile" "$pts100k" -o "$out/r100k-baseline.png" --size 2048x2048
    fi
    time_run scale.render.500 env SATMARK_HASH_CACHE=off "$satmark" render "$stile" "$work/bench8192.geojson" -o "$out/r500.png" --size 2048x2048
    time_run scale.render.100k env SATMARK_HASH_CACHE=off "$satmark" render "$stile" "$pts100k" -o "$out/r100k.png" --size 2048x2048
  done
  count_of() { ogrinfo -ro -so -al "$1" | awk -F': ' '/Feature Count/ { s += $2 } END { print s + 0 }'; }
  for f in points.geojson points.fgb; do
    [[ $(count_of "$out/$f") == "$npoints" ]] || { echo "bench: $out/$f does not have $npoints features" >&2; exit 1; }
  done
  for f in polys.geojson polys.fgb; do
    [[ $(count_of "$out/$f") == "$npolys" ]] || { echo "bench: $out/$f does not have $npolys features" >&2; exit 1; }
  done

  echo
  echo "== scale bench ($(nproc) CPUs shared; medians of $sruns alternating runs; wall s / CPU s / peak RSS MB)"
  srow() { # TEXT LABEL
    printf '  %-44s %8.2f %8.2f %8s\n' "$1" "$(med "$2")" "$(cpu "$2")" "$(peak_mb "$2")"
  }
  sgoal() { # TEXT SATMARK-LABEL REFERENCE-LABEL GOAL
    local rw rc
    rw=$(ratio "$(med "$2")" "$(med "$3")"); rc=$(ratio "$(cpu "$2")" "$(cpu "$3")")
    printf '  %-44s wall %s, CPU %s (goal <= %s: %s)\n' "$1" "$rw" "$rc" "$4" "$(verdict "$rw" "$4" le)"
  }
  printf '  %-44s %8s %8s %8s\n' "" "wall" "CPU" "RSS MB"
  srow "satmark validate, $npoints points" scale.validate.points
  srow "ogr2ogr -f GeoJSON, $npoints points" scale.ogr.geojson.points
  srow "satmark validate, $npolys polygons" scale.validate.polys
  srow "ogr2ogr -f GeoJSON, $npolys polygons" scale.ogr.geojson.polys
  srow "satmark export .geojson, points" scale.export.geojson.points
  srow "satmark export .fgb, points" scale.export.fgb.points
  srow "ogr2ogr -f FlatGeobuf, points" scale.ogr.fgb.points
  srow "satmark export .geojson, polygons" scale.export.geojson.polys
  srow "satmark export .fgb, polygons" scale.export.fgb.polys
  srow "ogr2ogr -f FlatGeobuf, polygons" scale.ogr.fgb.polys
  srow "satmark claims, 3 counting checks, points" scale.claims
  if [[ -n ${BENCH_SCALE_BASELINE:-} ]]; then
    srow "  the same with BENCH_SCALE_BASELINE (before)" scale.claims.baseline
  fi
  srow "satmark render 2048^2, 500 marks" scale.render.500
  srow "satmark render 2048^2, 100,000 points" scale.render.100k
  sgoal "validate points / ogr2ogr GeoJSON" scale.validate.points scale.ogr.geojson.points 0.25
  sgoal "validate polygons / ogr2ogr GeoJSON" scale.validate.polys scale.ogr.geojson.polys 0.25
  for k in points polys; do
    rss=$(peak_mb "scale.validate.$k")
    printf '  %-44s %s MB (goal <= 600: %s)\n' "validate $k peak RSS" "$rss" "$(verdict "$rss" 600 le)"
  done
  sgoal "export GeoJSON points / ogr2ogr" scale.export.geojson.points scale.ogr.geojson.points 0.5
  sgoal "export GeoJSON polygons / ogr2ogr" scale.export.geojson.polys scale.ogr.geojson.polys 0.5
  sgoal "export FlatGeobuf points / ogr2ogr" scale.export.fgb.points scale.ogr.fgb.points 0.5
  sgoal "export FlatGeobuf polygons / ogr2ogr" scale.export.fgb.polys scale.ogr.fgb.polys 0.5
  cl=$(med scale.claims) clc=$(cpu scale.claims)
  printf '  %-44s wall %.2f s (goal < 2: %s), CPU %.2f s (%s on an idle machine), peak RSS %s MB\n' \
    "claims over $npoints marks" "$cl" "$(verdict "$cl" 2 le)" "$clc" "$(verdict "$clc" 2 le)" \
    "$(peak_mb scale.claims)"
  if [[ -n ${BENCH_SCALE_BASELINE:-} ]]; then
    printf '  %-44s wall %.2f -> %.2f s, CPU %.2f -> %.2f s, peak RSS %s -> %s MB\n' \
      "claims before -> after" "$(med scale.claims.baseline)" "$cl" "$(cpu scale.claims.baseline)" \
      "$clc" "$(peak_mb scale.claims.baseline)" "$(peak_mb scale.claims)"
  fi
  sgoal "render 100,000 points / 500 marks" scale.render.100k scale.render.500 1.5
  if [[ -n ${BENCH_SCALE_BASELINE:-} ]]; then
    for k in validate.points export.fgb.points render.100k; do
      printf '  %-44s wall %.2f -> %.2f s, CPU %.2f -> %.2f s, peak RSS %s -> %s MB\n' \
        "$k before -> after" "$(med "scale.$k.baseline")" "$(med "scale.$k")" \
        "$(cpu "scale.$k.baseline")" "$(cpu "scale.$k")" \
        "$(peak_mb "scale.$k.baseline")" "$(peak_mb "scale.$k")"
    done
  fi
  echo "  exports read back by ogrinfo: $npoints and $npolys features (checked)"
  echo "  load average now: $(cut -d' ' -f1-3 /proc/loadavg) (the machine is shared: treat ratios as noisy)"
fi
