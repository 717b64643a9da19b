/*
 * evidence — evidence status, observations weighed against the imagery
 * register, and source lineage (see evidence.h; the rules and their
 * precedence are in docs/claims-checks.md, "Evidence status").
 *
 * The links and counting checks come from claims_evaluate; this module adds
 * what they do not know: which image each observation rests on (registered by
 * SHA-256 or file name, synthetic or real, and its date), whether that date
 * lies in the claim's window, the discrepancies that contest the claim, and
 * the lineage of its sources. Reasons are built in a fixed buffer and copied
 * once, so a report owns exactly one string per reason.
 */
#include "evidence.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "annot.h"
#include "imagery.h"

#define REASON_MAX 1024

static const char *const status_names[] = {"supported",      "contradicted", "contested",
                                           "not_observable", "no_evidence",  "illustrative"};
static const char *const check_names[] = {"consistent", "inconsistent", "undetermined",
                                          "illustrative"};
static const char *const match_names[] = {"sha256", "file", "none", "changed"};

const char *evidence_status_name(enum evidence_status s)
{
    return (unsigned)s < EVIDENCE_STATUS_COUNT ? status_names[s] : "?";
}
const char *evidence_check_name(enum evidence_check c)
{
    return (unsigned)c < EVIDENCE_CHECK_COUNT ? check_names[c] : "?";
}
const char *evidence_match_name(enum evidence_match m)
{
    return (unsigned)m <= EVIDENCE_MATCH_CHANGED ? match_names[m] : "?";
}

/* ---- lineage -------------------------------------------------------------- */

static size_t source_index(const struct claims_catalog *cat, const struct claims_source *s)
{
    return (size_t)(s - claims_source_at(cat, 0));
}

size_t evidence_origins(const struct claims_catalog *cat, const struct claims_claim *claim,
                        const struct claims_source **out, size_t cap)
{
    size_t n = claims_source_count(cat), found = 0;
    if (!claim || n == 0)
        return 0;
    /* Breadth-first over derived_from; seen marks each source once, so a
     * source reached along two paths is one origin. The catalog reader
     * guarantees every id resolves and there is no cycle. */
    unsigned char *seen = calloc(n, 1);
    size_t *queue = calloc(n, sizeof *queue);
    if (!seen || !queue) {
        free(seen);
        free(queue);
        return 0;
    }
    size_t head = 0, tail = 0;
    for (size_t k = 0; k < claim->nsources; k++) {
        const struct claims_source *s = claims_find_source(cat, claim->source_ids[k]);
        if (s && !seen[source_index(cat, s)]) {
            seen[source_index(cat, s)] = 1;
            queue[tail++] = source_index(cat, s);
        }
    }
    while (head < tail) {
        const struct claims_source *s = claims_source_at(cat, queue[head++]);
        if (s->nderived_from == 0) {
            if (found < cap)
                out[found] = s;
            found++;
            continue;
        }
        for (size_t k = 0; k < s->nderived_from; k++) {
            const struct claims_source *up = claims_find_source(cat, s->derived_from[k]);
            if (up && !seen[source_index(cat, up)]) {
                seen[source_index(cat, up)] = 1;
                queue[tail++] = source_index(cat, up);
            }
        }
    }
    free(seen);
    free(queue);
    return found;
}

size_t evidence_independent_origins(const struct claims_catalog *cat,
                                    const struct claims_claim *claim)
{
    return evidence_origins(cat, claim, NULL, 0);
}

size_t evidence_outlet_count(const struct claims_catalog *cat, const struct claims_claim *claim)
{
    size_t count = 0;
    for (size_t k = 0; claim && k < claim->nsources; k++) {
        const struct claims_source *s = claims_find_source(cat, claim->source_ids[k]);
        if (!s)
            continue;
        bool repeat = false;
        for (size_t j = 0; j < k && !repeat; j++) {
            const struct claims_source *t = claims_find_source(cat, claim->source_ids[j]);
            repeat = t && strcmp(t->outlet, s->outlet) == 0;
        }
        count += !repeat;
    }
    return count;
}

