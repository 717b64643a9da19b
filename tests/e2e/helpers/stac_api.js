// A tiny STAC API for tests/e2e/fetch_stac.sh: POST /search answers with
// the items in ITEMS_DIR, two per page with a POST "next" link, and
// deliberately ignores bbox/datetime/query so that the test shows satmark
// filters results itself. Listens on 127.0.0.1 only; prints its port; exits
// after 120 s even if nobody stops it (bounded, as tests must be).
'use strict';
const http = require('http');
const fs = require('fs');
const path = require('path');
const dir = process.argv[2];
const items = fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort()
  .map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')));
const server = http.createServer((req, res) => {
  let body = '';
  req.on('data', (c) => { body += c; if (body.length > 1e6) req.destroy(); });
  req.on('end', () => {
    if (req.method !== 'POST' || req.url !== '/search') {
      res.writeHead(404, { 'Content-Type': 'application/json' });
      res.end('{"code":"NotFound"}');
      return;
    }
    let q;
    try { q = JSON.parse(body); } catch (e) { res.writeHead(400); res.end('{"code":"BadRequest"}'); return; }
    const page = q.page || 0;
    const slice = items.filter((it) => !q.ids || q.ids.includes(it.id)).slice(page * 2, page * 2 + 2);
    const links = [];
    if ((page + 1) * 2 < items.length && !q.ids) {
      links.push({ rel: 'next', href: `http://127.0.0.1:${server.address().port}/search`,
        method: 'POST', body: Object.assign({}, q, { page: page + 1 }) });
    }
    res.writeHead(200, { 'Content-Type': 'application/geo+json' });
    res.end(JSON.stringify({ type: 'FeatureCollection', features: slice, links }));
  });
});
server.listen(0, '127.0.0.1', () => { console.log(server.address().port); });
setTimeout(() => process.exit(0), 120000).unref();
