#!/usr/bin/env bash
# e2e: `satmark fetch` against a static STAC catalog served by Debian's nginx
# on 127.0.0.1 (a temporary config on a free port) and a small STAC API
# (tests/e2e/helpers/stac_api.js, node). The assets are COGs made from the
# bundled (synthetic) Dunai tiles.
#  - search: bbox, dates and cloud cover select the right items (static crawl
#    and API with paging; the API ignores the filters, satmark applies them);
#  - nothing is sent without --allow-remote (the access log stays empty);
#  - get: a window of a 4096x4096 COG arrives through range requests only
#    (every request of the .tif answered 206 with a Range header) and far
#    fewer bytes than the file; OUT.tif is georeferenced on the window; its
#    sidecar records item, asset, acquisition date and the SHA-256 of the file;
#  - errors: 404, bad JSON, a window outside the asset, plain HTTP to another
#    host, each exit 1 naming the URL or file, and no partial output.
set -euo pipefail
SATMARK=${SATMARK:?set SATMARK to the satmark binary}
SRC=${SATMARK_SRC:?set SATMARK_SRC}
command -v nginx >/dev/null || PATH=$PATH:/usr/sbin
command -v nginx >/dev/null || { echo "SKIP: nginx is not installed (scripts/install-deps.sh installs it)"; exit 77; }
command -v node >/dev/null || { echo "SKIP: node is not installed"; exit 77; }
tmp=$(mktemp -d)
chmod 755 "$tmp"
nginx_pid=; api_pid=
cleanup() {
  [[ -n "$nginx_pid" ]] && kill "$nginx_pid" 2>/dev/null
  [[ -n "$api_pid" ]] && kill "$api_pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

www="$tmp/www"; mkdir -p "$www/assets" "$www/demo/items" "$tmp/ngx"
for d in 2023-11-05 2022-08-14; do
  gdal_translate -q -of COG -co BLOCKSIZE=256 -co COMPRESS=DEFLATE -co OVERVIEWS=NONE \
    "$SRC/assets/tiles/dunai_$d.tif" "$www/assets/dunai-$d.tif"
done
cog_size=$(stat -c %s "$www/assets/dunai-2023-11-05.tif")
bbox='[132.327071487549,42.8704979899537,132.352913873789,42.8895033148672]'
item() { # id date cloud asset
  cat <<JSON
{"type":"Feature","stac_version":"1.0.0","id":"$1","collection":"demo","bbox":$bbox,
 "geometry":{"type":"Polygon","coordinates":[[[132.327,42.870],[132.353,42.870],[132.353,42.890],[132.327,42.890],[132.327,42.870]]]},
 "properties":{"datetime":"$2T01:30:00Z","eo:cloud_cover":$3,"gsd":1.6},
 "links":[{"rel":"self","href":"$1.json"}],
 "assets":{"visual":{"href":"../../assets/$4","type":"image/tiff; application=geotiff; profile=cloud-optimized","roles":["visual"]}}}
JSON
}
item dunai-2023-11-05 2023-11-05 5 dunai-2023-11-05.tif >"$www/demo/items/dunai-2023-11-05.json"
item dunai-2022-08-14 2022-08-14 60 dunai-2022-08-14.tif >"$www/demo/items/dunai-2022-08-14.json"
cat >"$www/demo/collection.json" <<'JSON'
{"type":"Collection","stac_version":"1.0.0","id":"demo","license":"CC-BY-4.0",
 "description":"synthetic demo tiles","providers":[{"name":"satmark test provider","roles":["producer"]}],
 "extent":{"spatial":{"bbox":[[132.3,42.8,132.4,42.9]]},"temporal":{"interval":[["2022-01-01T00:00:00Z",null]]}},
 "links":[{"rel":"item","href":"items/dunai-2023-11-05.json"},{"rel":"item","href":"items/dunai-2022-08-14.json"}]}
JSON
cat >"$www/catalog.json" <<'JSON'
{"type":"Catalog","stac_version":"1.0.0","id":"root","description":"test","links":[{"rel":"child","href":"demo/collection.json"}]}
JSON
printf '{"type": "Catalog", "links": [' >"$www/broken.json"

user_line=""; [[ $(id -u) -eq 0 ]] && user_line="user root;"
port=
for try in 1 2 3 4 5 6 7 8 9 10; do
  p=$((20000 + (RANDOM % 30000)))
  cat >"$tmp/nginx.conf" <<CONF
$user_line
worker_processes 1;
daemon off;
pid $tmp/ngx/nginx.pid;
error_log $tmp/ngx/error.log;
events { worker_connections 64; }
http {
  log_format ranges '\$request_method \$uri \$status \$body_bytes_sent "\$http_range"';
  access_log $tmp/ngx/access.log ranges;
  client_body_temp_path $tmp/ngx/body; proxy_temp_path $tmp/ngx/proxy;
  fastcgi_temp_path $tmp/ngx/fcgi; uwsgi_temp_path $tmp/ngx/uwsgi; scgi_temp_path $tmp/ngx/scgi;
  types { application/json json; image/tiff tif; }
  server { listen 127.0.0.1:$p; root $www; }
}
CONF
  nginx -c "$tmp/nginx.conf" -p "$tmp/ngx" >"$tmp/ngx/stdout" 2>&1 &
  nginx_pid=$!
  for _ in $(seq 1 100); do
    # any HTTP answer means it is up; the probe's own log line is ignored below
    curl -s -o /dev/null "http://127.0.0.1:$p/ready-probe" 2>/dev/null && { port=$p; break; }
    kill -0 "$nginx_pid" 2>/dev/null || break
    sleep 0.05
  done
  [[ -n "$port" ]] && break
  kill "$nginx_pid" 2>/dev/null; wait "$nginx_pid" 2>/dev/null || true; nginx_pid=
done
[[ -n "$port" ]] || { echo "FAIL: nginx did not start"; cat "$tmp/ngx/error.log" 2>/dev/null; exit 1; }
base="http://127.0.0.1:$port"
requests() { grep -v ' /ready-probe ' "$tmp/ngx/access.log" || true; }

run() { # expected-rc what -- cmd...
  local want=$1 what=$2; shift 3; local rc=0
  "$@" >"$tmp/out" 2>"$tmp/err" </dev/null || rc=$?
  [[ $rc -eq $want ]] || { fail "$what: exit $rc, want $want"; head -5 "$tmp/err"; }
  if grep -qE "AddressSanitizer|LeakSanitizer|runtime error:" "$tmp/err"; then fail "$what: sanitizer report"; fi
}
site=(--bbox 132.33,42.875,132.34,42.882)

# Nothing is sent without --allow-remote.
run 1 "search without --allow-remote" -- "$SATMARK" fetch search "$base/catalog.json" "${site[@]}"
grep -q "network access is off" "$tmp/err" || fail "no --allow-remote: message"
[[ -z "$(requests)" ]] || fail "a request was sent without --allow-remote: $(requests)"

# Static catalog: dates and cloud cover select.
run 0 "search all" -- "$SATMARK" fetch search "$base/catalog.json" "${site[@]}" --json --allow-remote
[[ $(jq -r 'map(.id) | join(",")' "$tmp/out") == "dunai-2022-08-14,dunai-2023-11-05" ]] || { fail "search all: $(cat "$tmp/out")"; }
[[ $(jq -r '.[1].licence + "|" + .[1].provider + "|" + (.[1].cloud_cover|tostring)' "$tmp/out") == "CC-BY-4.0|satmark test provider|5" ]] ||
  fail "search: licence/provider/cloud not read: $(jq -c '.[1]' "$tmp/out")"
run 0 "search 2023" -- "$SATMARK" fetch search "$base/catalog.json" "${site[@]}" --from 2023-01-01 --to 2023-12-31 --json --allow-remote
[[ $(jq -r 'map(.id) | join(",")' "$tmp/out") == "dunai-2023-11-05" ]] || fail "search 2023: $(cat "$tmp/out")"
run 0 "search cloud<=10" -- "$SATMARK" fetch search "$base/catalog.json" "${site[@]}" --max-cloud 10 --allow-remote
grep -q "^dunai-2023-11-05 " "$tmp/out" && ! grep -q "^dunai-2022-08-14 " "$tmp/out" || fail "cloud filter: $(cat "$tmp/out")"
run 0 "search elsewhere" -- "$SATMARK" fetch search "$base/catalog.json" --bbox 10,10,11,11 --json --allow-remote
[[ $(jq length "$tmp/out") -eq 0 ]] || fail "a box elsewhere found items"

# get: a window (about 330 m square of a 4096-pixel tile) through range requests only.
: >"$tmp/ngx/access.log"
win=(--bbox 132.333,42.877,132.337,42.880)
run 0 "get window" -- "$SATMARK" fetch get "$base/catalog.json" --item dunai-2023-11-05 "${win[@]}" -o "$tmp/win.tif" --allow-remote
if [[ -f "$tmp/win.tif" ]]; then
  info=$("$SATMARK" info --json --no-hash "$tmp/win.tif")
  w=$(jq .width <<<"$info"); h=$(jq .height <<<"$info")
  (( w > 100 && w < 1000 && h > 100 && h < 1000 )) || fail "window size ${w}x$h"
  jq -e --argjson b "[132.333,42.877,132.337,42.880]" '.bounds_lonlat as $g | ($g[0]-$b[0]|fabs) < 0.001 and ($g[3]-$b[3]|fabs) < 0.001' <<<"$info" >/dev/null ||
    fail "window bounds $(jq -c .bounds_lonlat <<<"$info")"
  [[ $(jq -r .acquired <<<"$info") == 2023-11-05* ]] || fail "acquisition date not carried: $(jq -r .acquired <<<"$info")"
  side="$tmp/win.tif.stac.json"
  [[ $(jq -r .sha256 "$side") == $(sha256sum "$tmp/win.tif" | cut -d' ' -f1) ]] || fail "sidecar sha256"
  [[ $(jq -r '.item + "|" + .assets + "|" + .licence + "|" + .collection' "$side") == "dunai-2023-11-05|visual|CC-BY-4.0|demo" ]] || fail "sidecar: $(cat "$side")"
  [[ $(jq -r .asset_hrefs "$side") == "$base/assets/dunai-2023-11-05.tif" ]] || fail "sidecar href: $(jq -r .asset_hrefs "$side")"
fi
tif_lines=$(grep -c ' /assets/dunai-2023-11-05.tif ' "$tmp/ngx/access.log" || true)
# the window is about 2 % of the tile's area: allow 4x that for whole tiles at its edges
not_range=$(grep ' /assets/dunai-2023-11-05.tif ' "$tmp/ngx/access.log" | awk '$1 == "GET" && ($3 != 206 || $5 == "\"-\"")' | wc -l)
bytes=$(grep ' /assets/dunai-2023-11-05.tif ' "$tmp/ngx/access.log" | awk '$1 == "GET" {s += $4} END {print s + 0}')
(( tif_lines > 0 )) || fail "no request for the COG in the access log"
(( not_range == 0 )) || { fail "$not_range request(s) of the COG were not range requests"; cat "$tmp/ngx/access.log"; }
(( bytes * 10 < cog_size )) || fail "transferred $bytes bytes of a $cog_size-byte file"
echo "fetch_stac: window fetched with $tif_lines request(s), $bytes of $cog_size bytes"

# Errors, each without partial output.
run 1 "window outside" -- "$SATMARK" fetch get "$base/catalog.json" --item dunai-2023-11-05 --bbox 132.30,42.70,132.31,42.71 -o "$tmp/out1.tif" --allow-remote
[[ ! -e "$tmp/out1.tif" && ! -e "$tmp/out1.tif.stac.json" ]] || fail "window outside: output left"
run 1 "no such item" -- "$SATMARK" fetch get "$base/catalog.json" --item nope "${site[@]}" -o "$tmp/out2.tif" --allow-remote
grep -q '"nope"' "$tmp/err" || fail "no such item: message"
run 1 "404" -- "$SATMARK" fetch search "$base/missing.json" "${site[@]}" --allow-remote
grep -q "missing.json: HTTP 404" "$tmp/err" || fail "404: $(cat "$tmp/err")"
run 1 "bad JSON" -- "$SATMARK" fetch search "$base/broken.json" "${site[@]}" --allow-remote
grep -q "broken.json:1:.*not JSON" "$tmp/err" || fail "bad JSON: $(cat "$tmp/err")"
run 1 "plain http elsewhere" -- "$SATMARK" fetch search "http://stac.example.invalid/catalog.json" "${site[@]}" --allow-remote
grep -q "plain HTTP" "$tmp/err" || fail "plain http: $(cat "$tmp/err")"
run 2 "bad bbox" -- "$SATMARK" fetch search "$base/catalog.json" --bbox 1,50,2,40 --allow-remote
ls -a "$tmp" | grep -q '^\.satmark-fetch' && fail "a reserved directory was left behind"

# A STAC API with paging that ignores the filters: satmark filters.
# Items as an API serves them: asset hrefs absolute (here, on nginx).
mkdir -p "$tmp/api-items"
for f in "$www"/demo/items/*.json; do
  jq -c --arg base "$base" '.assets.visual.href |= ($base + "/assets/" + (split("/") | last)) | .links = []' "$f" >"$tmp/api-items/$(basename "$f")"
done
node "$SRC/tests/e2e/helpers/stac_api.js" "$tmp/api-items" >"$tmp/api.port" 2>"$tmp/api.err" &
api_pid=$!
for _ in $(seq 1 100); do [[ -s "$tmp/api.port" ]] && break; sleep 0.05; done
api_port=$(head -1 "$tmp/api.port")
if [[ -z "$api_port" ]]; then fail "the test API did not start"; else
  run 0 "api search 2023" -- "$SATMARK" fetch search "http://127.0.0.1:$api_port" "${site[@]}" --from 2023-01-01 --json --allow-remote
  [[ $(jq -r 'map(.id) | join(",")' "$tmp/out") == "dunai-2023-11-05" ]] || fail "api search: $(cat "$tmp/out")"
  run 0 "api get" -- "$SATMARK" fetch get "http://127.0.0.1:$api_port/search" --item dunai-2022-08-14 "${site[@]}" -o "$tmp/api.tif" --allow-remote
  [[ -f "$tmp/api.tif" ]] || fail "api get: no file"
  run 1 "api asset missing" -- "$SATMARK" fetch get "http://127.0.0.1:$api_port/search" --item dunai-2022-08-14 "${site[@]}" --asset red -o "$tmp/api2.tif" --allow-remote
  grep -q 'has no asset "red"' "$tmp/err" || fail "missing asset: $(cat "$tmp/err")"
fi
# An asset that is gone: the HTTP status is named.
jq -c '.assets.visual.href = "../../assets/gone.tif"' "$www/demo/items/dunai-2022-08-14.json" >"$tmp/gone.json"
mv "$tmp/gone.json" "$www/demo/items/dunai-2022-08-14.json"
run 1 "asset 404" -- "$SATMARK" fetch get "$base/catalog.json" --item dunai-2022-08-14 "${site[@]}" -o "$tmp/gone.tif" --allow-remote
grep -q "gone.tif.*HTTP 404" "$tmp/err" || fail "asset 404: $(cat "$tmp/err")"

echo "fetch_stac: $failures failure(s)"
[[ $failures -eq 0 ]]
