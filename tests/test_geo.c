/*
 * test_geo — pixel <-> lon/lat against reference values from PROJ's and
 * GDAL's command-line tools, round trips, bounds, geodesics, true north.
 *
 * Table-driven in the manner of PROJ's .gie files: input, expected,
 * tolerance. Expected values were produced (2024, PROJ 9.1.1, GDAL 3.6.2)
 * by the commands named above each table; the CRS coordinates fed to them
 * are gt[0] + px*gt[1] + py*gt[2], gt[3] + px*gt[4] + py*gt[5].
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "geo.h"
#include "raster.h"

#define TEST_PI 3.14159265358979323846
#define DEG_TOL 1e-7  /* about 1 cm */
#define ROUND_TRIP_PX_TOL 2e-3 /* 1 mm at 0.5 m pixels */

struct transform_case {
    const char *crs;
    double gt[6];
    double px, py;
    double lon, lat;
};

/* UTM/3857 rows: `echo "X Y" | cs2cs -f %.10f EPSG:<code> EPSG:4326` (prints
 * lat lon; swapped here to lon, lat). EPSG:4326 rows: the geotransform
 * itself (cs2cs EPSG:4326 EPSG:4326 is the identity). */
static const struct transform_case cases[] = {
    /* Rason/Najin, UTM 52N */
    {"EPSG:32652", {606000.0, 0.5, 0.0, 4679000.0, 0.0, -0.5}, 0, 0, 130.2850740516, 42.2560029732},
    {"EPSG:32652", {606000.0, 0.5, 0.0, 4679000.0, 0.0, -0.5}, 1000.5, 2000.25, 130.2909535885, 42.2469297617},
    {"EPSG:32652", {606000.0, 0.5, 0.0, 4679000.0, 0.0, -0.5}, 4000, 3000, 130.3090353298, 42.2422228884},
    /* Dunai, UTM 53N */
    {"EPSG:32653", {281000.0, 0.3, 0.0, 4752000.0, 0.0, -0.3}, 0, 0, 132.3180467716, 42.8891957443},
    {"EPSG:32653", {281000.0, 0.3, 0.0, 4752000.0, 0.0, -0.3}, 2500, 1500.5, 132.3273967095, 42.8853611583},
    {"EPSG:32653", {281000.0, 0.3, 0.0, 4752000.0, 0.0, -0.3}, 6000, 7000, 132.3408788404, 42.8708191538},
    /* Web Mercator */
    {"EPSG:3857", {14505000.0, 0.6, 0.0, 5197000.0, 0.0, -0.6}, 0, 0, 130.3006319615, 42.2400109545},
    {"EPSG:3857", {14505000.0, 0.6, 0.0, 5197000.0, 0.0, -0.6}, 512, 256, 130.3033915861, 42.2389894224},
    {"EPSG:3857", {14505000.0, 0.6, 0.0, 5197000.0, 0.0, -0.6}, 3000, 2000, 130.3168016367, 42.2320297952},
    /* Geographic: axis order must come out lon, lat although EPSG:4326 is lat, lon */
    {"EPSG:4326", {130.29, 1e-05, 0.0, 42.25, 0.0, -1e-05}, 0, 0, 130.29, 42.25},
    {"EPSG:4326", {130.29, 1e-05, 0.0, 42.25, 0.0, -1e-05}, 123.5, 456.5, 130.291235, 42.245435},
    {"EPSG:4326", {130.29, 1e-05, 0.0, 42.25, 0.0, -1e-05}, 1000, 1000, 130.30, 42.24},
};

/* Rotated (30 degrees) and south-up geotransforms in UTM 52N:
 * a VRT with that <GeoTransform> and <SRS>EPSG:32652</SRS>, then
 * `printf '0 0\n1000.5 2000.25\n4000 3000\n' | gdaltransform -t_srs EPSG:4326 -output_xy F.vrt` */
