/*
 * netguard — GDAL set up so that no request can leave the machine unless the
 * user asked for remote access: for an investigator a request is a
 * disclosure (of what they look at, from where, signed with whatever cloud
 * credentials their environment holds).
 *
 * By construction, not by checking paths after opening:
 *   - Only an allow-list of drivers stays registered (GDALAllRegister, then
 *     every other driver deregistered), so WMS, WMTS, WCS, HTTP, DAAS, EEDAI,
 *     PLMosaic, PLScenes, OGCAPI, STACIT, STACTA, NGW, ... cannot open
 *     anything, also not as the source of a VRT nested in a VRT.
 *   - Unless remote access is allowed, every network file system of GDAL
 *     (/vsicurl/, /vsis3/, /vsigs/, /vsiaz/, /vsiadls/, /vsioss/, /vsiswift/,
 *     /vsiwebhdfs/, /vsihdfs/, every *_streaming one) and /vsistdin/ (which
 *     would wait on the terminal) is replaced by a file system that refuses
 *     every name, so whatever opens them (a driver, a nested VRT, /vsizip/ of
 *     a URL) gets an error before any connection; and GDAL's HTTP client
 *     (CPLHTTPFetch) refuses every URL.
 * The choice is made once per process, at the first registration: a command
 * run with --allow-remote asks for it before it opens any image.
 */
#ifndef SATMARK_NETGUARD_H
#define SATMARK_NETGUARD_H

#include <stdbool.h>

/* Registers GDAL's drivers once per process (later calls do nothing): keeps
 * only the drivers named in keep (NULL-terminated, borrowed); unless
 * allow_remote, installs the refusals described above. Not thread-safe:
 * call under the caller's once-guard. */
void netguard_register(const char *const *keep, bool allow_remote);

/* True once netguard_register ran with allow_remote. */
bool netguard_remote_allowed(void);

/* The last network name refused on this thread ("" when none since the last
 * clear), for messages; borrowed, thread-local. */
const char *netguard_last_refused(void);
void netguard_clear_refused(void);

#endif