/* ---- imagery -------------------------------------------------------------- */

/* The date part of an ISO 8601 date or time; false when there is none. */
static bool date_of(const char *iso, char out[CLAIMS_DATE_LEN + 1])
{
    out[0] = '\0';
    if (!iso || strlen(iso) < CLAIMS_DATE_LEN ||
        (iso[CLAIMS_DATE_LEN] != '\0' && iso[CLAIMS_DATE_LEN] != 'T'))
        return false;
    memcpy(out, iso, CLAIMS_DATE_LEN);
    out[CLAIMS_DATE_LEN] = '\0';
    if (!claims_is_date(out)) {
        out[0] = '\0';
        return false;
    }
    return true;
}

struct resolved {
    const struct evidence_tile *tile; /* NULL when not registered */
    enum evidence_match match;
    char date[CLAIMS_DATE_LEN + 1];
};

/* Which registered tile an image rests on: the one with the same SHA-256;
 * without a hash on the observation, the one with the same file name. A
 * hashed observation whose file name is registered under another hash is
 * "changed": the marked file is not the registered one. The date is the
 * register's when it knows one (the observation's copy may be wrong), else
 * the observation's. */
static struct resolved resolve(const char *image, const char *sha256, const char *acquired,
                               const struct evidence_tile *tiles, size_t ntiles)
{
    struct resolved r = {.match = EVIDENCE_MATCH_NONE};
    bool hashed = sha256 && sha256[0];
    for (size_t i = 0; i < ntiles && !r.tile; i++) {
        if (hashed && tiles[i].sha256 && strcmp(tiles[i].sha256, sha256) == 0) {
            r.tile = &tiles[i];
            r.match = EVIDENCE_MATCH_SHA256;
        }
    }
    for (size_t i = 0; i < ntiles && !r.tile && image; i++) {
        if (tiles[i].file && strcmp(tiles[i].file, image) == 0) {
            if (hashed) {
                r.match = EVIDENCE_MATCH_CHANGED;
                break;
            }
            r.tile = &tiles[i];
            r.match = EVIDENCE_MATCH_FILE;
        }
    }
    if (!r.tile || !date_of(r.tile->acquired, r.date))
        date_of(acquired, r.date);
    return r;
}

static bool in_claim_window(const struct claims_claim *c, const char *date)
{
    if (!date[0])
        return false;
    return (!c->time_from[0] || strcmp(date, c->time_from) >= 0) &&
           (!c->time_to[0] || strcmp(date, c->time_to) <= 0);
}

static bool tally_imagery(const struct annot_set *const *sets, size_t nsets,
                          const struct evidence_tile *tiles, size_t ntiles,
                          struct evidence_imagery *im)
{
    /* Distinct images by name; a handful per investigation, so a linear scan. */
    for (size_t s = 0; s < nsets; s++) {
        for (size_t i = 0; i < annot_count(sets[s]); i++) {
            const struct annot_feature *f = annot_get(sets[s], i);
            for (size_t o = 0; o < f->nobs; o++) {
                const struct annot_observation *ob = &f->obs[o];
                if (!ob->image || !ob->image[0])
                    continue;
                bool seen = false;
                for (size_t k = 0; k < im->tiles && !seen; k++)
                    seen = strcmp(im->images[k].image, ob->image) == 0;
                if (seen)
                    continue;
                struct evidence_image *grown =
                    realloc(im->images, (im->tiles + 1) * sizeof *grown);
                if (!grown)
                    return false;
                im->images = grown;
                struct resolved r = resolve(ob->image, ob->sha256, ob->acquired, tiles, ntiles);
                struct evidence_image *e = &grown[im->tiles++];
                *e = (struct evidence_image){
                    .image = ob->image,
                    .sha256 = r.tile && r.tile->sha256 ? r.tile->sha256
                                                       : (ob->sha256 ? ob->sha256 : ""),
                    .registered = r.tile != NULL,
                    .synthetic = r.tile && r.tile->synthetic,
                    .match = r.match,
                    .provider = r.tile && r.tile->provider ? r.tile->provider : "",
                };
                memcpy(e->acquired, r.date, sizeof e->acquired);
                if (!r.tile)
                    im->unregistered++;
                else if (r.tile->synthetic)
                    im->synthetic++;
                else
                    im->real++;
            }
        }
    }
    return true;
}