#define ROT_A 0.43301270189221935 /* 0.5 cos 30 */
#define ROT_B 0.24999999999999997 /* 0.5 sin 30 */
static const struct transform_case oblique_cases[] = {
    {"EPSG:32652", {606000.0, ROT_A, ROT_B, 4679000.0, ROT_B, -ROT_A}, 0, 0, 130.285074051623, 42.2560029731671},
    {"EPSG:32652", {606000.0, ROT_A, ROT_B, 4679000.0, ROT_B, -ROT_A}, 1000.5, 2000.25, 130.296272268278, 42.250329136999},
    {"EPSG:32652", {606000.0, ROT_A, ROT_B, 4679000.0, ROT_B, -ROT_A}, 4000, 3000, 130.315101251845, 42.2529694055404},
    {"EPSG:32652", {606000.0, 0.5, 0.0, 4677000.0, 0.0, 0.5}, 0, 0, 130.284708555418, 42.2379949541512},
    {"EPSG:32652", {606000.0, 0.5, 0.0, 4677000.0, 0.0, 0.5}, 1000.5, 2000.25, 130.290953634393, 42.2469320127163},
    {"EPSG:32652", {606000.0, 0.5, 0.0, 4677000.0, 0.0, 0.5}, 4000, 3000, 130.309221522717, 42.2512268119165},
};

static void check_case(const struct transform_case *c)
{
    struct diag *dg = diag_new();
    struct geo_ref *g = geo_ref_new(c->gt, c->crs, "test", dg);
    assert_non_null(g);
    assert_true(geo_ref_has_crs(g));
    double lon, lat;
    assert_true(geo_pixel_to_lonlat(g, c->px, c->py, &lon, &lat, dg));
    if (fabs(lon - c->lon) > DEG_TOL || fabs(lat - c->lat) > DEG_TOL)
        fail_msg("%s pixel (%g, %g): got %.10f, %.10f, want %.10f, %.10f", c->crs, c->px, c->py,
                 lon, lat, c->lon, c->lat);
    /* Round trip back to the pixel, and from the expected lon/lat too. */
    double px, py;
    assert_true(geo_lonlat_to_pixel(g, lon, lat, &px, &py, dg));
    /* 1 mm on the ground, in pixels (a degree of latitude is ~111 km). */
    double pixel_m = hypot(c->gt[1], c->gt[4]);
    if (strcmp(c->crs, "EPSG:4326") == 0)
        pixel_m *= 111000.0;
    double tol_px = 1e-3 / pixel_m;
    assert_true(fabs(px - c->px) < tol_px);
    assert_true(fabs(py - c->py) < tol_px);
    assert_false(diag_failed(dg));
    geo_ref_free(g);
    diag_free(dg);
}

static void test_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        check_case(&cases[i]);
}

static void test_rotated_and_south_up(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof oblique_cases / sizeof oblique_cases[0]; i++)
        check_case(&oblique_cases[i]);
}

static void test_batch_matches_single(void **state)
{
    (void)state;
    const struct transform_case *c = &cases[0];
    struct geo_ref *g = geo_ref_new(c->gt, c->crs, "test", NULL);
    assert_non_null(g);
    double px[3] = {cases[0].px, cases[1].px, cases[2].px};
    double py[3] = {cases[0].py, cases[1].py, cases[2].py};
    double lon[3], lat[3];
    size_t failed = 99;
    assert_true(geo_pixels_to_lonlat(g, 3, px, py, lon, lat, &failed, NULL));
    assert_int_equal(failed, 0);
    for (int i = 0; i < 3; i++) {
        assert_true(fabs(lon[i] - cases[i].lon) < DEG_TOL);
        assert_true(fabs(lat[i] - cases[i].lat) < DEG_TOL);
    }
    /* In place (out aliases in) and an invalid latitude counted as failed. */
    lat[1] = 95.0;
    assert_true(geo_lonlats_to_pixels(g, 3, lon, lat, lon, lat, &failed, NULL));
    assert_int_equal(failed, 1);
    assert_true(isnan(lon[1]) && isnan(lat[1]));
    assert_true(fabs(lon[2] - px[2]) < ROUND_TRIP_PX_TOL && fabs(lat[2] - py[2]) < ROUND_TRIP_PX_TOL);
    geo_ref_free(g);
}

/* A clone (for another thread) gives the same answers as its original,
 * bit for bit, and outlives it; a clone of a pixel-space geo_ref stays one. */
