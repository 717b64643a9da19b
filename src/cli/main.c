/*
 * main — entry point of the `satmark` command: global options (--help,
 * --version), `satmark help COMMAND`, and dispatch to the subcommands.
 * The table below is the one place that lists them.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "locate.h"
#include "settings.h"

static const struct cli_command *const commands[] = {
    &cli_cmd_info,
    &cli_cmd_view,
    &cli_cmd_mark,
    &cli_cmd_validate,
    &cli_cmd_render,
    &cli_cmd_batch,
    &cli_cmd_export,
    &cli_cmd_claims,
    &cli_cmd_catalog,
    &cli_cmd_georef,
    &cli_cmd_fetch,
    &cli_cmd_imagery,
};

static const size_t command_count = sizeof commands / sizeof commands[0];

static const struct cli_command *find_command(const char *name)
{
    for (size_t i = 0; i < command_count; i++)
        if (strcmp(commands[i]->name, name) == 0)
            return commands[i];
    return NULL;
}

static void print_main_help(FILE *out)
{
    fprintf(out,
            "satmark %s: mark satellite imagery as evidence for published claims\n\n"
            "usage: satmark COMMAND [ARGS...]\n"
            "       satmark help COMMAND\n"
            "       satmark --version\n\ncommands:\n",
            SATMARK_VERSION);
    for (size_t i = 0; i < command_count; i++)
        fprintf(out, "  %-10s %s\n", commands[i]->name, commands[i]->summary);
    fprintf(out, "\nexit status: 0 done, 1 failed (the message names the file and the "
                 "reason), 2 bad usage\n");
}

void cli_report(const struct diag *dg)
{
    for (size_t i = 0; i < diag_warning_count(dg); i++)
        fprintf(stderr, "satmark: warning: %s\n", diag_warning(dg, i));
    if (diag_failed(dg))
        fprintf(stderr, "satmark: error: %s\n", diag_message(dg));
}

bool cli_locate_catalog(const char *annot_path, bool verbose, const char *missing, char *out,
                        size_t cap, struct diag *dg)
{
    static struct locate_result found; /* large; the CLI is single-threaded */
    bool ok = locate_catalog(annot_path, &found);
    char said[2 * LOCATE_PATH_MAX];
    locate_describe(&found, "the claims catalog", said, sizeof said);
    if (verbose)
        fprintf(stderr, "satmark: %s\n", cli_safe(said));
    if (!ok && missing)
        diag_warn(dg, "no claims catalog (%s; use --claims FILE): %s", said, missing);
    if (ok && (size_t)snprintf(out, cap, "%s", found.path) >= cap)
        ok = false;
    return ok;
}

const char *cli_safe(const char *s)
{
    static char *slots[CLI_SAFE_SLOTS]; /* the CLI is single-threaded */
    static size_t next;
    if (!s)
        return "";
    if (!diag_has_control(s))
        return s;
    char *escaped = diag_escape(s);
    if (!escaped)
        return "(text with control characters)";
    free(slots[next]);
    slots[next] = escaped;
    next = (next + 1) % CLI_SAFE_SLOTS;
    return escaped;
}

void cli_put_json(const char *text)
{
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
            printf("\\u%04x", *++p);
        else if (*p == 0x7f || (*p < 0x20 && *p != '\n' && *p != '\t'))
            printf("\\u%04x", *p);
        else
            putchar(*p);
    }
    putchar('\n');
}

int cli_usage_error(const char *command, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "satmark %s: ", command);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n(see `satmark help %s`)\n", command);
    return CLI_USAGE;
}

void cli_free_set_at_exit(struct annot_set *set)
{
#ifdef SATMARK_SANITIZED_BUILD
    annot_set_free(set);
#else
    (void)set; /* see cli.h: the kernel takes it back at exit */
#endif
}

bool cli_is_help(const char *arg)
{
    return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
}

const char **cli_text_option(const struct cli_text_option *opts, size_t n, const char *arg)
{
    for (size_t k = 0; k < n; k++)
        if (strcmp(arg, opts[k].name) == 0)
            return opts[k].field;
    return NULL;
}

void cli_print_usage(const struct cli_command *cmd, FILE *out)
{
    fprintf(out, "%s", cmd->usage);
}

int main(int argc, char **argv)
{
    /* the environment is read here, once, and nowhere in the core; the
     * settings live as long as the process (static: no teardown race with a
     * thread still reading them) */
    static struct satmark_settings settings;
    if (!settings_from_env(&settings)) {
        fprintf(stderr, "satmark: error: out of memory\n");
        return CLI_FAILED;
    }
    settings_install(&settings);
    if (argc < 2) {
        print_main_help(stderr);
        return CLI_USAGE;
    }
    const char *name = argv[1];
    if (cli_is_help(name)) {
        print_main_help(stdout);
        return CLI_OK;
    }
    if (strcmp(name, "--version") == 0 || strcmp(name, "-V") == 0) {
        printf("satmark %s\n", SATMARK_VERSION);
        return CLI_OK;
    }
    if (strcmp(name, "help") == 0) {
        if (argc < 3) {
            print_main_help(stdout);
            return CLI_OK;
        }
        const struct cli_command *cmd = find_command(argv[2]);
        if (!cmd) {
            fprintf(stderr, "satmark: unknown command '%s'\n", argv[2]);
            return CLI_USAGE;
        }
        cli_print_usage(cmd, stdout);
        return CLI_OK;
    }
    const struct cli_command *cmd = find_command(name);
    if (!cmd) {
        fprintf(stderr, "satmark: unknown command '%s' (see `satmark --help`)\n", name);
        return CLI_USAGE;
    }
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            break;
        if (cli_is_help(argv[i])) {
            cli_print_usage(cmd, stdout);
            return CLI_OK;
        }
    }
    int rc = cmd->run(argc - 1, argv + 1);
#ifndef SATMARK_SANITIZED_BUILD
    /* Every command has closed and renamed its files by now; what is left is
     * the teardown of ~110 libraries GDAL loads (C++ destructors, caches),
     * about 10 ms a run. The sanitizer build keeps it for its leak check. */
    fflush(NULL);
    _exit(rc);
#else
    return rc;
#endif
}