const struct evidence_image *evidence_report_image(const struct evidence_report *report,
                                                   const char *image)
{
    for (size_t i = 0; report && image && i < report->imagery.tiles; i++)
        if (strcmp(report->imagery.images[i].image, image) == 0)
            return &report->imagery.images[i];
    return NULL;
}

void evidence_imagery_sentence(const struct evidence_imagery *im, char *out, size_t cap)
{
    if (im->tiles == 0) {
        snprintf(out, cap, "No mark is observed on any image: no claim can be supported.");
        return;
    }
    const char *tiles = im->tiles == 1 ? "tile" : "tiles";
    if (im->synthetic == im->tiles) {
        snprintf(out, cap, "%zu %s, %s synthetic: no claim can be supported by %s.", im->tiles,
                 tiles, im->tiles == 1 ? "it is" : "all", im->tiles == 1 ? "it" : "them");
    } else if (im->unregistered == im->tiles) {
        snprintf(out, cap,
                 "%zu %s, none registered (imagery.json): no claim can be supported by %s "
                 "until %s registered as real imagery.",
                 im->tiles, tiles, im->tiles == 1 ? "it" : "them",
                 im->tiles == 1 ? "it is" : "they are");
    } else if (im->real == im->tiles) {
        snprintf(out, cap, "%zu %s, all real and registered.", im->tiles, tiles);
    } else {
        snprintf(out, cap,
                 "%zu %s: %zu real and registered, %zu synthetic, %zu unregistered; only the "
                 "real, registered ones can support or contradict a claim.",
                 im->tiles, tiles, im->real, im->synthetic, im->unregistered);
    }
}

/* ---- one claim ------------------------------------------------------------ */

struct text {
    char buf[REASON_MAX];
    size_t len;
};