static void test_clone_same_answers(void **state)
{
    (void)state;
    for (size_t k = 0; k < 3; k++) {
        const struct transform_case *c = &cases[k];
        struct geo_ref *g = geo_ref_new(c->gt, c->crs, "test", NULL);
        assert_non_null(g);
        struct geo_ref *copy = geo_ref_clone(g, NULL);
        assert_non_null(copy);
        double lon[2], lat[2];
        assert_true(geo_pixel_to_lonlat(g, c->px, c->py, &lon[0], &lat[0], NULL));
        geo_ref_free(g); /* the copy owns its own PROJ objects */
        assert_true(geo_pixel_to_lonlat(copy, c->px, c->py, &lon[1], &lat[1], NULL));
        assert_true(lon[0] == lon[1] && lat[0] == lat[1]);
        double px, py;
        assert_true(geo_lonlat_to_pixel(copy, lon[1], lat[1], &px, &py, NULL));
        assert_true(fabs(px - c->px) < ROUND_TRIP_PX_TOL && fabs(py - c->py) < ROUND_TRIP_PX_TOL);
        geo_ref_free(copy);
    }
    const double gt[6] = {100.0, 2.0, 0.0, 300.0, 0.0, -2.0};
    struct geo_ref *plain = geo_ref_new(gt, NULL, "nocrs.tif", NULL);
    struct geo_ref *copy = geo_ref_clone(plain, NULL);
    assert_non_null(copy);
    assert_false(geo_ref_has_crs(copy));
    double x, y;
    geo_pixel_to_crs(copy, 10.5, 20.25, &x, &y);
    assert_true(fabs(x - 121.0) < 1e-12 && fabs(y - 259.5) < 1e-12);
    geo_ref_free(plain);
    geo_ref_free(copy);
}

static void test_no_crs_pixel_only(void **state)
{
    (void)state;
    const double gt[6] = {100.0, 2.0, 0.0, 300.0, 0.0, -2.0};
    struct diag *dg = diag_new();
    struct geo_ref *g = geo_ref_new(gt, NULL, "nocrs.tif", dg);
    assert_non_null(g);
    assert_false(geo_ref_has_crs(g));
    double x, y, px, py;
    geo_pixel_to_crs(g, 10.5, 20.25, &x, &y);
    assert_true(fabs(x - 121.0) < 1e-12 && fabs(y - 259.5) < 1e-12);
    geo_crs_to_pixel(g, x, y, &px, &py);
    assert_true(fabs(px - 10.5) < 1e-12 && fabs(py - 20.25) < 1e-12);
    double lon, lat;
    assert_false(geo_pixel_to_lonlat(g, 0, 0, &lon, &lat, dg));
    assert_non_null(strstr(diag_message(dg), "nocrs.tif"));
    assert_non_null(strstr(diag_message(dg), "no CRS"));
    geo_ref_free(g);
    diag_free(dg);
}

static void test_bad_inputs(void **state)
{
    (void)state;
    const double zero[6] = {0, 0, 0, 0, 0, 0};
    struct diag *dg = diag_new();
    assert_null(geo_ref_new(zero, "EPSG:4326", "flat.tif", dg));
    assert_non_null(strstr(diag_message(dg), "flat.tif"));
    diag_reset(dg);
    const double gt[6] = {0, 1, 0, 0, 0, -1};
    assert_null(geo_ref_new(gt, "EPSG:999999", "weird.tif", dg));
    assert_non_null(strstr(diag_message(dg), "weird.tif"));
    diag_free(dg);
}

static void test_bounds_utm(void **state)
{
    (void)state;
    const struct transform_case *c = &cases[0];
    struct geo_ref *g = geo_ref_new(c->gt, c->crs, "test", NULL);
    struct geo_bounds b;
    assert_true(geo_bounds_lonlat(g, 4000, 3000, &b, NULL));
    /* The corners (0,0) and (4000,3000) are table rows; a UTM rectangle's
     * lon/lat bounds enclose them. */
    assert_true(b.west <= cases[0].lon + 1e-9 && b.north >= cases[0].lat - 1e-9);
    assert_true(b.east >= cases[2].lon - 1e-9 && b.south <= cases[2].lat + 1e-9);
    assert_true(b.east - b.west < 0.03 && b.north - b.south < 0.02);
    struct geo_bounds bc;
    geo_bounds_crs(g, 4000, 3000, &bc);
    assert_true(bc.west == 606000.0 && bc.east == 608000.0);
    assert_true(bc.north == 4679000.0 && bc.south == 4677500.0);
    geo_ref_free(g);
}

