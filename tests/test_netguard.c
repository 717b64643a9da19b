/* Unit tests of netguard, by construction and independent of satmark's own
 * path checks: after raster_init (remote access off), GDAL itself cannot
 * reach the network. A listening socket on 127.0.0.1 stands in for every
 * server (the cloud file systems are pointed at it through their endpoint
 * settings); after each call, a connection GDAL made would be waiting in its
 * accept queue, so poll() with a zero timeout tells, without any sleep. A
 * control connect() shows that the check sees a connection when there is
 * one. Network drivers are not registered at all. */
#define _LARGEFILE64_SOURCE /* VSIStatBufL is struct stat64 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>
#include <cpl_http.h>
#include <cpl_vsi.h>
#include <gdal.h>

#include "netguard.h"
#include "raster.h"

static int listener = -1;
static int port;

/* Accepts and closes every waiting connection; returns how many there were. */
static int drain(void)
{
    int n = 0;
    struct pollfd p = {listener, POLLIN, 0};
    while (poll(&p, 1, 0) == 1 && (p.revents & POLLIN)) {
        int c = accept(listener, NULL, NULL);
        if (c < 0)
            break;
        close(c);
        n++;
    }
    return n;
}

static int setup(void **state)
{
    (void)state;
    listener = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (listener < 0 || bind(listener, (struct sockaddr *)&a, sizeof a) != 0 ||
        listen(listener, 64) != 0 || getsockname(listener, (struct sockaddr *)&a, &len) != 0)
        return -1;
    port = ntohs(a.sin_port);
    char ep[64], url[96];
    snprintf(ep, sizeof ep, "127.0.0.1:%d", port);
    snprintf(url, sizeof url, "http://%s/", ep);
    setenv("AWS_S3_ENDPOINT", ep, 1);
    setenv("AWS_HTTPS", "NO", 1);
    setenv("AWS_VIRTUAL_HOSTING", "FALSE", 1);
    setenv("AWS_NO_SIGN_REQUEST", "YES", 1);
    setenv("CPL_GS_ENDPOINT", url, 1);
    setenv("GS_NO_SIGN_REQUEST", "YES", 1);
    setenv("OSS_ENDPOINT", ep, 1);
    setenv("OSS_HTTPS", "NO", 1);
    setenv("GDAL_HTTP_MAX_RETRY", "0", 1);
    raster_init();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    close(listener);
    return 0;
}

static void control_connection_is_seen(void **state)
{
    (void)state;
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons((uint16_t)port);
    assert_int_equal(connect(s, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(drain(), 1);
    close(s);
    assert_false(netguard_remote_allowed());
}

static void network_file_systems_refuse(void **state)
{
    (void)state;
    const char *paths[] = {
        "/vsicurl/http://127.0.0.1:%d/a.tif",   "/vsicurl_streaming/http://127.0.0.1:%d/a.tif",
        "/vsis3/bucket/a.tif",                   "/vsis3_streaming/bucket/a.tif",
        "/vsigs/bucket/a.tif",                   "/vsigs_streaming/bucket/a.tif",
        "/vsiaz/c/a.tif",                        "/vsiaz_streaming/c/a.tif",
        "/vsiadls/c/a.tif",                      "/vsioss/bucket/a.tif",
        "/vsioss_streaming/bucket/a.tif",        "/vsiswift/c/a.tif",
        "/vsiswift_streaming/c/a.tif",           "/vsiwebhdfs/http://127.0.0.1:%d/webhdfs/v1/a",
        "/vsizip//vsicurl/http://127.0.0.1:%d/a.zip/a.tif", "/vsistdin/",
    };
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        char path[256];
        snprintf(path, sizeof path, paths[i], port);
        netguard_clear_refused();
        VSIStatBufL st;
        assert_int_not_equal(VSIStatL(path, &st), 0);
        VSILFILE *f = VSIFOpenL(path, "rb");
        assert_null(f);
        GDALDatasetH ds = GDALOpen(path, GA_ReadOnly);
        assert_null(ds);
        if (netguard_last_refused()[0] == '\0')
            fail_msg("%s: not refused by netguard", path);
        if (drain() != 0)
            fail_msg("%s: a connection reached the listener", path);
    }
}

static void network_drivers_absent(void **state)
{
    (void)state;
    const char *drivers[] = {"WMS", "WMTS", "WCS", "HTTP", "DAAS", "EEDAI", "EEDA",
                             "PLMOSAIC", "PLSCENES", "OGCAPI", "STACIT", "STACTA", "NGW",
                             "PostGISRaster", "ESRIC", "Rasterlite", "MBTiles", "PDF"};
    for (size_t i = 0; i < sizeof drivers / sizeof drivers[0]; i++)
        if (GDALGetDriverByName(drivers[i]))
            fail_msg("driver %s is registered", drivers[i]);
    assert_non_null(GDALGetDriverByName("GTiff"));
    assert_non_null(GDALGetDriverByName("VRT"));
    char name[128];
    snprintf(name, sizeof name, "WMTS:http://127.0.0.1:%d/wmts?", port);
    assert_null(GDALOpen(name, GA_ReadOnly));
    assert_int_equal(drain(), 0);
}

static void http_client_refuses(void **state)
{
    (void)state;
    char url[96];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/x", port);
    CPLHTTPResult *res = CPLHTTPFetch(url, NULL);
    assert_non_null(res);
    assert_int_not_equal(res->nStatus, 0);
    CPLHTTPDestroyResult(res);
    assert_int_equal(drain(), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(control_connection_is_seen),
        cmocka_unit_test(network_file_systems_refuse),
        cmocka_unit_test(network_drivers_absent),
        cmocka_unit_test(http_client_refuses),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