static void say(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void say(struct text *t, const char *fmt, ...)
{
    if (t->len >= sizeof t->buf - 1)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(t->buf + t->len, sizeof t->buf - t->len, fmt, ap);
    va_end(ap);
    if (n > 0)
        t->len += (size_t)n < sizeof t->buf - t->len ? (size_t)n : sizeof t->buf - t->len - 1;
}

static const char *plural(size_t n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

/* Observations of every linked mark, and the per-mark tallies. */
static bool collect_observations(struct evidence_claim *ec, const struct claims_claim_result *r,
                                 const struct annot_set *const *sets,
                                 const struct evidence_tile *tiles, size_t ntiles)
{
    size_t capacity = 0;
    for (int s = 0; s < CLAIMS_STANCE_COUNT; s++) {
        for (size_t k = 0; k < r->nlinks[s]; k++) {
            const struct claims_mark_ref *ref = &r->links[s][k];
            const struct annot_feature *f = annot_find(sets[ref->set_index], ref->feature_id);
            if (!f)
                continue;
            bool real = false, synthetic = false, unregistered = false;
            for (size_t o = 0; o < f->nobs; o++) {
                const struct annot_observation *ob = &f->obs[o];
                struct resolved res = resolve(ob->image, ob->sha256, ob->acquired, tiles, ntiles);
                if (ec->nobs == capacity) {
                    /* doubling: a claim can gather a million observations */
                    size_t grow = capacity ? capacity * 2 : 16;
                    struct evidence_observation *grown = realloc(ec->obs, grow * sizeof *grown);
                    if (!grown)
                        return false;
                    ec->obs = grown;
                    capacity = grow;
                }
                struct evidence_observation *eo = &ec->obs[ec->nobs++];
                *eo = (struct evidence_observation){
                    .feature_id = f->id,
                    .stance = (enum claims_stance)s,
                    .image = ob->image ? ob->image : "",
                    .sha256 = res.tile && res.tile->sha256 ? res.tile->sha256
                                                           : (ob->sha256 ? ob->sha256 : ""),
                    .registered = res.tile != NULL,
                    .match = res.match,
                    .synthetic = res.tile && res.tile->synthetic,
                };
                memcpy(eo->acquired, res.date, sizeof eo->acquired);
                eo->in_window = in_claim_window(ec->claim, res.date);
                eo->counts = eo->in_window && eo->registered && !eo->synthetic;
                real |= eo->counts;
                synthetic |= eo->in_window && eo->registered && eo->synthetic;
                unregistered |= eo->in_window && !eo->registered;
            }
            if (real)
                ec->real_marks[s]++;
            else if (s == CLAIMS_CONTEXT)
                continue;
            else if (synthetic)
                ec->synthetic_marks++;
            else if (unregistered)
                ec->unregistered_marks++;
            else
                ec->outside_marks++;
        }
    }
    return true;
}

/* The image of a check's count, weighed: the tile is found by file name (the
 * counts are per image name), its date taken from the register. */
static void weigh_check(struct evidence_claim *ec, const struct claims_claim_result *r,
                        const struct annot_set *const *sets, size_t nsets,
                        const struct evidence_tile *tiles, size_t ntiles)
{
    const struct claims_check *c = &ec->claim->check;
    size_t real = 0, failing = 0, synthetic = 0, unregistered = 0, outside = 0;
    const struct claims_image_count *first_fail = NULL, *first_real = NULL;
    for (size_t i = 0; i < r->check.nimages; i++) {
        const struct claims_image_count *im = &r->check.images[i];
        /* The hash the marks carry for this image, if any, so a changed file
         * is not taken for the registered one. */
        const char *sha = NULL;
        for (size_t s = 0; s < nsets && !sha; s++)
            for (size_t k = 0; k < annot_count(sets[s]) && !sha; k++) {
                const struct annot_feature *f = annot_get(sets[s], k);
                for (size_t o = 0; o < f->nobs && !sha; o++)
                    if (f->obs[o].image && f->obs[o].sha256 && f->obs[o].sha256[0] &&
                        strcmp(f->obs[o].image, im->image) == 0)
                        sha = f->obs[o].sha256;
            }
        struct resolved res = resolve(im->image, sha, im->acquired, tiles, ntiles);
        bool dated_in = res.date[0] && strcmp(res.date, c->date_from) >= 0 &&
                        strcmp(res.date, c->date_to) <= 0;
        if (!res.tile) {
            unregistered++;
        } else if (res.tile->synthetic) {
            synthetic++;
        } else if (!dated_in) {
            outside++;
        } else {
            real++;
            if (!first_real)
                first_real = im;
            if (!im->holds && !failing++)
                first_fail = im;
        }
    }
    struct text t = {.len = 0};
    char value[32];
    snprintf(value, sizeof value, "%.15g", c->value);
    if (real > 0 && failing > 0) {
        ec->check = EVIDENCE_CHECK_INCONSISTENT;
        say(&t, "%zu %s in \"%s\" on %s (%s, real); the claim needs %s %s", first_fail->count,
            c->class_name, c->area, first_fail->image, first_fail->acquired,
            claims_op_name(c->op), value);
    } else if (real > 0) {
        ec->check = EVIDENCE_CHECK_CONSISTENT;
        if (real == 1)
            say(&t, "%zu %s in \"%s\" on %s (%s, real) %s %s", first_real->count, c->class_name,
                c->area, first_real->image, first_real->acquired, claims_op_name(c->op), value);
        else
            say(&t, "the count is %s %s on all %zu real images of %s..%s",
                claims_op_name(c->op), value, real, c->date_from, c->date_to);
    } else if (synthetic > 0) {
        ec->check = EVIDENCE_CHECK_ILLUSTRATIVE;
        say(&t, "counted only on synthetic imagery (%zu %s): an illustration, never a result",
            synthetic, plural(synthetic, "image", "images"));
    } else {
        ec->check = EVIDENCE_CHECK_UNDETERMINED;
        if (unregistered > 0)
            say(&t, "the area is shown only on unregistered imagery (%zu %s), which cannot "
                    "decide a check",
                unregistered, plural(unregistered, "image", "images"));
        else if (outside > 0)
            say(&t, "the register dates every image showing the area outside %s..%s",
                c->date_from, c->date_to);
        else
            say(&t, "%s", r->check.reason ? r->check.reason : "no image shows the area");
    }
    if (real > 0 && synthetic + unregistered > 0)
        say(&t, " (%zu synthetic or unregistered %s ignored)", synthetic + unregistered,
            plural(synthetic + unregistered, "image", "images"));
    ec->check_reason = strdup(t.buf);
}

/* The discrepancies naming the claim; the first of kind place or occurrence
 * into *contesting (NULL when none). */
static bool find_discrepancies(struct evidence_claim *ec, const struct claims_catalog *cat,
                               const struct claims_discrepancy **contesting)
{
    *contesting = NULL;
    for (size_t i = 0; i < claims_discrepancy_count(cat); i++) {
        const struct claims_discrepancy *d = claims_discrepancy_at(cat, i);
        bool names = false;
        for (size_t k = 0; k < d->nclaims && !names; k++)
            names = strcmp(d->claim_ids[k], ec->claim->id) == 0;
        if (!names)
            continue;
        const struct claims_discrepancy **grown =
            realloc(ec->discrepancies, (ec->ndiscrepancies + 1) * sizeof *grown);
        if (!grown)
            return false;
        ec->discrepancies = grown;
        grown[ec->ndiscrepancies++] = d;
        if (!*contesting && (d->kind == CLAIMS_KIND_PLACE || d->kind == CLAIMS_KIND_OCCURRENCE))
            *contesting = d;
    }
    return true;
}

/* "sources disagree on where it happened (discrepancy "a": title)", naming
 * every place/occurrence discrepancy of the claim (at most three, then "and
 * N more"). */
static void say_contest(struct text *t, const struct evidence_claim *ec,
                        const struct claims_discrepancy *first)
{
    size_t n = 0;
    for (size_t k = 0; k < ec->ndiscrepancies; k++)
        n += ec->discrepancies[k]->kind == CLAIMS_KIND_PLACE ||
             ec->discrepancies[k]->kind == CLAIMS_KIND_OCCURRENCE;
    say(t, "sources disagree on %s it happened (%s ",
        first->kind == CLAIMS_KIND_PLACE ? "where" : "whether",
        plural(n, "discrepancy", "discrepancies"));
    size_t said = 0;
    for (size_t k = 0; k < ec->ndiscrepancies && said < 3; k++) {
        const struct claims_discrepancy *d = ec->discrepancies[k];
        if (d->kind != CLAIMS_KIND_PLACE && d->kind != CLAIMS_KIND_OCCURRENCE)
            continue;
        say(t, "%s\"%s\": %s", said ? "; " : "", d->id, d->title);
        said++;
    }
    if (n > said)
        say(t, "; and %zu more", n - said);
    say(t, ")");
}

/* The part of a reason that lists marks that could not count. */
static void say_uncounted(struct text *t, const struct evidence_claim *ec, const char *lead,
                          bool synthetic_too)
{
    const struct claims_claim *c = ec->claim;
    if (synthetic_too && ec->synthetic_marks) {
        say(t, "%s%zu %s only on synthetic imagery (an illustration, not evidence)", lead,
            ec->synthetic_marks, plural(ec->synthetic_marks, "mark is", "marks are"));
        lead = "; ";
    }
    if (ec->unregistered_marks) {
        say(t, "%s%zu %s only on unregistered imagery, which cannot support or contradict a "
               "claim (register it: satmark imagery add)",
            lead, ec->unregistered_marks,
            plural(ec->unregistered_marks, "mark is observed", "marks are observed"));
        lead = "; ";
    }
    if (ec->outside_marks) {
        say(t, "%s%zu %s no observation dated inside the claim's window %s..%s", lead,
            ec->outside_marks, plural(ec->outside_marks, "mark has", "marks have"),
            c->time_from[0] ? c->time_from : "(open)", c->time_to[0] ? c->time_to : "(open)");
    }
}

static bool decide(struct evidence_claim *ec, const struct claims_claim_result *r,
                   const struct claims_discrepancy *contesting)
{
    const struct claims_claim *c = ec->claim;
    struct text t = {.len = 0};
    size_t sup = ec->real_marks[CLAIMS_SUPPORTS], con = ec->real_marks[CLAIMS_CONTRADICTS];
    bool check_for = ec->has_check && ec->check == EVIDENCE_CHECK_CONSISTENT;
    bool check_against = ec->has_check && ec->check == EVIDENCE_CHECK_INCONSISTENT;
    bool supported = sup > 0 || check_for, contradicted = con > 0 || check_against;

    if (c->imagery == CLAIMS_IMAGERY_NO) {
        ec->status = EVIDENCE_NOT_OBSERVABLE;
        say(&t, "imagery cannot show this (the catalog says imagery: no)");
        size_t linked = r->nlinks[CLAIMS_SUPPORTS] + r->nlinks[CLAIMS_CONTRADICTS];
        if (linked)
            say(&t, "; the %zu %s linked to it as supporting or contradicting cannot decide it",
                linked, plural(linked, "mark", "marks"));
    } else if (supported && contradicted) {
        ec->status = EVIDENCE_CONTESTED;
        say(&t, "real, registered imagery in the claim's window points both ways: ");
        say(&t, "%zu %s %s, %zu %s", sup, plural(sup, "mark", "marks"),
            plural(sup, "supports", "support"), con, plural(con, "contradicts", "contradict"));
        if (ec->has_check)
            say(&t, "; check %s", evidence_check_name(ec->check));
        if (contesting) {
            say(&t, "; also ");
            say_contest(&t, ec, contesting);
        }
    } else if (supported && contesting) {
        ec->status = EVIDENCE_CONTESTED;
        say_contest(&t, ec, contesting);
        say(&t, ", so at best contested, although ");
        if (sup)
            say(&t, "%zu %s on real, registered imagery %s it", sup,
                plural(sup, "mark", "marks"), plural(sup, "supports", "support"));
        else
            say(&t, "its check holds on real, registered imagery");
    } else if (supported) {
        ec->status = EVIDENCE_SUPPORTED;
        if (sup)
            say(&t, "%zu %s on real, registered imagery acquired in the claim's window %s it",
                sup, plural(sup, "mark", "marks"), plural(sup, "supports", "support"));
        else
            say(&t, "its check holds on real, registered imagery acquired in the window");
        if (sup && check_for)
            say(&t, " and its check holds");
        if (c->imagery == CLAIMS_IMAGERY_PARTLY)
            say(&t, "; imagery can show only part of this claim");
    } else if (contradicted) {
        ec->status = EVIDENCE_CONTRADICTED;
        if (con)
            say(&t, "%zu %s on real, registered imagery acquired in the claim's window %s it",
                con, plural(con, "mark", "marks"), plural(con, "contradicts", "contradict"));
        else
            say(&t, "its check fails on real, registered imagery acquired in the window");
        if (contesting) {
            say(&t, "; also ");
            say_contest(&t, ec, contesting);
        }
    } else if (contesting) {
        ec->status = EVIDENCE_CONTESTED;
        say_contest(&t, ec, contesting);
        say(&t, "; no real, registered imagery decides it");
        say_uncounted(&t, ec, "; ", true);
    } else if (ec->synthetic_marks || (ec->has_check && ec->check == EVIDENCE_CHECK_ILLUSTRATIVE)) {
        ec->status = EVIDENCE_ILLUSTRATIVE;
        say(&t, "only synthetic imagery bears on it: an illustration, not evidence");
        if (ec->synthetic_marks)
            say(&t, " (%zu %s)", ec->synthetic_marks, plural(ec->synthetic_marks, "mark", "marks"));
        say_uncounted(&t, ec, "; ", false);
    } else {
        ec->status = EVIDENCE_NO_EVIDENCE;
        if (ec->unregistered_marks || ec->outside_marks)
            say_uncounted(&t, ec, "", true);
        else if (r->nlinks[CLAIMS_CONTEXT])
            say(&t, "only context marks link to it");
        else
            say(&t, "no mark supports or contradicts it");
        if (ec->has_check && ec->check == EVIDENCE_CHECK_UNDETERMINED)
            say(&t, "; check undetermined");
    }
    ec->reason = strdup(t.buf);
    return ec->reason != NULL;
}

static bool evaluate_claim(struct evidence_claim *ec, const struct claims_catalog *cat,
                           const struct claims_claim_result *r,
                           const struct annot_set *const *sets, size_t nsets,
                           const struct evidence_tile *tiles, size_t ntiles)
{
    ec->claim = r->claim;
    ec->outlets = evidence_outlet_count(cat, r->claim);
    ec->independent_origins = evidence_independent_origins(cat, r->claim);
    if (!collect_observations(ec, r, sets, tiles, ntiles))
        return false;
    ec->has_check = r->has_check;
    if (ec->has_check) {
        weigh_check(ec, r, sets, nsets, tiles, ntiles);
        if (!ec->check_reason)
            return false;
    }
    const struct claims_discrepancy *contesting = NULL;
    return find_discrepancies(ec, cat, &contesting) && decide(ec, r, contesting);
}

size_t evidence_warn_unobservable_links(const struct claims_catalog *cat,
                                        const struct annot_set *set, const char *annot_path,
                                        struct diag *dg)
{
    size_t warned = 0;
    for (size_t i = 0; i < annot_count(set); i++) {
        const struct annot_feature *f = annot_get(set, i);
        for (size_t k = 0; k < f->nclaims; k++) {
            const struct claims_claim *c = claims_find(cat, f->claims[k].claim);
            if (!c || c->imagery != CLAIMS_IMAGERY_NO ||
                f->claims[k].stance == ANNOT_STANCE_CONTEXT)
                continue;
            diag_warn(dg, "%s: feature \"%s\": %s claim \"%s\", which imagery cannot show "
                          "(imagery: no); the link cannot decide it (link it as context)",
                      annot_path, f->id, annot_stance_name(f->claims[k].stance), c->id);
            warned++;
        }
    }
    return warned;
}

/* ---- tiles from registers ----------------------------------------------------- */

void evidence_tiles_free(struct evidence_tiles *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->nregisters; i++) {
        imagery_register_free(t->registers[i]);
        free(t->register_paths[i]);
    }
    free(t->registers);
    free(t->register_paths);
    free(t->tiles);
    free(t);
}

static bool add_register(struct evidence_tiles *t, const char *path, struct diag *dg)
{
    for (size_t i = 0; i < t->nregisters; i++)
        if (strcmp(t->register_paths[i], path) == 0)
            return true;
    struct imagery_register **regs = realloc(t->registers, (t->nregisters + 1) * sizeof *regs);
    if (regs)
        t->registers = regs;
    char **paths = realloc(t->register_paths, (t->nregisters + 1) * sizeof *paths);
    if (paths)
        t->register_paths = paths;
    char *copy = strdup(path);
    if (!regs || !paths || !copy) {
        free(copy);
        diag_error(dg, "%s: out of memory", path);
        return false;
    }
    struct imagery_register *reg = NULL;
    if (!imagery_register_read(path, &reg, dg)) {
        free(copy);
        return false;
    }
    t->registers[t->nregisters] = reg;
    t->register_paths[t->nregisters++] = copy;
    struct evidence_tile *more = NULL;
    size_t n = 0;
    if (!evidence_tiles_from_register(reg, &more, &n, dg))
        return false;
    struct evidence_tile *tiles = realloc(t->tiles, (t->ntiles + n + 1) * sizeof *tiles);
    if (!tiles) {
        free(more);
        diag_error(dg, "%s: out of memory", path);
        return false;
    }
    t->tiles = tiles;
    if (n)
        memcpy(tiles + t->ntiles, more, n * sizeof *more);
    t->ntiles += n;
    free(more);
    return true;
}

bool evidence_tiles_from_register(const struct imagery_register *reg,
                                  struct evidence_tile **out, size_t *n, struct diag *dg)
{
    *out = NULL;
    *n = 0;
    size_t count = reg ? imagery_count(reg) : 0;
    if (count == 0)
        return true;
    struct evidence_tile *tiles = calloc(count, sizeof *tiles);
    if (!tiles) {
        diag_error(dg, "%s: out of memory", imagery_register_path(reg));
        return false;
    }
    for (size_t i = 0; i < count; i++) {
        const struct imagery_entry *e = imagery_at(reg, i);
        const char *slash = strrchr(e->file, '/');
        tiles[i] = (struct evidence_tile){.file = slash ? slash + 1 : e->file,
                                          .sha256 = e->sha256,
                                          .acquired = e->acquired,
                                          .provider = e->provider,
                                          .synthetic = e->synthetic};
    }
    *out = tiles;
    *n = count;
    return true;
}

bool evidence_tiles_load(const char *const *annot_paths, size_t npaths,
                         const char *register_path, struct evidence_tiles **out,
                         struct diag *dg)
{
    *out = NULL;
    struct evidence_tiles *t = calloc(1, sizeof *t);
    if (!t) {
        diag_error(dg, "out of memory reading the imagery register");
        return false;
    }
    bool ok = true;
    if (register_path) {
        ok = add_register(t, register_path, dg);
    } else {
        char path[4096];
        for (size_t i = 0; ok && i < npaths; i++)
            if (imagery_register_locate(annot_paths[i], path, sizeof path))
                ok = add_register(t, path, dg);
    }
    if (!ok) {
        evidence_tiles_free(t);
        return false;
    }
    *out = t;
    return true;
}

/* ---- report --------------------------------------------------------------- */

void evidence_report_free(struct evidence_report *report)
{
    if (!report)
        return;
    for (size_t i = 0; i < report->nclaims; i++) {
        struct evidence_claim *ec = &report->claims[i];
        free(ec->reason);
        free(ec->obs);
        free(ec->check_reason);
        free(ec->discrepancies);
    }
    free(report->claims);
    free(report->imagery.images);
    claims_report_free(report->base);
    free(report);
}

const struct evidence_claim *evidence_report_find(const struct evidence_report *report,
                                                  const char *claim_id)
{
    /* claims[i] is the evidence of base->claims[i] (evidence_evaluate) */
    const struct claims_claim_result *r = report ? claims_report_find(report->base, claim_id)
                                                 : NULL;
    return r ? &report->claims[r - report->base->claims] : NULL;
}

bool evidence_evaluate(const struct claims_catalog *cat, const struct annot_set *const *sets,
                       size_t nsets, const struct evidence_tile *tiles, size_t ntiles,
                       struct evidence_report **out, struct diag *dg)
{
    *out = NULL;
    struct evidence_report *rep = calloc(1, sizeof *rep);
    if (!rep) {
        diag_error(dg, "%s: out of memory evaluating claims", claims_catalog_path(cat));
        return false;
    }
    if (!claims_evaluate(cat, sets, nsets, &rep->base, dg)) {
        free(rep);
        return false;
    }
    size_t n = rep->base->nclaims;
    bool ok = n == 0 || (rep->claims = calloc(n, sizeof *rep->claims)) != NULL;
    rep->nclaims = ok ? n : 0;
    for (size_t i = 0; ok && i < n; i++)
        ok = evaluate_claim(&rep->claims[i], cat, &rep->base->claims[i], sets, nsets, tiles,
                            ntiles);
    ok = ok && tally_imagery(sets, nsets, tiles, ntiles, &rep->imagery);
    if (!ok) {
        evidence_report_free(rep);
        diag_error(dg, "%s: out of memory evaluating claims", claims_catalog_path(cat));
        return false;
    }
    *out = rep;
    return true;
}