static void test_bounds_outside_domain(void **state)
{
    (void)state;
    /* A geostationary view whose corners are off the Earth's disc: the
     * bounds come from the valid points only, never NaN. */
    const double gt[6] = {-5434895.0, 20054.0, 0, 5434895.0, 0, -20054.0};
    struct geo_ref *g = geo_ref_new(gt, "+proj=geos +h=35786023 +lon_0=-75 +sweep=x +ellps=GRS80 +type=crs",
                                    "goes", NULL);
    assert_non_null(g);
    struct geo_bounds b;
    assert_true(geo_bounds_lonlat(g, 542, 542, &b, NULL));
    assert_true(isfinite(b.west) && isfinite(b.east) && isfinite(b.south) && isfinite(b.north));
    assert_true(b.west > -180.0 && b.east < 180.0 && b.west < -75.0 && b.east > -75.0);
    assert_true(b.south > -90.0 && b.north < 90.0);
    /* The visible disc reaches arccos(R / (R + h)) = 81.3 degrees from the
     * sub-satellite point (-75, 0): bisection finds the limb between samples. */
    assert_true(b.north > 80.5 && b.north < 81.5 && b.south < -80.5 && b.south > -81.5);
    assert_true(b.west < -155.5 && b.west > -157.0 && b.east > 5.5 && b.east < 7.0);
    double lon, lat;
    struct diag *dg = diag_new();
    assert_false(geo_pixel_to_lonlat(g, 0, 0, &lon, &lat, dg)); /* corner: off the disc */
    assert_true(diag_failed(dg));
    diag_free(dg);
    /* Entirely off the disc: no bounds, an error. */
    const double far[6] = {-9e6, 100.0, 0, 9e6, 0, -100.0};
    struct geo_ref *g2 = geo_ref_new(far, "+proj=geos +h=35786023 +lon_0=-75 +sweep=x +ellps=GRS80 +type=crs",
                                     "space", NULL);
    assert_non_null(g2);
    assert_false(geo_bounds_lonlat(g2, 10, 10, &b, NULL));
    geo_ref_free(g2);
    geo_ref_free(g);
}

static void test_bounds_antimeridian(void **state)
{
    (void)state;
    /* 170E..170W in EPSG:4326 written with x from 170 to 190. */
    const double gt[6] = {170.0, 0.1, 0, 10.0, 0, -0.1};
    struct geo_ref *g = geo_ref_new(gt, "EPSG:4326", "am", NULL);
    struct geo_bounds b;
    assert_true(geo_bounds_lonlat(g, 200, 100, &b, NULL));
    assert_true(fabs(b.west - 170.0) < 1e-9 && fabs(b.east - -170.0) < 1e-9);
    assert_true(b.west > b.east);
    geo_ref_free(g);
    const double world[6] = {-180.0, 0.125, 0, 75.0, 0, -0.125};
    g = geo_ref_new(world, "EPSG:4326", "world", NULL);
    assert_true(geo_bounds_lonlat(g, 2880, 1200, &b, NULL));
    assert_true(b.west == -180.0 && b.east == 180.0 && fabs(b.south + 75.0) < 1e-9);
    geo_ref_free(g);
}

/* `echo "LAT1 LON1 LAT2 LON2" | geod +ellps=WGS84 -I -f %.9f` prints
 * azi1, back azimuth, distance (m). */
static void test_geodesic_inverse(void **state)
{
    (void)state;
    static const struct {
        double lon1, lat1, lon2, lat2, azi1, dist;
    } g[] = {
        {130.30, 42.245, 132.34, 42.88, 66.477420637, 181757.754}, /* Rason -> Dunai */
        {0, 0, 1, 0, 90.000000000, 111319.491},
        {151.2, -33.9, -0.1, 51.5, -40.786280424, 16990083.880},
    };
    for (size_t i = 0; i < sizeof g / sizeof g[0]; i++) {
        double d, a1, a2;
        geo_inverse(g[i].lon1, g[i].lat1, g[i].lon2, g[i].lat2, &d, &a1, &a2);
        assert_true(fabs(d - g[i].dist) < 1e-3);
        assert_true(fabs(a1 - g[i].azi1) < 1e-8);
        assert_true(fabs(geo_distance_m(g[i].lon1, g[i].lat1, g[i].lon2, g[i].lat2) - d) < 1e-9);
    }
    /* `echo "42.245 130.30 45 1000" | geod +ellps=WGS84 -f %.10f` */
    double lon, lat;
    geo_direct(130.30, 42.245, 45.0, 1000.0, &lon, &lat);
    assert_true(fabs(lon - 130.3085685094) < 1e-9 && fabs(lat - 42.2513655320) < 1e-9);
}

/* Area of the ellipsoidal quadrilateral between the equator and latitude
 * phi spanning dlon degrees, from the closed formula for the authalic
 * zone area: independent of the geodesic polygon code. */
