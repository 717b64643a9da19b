/* Unit tests of style: the shipped assets/style.json equals the compiled-in
 * palette, every class is present in legend order, bad files fail naming the
 * file and the entry, legends list only the classes in use. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "annot.h"
#include "style.h"
#include "settings.h"

static const char *shipped = SATMARK_SOURCE_DIR "/assets/style.json";

static void shipped_file_matches_default(void **state)
{
    (void)state;
    struct diag *dg = diag_new();
    struct style *file = NULL;
    if (!style_load(shipped, &file, dg))
        fail_msg("%s", diag_message(dg));
    struct style *def = style_default();
    for (int c = 0; c < ANNOT_CLASS_COUNT; c++) {
        const struct style_class *a = style_for_class(file, (enum annot_class)c);
        const struct style_class *b = style_for_class(def, (enum annot_class)c);
        assert_int_equal(a->cls, c);
        assert_string_equal(a->name, annot_class_name((enum annot_class)c));
        assert_string_equal(a->name, b->name);
        assert_string_equal(a->title, b->title);
        assert_memory_equal(&a->colour, &b->colour, sizeof a->colour);
        assert_memory_equal(&a->label_colour, &b->label_colour, sizeof a->label_colour);
        assert_memory_equal(&a->halo_colour, &b->halo_colour, sizeof a->halo_colour);
        assert_true(a->fill_opacity == b->fill_opacity);
        assert_true(a->line_width == b->line_width);
        assert_true(a->symbol_size == b->symbol_size);
        assert_int_equal(a->symbol, b->symbol);
        assert_int_equal(a->ndash, b->ndash);
        for (size_t k = 0; k < a->ndash; k++)
            assert_true(a->dash[k] == b->dash[k]);
    }
    /* The palette the design asks for. */
    const struct style_class *pier = style_for_class(def, ANNOT_CLASS_PIER);
    assert_true(pier->colour.r == 0xff && pier->colour.g == 0xd4 && pier->colour.b == 0);
    assert_true(style_for_class(def, ANNOT_CLASS_RAIL)->ndash > 0);
    assert_true(style_for_class(def, ANNOT_CLASS_AOI)->ndash > 0);
    assert_true(style_for_class(def, ANNOT_CLASS_AOI)->fill_opacity < 0.15);
    assert_int_equal(style_for_class(def, (enum annot_class)99)->cls, ANNOT_CLASS_OTHER);
    assert_string_equal(style_symbol_name(STYLE_SYMBOL_TRIANGLE), "triangle");
    style_free(file);
    style_free(def);
    diag_free(dg);
}

static void write_file(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

/* The shipped file with one substitution applied. */
static char *shipped_with(const char *from, const char *to)
{
    FILE *fp = fopen(shipped, "rb");
    assert_non_null(fp);
    static char buf[16384];
    size_t n = fread(buf, 1, sizeof buf - 1, fp);
    buf[n] = '\0';
    fclose(fp);
    char *at = strstr(buf, from);
    assert_non_null(at);
    char *out = malloc(n + strlen(to) + 1);
    size_t head = (size_t)(at - buf);
    memcpy(out, buf, head);
    strcpy(out + head, to);
    strcat(out, at + strlen(from));
    return out;
}

static void bad_files_fail_clearly(void **state)
{
    (void)state;
    char path[] = "/tmp/satmark-style-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    struct diag *dg = diag_new();
    struct style *st = NULL;
    static const struct {
        const char *from, *to, *expect;
    } cases[] = {
        {"\"#ffd400\"", "\"yellow\"", "classes[0] (pier): missing or invalid colour"},
        {"\"name\": \"ship\"", "\"name\": \"boat\"", "classes[1]: expected class \"ship\""},
        {"\"dash\": [8, 4]", "\"dash\": [8]", "classes[4] (rail): missing or invalid dash"},
        {"\"symbol\": \"cross\"", "\"symbol\": \"star\"", "invalid symbol"},
        {"\"fill_opacity\": 0.08", "\"fill_opacity\": 2", "invalid fill_opacity"},
        {"\"satmark_style\": 1,", "", "not a satmark style file"},
        {"\"line_width\": 3,", "\"line_width\": 3,,", ":"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *text = shipped_with(cases[i].from, cases[i].to);
        write_file(path, text);
        free(text);
        diag_reset(dg);
        assert_false(style_load(path, &st, dg));
        assert_null(st);
        if (!strstr(diag_message(dg), cases[i].expect) || !strstr(diag_message(dg), path))
            fail_msg("case %zu: \"%s\" lacks \"%s\"", i, diag_message(dg), cases[i].expect);
    }
    unlink(path);
    diag_reset(dg);
    assert_false(style_load("/nonexistent/style.json", &st, dg));
    assert_non_null(strstr(diag_message(dg), "/nonexistent/style.json"));
    diag_free(dg);
}

static void legend_lists_used_classes_in_order(void **state)
{
    (void)state;
    struct style *st = style_default();
    struct annot_set *set = annot_set_new();
    struct diag *dg = diag_new();
    enum annot_class add_order[] = {ANNOT_CLASS_OTHER, ANNOT_CLASS_SHIP, ANNOT_CLASS_PIER,
                                    ANNOT_CLASS_SHIP};
    struct annot_lonlat p = {130.3, 42.2};
    for (size_t i = 0; i < 4; i++) {
        struct annot_feature f;
        annot_feature_init(&f);
        f.cls = add_order[i];
        assert_true(annot_geometry_from_points(&f.geom, ANNOT_GEOM_POINT, &p, 1, dg));
        assert_true(annot_add(set, &f, NULL, dg));
        annot_geometry_clear(&f.geom);
    }
    enum annot_class out[ANNOT_CLASS_COUNT];
    size_t n = style_legend(st, set, out, ANNOT_CLASS_COUNT);
    assert_int_equal(n, 3);
    assert_int_equal(out[0], ANNOT_CLASS_PIER);
    assert_int_equal(out[1], ANNOT_CLASS_SHIP);
    assert_int_equal(out[2], ANNOT_CLASS_OTHER);
    assert_int_equal(style_legend(st, NULL, out, ANNOT_CLASS_COUNT), ANNOT_CLASS_COUNT);
    assert_int_equal(style_legend(st, set, out, 2), 2);
    annot_set_free(set);
    style_free(st);
    diag_free(dg);
}

static void asset_lookup_honours_env(void **state)
{
    (void)state;
    struct diag *dg = diag_new();
    char path[4096];
    struct satmark_settings settings; /* as a front-end fills it from SATMARK_ASSETS */
    settings_init(&settings);
    settings.assets_dir = (char *)SATMARK_SOURCE_DIR "/assets";
    settings_install(&settings);
    assert_true(style_find_asset("style.json", path, sizeof path, dg));
    assert_string_equal(path, SATMARK_SOURCE_DIR "/assets/style.json");
    struct style *st = NULL;
    assert_true(style_load_default_file(&st, dg));
    style_free(st);
    settings.assets_dir = (char *)"/nonexistent-assets";
    assert_false(style_find_asset("style.json", path, sizeof path, dg));
    assert_non_null(strstr(diag_message(dg), "/nonexistent-assets/style.json"));
    settings_install(NULL);
    diag_free(dg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(shipped_file_matches_default),
        cmocka_unit_test(bad_files_fail_clearly),
        cmocka_unit_test(legend_lists_used_classes_in_order),
        cmocka_unit_test(asset_lookup_honours_env),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
