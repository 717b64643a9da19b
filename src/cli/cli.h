/*
 * cli — the `satmark` command: shared definitions for the subcommands.
 *
 * Each subcommand lives in src/cli/cmd_<name>.c and exports one
 * `const struct cli_command cli_cmd_<name>`; main.c dispatches on argv[1].
 * Exit codes: CLI_OK (0) done, CLI_FAILED (1) failed with a message on stderr
 * naming the file and the reason, CLI_USAGE (2) bad usage.
 * Subcommands are thin: they parse arguments and call the core.
 */
#ifndef SATMARK_CLI_H
#define SATMARK_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "annot.h"
#include "diag.h"

enum { CLI_OK = 0, CLI_FAILED = 1, CLI_USAGE = 2 };

struct cli_command {
    const char *name;
    const char *summary; /* one line for `satmark --help` */
    const char *usage;   /* full text for `satmark help NAME` */
    /* argv[0] is the subcommand name; returns an exit code. */
    int (*run)(int argc, char **argv);
};

/* Prints dg's warnings ("satmark: warning: ...") and, if it failed, its error
 * ("satmark: error: ...") to stderr. dg is borrowed. */
void cli_report(const struct diag *dg);
/* Prints "satmark NAME: MESSAGE" and a pointer to `satmark help NAME`; returns CLI_USAGE. */
int cli_usage_error(const char *command, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* True when argv[i] is -h or --help. */
bool cli_is_help(const char *arg);
/* The claims catalog for annot_path (borrowed; NULL: none) by the one rule of
 * locate_catalog (beside the annotation file, then the investigation root):
 * its path into out (cap bytes) and true when found. verbose prints where it
 * looked and what it used ("satmark: looked for the claims catalog in ...").
 * When none is found and `missing` is not NULL, warns on dg naming the places
 * tried and what follows (`missing`, e.g. "claim links are not checked"). */
bool cli_locate_catalog(const char *annot_path, bool verbose, const char *missing, char *out,
                        size_t cap, struct diag *dg);
/* s (borrowed; NULL = "") ready for the terminal: s itself when it holds no
 * control character, else a copy escaped by diag_escape (ESC -> \x1b, C1 ->
 * \u009b...). Every printer of text that comes from a file (ids, labels,
 * claim texts, image names, paths from a register or manifest) passes it
 * through here, so a file can never send escape sequences to a terminal.
 * The copy is owned by the CLI and valid until CLI_SAFE_SLOTS later calls
 * (enough for one printf). JSON text goes through cli_put_json instead. */
#define CLI_SAFE_SLOTS 16
const char *cli_safe(const char *s);
/* Frees set (owned; NULL accepted) when the command is done with it and is
 * about to exit, in the sanitizer build only. Otherwise the set is left to
 * the kernel, which takes a process's memory back in one go: the free() of
 * a detector's million marks (eight blocks each) is ~150-200 ms, a tenth
 * of `validate` and `claims` on them. main() already skips the libraries'
 * teardown for the same reason; the sanitizer build keeps both, so its
 * leak check still covers every path. */
void cli_free_set_at_exit(struct annot_set *set);
/* Prints JSON text (borrowed; as json_dumps wrote it) and a newline to stdout.
 * jansson escapes C0 controls in strings but writes DEL and the C1 controls
 * (U+0080..U+009F, which terminals obey) raw: those are written as \u00XX,
 * which is the same JSON. */
void cli_put_json(const char *text);
/* An option whose value is kept as given (borrowed from argv). */
struct cli_text_option {
    const char *name;   /* "--title" */
    const char **field; /* where the value goes */
};
/* The field of the option named arg among opts[0..n) (borrowed), or NULL. */
const char **cli_text_option(const struct cli_text_option *opts, size_t n, const char *arg);
/* Prints a command's usage to out. */
void cli_print_usage(const struct cli_command *cmd, FILE *out);

extern const struct cli_command cli_cmd_info;
extern const struct cli_command cli_cmd_mark;
extern const struct cli_command cli_cmd_validate;
extern const struct cli_command cli_cmd_export;
extern const struct cli_command cli_cmd_claims;
extern const struct cli_command cli_cmd_catalog;
extern const struct cli_command cli_cmd_render;
extern const struct cli_command cli_cmd_batch;
extern const struct cli_command cli_cmd_view;
extern const struct cli_command cli_cmd_georef;
extern const struct cli_command cli_cmd_fetch;
extern const struct cli_command cli_cmd_imagery;

#endif