static double zone_area(double phi_deg, double dlon_deg)
{
    const double a = 6378137.0, f = 1.0 / 298.257223563;
    const double e2 = f * (2 - f), e = sqrt(e2), b2 = a * a * (1 - e2);
    double s = sin(phi_deg * TEST_PI / 180.0);
    double q = s / (1 - e2 * s * s) + 1 / (2 * e) * log((1 + e * s) / (1 - e * s));
    return dlon_deg * TEST_PI / 180.0 * b2 / 2 * q;
}

static void test_polygon_area(void **state)
{
    (void)state;
    /* Edges along meridians and the equator are geodesics, so the geodesic
     * polygon equals the zone; the 1-degree parallel is not a geodesic, so
     * use a thin box where the difference is negligible. */
    double lon[] = {0, 0.01, 0.01, 0, 0};
    double lat[] = {0, 0, 0.01, 0.01, 0};
    double perim;
    double area = geo_polygon_area_m2(5, lon, lat, &perim);
    double want = zone_area(0.01, 0.01);
    assert_true(fabs(area - want) / want < 1e-6);
    assert_true(perim > 4 * 1105.0 && perim < 4 * 1115.0);
    /* Winding does not matter, closing vertex optional. */
    double rlon[] = {0, 0, 0.01, 0.01}, rlat[] = {0, 0.01, 0.01, 0};
    assert_true(fabs(geo_polygon_area_m2(4, rlon, rlat, NULL) - area) < 1e-6 * area);
    assert_true(geo_polygon_area_m2(2, rlon, rlat, NULL) == 0.0);
}

static void test_ground_resolution(void **state)
{
    (void)state;
    struct geo_ref *g = geo_ref_new(cases[0].gt, cases[0].crs, "test", NULL);
    double rx, ry;
    assert_true(geo_ground_resolution(g, 4000, 3000, &rx, &ry, NULL));
    /* UTM scale factor at 1.3 degrees from the central meridian is ~0.99975
     * (`proj -V +proj=utm +zone=52` prints the scale): 0.5 m grid -> ~0.5001 m. */
    assert_true(fabs(rx - 0.5 / 0.99974) < 2e-4 && fabs(ry - 0.5 / 0.99974) < 2e-4);
    geo_ref_free(g);
    const double geog[6] = {130.29, 1e-05, 0.0, 42.25, 0.0, -1e-05};
    g = geo_ref_new(geog, "EPSG:4326", "test", NULL);
    assert_true(geo_ground_resolution(g, 1000, 1000, &rx, &ry, NULL));
    /* 1e-5 degree of longitude shrinks with cos(lat); latitude does not. */
    assert_true(rx < ry && fabs(rx / ry - cos(42.245 * TEST_PI / 180.0)) < 0.01);
    geo_ref_free(g);
}

/* Meridian convergence from `echo "130.30 42.245" | proj -V +proj=utm +zone=52 +ellps=WGS84`
 * ("Convergence : 0d52'26.674" [ 0.87407598 ]") and for 132.34E 42.88N in zone 53
 * ([ -1.81074329 ]). Grid north is rotated clockwise from true north by the
 * convergence, so true north sits that much anticlockwise from "up". */
