#!/usr/bin/env bash
# Privacy: no request leaves the machine unless --allow-remote. A listener on
# 127.0.0.1 counts every connection; GDAL's cloud file systems are pointed at
# it through their endpoint settings (so a request, if made, lands here and
# not at a real cloud). For each network file system and each network driver,
# an image whose source is that network name, nested two levels deep (VRT ->
# VRT -> source) and also directly, is given to every command that opens
# images: info, render, batch, mark --pixel and mark --image. Each must fail
# (exit 1) with a message naming the refusal, and the listener must see zero
# connections. A control run with --allow-remote shows that the listener and
# the endpoint settings work (the request does arrive).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib/expect.sh"
: "${SATMARK:?path of the satmark binary}"
command -v node >/dev/null || { echo "node not installed: SKIP"; exit 77; }
tmp=$(mktemp -d)
srv=
cleanup() { [[ -n $srv ]] && kill "$srv" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# The listener: counts connections in $tmp/hits (one line each), answers 404.
cat >"$tmp/listen.js" <<'JS'
const net = require('net'), fs = require('fs');
const [portFile, hitsFile] = process.argv.slice(2);
const server = net.createServer(sock => {
  fs.appendFileSync(hitsFile, 'connection\n');
  sock.once('data', d => {
    fs.appendFileSync(hitsFile, '  ' + d.toString('latin1').split('\r\n')[0] + '\n');
    sock.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
  });
  sock.on('error', () => {});
});
server.listen(0, '127.0.0.1', () => fs.writeFileSync(portFile, String(server.address().port)));
JS
: >"$tmp/hits"
node "$tmp/listen.js" "$tmp/port" "$tmp/hits" &
srv=$!
for _ in $(seq 1 100); do [[ -s "$tmp/port" ]] && break; sleep 0.1; done
[[ -s "$tmp/port" ]] || fail "listener did not start"
port=$(cat "$tmp/port")
ep="127.0.0.1:$port"

# Every cloud file system talks to the listener, unsigned or with dummy keys.
export AWS_S3_ENDPOINT=$ep AWS_HTTPS=NO AWS_VIRTUAL_HOSTING=FALSE AWS_NO_SIGN_REQUEST=YES
export CPL_GS_ENDPOINT=http://$ep/ GS_NO_SIGN_REQUEST=YES
export AZURE_STORAGE_CONNECTION_STRING="DefaultEndpointsProtocol=http;AccountName=acct;AccountKey=a2V5;BlobEndpoint=http://$ep/acct;"
export OSS_ENDPOINT=$ep OSS_HTTPS=NO OSS_VIRTUAL_HOSTING=FALSE OSS_ACCESS_KEY_ID=x OSS_SECRET_ACCESS_KEY=y
export SWIFT_STORAGE_URL=http://$ep/v1/acct SWIFT_AUTH_TOKEN=token
export GDAL_HTTP_MAX_RETRY=0 GDAL_HTTP_TIMEOUT=5 CPL_VSIL_CURL_CACHE_SIZE=0

# Sources: network file systems, network drivers (described in local files).
cat >"$tmp/wms.xml" <<XML
<GDAL_WMS><Service name="TMS"><ServerUrl>http://$ep/tms/\${z}/\${x}/\${y}.png</ServerUrl></Service>
<DataWindow><UpperLeftX>-180</UpperLeftX><UpperLeftY>90</UpperLeftY><LowerRightX>180</LowerRightX>
<LowerRightY>-90</LowerRightY><TileLevel>2</TileLevel><TileCountX>1</TileCountX><TileCountY>1</TileCountY>
<YOrigin>top</YOrigin></DataWindow><Projection>EPSG:4326</Projection><BlockSizeX>256</BlockSizeX>
<BlockSizeY>256</BlockSizeY><BandsCount>3</BandsCount></GDAL_WMS>
XML
cat >"$tmp/wcs.xml" <<XML
<WCS_GDAL><ServiceURL>http://$ep/wcs?</ServiceURL><CoverageName>c</CoverageName></WCS_GDAL>
XML
sources=(
  "/vsicurl/http://$ep/a/tile.tif"
  "/vsicurl_streaming/http://$ep/a/tile.tif"
  "/vsis3/bucket/tile.tif"
  "/vsis3_streaming/bucket/tile.tif"
  "/vsigs/bucket/tile.tif"
  "/vsigs_streaming/bucket/tile.tif"
  "/vsiaz/container/tile.tif"
  "/vsiaz_streaming/container/tile.tif"
  "/vsiadls/container/tile.tif"
  "/vsioss/bucket/tile.tif"
  "/vsioss_streaming/bucket/tile.tif"
  "/vsiswift/container/tile.tif"
  "/vsiswift_streaming/container/tile.tif"
  "/vsiwebhdfs/http://$ep/webhdfs/v1/tile.tif"
  "/vsizip//vsicurl/http://$ep/a/tiles.zip/tile.tif"
  "http://$ep/a/tile.tif"
  "WMTS:http://$ep/wmts?"
  "$tmp/wms.xml"
  "$tmp/wcs.xml"
)

vrt() { # vrt OUT SOURCE: a 64x64 georeferenced VRT whose band reads SOURCE
  local src=${2//&/&amp;}
  src=${src//</&lt;}
  cat >"$1" <<XML
<VRTDataset rasterXSize="64" rasterYSize="64"><SRS>EPSG:4326</SRS>
<GeoTransform>129.0, 0.0001, 0, 42.3, 0, -0.0001</GeoTransform>
<VRTRasterBand dataType="Byte" band="1"><SimpleSource>
<SourceFilename relativeToVRT="0">$src</SourceFilename><SourceBand>1</SourceBand>
</SimpleSource></VRTRasterBand></VRTDataset>
XML
}

hits() { grep -c '^connection' "$tmp/hits" || true; }

# run NAME TILE: every command on TILE must fail with a refusal, no connection.
run() {
  local name=$1 tile=$2 before rc out
  before=$(hits)
  printf '{"figures": [{"name": "f", "tile": "%s"}]}\n' "$tile" >"$tmp/m.manifest"
  local cmds=(
    "info|$SATMARK info $tile"
    "render|$SATMARK render $tile -o $tmp/out.png --size 64x64"
    "batch|$SATMARK batch $tmp/m.manifest -o $tmp/batch -j 1 --timeout 60"
    "mark-pixel|$SATMARK mark $tmp/m.geojson add --class pier --pixel $tile 1,1"
    "mark-image|$SATMARK mark $tmp/m.geojson add --class pier --point 129.001,42.299 --image $tile"
  )
  for c in "${cmds[@]}"; do
    local what=${c%%|*} cmd=${c#*|}
    rc=0
    # shellcheck disable=SC2086 # paths here have no spaces
    out=$(timeout 60 $cmd 2>&1 >/dev/null) || rc=$?
    ((rc == 1)) || fail "$name / $what: exit $rc, expected 1 ($out)"
    grep -qiE "remote access is off|not a local file|format satmark reads|not one satmark reads" <<<"$out" ||
      fail "$name / $what: no clear refusal: $out"
    local now
    now=$(hits)
    ((now == before)) || { cat "$tmp/hits" >&2; fail "$name / $what: $((now - before)) connection(s) to the listener"; }
  done
}

n=0
for s in "${sources[@]}"; do
  n=$((n + 1))
  vrt "$tmp/leaf$n.vrt" "$s"
  vrt "$tmp/mid$n.vrt" "$tmp/leaf$n.vrt"
  run "nested2 $s" "$tmp/mid$n.vrt"
  run "nested1 $s" "$tmp/leaf$n.vrt"
done
# Network names given directly (each scheme) to info.
for s in "${sources[@]:0:16}"; do
  rc=0
  out=$(timeout 60 "$SATMARK" info "$s" 2>&1 >/dev/null) || rc=$?
  ((rc == 1)) || fail "direct $s: exit $rc"
done
[[ $(hits) == 0 ]] || { cat "$tmp/hits" >&2; fail "connections to the listener"; }

# Control: with --allow-remote the request does reach the listener, so the
# zeros above mean something.
# (the listener serves no image: the read itself fails, exit 1)
expect_exit 1 timeout 60 "$SATMARK" info --allow-remote "/vsis3/bucket/tile.tif" >/dev/null 2>&1
[[ $(hits) -gt 0 ]] || fail "control: --allow-remote made no connection; the listener or endpoints are broken"
echo "no_network: OK ($n sources x 2 nestings x 5 commands, 0 connections)"
