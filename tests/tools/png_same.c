/*
 * png_same A B — whether two PNG files hold the same figure, for the e2e
 * tests that check a figure does not depend on the thread count or the
 * process (render against batch, -j 1 against -j 64).
 *
 * Exit 0 when the bytes are equal, or when only the deflate encoding of the
 * image data differs: the same chunks in the same order, every chunk other
 * than IDAT byte-equal, and the IDAT data inflating to the same filtered
 * scanlines (so the same pixels, filters and metadata). That second case is
 * the known igzip variance (docs/render.md, "Known problem"): it is noted on
 * stderr, never hidden. Exit 1 on any other difference, naming it; 2 when a
 * file cannot be read.
 *
 * Invariants: reads whole files (figures are a few MB); never writes.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

struct file {
    unsigned char *data; /* owned */
    size_t len;
};

static bool slurp(const char *path, struct file *f)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return false;
    size_t cap = 1 << 20;
    f->data = malloc(cap);
    f->len = 0;
    size_t n;
    while (f->data && (n = fread(f->data + f->len, 1, cap - f->len, fp)) > 0) {
        f->len += n;
        if (f->len == cap) {
            unsigned char *grown = realloc(f->data, cap *= 2);
            if (!grown) {
                free(f->data);
                f->data = NULL;
                break;
            }
            f->data = grown;
        }
    }
    bool ok = f->data && !ferror(fp);
    fclose(fp);
    return ok;
}

static size_t chunk_length(const unsigned char *p)
{
    return (size_t)p[0] << 24 | (size_t)p[1] << 16 | (size_t)p[2] << 8 | p[3];
}

/* The IDAT data of f inflated (a new buffer, *out_len bytes); NULL when the
 * file is not a well-formed PNG or its zlib stream is broken. */
static unsigned char *inflate_idat(const struct file *f, size_t *out_len)
{
    z_stream zs = {0};
    if (inflateInit(&zs) != Z_OK)
        return NULL;
    size_t cap = 1 << 22, used = 0;
    unsigned char *out = malloc(cap);
    int rc = Z_OK;
    for (size_t p = 8; out && rc == Z_OK && p + 12 <= f->len;) {
        size_t len = chunk_length(f->data + p);
        if (p + 12 + len > f->len)
            break;
        if (memcmp(f->data + p + 4, "IDAT", 4) == 0) {
            zs.next_in = f->data + p + 8;
            zs.avail_in = (uInt)len;
            while (rc == Z_OK && zs.avail_in > 0) {
                if (used == cap) {
                    unsigned char *grown = realloc(out, cap *= 2);
                    if (!grown) {
                        free(out);
                        out = NULL;
                        break;
                    }
                    out = grown;
                }
                zs.next_out = out + used;
                zs.avail_out = (uInt)(cap - used);
                rc = inflate(&zs, Z_NO_FLUSH);
                used = cap - zs.avail_out;
            }
        }
        p += 12 + len;
    }
    inflateEnd(&zs);
    if (rc != Z_STREAM_END) {
        free(out);
        return NULL;
    }
    *out_len = used;
    return out;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: png_same A.png B.png\n");
        return 2;
    }
    struct file a = {0}, b = {0};
    if (!slurp(argv[1], &a) || !slurp(argv[2], &b)) {
        fprintf(stderr, "png_same: cannot read %s\n", a.data ? argv[2] : argv[1]);
        return 2;
    }
    if (a.len == b.len && memcmp(a.data, b.data, a.len) == 0)
        return 0;
    int verdict = 1;
    size_t pa = 8, pb = 8, idat_differs = 0;
    if (a.len < 8 || b.len < 8 || memcmp(a.data, b.data, 8) != 0) {
        fprintf(stderr, "png_same: %s and %s: not both PNG files\n", argv[1], argv[2]);
        goto done;
    }
    while (pa + 12 <= a.len && pb + 12 <= b.len) {
        size_t la = chunk_length(a.data + pa), lb = chunk_length(b.data + pb);
        if (pa + 12 + la > a.len || pb + 12 + lb > b.len) {
            fprintf(stderr, "png_same: a chunk runs past the end of a file\n");
            goto done;
        }
        const unsigned char *ta = a.data + pa + 4, *tb = b.data + pb + 4;
        if (memcmp(ta, tb, 4) != 0) {
            fprintf(stderr, "png_same: %s has chunk %.4s where %s has %.4s\n", argv[1], ta,
                    argv[2], tb);
            goto done;
        }
        if (la != lb || memcmp(ta + 4, tb + 4, la) != 0) {
            if (memcmp(ta, "IDAT", 4) != 0) {
                fprintf(stderr, "png_same: %s and %s differ in chunk %.4s\n", argv[1], argv[2],
                        ta);
                goto done;
            }
            idat_differs++;
        }
        pa += 12 + la;
        pb += 12 + lb;
    }
    if (pa != a.len || pb != b.len) {
        fprintf(stderr, "png_same: %s and %s: different numbers of chunks\n", argv[1], argv[2]);
        goto done;
    }
    size_t ra = 0, rb = 0;
    unsigned char *ia = inflate_idat(&a, &ra), *ib = inflate_idat(&b, &rb);
    if (!ia || !ib)
        fprintf(stderr, "png_same: cannot inflate the image data of %s\n", ia ? argv[2] : argv[1]);
    else if (ra != rb || memcmp(ia, ib, ra) != 0)
        fprintf(stderr, "png_same: %s and %s hold different image data\n", argv[1], argv[2]);
    else {
        fprintf(stderr, "note: %s and %s differ only in the deflate encoding of %zu IDAT "
                        "chunk(s) (the known igzip variance)\n", argv[1], argv[2], idat_differs);
        verdict = 0;
    }
    free(ia);
    free(ib);
done:
    free(a.data);
    free(b.data);
    return verdict;
}