static void test_true_north(void **state)
{
    (void)state;
    const double utm52[6] = {607249.836632 - 500, 1.0, 0, 4677796.948273 + 500, 0, -1.0};
    struct geo_ref *g = geo_ref_new(utm52, "EPSG:32652", "utm52", NULL);
    double angle;
    assert_true(geo_true_north_deg(g, 500, 500, &angle, NULL));
    assert_true(fabs(angle - -0.87407598) < 1e-3);
    geo_ref_free(g);
    const double utm53[6] = {282760.441554 - 500, 1.0, 0, 4750921.846817 + 500, 0, -1.0};
    g = geo_ref_new(utm53, "EPSG:32653", "utm53", NULL);
    assert_true(geo_true_north_deg(g, 500, 500, &angle, NULL));
    assert_true(fabs(angle - 1.81074329) < 1e-3);
    geo_ref_free(g);
    /* South-up: north points down; rotated by 30 degrees: north turns with it. */
    g = geo_ref_new(oblique_cases[3].gt, "EPSG:32652", "south-up", NULL);
    assert_true(geo_true_north_deg(g, 100, 100, &angle, NULL));
    assert_true(fabs(fabs(angle) - (180.0 - 0.874)) < 0.01);
    geo_ref_free(g);
    g = geo_ref_new(oblique_cases[0].gt, "EPSG:32652", "rotated", NULL);
    assert_true(geo_true_north_deg(g, 100, 100, &angle, NULL));
    /* True north = grid north (the CRS +y axis, seen in pixel space) turned
     * anticlockwise by the convergence. */
    double px0, py0, px1, py1;
    geo_crs_to_pixel(g, 606000.0, 4679000.0, &px0, &py0);
    geo_crs_to_pixel(g, 606000.0, 4679001.0, &px1, &py1);
    double grid_north = atan2(px1 - px0, -(py1 - py0)) * 180.0 / TEST_PI;
    assert_true(fabs(angle - (grid_north - 0.874)) < 0.01);
    assert_true(fabs(grid_north) > 10.0);
    geo_ref_free(g);
    /* EPSG:4326 image: north is straight up. */
    g = geo_ref_new(cases[9].gt, "EPSG:4326", "geog", NULL);
    assert_true(geo_true_north_deg(g, 10, 10, &angle, NULL));
    assert_true(fabs(angle) < 1e-6);
    geo_ref_free(g);
}

/* From an open raster: L7_ETMs.tif (EPSG:31985) gets lon/lat; a file
 * georeferenced only by RPC is seen through its RPC view (lon/lat of its
 * corner as `gdalwarp -rpc` puts it), or, opened as stored, gets a
 * pixel-space geo_ref without CRS. The L7
 * upper-left corner comes from `gdalinfo -json tests/data/L7_ETMs.tif`
 * (wgs84Extent, 7 decimals: -34.9161655, -7.9498221). */
static void test_from_raster(void **state)
{
    (void)state;
    struct raster *r = raster_open(SATMARK_TEST_DATA "/L7_ETMs.tif", NULL, NULL);
    assert_non_null(r);
    struct geo_ref *g = geo_ref_from_raster(r, NULL);
    assert_non_null(g);
    assert_true(geo_ref_has_crs(g) && geo_ref_has_geotransform(g));
    double lon, lat;
    assert_true(geo_pixel_to_lonlat(g, 0, 0, &lon, &lat, NULL));
    assert_true(fabs(lon - -34.9161655) < 1e-7 && fabs(lat - -7.9498221) < 1e-7);
    geo_ref_free(g);
    raster_close(r);
    /* An RPC image is seen through its north-up view (georef.h)... */
    r = raster_open(SATMARK_TEST_DATA "/gdal_byte_rpc.tif", NULL, NULL);
    assert_non_null(r);
    g = geo_ref_from_raster(r, NULL);
    assert_non_null(g);
    assert_true(geo_ref_has_crs(g) && geo_ref_has_geotransform(g));
    assert_true(geo_pixel_to_lonlat(g, 0, 0, &lon, &lat, NULL));
    assert_true(fabs(lon - 147.1752) < 1e-3 && fabs(lat - -42.7888) < 1e-3);
    geo_ref_free(g);
    raster_close(r);
    /* ...and as stored, in pixel space, when asked. */
    struct raster_open_options as_stored;
    raster_open_options_init(&as_stored);
    as_stored.georef_method = "none";
    r = raster_open(SATMARK_TEST_DATA "/gdal_byte_rpc.tif", &as_stored, NULL);
    assert_non_null(r);
    g = geo_ref_from_raster(r, NULL);
    assert_non_null(g);
    assert_false(geo_ref_has_crs(g) || geo_ref_has_geotransform(g));
    double x, y;
    geo_pixel_to_crs(g, 3.5, 4.5, &x, &y);
    assert_true(x == 3.5 && y == 4.5);
    geo_ref_free(g);
    raster_close(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_rotated_and_south_up),
        cmocka_unit_test(test_batch_matches_single),
        cmocka_unit_test(test_clone_same_answers),
        cmocka_unit_test(test_no_crs_pixel_only),
        cmocka_unit_test(test_bad_inputs),
        cmocka_unit_test(test_bounds_utm),
        cmocka_unit_test(test_bounds_outside_domain),
        cmocka_unit_test(test_bounds_antimeridian),
        cmocka_unit_test(test_geodesic_inverse),
        cmocka_unit_test(test_polygon_area),
        cmocka_unit_test(test_ground_resolution),
        cmocka_unit_test(test_true_north),
        cmocka_unit_test(test_from_raster),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
